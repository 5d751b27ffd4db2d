DROP TABLE persons;
DROP TABLE households;
