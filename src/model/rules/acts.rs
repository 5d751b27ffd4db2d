//! Acts over a party (DOMAIN.md A1–A3, A6): an entry that would take from a
//! household — its base rights, a membership, its keys — without its own
//! signature. Each kind declares in `model::table` (`over`) whom it can act
//! over; such an entry needs two hands (A2), and is accepted as *pending*:
//! it changes nothing until its protective notice has run with no
//! objection, and then the writer carries it out (`act.effect`, signed by
//! the log key) under the rules of that day. An objection by a party it
//! names holds it until an award decides (R1). Nothing it would free can be
//! granted meanwhile, and no check is needed for that: a pending act
//! changes nothing, so the land, the homestead or the shares stay the
//! household's (and every grant refuses them as held) until it takes effect.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

use crate::model::authority::hand_kind;
use crate::model::entry::{
    ActEffect, ActObject, AwardEffect, CertificateIssue, DisputeAward, EstateSettle,
    ExpropriationComplete, HouseholdJoin, HouseholdSplit, KeyRegister, MemberEnd,
};
use crate::model::state::{Act, ActEnd};
use crate::model::{Change, Command, Context, KeyBinding, Land, Role, RuleError, State};

/// `member.end` other than a voluntary exit (which is her own, P4) acts over
/// the member's household; so does a voluntary exit on her paper
/// application, when she holds no personal key to sign it (A7): the
/// registry records the application, and the notice names her.
pub fn over_member(state: &State, _signer: &KeyBinding, body: &MemberEnd) -> Vec<String> {
    let by_her_own_key = state
        .active_keys(Role::Member, &body.person)
        .next()
        .is_some();
    if body.reason == "voluntary_exit" && (by_her_own_key || !state.settings.authority()) {
        return Vec::new();
    }
    state
        .member_of
        .get(&body.person)
        .cloned()
        .into_iter()
        .collect()
}

/// `certificate.issue` dropping a member who holds no personal key acts over
/// the household she is now of (A1, A7): her paper application, recorded by
/// the registry, and the notice, which names her.
pub fn over_certificate(
    state: &State,
    _signer: &KeyBinding,
    body: &CertificateIssue,
) -> Vec<String> {
    let mut households: Vec<String> = body
        .leaving
        .iter()
        .filter(|p| state.active_keys(Role::Member, p).next().is_none())
        .filter_map(|p| state.member_of.get(p).cloned())
        .collect();
    households.sort_unstable();
    households.dedup();
    households
}

/// `estate.settle` acts over the household whose estate it settles.
pub fn over_estate(_state: &State, _signer: &KeyBinding, body: &EstateSettle) -> Vec<String> {
    vec![body.household.to_string()]
}

/// `household.split` recorded by the collective or the county (W2, R1) acts
/// over the household it divides; the household dividing itself does not.
pub fn over_split(_state: &State, signer: &KeyBinding, body: &HouseholdSplit) -> Vec<String> {
    match (&body.from, signer.role) {
        (Some(from), role) if role != Role::Household => vec![from.clone()],
        _ => Vec::new(),
    }
}

/// `household.join` by the collective adds persons to a household that did
/// not sign (then splits them out with its land, in the attack A1 names).
pub fn over_joined(_state: &State, signer: &KeyBinding, body: &HouseholdJoin) -> Vec<String> {
    if signer.role == Role::Collective {
        vec![body.household.to_string()]
    } else {
        Vec::new()
    }
}

/// `dispute.award` moving a contract acts over the household holding it.
/// (An award deciding a held act is that act's decision, not a new act.)
pub fn over_award(state: &State, _signer: &KeyBinding, body: &DisputeAward) -> Vec<String> {
    match &body.effect {
        AwardEffect::ContractHolder { contract, .. }
        | AwardEffect::ContractParcels { contract, .. } => state
            .contracts
            .get(contract.as_str())
            .map(|k| k.household.clone())
            .into_iter()
            .collect(),
        // Restoring a contract an award moved takes it from the household
        // it went to: an act over that household.
        AwardEffect::Restore { act } => state
            .acts
            .get(act)
            .filter(|a| a.kind == "dispute.award")
            .and_then(|a| a.body["effect"]["contract_holder"]["CBFBM"].as_str())
            .map(str::to_owned)
            .into_iter()
            .collect(),
        AwardEffect::RightEnd { .. } | AwardEffect::Act { .. } => Vec::new(),
    }
}

