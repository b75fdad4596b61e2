-- Core indicators for the leaders' sign-off: each publication by 质量部 freezes a snapshot of the
-- values (this cycle's and the previous cycle's) with the tables not yet accepted as warnings;
-- leaders comment per indicator, then sign it off or return it. The newest version is current.
CREATE TABLE indicator_snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    cycle INTEGER NOT NULL,
    version INTEGER NOT NULL,
    state TEXT NOT NULL,
    values_json TEXT NOT NULL,
    warnings_json TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    decision_comment TEXT,
    UNIQUE (cycle, version)
);

CREATE TABLE indicator_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    snapshot_id BIGINT NOT NULL REFERENCES indicator_snapshots (id),
    indicator TEXT NOT NULL,
    author TEXT NOT NULL,
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    at TEXT NOT NULL
);

CREATE INDEX ix_indicator_comments_snapshot ON indicator_comments (snapshot_id);
