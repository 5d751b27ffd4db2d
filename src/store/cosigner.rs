//! The log's side of C2SP tlog-witness (issue 20): after each state-log
//! leaf, a thread of its own sends the signed checkpoints to each witness
//! of the county's policy that has a URL (`add-checkpoint`, with the
//! consistency proof from the size that witness last cosigned) — the state
//! log's, and the event log's at the leaf's size — checks the cosignatures
//! that come back against the policy's keys, and adds them to the stored
//! notes, so a proof made from the state note, and the event log's
//! `/checkpoint`, carry them. It never holds the writer up: the newest leaf
//! only is sent when several wait.

use std::sync::mpsc::Receiver;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use diesel::prelude::*;

use super::schema::checkpoints;
use super::{queries, statelog, Db, StoreError};
use crate::ledger::checkpoint::note_parts;
use crate::ledger::merkle::{consistency_proof, Hash, MemoryTree};
use crate::ledger::policy::{Policy, Witness};

/// A leaf the writer appended, with the note it signed and the event-log
/// size it names.
pub struct NewLeaf {
    pub idx: u64,
    pub leaf: Hash,
    pub note: String,
    pub event_size: u64,
}

/// How long one witness may take to answer.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// One witness asked to cosign one note: the note with the cosignatures
/// that verified added, and the size the witness now holds (or said it
/// holds).
fn ask(
    agent: &ureq::Agent,
    w: &Witness,
    held: &mut u64,
    size: u64,
    note: &mut String,
    proof: impl Fn(u64) -> Option<Vec<Hash>>,
) {
    let Some(url) = &w.url else { return };
    let url = format!("{}/add-checkpoint", url.trim_end_matches('/'));
    let Ok((body, _)) = note_parts(note) else {
        return;
    };
    let body = body.to_owned();
    // A witness met for the first time, or one that moved on elsewhere,
    // says its size (409); one more try from there.
    for _ in 0..2 {
        let old = (*held).min(size);
        let mut request = format!("old {old}\n");
        if old > 0 {
            let Some(hashes) = proof(old) else { return };
            for h in hashes {
                request += &format!("{}\n", B64.encode(h));
            }
        }
        request += "\n";
        request += note;
        match agent.post(&url).send_string(&request) {
            Ok(answer) => {
                let lines = answer.into_string().unwrap_or_default();
                for line in lines.lines() {
                    let probe = format!("{body}\n{line}\n");
                    let ok = note_parts(&probe).is_ok_and(|(_, sigs)| {
                        sigs.iter().any(|(name, id, blob)| {
                            *name == w.key.name
                                && *id == w.key.id
                                && w.key.verify(&body, blob).is_some()
                        })
                    });
                    if ok && !note.contains(line) {
                        note.push_str(line);
                        note.push('\n');
                    }
                }
                *held = size;
                return;
            }
            Err(ureq::Error::Status(409, answer))
                if answer.content_type() == "text/x.tlog.size" =>
            {
                let said = answer.into_string().unwrap_or_default();
                match said.trim().parse() {
                    Ok(s) if s != *held => *held = s,
                    _ => return,
                }
            }
            Err(e) => {
                tracing::warn!(witness = %w.name, error = %e, "no cosignature");
                return;
            }
        }
    }
}

/// The event log's note at `size`, as stored.
fn event_note(db: &Db, size: u64) -> Result<Option<String>, StoreError> {
    Ok(checkpoints::table
        .filter(checkpoints::county.eq(&db.county))
        .filter(checkpoints::size.eq(size as i64))
        .select(checkpoints::note)
        .first(&mut *db.conn()?)
        .optional()?)
}

/// Runs until the writer's side of `rx` is dropped. The writer sends the
/// newest leaf it had at its start too, to be cosigned if it was not.
pub fn run(db: Db, policy: Policy, leaves: Vec<Hash>, rx: Receiver<NewLeaf>) {
    let mut tree = MemoryTree::new(&leaves);
    // The sizes each witness holds of the state log and of the event log.
    let mut held = vec![(0u64, 0u64); policy.witnesses.len()];
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
        let mut state_note = newest.note.clone();
        let mut event = event_note(&db, newest.event_size).ok().flatten();
        let event_before = event.clone();
        for (n, w) in policy.witnesses.iter().enumerate() {
            ask(&agent, w, &mut held[n].0, size, &mut state_note, |old| {
                consistency_proof(&tree, old, size).ok()
            });
            if let Some(note) = event.as_mut() {
                ask(&agent, w, &mut held[n].1, newest.event_size, note, |old| {
                    let mut conn = db.conn().ok()?;
                    queries::consistency_proof(
                        &mut conn,
                        &db.county,
                        &db.tiles,
                        old,
                        newest.event_size,
                    )
                    .ok()
                });
            }
        }
        let stored = (|| -> Result<(), StoreError> {
            if state_note != newest.note {
                statelog::cosigned(&mut *db.conn()?, &db.county, newest.idx, &state_note)?;
            }
            if let (Some(note), true) = (&event, event != event_before) {
                diesel::update(
                    checkpoints::table
                        .filter(checkpoints::county.eq(&db.county))
                        .filter(checkpoints::size.eq(newest.event_size as i64)),
                )
                .set(checkpoints::note.eq(note))
                .execute(&mut *db.conn()?)?;
            }
            Ok(())
        })();
        if let Err(e) = stored {
            tracing::error!(error = %e, "cosignatures not stored");
        }
    }
}
