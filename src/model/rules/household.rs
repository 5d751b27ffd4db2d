//! Rules of households (承包方, P1, P3).

use crate::model::entry::HouseholdRegister;
use crate::model::state::Household;
use crate::model::{codes, Change, Context, KeyBinding, RuleError, State};

/// GB/T 4761 relations to the head that a household register takes.
fn relation_ok(code: &str) -> bool {
    code.len() == 2
        && code.bytes().all(|b| b.is_ascii_digit())
        && (code == "02" || (10..=99).contains(&code.parse::<u8>().unwrap_or(0)))
}

/// `household.register`: by its collective (the code's first 14 digits), for
/// a household sequence 0001–8000 (P1), with one head (户主, relation 02) and
/// persons who belong to no other household.
pub fn household_register(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &HouseholdRegister,
) -> Result<Vec<Change>, RuleError> {
    codes::check_household(&body.code).map_err(|r| RuleError::attribute("CBFBM", r))?;
    let sequence: u32 = body.code[14..].parse().unwrap_or(0);
    if !(1..=8000).contains(&sequence) {
        return Err(RuleError::attribute(
            "CBFBM",
            "households are numbered 0001 to 8000 (P1)",
        ));
    }
    if body.code[..14] != signer.party {
        return Err(RuleError::HouseholdOutsideCollective {
            code: body.code.clone(),
            collective: signer.party.clone(),
        });
    }
    if !state.collectives.contains_key(&signer.party) {
        return Err(RuleError::UnknownCollective {
            code: signer.party.clone(),
        });
    }
    if let Some(h) = state.households.get(&body.code) {
        return Err(RuleError::HouseholdExists {
            code: body.code.clone(),
            at: h.registered_at,
        });
    }
    if body.members.is_empty() || body.members.len() > 30 {
        return Err(RuleError::attribute(
            "members",
            "a household has 1 to 30 members",
        ));
    }
    if body.members.iter().filter(|m| m.relation == "02").count() != 1 {
        return Err(RuleError::attribute(
            "members",
            "a household has exactly one head (relation 02)",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for m in &body.members {
        if m.person.len() != 64
            || !m
                .person
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(RuleError::attribute(
                "members",
                "a person is named by 64 lower-case hex digits",
            ));
        }
        if !relation_ok(&m.relation) {
            return Err(RuleError::attribute(
                "members",
                "relations are GB/T 4761 codes: 02, or 10 to 99",
            ));
        }
        if !seen.insert(m.person.as_str()) {
            return Err(RuleError::attribute("members", "a person is listed twice"));
        }
        if let Some(other) = state.member_of.get(&m.person) {
            return Err(RuleError::PersonInHousehold {
                household: other.clone(),
            });
        }
    }
    Ok(vec![Change::HouseholdRegistered(Household {
        code: body.code.clone(),
        collective: signer.party.clone(),
        members: body.members.clone(),
        registered_at: ctx.index,
    })])
}
