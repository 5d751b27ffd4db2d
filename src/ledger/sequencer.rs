//! The sequencer admits entries in log order: nonce uniqueness, the rules,
//! the state change, the record and the Merkle tree. The writer runs it on
//! new entries; `verify` runs it again over the stored log. Signatures are
//! checked before, in batches.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::envelope::Envelope;
use super::merkle::{leaf_hash, Hash};
use super::tiles::TreeBuilder;
use super::LedgerError;
use crate::model::{decide, Change, Context, Land, RuleError, State};

/// An entry's own `time` must lie within the county's window
/// (`entry_time_window_minutes`, default ±10) of the time the server
/// integrates it, so a signed envelope refused today cannot be replayed next
/// year. The integration time is in the record, so `verify` replays this too.
fn check_time(
    state: &State,
    time: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), LedgerError> {
    let Ok(signed) = chrono::DateTime::parse_from_rfc3339(time) else {
        return Err(LedgerError::BadTime);
    };
    let window = state.settings.entry_time_window_minutes;
    let off = (signed.with_timezone(&chrono::Utc) - now).num_seconds();
    if off.unsigned_abs() > u64::from(window) * 60 {
        return Err(RuleError::TimeOutsideWindow {
            time: time.to_owned(),
            now: super::format_integrated(now),
            minutes: window,
        }
        .into());
    }
    Ok(())
}

/// An admitted entry: what the store appends and projects.
#[derive(Debug, Clone)]
pub struct Admitted {
    pub index: u64,
    pub leaf: Vec<u8>,
    pub leaf_hash: Hash,
    pub changes: Vec<Change>,
}

/// (signer, nonce) pairs already used, as 128-bit digests, with their index.
#[derive(Debug, Clone, Default)]
pub struct Nonces(HashMap<u128, u64>);

impl Nonces {
    pub fn key(signer: &[u8; 32], nonce: &str) -> u128 {
        let mut h = Sha256::new();
        h.update(signer);
        h.update(nonce.as_bytes());
        u128::from_be_bytes(h.finalize()[..16].try_into().expect("16 bytes"))
    }

    pub fn used(&self, signer: &[u8; 32], nonce: &str) -> Option<u64> {
        self.0.get(&Self::key(signer, nonce)).copied()
    }

    pub fn insert(&mut self, signer: &[u8; 32], nonce: &str, index: u64) {
        self.0.insert(Self::key(signer, nonce), index);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

pub struct Sequencer {
    pub county: String,
    pub state: State,
    /// The spatial side of the state (active parcels, boundaries).
    pub land: Box<dyn Land>,
    pub nonces: Nonces,
    pub tree: TreeBuilder,
    /// The state map's follower, when the writer keeps the state log
    /// (issue 20): each change names the titles it may alter.
    pub map: Option<super::follower::MapFollower>,
    /// Set while an admitted entry's changes are applied: if a panic ever
    /// escaped from there, the state is half changed and must be reloaded.
    pub poisoned: bool,
}

impl Sequencer {
    pub fn new(county: &str, land: Box<dyn Land>) -> Self {
        Sequencer {
            county: county.to_owned(),
            state: State::default(),
            land,
            nonces: Nonces::default(),
            tree: TreeBuilder::new(),
            map: None,
            poisoned: false,
        }
    }

    pub fn size(&self) -> u64 {
        self.tree.size()
    }

    /// Admits one entry whose signature was already checked, at the next index.
    /// A refusal changes nothing.
    pub fn admit(&mut self, env: &Envelope, integrated: &str) -> Result<Admitted, LedgerError> {
        let index = self.tree.size();
        let changes = self.decide(env, integrated)?;
        self.poisoned = true;
        for change in &changes {
            if let Some(map) = &mut self.map {
                map.note(&self.state, change);
            }
            self.state.apply(change);
            if let Some(map) = &mut self.map {
                map.note(&self.state, change);
            }
            self.land.apply(change);
        }
        self.poisoned = false;
        self.nonces.insert(&env.signer, &env.nonce, index);
        let leaf = env.record(index, integrated);
        let leaf_hash = leaf_hash(&leaf);
        self.tree.append(leaf_hash);
        Ok(Admitted {
            index,
            leaf,
            leaf_hash,
            changes,
        })
    }

    /// What admitting `env` now would change, or why it would be refused
    /// (the replayed nonce, the time, the signer's authority, the rules),
    /// without changing anything: the writer asks this before it refuses a
    /// person already registered, so that the answer `person_exists` is
    /// given only to an entry the rules would have accepted — never an
    /// oracle of ID numbers for a key that may not register anyone there.
    pub fn decide(&self, env: &Envelope, integrated: &str) -> Result<Vec<Change>, LedgerError> {
        if let Some(index) = self.nonces.used(&env.signer, &env.nonce) {
            return Err(LedgerError::ReplayedNonce { index });
        }
        let now = chrono::DateTime::parse_from_rfc3339(integrated)
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default();
        let cosigners = env.cosigners();
        let ctx = Context {
            cosigners: &cosigners,
            other_logs: &super::CountyLogs,
            index: self.tree.size(),
            signer: &env.signer,
            county: &self.county,
            footprints: &env.footprints,
            today: now.date_naive(),
            now,
        };
        check_time(&self.state, &env.time, now)?;
        Ok(decide(&self.state, self.land.as_ref(), &ctx, &env.command)?)
    }
}
