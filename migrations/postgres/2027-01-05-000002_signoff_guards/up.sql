-- Guards of the leaders' sign-off: a comment on the core data stays open until its author or
-- 质量部 resolves it (who, when); a snapshot may carry 质量部's written override of the sign-off
-- guards (outside 院领导审核期, or over open comments): who, when and why.
ALTER TABLE indicator_comments ADD COLUMN resolved_by TEXT;
ALTER TABLE indicator_comments ADD COLUMN resolved_at TEXT;
ALTER TABLE indicator_snapshots ADD COLUMN override_by TEXT;
ALTER TABLE indicator_snapshots ADD COLUMN override_at TEXT;
ALTER TABLE indicator_snapshots ADD COLUMN override_reason TEXT;
