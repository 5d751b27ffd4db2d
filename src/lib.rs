//! sanquan (三权): a registry and transfer exchange for rural collective
//! property rights, on an append-only, Ed25519-signed Merkle log.
//!
//! Layers, lowest first: [`model`] (domain and rules) and [`spatial`],
//! [`ledger`] (envelopes, Merkle tree, checkpoints), [`store`] (database,
//! writer, projections), [`registry`] (the service), [`http`] (what the two
//! faces share), the faces [`api`] (JSON) and [`web`] (pages), [`server`]
//! (both mounted), and [`cli`].

pub mod api;
pub mod cli;
pub mod http;
pub mod ledger;
pub mod model;
pub mod registry;
pub mod server;
pub mod spatial;
pub mod store;
pub mod web;

/// The test vectors (`tests/vectors`, made by independent implementations),
/// or `SANQUAN_VECTORS` when set.
#[cfg(test)]
pub(crate) fn vectors_dir() -> std::path::PathBuf {
    std::env::var_os("SANQUAN_VECTORS")
        .map(Into::into)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors"))
}
