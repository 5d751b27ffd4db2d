//! Rules of households (承包方, P1, P3).

use crate::model::codes::texts;
use crate::model::entry::{
    HouseholdJoin, HouseholdMerge, HouseholdRegister, HouseholdSplit, Member,
};
use crate::model::state::{Contract, Household};
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
    check_new_code(state, &body.code, &signer.party)?;
    if !state.collectives.contains_key(&signer.party) {
        return Err(RuleError::UnknownCollective {
            code: signer.party.clone(),
        });
    }
    check_members(&body.members)?;
    for m in &body.members {
        if let Some(other) = state.member_of.get(&m.person) {
            return Err(RuleError::PersonInHousehold {
                household: other.clone(),
            });
        }
    }
    Ok(vec![Change::HouseholdRegistered(Household {
        code: body.code.to_string(),
        collective: signer.party.clone(),
        members: body.members.clone(),
        registered_at: ctx.index,
        merged: None,
    })])
}

/// `household.join` (C3, P3): by the household itself, or by its collective
/// on its application; the new members belong to no household yet and are
/// no head. The household's next certificate names them.
pub fn household_join(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &HouseholdJoin,
) -> Result<Vec<Change>, RuleError> {
    let h = super::household_of(state, &body.household)?;
    let own = match signer.role {
        crate::model::Role::Household => signer.party == h.code,
        _ => signer.party == h.collective,
    };
    if !own {
        return Err(RuleError::PartyNotAllowed {
            signer_role: signer.role.as_str(),
            signer_party: signer.party.clone(),
            role: "household",
            party: h.code.clone(),
        });
    }
    check_relations(&body.members)?;
    if body.members.iter().any(|m| m.relation == "02") {
        return Err(RuleError::attribute(
            "members",
            "the household has its head (relation 02) already",
            "该户已有户主（关系代码 02）",
        ));
    }
    // 11.7 (rules 2): a household adds by its own entry only those who
    // join it by marriage or birth — a spouse, a child, a grandchild
    // (GB/T 4761 10–49); an outsider is no household's to add, and would
    // be split out with members-only rights.
    let by_family = |r: &str| r.parse::<u8>().is_ok_and(|n| (10..=49).contains(&n));
    if state.settings.authority()
        && signer.role == crate::model::Role::Household
        && !body.members.iter().all(|m| by_family(&m.relation))
    {
        return Err(RuleError::attribute(
            "members",
            "a household adds only a spouse, a child or a grandchild (relations 10 to 49); anyone else joins by the collective's admission",
            "农户自行增加的成员只能是配偶、子女或孙子女（关系代码 10 至 49）；其他人须经集体经济组织接纳",
        ));
    }
    for m in &body.members {
        if let Some(other) = state.member_of.get(&m.person) {
            return Err(RuleError::PersonInHousehold {
                household: other.clone(),
            });
        }
    }
    let mut members = h.members.clone();
    members.extend(body.members.iter().cloned());
    // At most 30 in all, each once.
    check_relations(&members)?;
    let mut changes = vec![Change::HouseholdMembers {
        household: h.code.clone(),
        members,
    }];
    changes.extend(born_members(state, ctx, h, body));
    Ok(changes)
}

/// P5 (rules 2): a child born to a member of the collective — a child or
/// grandchild (GB/T 4761 20–49) the household adds, on the birth record the
/// civil registration cosigns — is a member by that record, without an
/// assembly; the entry is her admission.
fn born_members(
    state: &State,
    ctx: &Context,
    h: &crate::model::state::Household,
    body: &HouseholdJoin,
) -> Vec<Change> {
    let by_birth = |r: &str| r.parse::<u8>().is_ok_and(|n| (20..=49).contains(&n));
    let civil = ctx.cosigners.iter().any(|c| {
        state.key(c).is_some_and(|k| {
            k.is_active() && k.department == Some(crate::model::Department::CivilRegistration)
        })
    });
    let parent_a_member = h.members.iter().any(|m| {
        state
            .memberships
            .get(&m.person)
            .is_some_and(|ms| ms.ended.is_none() && ms.collective == h.collective)
    });
    if !state.settings.authority() || !civil || !parent_a_member {
        return Vec::new();
    }
    body.members
        .iter()
        .filter(|m| by_birth(&m.relation) && !state.memberships.contains_key(&m.person))
        .map(|m| {
            Change::MemberAdmitted(crate::model::state::Membership {
                person: m.person.clone(),
                collective: h.collective.clone(),
                admitted_at: ctx.index,
                decision: ctx.index,
                ended: None,
            })
        })
        .collect()
}

