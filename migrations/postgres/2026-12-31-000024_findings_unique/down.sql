DROP INDEX ux_findings_key;
CREATE INDEX ix_findings_rule ON findings (cycle, rule);
