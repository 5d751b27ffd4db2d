//! Rules of the land contract right (土地承包经营权): C1–C4.

use crate::model::codes::texts;
use crate::model::shares::Fen;
use chrono::{Months, NaiveDate};

use crate::model::entry::{ContractExtend, ContractGrant, ContractRenew, ContractReturn};
use crate::model::state::Contract;
use crate::model::{Change, Context, KeyBinding, RuleError, State};

/// The whole years from `start` to `end`, the last day counted or not.
fn whole_years(start: NaiveDate, end: NaiveDate) -> Option<u32> {
    (1..=100).find(|y| {
        start
            .checked_add_months(Months::new(12 * y))
            .is_some_and(|e| end == e || end.succ_opt() == Some(e))
    })
}

use crate::model::land::contract_terms as allowed_terms;

/// `contract.grant`: by the collective, to a household of its own (C1), over
/// its own active, unencumbered parcels that no contract covers (C4), for a
/// term the land use allows (C2), shared by members of the household (C3).
pub fn contract_grant(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &ContractGrant,
) -> Result<Vec<Change>, RuleError> {
    let household = super::household_of(state, &body.household)?;
    if household.collective != signer.party {
        return Err(RuleError::HouseholdOutsideCollective {
            code: body.household.to_string(),
            collective: signer.party.clone(),
        });
    }
    if body.code != format!("{}J", body.household) {
        return Err(RuleError::attribute(
            "CBHTBM",
            "a family contract's code is the household code and J (P1)",
            "家庭承包合同编码为承包方编码加字母 J（P1）",
        ));
    }
    if let Some(c) = state.contracts.get(body.code.as_str()) {
        if c.returned.is_some() && ctx.today <= c.end {
            // C6: no new land during the rest of the returned term.
            return Err(RuleError::NoNewLandAfterReturn {
                household: body.household.to_string(),
                until: c.end.to_string(),
            });
        }
        return Err(RuleError::ContractExists {
            code: body.code.to_string(),
            at: c.registered_at,
        });
    }
    let (start, end) = (body.start.date(), body.end.date());
    if end <= start {
        return Err(RuleError::attribute(
            "end",
            "the term ends after it starts",
            "终止日期须晚于起始日期",
        ));
    }
    // A contract of household contracting (from 1978) that has begun or
    // begins within five years (the second-round extension is granted ahead
    // of its start): registered as made, not invented for a distant future.
    let latest = ctx
        .today
        .checked_add_months(chrono::Months::new(60))
        .unwrap_or(ctx.today);
    let earliest = chrono::NaiveDate::from_ymd_opt(1978, 1, 1).unwrap_or(start);
    if start < earliest || start > latest {
        return Err(RuleError::attribute(
            "start",
            "must lie between 1978-01-01 and five years from today",
            "须在 1978-01-01 与五年后之间",
        ));
    }
    if body.parcels.is_empty() {
        return Err(RuleError::attribute(
            "DKBM",
            "a contract covers at least one parcel",
            "承包合同至少包含一个地块",
        ));
    }
    check_contractable(
        state,
        ctx,
        signer,
        &texts(&body.parcels),
        whole_years(start, end),
    )?;
    if body.certificate_members.is_empty() {
        return Err(RuleError::attribute(
            "certificate_members",
            "the certificate lists the members who share the right",
            "证书须列出共有承包权的全部家庭成员",
        ));
    }
    for person in &body.certificate_members {
        if !household.members.iter().any(|m| &m.person == person) {
            return Err(RuleError::attribute(
                "certificate_members",
                "lists someone who is not a member of the household",
                "列入了非本户成员",
            ));
        }
    }
    // C3, W1: the certificate names every member who shares the right — a
    // wife married in or a daughter is not left off it.
    if let Some(left_out) = household
        .members
        .iter()
        .find(|m| !body.certificate_members.contains(&m.person))
    {
        return Err(RuleError::attribute(
            "certificate_members",
            format!(
                "leaves out member {} of the household (C3: every member shares the right)",
                left_out.person
            ),
            format!(
                "遗漏了本户成员 {}（C3：全体家庭成员共有承包权）",
                left_out.person
            ),
        ));
    }
    Ok(vec![Change::ContractGranted(Contract {
        code: body.code.to_string(),
        household: body.household.to_string(),
        parcels: texts(&body.parcels),
        start,
        end,
        certificate_members: body.certificate_members.clone(),
        registered_at: ctx.index,
        returned: None,
    })])
}

