//! Rules of membership of the collective economic organisation (P4).

use crate::model::decision::{Assembly, Subject};
use crate::model::entry::{AdmissionElsewhere, EstateSettle, MemberAdmit, MemberEnd};
use crate::model::shares::Fen;
use crate::model::state::{Contract, Membership};
use crate::model::{Change, Context, KeyBinding, RuleError, State};

/// The reasons a membership ends (集体经济组织法 Art. 11–18).
pub const ENDS: &[&str] = &[
    "death",
    "nationality_lost",
    "member_elsewhere",
    "civil_servant",
    "voluntary_exit",
];

/// Events that P4 says do not end membership; named so that the refusal says
/// why, and the guarantee (C5, H5, S5) is in the rules, not in a convention.
pub const NOT_ENDS: &[&str] = &[
    "settled_in_town",
    "study",
    "military_service",
    "migrant_work",
    "business",
    "divorce",
    "imprisonment",
];

/// `member.admit`: as a members' assembly decided (D1: membership is never
/// the representatives'), persons of the collective's households.
pub fn member_admit(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &MemberAdmit,
) -> Result<Vec<Change>, RuleError> {
    let collective = &signer.party;
    let no = |reason| RuleError::DecisionNotPassed {
        index: body.decision,
        reason,
    };
    let d = state
        .decisions
        .get(&body.decision)
        .ok_or(no(("no decision was recorded there", "该处没有决议")))?;
    if &d.collective != collective || d.subject != Subject::Membership {
        return Err(no((
            "it is not this collective's decision on membership",
            "这不是本集体关于成员身份的决议",
        )));
    }
    if d.assembly != Assembly::MembersAssembly || !d.passed() {
        return Err(no((
            "membership is decided by a members' assembly whose counts pass (D1)",
            "成员身份须由成员大会表决通过（D1）",
        )));
    }
    // D1 (rules 2): an admission rests on its own decision, used once.
    super::shares::unused_decision(state, body.decision, None)?;
    if body.persons.is_empty() {
        return Err(RuleError::attribute(
            "persons",
            "admit at least one person",
            "至少确认一名成员",
        ));
    }
    let mut changes = Vec::new();
    for person in &body.persons {
        let home = state.member_of.get(person).and_then(|h| state.household(h));
        if home.is_none_or(|h| &h.collective != collective) {
            return Err(RuleError::PersonNotInCollective {
                collective: collective.clone(),
            });
        }
        if let Some(m) = state.memberships.get(person).filter(|m| m.ended.is_none()) {
            return Err(RuleError::AlreadyMember { at: m.admitted_at });
        }
        if changes
            .iter()
            .any(|c| matches!(c, Change::MemberAdmitted(m) if &m.person == person))
        {
            return Err(RuleError::attribute(
                "persons",
                "a person is listed twice",
                "同一人员列了两次",
            ));
        }
        changes.push(Change::MemberAdmitted(Membership {
            person: person.clone(),
            collective: collective.clone(),
            admitted_at: ctx.index,
            decision: body.decision,
            ended: None,
        }));
    }
    Ok(changes)
}

/// `member.end`: only for a reason P4 lists; never for settling in a town.
/// Whether every member of `household` has died (I1, I2): each named by a
/// membership that ended by death.
pub fn all_died(state: &State, household: &str) -> bool {
    state.household(household).is_some_and(|h| {
        !h.members.is_empty()
            && h.members.iter().all(|m| {
                state
                    .memberships
                    .get(&m.person)
                    .and_then(|x| x.ended.as_ref())
                    .is_some_and(|(_, reason)| reason == "death")
            })
    })
}

