//! E1, E2 — expropriation (征收): the one way a base right ends without its
//! holder's act, and only at the end of a county-recorded sequence:
//! pre-announcement, survey and plan with a notice of at least 30 days, a
//! hearing if asked, every party paid in full — then the rights on the land
//! end, derived rights with them, and the parcels leave the collective.

use crate::model::codes::texts;
use std::collections::BTreeSet;

use super::exchange::withdrawn_by_law;
use super::{money, Context};
use crate::model::entry::{
    CompensationHead, ExpropriationAnnounce, ExpropriationAskHearing, ExpropriationComplete,
    ExpropriationHearing, ExpropriationPay, ExpropriationPlan, ExpropriationReceipt,
};
use crate::model::shares::Fen;
use crate::model::state::{CompensationPlan, Expropriation};
use crate::model::{Change, KeyBinding, RuleError, State};

/// The shortest notice of a plan, in days (实施条例 Art. 27).
pub const PLAN_NOTICE_DAYS: i64 = 30;

/// The working days between the pre-announcement and the survey the plan
/// rests on (E3; 实施条例 Art. 26).
pub const SURVEY_WORKING_DAYS: u32 = 10;

fn expropriation(state: &State, index: u64) -> Result<&Expropriation, RuleError> {
    state
        .expropriations
        .get(&index)
        .ok_or(RuleError::UnknownExpropriation { index })
}

/// An expropriation neither completed nor withdrawn.
fn open(state: &State, index: u64) -> Result<&Expropriation, RuleError> {
    let x = expropriation(state, index)?;
    if let Some(at) = x.completed {
        return Err(RuleError::attribute(
            "expropriation",
            format!("was completed at log index {at}"),
            format!("已于日志序号 {at} 处完成"),
        ));
    }
    if let Some(at) = x.withdrawn {
        return Err(RuleError::attribute(
            "expropriation",
            format!("was withdrawn at log index {at}"),
            format!("已于日志序号 {at} 处撤回"),
        ));
    }
    Ok(x)
}

/// `expropriation.withdraw` (E1): the county abandons an expropriation not
/// completed — the way out of one that will not be finished; the land stays
/// as it is and may be announced again.
pub fn expropriation_withdraw(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &crate::model::entry::ExpropriationWithdraw,
) -> Result<Vec<Change>, RuleError> {
    let mut x = open(state, body.expropriation)?.clone();
    x.withdrawn = Some(ctx.index);
    Ok(vec![Change::ExpropriationSaved(x)])
}

/// Who loses a right on the land today, and so must be compensated (E1,
/// E2): the collective (its ownership), each household holding a contract
/// over a parcel, and each holder of a derived right in force on one.
pub fn entitled(state: &State, x: &Expropriation, today: chrono::NaiveDate) -> BTreeSet<String> {
    let mut parties = BTreeSet::from([x.collective.clone()]);
    for p in &x.parcels {
        if let Some(k) = state.contract_over(p, today) {
            parties.insert(k.household.clone());
        }
        for r in state.rights_on(p).filter(|r| r.ended.is_none()) {
            parties.insert(r.holder.clone());
        }
        // E2: the lender of a pledge on the land.
        parties.extend(
            state
                .encumbrances_on(p, today)
                .filter_map(|e| e.pledgee.clone()),
        );
    }
    parties
}

