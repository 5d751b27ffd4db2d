-- Which contract covers a parcel, indexed: reads of a parcel or its title
-- find it without scanning the contracts' parcel lists.
CREATE TABLE contract_parcels (
    county TEXT NOT NULL,
    parcel TEXT NOT NULL,
    contract TEXT NOT NULL,
    PRIMARY KEY (county, parcel)
);
INSERT INTO contract_parcels (county, parcel, contract)
    SELECT c.county, j.value, c.code FROM contracts c, json_each(c.parcels) j;
