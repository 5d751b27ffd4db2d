ALTER TABLE encumbrances DROP COLUMN sued_at;
ALTER TABLE encumbrances DROP COLUMN lapses_on;
