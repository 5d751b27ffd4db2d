DROP TABLE parcels;
DROP TABLE collectives;
