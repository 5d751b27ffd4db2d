//! The parsed command — each kind and its typed body — and what describes
//! each kind (signers, county offices, second hands, rule ids, body schema),
//! made from the one table in `model::table`. Below the rules, which match
//! on commands; the dispatch to the rules is `model::kinds`, above them.

use super::entry::*;
use super::roles::Office;
use super::{Department, Role, RuleError};

/// A county office in a kind's `County(…)`: the root key or a department.
macro_rules! office {
    (Root) => {
        Office::Root
    };
    ($department:ident) => {
        Office::Department(Department::$department)
    };
}

macro_rules! command_items {
    ($( $name:literal => $variant:ident($body:ty) by [$($role:ident $(($($office:ident),*))?),*] under [$($id:literal),*] rule $rule:expr $(, over $over:expr, hands [$($hand:ident),*])?; )*) => {
        /// A parsed command: the kind and its typed body.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Command {
            $( $variant($body), )*
        }

        /// The kinds this log knows, in the spelling of the envelope's `kind`.
        pub const KINDS: &[&str] = &[$($name),*];

        impl Command {
            /// Parses a body for `kind`; unknown kinds and malformed bodies
            /// are refused.
            pub fn parse(kind: &str, body: &serde_json::Value) -> Result<Command, RuleError> {
                Ok(match kind {
                    $( $name => Command::$variant(body_of(body)?), )*
                    other => return Err(RuleError::UnknownKind(other.chars().take(64).collect())),
                })
            }

            /// The body as JSON, as the body type writes it: for an accepted
            /// entry, byte for byte (in JCS) the body that was signed (L1).
            pub fn body(&self) -> serde_json::Value {
                match self {
                    $( Command::$variant(body) => serde_json::to_value(body).unwrap_or_default(), )*
                }
            }

            /// The kind's name, as the envelope spells it.
            pub fn kind(&self) -> &'static str {
                match self {
                    $( Command::$variant(_) => $name, )*
                }
            }
        }

        /// The roles that may sign `kind` (genesis: the county root key, once,
        /// for itself — the rules' own case).
        pub fn signers(kind: &str) -> &'static [Role] {
            match kind {
                $( $name => &[$(Role::$role),*], )*
                _ => &[],
            }
        }

        /// The JSON Schema of `kind`'s body, from its body type.
        pub fn body_schema(kind: &str) -> Option<serde_json::Value> {
            match kind {
                $( $name => Some(schemars::schema_for!($body).to_value()), )*
                _ => None,
            }
        }

        /// A2: the county offices whose keys sign `kind` under the
        /// authority rules (its remit): the root key, or a department.
        pub fn county_offices(kind: &str) -> &'static [Office] {
            match kind {
                $( $name => &[$($($(office!($office),)*)?)*], )*
                _ => &[],
            }
        }

        /// A2: the departments that may be the county's hand in an act of
        /// `kind` over a party.
        pub fn second_hands(kind: &str) -> &'static [Department] {
            match kind {
                $( $name => &[$($(Department::$hand,)*)?], )*
                _ => &[],
            }
        }

        /// The rule ids of DOMAIN.md that `kind`'s rule checks.
        pub fn rule_ids(kind: &str) -> &'static [&'static str] {
            match kind {
                $( $name => &[$($id),*], )*
                _ => &[],
            }
        }

        /// Whether `kind` can act over a party without its signature (A1):
        /// such an entry is pending for the protective notice (A3) and needs
        /// two hands (A2).
        pub fn can_act_over(kind: &str) -> bool {
            match kind {
                $( $name => false $( || { let _ = stringify!($over); true } )?, )*
                _ => false,
            }
        }

    };
}

super::table::kinds_table!(command_items);

impl Command {
    /// Drops the geometry's JSON once `spatial` has made its footprint (which
    /// the rules read instead): a queued import holds thousands of them.
    pub fn release_geometry(&mut self) {
        match self {
            Command::CollectiveRegister(b) => b.boundary = serde_json::Value::Null,
            Command::ParcelRegister(b) => b.geometry = serde_json::Value::Null,
            Command::HomesteadGrant(b) => b.geometry = serde_json::Value::Null,
            Command::ParcelSplit(b) => {
                for p in &mut b.parts {
                    p.geometry = serde_json::Value::Null;
                }
            }
            Command::ParcelMerge(b) => b.into.geometry = serde_json::Value::Null,
            _ => {}
        }
    }

    /// The persons the entry names, whose personal data must come with it.
    pub fn persons(&self) -> Vec<&str> {
        match self {
            Command::HouseholdRegister(b) => b.members.iter().map(|m| m.person.as_str()).collect(),
            Command::HouseholdJoin(b) => b.members.iter().map(|m| m.person.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    /// The household the persons an entry introduces belong to.
    pub fn household_of_persons(&self) -> Option<&str> {
        match self {
            Command::HouseholdRegister(b) => Some(&b.code),
            Command::HouseholdJoin(b) => Some(&b.household),
            _ => None,
        }
    }

    /// The geometries to prepare before the writer, with their field names.
    pub fn geometries(&self) -> Vec<(&serde_json::Value, String)> {
        let one = |g, f: &str| vec![(g, f.to_owned())];
        match self {
            Command::CollectiveRegister(b) => one(&b.boundary, "entry.body.boundary"),
            Command::ParcelRegister(b) => one(&b.geometry, "entry.body.geometry"),
            Command::HomesteadGrant(b) => one(&b.geometry, "entry.body.geometry"),
            Command::ParcelMerge(b) => one(&b.into.geometry, "entry.body.into.geometry"),
            Command::ParcelSplit(b) => b
                .parts
                .iter()
                .enumerate()
                .map(|(i, p)| (&p.geometry, format!("entry.body.parts[{i}].geometry")))
                .collect(),
            _ => Vec::new(),
        }
    }
}
