//! The log's side of C2SP tlog-witness (issue 20): after each state-log
//! leaf, a thread of its own sends the signed state checkpoint to each
//! witness of the county's policy that has a URL (`add-checkpoint`, with
//! the consistency proof from the size that witness last cosigned), checks
//! the cosignatures that come back against the policy's keys and adds them
//! to the stored note — so a proof made from it carries them. It never
//! holds the writer up: the newest leaf only is sent when several wait.

use std::sync::mpsc::Receiver;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

use super::{statelog, Db};
use crate::ledger::checkpoint::note_parts;
use crate::ledger::merkle::{consistency_proof, Hash, MemoryTree};
use crate::ledger::policy::Policy;

/// A leaf the writer appended, with the note it signed.
pub struct NewLeaf {
    pub idx: u64,
    pub leaf: Hash,
    pub note: String,
}

/// How long one witness may take to answer.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs until the writer's side of `rx` is dropped. The writer sends the
/// newest leaf it had at its start too, to be cosigned if it was not.
pub fn run(db: Db, policy: Policy, leaves: Vec<Hash>, rx: Receiver<NewLeaf>) {
    let mut tree = MemoryTree::new(&leaves);
    let mut sizes = vec![0u64; policy.witnesses.len()];
    let agent = ureq::AgentBuilder::new().timeout(TIMEOUT).build();
    while let Ok(first) = rx.recv() {
        let mut newest = first;
        let mut grow = |leaf: &NewLeaf| {
            if leaf.idx == tree.size() {
                tree.push(leaf.leaf);
            }
        };
        grow(&newest);
        while let Ok(more) = rx.try_recv() {
            grow(&more);
            newest = more;
        }
        let size = newest.idx + 1;
        let Ok((body, _)) = note_parts(&newest.note) else {
            continue;
        };
        let body = body.to_owned();
        let mut note = newest.note.clone();
        for (n, w) in policy.witnesses.iter().enumerate() {
            let Some(url) = &w.url else { continue };
            let url = format!("{}/add-checkpoint", url.trim_end_matches('/'));
            // A witness met for the first time, or one that moved on
            // elsewhere, says its size (409); one more try from there.
            for _ in 0..2 {
                let old = sizes[n].min(size);
                let mut request = format!("old {old}\n");
                if old > 0 {
                    for h in consistency_proof(&tree, old, size).expect("in memory") {
                        request += &format!("{}\n", B64.encode(h));
                    }
                }
                request += "\n";
                request += &newest.note;
                match agent.post(&url).send_string(&request) {
                    Ok(answer) => {
                        let lines = answer.into_string().unwrap_or_default();
                        let mut added = 0;
                        for line in lines.lines() {
                            let probe = format!("{body}\n{line}\n");
                            let ok = note_parts(&probe).is_ok_and(|(_, sigs)| {
                                sigs.iter().any(|(name, id, blob)| {
                                    *name == w.key.name
                                        && *id == w.key.id
                                        && w.key.verify(&body, blob).is_some()
                                })
                            });
                            if ok {
                                note += line;
                                note.push('\n');
                                added += 1;
                            }
                        }
                        sizes[n] = size;
                        tracing::debug!(witness = %w.name, added, size, "cosigned");
                        break;
                    }
                    Err(ureq::Error::Status(409, answer))
                        if answer.content_type() == "text/x.tlog.size" =>
                    {
                        let said = answer.into_string().unwrap_or_default();
                        match said.trim().parse() {
                            Ok(s) if s != sizes[n] => sizes[n] = s,
                            _ => break,
                        }
                    }
                    Err(e) => {
                        tracing::warn!(witness = %w.name, error = %e, "no cosignature");
                        break;
                    }
                }
            }
        }
        if note != newest.note {
            let stored = db
                .conn()
                .and_then(|mut c| statelog::cosigned(&mut c, &db.county, newest.idx, &note));
            // (A row the writer appended is never rewritten but here.)
            if let Err(e) = stored {
                tracing::error!(error = %e, "cosignatures not stored");
            }
        }
    }
}
