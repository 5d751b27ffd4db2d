DROP TABLE homesteads;
