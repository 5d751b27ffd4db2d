DROP TABLE key_offers;