/// `expropriation.complete` acts over each household whose contract loses
/// land to it (A1, E1): the county's completion is pending for the notice,
/// with a second hand, like any act that takes.
pub fn over_expropriated(
    state: &State,
    _signer: &KeyBinding,
    body: &ExpropriationComplete,
) -> Vec<String> {
    let Some(x) = state.expropriations.get(&body.expropriation) else {
        return Vec::new();
    };
    let mut households: Vec<String> = x
        .parcels
        .iter()
        .filter_map(|p| state.contract_of.get(p))
        .filter_map(|k| state.contracts.get(k))
        .map(|k| k.household.clone())
        .collect();
    households.sort_unstable();
    households.dedup();
    households
}

/// A6: a key for a household or a transferee bound by anyone but the party
/// itself is a recovery — an act over the party — once the party has had a
/// key, or (a household) holds rights: a split-off household's first key
/// too. A household's first key, before it holds anything, is the
/// collective's to bind, as when it registers the household.
pub fn over_key(state: &State, signer: &KeyBinding, body: &KeyRegister) -> Vec<String> {
    let party = &body.party;
    if body.role == Role::Member {
        // A7: a member's key bound again by another than herself, once
        // she has had one, is a recovery over her household.
        let had_key = state.keys_for(Role::Member, party).next().is_some();
        return match state.member_of.get(party) {
            Some(h) if had_key && signer.party != *party => vec![h.clone()],
            _ => Vec::new(),
        };
    }
    if !matches!(body.role, Role::Household | Role::Transferee) || signer.party == *party {
        return Vec::new();
    }
    let had_key = state.keys_for(body.role, party).next().is_some();
    let holds = body.role == Role::Household
        && (state.contracts.contains_key(&format!("{party}J"))
            || state.homesteads.contains_key(party)
            || state.holdings.get(party).is_some_and(|&n| n > 0));
    if had_key || holds {
        vec![party.clone()]
    } else {
        Vec::new()
    }
}

/// A2: a new county department key, or a collective's key, takes effect
/// only after the protective notice, published on the log — so no single
/// key (the root's) can mint a second hand overnight. Such an act names no
/// party and needs no second hand; it is carried out when its notice ends.
/// The founding keys are the exception: each department's first key ever
/// and each collective's first key ever take effect at once (the offices
/// as the rules find them, a new collective with nothing yet to take); any
/// later one — a second key, a replacement after a revocation — waits.
///
/// A member's personal key (A7) bound by her household with the collective
/// waits for the notice too (it would sign her exit): only the registry,
/// which sees her in person, binds one at once; she cancels one she did not
/// ask for with a key the registry bound her.
pub(super) fn on_notice(state: &State, signer: &KeyBinding, cmd: &Command) -> bool {
    let Command::KeyRegister(b) = cmd else {
        return false;
    };
    match b.role {
        Role::Member => signer.role != Role::County && signer.party != b.party,
        Role::County => state
            .keys_for(Role::County, &b.party)
            .any(|k| k.department.is_some() && k.department == b.department),
        Role::Collective => state.keys_for(Role::Collective, &b.party).next().is_some(),
        _ => false,
    }
}

/// A2: the act carries a second authority's signature, within its remit:
/// the collective's or the exchange's act a county department's whose
/// remit covers the kind; a department's act another such department's or
/// the parties' own collective's. No party signs an act over another, and
/// the county's root key is no one's second hand.
fn second_hand(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    kind: &'static str,
    parties: &[String],
) -> Result<(), RuleError> {
    if parties.is_empty() {
        // A key on notice (`on_notice`): no party, no second hand.
        return Ok(());
    }
    let cosigners: Vec<&KeyBinding> = ctx
        .cosigners
        .iter()
        .filter_map(|c| state.key(c))
        .filter(|k| k.is_active() && k.public != signer.public)
        .collect();
    let department = |k: &KeyBinding| {
        crate::model::authority::second_hand_for(k, kind) && k.department != signer.department
    };
    let their_collective = |k: &KeyBinding| {
        k.role == Role::Collective
            && parties
                .iter()
                .all(|p| crate::model::codes::household_of_collective(p, &k.party))
    };
    let found = match signer.role {
        Role::Collective | Role::Exchange => cosigners.iter().any(|k| department(k)),
        Role::County => cosigners
            .iter()
            .any(|k| department(k) || their_collective(k)),
        Role::Household | Role::Transferee | Role::Member => false,
    };
    if found {
        return Ok(());
    }
    let (en, zh) = crate::model::authority::hands_for(kind);
    let needs = match signer.role {
        Role::County => (
            format!(
                "another county department within its remit ({en}), or the parties' collective"
            ),
            format!("县里另一有权部门（{zh}），或所涉承包方所在的集体经济组织"),
        ),
        _ => (
            format!("the county department whose remit it is ({en})"),
            format!("县里有权的部门（{zh}）"),
        ),
    };
    Err(RuleError::SecondHandMissing {
        act: kind,
        party: parties.join("、"),
        needs,
    })
}

