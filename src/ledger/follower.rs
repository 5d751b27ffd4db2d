//! The state map's follower (issue 20): the map of every title's record,
//! kept beside the sequencer. Admitting an entry only names the titles its
//! changes may alter (`State::record_titles_of`, before and after each
//! change is applied); their records are made and the map rehashed once a
//! period, in [`MapFollower::commit`] — off the path of each append.

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

use super::merkle::Hash;
use super::statemap::{key_of, StateMap};
use crate::model::state::TitleRecord;
use crate::model::titles::Title;
use crate::model::{Change, State};

/// A record's value in the map: SHA-256 of its canonical form.
pub fn record_hash(canonical: &[u8]) -> Hash {
    Sha256::digest(canonical).into()
}

/// The map of the titles' records, and the titles named since it was last
/// committed.
#[derive(Default)]
pub struct MapFollower {
    pub map: StateMap,
    named: BTreeSet<Title>,
}

impl MapFollower {
    /// The map of every title `state` holds, committed.
    pub fn build(state: &State) -> MapFollower {
        let mut f = MapFollower {
            map: StateMap::new(),
            named: state.all_titles().into_iter().collect(),
        };
        f.commit(state);
        f
    }

    /// Names the titles `change` may alter, read in `state` as it stands
    /// (the sequencer calls this before and after applying the change).
    pub fn note(&mut self, state: &State, change: &Change) {
        self.named.extend(state.record_titles_of(change));
    }

    /// Whether `title` changed since the map was last committed.
    pub fn is_named(&self, title: &Title) -> bool {
        self.named.contains(title)
    }

    /// Makes the records of the titles named since the last commit, sets
    /// them in the map (or removes a title that no longer exists) and
    /// rehashes it; the map's root.
    pub fn commit(&mut self, state: &State) -> Hash {
        let look = state.record_lookups();
        for title in std::mem::take(&mut self.named) {
            let key = key_of(&title.key());
            match state.record_with(&title, &look) {
                Some(r) => self.map.set(key, record_hash(&r.canonical())),
                None => self.map.remove(&key),
            };
        }
        self.map.commit()
    }

    /// A title's record now, with the map's proof of it — only while the
    /// title has not changed since the last commit, so that the record is
    /// the one the committed map holds.
    pub fn prove(
        &self,
        state: &State,
        title: &Title,
    ) -> Option<(Option<TitleRecord>, super::statemap::MapProof)> {
        if self.named.contains(title) {
            return None;
        }
        let proof = self.map.prove(&key_of(&title.key()))?;
        Some((state.record_of(title), proof))
    }
}
