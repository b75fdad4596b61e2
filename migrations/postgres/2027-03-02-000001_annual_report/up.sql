-- The annual quality report (issue 29): the items the status data cannot give (survey figures,
-- outside statistics), entered per cycle by 质量部 with where the figure comes from and its date.
-- The value is kept as the decimal's text, as the core-data snapshots keep theirs.
CREATE TABLE annual_report_values (
    cycle INTEGER NOT NULL,
    item TEXT NOT NULL,
    value TEXT NOT NULL,
    source TEXT NOT NULL,
    source_date TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_by_name TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    PRIMARY KEY (cycle, item)
);

-- The report's computed items are frozen with the core data they are signed off with: the
-- published snapshot holds them beside the core indicators (NULL in snapshots made before).
ALTER TABLE indicator_snapshots ADD COLUMN report_json TEXT;
