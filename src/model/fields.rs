//! Body fields that check themselves when a body is read: a day
//! ([`Day`]), a document's digest ([`Sha256`]), a text a person wrote
//! ([`Text`]) and an amount of money ([`Yuan`]). A rule holds them already
//! checked, so it cannot forget to check them. A leaf of `model`.
//!
//! A field that fails carries its reason out of serde in both languages
//! ([`refusal_of`]); `entry::body_of` turns it into `bad_attribute` naming the
//! field's path in the body.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

use super::refusal::Why;
use super::shares::Fen;
use super::units::plain_hundredths;

/// Marks a serde error as a field's own refusal: `MARK en MARK zh`.
const MARK: char = '\u{1}';

fn refuse<E: serde::de::Error>((en, zh): Why) -> E {
    E::custom(format_args!("{MARK}{en}{MARK}{zh}"))
}

/// The English and Chinese reason of a field's own refusal, if `message`
/// (a serde error's) is one.
pub fn refusal_of(message: &str) -> Option<(&str, &str)> {
    message.strip_prefix(MARK)?.split_once(MARK)
}

/// Reads a field from its text through `parse`, refusing with its reason.
pub(crate) fn read<'de, D: Deserializer<'de>, T>(
    d: D,
    parse: fn(&str) -> Result<T, Why>,
) -> Result<T, D::Error> {
    let text = <Cow<'de, str>>::deserialize(d)?;
    parse(&text).map_err(refuse)
}

/// A day written YYYY-MM-DD (日期), between 1900-01-01 (the oldest members'
/// births) and 2199-12-31 (the end of a 70-year forest contract begun a
/// century from now); the rules narrow it further where they can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(NaiveDate);

impl Day {
    pub const FIRST: (i32, u32, u32) = (1900, 1, 1);
    pub const LAST: (i32, u32, u32) = (2199, 12, 31);

    pub fn parse(text: &str) -> Result<Day, Why> {
        let d = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .filter(|_| text.len() == 10)
            .ok_or(("must be YYYY-MM-DD", "须为 YYYY-MM-DD 格式的日期"))?;
        let bound = |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d);
        if bound(Self::FIRST).is_some_and(|f| d < f) || bound(Self::LAST).is_some_and(|l| d > l) {
            return Err((
                "must lie between 1900-01-01 and 2199-12-31",
                "须在 1900-01-01 与 2199-12-31 之间",
            ));
        }
        Ok(Day(d))
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

/// A SHA-256 digest as 64 lower-case hex digits (文件摘要): how entries name
/// the documents (minutes, orders, applications) kept off the log.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sha256(String);

impl Sha256 {
    pub fn parse(text: &str) -> Result<Sha256, Why> {
        let ok = text.len() == 64
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !ok {
            return Err((
                "must be 64 lower-case hex digits",
                "须为 64 位小写十六进制数字",
            ));
        }
        Ok(Sha256(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A free text a person wrote (a reason, a question, a case number): 1 to
/// 500 characters, not blank. (Every text of a body is also NFC and free of
/// control, bidirectional and invisible characters: `entry::check_values`.)
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(String);

impl Text {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(text: &str) -> Result<Text, Why> {
        if text.trim().is_empty() || text.chars().count() > Self::MAX_CHARS {
            return Err(("must be 1 to 500 characters", "须为 1 至 500 个字符"));
        }
        Ok(Text(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An amount of money in yuan (元) as a plain decimal string ("1234.50"; see
/// [`plain_hundredths`]), read exactly into fen. It keeps the text that was
/// signed, so it is written back as it came.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Yuan {
    text: String,
    fen: Fen,
}

impl Yuan {
    pub fn parse(text: &str) -> Result<Yuan, Why> {
        Ok(Yuan {
            fen: Fen(plain_hundredths(text)?),
            text: text.to_owned(),
        })
    }

    pub fn fen(&self) -> Fen {
        self.fen
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl std::ops::Deref for Sha256 {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// Serde and JSON Schema for each self-checking field (here and the codes
/// of `model::codes`): read through its `parse`, written as its text, and
/// described by the schema a client checks before it signs.
macro_rules! text_fields {
    ($($ty:ident => $text:expr, $schema:tt;)*) => {$(
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::model::fields::read(d, $ty::parse)
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let text: fn(&$ty) -> std::borrow::Cow<'_, str> = $text;
                s.serialize_str(&text(self))
            }
        }

        impl schemars::JsonSchema for $ty {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($ty).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!($schema)
            }
        }
    )*};
}
pub(crate) use text_fields;

text_fields! {
    Day => |d| d.to_string().into(), {
        "type": "string",
        "format": "date",
        "description": "a day, YYYY-MM-DD, between 1900-01-01 and 2199-12-31",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
    };
    Sha256 => |h| h.as_str().into(), {
        "type": "string",
        "description": "a SHA-256 digest: 64 lower-case hex digits",
        "pattern": "^[0-9a-f]{64}$"
    };
    Text => |t| t.as_str().into(), {
        "type": "string",
        "description": "a text of 1 to 500 characters, not blank",
        "minLength": 1,
        "maxLength": 500
    };
    Yuan => |y| y.as_str().into(), {
        "type": "string",
        "description": "yuan as a plain decimal string: digits, at most two places (1234.50)",
        "pattern": "^(0|[1-9][0-9]{0,14})(\\.[0-9]{1,2})?$"
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_check_themselves_and_write_back_what_was_signed() {
        let read = |text: &str| serde_json::from_value::<Day>(serde_json::json!(text));
        assert_eq!(read("2024-03-01").unwrap().to_string(), "2024-03-01");
        for bad in ["2024-3-1", "1899-12-31", "2200-01-01", "2024-02-30", ""] {
            let message = read(bad).unwrap_err().to_string();
            assert!(refusal_of(&message).is_some(), "{bad}: {message}");
        }
        assert!(Sha256::parse(&"a".repeat(64)).is_ok());
        assert!(Sha256::parse(&"A".repeat(64)).is_err());
        assert!(Text::parse("  ").is_err());
        assert!(Text::parse(&"字".repeat(501)).is_err());
        let y: Yuan = serde_json::from_value(serde_json::json!("12.5")).unwrap();
        assert_eq!(
            (y.fen(), serde_json::to_value(&y).unwrap()),
            (Fen(1250), "12.5".into())
        );
        assert!(Yuan::parse("-1").is_err());
        assert_eq!(refusal_of("invalid type: integer"), None);
    }
}
