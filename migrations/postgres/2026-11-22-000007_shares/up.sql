-- Shares (份额) held, by household or, bought back, by collective.
CREATE TABLE share_holdings (
    county TEXT NOT NULL,
    holder TEXT NOT NULL,
    shares BIGINT NOT NULL,
    PRIMARY KEY (county, holder)
);

CREATE TABLE share_quantifications (
    county TEXT NOT NULL,
    collective TEXT NOT NULL,
    idx BIGINT NOT NULL,
    PRIMARY KEY (county, collective)
);

-- Distributions (S3); amounts in fen, parts as JSON [[holder, fen], …].
CREATE TABLE distributions (
    county TEXT NOT NULL,
    idx BIGINT NOT NULL,
    collective TEXT NOT NULL,
    total_fen BIGINT NOT NULL,
    reserve_fen BIGINT NOT NULL,
    welfare_fen BIGINT NOT NULL,
    parts TEXT NOT NULL,
    PRIMARY KEY (county, idx)
);
