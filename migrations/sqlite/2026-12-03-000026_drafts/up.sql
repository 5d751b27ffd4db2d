-- Issue 18: an act over a household signed by its first hand and waiting,
-- under a short code, for the second hand's cosignature (A2). The signed
-- envelope only (no personal data); kept until its signature's time window
-- closes, at most 10,000 a county and 20 a signer.
CREATE TABLE drafts (
    county TEXT NOT NULL,
    code TEXT NOT NULL,
    signer TEXT NOT NULL,
    envelope TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (county, code)
);
CREATE INDEX drafts_by_signer ON drafts (county, signer);
