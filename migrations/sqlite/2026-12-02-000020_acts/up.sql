-- Acts over a party, pending for their protective notice (DOMAIN.md A1, A3).
CREATE TABLE acts (
    county TEXT NOT NULL,
    idx BIGINT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (county, idx)
);