/// A new household's code (read as 18 digits by `HouseholdCode`): a family
/// household of `collective` (0001–8000, P1) that no household has had.
fn check_new_code(
    state: &State,
    code: &codes::HouseholdCode,
    collective: &str,
) -> Result<(), RuleError> {
    if !(1..=8000).contains(&code.sequence()) {
        return Err(RuleError::attribute(
            "CBFBM",
            "households are numbered 0001 to 8000 (P1)",
            "承包方顺序码为 0001 至 8000（P1）",
        ));
    }
    if code.collective() != collective {
        return Err(RuleError::HouseholdOutsideCollective {
            code: code.to_string(),
            collective: collective.to_owned(),
        });
    }
    if let Some(h) = state.households.get(code.as_str()) {
        return Err(RuleError::HouseholdExists {
            code: code.to_string(),
            at: h.registered_at,
        });
    }
    Ok(())
}

/// A list of members, well formed: 1 to 30 persons named once each by
/// commitment, with GB/T 4761 relations and exactly one head.
fn check_members(members: &[Member]) -> Result<(), RuleError> {
    check_relations(members)?;
    if members.iter().filter(|m| m.relation == "02").count() != 1 {
        return Err(RuleError::attribute(
            "members",
            "a household has exactly one head (relation 02)",
            "一户须有且只有一名户主（关系代码 02）",
        ));
    }
    Ok(())
}

fn check_relations(members: &[Member]) -> Result<(), RuleError> {
    if members.is_empty() || members.len() > 30 {
        return Err(RuleError::attribute(
            "members",
            "a household has 1 to 30 members",
            "一户有 1 至 30 名成员",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for m in members {
        if m.person.len() != 64
            || !m
                .person
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(RuleError::attribute(
                "members",
                "a person is named by 64 lower-case hex digits",
                "人员须以 64 位小写十六进制承诺值标识",
            ));
        }
        if !relation_ok(&m.relation) {
            return Err(RuleError::attribute(
                "members",
                "relations are GB/T 4761 codes: 02, or 10 to 99",
                "家庭关系须为 GB/T 4761 代码：02，或 10 至 99",
            ));
        }
        if !seen.insert(m.person.as_str()) {
            return Err(RuleError::attribute(
                "members",
                "a person is listed twice",
                "同一人员列了两次",
            ));
        }
    }
    Ok(())
}

/// The household a household key acts for, if it has not merged away.
fn own_household<'s>(state: &'s State, signer: &KeyBinding) -> Result<&'s Household, RuleError> {
    super::household_of(state, &signer.party)
}

/// The household a split divides (P3, W2): the signer's own; or, where a
/// member takes her share out by her own application, the household the
/// collective names among its own; or, by a court's or an arbitrator's
/// decision, the one the county names — so no head of household's key can
/// keep her in.
fn dividing_household<'s>(
    state: &'s State,
    signer: &KeyBinding,
    named: Option<&str>,
) -> Result<&'s Household, RuleError> {
    match (signer.role, named) {
        (crate::model::Role::Household, None) => own_household(state, signer),
        (crate::model::Role::Household, Some(code)) if code == signer.party => {
            own_household(state, signer)
        }
        (crate::model::Role::Household, Some(_)) => Err(RuleError::attribute(
            "from",
            "a household divides only itself",
            "承包方只能为本户分户",
        )),
        (_, None) => Err(RuleError::attribute(
            "from",
            "names the household that divides (W2)",
            "须写明分户的原承包方（W2）",
        )),
        (role, Some(code)) => {
            let h = super::household_of(state, code)?;
            if role == crate::model::Role::Collective && h.collective != signer.party {
                return Err(RuleError::HouseholdOutsideCollective {
                    code: code.to_owned(),
                    collective: signer.party.clone(),
                });
            }
            Ok(h)
        }
    }
}

/// Parcels whose contract right may change hands with a household's
/// members: each under one of `household`'s contracts in force, and
/// unencumbered. Returns the contract.
fn movable_parcels<'s>(
    state: &'s State,
    ctx: &Context,
    household: &str,
    parcels: &[String],
) -> Result<Option<&'s Contract>, RuleError> {
    let contract = super::household_contract(state, ctx.today, household, parcels)?;
    for p in parcels {
        super::unencumbered(state, ctx.today, p, super::Holds::All)?;
    }
    Ok(contract)
}

