-- Documents and geometries past PostgreSQL's 2 kB TOAST threshold (a
-- listing's document is about 2.5 kB once its history grows) are compressed
-- with LZ4 instead of pglz: measured in `bench deals`, pglz was most of the
-- cost of writing a batch of listings.
ALTER TABLE listings ALTER COLUMN doc SET COMPRESSION lz4;
ALTER TABLE derived_rights ALTER COLUMN doc SET COMPRESSION lz4;
ALTER TABLE hukou_settlements ALTER COLUMN doc SET COMPRESSION lz4;
ALTER TABLE attestations ALTER COLUMN doc SET COMPRESSION lz4;
ALTER TABLE transferee_reviews ALTER COLUMN doc SET COMPRESSION lz4;
ALTER TABLE surrenders ALTER COLUMN doc SET COMPRESSION lz4;
ALTER TABLE expropriations ALTER COLUMN doc SET COMPRESSION lz4;
ALTER TABLE estates ALTER COLUMN doc SET COMPRESSION lz4;
ALTER TABLE acts ALTER COLUMN doc SET COMPRESSION lz4;
ALTER TABLE collectives ALTER COLUMN geometry SET COMPRESSION lz4;
ALTER TABLE parcels ALTER COLUMN geometry SET COMPRESSION lz4;
ALTER TABLE homesteads ALTER COLUMN geometry SET COMPRESSION lz4;
