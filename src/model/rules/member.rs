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

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use crate::ledger::elsewhere::MemoryLog;
    use crate::ledger::{format_integrated, Envelope, SignerKey};
    use crate::model::rules::world::{actors_v2, World, DEPARTMENTS, ROOT};
    use crate::model::Refusal;

    const HEAD: &str = "0000000000000000000000000000000000000000000000000000000000000001";

    fn key(name: &str, seed: u8) -> SignerKey {
        SignerKey::from_seed(name, [seed; 32]).unwrap()
    }

    /// 壶关县's log in memory: a key binding, then its collective's
    /// admission of a person (by its own commitment), cosigned by `hers`.
    /// Returns the log and the admission's index.
    fn other_county(hers: Option<&SignerKey>) -> (MemoryLog, u64) {
        let mut log = MemoryLog::new("140427", key("sanquan/140427", 77));
        let collective = key("c", 78);
        let time = "2026-11-23T08:00:00Z";
        let integrated = format_integrated(time.parse().unwrap());
        let bind = Envelope::sign(&key("r", 79), "sanquan/140427", "key.register", "n1", time,
            json!({"vkey": collective.verifier().to_string(), "role": "collective", "party": "14042700100101"})).unwrap();
        log.append(&bind, &integrated);
        let mut admit = Envelope::sign(
            &collective,
            "sanquan/140427",
            "member.admit",
            "n2",
            time,
            json!({"decision": 0, "persons": ["ee".repeat(32)]}),
        )
        .unwrap();
        if let Some(k) = hers {
            admit.cosign(k);
        }
        let at = log.append(&admit, &integrated);
        log.append(&bind, &integrated);
        (log, at)
    }

    /// The county under the authority rules with her personal key bound at
    /// the registry's desk and 壶关县's log key pinned by the root key.
    fn world(hers: &SignerKey, pinned: &MemoryLog) -> World {
        let mut w = World::new_v2();
        let all = actors_v2();
        w.sign(
            &all[0].0,
            "key.register",
            json!({"vkey": hers.verifier().to_string(), "role": "member", "party": HEAD}),
        )
        .unwrap();
        w.sign(
            &all[ROOT].0,
            "county.settings",
            json!({"settings": {"other_logs": {"140427": pinned.vkey()}}, "reason": "P5"}),
        )
        .unwrap();
        w
    }

    /// The collective's `member.end`, with the second hand of actor `hand`;
    /// the refusal's code and field, if refused.
    fn end(w: &mut World, hand: usize, elsewhere: Option<Value>) -> Result<(), (String, String)> {
        let all = actors_v2();
        let mut body = json!({"person": HEAD, "reason": "member_elsewhere", "document_sha256": "ab".repeat(32)});
        if let Some(e) = elsewhere {
            body["elsewhere"] = e;
        }
        w.decide(
            &all[2].0.public_bytes(),
            &[all[hand].0.public_bytes()],
            "member.end",
            &body,
            &[],
        )
        .map_err(|e| (e.code().to_owned(), e.field().unwrap_or_default()))
    }

    fn evidence(log: &MemoryLog, at: u64) -> Value {
        serde_json::to_value(log.evidence(at)).unwrap()
    }

    fn still_member(w: &World) -> bool {
        w.state.memberships[HEAD].ended.is_none()
    }

    /// P5: her admission in another county's log, cosigned by her personal
    /// key here, ends her membership here on the registry's hand — an act
    /// over her household, on notice (A3), not at once.
    #[test]
    fn p5_an_admission_on_another_county_s_log_is_the_record_of_membership_elsewhere() {
        let hers = key("hers", 80);
        let (log, at) = other_county(Some(&hers));
        let mut w = world(&hers, &log);
        let registry = DEPARTMENTS[0].0;
        let before = w.state.acts.len();
        end(&mut w, registry, Some(evidence(&log, at))).unwrap();
        assert_eq!(w.state.acts.len(), before + 1, "on notice (A3)");
        assert!(still_member(&w), "nothing ends before the notice runs out");
        // Without the evidence, the registry is no hand for it: the civil
        // registration's record is (A2).
        let mut w = world(&hers, &log);
        assert_eq!(
            end(&mut w, registry, None).unwrap_err().0,
            "second_hand_missing"
        );
        end(&mut w, DEPARTMENTS[1].0, None).unwrap();
    }

    /// P5, what does not prove it: another county's entry she did not
    /// cosign, one that is no admission, a county not pinned, this county
    /// itself, a member with no personal key here, and evidence altered in
    /// its checkpoint, record or proof — each refused with its field.
    #[test]
    fn p5_evidence_that_does_not_prove_her_admission_elsewhere_is_refused() {
        let hers = key("hers", 80);
        let registry = DEPARTMENTS[0].0;
        let refused = |w: &mut World, e: Value| end(w, registry, Some(e)).unwrap_err();
        let (log, at) = other_county(Some(&hers));
        let good = evidence(&log, at);

        let (unsigned, at2) = other_county(None);
        let mut w = world(&hers, &unsigned);
        assert_eq!(
            refused(&mut w, evidence(&unsigned, at2)).1,
            "entry.body.elsewhere.record"
        );

        let mut w = world(&hers, &log);
        assert_eq!(
            refused(&mut w, evidence(&log, at - 1)).1,
            "entry.body.elsewhere.record",
            "a key binding is no admission"
        );
        let mut tampered = good.clone();
        tampered["proof"][0] = json!(tampered["proof"][1].clone());
        assert_eq!(refused(&mut w, tampered).1, "entry.body.elsewhere.proof");
        let mut tampered = good.clone();
        tampered["record"] = json!(good["record"].as_str().unwrap().replace("\"n2\"", "\"n3\""));
        assert_eq!(refused(&mut w, tampered).1, "entry.body.elsewhere.proof");
        // That log's key may put what it likes in its tree, but not her
        // signature.
        let record = crate::ledger::Record::parse(
            good["record"].as_str().unwrap().as_bytes(),
            "sanquan/140427",
        )
        .unwrap();
        let mut lying = MemoryLog::new("140427", key("sanquan/140427", 77));
        let mut env = record.envelope.clone();
        env.cosigs[0].sig[0] ^= 1;
        let i = lying.append(&env, &record.integrated);
        assert_eq!(
            refused(&mut w, evidence(&lying, i)).1,
            "entry.body.elsewhere.record"
        );
        let (forged, _) = {
            let mut l = MemoryLog::new("140427", key("sanquan/140427", 81));
            let env: Envelope = crate::ledger::Record::parse(
                good["record"].as_str().unwrap().as_bytes(),
                "sanquan/140427",
            )
            .unwrap()
            .envelope;
            let i = l.append(&env, "2026-11-23T08:00:00.000000Z");
            (l, i)
        };
        assert_eq!(
            refused(&mut w, evidence(&forged, 0)).1,
            "entry.body.elsewhere.checkpoint",
            "signed by a key not pinned"
        );
        let mut elsewhere = good.clone();
        elsewhere["county"] = json!("140428");
        assert_eq!(
            refused(&mut w, elsewhere).1,
            "entry.body.elsewhere.county",
            "not pinned"
        );
        let mut here = good.clone();
        here["county"] = json!("140421");
        assert_eq!(
            refused(&mut w, here).1,
            "entry.body.elsewhere.county",
            "this county"
        );
        let all = actors_v2();
        let death = json!({"person": HEAD, "reason": "death", "document_sha256": "ab".repeat(32), "elsewhere": good.clone()});
        let e = w
            .decide(
                &all[2].0.public_bytes(),
                &[all[DEPARTMENTS[1].0].0.public_bytes()],
                "member.end",
                &death,
                &[],
            )
            .unwrap_err();
        assert_eq!(e.field().as_deref(), Some("entry.body.elsewhere"));
        assert!(still_member(&w), "nothing refused changed anything");

        // A member with no personal key here: the admission cannot be
        // shown to be hers.
        let mut w = World::new_v2();
        w.sign(
            &all[ROOT].0,
            "county.settings",
            json!({"settings": {"other_logs": {"140427": log.vkey()}}, "reason": "P5"}),
        )
        .unwrap();
        assert_eq!(refused(&mut w, good).1, "entry.body.elsewhere");
        assert!(still_member(&w));
    }
}
