ALTER TABLE indicator_snapshots DROP COLUMN override_reason;
ALTER TABLE indicator_snapshots DROP COLUMN override_at;
ALTER TABLE indicator_snapshots DROP COLUMN override_by;
ALTER TABLE indicator_comments DROP COLUMN resolved_at;
ALTER TABLE indicator_comments DROP COLUMN resolved_by;
