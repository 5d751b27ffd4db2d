DROP TABLE titles_touched;
DROP TABLE attestations;
DROP TABLE hukou_settlements;
DROP TABLE derived_rights;
DROP TABLE listings;
