//! Rules of the collective income distribution right: S1–S3.

use crate::model::decision::{Assembly, Subject};
use crate::model::entry::{DividendDistribute, SharesBuyback, SharesQuantify, SharesTransfer};
use crate::model::shares::largest_remainder;
use crate::model::shares::Fen;
use crate::model::state::Distribution;
use crate::model::{Change, Context, KeyBinding, RuleError, State};

/// A decision of `collective` on `subject` that its counts make pass.
pub(super) fn passed_decision(
    state: &State,
    collective: &str,
    index: u64,
    subject: Subject,
) -> Result<(), RuleError> {
    let no = |reason| RuleError::DecisionNotPassed { index, reason };
    let d = state
        .decisions
        .get(&index)
        .ok_or(no(("no decision was recorded there", "该处没有决议")))?;
    if d.collective != collective {
        return Err(no((
            "it is another collective's",
            "这是其他集体经济组织的决议",
        )));
    }
    if d.subject != subject {
        return Err(no(("it decided another question", "该决议所议为其他事项")));
    }
    if subject == Subject::ShareQuantification && d.assembly != Assembly::MembersAssembly {
        return Err(no((
            "shares are quantified by the members' assembly (D1)",
            "份额量化须由成员大会决定（D1）",
        )));
    }
    if !d.passed() {
        return Err(no((
            "its counts do not make it pass (D1)",
            "其票数不足以通过（D1）",
        )));
    }
    Ok(())
}

/// D1 (rules 2): an act names the decision it rests on, used for that act
/// only — an admission, a distribution, a listing still open or settled
/// (other than `listing`, the one it is checked for again).
pub(super) fn unused_decision(
    state: &State,
    index: u64,
    listing: Option<u64>,
) -> Result<(), RuleError> {
    if !state.settings.authority() {
        return Ok(());
    }
    let used = state.memberships.values().any(|m| m.decision == index)
        || state
            .distributions
            .values()
            .any(|d| d.decisions.contains(&index))
        || state.listings.values().any(|l| {
            l.decision == Some(index)
                && Some(l.id) != listing
                && l.status != crate::model::exchange::Status::Withdrawn
        });
    if used {
        return Err(RuleError::DecisionNotPassed {
            index,
            reason: (
                "it was the ground of an earlier act; each act rests on its own decision",
                "该决议已用于此前的行为；每项行为须有其自身的决议",
            ),
        });
    }
    Ok(())
}

