-- The online designer (issue 26): one draft per table that a 质量部 administrator edits in the
-- browser (the whole TOML text, the definitions version it was based on, optimistic row_version),
-- and the history of the drafts applied (the file's text before and after, who, when, why, and
-- the definitions version the apply produced), from which a version is compared or rolled back.
-- (definition_versions already records every loaded set of definitions, hence the name here.)
CREATE TABLE definition_drafts (
    table_code TEXT PRIMARY KEY NOT NULL,
    toml TEXT NOT NULL,
    base_version BIGINT NOT NULL,
    author TEXT NOT NULL,
    author_name TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    row_version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE definition_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    table_code TEXT NOT NULL,
    before_toml TEXT NOT NULL,
    after_toml TEXT NOT NULL,
    author TEXT NOT NULL,
    author_name TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT NOT NULL,
    definitions_version BIGINT NOT NULL
);

CREATE INDEX ix_definition_history_table ON definition_history (table_code, id);
