-- M5: the 当事人信息及签署页 of each award's contract (template 2): the
-- parties' names, masked ID numbers and the random 核验码, off the log. The
-- log keeps only its SHA-256, in the parties' signatures.
CREATE TABLE contract_schedules (
    county TEXT NOT NULL,
    listing BIGINT NOT NULL,
    award BIGINT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (county, listing, award)
);
