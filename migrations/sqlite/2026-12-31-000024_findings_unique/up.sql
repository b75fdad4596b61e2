-- A finding is one row per (cycle, rule, table, unit, row key): concurrent runs and saves could
-- insert the same finding twice (nothing stopped them on PostgreSQL). Older duplicates keep the
-- first row (its explanation and acceptance), the index keeps it that way, and writes become
-- upserts against it. The index leads with (cycle, rule), so ix_findings_rule is redundant.
DELETE FROM findings WHERE id NOT IN (
    SELECT MIN(id) FROM findings GROUP BY cycle, rule, table_code, unit, row_ref
);
DROP INDEX ix_findings_rule;
CREATE UNIQUE INDEX ux_findings_key ON findings (cycle, rule, table_code, unit, row_ref);
