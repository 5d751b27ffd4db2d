-- Issue 20: the state log — each period, the state map's root as a leaf
-- (event-log size, event-log root, map root: 72 bytes), with the state
-- checkpoint the county's state key signed at that size and the witnesses'
-- cosignatures added to it as they come.
CREATE TABLE state_log (
    county TEXT NOT NULL,
    idx BIGINT NOT NULL,
    leaf BLOB NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (county, idx)
);
