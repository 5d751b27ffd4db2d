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
            "intent.register",
            "bid.place",
            "bid.match",
            "contract.sign",
            "listing.object",
        ],
    };

    kinds.contains(&kind)
}

/// Checks that the code of a party fits its role, within county `county`.
pub fn check_party(county: &str, role: Role, party: &str) -> Result<(), RuleError> {
    let bad = |reason| RuleError::BadPartyCode {
        role: role.as_str(),
        code: party.chars().take(40).collect(),
        reason,
    };
    match role {
        Role::County | Role::Exchange => {
            codes::check_county(party).map_err(bad)?;
            if party != county {
                return Err(bad("not this log's county"));
            }
        }
        Role::Collective => codes::check_collective(party).map_err(bad)?,
        Role::Household => codes::check_household(party).map_err(bad)?,
        // A transferee is a household (of any collective) or an organisation
        // with a unified social credit code.
        Role::Transferee => {
            if codes::check_household(party).is_err() {
                codes::check_social_credit(party)
                    .map_err(|_| bad("must be a household code or a social credit code"))?;
            }
        }
    }
    if matches!(role, Role::Collective | Role::Household) && !party.starts_with(county) {
        return Err(bad("not in this log's county"));
    }
    Ok(())
}

/// Whether `signer` may bind (or unbind) a key acting as `role` for `party`:
/// the county binds county, exchange and collective keys; a collective binds
/// its own households' keys; the exchange (and the county) bind transferees.
pub fn may_bind(signer: &KeyBinding, role: Role, party: &str) -> Result<(), RuleError> {
    let allowed = match (signer.role, role) {
        (Role::County, Role::County | Role::Exchange | Role::Collective) => true,
        (Role::County | Role::Exchange, Role::Transferee) => true,
        (Role::Collective, Role::Household) => party.starts_with(&signer.party),
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
