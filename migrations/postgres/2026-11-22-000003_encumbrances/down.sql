DROP TABLE encumbrances;
