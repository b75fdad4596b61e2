DROP TABLE annual_report_values;
