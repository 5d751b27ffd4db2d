-- Homesteads (宅基地), one per household (H1); exits are kept, marked.
CREATE TABLE homesteads (
    county TEXT NOT NULL,
    household TEXT NOT NULL,
    collective TEXT NOT NULL,
    area_centi_m2 BIGINT NOT NULL,
    min_lon DOUBLE PRECISION NOT NULL,
    min_lat DOUBLE PRECISION NOT NULL,
    max_lon DOUBLE PRECISION NOT NULL,
    max_lat DOUBLE PRECISION NOT NULL,
    geometry TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    exited_at BIGINT,
    compensation_fen BIGINT,
    PRIMARY KEY (county, household)
);
