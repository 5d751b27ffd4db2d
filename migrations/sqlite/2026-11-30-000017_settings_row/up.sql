ALTER TABLE county_settings DROP COLUMN set_at;
