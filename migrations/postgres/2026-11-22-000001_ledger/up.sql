-- The log: one row per entry; `leaf` is the JCS record hashed into the tree.
-- (signer, nonce) is unique by the single writer, which keeps the used nonces
-- in memory, and `verify` checks it again on replay.
CREATE TABLE log_entries (
    county TEXT NOT NULL,
    idx BIGINT NOT NULL,
    kind TEXT NOT NULL,
    signer BYTEA NOT NULL,
    nonce TEXT NOT NULL,
    leaf BYTEA NOT NULL,
    PRIMARY KEY (county, idx)
);

-- Merkle tree as C2SP tiles (height 8); partial tiles are rewritten as they grow.
CREATE TABLE tree_tiles (
    county TEXT NOT NULL,
    level INTEGER NOT NULL,
    idx BIGINT NOT NULL,
    hashes BYTEA NOT NULL,
    PRIMARY KEY (county, level, idx)
);

-- Signed checkpoints (C2SP tlog-checkpoint notes), one per committed batch.
CREATE TABLE checkpoints (
    county TEXT NOT NULL,
    size BIGINT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (county, size)
);

-- Projections of the key registry.
CREATE TABLE counties (
    county TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    log_vkey TEXT NOT NULL,
    root_vkey TEXT NOT NULL
);

CREATE TABLE actor_keys (
    county TEXT NOT NULL,
    public_key BYTEA NOT NULL,
    vkey TEXT NOT NULL,
    role TEXT NOT NULL,
    party TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    revoked_at BIGINT,
    PRIMARY KEY (county, public_key)
);
CREATE INDEX actor_keys_party ON actor_keys (county, party);
