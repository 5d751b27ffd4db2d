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

/// P5's rules (`model::rules::member`), decided in the rules' test world
/// with another county's log made here with real keys and proofs.
#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::{MemoryLog, Record};
    use crate::ledger::{format_integrated, Envelope, SignerKey};
    use crate::model::rules::world::{actors_v2, World, DEPARTMENTS, ROOT};
    use crate::model::Refusal;

    const HEAD: &str = "0000000000000000000000000000000000000000000000000000000000000001";

    fn key(name: &str, seed: u8) -> SignerKey {
        SignerKey::from_seed(name, [seed; 32]).unwrap()
    }

    /// 壶关县's log in memory: a key binding, then its collective's
    /// admission of a person (by its own commitment), cosigned by `hers`.
    /// Returns the log and the admission's index.
    fn other_county(hers: Option<&SignerKey>) -> (MemoryLog, u64) {
        let mut log = MemoryLog::new("140427", key("sanquan/140427", 77));
        let collective = key("c", 78);
        let time = "2026-11-23T08:00:00Z";
        let integrated = format_integrated(time.parse().unwrap());
        let bind = Envelope::sign(&key("r", 79), "sanquan/140427", "key.register", "n1", time,
            json!({"vkey": collective.verifier().to_string(), "role": "collective", "party": "14042700100101"})).unwrap();
        log.append(&bind, &integrated);
        let mut admit = Envelope::sign(
            &collective,
            "sanquan/140427",
            "member.admit",
            "n2",
            time,
            json!({"decision": 0, "persons": ["ee".repeat(32)]}),
        )
        .unwrap();
        if let Some(k) = hers {
            admit.cosign(k);
        }
        let at = log.append(&admit, &integrated);
        log.append(&bind, &integrated);
        (log, at)
    }

    /// The county under the authority rules with her personal key bound at
    /// the registry's desk and 壶关县's log key pinned by the root key.
    fn world(hers: &SignerKey, pinned: &MemoryLog) -> World {
        let mut w = World::new_v2();
        let all = actors_v2();
        w.sign(
            &all[0].0,
            "key.register",
            json!({"vkey": hers.verifier().to_string(), "role": "member", "party": HEAD}),
        )
        .unwrap();
        w.sign(
            &all[ROOT].0,
            "county.settings",
            json!({"settings": {"other_logs": {"140427": pinned.vkey()}}, "reason": "P5"}),
        )
        .unwrap();
        w
    }

    /// The collective's `member.end`, with the second hand of actor `hand`;
    /// the refusal's code and field, if refused.
    fn end(w: &mut World, hand: usize, elsewhere: Option<Value>) -> Result<(), (String, String)> {
        let all = actors_v2();
        let mut body = json!({"person": HEAD, "reason": "member_elsewhere", "document_sha256": "ab".repeat(32)});
        if let Some(e) = elsewhere {
            body["elsewhere"] = e;
        }
        w.decide(
            &all[2].0.public_bytes(),
            &[all[hand].0.public_bytes()],
            "member.end",
            &body,
            &[],
        )
        .map_err(|e| (e.code().to_owned(), e.field().unwrap_or_default()))
    }

    fn evidence(log: &MemoryLog, at: u64) -> Value {
        serde_json::to_value(log.evidence(at)).unwrap()
    }

    fn still_member(w: &World) -> bool {
        w.state.memberships[HEAD].ended.is_none()
    }

    /// P5: her admission in another county's log, cosigned by her personal
    /// key here, ends her membership here on the registry's hand — an act
    /// over her household, on notice (A3), not at once.
    #[test]
    fn p5_an_admission_on_another_county_s_log_is_the_record_of_membership_elsewhere() {
        let hers = key("hers", 80);
        let (log, at) = other_county(Some(&hers));
        let mut w = world(&hers, &log);
        let registry = DEPARTMENTS[0].0;
        let before = w.state.acts.len();
        end(&mut w, registry, Some(evidence(&log, at))).unwrap();
        assert_eq!(w.state.acts.len(), before + 1, "on notice (A3)");
        assert!(still_member(&w), "nothing ends before the notice runs out");
        // Without the evidence, the registry is no hand for it: the civil
        // registration's record is (A2).
        let mut w = world(&hers, &log);
        assert_eq!(
            end(&mut w, registry, None).unwrap_err().0,
            "second_hand_missing"
        );
        end(&mut w, DEPARTMENTS[1].0, None).unwrap();
    }

    /// P5, what does not prove it: another county's entry she did not
    /// cosign, one that is no admission, a county not pinned, this county
    /// itself, a member with no personal key here, and evidence altered in
    /// its checkpoint, record or proof — each refused with its field.
    #[test]
    fn p5_evidence_that_does_not_prove_her_admission_elsewhere_is_refused() {
        let hers = key("hers", 80);
        let registry = DEPARTMENTS[0].0;
        let refused = |w: &mut World, e: Value| end(w, registry, Some(e)).unwrap_err();
        let (log, at) = other_county(Some(&hers));
        let good = evidence(&log, at);

        let (unsigned, at2) = other_county(None);
        let mut w = world(&hers, &unsigned);
        assert_eq!(
            refused(&mut w, evidence(&unsigned, at2)).1,
            "entry.body.elsewhere.record"
        );

        let mut w = world(&hers, &log);
        assert_eq!(
            refused(&mut w, evidence(&log, at - 1)).1,
            "entry.body.elsewhere.record",
            "a key binding is no admission"
        );
        let mut tampered = good.clone();
        tampered["proof"][0] = json!(tampered["proof"][1].clone());
        assert_eq!(refused(&mut w, tampered).1, "entry.body.elsewhere.proof");
        let mut tampered = good.clone();
        tampered["record"] = json!(good["record"].as_str().unwrap().replace("\"n2\"", "\"n3\""));
        assert_eq!(refused(&mut w, tampered).1, "entry.body.elsewhere.proof");
        // That log's key may put what it likes in its tree, but not her
        // signature.
        let record = Record::parse(
            good["record"].as_str().unwrap().as_bytes(),
            "sanquan/140427",
        )
        .unwrap();
        let mut lying = MemoryLog::new("140427", key("sanquan/140427", 77));
        let mut env = record.envelope.clone();
        env.cosigs[0].sig[0] ^= 1;
        let i = lying.append(&env, &record.integrated);
        assert_eq!(
            refused(&mut w, evidence(&lying, i)).1,
            "entry.body.elsewhere.record"
        );
        // The same admission under a log key not pinned.
        let mut forged = MemoryLog::new("140427", key("sanquan/140427", 81));
        forged.append(&record.envelope, &record.integrated);
        assert_eq!(
            refused(&mut w, evidence(&forged, 0)).1,
            "entry.body.elsewhere.checkpoint",
            "signed by a key not pinned"
        );
        let mut elsewhere = good.clone();
        elsewhere["county"] = json!("140428");
        assert_eq!(
            refused(&mut w, elsewhere).1,
            "entry.body.elsewhere.county",
            "not pinned"
        );
        let mut here = good.clone();
        here["county"] = json!("140421");
        assert_eq!(
            refused(&mut w, here).1,
            "entry.body.elsewhere.county",
            "this county"
        );
        let all = actors_v2();
        let death = json!({"person": HEAD, "reason": "death", "document_sha256": "ab".repeat(32), "elsewhere": good.clone()});
        let e = w
            .decide(
                &all[2].0.public_bytes(),
                &[all[DEPARTMENTS[1].0].0.public_bytes()],
                "member.end",
                &death,
                &[],
            )
            .unwrap_err();
        assert_eq!(e.field().as_deref(), Some("entry.body.elsewhere"));
        assert!(still_member(&w), "nothing refused changed anything");

        // A member with no personal key here: the admission cannot be
        // shown to be hers.
        let mut w = World::new_v2();
        w.sign(
            &all[ROOT].0,
            "county.settings",
            json!({"settings": {"other_logs": {"140427": log.vkey()}}, "reason": "P5"}),
        )
        .unwrap();
        assert_eq!(refused(&mut w, good).1, "entry.body.elsewhere");
        assert!(still_member(&w));
    }
}
