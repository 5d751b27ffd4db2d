-- Estates of households whose last member died, and their heirs (I2–I4).
CREATE TABLE estates (
    county TEXT NOT NULL,
    household TEXT NOT NULL,
    idx BIGINT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (county, household)
);
