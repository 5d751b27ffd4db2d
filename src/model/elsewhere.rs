//! Other counties' logs as the rules see them (P5): an entry of another
//! county's log, proved by its record, inclusion proof and that log's
//! signed checkpoint. The formats and the cryptography are the ledger's,
//! which implements [`OtherLogs`]; the rules only ask, and only after the
//! cheaper checks (the signer's authority, the membership) have passed.

use super::entry::AdmissionElsewhere;
use super::refusal::Why;

/// An entry another county's log holds, as its evidence proved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryElsewhere {
    /// The other county's code (its log's origin, checked).
    pub county: String,
    /// The entry's index in that log.
    pub index: u64,
    /// Its kind.
    pub kind: String,
    /// The keys that signed it — its signer and its cosigners — each
    /// signature checked here, not taken on that log's word.
    pub signed_by: Vec<[u8; 32]>,
}

/// Why evidence of an entry elsewhere does not hold: the field at fault
/// (below `elsewhere`) and why, in English and Chinese.
pub type Unproved = (&'static str, Why);

/// Checks evidence of an entry of another county's log.
pub trait OtherLogs: Sync + std::fmt::Debug {
    /// The entry `evidence` proves is in the log whose key is `log_vkey`
    /// (a `sanquan/<county>` verifier key the county pinned).
    fn entry(
        &self,
        evidence: &AdmissionElsewhere,
        log_vkey: &str,
    ) -> Result<EntryElsewhere, Unproved>;
}
