-- Issue 18: keys a farmer offers for registration from his phone, by their
-- short code, so a clerk may type the code instead of scanning the QR code.
-- Public keys only; kept seven days, at most 10,000 a county.
CREATE TABLE key_offers (
    county TEXT NOT NULL,
    code TEXT NOT NULL,
    vkey TEXT NOT NULL,
    offered_at BIGINT NOT NULL,
    PRIMARY KEY (county, code)
);
