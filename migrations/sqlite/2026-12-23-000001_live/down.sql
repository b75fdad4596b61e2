DROP TABLE reload_requests;
DROP TABLE login_throttle;
DROP TABLE definition_tables;
DROP TABLE definition_versions;
DROP TABLE policy_versions;
