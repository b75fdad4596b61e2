DROP TABLE definition_history;
DROP TABLE definition_drafts;
