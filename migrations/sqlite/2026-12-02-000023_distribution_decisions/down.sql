ALTER TABLE distributions DROP COLUMN decisions;
