DROP TABLE expropriations;
