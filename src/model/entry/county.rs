//! The county's own entries: the genesis, keys, settings.

use super::*;

/// `genesis`: the first entry of a county's log. Self-signed by the county
/// agency's root key (县农业农村局), it names the county and pins the log key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    pub county: String,
    pub name: String,
    /// The verifier key that signs this log's checkpoints.
    pub log_vkey: VerifierKey,
    /// The county agency's root verifier key; it must be the signer.
    pub root_vkey: VerifierKey,
    /// The version of the rules the log begins under (the setting `rules`);
    /// left out, 1 — a log begun before the authority rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<u32>,
    /// The contract texts the log begins with (the setting `contracts`,
    /// M5); left out, 1 — the English texts of earlier logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contracts: Option<u32>,
}

/// `key.register`: binds an actor key to a role and the party it acts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRegister {
    pub vkey: VerifierKey,
    pub role: Role,
    pub party: String,
    /// A county key's department (A2): required under the authority rules,
    /// absent for every other role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<crate::model::Department>,
}

/// `key.revoke`: unbinds an actor key, for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRevoke {
    pub vkey: VerifierKey,
}

/// `county.settings`: the county changes settings (see `model::settings`);
/// the fields not named keep their value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountySettings {
    pub settings: serde_json::Map<String, serde_json::Value>,
    pub reason: Text,
}
