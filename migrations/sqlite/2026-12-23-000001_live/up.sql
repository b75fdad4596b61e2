-- The rights in force, shared by every instance: each change adds a version holding policy.csv's
-- text (comments and order kept); the newest is in force. policy.csv seeds the first version and
-- is what `statusdata policy export` writes.
CREATE TABLE policy_versions (
    version INTEGER PRIMARY KEY NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);

-- Each set of table definitions put in force: its content hash, who loaded it and where. The
-- newest version is the database's definitions.
CREATE TABLE definition_versions (
    version INTEGER PRIMARY KEY NOT NULL,
    hash TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by TEXT NOT NULL,
    instance TEXT NOT NULL
);

-- A table's definition hash, written with the version that changed it: an instance whose own
-- hash is not the newest refuses writes to that table and says which version is newer.
CREATE TABLE definition_tables (
    version INTEGER NOT NULL,
    code TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (code, version)
);

-- Failed logins per account and address, shared by every instance: repeated failures from one
-- address are answered more slowly wherever they arrive.
CREATE TABLE login_throttle (
    staff_no TEXT NOT NULL,
    addr TEXT NOT NULL,
    failures INTEGER NOT NULL,
    last_at TEXT NOT NULL,
    PRIMARY KEY (staff_no, addr)
);

-- `statusdata reload`: every running instance sees a new row and reloads its definitions.
CREATE TABLE reload_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    requested_at TEXT NOT NULL,
    requested_by TEXT NOT NULL
);
