//! Who may sign what, and for whom. A key may sign only the kinds its role may
//! sign, and only for its own party; keys are bound by the authority above.

use super::{codes, KeyBinding, Role, RuleError};

/// The kinds each role may sign (besides `genesis`, which the county root key
/// signs once, for itself).
pub fn may_sign(role: Role, kind: &str) -> bool {
    let kinds: &[&str] = match role {
        Role::County => &[
            "key.register",
            "key.revoke",
            "collective.register",
            "encumbrance.register",
            "encumbrance.release",
            "homestead.grant",
            "certificate.issue",
            "county.settings",
            "title.verify",
            "hukou.settle",
            "attest.retention",
            "transferee.qualify",
            "objection.suit",
        ],
        Role::Exchange => &[
            "key.register",
            "key.revoke",
            "listing.review",
            "deposit.confirm",
            "listing.award",
            "payment.confirm",
            "deal.settle",
            "objection.resolve",
            "award.cancel",
        ],
        Role::Collective => &[
            "key.register",
            "key.revoke",
            "parcel.register",
            "parcel.retire",
            "parcel.split",
            "parcel.merge",
            "encumbrance.register",
            "encumbrance.release",
            "decision.record",
            "household.register",
            "contract.grant",
            "contract.extend",
            "contract.renew",
            "shares.quantify",
            "dividend.distribute",
            "member.admit",
            "member.end",
            "notice.post",
            "certificate.issue",
            "hukou.settle",
            "listing.submit",
            "listing.withdraw",
            "listing.object",
            "assignment.consent",
            "contract.sign",
        ],
        Role::Household => &[
            "key.revoke",
            "encumbrance.register",
            "encumbrance.release",
            "shares.transfer",
            "shares.buyback",
            "homestead.exit",
            "contract.return",
            "household.split",
            "household.merge",
            "listing.submit",
            "listing.withdraw",
            "intent.register",
            "bid.place",
            "bid.match",
            "contract.sign",
            "right.end",
            "listing.object",
            "transfer.register",
            "surrender.withdraw",
        ],
        Role::Transferee => &[
            "key.revoke",
            "listing.submit",
            "listing.withdraw",
            "intent.register",
            "bid.place",
            "bid.match",
            "contract.sign",
        ],
    };

    kinds.contains(&kind)
}

/// What kind of party a code names; the formats do not overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartyType {
    /// A county (6 digits): the county agency and its exchange act for it.
    County,
    /// A collective economic organisation, the 发包方 (14 digits, P1).
    Collective,
    /// A contracting household, the 承包方 (18 digits, P1).
    Household,
    /// An organisation by its unified social credit code (统一社会信用代码).
    Organisation,
    /// A natural person by the commitment to their personal record (64 hex
    /// digits): their name and ID number stay off the log.
    Person,
}

impl PartyType {
    pub const ALL: [PartyType; 5] = [
        PartyType::County,
        PartyType::Collective,
        PartyType::Household,
        PartyType::Organisation,
        PartyType::Person,
    ];

    /// The type of `code` within county `county`, or why it is none.
    pub fn of(county: &str, code: &str) -> Result<PartyType, &'static str> {
        if codes::check_county(code).is_ok() {
            return Ok(PartyType::County);
        }
        if codes::check_collective(code).is_ok() {
            return Ok(PartyType::Collective);
        }
        // A household code of this county is a household, whatever else it
        // might also spell.
        if codes::check_household(code).is_ok() && code.starts_with(county) {
            return Ok(PartyType::Household);
        }
        if codes::check_social_credit(code).is_ok() {
            return Ok(PartyType::Organisation);
        }
        if code.len() == 64
            && code
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Ok(PartyType::Person);
        }
        Err("not a county, collective, household, social credit code or person commitment")
    }
}

/// Checks that the code of a party fits its role, within county `county`:
/// the county and the exchange act for the county; a collective for a
/// collective, a household for a household of this county; a transferee for
/// an organisation (social credit code) or a natural person (commitment) —
/// never for a collective or a household, which act through keys of their own.
pub fn check_party(county: &str, role: Role, party: &str) -> Result<(), RuleError> {
    let bad = |reason| RuleError::BadPartyCode {
        role: role.as_str(),
        code: party.chars().take(40).collect(),
        reason,
    };
    let kind = PartyType::of(county, party).map_err(bad)?;
    let fits = match role {
        Role::County | Role::Exchange => kind == PartyType::County,
        Role::Collective => kind == PartyType::Collective,
        Role::Household => kind == PartyType::Household,
        Role::Transferee => matches!(kind, PartyType::Organisation | PartyType::Person),
    };
    if !fits {
        return Err(bad(match role {
            Role::County | Role::Exchange => "must be the county's code",
            Role::Collective => "must be a collective's code",
            Role::Household => "must be a household code of this county",
            Role::Transferee => "must be a social credit code or a person commitment",
        }));
    }
    if kind == PartyType::County && party != county {
        return Err(bad("not this log's county"));
    }
    if kind == PartyType::Collective && !party.starts_with(county) {
        return Err(bad("not in this log's county"));
    }
    Ok(())
}

/// Whether `signer` may bind (or unbind) a key acting as `role` for `party`:
/// the county binds any key; a collective binds keys for itself and for its
/// own households; the exchange binds transferees' keys. No one else binds.
pub fn may_bind(signer: &KeyBinding, role: Role, party: &str) -> Result<(), RuleError> {
    let allowed = match (signer.role, role) {
        (Role::County, _) => true,
        (Role::Collective, Role::Collective) => party == signer.party,
        (Role::Collective, Role::Household) => {
            party.len() == 18 && party.get(..14) == Some(signer.party.as_str())
        }
        (Role::Exchange, Role::Transferee) => true,
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(RuleError::PartyNotAllowed {
            signer_role: signer.role.as_str(),
            signer_party: signer.party.clone(),
            role: role.as_str(),
            party: party.chars().take(40).collect(),
        })
    }
}