/// `expropriation.announce` (E1): the parcels exist, are active, belong to
/// one collective and are in no other expropriation under way.
pub fn expropriation_announce(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &ExpropriationAnnounce,
) -> Result<Vec<Change>, RuleError> {
    if body.parcels.is_empty() {
        return Err(RuleError::attribute(
            "DKBM",
            "must name at least one parcel",
            "须至少列出一个地块",
        ));
    }
    // The parcels of expropriations under way, each with its announcement.
    let under_way: std::collections::HashMap<&str, u64> = state
        .expropriations
        .values()
        .filter(|x| x.completed.is_none() && x.withdrawn.is_none())
        .flat_map(|x| x.parcels.iter().map(move |p| (p.as_str(), x.index)))
        .collect();
    let mut collective = None;
    let mut seen = BTreeSet::new();
    for code in &body.parcels {
        let p = super::active_parcel(state, code)?;
        if !seen.insert(code.as_str()) {
            return Err(RuleError::attribute(
                "DKBM",
                format!("names parcel {code} twice"),
                format!("重复列出地块 {code}"),
            ));
        }
        if *collective.get_or_insert(p.collective.as_str()) != p.collective.as_str() {
            return Err(RuleError::attribute(
                "DKBM",
                "must all be parcels of one collective",
                "须为同一集体经济组织的地块",
            ));
        }
        if let Some(other) = under_way.get(code.as_str()) {
            return Err(RuleError::attribute(
                "DKBM",
                format!(
                    "parcel {code} is already in the expropriation announced at log index {other}"
                ),
                format!("地块 {code} 已在日志序号 {other} 处预公告的征收之中"),
            ));
        }
    }
    let collective = collective.unwrap_or_default();
    let floor = if state.settings.authority() {
        Some(floor(state, collective, &texts(&body.parcels))?)
    } else {
        None
    };
    Ok(vec![Change::ExpropriationSaved(Expropriation {
        index: ctx.index,
        collective: collective.to_owned(),
        parcels: texts(&body.parcels),
        purpose: body.purpose.to_string(),
        announced: ctx.today,
        plan: None,
        hearing: None,
        payments: Vec::new(),
        completed: None,
        withdrawn: None,
        floor,
        hearing_asked: Vec::new(),
        received: Vec::new(),
    })])
}

/// E3: the least a plan pays for `parcels` of `collective` — the zone
/// price published before the announcement times each parcel's area,
/// rounded up to the fen — or a refusal naming the land no price covers.
fn floor(state: &State, collective: &str, parcels: &[String]) -> Result<Fen, RuleError> {
    let price = state.settings.zone_price(collective).ok_or_else(|| {
        RuleError::attribute(
            "DKBM",
            format!("no zone land price (区片综合地价) covers collective {collective}: the county publishes it in its settings (zone_prices) before an announcement (E3)"),
            format!("集体经济组织 {collective} 的土地尚无公布的区片综合地价：县里须先在设置（zone_prices）中公布，再发布征收预公告（E3）"),
        )
    })?;
    // fen per 亩 × (0.01 m²) × 15 / 1,000,000 = fen, exact in i128.
    let area: i128 = parcels
        .iter()
        .filter_map(|p| state.parcels.get(p.as_str()))
        .map(|p| i128::from(p.area.0))
        .sum();
    let fen = (i128::from(price) * area * 15 + 999_999) / 1_000_000;
    Ok(Fen::try_from(fen).unwrap_or(Fen::MAX))
}

/// The first day a plan may be logged (E3): after ten working days of the
/// pre-announcement, in which the land and its attachments are surveyed.
fn survey_done(state: &State, announced: chrono::NaiveDate) -> chrono::NaiveDate {
    state
        .settings
        .calendar
        .notice_period(announced, SURVEY_WORKING_DAYS)
        .1
}

