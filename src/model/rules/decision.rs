//! `decision.record` (D1–D3).

use crate::model::decision::{Assembly, Counts, Decision};
use crate::model::entry::DecisionRecord;
use crate::model::{Change, Context, KeyBinding, RuleError, State};

/// `decision.record`: by a registered collective, with counts that can be
/// true, the day, and the minutes' hash. Whether it passed is not recorded:
/// rules that need a decision compute it from the counts.
pub fn decision_record(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &DecisionRecord,
) -> Result<Vec<Change>, RuleError> {
    if !state.collectives.contains_key(&signer.party) {
        return Err(RuleError::UnknownCollective {
            code: signer.party.clone(),
        });
    }
    if body.assembly == Assembly::RepresentativesAssembly && body.subject.reserved_to_members() {
        return Err(RuleError::ReservedToMembers {
            subject: body.subject.as_str(),
        });
    }
    let question = body.question.trim();
    let date = super::past_day(ctx, "date", body.date, 10)?;
    let counts = Counts {
        eligible: body.eligible,
        present: body.present,
        in_favour: body.in_favour,
        against: body.against,
    };
    counts
        .consistent()
        .map_err(|r| RuleError::because("present", r))?;
    // D1 (rules 2): a members' assembly's eligible are the members of the
    // collective on the log that day — once its register is on the log.
    if state.settings.authority() && body.assembly == Assembly::MembersAssembly {
        let members = state
            .memberships
            .values()
            .filter(|m| m.collective == signer.party && m.ended.is_none())
            .count();
        if members > 0 && usize::try_from(body.eligible).ok() != Some(members) {
            return Err(RuleError::attribute(
                "eligible",
                format!("the collective has {members} members on the log today (D1)"),
                format!("本集体登记在册的成员今日为 {members} 人（D1）"),
            ));
        }
    }
    Ok(vec![Change::DecisionRecorded(Decision {
        index: ctx.index,
        collective: signer.party.clone(),
        assembly: body.assembly,
        subject: body.subject,
        question: question.to_owned(),
        date,
        counts,
        minutes_sha256: body.minutes_sha256.to_string(),
    })])
}

#[cfg(test)]
mod tests {
    use crate::model::rules::world::*;
    use serde_json::{json, Value};

    fn decision(assembly: &str, subject: &str, counts: [u32; 4]) -> Value {
        let [eligible, present, yes, no] = counts;
        json!({"assembly": assembly, "subject": subject, "question": "接纳张某为本集体成员",
               "date": "2026-11-20", "eligible": eligible, "present": present, "for": yes,
               "against": no, "minutes_sha256": "cd".repeat(32)})
    }

    /// D3: a decision states counts that can be true — no more present than
    /// eligible, no more votes than present — and a day that has come.
    #[test]
    fn d3_a_decision_states_counts_that_can_be_true() {
        let (mut w, a) = (World::new(), actors());
        let c = &a[2].0;
        let mut record = |body| w.sign(c, "decision.record", body);
        let members = "members_assembly";
        assert_eq!(
            record(decision(members, "membership", [3, 4, 3, 0])),
            Err("bad_attribute")
        );
        assert_eq!(
            record(decision(members, "membership", [3, 3, 2, 2])),
            Err("bad_attribute")
        );
        let mut later = decision(members, "membership", [3, 3, 3, 0]);
        later["date"] = json!("2026-12-20");
        assert_eq!(record(later), Err("bad_attribute"));
        assert_eq!(
            record(decision(members, "membership", [3, 3, 3, 0])),
            Ok(())
        );
    }

    /// D1: membership is the members' assembly's to decide, not the
    /// representatives'.
    #[test]
    fn d1_membership_is_reserved_to_the_members_assembly() {
        let (mut w, a) = (World::new(), actors());
        let by_representatives = decision("representatives_assembly", "membership", [3, 3, 3, 0]);
        assert_eq!(
            w.sign(&a[2].0, "decision.record", by_representatives),
            Err("reserved_to_members")
        );
    }
}
