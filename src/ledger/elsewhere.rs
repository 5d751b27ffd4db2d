//! P5: evidence of an entry of another county's log, checked as an auditor
//! would check it offline — its checkpoint under the log key this county
//! pinned, the record in that checkpoint's tree, and the record's own
//! signatures (which that log's key could not forge).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

use super::merkle::{leaf_hash, verify_inclusion, Hash};
use super::{Checkpoint, Record};
use crate::model::elsewhere::{EntryElsewhere, OtherLogs, Unproved};
use crate::model::entry::AdmissionElsewhere;
use crate::model::{log_origin, VerifierKey};

/// The deepest inclusion proof a tree of 2^64 entries needs.
const MAX_PROOF: usize = 64;

/// The ledger's check of other counties' logs (what [`super::Sequencer`]
/// hands the rules).
#[derive(Debug)]
pub struct CountyLogs;

impl OtherLogs for CountyLogs {
    fn entry(
        &self,
        evidence: &AdmissionElsewhere,
        log_vkey: &str,
    ) -> Result<EntryElsewhere, Unproved> {
        let origin = log_origin(evidence.county.as_str());
        let vkey = VerifierKey::parse(log_vkey)
            .ok()
            .filter(|k| k.name == origin)
            .ok_or((
                "elsewhere.county",
                (
                    "the key pinned for that county is not its log key",
                    "为该县登记的公钥不是该县的日志公钥",
                ),
            ))?;
        let checkpoint = Checkpoint::open(&evidence.checkpoint, &vkey)
            .ok()
            .filter(|c| c.origin == origin)
            .ok_or((
                "elsewhere.checkpoint",
                (
                    "is not a checkpoint that county's log key signed",
                    "不是该县日志公钥签署的检查点",
                ),
            ))?;
        let bad_proof = (
            "elsewhere.proof",
            (
                "does not prove the record is in the checkpoint's tree",
                "不能证明该记录在检查点所示的日志中",
            ),
        );
        if evidence.proof.len() > MAX_PROOF {
            return Err(bad_proof);
        }
        let proof = evidence
            .proof
            .iter()
            .map(|h| B64.decode(h).ok().and_then(|b| Hash::try_from(b).ok()))
            .collect::<Option<Vec<Hash>>>()
            .ok_or(bad_proof)?;
        let leaf = evidence.record.as_bytes();
        let record = Record::parse(leaf, &origin)
            .ok()
            .filter(|r| r.envelope.record(r.index, &r.integrated) == leaf)
            .ok_or((
                "elsewhere.record",
                (
                    "is not a record of that county's log, byte for byte as served",
                    "不是该县日志中的记录原文",
                ),
            ))?;
        if record.index >= checkpoint.size
            || !verify_inclusion(
                &leaf_hash(leaf),
                record.index,
                checkpoint.size,
                &proof,
                &checkpoint.root,
            )
        {
            return Err(bad_proof);
        }
        let env = &record.envelope;
        if !env.verify_signature() {
            return Err((
                "elsewhere.record",
                ("its signatures do not verify", "该记录的签名核验不通过"),
            ));
        }
        let mut signed_by = vec![env.signer];
        signed_by.extend(env.cosigners());
        Ok(EntryElsewhere {
            county: evidence.county.as_str().to_owned(),
            index: record.index,
            kind: env.kind.clone(),
            signed_by,
        })
    }
}

/// A county's log held whole in memory — records, tree and log key — for
/// tests and small tools: what another county's server serves, as
/// evidence of one of its entries.
pub struct MemoryLog {
    county: String,
    key: super::SignerKey,
    records: Vec<Vec<u8>>,
}

impl MemoryLog {
    /// An empty log of `county`, signed by `key` (named `sanquan/<county>`).
    pub fn new(county: &str, key: super::SignerKey) -> MemoryLog {
        MemoryLog {
            county: county.to_owned(),
            key,
            records: Vec::new(),
        }
    }

    /// The log key's verifier key (what another county pins).
    pub fn vkey(&self) -> String {
        self.key.verifier().to_string()
    }

    /// Appends `env` as integrated at `integrated`; its index.
    pub fn append(&mut self, env: &super::Envelope, integrated: &str) -> u64 {
        let index = self.records.len() as u64;
        self.records.push(env.record(index, integrated));
        index
    }

    /// The evidence of entry `index` under the log's newest checkpoint.
    pub fn evidence(&self, index: u64) -> AdmissionElsewhere {
        let leaves: Vec<Hash> = self.records.iter().map(|r| leaf_hash(r)).collect();
        let tree = super::merkle::MemoryTree::new(&leaves);
        let size = leaves.len() as u64;
        let checkpoint = Checkpoint {
            origin: log_origin(&self.county),
            size,
            root: tree.root(),
        };
        let proof = super::merkle::inclusion_proof(&tree, index, size).expect("in memory");
        AdmissionElsewhere {
            county: crate::model::codes::CountyCode::parse(&self.county).expect("a county code"),
            checkpoint: checkpoint.sign(&self.key),
            record: String::from_utf8(self.records[index as usize].clone()).expect("JSON"),
            proof: proof.iter().map(|h| B64.encode(h)).collect(),
        }
    }
}