/// `estate.settle` (I1–I4): by the household's collective, once its last
/// member has died — never while a member lives (I1) — naming the heirs,
/// once. Each contract whose land is all arable returns to the collective
/// today, with the heirs' compensation recorded (I2); forest or grass land
/// stays the household's for the rest of its term, the house with the
/// homestead held through it (I3: not granted to another, since it is not
/// exited) and the shares with their income (I4; paid as S4 allows a holder
/// with no member) — all held for the heirs, whom the record names.
pub fn estate_settle(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &EstateSettle,
) -> Result<Vec<Change>, RuleError> {
    let h = super::household_of(state, &body.household)?;
    if h.collective != signer.party {
        return Err(RuleError::HouseholdOutsideCollective {
            code: body.household.to_string(),
            collective: signer.party.clone(),
        });
    }
    if !all_died(state, &h.code) {
        return Err(RuleError::attribute(
            "CBFBM",
            "a member of the household lives: the land stays the household's (I1)",
            "该户尚有成员在世，承包地仍归本户（I1）",
        ));
    }
    if let Some(e) = state.estates.get(&h.code) {
        return Err(RuleError::attribute(
            "CBFBM",
            format!("the estate was settled at log index {}", e.index),
            format!("该户的遗产已于日志序号 {} 处处理", e.index),
        ));
    }
    if body.heirs.is_empty() {
        return Err(RuleError::attribute(
            "heirs",
            "name at least one heir",
            "须至少列出一位继承人",
        ));
    }
    for heir in &body.heirs {
        let known = match crate::model::authority::PartyType::of(ctx.county, heir) {
            Ok(crate::model::authority::PartyType::Household) => {
                state.household(heir).is_some() && heir != &h.code
            }
            Ok(crate::model::authority::PartyType::Person) => true,
            _ => false,
        };
        if !known {
            return Err(RuleError::attribute(
                "heirs",
                format!(
                    "`{heir}` is neither another registered household nor a person's commitment"
                ),
                format!("`{heir}` 既不是另一个已登记的承包方，也不是自然人的承诺值"),
            ));
        }
    }
    let compensation = super::money(state, "heirs_compensation", &body.heirs_compensation)?;
    let arable = |p: &String| {
        state
            .parcels
            .get(p.as_str())
            .is_some_and(|x| matches!(x.land_use.as_str(), "1" | "4"))
    };
    let mut held: Vec<&Contract> = state
        .contracts
        .values()
        .filter(|k| k.household == h.code && k.returned.is_none() && k.holds(ctx.today))
        .collect();
    held.sort_by(|a, b| a.code.cmp(&b.code));
    let mut changes = Vec::new();
    for k in held {
        let (farmed, rest): (Vec<String>, Vec<String>) =
            k.parcels.iter().cloned().partition(|p| arable(p));
        if rest.is_empty() {
            // All arable: the contract returns (I2).
            changes.push(Change::ContractReturned {
                code: k.code.clone(),
                at: ctx.index,
                effective: ctx.today,
                compensation,
            });
        } else if !farmed.is_empty() {
            // The arable land returns; forest or grass land stays under the
            // contract, for the heirs, for the rest of its term (I2).
            changes.push(Change::ContractParcels {
                code: k.code.clone(),
                parcels: rest,
            });
        }
    }
    changes.push(Change::EstateSettled(crate::model::state::Estate {
        index: ctx.index,
        household: h.code.clone(),
        heirs: body.heirs.clone(),
        compensation,
    }));
    Ok(changes)
}

