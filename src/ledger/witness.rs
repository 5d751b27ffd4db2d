//! A witness (C2SP tlog-witness), its decisions without I/O: for each log
//! it knows — by origin, with the log's key — the newest checkpoint it
//! cosigned. `add-checkpoint` is checked against it (the log's signature,
//! the old size, the consistency proof) and, if all holds, recorded and
//! cosigned (cosignature/v1). The caller persists the new state before it
//! answers, under one lock with the check.
//!
//! One statement beyond the specification's: this witness cosigns one note
//! body per tree size. A second body for a size it has cosigned — another
//! root, or the same root with other extension lines (a state checkpoint
//! naming another map root) — is a fork: refused with 409 and both notes
//! kept as evidence.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::checkpoint::{open_note, Checkpoint};
use super::cosignature::cosign;
use super::merkle::{verify_consistency, Hash};
use super::SignerKey;
use crate::model::VerifierKey;

/// The newest checkpoint cosigned for one log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cosigned {
    pub size: u64,
    /// The note body cosigned (its root is the third line).
    pub body: String,
}

/// What a witness remembers: each log's newest cosigned checkpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WitnessState {
    pub logs: BTreeMap<String, Cosigned>,
}

/// A refusal, with the HTTP status and body the protocol specifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    /// A fork's evidence: the note cosigned before and the one refused.
    pub fork: Option<(String, String)>,
}

fn refused(status: u16, body: impl Into<String>) -> Refused {
    Refused {
        status,
        content_type: "text/plain; charset=utf-8",
        body: body.into(),
        fork: None,
    }
}

/// The most bytes of an add-checkpoint request.
pub const MAX_REQUEST: usize = 16 << 10;