/// `shares.quantify`: once per collective (S1, static shares), after a
/// members' assembly decided it, to households of the collective.
pub fn shares_quantify(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &SharesQuantify,
) -> Result<Vec<Change>, RuleError> {
    let collective = &signer.party;
    if let Some(at) = state.quantified.get(collective) {
        return Err(RuleError::SharesAlreadyQuantified {
            collective: collective.clone(),
            at: *at,
        });
    }
    passed_decision(
        state,
        collective,
        body.decision,
        Subject::ShareQuantification,
    )?;
    if body.allocations.is_empty() || body.allocations.iter().all(|a| a.shares == 0) {
        return Err(RuleError::attribute(
            "allocations",
            "quantification gives shares to households",
            "份额量化到户",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for a in &body.allocations {
        match state.household(&a.household) {
            Some(h) if &h.collective == collective => {}
            _ => {
                return Err(RuleError::SharesToNonMember {
                    to: a.household.to_string(),
                })
            }
        }
        if !seen.insert(&a.household) {
            return Err(RuleError::attribute(
                "allocations",
                "a household is listed twice",
                "同一承包方列了两次",
            ));
        }
    }
    // L1: the collective's shares in all stay an exact I-JSON integer, so
    // no holding can ever wrap, however shares move later.
    let total = body
        .allocations
        .iter()
        .try_fold(0u64, |sum, a| sum.checked_add(a.shares))
        .filter(|&t| t <= crate::model::entry::MAX_SAFE_INTEGER);
    if total.is_none() {
        return Err(RuleError::attribute(
            "allocations",
            "the shares add up to more than 2^53-1 (L1)",
            "份额合计超过 2^53-1（L1）",
        ));
    }
    Ok(vec![Change::SharesQuantified {
        collective: collective.clone(),
        index: ctx.index,
        allocations: body
            .allocations
            .iter()
            .map(|a| (a.household.to_string(), a.shares))
            .collect(),
    }])
}

fn held(state: &State, holder: &str, asked: u64) -> Result<(), RuleError> {
    let held = state.holdings.get(holder).copied().unwrap_or(0);
    if asked == 0 || asked > held {
        return Err(RuleError::NotEnoughShares { held, asked });
    }
    Ok(())
}

/// `shares.transfer`: by the household that gives, to a household of the
/// same collective only (S2).
pub fn shares_transfer(
    state: &State,
    _ctx: &Context,
    signer: &KeyBinding,
    body: &SharesTransfer,
) -> Result<Vec<Change>, RuleError> {
    super::money(state, "price", &body.price)?;
    move_shares(state, &signer.party, &body.to, body.shares)
}

/// Shares from one household to another of its collective, within what the
/// giver holds and the cap on what one holder may hold (S2).
pub(super) fn move_shares(
    state: &State,
    from: &str,
    to: &str,
    shares: u64,
) -> Result<Vec<Change>, RuleError> {
    let collective = crate::model::codes::collective_of(from);
    match state.household(to) {
        Some(h) if h.collective == collective && h.code != from => {}
        _ => return Err(RuleError::SharesToNonMember { to: to.to_owned() }),
    }
    held(state, from, shares)?;
    let total = state.shares_of_collective(collective);
    let after = state.holdings.get(to).copied().unwrap_or(0) + shares;
    if state.settings.over_share_cap(after, total) {
        return Err(RuleError::OverShareCap {
            to: to.to_owned(),
            held: after,
            total,
            cap: state
                .settings
                .share_cap_percent
                .map(|c| c.normalize().to_string())
                .unwrap_or_default(),
        });
    }
    Ok(vec![Change::SharesMoved {
        from: from.to_owned(),
        to: to.to_owned(),
        shares,
    }])
}

/// `shares.buyback`: by the household that sells, to its collective, for a
/// price above zero (S2).
pub fn shares_buyback(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &SharesBuyback,
) -> Result<Vec<Change>, RuleError> {
    let from = &signer.party;
    held(state, from, body.shares)?;
    if super::money(state, "price", &body.price)? == Fen::ZERO {
        return Err(RuleError::attribute(
            "price",
            "the collective buys shares back for a price",
            "集体回购份额须支付价款",
        ));
    }
    // G4: the household may take the sale back within the window.
    Ok(vec![
        Change::SharesMoved {
            from: from.clone(),
            to: crate::model::codes::collective_of(from).to_owned(),
            shares: body.shares,
        },
        super::surrender::surrendered(
            state,
            ctx,
            from,
            super::surrender::Surrendered::Shares(body.shares),
        ),
    ])
}

/// `dividend.distribute`: after a decision on the operating assets, the
/// reserve and welfare funds first, then the rest by shares, to the fen
/// (largest remainders), so the parts add up (S3).
pub fn dividend_distribute(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &DividendDistribute,
) -> Result<Vec<Change>, RuleError> {
    let collective = &signer.party;
    passed_decision(state, collective, body.decision, Subject::OperatingAssets)?;
    unused_decision(state, body.decision, None)?;
    let (total, reserve, welfare) = (
        super::money(state, "total", &body.total)?,
        super::money(state, "reserve", &body.reserve)?,
        super::money(state, "welfare", &body.welfare)?,
    );
    let rest = total - reserve - welfare;
    if rest < Fen::ZERO {
        return Err(RuleError::DistributionDoesNotAddUp);
    }
    if !state.quantified.contains_key(collective) {
        return Err(RuleError::attribute(
            "decision",
            "the collective's shares are not quantified yet (S1)",
            "该集体的份额尚未量化（S1）",
        ));
    }
    let mut holders: Vec<(String, u64)> = state
        .holdings
        .iter()
        .filter(|(h, n)| h.starts_with(collective.as_str()) && **n > 0)
        .map(|(h, n)| (h.clone(), *n))
        .collect();
    holders.sort();
    // S4: a holder none of whose members is a member now is paid only with
    // three quarters of all members agreeing; otherwise its part stays with
    // the collective (the parts of members are the same either way).
    let pays_non_members = match body.non_members_decision {
        Some(index) => {
            members_three_quarters(state, collective, index)?;
            true
        }
        None => false,
    };
    let mut parts = largest_remainder(rest, &holders);
    if !pays_non_members {
        let mut kept = Fen::ZERO;
        parts.retain(|(holder, fen)| {
            let member = is_member_household(state, collective, holder);
            if !member {
                kept += *fen;
            }
            member
        });
        if kept > Fen::ZERO {
            match parts.iter_mut().find(|(holder, _)| holder == collective) {
                Some((_, fen)) => *fen += kept,
                None => parts.push((collective.clone(), kept)),
            }
        }
    }
    Ok(vec![Change::DividendDistributed(Distribution {
        index: ctx.index,
        collective: collective.clone(),
        total,
        reserve,
        welfare,
        parts,
        decisions: if state.settings.authority() {
            std::iter::once(body.decision)
                .chain(body.non_members_decision)
                .collect()
        } else {
            Vec::new()
        },
    })])
}

/// Whether `holder` is the collective itself or a household with at least
/// one member of the collective now (P4).
fn is_member_household(state: &State, collective: &str, holder: &str) -> bool {
    holder == collective
        || state.household(holder).is_some_and(|h| {
            h.members.iter().any(|m| {
                state
                    .memberships
                    .get(&m.person)
                    .is_some_and(|x| x.collective == collective && x.ended.is_none())
            })
        })
}

/// S4: a members' assembly's decision of this collective, for by three
/// quarters of all its members.
fn members_three_quarters(state: &State, collective: &str, index: u64) -> Result<(), RuleError> {
    let no = |reason| RuleError::DecisionNotPassed { index, reason };
    let d = state
        .decisions
        .get(&index)
        .filter(|d| d.collective == collective)
        .ok_or(no((
            "no decision of this collective was recorded there",
            "该处没有本集体的决议",
        )))?;
    if d.assembly != Assembly::MembersAssembly || d.counts.in_favour * 4 < d.counts.eligible * 3 {
        return Err(no((
            "paying non-members takes three quarters of all members in the members' assembly (S4)",
            "向非成员分配须经成员大会全体成员四分之三以上同意（S4）",
        )));
    }
    unused_decision(state, index, None)
}

#[cfg(test)]
mod tests {
    use crate::model::rules::world::*;
    use crate::model::Fen;
    use serde_json::json;

    /// S1: shares are quantified once per collective (static shares), and
    /// stay as they are when people join or leave a household.
    #[test]
    fn s1_shares_are_quantified_once_and_stay() {
        let (mut w, a) = (World::new(), actors());
        let decision = w.passed("share_quantification");
        let again = json!({"decision": decision,
            "allocations": [{"CBFBM": HOUSEHOLDS[0], "shares": 99}]});
        assert_eq!(
            w.sign(&a[2].0, "shares.quantify", again),
            Err("shares_already_quantified")
        );
        let born = json!({"CBFBM": HOUSEHOLDS[0], "members": [{"person": "ee".repeat(32),
            "relation": "20"}], "document_sha256": "ab".repeat(32)});
        assert_eq!(w.sign(&a[2].0, "household.join", born), Ok(()));
        assert_eq!(w.state.holdings.get(HOUSEHOLDS[0]).copied(), Some(10));
    }

    /// S2: shares pass only to a household of the same collective.
    #[test]
    fn s2_shares_stay_in_the_collective() {
        let (mut w, a) = (World::new(), actors());
        let give = |to: &str| json!({"to": to, "shares": 2, "price": "0"});
        let outside = "140421001001020001";
        assert_eq!(
            w.sign(&a[4].0, "shares.transfer", give(outside)),
            Err("shares_to_non_member")
        );
        assert_eq!(
            w.sign(&a[4].0, "shares.transfer", give(HOUSEHOLDS[1])),
            Ok(())
        );
        assert_eq!(w.state.holdings.get(HOUSEHOLDS[1]).copied(), Some(12));
    }

    /// S3: reserve and welfare first, the rest by shares, exact to the fen:
    /// the parts add up to what is distributed.
    #[test]
    fn s3_a_distribution_adds_up_to_the_fen() {
        let (mut w, a) = (World::new(), actors());
        let decision = w.passed("operating_assets");
        let body = json!({"decision": decision, "total": "1000.00", "reserve": "100.00",
                          "welfare": "0.01"});
        assert_eq!(w.sign(&a[2].0, "dividend.distribute", body), Ok(()));
        let d = w
            .state
            .distributions
            .values()
            .next()
            .expect("a distribution");
        let parts: Fen = d.parts.iter().map(|(_, fen)| *fen).sum();
        assert_eq!(parts, Fen(89_999));
        // 899.99 over three equal holders: 300.00, 300.00, 299.99.
        let mut each: Vec<i64> = d.parts.iter().map(|(_, f)| f.0).collect();
        each.sort_unstable();
        assert_eq!(each, [29_999, 30_000, 30_000]);
    }
}