fn key_text(public: &[u8; 32]) -> String {
    B64.encode(public)
}

fn key_of(text: &str) -> Option<[u8; 32]> {
    B64.decode(text).ok().and_then(|k| k.try_into().ok())
}

/// A1–A3: instead of its changes, an act over `parties` is recorded as
/// pending, with the titles those changes would touch, until its notice ends.
pub(super) fn pending(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    cmd: &Command,
    parties: Vec<String>,
    changes: &[Change],
) -> Result<Vec<Change>, RuleError> {
    second_hand(state, ctx, signer, hand_kind(cmd), &parties)?;
    let mut titles: Vec<String> = changes
        .iter()
        .flat_map(|c| state.titles_of(c))
        .map(|t| t.key())
        .collect();
    titles.sort_unstable();
    titles.dedup();
    let days = u64::from(state.settings.act_notice_days);
    let from = ctx.today + chrono::Days::new(days);
    Ok(vec![Change::ActSaved(Box::new(Act {
        index: ctx.index,
        kind: cmd.kind().to_owned(),
        body: cmd.body(),
        signer: key_text(ctx.signer),
        cosigners: ctx.cosigners.iter().map(key_text).collect(),
        parties,
        titles,
        from,
        objection: None,
        closed: None,
        restored: None,
    }))])
}

/// The act made at `index`, still open; `field` names it in the body.
fn open_act<'s>(state: &'s State, index: u64, field: &'static str) -> Result<&'s Act, RuleError> {
    let act = state.acts.get(&index).ok_or(RuleError::ActNotOpen {
        index,
        field,
        why: ("no act over a party was recorded there", "该处没有处分行为"),
    })?;
    if !act.is_open() {
        return Err(RuleError::ActNotOpen {
            index,
            field,
            why: ("it was carried out or decided", "该行为已执行或已裁决"),
        });
    }
    Ok(act)
}

/// Carries out an act: its kind's rule again, on the state and the day of
/// now, with the signatures it was made with — each still a key in force,
/// so a key revoked during the notice (a compromised collective's, a
/// department's) takes its pending acts with it (A2). If the hands or the
/// rule no longer allow it (the state changed during the notice), the act
/// lapses with that refusal's code and nothing changes.
pub(super) fn carry_out(
    state: &State,
    land: &dyn Land,
    ctx: &Context,
    act: &Act,
    dispatch: &super::Dispatch,
) -> Vec<Change> {
    use crate::model::Refusal;
    let outcome = (|| {
        let cmd = Command::parse(&act.kind, &act.body)?;
        let signer = key_of(&act.signer).ok_or(RuleError::UnknownSigner)?;
        let binding = super::active_signer(state, &signer)?;
        let cosigners: Vec<[u8; 32]> = act.cosigners.iter().filter_map(|c| key_of(c)).collect();
        let then = Context {
            signer: &signer,
            cosigners: &cosigners,
            footprints: &[],
            ..*ctx
        };
        second_hand(state, &then, binding, hand_kind(&cmd), &act.parties)?;
        // The act takes from no one its notice did not name: if, meanwhile,
        // what it acts on passed to another party (a contract moved, a
        // member gone to another household), it lapses — found by the
        // property test with hostile officials.
        if (dispatch.over)(state, binding, &cmd)
            .iter()
            .any(|p| !act.parties.contains(p))
        {
            return Err(RuleError::ActNotOpen {
                index: act.index,
                field: "act",
                why: (
                    "it would now act over a party its notice did not name",
                    "该行为现在会涉及公示中未列明的一方",
                ),
            });
        }
        (dispatch.rule)(state, land, &then, binding, &cmd)
    })();
    let mut closed = act.clone();
    match outcome {
        Ok(mut changes) => {
            closed.closed = Some((ctx.index, ActEnd::Done));
            changes.push(Change::ActSaved(Box::new(closed)));
            changes
        }
        Err(e) => {
            closed.closed = Some((ctx.index, ActEnd::Lapsed(e.code().to_owned())));
            vec![Change::ActSaved(Box::new(closed))]
        }
    }
}

