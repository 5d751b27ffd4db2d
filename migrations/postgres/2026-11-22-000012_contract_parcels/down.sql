DROP TABLE contract_parcels;
