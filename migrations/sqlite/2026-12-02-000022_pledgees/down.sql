ALTER TABLE encumbrances DROP COLUMN pledgee;
