DROP TABLE distributions;
DROP TABLE share_quantifications;
DROP TABLE share_holdings;
