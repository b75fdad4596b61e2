-- The newest statusdata that migrated this database (one row). An older binary refuses to
-- migrate or serve it: the newer one may have written what the older cannot read.
CREATE TABLE statusdata_version (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    version TEXT NOT NULL,
    commit_id TEXT NOT NULL,
    migrated_at TEXT NOT NULL
);
