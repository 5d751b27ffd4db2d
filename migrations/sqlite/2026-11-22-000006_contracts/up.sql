-- Land contracts (承包合同): a projection of the log.
CREATE TABLE contracts (
    county TEXT NOT NULL,
    code TEXT NOT NULL,
    household TEXT NOT NULL,
    parcels TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    certificate_members TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    PRIMARY KEY (county, code)
);
CREATE INDEX contracts_household ON contracts (county, household);
