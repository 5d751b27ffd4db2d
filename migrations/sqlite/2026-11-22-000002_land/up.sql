-- Projections of collectives (发包方) and parcels (地块). Areas in 0.01 m²;
-- geometry as normalised GeoJSON with its bounding box in columns.
CREATE TABLE collectives (
    county TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    area_centi_m2 BIGINT NOT NULL,
    min_lon DOUBLE PRECISION NOT NULL,
    min_lat DOUBLE PRECISION NOT NULL,
    max_lon DOUBLE PRECISION NOT NULL,
    max_lat DOUBLE PRECISION NOT NULL,
    geometry TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    PRIMARY KEY (county, code)
);

CREATE TABLE parcels (
    county TEXT NOT NULL,
    code TEXT NOT NULL,
    collective TEXT NOT NULL,
    name TEXT NOT NULL,
    class TEXT NOT NULL,
    land_use TEXT NOT NULL,
    grade TEXT NOT NULL,
    basic_farmland BOOLEAN NOT NULL,
    declared_centi_m2 BIGINT,
    area_centi_m2 BIGINT NOT NULL,
    min_lon DOUBLE PRECISION NOT NULL,
    min_lat DOUBLE PRECISION NOT NULL,
    max_lon DOUBLE PRECISION NOT NULL,
    max_lat DOUBLE PRECISION NOT NULL,
    geometry TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    retired_at BIGINT,
    PRIMARY KEY (county, code)
);
CREATE INDEX parcels_collective ON parcels (county, collective);
CREATE INDEX parcels_lon ON parcels (county, min_lon);
