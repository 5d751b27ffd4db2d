//! The county and the keys bound to act for parties.

use super::*;

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
    /// A county key's department (A2); `None` for the root key (and every
    /// county key bound before the authority rules).
    pub department: Option<crate::model::Department>,
}

impl KeyBinding {
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }
}
