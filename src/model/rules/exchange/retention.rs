//! Settling in a town changes nothing, and the county attests what a
//! household keeps (G3).

use super::*;

/// `hukou.settle`: by the county or the person's collective: a member of a
/// household settled in a town. It changes no right and no membership (C5,
/// H5, S5, G3); no rule reads it.
pub fn hukou_settle(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &HukouSettle,
) -> Result<Vec<Change>, RuleError> {
    let household = state.member_of.get(&body.person).ok_or_else(|| {
        RuleError::attribute(
            "person",
            "a member of a registered household",
            "须为已登记承包方的成员",
        )
    })?;
    if signer.role == Role::Collective && !household.starts_with(&signer.party) {
        return Err(RuleError::PersonNotInCollective {
            collective: signer.party.clone(),
        });
    }
    let town_ok = matches!(body.town.len(), 6 | 9) && body.town.bytes().all(|b| b.is_ascii_digit());
    if !town_ok {
        return Err(RuleError::attribute(
            "town",
            "a GB/T 2260 code of 6 or 9 digits",
            "须为 6 位或 9 位的 GB/T 2260 行政区划代码",
        ));
    }
    Ok(vec![Change::HukouSettled(HukouEvent {
        index: ctx.index,
        person: body.person.clone(),
        town: body.town.clone(),
        date: rules::past_day(ctx, "date", body.date, 50)?,
    })])
}

/// `attest.retention`: the county states the base rights a household holds
/// now; the statement must be exactly what the state says (G3).
pub fn attest_retention(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &AttestRetention,
) -> Result<Vec<Change>, RuleError> {
    if !state.households.contains_key(&body.household) {
        return Err(RuleError::UnknownHousehold {
            code: body.household.clone(),
        });
    }
    if base_rights(state, &body.household, ctx.today) != body.rights {
        return Err(X::AttestationUntrue.into());
    }
    Ok(vec![Change::Attested(Attestation {
        index: ctx.index,
        household: body.household.clone(),
        day: ctx.today,
        rights: body.rights.clone(),
    })])
}
