DROP TABLE row_comments;
