-- Core schema of statusdata (sqlite). The data tables d_<slug> are created from the definitions by the store's sync, not here.

CREATE TABLE units (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    parent TEXT REFERENCES units(code),
    aliases TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    staff_no TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    unit TEXT NOT NULL REFERENCES units(code),
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    client_addr TEXT
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

CREATE TABLE cycles (
    year INTEGER PRIMARY KEY NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    finance_year INTEGER NOT NULL,
    snapshot_date TEXT NOT NULL,
    is_open BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL
);

CREATE TABLE schedule_tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    cycle INTEGER NOT NULL REFERENCES cycles(year) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    task_no TEXT NOT NULL,
    title TEXT NOT NULL,
    units TEXT NOT NULL DEFAULT '[]',
    table_code TEXT,
    starts_on TEXT,
    ends_on TEXT NOT NULL,
    UNIQUE (cycle, kind, task_no)
);

CREATE TABLE submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    cycle INTEGER NOT NULL REFERENCES cycles(year) ON DELETE CASCADE,
    table_code TEXT NOT NULL,
    unit TEXT NOT NULL REFERENCES units(code),
    state TEXT NOT NULL,
    comment TEXT,
    approvals TEXT NOT NULL DEFAULT '[]',
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    UNIQUE (cycle, table_code, unit)
);

CREATE TABLE submission_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    submission_id BIGINT NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_unit TEXT NOT NULL,
    comment TEXT,
    at TEXT NOT NULL
);

CREATE TABLE findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    cycle INTEGER NOT NULL,
    table_code TEXT NOT NULL,
    unit TEXT NOT NULL,
    row_id BIGINT,
    field TEXT,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    explanation TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE lock_exceptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    cycle INTEGER NOT NULL REFERENCES cycles(year) ON DELETE CASCADE,
    table_code TEXT NOT NULL,
    unit TEXT NOT NULL REFERENCES units(code),
    until TEXT NOT NULL,
    reason TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    cycle INTEGER,
    table_code TEXT,
    row_id BIGINT,
    operation TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);

CREATE TABLE data_tables (
    slug TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    key_columns TEXT NOT NULL,
    synced_at TEXT NOT NULL
);

CREATE TABLE data_columns (
    table_slug TEXT NOT NULL REFERENCES data_tables(slug) ON DELETE CASCADE,
    column_name TEXT NOT NULL,
    field_type TEXT NOT NULL,
    scale INTEGER,
    position INTEGER NOT NULL,
    PRIMARY KEY (table_slug, column_name)
);

CREATE INDEX ix_sessions_user ON sessions (user_id);

CREATE INDEX ix_submission_events_submission ON submission_events (submission_id);

CREATE INDEX ix_findings_scope ON findings (cycle, table_code, unit);

CREATE INDEX ix_lock_exceptions_scope ON lock_exceptions (cycle, table_code, unit);

CREATE INDEX ix_audit_log_table ON audit_log (cycle, table_code, row_id);

CREATE INDEX ix_audit_log_at ON audit_log (at);
