-- Year over year: a row carried forward into a new cycle (or matched to last cycle's row by the
-- demo) keeps a link to the row it came from, so that a teacher, a major or an enterprise can be
-- followed across years even when its key changes later.
CREATE TABLE row_links (
    table_code TEXT NOT NULL,
    row_id BIGINT NOT NULL,
    cycle INTEGER NOT NULL,
    prev_cycle INTEGER NOT NULL,
    prev_id BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (table_code, row_id)
);

CREATE INDEX ix_row_links_prev ON row_links (table_code, prev_id);

-- 高基报表 reference figures that 质量部 enters or imports, each with its own 时点; the value is
-- a decimal kept as text so that it stays exact on both backends.
CREATE TABLE gaoji_figures (
    cycle INTEGER NOT NULL,
    item TEXT NOT NULL,
    value TEXT NOT NULL,
    as_of TEXT NOT NULL,
    note TEXT,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (cycle, item)
);
