//! Rules of encumbrances on parcels: seizure (查封), objection (异议) and
//! pledge of the management right (融资担保, M2), and their release.

use crate::model::codes::texts;
use crate::model::entry::{
    EncumbranceKind, EncumbranceRegister, EncumbranceRelease, ObjectionSuit,
};
use crate::model::state::Encumbrance;
use crate::model::{Change, Context, KeyBinding, Land, Role, RuleError, State};

fn not_entitled(signer: &KeyBinding, what: &'static str, target: &str) -> RuleError {
    RuleError::PartyNotAllowed {
        signer_role: signer.role.as_str(),
        signer_party: signer.party.clone(),
        role: what,
        party: target.to_owned(),
    }
}

/// R2: an objection holds for 15 days unless the objector sues.
pub const OBJECTION_DAYS: u64 = 15;

/// `encumbrance.register`: a seizure only by the county; an objection (R2)
/// by the county, the parcel's collective, the household whose contract
/// covers it, or a household holding a neighbouring parcel (by 四至) — one
/// open objection per party and parcel, at most `max_open_objections` open
/// per party, each lapsing 15 days after it was made unless the county
/// records the objector's suit; a pledge only by the household whose
/// contract in force covers the parcel (M2: the entry is the notice to the
/// 发包方), or by a transferee over its certified right with the household's
/// cosignature (M2, M6), once at a time, and never over seized land. The parcel must be
/// active. A homestead is not a parcel and is never pledged (H4).
pub fn encumbrance_register(
    state: &State,
    land: &dyn Land,
    ctx: &Context,
    signer: &KeyBinding,
    body: &EncumbranceRegister,
) -> Result<Vec<Change>, RuleError> {
    let parcel = super::active_parcel(state, &body.parcel)?;
    let holds = |p: &str| {
        state
            .contract_over(p, ctx.today)
            .is_some_and(|k| k.household == signer.party)
    };
    let entitled = match (body.kind, signer.role) {
        // M2: a pledge is the household's own act; the county records
        // seizures and objections, never a pledge of someone's land.
        (EncumbranceKind::Pledge, Role::County) => false,
        (_, Role::County) => true,
        (EncumbranceKind::Objection, Role::Collective) => signer.party == parcel.collective,
        (EncumbranceKind::Objection, Role::Household) => {
            holds(&body.parcel) || land.sizhi(&body.parcel).iter().flatten().any(|n| holds(n))
        }
        (EncumbranceKind::Pledge, Role::Household) => holds(&body.parcel) && body.right.is_none(),
        (EncumbranceKind::Pledge, Role::Transferee) => {
            transferee_may_pledge(state, ctx, signer, &body.parcel, body.right)?
        }
        _ => false,
    };
    if !entitled {
        return Err(not_entitled(signer, "parcel", &body.parcel));
    }
    if body.kind == EncumbranceKind::Pledge {
        super::unencumbered(
            state,
            ctx.today,
            &body.parcel,
            super::Holds::SeizureOrPledge,
        )?;
    }
    let objection = body.kind == EncumbranceKind::Objection;
    if objection {
        if let Some(e) = state
            .encumbrances_on(&body.parcel, ctx.today)
            .find(|e| e.kind == EncumbranceKind::Objection && e.by == signer.party)
        {
            return Err(RuleError::ObjectionRepeated { open: e.index });
        }
        // R3 (rules 2): an objection that lapsed unsued is not filed again
        // by the same party on the same parcel on the same document.
        if state.settings.authority() {
            if let Some(e) = state.encumbrances.values().find(|e| {
                e.kind == EncumbranceKind::Objection
                    && e.parcel == body.parcel.as_str()
                    && e.by == signer.party
                    && e.sued_at.is_none()
                    && e.released_at.is_none()
                    && e.lapses_on.is_some_and(|last| ctx.today > last)
                    && e.document_sha256 == *body.document_sha256
            }) {
                return Err(RuleError::attribute(
                    "document_sha256",
                    format!("the objection made at log index {} on this document lapsed unsued; it is filed again only with a new document (R3)", e.index),
                    format!("日志序号 {} 处基于同一文书的异议已因未起诉而失效；再次提出须有新的文书（R3）", e.index),
                ));
            }
        }
        super::objections_within_cap(state, ctx, signer)?;
    }
    let seizure_ends = seizure_term(state, ctx, body)?;
    let pledgee = pledgee(state, ctx, body)?;
    Ok(vec![Change::EncumbranceRegistered(Encumbrance {
        index: ctx.index,
        parcel: parcel.code.clone(),
        kind: body.kind,
        by: signer.party.clone(),
        reason: body.reason.trim().to_owned(),
        document_sha256: body.document_sha256.to_string(),
        released_at: None,
        lapses_on: objection
            .then(|| {
                ctx.today
                    .checked_add_days(chrono::Days::new(OBJECTION_DAYS))
            })
            .flatten()
            .or(seizure_ends),
        sued_at: None,
        pledgee,
    })])
}

