-- A reviewer's or 质量部's comment on one row of a unit's table (issue 25): kept for the cycle,
-- shown to the unit, which marks it resolved with an optional reply. row_ref names the row as
-- it was when commented on, so the comment still reads after the row is deleted.
CREATE TABLE row_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    cycle INTEGER NOT NULL REFERENCES cycles(year) ON DELETE CASCADE,
    table_code TEXT NOT NULL,
    unit TEXT NOT NULL,
    row_id BIGINT NOT NULL,
    row_ref TEXT NOT NULL,
    author TEXT NOT NULL,
    author_unit TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT,
    reply TEXT
);

CREATE INDEX ix_row_comments_sheet ON row_comments (cycle, table_code, unit);