/// C2: a term of `years` whole years fits the parcel's land use.
fn check_term(parcel: &str, land_use: &str, years: Option<u32>) -> Result<(), RuleError> {
    let term_fits = match allowed_terms(land_use) {
        Some((range, _)) => years.is_some_and(|y| range.contains(&y)),
        None => false,
    };
    if term_fits {
        return Ok(());
    }
    Err(RuleError::BadTerm {
        parcel: parcel.to_owned(),
        land_use: land_use.to_owned(),
        years,
        allowed: allowed_terms(land_use)
            .map_or("non-agricultural land is not contracted", |(_, a)| a),
    })
}

/// `contract.extend`: the collective adds parcels of its own (机动地, newly
/// reclaimed land) to a household's contract in force, for the rest of its
/// term; the same checks as a grant (C2, C4).
pub fn contract_extend(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &ContractExtend,
) -> Result<Vec<Change>, RuleError> {
    let k = state
        .contracts
        .get(body.code.as_str())
        .filter(|k| {
            k.household.starts_with(&signer.party) && k.returned.is_none() && k.in_force(ctx.today)
        })
        .ok_or_else(|| RuleError::ContractNotInForce {
            code: body.code.to_string(),
        })?;
    if body.parcels.is_empty() {
        return Err(RuleError::attribute(
            "DKBM",
            "name the parcels to add",
            "列出要增加的地块",
        ));
    }
    check_contractable(
        state,
        ctx,
        signer,
        &texts(&body.parcels),
        whole_years(k.start, k.end),
    )?;
    let mut parcels = k.parcels.clone();
    parcels.extend(texts(&body.parcels));
    Ok(vec![Change::ContractParcels {
        code: k.code.clone(),
        parcels,
    }])
}

/// `contract.renew`: when a term ends, the collective extends it (C2: arable
/// land another 30 years; grass and forest land within their ranges), from
/// a year before the end on. The parcels must still be the contract's,
/// active and unencumbered by a seizure; a returned contract is not renewed.
pub fn contract_renew(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &ContractRenew,
) -> Result<Vec<Change>, RuleError> {
    let k = state
        .contracts
        .get(body.code.as_str())
        .filter(|k| k.household.starts_with(&signer.party) && k.returned.is_none())
        .filter(|k| state.household(&k.household).is_some())
        .ok_or_else(|| RuleError::ContractNotInForce {
            code: body.code.to_string(),
        })?;
    let opens = k.end.checked_sub_months(Months::new(12)).unwrap_or(k.end);
    if ctx.today < opens {
        return Err(RuleError::attribute(
            "end",
            format!("a term is renewed from a year before it ends ({opens} for this one)"),
            format!("承包期满前一年起方可续期（本合同自 {opens} 起）"),
        ));
    }
    let end = body.end.date();
    let start = k.end.succ_opt().unwrap_or(k.end);
    let years = whole_years(start, end);
    for code in &k.parcels {
        let parcel = super::active_parcel(state, code)?;
        check_term(code, &parcel.land_use, years)?;
    }
    Ok(vec![Change::ContractRenewed {
        code: k.code.clone(),
        start,
        end,
    }])
}

/// `contract.renew_all` (C2): by the collective, after its notice closed,
/// for each contract the notice listed — the collective's, held, arable, due
/// (within a year of its end, or past it) — thirty more years from the end
/// of its term. A contract that is not due is named and nothing is renewed.
pub fn contract_renew_all(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &crate::model::entry::ContractRenewAll,
) -> Result<Vec<Change>, RuleError> {
    let notice = state
        .notices
        .get(&body.notice)
        .filter(|n| n.collective == signer.party)
        .ok_or_else(|| {
            RuleError::attribute(
                "notice",
                "no notice of this collective was recorded there",
                "该日志序号处没有本集体的公示",
            )
        })?;
    if ctx.today <= notice.to {
        return Err(RuleError::attribute(
            "notice",
            format!("the notice runs until {}", notice.to),
            format!("公示期至 {}，期满后方可登记延包", notice.to),
        ));
    }
    let mut changes = Vec::with_capacity(notice.contracts.len());
    for code in &notice.contracts {
        let not_due = || {
            RuleError::attribute(
                "notice",
                format!("contract {code} is not an arable contract held and due for extension"),
                format!("合同 {code} 不是到期或一年内到期、仍由承包方持有的耕地承包合同"),
            )
        };
        let k = state
            .contracts
            .get(code)
            .filter(|k| k.holds(ctx.today) && state.household(&k.household).is_some())
            .ok_or_else(not_due)?;
        let arable = k.parcels.iter().all(|p| {
            state
                .parcels
                .get(p.as_str())
                .is_some_and(|x| x.retired_at.is_none() && matches!(x.land_use.as_str(), "1" | "4"))
        });
        let opens = k.end.checked_sub_months(Months::new(12)).unwrap_or(k.end);
        if !arable || ctx.today < opens {
            return Err(not_due());
        }
        let start = k.end.succ_opt().unwrap_or(k.end);
        let end = k.end.checked_add_months(Months::new(360)).unwrap_or(k.end);
        changes.push(Change::ContractRenewed {
            code: k.code.clone(),
            start,
            end,
        });
    }
    Ok(changes)
}

