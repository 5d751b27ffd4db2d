//! Public notice (公示) of registration results, and certificates issued only
//! after it closes with no objection open.

use crate::model::codes::texts;
use crate::model::entry::{CertificateIssue, EncumbranceKind, NoticePost};
use crate::model::state::Notice;
use crate::model::{Change, Context, KeyBinding, RuleError, State};

/// The shortest posting (a setting; default 7 days).
pub const MIN_NOTICE_DAYS: i64 = 7;

/// `notice.post`: by the collective, for its own contracts in force, posted
/// for at least the minimum number of days.
pub fn notice_post(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &NoticePost,
) -> Result<Vec<Change>, RuleError> {
    let (from, to) = (body.from.date(), body.to.date());
    if (to - from).num_days() + 1 < MIN_NOTICE_DAYS {
        return Err(RuleError::attribute(
            "to",
            "a notice is posted for at least 7 days",
            "公示期至少 7 天",
        ));
    }
    if state.settings.authority() && from < ctx.today {
        // A notice dated back would let a certificate issue the day it is
        // logged, with no one ever having seen the posting.
        return Err(RuleError::attribute(
            "from",
            "a notice starts no earlier than the day it is logged",
            "公示期不得早于登记之日开始",
        ));
    }
    if body.contracts.is_empty() {
        return Err(RuleError::attribute(
            "CBHTBM",
            "a notice lists at least one contract",
            "公示至少列出一份承包合同",
        ));
    }
    for code in &body.contracts {
        let k =
            state
                .contracts
                .get(code.as_str())
                .ok_or_else(|| RuleError::ContractNotInForce {
                    code: code.to_string(),
                })?;
        if crate::model::codes::collective_of(&k.household) != signer.party {
            return Err(RuleError::HouseholdOutsideCollective {
                code: k.household.clone(),
                collective: signer.party.clone(),
            });
        }
    }
    Ok(vec![Change::NoticePosted(Notice {
        index: ctx.index,
        collective: signer.party.clone(),
        contracts: texts(&body.contracts),
        from,
        to,
    })])
}

/// A7 (rules 2): each person a certificate drops was on the last one, is no
/// longer of the household, and leaves by her own act — her personal key
/// signs the issue with the others; without one, her paper application is
/// recorded by the registry and the issue is an act over her household
/// (`acts::over_certificate`), on the notice board.
fn leaving_by_her_own_act(
    state: &State,
    ctx: &Context,
    k: &crate::model::state::Contract,
    body: &CertificateIssue,
) -> Result<(), RuleError> {
    if body.leaving.is_empty() {
        return Ok(());
    }
    if !state.settings.authority() {
        return Err(RuleError::attribute(
            "leaving",
            "a certificate drops members by their own act only under the authority rules",
            "只有在处分行为规则下，才能按本人意愿从证书上移除",
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for person in &body.leaving {
        if !k.certificate_members.contains(person) || !seen.insert(person) {
            return Err(RuleError::attribute(
                "leaving",
                "names someone the last certificate does not name, or names her twice",
                "所列人员不在上一本证书上，或重复列出",
            ));
        }
        if state.member_of.get(person) == Some(&k.household) {
            return Err(RuleError::attribute(
                "leaving",
                "a member of the household is named on its certificate (C3)",
                "本户成员必须载入本户证书（C3）",
            ));
        }
        super::cosigned_by_member(state, ctx, person, "certificate.issue")?;
    }
    Ok(())
}

/// `certificate.issue`: by the collective or the county, for a contract in
/// force listed by a notice that has closed, while no objection is open on
/// any of its parcels — again after each new notice (a renewal, members who
/// joined). C3: every certificate names every member of the household now,
/// and keeps those the last one named unless they left the household by
/// their own act (a split or merge put them in another household).
pub fn certificate_issue(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &CertificateIssue,
) -> Result<Vec<Change>, RuleError> {
    let k = state
        .contracts
        .get(body.contract.as_str())
        .filter(|k| k.holds(ctx.today))
        .ok_or_else(|| RuleError::ContractNotInForce {
            code: body.contract.to_string(),
        })?;
    if signer.role == crate::model::Role::Collective
        && crate::model::codes::collective_of(&k.household) != signer.party
    {
        return Err(RuleError::HouseholdOutsideCollective {
            code: k.household.clone(),
            collective: signer.party.clone(),
        });
    }
    let last = state
        .certificates
        .get(body.contract.as_str())
        .map(|(at, _)| *at);
    if let Some(at) = last.filter(|at| body.notice < *at) {
        return Err(RuleError::CertificateIssued {
            contract: body.contract.to_string(),
            at,
        });
    }
    let notice = state
        .notices
        .get(&body.notice)
        .filter(|n| n.contracts.iter().any(|k| body.contract == *k))
        .ok_or_else(|| {
            RuleError::attribute(
                "notice",
                "no notice listing this contract was recorded there",
                "该日志序号处没有列入此合同的公示",
            )
        })?;
    if ctx.today <= notice.to {
        return Err(RuleError::NoticeOpen {
            notice: notice.index,
            to: notice.to.to_string(),
        });
    }
    for parcel in &k.parcels {
        if let Some(e) = state
            .encumbrances_on(parcel, ctx.today)
            .find(|e| e.kind == EncumbranceKind::Objection)
        {
            return Err(RuleError::ObjectionOpen {
                parcel: parcel.clone(),
                objection: e.index,
            });
        }
    }
    let household = state.household(&k.household);
    // W1, A1 (rules 2): a new certificate drops no one — a member who
    // moved to another household (a daughter married out) keeps her place
    // on it; she leaves it only by her own act, never by the collective's
    // issuing of a certificate.
    leaving_by_her_own_act(state, ctx, k, body)?;
    let keeps = |p: &String| {
        (state.settings.authority() && !body.leaving.contains(p))
            || state.member_of.get(p).is_none_or(|h| h == &k.household)
    };
    let mut members: Vec<String> = k
        .certificate_members
        .iter()
        .filter(|p| keeps(p))
        .cloned()
        .collect();
    for m in household.iter().flat_map(|h| &h.members) {
        if !members.contains(&m.person) {
            members.push(m.person.clone());
        }
    }
    let mut changes = vec![Change::CertificateIssued {
        contract: body.contract.to_string(),
        index: ctx.index,
        notice: notice.index,
    }];
    if members != k.certificate_members {
        changes.push(Change::CertificateMembers {
            contract: k.code.clone(),
            members,
        });
    }
    Ok(changes)
}
