-- The exchange: each listing as one document with its whole history, and
-- the columns its queries filter on.
CREATE TABLE listings (
    county TEXT NOT NULL,
    id BIGINT NOT NULL,
    collective TEXT NOT NULL,
    household TEXT NOT NULL,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX listings_status ON listings (county, status, collective);

-- Rights derived by settled deals (G2), by the settlement's log index.
CREATE TABLE derived_rights (
    county TEXT NOT NULL,
    idx BIGINT NOT NULL,
    household TEXT NOT NULL,
    holder TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (county, idx)
);
CREATE INDEX derived_rights_household ON derived_rights (county, household);

-- Settlements in towns (进城落户): events about persons, nothing more (G3).
CREATE TABLE hukou_settlements (
    county TEXT NOT NULL,
    idx BIGINT NOT NULL,
    person TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (county, idx)
);

-- The county's attestations of retained rights (G3).
CREATE TABLE attestations (
    county TEXT NOT NULL,
    idx BIGINT NOT NULL,
    household TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (county, idx)
);

-- The last log index at which each title (parcel or homestead) changed.
CREATE TABLE titles_touched (
    county TEXT NOT NULL,
    title TEXT NOT NULL,
    touched_at BIGINT NOT NULL,
    PRIMARY KEY (county, title)
);
