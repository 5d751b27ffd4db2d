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
    if !state.households.contains_key(body.household.as_str()) {
        return Err(RuleError::UnknownHousehold {
            code: body.household.to_string(),
        });
    }
    if base_rights(state, &body.household, ctx.today) != body.rights {
        return Err(X::AttestationUntrue.into());
    }
    Ok(vec![Change::Attested(Attestation {
        index: ctx.index,
        household: body.household.to_string(),
        day: ctx.today,
        rights: body.rights.clone(),
    })])
}

#[cfg(test)]
mod tests {
    use crate::model::rights::base_rights;
    use crate::model::rules::world::*;
    use serde_json::json;

    /// G3 (and C5, H5, S5): a member settling in a town is an event about a
    /// person — the household's base rights are what they were, and the
    /// county's attestation says so; an attestation of anything else is
    /// refused.
    #[test]
    fn g3_settling_in_a_town_changes_no_right() {
        let (mut w, a) = (World::new(), actors());
        let before = base_rights(&w.state, HOUSEHOLDS[0], w.day);
        let settle = json!({"person": format!("{:064x}", 1), "town": "140402",
            "date": "2026-11-01", "document_sha256": "ab".repeat(32)});
        assert_eq!(w.sign(&a[0].0, "hukou.settle", settle), Ok(()));
        let after = base_rights(&w.state, HOUSEHOLDS[0], w.day);
        assert_eq!(after, before);
        let attest = |rights| json!({"CBFBM": HOUSEHOLDS[0], "rights": rights});
        assert_eq!(
            w.sign(&a[0].0, "attest.retention", attest(json!(after))),
            Ok(())
        );
        let mut fewer = json!(after);
        fewer["contracts"] = json!([]);
        assert_eq!(
            w.sign(&a[0].0, "attest.retention", attest(fewer)),
            Err("attestation_untrue")
        );
    }
}
