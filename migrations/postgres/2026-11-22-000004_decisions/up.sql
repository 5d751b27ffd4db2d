-- Decisions of collectives (D3), named by the log index that recorded them.
CREATE TABLE decisions (
    county TEXT NOT NULL,
    idx BIGINT NOT NULL,
    collective TEXT NOT NULL,
    assembly TEXT NOT NULL,
    subject TEXT NOT NULL,
    question TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    eligible INTEGER NOT NULL,
    present INTEGER NOT NULL,
    in_favour INTEGER NOT NULL,
    against INTEGER NOT NULL,
    minutes_sha256 TEXT NOT NULL,
    PRIMARY KEY (county, idx)
);
CREATE INDEX decisions_collective ON decisions (county, collective);