/// E2 (rules 2): a pledge names its lender, an organisation by its unified
/// social credit code or a person by commitment, so that an expropriation
/// of the land compensates it; `pledgee` is a pledge's only.
fn pledgee(
    state: &State,
    ctx: &Context,
    body: &EncumbranceRegister,
) -> Result<Option<String>, RuleError> {
    use crate::model::authority::PartyType;
    let pledge = body.kind == EncumbranceKind::Pledge;
    match (&body.pledgee, pledge && state.settings.authority()) {
        (None, false) => Ok(None),
        (None, true) => Err(RuleError::attribute(
            "pledgee",
            "a pledge names its lender (质权人): its unified social credit code, or a person's commitment (E2)",
            "抵押须写明质权人：其统一社会信用代码，或自然人的承诺值（E2）",
        )),
        (Some(_), false) => Err(RuleError::attribute(
            "pledgee",
            "only a pledge under the authority rules names a lender",
            "只有抵押才写明质权人",
        )),
        (Some(p), true) => match PartyType::of(ctx.county, p) {
            Ok(PartyType::Organisation | PartyType::Person) => Ok(Some(p.clone())),
            _ => Err(RuleError::attribute(
                "pledgee",
                "is neither a unified social credit code nor a person's commitment",
                "既不是统一社会信用代码，也不是自然人的承诺值",
            )),
        },
    }
}

/// A4 (rules 2): a seizure names the court order (its case number in
/// official form) and ends on the last day of its term — three years at
/// most, renewed by a new seizure; `case_no` and `until` are a seizure's
/// only. Returns the seizure's last day.
fn seizure_term(
    state: &State,
    ctx: &Context,
    body: &EncumbranceRegister,
) -> Result<Option<chrono::NaiveDate>, RuleError> {
    let seizure = body.kind == EncumbranceKind::Seizure;
    if !seizure || !state.settings.authority() {
        if !seizure && (body.case_no.is_some() || body.until.is_some()) {
            return Err(RuleError::attribute(
                "case_no",
                "only a seizure names a court order and a term",
                "只有查封才写明法院裁定和期限",
            ));
        }
        return Ok(None);
    }
    let case_no = body.case_no.as_deref().unwrap_or_default();
    crate::model::codes::check_case_no(true, case_no)
        .map_err(|why| RuleError::because("case_no", why))?;
    let until = body.until.map(|d| d.date()).ok_or_else(|| {
        RuleError::attribute("until", "must be YYYY-MM-DD", "须为 YYYY-MM-DD 格式的日期")
    })?;
    let longest = ctx
        .today
        .checked_add_months(chrono::Months::new(36))
        .unwrap_or(ctx.today);
    if until < ctx.today || until > longest {
        return Err(RuleError::attribute(
            "until",
            format!("a seizure runs three years at most: to {longest} at the latest"),
            format!("查封期限最长三年：最晚至 {longest}"),
        ));
    }
    Ok(Some(until))
}

/// M2, M6: a transferee pledges its own management right — not ended, on
/// this parcel, certified by the county — with the household's written
/// consent, its cosignature on the entry.
fn transferee_may_pledge(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    parcel: &str,
    right: Option<u64>,
) -> Result<bool, RuleError> {
    let Some(r) = right.and_then(|i| state.rights.get(&i)) else {
        return Err(RuleError::attribute(
            "right",
            "a transferee's pledge names the right it pledges",
            "受让方融资担保须写明所担保的经营权",
        ));
    };
    // Its own right, not ended (begun or not), on this parcel.
    let live = r.ended.is_none() && ctx.today <= r.end;
    if r.holder != signer.party || !live || !r.parcels.iter().any(|p| p == parcel) {
        return Ok(false);
    }
    if r.certified.is_none() {
        return Err(RuleError::attribute(
            "right",
            "the county has not issued this right's certificate (M6)",
            "县里尚未为该经营权发证（M6）",
        ));
    }
    super::cosigned_by(state, ctx, &r.household, "encumbrance.register")?;
    Ok(true)
}

/// `objection.suit`: the county records that an objector sued within the
/// objection's 15 days (R2), with the case number and the court's document;
/// the objection then holds until it is released.
pub fn objection_suit(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &ObjectionSuit,
) -> Result<Vec<Change>, RuleError> {
    let e = state
        .encumbrances
        .get(&body.encumbrance)
        .filter(|e| e.kind == EncumbranceKind::Objection)
        .ok_or(RuleError::UnknownEncumbrance {
            index: body.encumbrance,
        })?;
    if let Some(at) = e.released_at {
        return Err(RuleError::EncumbranceReleased { index: e.index, at });
    }
    if !e.in_force(ctx.today) {
        return Err(RuleError::attribute(
            "encumbrance",
            "an objection still within its 15 days (R2)",
            "须为仍在 15 日内的异议（R2）",
        ));
    }
    if e.sued_at.is_some() {
        return Err(RuleError::attribute(
            "encumbrance",
            "an objection whose suit is not yet recorded",
            "须为尚未登记起诉的异议",
        ));
    }
    if state.settings.authority() {
        crate::model::codes::check_case_no(true, &body.case_no)
            .map_err(|why| RuleError::because("case_no", why))?;
    }
    Ok(vec![Change::ObjectionSued {
        index: e.index,
        at: ctx.index,
    }])
}

