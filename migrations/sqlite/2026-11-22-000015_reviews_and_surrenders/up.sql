-- The county's reviews of transferees (M8 qualification, X6 age).
CREATE TABLE transferee_reviews (
    county TEXT NOT NULL,
    idx BIGINT NOT NULL,
    party TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (county, idx)
);

-- Returns and exits by households, with their cooling-off window (G4).
CREATE TABLE surrenders (
    county TEXT NOT NULL,
    idx BIGINT NOT NULL,
    household TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (county, idx)
);
CREATE INDEX surrenders_household ON surrenders (county, household);
