DROP TABLE statusdata_version;
