-- 典型案例 (issue 15 item 5): a case of a cycle and a theme, written by a unit, with the same
-- draft → submitted → approved | returned → accepted flow as a table; figures linked to core
-- indicators or to rows; attachments kept in the database.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    cycle INTEGER NOT NULL REFERENCES cycles(year) ON DELETE CASCADE,
    theme TEXT NOT NULL,
    unit TEXT NOT NULL REFERENCES units(code),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'draft',
    comment TEXT,
    approvals TEXT NOT NULL DEFAULT '[]',
    row_version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE INDEX ix_cases_scope ON cases (cycle, unit, theme);

-- A figure quoted in a case: a core indicator (its id as the indicators file names it) or a row
-- of a data table (code and id, with the row's key in words as it was when linked).
CREATE TABLE case_figures (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    indicator TEXT,
    table_code TEXT,
    row_id BIGINT,
    source TEXT NOT NULL DEFAULT '',
    label TEXT NOT NULL,
    value TEXT NOT NULL DEFAULT ''
);

CREATE INDEX ix_case_figures_case ON case_figures (case_id);

CREATE TABLE case_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_at TEXT NOT NULL,
    uploaded_by TEXT NOT NULL
);

CREATE INDEX ix_case_attachments_case ON case_attachments (case_id);
