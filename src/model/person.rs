//! Personal data (P2, DESIGN "personal data"): a person's name, resident ID
//! number and phone never enter the log. An entry names a person by a
//! commitment — the hex SHA-256 of the RFC 8785 JSON of their record, salt
//! included — and the record itself is kept in a private table that `verify`
//! checks against the commitment.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::codes;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonRecord {
    /// At least 16 random bytes, base64: without it a commitment to an ID
    /// number could be found by trying them all.
    pub salt: String,
    pub name: String,
    /// GB 11643, with an upper-case check character.
    pub id_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl PersonRecord {
    pub fn commitment(&self) -> String {
        let canonical = serde_json_canonicalizer::to_vec(self).expect("a record serialises");
        Sha256::digest(canonical)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Checks the record (`at` is its place among those sent).
    pub fn check(&self, at: usize, today: chrono::NaiveDate) -> Result<(), PersonalError> {
        use base64::Engine;
        let bad = |field: &'static str, reason: super::error::Why| PersonalError::BadRecord {
            at,
            field,
            reason,
        };
        let salt = base64::engine::general_purpose::STANDARD
            .decode(&self.salt)
            .map_err(|_| bad("salt", ("must be base64", "须为 base64 编码")))?;
        if salt.len() < 16 {
            return Err(bad(
                "salt",
                ("must be at least 16 random bytes", "须至少 16 个随机字节"),
            ));
        }
        let name = self.name.trim();
        // A name reads one way only: NFC, no control, bidirectional or
        // invisible characters.
        if self.name.chars().any(super::entry::forbidden_char)
            || !unicode_normalization::is_nfc(&self.name)
        {
            return Err(bad(
                "name",
                (
                    "must be NFC without control, bidirectional or invisible characters",
                    "须为 NFC 且不含控制字符、方向控制字符或不可见字符",
                ),
            ));
        }
        if name.is_empty() || name.chars().count() > 50 || name != self.name {
            return Err(bad(
                "name",
                (
                    "must be 1 to 50 characters, without surrounding spaces",
                    "须为 1 至 50 个字符，前后不带空格",
                ),
            ));
        }
        let normal =
            codes::check_resident_id(&self.id_number, today).map_err(|r| bad("id_number", r))?;
        if normal != self.id_number {
            // The commitment covers the number as written, so it must be written
            // as it will be kept.
            return Err(bad(
                "id_number",
                (
                    "write the check character X in upper case",
                    "校验码 X 须大写",
                ),
            ));
        }
        if let Some(phone) = &self.phone {
            if !(5..=20).contains(&phone.len())
                || !phone
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'-' || b == b'+')
            {
                return Err(bad(
                    "phone",
                    ("digits, '-' and '+' only", "只能含数字、“-”和“+”"),
                ));
            }
        }
        Ok(())
    }
}

crate::refusals! {
    /// Why the personal data sent with an entry is refused.
    /// (`EnumIter`: one of each, with empty details, for the error catalogue.)
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::EnumIter, Default)]
    pub enum PersonalError {
        #[error("personal record {at}: invalid {field}: {}", .reason.0)]
        BadRecord {
            at: usize,
            field: &'static str,
            reason: super::error::Why,
        }
            => BadRecord { at, field, reason: (_, reason), .. } => Class::Malformed, format!("personal[{at}].{field}"),
            format!("第 {at} 条个人信息的 {field} 无效：{reason}"), code "bad_personal_data";
        #[error("this entry names persons; their personal data must be sent with it")]
        #[default]
        Missing
            => Missing => Class::Malformed, "personal",
            "该条目涉及个人，须同时提交其个人信息", code "personal_data_missing";
        #[error("the personal records sent do not match the persons the entry names")]
        Mismatch
            => Mismatch => Class::Refused, "personal",
            "所提交的个人信息与条目所列人员不符", code "personal_data_mismatch";
        #[error("personal data was sent with an entry that names no one")]
        Unexpected
            => Unexpected => Class::Malformed, "personal",
            "该条目不涉及个人，不应提交个人信息", code "personal_data_unexpected";
        #[error("personal record {at}: this ID number is already registered")]
        PersonExists { at: usize }
            => PersonExists { at, .. } => Class::Refused, format!("personal[{at}].id_number"),
            format!("第 {at} 条个人信息的身份证号已登记");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Refusal;

    fn record(id: &str) -> PersonRecord {
        PersonRecord {
            salt: "AAECAwQFBgcICQoLDA0ODw==".into(),
            name: "张三".into(),
            id_number: id.into(),
            phone: None,
        }
    }

    #[test]
    fn the_commitment_is_the_hash_of_the_canonical_record() {
        let r = record("14042119800101123X");
        // JCS orders the keys and leaves out the absent phone.
        let canonical =
            r#"{"id_number":"14042119800101123X","name":"张三","salt":"AAECAwQFBgcICQoLDA0ODw=="}"#;
        let want: String = Sha256::digest(canonical.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(r.commitment(), want);
        let mut other = r.clone();
        other.salt = "AQECAwQFBgcICQoLDA0ODw==".into();
        assert_ne!(other.commitment(), r.commitment());
    }

    #[test]
    fn records_are_checked_field_by_field() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(record("14042119800101123X").check(0, today), Ok(()));
        let field = |r: PersonRecord| r.check(2, today).unwrap_err().field();
        assert_eq!(
            field(record("140421198001011230")),
            Some("personal[2].id_number".into())
        );
        assert_eq!(
            field(record("14042119800101123x")),
            Some("personal[2].id_number".into())
        );
        let mut r = record("14042119800101123X");
        r.salt = "AAEC".into();
        assert_eq!(field(r), Some("personal[2].salt".into()));
        let mut r = record("14042119800101123X");
        r.name = " 张三".into();
        assert_eq!(field(r), Some("personal[2].name".into()));
    }
}
