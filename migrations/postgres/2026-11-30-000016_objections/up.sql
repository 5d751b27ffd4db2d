-- R2: an objection lapses 15 days after it was made unless the county
-- records that the objector sued.
ALTER TABLE encumbrances ADD COLUMN lapses_on TEXT;
ALTER TABLE encumbrances ADD COLUMN sued_at BIGINT;