/// `encumbrance.release`: by the county (for a pledge, on the lender's
/// written release); an objection also by whoever filed it.
pub fn encumbrance_release(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &EncumbranceRelease,
) -> Result<Vec<Change>, RuleError> {
    let e = state
        .encumbrances
        .get(&body.encumbrance)
        .ok_or(RuleError::UnknownEncumbrance {
            index: body.encumbrance,
        })?;
    if let Some(at) = e.released_at {
        return Err(RuleError::EncumbranceReleased { index: e.index, at });
    }
    let entitled = signer.role == Role::County
        || (e.kind == EncumbranceKind::Objection && signer.party == e.by);
    if !entitled {
        return Err(not_entitled(signer, "encumbrance on parcel", &e.parcel));
    }
    Ok(vec![Change::EncumbranceReleased {
        index: e.index,
        at: ctx.index,
    }])
}

/// `dispute.award` (R1): the county records an award or judgment in force —
/// a day that has come, within the last two years — and carries out what it
/// decides: a contract held by another household of the same collective, or
/// a derived right ended.
/// The contract an award moves (in force today), the household holding it
/// and the household it names.
fn award_parties<'s>(
    state: &'s State,
    ctx: &Context,
    contract: &str,
    to: &str,
) -> Result<
    (
        &'s crate::model::state::Contract,
        &'s crate::model::state::Household,
        &'s crate::model::state::Household,
    ),
    RuleError,
> {
    let k = state
        .contracts
        .get(contract)
        .filter(|k| k.holds(ctx.today))
        .ok_or_else(|| RuleError::ContractNotInForce {
            code: contract.to_owned(),
        })?;
    let from = super::household_of(state, &k.household)?;
    let to = super::household_of(state, to)?;
    Ok((k, from, to))
}

pub fn dispute_award(
    state: &State,
    land: &dyn crate::model::Land,
    ctx: &Context,
    signer: &KeyBinding,
    body: &crate::model::entry::DisputeAward,
    dispatch: &super::Dispatch,
) -> Result<Vec<Change>, RuleError> {
    use crate::model::entry::{AwardEffect, Tribunal};
    if state.settings.authority() {
        // A4: the document is named by its case number in official form.
        crate::model::codes::check_case_no(body.tribunal == Tribunal::Court, &body.case_no)
            .map_err(|why| RuleError::because("case_no", why))?;
    }
    super::past_day(ctx, "in_force_on", body.in_force_on, 2)?;
    match &body.effect {
        AwardEffect::ContractHolder { contract, to } => {
            let (k, from, to) = award_parties(state, ctx, contract, to)?;
            if to.collective != from.collective || to.code == from.code {
                return Err(RuleError::attribute(
                    "effect",
                    "the contract passes to another household of the same collective",
                    "承包合同只能转由同一集体的另一承包方持有",
                ));
            }
            if state
                .contracts
                .values()
                .any(|c| c.household == to.code && c.holds(ctx.today))
            {
                return Err(RuleError::attribute(
                    "effect",
                    "the household named already holds a contract; the award must say how the land is divided",
                    "所指承包方已有承包合同，裁决须写明土地如何划分",
                ));
            }
            Ok(vec![Change::ContractHolder {
                code: k.code.clone(),
                household: to.code.clone(),
            }])
        }
        AwardEffect::ContractParcels {
            contract,
            parcels,
            to,
        } => {
            let (k, from, to) = award_parties(state, ctx, contract, to)?;
            let some = !parcels.is_empty()
                && parcels.len() < k.parcels.len()
                && parcels.iter().all(|p| k.parcels.iter().any(|q| p == q));
            if to.collective != from.collective || to.code == from.code || !some {
                return Err(RuleError::attribute(
                    "effect",
                    "some, not all, of the contract's parcels pass to another household of the same collective",
                    "须为该合同的部分地块，转由同一集体的另一承包方持有",
                ));
            }
            super::exchange::land_half(state, ctx, &from.code, &to.code, &texts(parcels))
        }
        AwardEffect::RightEnd { right } => {
            let mut r = state
                .rights
                .get(right)
                .filter(|r| r.ended.is_none() && ctx.today <= r.end)
                .cloned()
                .ok_or_else(|| {
                    RuleError::attribute(
                        "effect",
                        format!("no right in force was settled at log index {right}"),
                        format!("日志序号 {right} 处没有有效的经营权"),
                    )
                })?;
            r.ended = Some((ctx.index, "award".into()));
            Ok(vec![Change::RightSaved(r)])
        }
        AwardEffect::Act { act, upheld } => {
            super::acts::decide_held(state, land, ctx, signer, *act, *upheld, dispatch)
        }
        AwardEffect::Restore { act } => super::acts::restore(state, ctx, signer, *act),
    }
}