/// `household.split` (分户, P3): by the household that divides — or, for a
/// member who takes her share out (W2), recorded by the collective on her own
/// application or by the county on a decision in force (R1). The members
/// who leave form a new household of the same collective; the parcels named
/// go with them under a new contract for the rest of the same term (C2), and
/// the shares named. The head stays; the homestead stays (H1). Memberships of
/// the collective are persons' and do not change.
pub fn household_split(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &HouseholdSplit,
) -> Result<Vec<Change>, RuleError> {
    let from = dividing_household(state, signer, body.from.as_deref())?;
    check_new_code(state, &body.code, &from.collective)?;
    check_members(&body.members)?;
    let leaving: std::collections::HashSet<&str> =
        body.members.iter().map(|m| m.person.as_str()).collect();
    for person in &leaving {
        if !from.members.iter().any(|m| m.person == *person) {
            return Err(RuleError::NotOfHousehold {
                what: "members",
                item: person.to_string(),
                household: from.code.clone(),
            });
        }
        // A7, W2: taking her share out is her application — with a
        // personal key, signed by it — when another records the split.
        if signer.role != crate::model::Role::Household {
            super::cosigned_by_member(state, ctx, person, "household.split")?;
        }
    }
    let staying: Vec<Member> = from
        .members
        .iter()
        .filter(|m| !leaving.contains(m.person.as_str()))
        .cloned()
        .collect();
    if !staying.iter().any(|m| m.relation == "02") {
        return Err(RuleError::attribute(
            "members",
            "the head stays with the household that divides",
            "户主留在原户",
        ));
    }
    let mut changes = vec![
        Change::HouseholdMembers {
            household: from.code.clone(),
            members: staying,
        },
        Change::HouseholdRegistered(Household {
            code: body.code.to_string(),
            collective: from.collective.clone(),
            members: body.members.clone(),
            registered_at: ctx.index,
            merged: None,
        }),
    ];
    let moving = texts(&body.parcels);
    if let Some(old) = movable_parcels(state, ctx, &from.code, &moving)? {
        changes.push(Change::ContractParcels {
            code: old.code.clone(),
            parcels: old
                .parcels
                .iter()
                .filter(|p| !moving.contains(p))
                .cloned()
                .collect(),
        });
        changes.push(Change::ContractGranted(Contract {
            code: format!("{}J", body.code),
            household: body.code.to_string(),
            parcels: moving,
            start: ctx.today.max(old.start),
            end: old.end,
            certificate_members: body.members.iter().map(|m| m.person.clone()).collect(),
            registered_at: ctx.index,
            returned: None,
        }));
    }
    if body.shares > 0 {
        let held = state.holdings.get(&from.code).copied().unwrap_or(0);
        if body.shares > held {
            return Err(RuleError::NotEnoughShares {
                held,
                asked: body.shares,
            });
        }
        changes.push(Change::SharesMoved {
            from: from.code.clone(),
            to: body.code.to_string(),
            shares: body.shares,
        });
    }
    Ok(changes)
}

/// `household.merge` (合户, P3): by the household that joins another of its
/// collective, with that household's written consent. Its members, contracts,
/// shares and homestead go to the other, which then holds one homestead at
/// most (H1); the joining household ends.
pub fn household_merge(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &HouseholdMerge,
) -> Result<Vec<Change>, RuleError> {
    let from = own_household(state, signer)?;
    let into = state
        .household(&body.into)
        .filter(|h| h.collective == from.collective && h.code != from.code)
        .ok_or_else(|| RuleError::UnknownHousehold {
            code: body.into.clone(),
        })?;
    // G1: the household that receives the members, contracts and shares, and
    // with them the right to read those members' personal data, signs too.
    super::cosigned_by(state, ctx, &into.code, "household.merge")?;
    check_relations(&body.members)?;
    let mut listed: Vec<&str> = body.members.iter().map(|m| m.person.as_str()).collect();
    let mut all: Vec<&str> = from.members.iter().map(|m| m.person.as_str()).collect();
    listed.sort_unstable();
    all.sort_unstable();
    if listed != all || body.members.iter().any(|m| m.relation == "02") {
        return Err(RuleError::attribute(
            "members",
            "every member of the joining household, by relation to the other's head",
            "须列出并入户的全部成员及其与对方户主的关系",
        ));
    }
    let live = |h: &str| state.homesteads.get(h).filter(|x| x.exited.is_none());
    let moves_homestead = live(&from.code).is_some();
    if moves_homestead && state.homesteads.contains_key(&into.code) {
        return Err(RuleError::TwoHomesteads {
            a: from.code.clone(),
            b: into.code.clone(),
        });
    }
    let contracts: Vec<&Contract> = state
        .contracts
        .values()
        .filter(|k| k.household == from.code && k.holds(ctx.today))
        .collect();
    for k in &contracts {
        for p in &k.parcels {
            super::unencumbered(state, ctx.today, p, super::Holds::All)?;
        }
    }
    let mut members = into.members.clone();
    members.extend(body.members.iter().cloned());
    let mut changes = vec![
        Change::HouseholdMembers {
            household: from.code.clone(),
            members: Vec::new(),
        },
        Change::HouseholdMembers {
            household: into.code.clone(),
            members,
        },
        Change::HouseholdMerged {
            household: from.code.clone(),
            into: into.code.clone(),
            at: ctx.index,
        },
    ];
    let mut codes: Vec<&str> = contracts.iter().map(|k| k.code.as_str()).collect();
    codes.sort_unstable();
    changes.extend(codes.into_iter().map(|code| Change::ContractHolder {
        code: code.to_owned(),
        household: into.code.clone(),
    }));
    if moves_homestead {
        changes.push(Change::HomesteadMoved {
            from: from.code.clone(),
            to: into.code.clone(),
        });
    }
    match state.holdings.get(&from.code) {
        Some(&n) if n > 0 => changes.push(Change::SharesMoved {
            from: from.code.clone(),
            to: into.code.clone(),
            shares: n,
        }),
        _ => {}
    }
    Ok(changes)
}
