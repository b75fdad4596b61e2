-- The cycle file a cycle was installed from (its hash) and how far its dates were moved (the
-- demo): a later start leaves an installed cycle alone unless its file changed, and the next
-- cycle keeps the same shift.
ALTER TABLE cycles ADD COLUMN source_hash TEXT;
ALTER TABLE cycles ADD COLUMN shift_days INTEGER NOT NULL DEFAULT 0;
