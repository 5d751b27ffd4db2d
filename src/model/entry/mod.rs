//! The entry kinds: one body type per kind, in files by area (`county`,
//! `land`, `households`, `expropriation`, `exchange`, `acts`); here, the
//! checks every body passes. The `kind` string of an envelope
//! selects the body type; unknown fields in a body are refused, so that what
//! was signed is exactly what the rules saw.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use super::codes::{CollectiveCode, ContractCode, HouseholdCode, ParcelCode};
use super::error::RuleError;
pub use super::fields::{Day, Sha256, Text, Yuan};
use super::{Role, VerifierKey};

mod acts;
mod county;
mod exchange;
mod expropriation;
mod households;
mod land;

pub use acts::*;
pub use county::*;
pub use exchange::*;
pub use expropriation::*;
pub use households::*;
pub use land::*;

/// The most items of any list in a body (parcels, members, allocations…);
/// geometry is bounded by its own limits.
pub const MAX_ITEMS: usize = 1_000;
/// The most characters of any string in a body.
pub const MAX_CHARS: usize = 4_000;

/// Whether a character may not appear in any text on the log: controls
/// (but the line feed), bidirectional overrides, embeddings and isolates,
/// and invisible zero-width characters — the ones that make a text read
/// otherwise than it is, or not at all.
pub fn forbidden_char(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c,
            '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{061C}'
            | '\u{FEFF}')
}

/// Checks every list and string of a body before it is read: lists of at
/// most [`MAX_ITEMS`], strings of at most [`MAX_CHARS`], in Unicode NFC
/// (what was signed is read one way only), and with no [`forbidden_char`].
fn check_values(body: &serde_json::Value) -> Result<(), RuleError> {
    find_bad_value(body).map_err(|(path, reason, reason_zh)| RuleError::BadBody {
        field: format!("entry.body{path}"),
        reason: reason.to_owned(),
        reason_zh: reason_zh.to_owned(),
    })
}

/// The first value of a body that breaks the limits above: its path below
/// the body (built only on the way out of an error, so a good body costs no
/// allocation) and why, in English and Chinese.
fn find_bad_value(value: &serde_json::Value) -> Result<(), (String, &'static str, &'static str)> {
    let bad = |reason, reason_zh| Err((String::new(), reason, reason_zh));
    match value {
        serde_json::Value::String(text) => {
            if text.chars().count() > MAX_CHARS {
                return bad("a text of at most 4000 characters", "文字至多 4000 个字符");
            }
            if text.chars().any(forbidden_char) {
                return bad(
                    "a text may not hold control, bidirectional or invisible characters",
                    "文字不得含有控制字符、方向控制字符或不可见字符",
                );
            }
            if !unicode_normalization::is_nfc(text) {
                return bad(
                    "a text must be in Unicode normal form C (NFC)",
                    "文字须为 Unicode 标准化形式 NFC",
                );
            }
        }
        serde_json::Value::Array(items) => {
            if items.len() > MAX_ITEMS {
                return bad("a list of at most 1000 items", "列表至多 1000 项");
            }
            for (i, item) in items.iter().enumerate() {
                find_bad_value(item).map_err(|(path, r, z)| (format!("[{i}]{path}"), r, z))?;
            }
        }
        serde_json::Value::Object(fields) => {
            for (k, v) in fields {
                // Geometry has limits of its own (positions, rings).
                if matches!(k.as_str(), "geometry" | "boundary") {
                    continue;
                }
                find_bad_value(v).map_err(|(path, r, z)| (format!(".{k}{path}"), r, z))?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The largest integer an entry may hold (RFC 7493, I-JSON): 2^53 − 1. JCS
/// writes every number as a double, so a larger integer would be stored as
/// another number than the one signed, and could never be read back (L1).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// L1: every number in an entry is an integer within ±(2^53 − 1); only the
/// positions of a geometry (`geometry`, `boundary`) may have fractions, and
/// they too stay within that magnitude. Returns the path below the value and
/// why, built only on the way out of an error.
pub fn check_ijson(
    value: &serde_json::Value,
    in_geometry: bool,
) -> Result<(), (String, super::error::Why)> {
    match value {
        serde_json::Value::Number(n) => {
            let safe = if let Some(i) = n.as_i64() {
                i.unsigned_abs() <= MAX_SAFE_INTEGER
            } else if n.is_u64() {
                false
            } else {
                let f = n.as_f64().unwrap_or(f64::INFINITY);
                in_geometry && f.is_finite() && f.abs() <= MAX_SAFE_INTEGER as f64
            };
            if !safe {
                return Err((
                    String::new(),
                    (
                        "a number must be an integer between -(2^53-1) and 2^53-1 (I-JSON)",
                        "数字须为 -(2^53-1) 至 2^53-1 之间的整数（I-JSON）",
                    ),
                ));
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_ijson(item, in_geometry).map_err(|(p, w)| (format!("[{i}]{p}"), w))?;
            }
        }
        serde_json::Value::Object(fields) => {
            for (k, v) in fields {
                let geometry = in_geometry || matches!(k.as_str(), "geometry" | "boundary");
                check_ijson(v, geometry).map_err(|(p, w)| (format!(".{k}{p}"), w))?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A kind's body, checked (`check_values`) and read; the field at fault named.
pub(super) fn body_of<T: DeserializeOwned>(body: &serde_json::Value) -> Result<T, RuleError> {
    check_values(body)?;
    serde_path_to_error::deserialize(body).map_err(|e| {
        let reason = e.inner().to_string();
        let path = e.path().to_string();
        // A missing or unknown field is named in the message, not the path.
        let named = ["missing field `", "unknown field `"]
            .iter()
            .find_map(|p| reason.strip_prefix(p))
            .and_then(|rest| rest.split('`').next());
        // A field that checks itself (`fields`) refuses as an attribute.
        if let Some((en, zh)) = super::fields::refusal_of(&reason) {
            return RuleError::BadAttribute {
                field: path.into(),
                reason: en.to_owned(),
                reason_zh: zh.to_owned(),
            };
        }
        let field = match (path.as_str(), named) {
            (".", Some(f)) => format!("entry.body.{f}"),
            (".", None) => "entry.body".to_owned(),
            (p, _) => format!("entry.body.{p}"),
        };
        RuleError::BadBody {
            field,
            reason_zh: super::error::serde_reason_zh(&reason),
            reason,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Command;
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
