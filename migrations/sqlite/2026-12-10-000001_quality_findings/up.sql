-- Findings become a conversation: a state (open → explained → resolved | accepted), who explained
-- or accepted it and when, and the row's natural key so that a rerun recognises the same finding.
ALTER TABLE findings ADD COLUMN row_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN state TEXT NOT NULL DEFAULT 'open';
ALTER TABLE findings ADD COLUMN explained_by TEXT;
ALTER TABLE findings ADD COLUMN explained_at TEXT;
ALTER TABLE findings ADD COLUMN accepted_by TEXT;
ALTER TABLE findings ADD COLUMN accepted_at TEXT;
ALTER TABLE findings ADD COLUMN resolved_at TEXT;
ALTER TABLE findings ADD COLUMN updated_at TEXT;

CREATE INDEX ix_findings_rule ON findings (cycle, rule);

-- One line per run of the rules, for the quality report's trend.
CREATE TABLE quality_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    cycle INTEGER NOT NULL,
    scope TEXT NOT NULL,
    actor TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    rules INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    opened INTEGER NOT NULL,
    resolved INTEGER NOT NULL
);
