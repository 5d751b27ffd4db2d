//! Who acts: the role a key acts in, and the county's departments (A2).
//! A leaf of `model`.

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
    /// A member's personal key (个人密钥, A7), for her person commitment:
    /// her own signature on what concerns her alone.
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::County => "county",
            Role::Exchange => "exchange",
            Role::Collective => "collective",
            Role::Household => "household",
            Role::Transferee => "transferee",
            Role::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "county" => Role::County,
            "exchange" => Role::Exchange,
            "collective" => Role::Collective,
            "household" => Role::Household,
            "transferee" => Role::Transferee,
            "member" => Role::Member,
            _ => return None,
        })
    }
}

/// A department of the county (A2): under the authority rules each county
/// key but the root (genesis) key is one department's, and signs only the
/// kinds in its remit; the root signs only settings and department keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Department {
    /// 农业农村 / 不动产登记: certificates, titles, attestations, keys.
    Registry,
    /// 公安户籍: the facts of birth, death and nationality, as the population
    /// register holds them.
    CivilRegistration,
    /// 法院、仲裁联络: awards, seizures, court-ordered splits.
    Justice,
    /// 自然资源: expropriation, homestead approval.
    NaturalResources,
}

impl Department {
    pub const ALL: [Department; 4] = [
        Department::Registry,
        Department::CivilRegistration,
        Department::Justice,
        Department::NaturalResources,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Department::Registry => "registry",
            Department::CivilRegistration => "civil_registration",
            Department::Justice => "justice",
            Department::NaturalResources => "natural_resources",
        }
    }

    pub fn parse(s: &str) -> Option<Department> {
        Department::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// Its name in Chinese, as pages and refusals say it.
    pub fn name_zh(self) -> &'static str {
        match self {
            Department::Registry => "县农业农村（登记）部门",
            Department::CivilRegistration => "县公安户籍部门",
            Department::Justice => "县司法（法院、仲裁）联络部门",
            Department::NaturalResources => "县自然资源部门",
        }
    }
}

/// A2: a county office — the root key (genesis's), or a department. The
/// kinds each office signs, and the departments each act over a party needs
/// as its second hand, are declared with the kinds (`model::table`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Office {
    Root,
    Department(Department),
}
