-- Encumbrances on parcels (查封, 异议), named by the log index that made them.
CREATE TABLE encumbrances (
    county TEXT NOT NULL,
    idx BIGINT NOT NULL,
    parcel TEXT NOT NULL,
    kind TEXT NOT NULL,
    party TEXT NOT NULL,
    reason TEXT NOT NULL,
    document_sha256 TEXT NOT NULL,
    released_at BIGINT,
    PRIMARY KEY (county, idx)
);
CREATE INDEX encumbrances_parcel ON encumbrances (county, parcel);
