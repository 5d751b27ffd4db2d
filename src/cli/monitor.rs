//! `sanquan monitor URL` (issue 20): follows a county's log through its
//! public endpoints only — the entries, the state log's leaves and its
//! signed checkpoint — replays every entry through the rules, rebuilds the
//! state map from nothing, and compares each state-log leaf with what the
//! events give at that leaf's event-log size. The witnesses check that the
//! log only grows; the monitor checks that the map tells the truth.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

use super::CliError;
use crate::ledger::follower::MapFollower;
use crate::ledger::merkle::MemoryTree;
use crate::ledger::statelog::{StateCheckpoint, StateLeaf};
use crate::ledger::Sequencer;
use crate::store::follow::replay;

/// What a monitor found wrong, with where the events show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub leaf: u64,
    pub what: String,
}

fn get(agent: &ureq::Agent, url: &str) -> Result<String, CliError> {
    agent
        .get(url)
        .call()
        .map_err(|e| CliError::Http(format!("{url}: {e}")))?
        .into_string()
        .map_err(CliError::from)
}

/// Follows the log at `url`; the findings (none: every leaf is true).
pub fn follow(url: &str) -> Result<(u64, u64, Vec<Finding>), CliError> {
    let base = format!("{}/api/v1", url.trim_end_matches('/'));
    let agent = ureq::AgentBuilder::new()
        .timeout(std::time::Duration::from_secs(30))
        .build();
    let bad = |what: String| CliError::Http(what);
    let note = get(&agent, &format!("{base}/state/checkpoint"))?;
    let (body, _) = crate::ledger::checkpoint::note_parts(&note).map_err(|e| bad(e.to_string()))?;
    let checkpoint = StateCheckpoint::parse_text(body).map_err(|e| bad(e.to_string()))?;
    let county = checkpoint
        .tree
        .origin
        .strip_prefix("sanquan/")
        .and_then(|o| o.strip_suffix("/state"))
        .ok_or_else(|| {
            bad(format!(
                "not a county's state log: {}",
                checkpoint.tree.origin
            ))
        })?
        .to_owned();
    let mut leaves: Vec<StateLeaf> = Vec::new();
    while (leaves.len() as u64) < checkpoint.tree.size {
        let page = get(
            &agent,
            &format!("{base}/state/leaves?from={}", leaves.len()),
        )?;
        let before = leaves.len();
        for line in page.lines() {
            let leaf = B64
                .decode(line)
                .ok()
                .and_then(|b| StateLeaf::from_bytes(&b))
                .ok_or_else(|| bad(format!("a state leaf that does not read: {line}")))?;
            leaves.push(leaf);
        }
        if leaves.len() == before {
            break;
        }
    }
    leaves.truncate(checkpoint.tree.size as usize);
    let mut findings = Vec::new();
    let tree = MemoryTree::new(&leaves.iter().map(StateLeaf::hash).collect::<Vec<_>>());
    if leaves.len() as u64 != checkpoint.tree.size || tree.root() != checkpoint.tree.root {
        findings.push(Finding {
            leaf: checkpoint.tree.size.saturating_sub(1),
            what: "the state leaves served are not the tree the checkpoint signs".into(),
        });
    }
    if leaves.last() != Some(&checkpoint.latest) {
        findings.push(Finding {
            leaf: checkpoint.tree.size.saturating_sub(1),
            what: "the checkpoint's state line is not its newest leaf".into(),
        });
    }
    // Replay the events, committing the map at each leaf's size.
    let origin = crate::model::log_origin(&county);
    let mut seq = Sequencer::new(&county, Box::new(crate::spatial::ParcelIndex::new()));
    seq.map = Some(MapFollower::default());
    let mut order: Vec<(usize, &StateLeaf)> = leaves.iter().enumerate().collect();
    order.sort_by_key(|(i, l)| (l.event_size, *i));
    let last = order.last().map_or(0, |(_, l)| l.event_size);
    let mut next = order.into_iter().peekable();
    let mut previous = 0;
    loop {
        while let Some((i, leaf)) = next.peek().filter(|(_, l)| l.event_size == seq.size()) {
            let map = seq.map.as_mut().expect("set above");
            let root = map.commit(&seq.state);
            let range = if previous == seq.size() {
                format!("entry {}", seq.size().saturating_sub(1))
            } else {
                format!("entries {previous} to {}", seq.size() - 1)
            };
            if leaf.event_root != seq.tree.root() {
                findings.push(Finding {
                    leaf: *i as u64,
                    what: format!(
                        "its event-log root is not the log's at size {}",
                        leaf.event_size
                    ),
                });
            } else if leaf.map_root != root {
                findings.push(Finding {
                    leaf: *i as u64,
                    what: format!(
                        "its map root {} is not the one the events give, {} ({range} since the last leaf that held)",
                        B64.encode(leaf.map_root),
                        B64.encode(root)
                    ),
                });
            }
            previous = seq.size();
            next.next();
        }
        if seq.size() >= last {
            break;
        }
        let index = seq.size();
        let leaf = get(&agent, &format!("{base}/entries/{index}"))?;
        replay(&mut seq, &origin, leaf.as_bytes()).map_err(bad)?;
    }
    Ok((seq.size(), leaves.len() as u64, findings))
}

/// `sanquan monitor URL`: exit 0 only if every state leaf is what the
/// events give.
pub fn run(url: &str) -> Result<(), CliError> {
    let (entries, leaves, findings) = follow(url)?;
    for f in &findings {
        println!("state leaf {}: {}", f.leaf, f.what);
    }
    if findings.is_empty() {
        println!("ok: {leaves} state leaves match the map rebuilt from {entries} entries");
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "{} of {leaves} state leaves do not match the events",
            findings.len()
        )))
    }
}
