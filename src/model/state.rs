//! The state that rules read, kept in memory by the writer and rebuilt by
//! `verify` from the log. It changes only through [`Change`]s, which the rules
//! return and the store also writes to the projection tables.

use std::collections::HashMap;

use super::Role;

/// The county whose log this is, from the genesis entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct County {
    pub code: String,
    pub name: String,
    pub log_vkey: String,
    pub root_vkey: String,
}

/// A key bound to a role and party on the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBinding {
    pub public: [u8; 32],
    pub vkey: String,
    pub role: Role,
    pub party: String,
    pub registered_at: u64,
    pub revoked_at: Option<u64>,
}

impl KeyBinding {
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }
}

/// One effect of an accepted entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    LogFounded(County),
    KeyBound(KeyBinding),
    KeyRevoked { public: [u8; 32], at: u64 },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    pub county: Option<County>,
    pub keys: HashMap<[u8; 32], KeyBinding>,
}

impl State {
    pub fn apply(&mut self, change: &Change) {
        match change {
            Change::LogFounded(c) => self.county = Some(c.clone()),
            Change::KeyBound(k) => {
                self.keys.insert(k.public, k.clone());
            }
            Change::KeyRevoked { public, at } => {
                if let Some(k) = self.keys.get_mut(public) {
                    k.revoked_at = Some(*at);
                }
            }
        }
    }

    pub fn key(&self, public: &[u8; 32]) -> Option<&KeyBinding> {
        self.keys.get(public)
    }

    pub fn active_keys<'a>(
        &'a self,
        role: Role,
        party: &'a str,
    ) -> impl Iterator<Item = &'a KeyBinding> + 'a {
        self.keys
            .values()
            .filter(move |k| k.is_active() && k.role == role && k.party == party)
    }
}
