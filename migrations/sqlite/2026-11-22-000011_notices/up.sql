-- Public notices (公示) of registration results, and certificates issued.
CREATE TABLE notices (
    county TEXT NOT NULL,
    idx BIGINT NOT NULL,
    collective TEXT NOT NULL,
    contracts TEXT NOT NULL,
    from_date TEXT NOT NULL,
    to_date TEXT NOT NULL,
    PRIMARY KEY (county, idx)
);

CREATE TABLE certificates (
    county TEXT NOT NULL,
    contract TEXT NOT NULL,
    idx BIGINT NOT NULL,
    notice BIGINT NOT NULL,
    PRIMARY KEY (county, contract)
);
