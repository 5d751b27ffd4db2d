//! The domain: identifiers and codes, roles, entry kinds and their bodies, the
//! state the rules read, and the rules themselves. No I/O happens here.

pub mod authority;
pub mod calendar;
pub mod codes;
pub mod command;
pub mod decision;
pub mod divisions;
pub mod elsewhere;
pub mod entry;
pub mod error;
pub mod exchange;
pub mod fields;
pub mod keys;
pub mod kinds;
pub mod land;
pub mod person;
pub mod refusal;
pub mod rights;
pub mod roles;
pub mod rows;
pub mod rules;
pub mod settings;
pub mod shares;
pub mod state;
mod table;
pub mod titles;
pub mod units;
pub mod words;

pub use command::{Command, KINDS};
pub use error::RuleError;
pub use keys::VerifierKey;
pub use kinds::decide;
pub use land::{Footprint, Land};
pub use refusal::Refusal;
pub use roles::{Department, Role};
pub use rules::Context;
pub use shares::Fen;
pub use state::{Change, Collective, County, KeyBinding, Parcel, State};
pub use units::Area;

/// The log origin of a county: `sanquan/<county code>`.
pub fn log_origin(county: &str) -> String {
    format!("sanquan/{county}")
}