/// The parcels a contract may cover: the collective's own, active,
/// unencumbered, listed once, under no contract in force (C4), and of a land
/// use the term fits (C2).
fn check_contractable(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    parcels: &[String],
    years: Option<u32>,
) -> Result<(), RuleError> {
    let mut seen = std::collections::HashSet::new();
    for code in parcels {
        let parcel = super::own_active_parcel(state, signer, code)?;
        if !seen.insert(code.as_str()) {
            return Err(RuleError::attribute(
                "DKBM",
                "a parcel is listed twice",
                "同一地块列了两次",
            ));
        }
        if let Some(contract) = state.contract_over(code, ctx.today) {
            return Err(RuleError::ParcelContracted {
                parcel: code.clone(),
                contract: contract.code.clone(),
            });
        }
        if state.settings.authority() {
            if let Some(contract) = returned_but_withdrawable(state, ctx, code) {
                return Err(RuleError::ParcelContracted {
                    parcel: code.clone(),
                    contract: contract.to_owned(),
                });
            }
        }
        super::unencumbered(state, ctx.today, code, super::Holds::All)?;
        check_term(code, &parcel.land_use, years)?;
    }
    Ok(())
}

/// G4 (rules 2): the contract last over `parcel`, returned, whose return
/// the household may still withdraw — its land is not free until the
/// cooling-off window closes (else a withdrawal would leave two contracts
/// in force on it).
fn returned_but_withdrawable<'s>(state: &'s State, ctx: &Context, parcel: &str) -> Option<&'s str> {
    let code = state.contract_of.get(parcel)?;
    state.contracts.get(code)?.returned.as_ref()?;
    state
        .surrenders
        .values()
        .any(|s| {
            s.contract.as_deref() == Some(code.as_str())
                && s.withdrawn.is_none()
                && ctx.today <= s.until
        })
        .then_some(code.as_str())
}

/// `contract.return`: by the household itself (G1), with six months' written
/// notice (C6), on a day within the term, with the compensation agreed for
/// its investments. Until then the land stays the household's.
pub fn contract_return(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &ContractReturn,
) -> Result<Vec<Change>, RuleError> {
    let k = state
        .contracts
        .get(body.code.as_str())
        .filter(|k| k.household == signer.party && k.returned.is_none() && k.holds(ctx.today))
        .ok_or_else(|| RuleError::ContractNotInForce {
            code: body.code.to_string(),
        })?;
    let effective = body.effective.date();
    let earliest = ctx
        .today
        .checked_add_months(Months::new(6))
        .unwrap_or(ctx.today);
    if effective < earliest {
        return Err(RuleError::attribute(
            "effective",
            "a return takes effect at least six months after its notice (C6)",
            "交回须提前六个月书面通知后生效（C6）",
        ));
    }
    if effective > k.end {
        return Err(RuleError::attribute(
            "effective",
            "after the end of the term",
            "晚于承包期终止日期",
        ));
    }
    let compensation = super::money(state, "compensation", &body.compensation)?;
    if compensation == Fen::ZERO {
        return Err(RuleError::attribute(
            "compensation",
            "a return is compensated (C6, G4)",
            "交回承包地须有补偿（C6、G4）",
        ));
    }
    for p in &k.parcels {
        // Land under a seizure or pledge goes back only once that is released.
        super::unencumbered(state, ctx.today, p, super::Holds::SeizureOrPledge)?;
    }
    Ok(vec![
        Change::ContractReturned {
            code: k.code.clone(),
            at: ctx.index,
            effective,
            compensation,
        },
        super::surrender::surrendered(
            state,
            ctx,
            &signer.party,
            super::surrender::Surrendered::Contract(k.code.clone()),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_whole_years() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(whole_years(d("2028-01-01"), d("2057-12-31")), Some(30));
        assert_eq!(whole_years(d("2028-01-01"), d("2058-01-01")), Some(30));
        assert_eq!(whole_years(d("2028-01-01"), d("2058-06-30")), None);
        assert_eq!(whole_years(d("2028-02-29"), d("2058-02-28")), Some(30));
    }
}
