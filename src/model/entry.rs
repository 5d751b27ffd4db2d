//! The entry kinds: one body type per kind. The `kind` string of an envelope
//! selects the body type; unknown fields in a body are refused, so that what
//! was signed is exactly what the rules saw.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::error::RuleError;
use super::{Role, VerifierKey};

/// `genesis`: the first entry of a county's log. Self-signed by the county
/// agency's root key (县农业农村局), it names the county and pins the log key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    pub county: String,
    pub name: String,
    /// The verifier key that signs this log's checkpoints.
    pub log_vkey: VerifierKey,
    /// The county agency's root verifier key; it must be the signer.
    pub root_vkey: VerifierKey,
}

/// `key.register`: binds an actor key to a role and the party it acts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRegister {
    pub vkey: VerifierKey,
    pub role: Role,
    pub party: String,
}

/// `key.revoke`: unbinds an actor key, for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRevoke {
    pub vkey: VerifierKey,
}

/// A parsed command: the kind and its typed body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Genesis(Box<Genesis>),
    KeyRegister(KeyRegister),
    KeyRevoke(KeyRevoke),
}

/// The kinds this log knows, in the spelling of the envelope's `kind`.
pub const KINDS: &[&str] = &["genesis", "key.register", "key.revoke"];

impl Command {
    /// Parses a body for `kind`; unknown kinds and malformed bodies are refused.
    pub fn parse(kind: &str, body: &serde_json::Value) -> Result<Command, RuleError> {
        Ok(match kind {
            "genesis" => Command::Genesis(Box::new(body_of(body)?)),
            "key.register" => Command::KeyRegister(body_of(body)?),
            "key.revoke" => Command::KeyRevoke(body_of(body)?),
            other => return Err(RuleError::UnknownKind(truncate(other))),
        })
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Command::Genesis(_) => "genesis",
            Command::KeyRegister(_) => "key.register",
            Command::KeyRevoke(_) => "key.revoke",
        }
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}

fn body_of<T: DeserializeOwned>(body: &serde_json::Value) -> Result<T, RuleError> {
    serde_path_to_error::deserialize(body).map_err(|e| {
        let reason = e.inner().to_string();
        let path = e.path().to_string();
        // A missing or unknown field is named in the message, not the path.
        let named = ["missing field `", "unknown field `"]
            .iter()
            .find_map(|p| reason.strip_prefix(p))
            .and_then(|rest| rest.split('`').next());
        let field = match (path.as_str(), named) {
            (".", Some(f)) => format!("entry.body.{f}"),
            (".", None) => "entry.body".to_owned(),
            (p, _) => format!("entry.body.{p}"),
        };
        RuleError::BadBody { field, reason }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const VKEY: &str = "sanquan/140421+d5a38aa7+AXm1Vi6P5lT5QHixEuipi6eQH4U65pW+1+DjkQutBJZk";

    #[test]
    fn parses_key_register() {
        let c = Command::parse(
            "key.register",
            &json!({"vkey": VKEY, "role": "collective", "party": "14042100100101"}),
        )
        .unwrap();
        assert_eq!(c.kind(), "key.register");
    }

    #[test]
    fn refuses_unknown_kind_and_fields() {
        assert_eq!(
            Command::parse("parcel.burn", &json!({})),
            Err(RuleError::UnknownKind("parcel.burn".into()))
        );
        let field_of = |kind, body| match Command::parse(kind, &body) {
            Err(RuleError::BadBody { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field_of("key.revoke", json!({"vkey": VKEY, "extra": 1})),
            "entry.body.extra"
        );
        assert_eq!(
            field_of("key.register", json!({"vkey": VKEY, "party": "1"})),
            "entry.body.role"
        );
        assert_eq!(
            field_of(
                "key.register",
                json!({"vkey": VKEY, "role": "mayor", "party": "1"})
            ),
            "entry.body.role"
        );
        // A malformed key is refused at parse time, naming its field.
        let bad = VKEY.replace("d5a38aa7", "d5a38aa8");
        assert_eq!(
            field_of("key.revoke", json!({"vkey": bad})),
            "entry.body.vkey"
        );
    }
}