/// `act.effect`: signed by the log key (checked by `decide`), for an act
/// whose notice ended with no objection (A3).
pub(super) fn act_effect(
    state: &State,
    land: &dyn Land,
    ctx: &Context,
    body: &ActEffect,
    dispatch: &super::Dispatch,
) -> Result<Vec<Change>, RuleError> {
    let act = open_act(state, body.act, "act")?;
    if act.objection.is_some() {
        return Err(RuleError::ActNotOpen {
            index: body.act,
            field: "act",
            why: (
                "an objection holds it until an award decides (A3)",
                "已有异议，须待裁决（A3）",
            ),
        });
    }
    if ctx.today < act.from {
        return Err(RuleError::ActNotOpen {
            index: body.act,
            field: "act",
            why: (
                "its protective notice has not ended (A3)",
                "公示期尚未届满（A3）",
            ),
        });
    }
    Ok(carry_out(state, land, ctx, act, dispatch))
}

/// `act.object`: a party the act names objects within its notice, by its
/// own key (A3); a key recovery it objects to is cancelled (A6).
pub fn act_object(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &ActObject,
) -> Result<Vec<Change>, RuleError> {
    let act = open_act(state, body.act, "act")?;
    // A7: a member objects, with her personal key, to an act over her
    // household.
    let party = match signer.role {
        Role::Member => state.member_of.get(&signer.party).unwrap_or(&signer.party),
        _ => &signer.party,
    };
    // A7: a personal key on notice for her is hers to refuse.
    let her_key = signer.role == Role::Member
        && matches!(Command::parse(&act.kind, &act.body), Ok(Command::KeyRegister(b)) if b.role == Role::Member && b.party == signer.party);
    if !act.parties.contains(party) && !her_key {
        return Err(RuleError::PartyNotAllowed {
            signer_role: signer.role.as_str(),
            signer_party: signer.party.clone(),
            role: crate::model::error::ACT_PARTY,
            party: act.parties.join("、"),
        });
    }
    if ctx.today >= act.from {
        return Err(RuleError::ActNotOpen {
            index: body.act,
            field: "act",
            why: ("its protective notice has ended (A3)", "公示期已届满（A3）"),
        });
    }
    if let Some((at, _)) = &act.objection {
        return Err(RuleError::ObjectionRepeated { open: *at });
    }
    let mut objected = act.clone();
    if act.kind == "key.register" {
        objected.closed = Some((ctx.index, ActEnd::Cancelled));
    } else {
        objected.objection = Some((ctx.index, signer.party.clone()));
    }
    Ok(vec![Change::ActSaved(Box::new(objected))])
}

/// `dispute.award` deciding an act a party objected to: upheld, it is
/// carried out now; otherwise it is quashed. A key recovery the party's
/// current key cancelled may be upheld too: when that key is the one a
/// thief holds, the award is the household's way back to its rights (A5).
pub(super) fn decide_held(
    state: &State,
    land: &dyn Land,
    ctx: &Context,
    signer: &KeyBinding,
    index: u64,
    upheld: bool,
    dispatch: &super::Dispatch,
) -> Result<Vec<Change>, RuleError> {
    let cancelled_recovery = state
        .acts
        .get(&index)
        .filter(|a| a.kind == "key.register" && matches!(a.closed, Some((_, ActEnd::Cancelled))));
    let act = match cancelled_recovery {
        Some(a) if upheld => a,
        _ => open_act(state, index, "effect")?,
    };
    // The award is recorded with two hands too (A2).
    second_hand(state, ctx, signer, "dispute.award", &act.parties)?;
    if act.is_open() && act.objection.is_none() {
        return Err(RuleError::ActNotOpen {
            index,
            field: "effect",
            why: (
                "no party objected to it; its notice decides (A3)",
                "无人提出异议，按公示期处理（A3）",
            ),
        });
    }
    if upheld {
        return Ok(carry_out(state, land, ctx, act, dispatch));
    }
    let mut quashed = act.clone();
    quashed.closed = Some((ctx.index, ActEnd::Quashed));
    Ok(vec![Change::ActSaved(Box::new(quashed))])
}

