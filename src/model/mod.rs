//! The domain: identifiers and codes, roles, entry kinds and their bodies, the
//! state the rules read, and the rules themselves. No I/O happens here.

pub mod authority;
pub mod codes;
pub mod decision;
pub mod entry;
pub mod error;
pub mod exchange;
pub mod keys;
pub mod kinds;
pub mod land;
pub mod person;
pub mod rows;
pub mod rules;
pub mod settings;
pub mod shares;
pub mod state;
pub mod units;

pub use error::{Refusal, RuleError};
pub use keys::VerifierKey;
pub use kinds::{Command, KINDS};
pub use land::{Footprint, Land};
pub use rules::{decide, Context};
pub use state::{Change, Collective, County, KeyBinding, Parcel, State};
pub use units::Area;

use serde::{Deserialize, Serialize};

/// The role a key acts in. A key acts for one party in one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The county agency (县农业农村局 / 不动产登记机构).
    County,
    /// The county's rural property-rights exchange centre (农村产权交易中心).
    Exchange,
    /// A village collective economic organisation (村集体经济组织), the 发包方.
    Collective,
    /// A contracting household (承包方, 户).
    Household,
    /// A transferee: household, cooperative, family farm or company (受让方).
    Transferee,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::County => "county",
            Role::Exchange => "exchange",
            Role::Collective => "collective",
            Role::Household => "household",
            Role::Transferee => "transferee",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "county" => Role::County,
            "exchange" => Role::Exchange,
            "collective" => Role::Collective,
            "household" => Role::Household,
            "transferee" => Role::Transferee,
            _ => return None,
        })
    }
}

/// The log origin of a county: `sanquan/<county code>`.
pub fn log_origin(county: &str) -> String {
    format!("sanquan/{county}")
}