pub fn member_end(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &MemberEnd,
) -> Result<Vec<Change>, RuleError> {
    if NOT_ENDS.contains(&body.reason.as_str()) {
        return Err(RuleError::NotAnEndOfMembership {
            reason: body.reason.clone(),
        });
    }
    if !ENDS.contains(&body.reason.as_str()) {
        return Err(RuleError::attribute(
            "reason",
            format!("must be one of {}", ENDS.join(", ")),
            format!("须为以下之一：`{}`", ENDS.join("`、`")),
        ));
    }
    let m = state
        .memberships
        .get(&body.person)
        .filter(|m| m.collective == signer.party && m.ended.is_none())
        .ok_or_else(|| RuleError::NotAMember {
            collective: signer.party.clone(),
        })?;
    match &body.elsewhere {
        Some(_) if body.reason != "member_elsewhere" => {
            return Err(RuleError::attribute(
                "elsewhere",
                "only a membership elsewhere carries another county's admission (P5)",
                "只有“已在他处取得成员身份”才附另一县的成员确认（P5）",
            ))
        }
        Some(evidence) => admitted_elsewhere(state, ctx, &body.person, evidence)?,
        None => {}
    }
    if body.reason != "voluntary_exit" && body.compensation.is_some() {
        return Err(RuleError::attribute(
            "compensation",
            "only a voluntary exit is compensated",
            "只有自愿退出才有补偿",
        ));
    }
    if body.reason == "voluntary_exit" {
        // P4, G1: leaving is the member's own act — her signed application,
        // on the log as her household's cosignature of the entry that names
        // her; the collective's signature is its consent.
        let household = state
            .households
            .values()
            .find(|h| h.members.iter().any(|x| x.person == body.person))
            .ok_or_else(|| {
                RuleError::attribute(
                    "person",
                    "belongs to no household that could sign her application (P4)",
                    "不属于任何承包方，无法签署本人的退出申请（P4）",
                )
            })?;
        super::cosigned_by(state, ctx, &household.code, "member.end")?;
        // A7: and, with a personal key, her own.
        super::cosigned_by_member(state, ctx, &body.person, "member.end")?;
        // G4: compensated, and hers to take back within the window.
        let compensation = match &body.compensation {
            Some(c) => super::money(state, "compensation", c)?,
            None => Fen::ZERO,
        };
        if compensation == Fen::ZERO {
            return Err(RuleError::attribute(
                "compensation",
                "a voluntary exit states its compensation, more than zero (G4)",
                "自愿退出须写明补偿，且大于零（G4）",
            ));
        }
        return Ok(vec![
            Change::MembershipEnded {
                person: m.person.clone(),
                at: ctx.index,
                reason: body.reason.clone(),
            },
            super::surrender::surrendered(
                state,
                ctx,
                &household.code,
                super::surrender::Surrendered::Membership(m.person.clone()),
            ),
        ]);
    }
    Ok(vec![Change::MembershipEnded {
        person: m.person.clone(),
        at: ctx.index,
        reason: body.reason.clone(),
    }])
}

/// P5: membership elsewhere, shown by the other collective's admission on
/// another county's log — a `member.admit` there that her personal key here
/// (A7) cosigned, proved in that log under a checkpoint signed by the key
/// this county pinned for it. Her commitment is salted per county, so her
/// own key is what links the admission to her; without one, the civil
/// registration's record is the way (A2's hand for `member.end`).
fn admitted_elsewhere(
    state: &State,
    ctx: &Context,
    person: &str,
    evidence: &AdmissionElsewhere,
) -> Result<(), RuleError> {
    let county = evidence.county.as_str();
    if county == ctx.county {
        return Err(RuleError::attribute(
            "elsewhere.county",
            "is this county: an admission here is on this log, not another's",
            "是本县：本县的成员确认就在本日志上",
        ));
    }
    let log_vkey = state.settings.other_logs.get(county).ok_or_else(|| {
        RuleError::attribute(
            "elsewhere.county",
            format!("this county has not pinned the log key of county {county} (other_logs in its settings, P5)"),
            format!("本县尚未登记县 {county} 的日志公钥（设置中的 other_logs，P5）"),
        )
    })?;
    let her_keys: Vec<[u8; 32]> = state
        .active_keys(crate::model::Role::Member, person)
        .map(|k| k.public)
        .collect();
    if her_keys.is_empty() {
        return Err(RuleError::attribute(
            "elsewhere",
            "she holds no personal key here, so another county's admission cannot be shown to be hers: the civil registration records it instead (P5, A7)",
            "本人在本县没有个人密钥，无法证明另一县的成员确认是她本人的：请由户籍登记部门记录（P5、A7）",
        ));
    }
    let entry = ctx
        .other_logs
        .entry(evidence, log_vkey)
        .map_err(|(field, why)| RuleError::because(field, why))?;
    if entry.kind != "member.admit" {
        return Err(RuleError::attribute(
            "elsewhere.record",
            format!(
                "is a `{}` entry, not an admission (`member.admit`)",
                entry.kind
            ),
            format!("是“{}”条目，不是成员确认（member.admit）", entry.kind),
        ));
    }
    if !entry.signed_by.iter().any(|k| her_keys.contains(k)) {
        return Err(RuleError::attribute(
            "elsewhere.record",
            "the admission there is not cosigned by her personal key here (P5, A7)",
            "该成员确认没有本人在本县的个人密钥的共同签名（P5、A7）",
        ));
    }
    Ok(())
}