/// `dispute.award` effect `restore` (A5): an act over a household that was
/// carried out is undone by an award in force, with two hands — the
/// membership it ended, the contract it moved, the members it joined, the
/// keys it replaced come back as they were, if nothing has changed them
/// since; the act and the award stay on the log.
pub(super) fn restore(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    index: u64,
) -> Result<Vec<Change>, RuleError> {
    let act = state
        .acts
        .get(&index)
        .filter(|a| a.restored.is_none())
        .filter(|a| matches!(a.closed, Some((_, ActEnd::Done))))
        .ok_or(RuleError::ActNotOpen {
            index,
            field: "effect",
            why: (
                "no act carried out there is left to restore",
                "该处没有已执行、尚待恢复的处分行为",
            ),
        })?;
    if act.parties.is_empty() {
        // A key on notice (A2) acts over no household: nothing to restore.
        return Err(RuleError::ActNotOpen {
            index,
            field: "effect",
            why: ("it acted over no household", "该行为不涉及任何农户"),
        });
    }
    second_hand(state, ctx, signer, "dispute.award", &act.parties)?;
    let done_at = act.closed.as_ref().map_or(0, |(at, _)| *at);
    let changed = |what: &'static str, zh: &'static str| {
        RuleError::attribute(
            "effect",
            format!("{what} changed since the act; the award says what becomes of it instead (A5)"),
            format!("{zh}在该行为之后已有变动；须由裁决另行写明如何处理（A5）"),
        )
    };
    let mut changes = match Command::parse(&act.kind, &act.body)? {
        Command::MemberEnd(b) => {
            let ended_here = state
                .memberships
                .get(&b.person)
                .and_then(|m| m.ended.as_ref())
                .is_some_and(|(at, _)| *at == done_at);
            if !ended_here {
                return Err(changed("the membership", "成员身份"));
            }
            vec![Change::MembershipRestored { person: b.person }]
        }
        Command::HouseholdJoin(b) => {
            let h = super::household_of(state, &b.household)?;
            let members: Vec<_> = h
                .members
                .iter()
                .filter(|m| !b.members.iter().any(|j| j.person == m.person))
                .cloned()
                .collect();
            if members.len() + b.members.len() != h.members.len() || members.is_empty() {
                return Err(changed("the household's members", "该户成员"));
            }
            vec![Change::HouseholdMembers {
                household: h.code.clone(),
                members,
            }]
        }
        Command::DisputeAward(DisputeAward {
            effect: AwardEffect::ContractHolder { contract, to },
            ..
        }) => {
            let held_by_to = state
                .contracts
                .get(contract.as_str())
                .is_some_and(|k| k.household == to.as_str() && k.holds(ctx.today));
            let Some(from) = act.parties.first().filter(|_| held_by_to) else {
                return Err(changed("the contract", "承包合同"));
            };
            vec![Change::ContractHolder {
                code: contract.to_string(),
                household: from.clone(),
            }]
        }
        Command::CertificateIssue(b) => {
            // Those it dropped are named on the certificate again.
            let k = state
                .contracts
                .get(b.contract.as_str())
                .ok_or_else(|| changed("the contract", "承包合同"))?;
            let mut members = k.certificate_members.clone();
            members.extend(
                b.leaving
                    .iter()
                    .filter(|p| !members.contains(p))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            vec![Change::CertificateMembers {
                contract: k.code.clone(),
                members,
            }]
        }
        Command::KeyRegister(b) => {
            // The key the recovery bound acts no more; the keys it retired
            // act again.
            let mut keys = vec![Change::KeyRevoked {
                public: b.vkey.public_bytes(),
                at: ctx.index,
            }];
            keys.extend(
                state
                    .keys_for(b.role, &b.party)
                    .filter(|k| k.revoked_at == Some(done_at))
                    .map(|k| Change::KeyRestored { public: k.public }),
            );
            keys
        }
        _ => {
            return Err(RuleError::attribute(
                "effect",
                format!(
                    "an award does not restore a {} by itself: it names what changes (A5)",
                    act.kind
                ),
                format!("裁决不能直接恢复“{}”：须写明具体变更（A5）", act.kind),
            ))
        }
    };
    let mut undone = act.clone();
    undone.restored = Some(ctx.index);
    changes.push(Change::ActSaved(Box::new(undone)));
    Ok(changes)
}
