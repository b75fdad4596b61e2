ALTER TABLE cycles DROP COLUMN shift_days;
ALTER TABLE cycles DROP COLUMN source_hash;