/// `expropriation.plan` (E1, E2): a notice of at least 30 days from the
/// announcement on; every party that loses a right on the land gets more
/// than nothing, and no one else is named.
pub fn expropriation_plan(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &ExpropriationPlan,
) -> Result<Vec<Change>, RuleError> {
    let x = open(state, body.expropriation)?;
    let from = body.notice_from.date();
    let to = body.notice_to.date();
    if from < x.announced {
        return Err(RuleError::attribute(
            "notice_from",
            "must not be before the pre-announcement",
            "不得早于征收预公告之日",
        ));
    }
    if (to - from).num_days() + 1 < PLAN_NOTICE_DAYS {
        return Err(RuleError::attribute(
            "notice_to",
            format!("the notice must run at least {PLAN_NOTICE_DAYS} days"),
            format!("公告期不得少于 {PLAN_NOTICE_DAYS} 日"),
        ));
    }
    let entitled = entitled(state, x, ctx.today);
    let mut lines = Vec::with_capacity(body.compensation.len());
    for line in &body.compensation {
        if !entitled.contains(&line.party) {
            return Err(RuleError::attribute(
                "compensation",
                format!(
                    "{} holds no right on the land: the plan compensates the collective, the households holding it and the holders of rights derived from it",
                    line.party
                ),
                format!(
                    "{} 在该土地上没有权利：方案补偿的是集体、承包农户和土地经营权人",
                    line.party
                ),
            ));
        }
        let fen = money(state, "compensation", &line.amount)?;
        if fen == Fen::ZERO {
            return Err(RuleError::attribute(
                "compensation",
                "each amount must be greater than zero",
                "每项补偿须大于零",
            ));
        }
        lines.push((line.party.clone(), line.head, fen));
    }
    // Every party that loses a right gets a line: the collective its land
    // compensation, each household and each transferee (E2: for its crops
    // and attachments) whatever the plan allots it.
    for party in &entitled {
        let compensated = lines.iter().any(|(p, head, _)| {
            p == party && (party != &x.collective || *head == CompensationHead::Land)
        });
        if !compensated {
            return Err(RuleError::CompensationMissing {
                party: party.clone(),
            });
        }
    }
    if state.settings.authority() {
        plan_meets_e3(state, ctx, x, body, from, &lines)?;
    }
    let mut x = x.clone();
    if state.settings.authority() {
        // A hearing is on the plan as posted: a plan posted again is heard
        // again, if a hearing is due.
        x.hearing = None;
    }
    x.plan = Some(CompensationPlan {
        index: ctx.index,
        notice_from: from,
        notice_to: to,
        hearing_requested: body.hearing_requested,
        lines,
    });
    Ok(vec![Change::ExpropriationSaved(x)])
}

/// E3 (rules 2): the plan rests on a survey made after ten working days of
/// the pre-announcement; its notice runs from the day it is logged (a plan
/// posted again starts its own); a hearing once asked for stays asked; the
/// land compensation and resettlement subsidy together reach the floor the
/// zone price set; and each household losing land has its resettlement and
/// social-security lines.
fn plan_meets_e3(
    state: &State,
    ctx: &Context,
    x: &Expropriation,
    body: &ExpropriationPlan,
    from: chrono::NaiveDate,
    lines: &[(String, CompensationHead, Fen)],
) -> Result<(), RuleError> {
    let surveyed = survey_done(state, x.announced);
    if ctx.today < surveyed {
        return Err(RuleError::attribute(
            "survey_sha256",
            format!("the survey follows {SURVEY_WORKING_DAYS} working days of the pre-announcement: a plan is logged from {surveyed} (E3)"),
            format!("调查须在预公告满 {SURVEY_WORKING_DAYS} 个工作日后进行：方案最早于 {surveyed} 登记（E3）"),
        ));
    }
    if from < ctx.today {
        return Err(RuleError::attribute(
            "notice_from",
            "the notice runs from the day the plan is logged, never from before (E3)",
            "公告期自方案登记之日起算，不得倒签（E3）",
        ));
    }
    if !body.hearing_requested && x.hearing_due() {
        return Err(RuleError::attribute(
            "hearing_requested",
            "a hearing was asked for; it stays asked, and a plan posted again says so (E3)",
            "已有人申请听证；申请一经提出即保留，重新公告的方案须载明（E3）",
        ));
    }
    let toward_land: Fen = lines
        .iter()
        .filter(|(_, head, _)| {
            matches!(
                head,
                CompensationHead::Land | CompensationHead::Resettlement
            )
        })
        .map(|(_, _, fen)| fen)
        .sum();
    let floor = x.floor.unwrap_or(Fen::ZERO);
    if toward_land < floor {
        return Err(RuleError::attribute(
            "compensation",
            format!(
                "land compensation and resettlement subsidy come to {} yuan, below the {} yuan the published zone price sets for this land (E3)",
                toward_land,
                floor
            ),
            format!(
                "土地补偿费与安置补助费合计 {} 元，低于按公布的区片综合地价计算的 {} 元（E3）",
                toward_land,
                floor
            ),
        ));
    }
    parcels_reach_their_floor(state, ctx, x, lines, floor)?;
    let losing: BTreeSet<&str> = x
        .parcels
        .iter()
        .filter_map(|p| state.contract_over(p, ctx.today))
        .map(|k| k.household.as_str())
        .collect();
    for household in losing {
        for head in [
            CompensationHead::Resettlement,
            CompensationHead::SocialSecurity,
        ] {
            if !lines.iter().any(|(p, h, _)| p == household && *h == head) {
                let (en, zh) = match head {
                    CompensationHead::Resettlement => ("a resettlement subsidy", "安置补助费"),
                    _ => ("a social-security line", "社会保障费用"),
                };
                return Err(RuleError::attribute(
                    "compensation",
                    format!("household {household} loses land and has no {en} in the plan (E3)"),
                    format!("承包方 {household} 失去土地，方案中却没有其{zh}（E3）"),
                ));
            }
        }
    }
    Ok(())
}

