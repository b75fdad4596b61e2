DROP TABLE case_attachments;
DROP TABLE case_figures;
DROP TABLE cases;
