-- The county's settings in force (`county.settings`), as JSON.
CREATE TABLE county_settings (
    county TEXT NOT NULL PRIMARY KEY,
    settings TEXT NOT NULL,
    set_at BIGINT NOT NULL
);

-- A household that merged into another (合户, P3) ends; it stays, marked.
ALTER TABLE households ADD COLUMN ended_at BIGINT;
ALTER TABLE households ADD COLUMN merged_into TEXT;