/// E3, for each parcel: the land compensation and resettlement subsidy
/// paid for a household's parcels — its own lines, and the collective's
/// land compensation spread over the land by area — reach the floor of
/// those parcels (the floor spread the same way), so that a plan that
/// meets the floor in sum cannot pay one household's land a fen.
fn parcels_reach_their_floor(
    state: &State,
    ctx: &Context,
    x: &Expropriation,
    lines: &[(String, CompensationHead, Fen)],
    floor: Fen,
) -> Result<(), RuleError> {
    let toward_land = |party: &str| -> i128 {
        lines
            .iter()
            .filter(|(p, head, _)| {
                p == party
                    && matches!(
                        head,
                        CompensationHead::Land | CompensationHead::Resettlement
                    )
            })
            .map(|(_, _, fen)| i128::from(*fen))
            .sum()
    };
    let area = |p: &String| {
        state
            .parcels
            .get(p.as_str())
            .map_or(0, |x| i128::from(x.area.0))
    };
    let whole: i128 = x.parcels.iter().map(area).sum();
    if whole == 0 {
        return Ok(());
    }
    let mut held: std::collections::BTreeMap<&str, i128> = Default::default();
    for p in &x.parcels {
        if let Some(k) = state.contract_over(p, ctx.today) {
            *held.entry(k.household.as_str()).or_default() += area(p);
        }
    }
    let collective = toward_land(&x.collective);
    for (household, part) in held {
        // own × whole + collective × part ≥ floor × part, exact in i128.
        let paid = toward_land(household) * whole + collective * part;
        if paid < i128::from(floor) * part {
            let due =
                Fen::try_from((i128::from(floor) * part + whole - 1) / whole).unwrap_or(Fen::MAX);
            return Err(RuleError::attribute(
                "compensation",
                format!(
                    "the land household {household} holds is paid below its floor of {} yuan at the published zone price (E3: each parcel reaches its floor)",
                    due
                ),
                format!(
                    "承包方 {household} 的土地所得补偿低于按公布的区片综合地价计算的 {} 元（E3：每个地块均须达到）",
                    due
                ),
            ));
        }
    }
    Ok(())
}

/// `expropriation.receipt` (E3): the household says, with its own key,
/// that what the plan allots it reached it; or the exchange that it holds
/// the party's compensation in escrow. Once per party, and only once the
/// county has recorded it paid in full.
pub fn expropriation_receipt(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &ExpropriationReceipt,
) -> Result<Vec<Change>, RuleError> {
    let x = open(state, body.expropriation)?;
    if signer.role == crate::model::Role::Household && signer.party != body.party {
        return Err(RuleError::PartyNotAllowed {
            signer_role: signer.role.as_str(),
            signer_party: signer.party.clone(),
            role: "household",
            party: body.party.clone(),
        });
    }
    let owed = x.allotted(&body.party);
    let why = if owed == Fen::ZERO {
        Some(("the plan allots this party nothing", "方案未给该方分配补偿"))
    } else if x.paid(&body.party) < owed {
        Some((
            "the county has not recorded it paid in full",
            "县里尚未登记足额支付",
        ))
    } else if x.received.iter().any(|(_, p)| *p == body.party) {
        Some(("its receipt is recorded already", "已登记收讫"))
    } else {
        None
    };
    if let Some(why) = why {
        return Err(RuleError::because("party", why));
    }
    let mut x = x.clone();
    x.received.push((ctx.index, body.party.clone()));
    Ok(vec![Change::ExpropriationSaved(x)])
}

