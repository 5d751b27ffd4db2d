//! The log as readers see it: its entries, proofs and receipts.

use super::*;

/// One entry of the log, as the log explorer lists it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LogLine {
    pub index: u64,
    pub kind: String,
    pub signer: String,
    pub integrated: String,
}

/// An RFC 9162 proof: base64 SHA-256 hashes, in order.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Hashes {
    pub hashes: Vec<String>,
}

/// What an accepted entry's sender gets back once it is durable.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReceiptView {
    /// The entry's log index.
    pub index: u64,
    /// Base64 SHA-256 leaf hash of its record.
    pub leaf_hash: String,
}

impl From<crate::store::Receipt> for ReceiptView {
    fn from(r: crate::store::Receipt) -> Self {
        use base64::Engine;
        ReceiptView {
            index: r.index,
            leaf_hash: base64::engine::general_purpose::STANDARD.encode(r.leaf_hash),
        }
    }
}
