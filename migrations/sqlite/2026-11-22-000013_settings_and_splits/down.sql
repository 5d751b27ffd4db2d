ALTER TABLE households DROP COLUMN merged_into;
ALTER TABLE households DROP COLUMN ended_at;
DROP TABLE county_settings;