/// `expropriation.ask_hearing` (E3): a household losing land asks for a
/// hearing with its own entry, once, before the hearing is held and while
/// the plan's notice (if one is posted) runs.
pub fn expropriation_ask_hearing(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &ExpropriationAskHearing,
) -> Result<Vec<Change>, RuleError> {
    let x = open(state, body.expropriation)?;
    let loses_land = x
        .parcels
        .iter()
        .filter_map(|p| state.contract_over(p, ctx.today))
        .any(|k| k.household == signer.party);
    if !loses_land {
        return Err(RuleError::attribute(
            "expropriation",
            format!(
                "household {} loses no land to it: a household asks for its own land (E3)",
                signer.party
            ),
            format!(
                "承包方 {} 在此次征收中没有被征土地：只能为本户的土地申请听证（E3）",
                signer.party
            ),
        ));
    }
    let why = if x.hearing_asked.contains(&signer.party) {
        Some(("this household has asked already", "该承包方已申请过"))
    } else if x.hearing.is_some() {
        Some(("the hearing on the plan was held", "方案听证已举行"))
    } else if x.plan.as_ref().is_some_and(|p| ctx.today > p.notice_to) {
        Some(("the plan's notice has ended", "方案公告期已满"))
    } else {
        None
    };
    if let Some(why) = why {
        return Err(RuleError::because("expropriation", why));
    }
    let mut x = x.clone();
    x.hearing_asked.push(signer.party.clone());
    Ok(vec![Change::ExpropriationSaved(x)])
}

/// `expropriation.hearing` (E1): held once, when asked for, after the
/// notice began.
pub fn expropriation_hearing(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &ExpropriationHearing,
) -> Result<Vec<Change>, RuleError> {
    let x = open(state, body.expropriation)?;
    let plan = x.plan.as_ref().ok_or(RuleError::ExpropriationNotReady {
        reason: ("no plan has been posted", "补偿安置方案尚未公告"),
    })?;
    if !x.hearing_due() || x.hearing.is_some() || ctx.today < plan.notice_from {
        return Err(RuleError::attribute(
            "expropriation",
            "a hearing is held once, when asked for, after the notice began",
            "听证只在申请后、公告开始后举行一次",
        ));
    }
    let mut x = x.clone();
    x.hearing = Some(ctx.index);
    Ok(vec![Change::ExpropriationSaved(x)])
}

/// `expropriation.pay` (E1): to a party of the plan, at most what it is
/// still owed.
pub fn expropriation_pay(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &ExpropriationPay,
) -> Result<Vec<Change>, RuleError> {
    let x = open(state, body.expropriation)?;
    let fen = money(state, "amount", &body.amount)?;
    let owed = x.allotted(&body.party) - x.paid(&body.party);
    if owed <= Fen::ZERO {
        return Err(RuleError::attribute(
            "party",
            "is owed nothing under the plan",
            "按方案不欠该方任何补偿",
        ));
    }
    if fen == Fen::ZERO || fen > owed {
        return Err(RuleError::attribute(
            "amount",
            format!(
                "must be more than zero and at most the {} yuan still owed",
                owed
            ),
            format!("须大于零且不超过尚欠的 {} 元", owed),
        ));
    }
    let mut x = x.clone();
    x.payments.push((ctx.index, body.party.clone(), fen));
    Ok(vec![Change::ExpropriationSaved(x)])
}