/// `add-checkpoint`: checks `request` against `state` and the logs' keys,
/// and on success updates `state` and returns the cosignature line.
pub fn add_checkpoint(
    state: &mut WitnessState,
    logs: &[VerifierKey],
    key: &SignerKey,
    request: &str,
    now: u64,
) -> Result<String, Refused> {
    if request.len() > MAX_REQUEST {
        return Err(refused(400, "request too large\n"));
    }
    let (head, note) = request
        .split_once("\n\n")
        .ok_or_else(|| refused(400, "no empty line before the checkpoint\n"))?;
    let mut lines = head.split('\n');
    let old: u64 = lines
        .next()
        .and_then(|l| l.strip_prefix("old "))
        .filter(|n| !(n.len() > 1 && n.starts_with('0')))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| refused(400, "the first line must be `old <size>`\n"))?;
    let proof = lines
        .map(|l| B64.decode(l).ok().and_then(|h| Hash::try_from(h).ok()))
        .collect::<Option<Vec<Hash>>>()
        .ok_or_else(|| refused(400, "a consistency proof line is not a base64 hash\n"))?;
    if proof.len() > 63 {
        return Err(refused(400, "more than 63 consistency proof lines\n"));
    }
    let origin = note.split('\n').next().unwrap_or_default();
    let known: Vec<&VerifierKey> = logs.iter().filter(|k| k.name == origin).collect();
    if known.is_empty() {
        return Err(refused(404, "unknown log\n"));
    }
    let body = known
        .iter()
        .find_map(|k| open_note(note, k).ok())
        .ok_or_else(|| {
            refused(
                403,
                "no signature by a key this witness trusts for the log\n",
            )
        })?;
    let checkpoint = Checkpoint::parse_text(body).map_err(|e| refused(400, format!("{e}\n")))?;
    if old > checkpoint.size {
        return Err(refused(
            400,
            "the old size is larger than the checkpoint's\n",
        ));
    }
    let latest = state.logs.get(origin);
    let latest_size = latest.map_or(0, |c| c.size);
    if old != latest_size {
        return Err(Refused {
            status: 409,
            content_type: "text/x.tlog.size",
            body: format!("{latest_size}\n"),
            fork: None,
        });
    }
    if let Some(latest) = latest {
        let latest_root = Checkpoint::parse_text(&latest.body)
            .map(|c| c.root)
            .map_err(|e| refused(500, format!("{e}\n")))?;
        if old == checkpoint.size {
            if checkpoint.root != latest_root || body != latest.body {
                return Err(Refused {
                    fork: Some((latest.body.clone(), body.to_owned())),
                    ..refused(
                        409,
                        format!(
                            "a fork: another checkpoint of size {old} was cosigned\n{}\n{body}",
                            latest.body
                        ),
                    )
                });
            }
        } else if !verify_consistency(old, checkpoint.size, &latest_root, &checkpoint.root, &proof)
        {
            return Err(Refused {
                fork: Some((latest.body.clone(), body.to_owned())),
                ..refused(422, "the consistency proof does not verify\n")
            });
        }
    } else if !proof.is_empty() {
        return Err(refused(422, "the proof must be empty from size 0\n"));
    }
    state.logs.insert(
        origin.to_owned(),
        Cosigned {
            size: checkpoint.size,
            body: body.to_owned(),
        },
    );
    Ok(cosign(key, body, now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::merkle::{consistency_proof, MemoryTree};

    fn note(key: &SignerKey, leaves: &[Hash], extra: &str) -> String {
        let cp = Checkpoint {
            origin: key.name.clone(),
            size: leaves.len() as u64,
            root: MemoryTree::new(leaves).root(),
        };
        super::super::checkpoint::sign_note(&format!("{}{extra}", cp.text()), key)
    }

    fn request(old: u64, proof: &[Hash], note: &str) -> String {
        let mut r = format!("old {old}\n");
        for h in proof {
            r += &format!("{}\n", B64.encode(h));
        }
        format!("{r}\n{note}")
    }

    #[test]
    fn a_witness_cosigns_growth_and_refuses_a_fork() {
        let log = SignerKey::from_seed("sanquan/140421/state", [1; 32]).unwrap();
        let w = SignerKey::from_seed("witness.140422", [2; 32]).unwrap();
        let logs = [log.verifier()];
        let leaves: Vec<Hash> = (0..9u8).map(|n| [n; 32]).collect();
        let mut state = WitnessState::default();
        let first = note(&log, &leaves[..4], "");
        let line = add_checkpoint(&mut state, &logs, &w, &request(0, &[], &first), 1).unwrap();
        assert!(line.starts_with("— witness.140422 "));
        // A stale old size: 409 and the size it knows.
        let grown = note(&log, &leaves, "");
        let stale = add_checkpoint(&mut state, &logs, &w, &request(0, &[], &grown), 2).unwrap_err();
        assert_eq!((stale.status, stale.body.as_str()), (409, "4\n"));
        // Growth with its consistency proof.
        let tree = MemoryTree::new(&leaves);
        let proof = consistency_proof(&tree, 4, 9).unwrap();
        add_checkpoint(&mut state, &logs, &w, &request(4, &proof, &grown), 3).unwrap();
        assert_eq!(state.logs["sanquan/140421/state"].size, 9);
        // The same checkpoint again is cosigned again.
        add_checkpoint(&mut state, &logs, &w, &request(9, &[], &grown), 4).unwrap();
        // A fork: another tree of the same size, signed by the log itself.
        let mut other = leaves.clone();
        other[8] = [99; 32];
        let fork = add_checkpoint(
            &mut state,
            &logs,
            &w,
            &request(9, &[], &note(&log, &other, "")),
            5,
        )
        .unwrap_err();
        assert_eq!(fork.status, 409);
        let (before, after) = fork.fork.unwrap();
        assert!(before != after && fork.body.contains(&before));
        // The same root with another extension line: a fork too.
        let ext = add_checkpoint(
            &mut state,
            &logs,
            &w,
            &request(9, &[], &note(&log, &leaves, "state 1 x y\n")),
            6,
        )
        .unwrap_err();
        assert_eq!(ext.status, 409);
        // A longer fork: its consistency proof from the tree cosigned fails.
        let mut longer = other.clone();
        longer.push([100; 32]);
        let bad = consistency_proof(&MemoryTree::new(&longer), 9, 10).unwrap();
        let r = add_checkpoint(
            &mut state,
            &logs,
            &w,
            &request(9, &bad, &note(&log, &longer, "")),
            7,
        )
        .unwrap_err();
        assert_eq!(r.status, 422);
        assert_eq!(state.logs["sanquan/140421/state"].size, 9);
        // Unknown log; a signature by another key; an old size past the new.
        let stranger = SignerKey::from_seed("sanquan/140422/state", [3; 32]).unwrap();
        let r = add_checkpoint(
            &mut state,
            &logs,
            &w,
            &request(0, &[], &note(&stranger, &leaves, "")),
            8,
        );
        assert_eq!(r.unwrap_err().status, 404);
        let impostor = SignerKey::from_seed("sanquan/140421/state", [4; 32]).unwrap();
        let r = add_checkpoint(
            &mut state,
            &logs,
            &w,
            &request(9, &[], &note(&impostor, &leaves, "")),
            9,
        );
        assert_eq!(r.unwrap_err().status, 403);
        let r = add_checkpoint(&mut state, &logs, &w, &request(10, &[], &grown), 10);
        assert_eq!(r.unwrap_err().status, 400);
    }
}
