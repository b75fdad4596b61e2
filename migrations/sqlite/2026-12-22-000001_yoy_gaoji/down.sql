DROP TABLE gaoji_figures;
DROP INDEX ix_row_links_prev;
DROP TABLE row_links;
