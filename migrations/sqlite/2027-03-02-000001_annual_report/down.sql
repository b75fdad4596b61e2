ALTER TABLE indicator_snapshots DROP COLUMN report_json;
DROP TABLE annual_report_values;
