-- Households (承包方): a projection of the log; members by commitment.
CREATE TABLE households (
    county TEXT NOT NULL,
    code TEXT NOT NULL,
    collective TEXT NOT NULL,
    members TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    PRIMARY KEY (county, code)
);
CREATE INDEX households_collective ON households (county, collective);

-- Personal data: NOT on the log and not a projection of it. Each row is the
-- record whose commitment an entry names; `verify` checks it against that.
CREATE TABLE persons (
    county TEXT NOT NULL,
    commitment TEXT NOT NULL,
    household TEXT NOT NULL,
    salt TEXT NOT NULL,
    name TEXT NOT NULL,
    id_number TEXT NOT NULL,
    phone TEXT,
    PRIMARY KEY (county, commitment)
);
CREATE UNIQUE INDEX persons_id_number ON persons (county, id_number);
