-- Expropriations (E1), by the log index of their pre-announcement: the
-- parcels, the plan, the hearing and the payments, as one document.
CREATE TABLE expropriations (
    county TEXT NOT NULL,
    idx BIGINT NOT NULL,
    collective TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (county, idx)
);
CREATE INDEX expropriations_collective ON expropriations (county, collective);
