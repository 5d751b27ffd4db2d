-- Membership of the collective economic organisation (P4), by person
-- commitment; the person's data is in `persons`, never here.
CREATE TABLE memberships (
    county TEXT NOT NULL,
    person TEXT NOT NULL,
    collective TEXT NOT NULL,
    admitted_at BIGINT NOT NULL,
    decision BIGINT NOT NULL,
    ended_at BIGINT,
    end_reason TEXT,
    PRIMARY KEY (county, person)
);
CREATE INDEX memberships_collective ON memberships (county, collective);
