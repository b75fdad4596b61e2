DROP TABLE indicator_comments;
DROP TABLE indicator_snapshots;