/// `expropriation.complete` (E1, E2, G1): only after the notice, the
/// hearing if asked, and every party paid in full — and every party that
/// holds a right on the land today in the plan. Then contracts lose the
/// parcels, derived rights on them end (or shrink to the land left), open
/// listings on them are withdrawn with every deposit back, and the parcels
/// leave the collective's land.
pub fn expropriation_complete(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &ExpropriationComplete,
) -> Result<Vec<Change>, RuleError> {
    let x = open(state, body.expropriation)?;
    let plan = x.plan.as_ref().ok_or(RuleError::ExpropriationNotReady {
        reason: ("no plan has been posted", "补偿安置方案尚未公告"),
    })?;
    if ctx.today <= plan.notice_to {
        return Err(RuleError::ExpropriationNotReady {
            reason: ("the plan's notice has not ended", "补偿安置方案公告期未满"),
        });
    }
    if x.hearing_due() && x.hearing.is_none() {
        return Err(RuleError::ExpropriationNotReady {
            reason: ("the hearing asked for was not held", "申请的听证尚未举行"),
        });
    }
    if !x.unpaid().is_empty() {
        return Err(RuleError::ExpropriationNotReady {
            reason: (
                "a party of the plan is not paid in full",
                "方案中仍有一方的补偿未足额支付",
            ),
        });
    }
    // E3 (rules 2): the county's word that it paid is not enough for a
    // household: its own receipt, or the exchange's escrow, is.
    if state.settings.authority() {
        let unreceived = plan.lines.iter().any(|(party, _, _)| {
            crate::model::authority::PartyType::of(
                crate::model::codes::county_of(&x.collective),
                party,
            ) == Ok(crate::model::authority::PartyType::Household)
                && !x.received.iter().any(|(_, p)| p == party)
        });
        if unreceived {
            return Err(RuleError::ExpropriationNotReady {
                reason: (
                    "a household has not acknowledged its compensation, nor the exchange held it in escrow",
                    "仍有承包户未确认收到补偿，交易所也未代为监管",
                ),
            });
        }
    }
    if let Some(party) = entitled(state, x, ctx.today)
        .into_iter()
        .find(|p| x.allotted(p) == Fen::ZERO)
    {
        return Err(RuleError::CompensationMissing { party });
    }
    let taken: BTreeSet<&str> = x
        .parcels
        .iter()
        .map(String::as_str)
        .filter(|p| {
            state
                .parcels
                .get(*p)
                .is_some_and(|p| p.retired_at.is_none())
        })
        .collect();
    let mut changes = Vec::new();
    // The contracts over the land taken, by the parcel index (not a scan of
    // the county's contracts).
    let contracts: BTreeSet<&str> = taken
        .iter()
        .filter_map(|p| state.contract_of.get(*p).map(String::as_str))
        .collect();
    for k in contracts.into_iter().filter_map(|c| state.contracts.get(c)) {
        changes.push(Change::ContractParcels {
            code: k.code.clone(),
            parcels: k
                .parcels
                .iter()
                .filter(|p| !taken.contains(p.as_str()))
                .cloned()
                .collect(),
        });
    }
    let mut rights = BTreeSet::new();
    let mut listings = BTreeSet::new();
    for p in &taken {
        rights.extend(
            state
                .rights_on(p)
                .filter(|r| r.ended.is_none())
                .map(|r| r.index),
        );
        listings.extend(state.listings_on(p).map(|l| l.id));
    }
    for i in rights {
        let mut r = state.rights[&i].clone();
        let left: Vec<String> = r
            .parcels
            .iter()
            .filter(|p| !taken.contains(p.as_str()))
            .cloned()
            .collect();
        // A right on nothing but the land taken ends, naming that land; one
        // on other land too goes on there.
        if left.is_empty() {
            r.ended = Some((ctx.index, "expropriated".into()));
        } else {
            r.parcels = left;
        }
        changes.push(Change::RightSaved(r));
    }
    for id in listings {
        changes.push(withdrawn_by_law(
            &state.listings[&id],
            ctx,
            "expropriation.complete",
        ));
    }
    for p in &taken {
        changes.push(Change::ParcelRetired {
            code: (*p).to_owned(),
            at: ctx.index,
        });
    }
    let mut x = x.clone();
    x.completed = Some(ctx.index);
    changes.push(Change::ExpropriationSaved(x));
    Ok(changes)
}
