//! G4: a surrender — a household's return of its contract (C6) or exit from
//! its homestead (H5), a member's voluntary exit from the collective (P4), a
//! share buy-back (S2) — is compensated, and may be withdrawn within the
//! county's cooling-off window.

use crate::model::entry::SurrenderWithdraw;
use crate::model::state::Surrender;
use crate::model::{Change, Context, KeyBinding, RuleError, State};

/// Homesteads exited within their cooling-off window on `day`: their land
/// is not yet free to grant again (G4, H5).
pub(super) fn exits_in_window(
    state: &State,
    day: chrono::NaiveDate,
) -> impl Iterator<Item = (&Surrender, &crate::model::state::Homestead)> {
    state
        .surrenders
        .values()
        .filter(move |s| s.kind == "homestead.exit" && s.withdrawn.is_none() && day <= s.until)
        .filter_map(|s| state.homesteads.get(&s.household).map(|h| (s, h)))
}

/// What is surrendered.
pub(super) enum Surrendered {
    Contract(String),
    Homestead,
    /// A member's voluntary exit from the collective: her commitment.
    Membership(String),
    /// Shares sold back to the collective.
    Shares(u64),
}

/// The record of a surrender made now by `household` (or one of its
/// members), withdrawable for the county's cooling-off days.
pub(super) fn surrendered(
    state: &State,
    ctx: &Context,
    household: &str,
    what: Surrendered,
) -> Change {
    let days = chrono::Days::new(state.settings.cooling_off_days.into());
    let (kind, contract, person, shares) = match what {
        Surrendered::Contract(code) => ("contract.return", Some(code), None, None),
        Surrendered::Homestead => ("homestead.exit", None, None, None),
        Surrendered::Membership(person) => ("member.end", None, Some(person), None),
        Surrendered::Shares(n) => ("shares.buyback", None, None, Some(n)),
    };
    Change::SurrenderSaved(Surrender {
        index: ctx.index,
        household: household.to_owned(),
        kind: kind.to_owned(),
        contract,
        person,
        shares,
        day: ctx.today,
        until: ctx.today.checked_add_days(days).unwrap_or(ctx.today),
        withdrawn: None,
    })
}

/// `surrender.withdraw`: by the household that surrendered (for a member's
/// exit, her household), within the window: the contract, the homestead,
/// the membership or the shares are as before (G4).
pub fn surrender_withdraw(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &SurrenderWithdraw,
) -> Result<Vec<Change>, RuleError> {
    let mut s = state
        .surrenders
        .get(&body.surrender)
        .filter(|s| s.household == signer.party && s.withdrawn.is_none())
        .cloned()
        .ok_or_else(|| {
            RuleError::attribute(
                "surrender",
                "a surrender of the household's, not withdrawn",
                "须为本户尚未撤回的交回、退出或回购",
            )
        })?;
    if ctx.today > s.until {
        return Err(RuleError::CoolingOffOver {
            until: s.until.to_string(),
        });
    }
    let refuse = |en: &'static str, zh: &'static str| RuleError::attribute("surrender", en, zh);
    let undo = match (&s.contract, &s.person, s.shares) {
        (Some(code), _, _) => Change::ContractReturnWithdrawn { code: code.clone() },
        (None, Some(person), _) => {
            // The membership this exit ended, not one ended or begun since.
            let ended_here = state
                .memberships
                .get(person)
                .and_then(|m| m.ended.as_ref())
                .is_some_and(|(at, _)| *at == s.index);
            if !ended_here {
                return Err(refuse(
                    "an exit whose membership has not changed since",
                    "须为此后成员身份未再变动的退出",
                ));
            }
            Change::MembershipRestored {
                person: person.clone(),
            }
        }
        (None, None, Some(shares)) => {
            // The shares the collective still holds.
            let collective = crate::model::codes::collective_of(&s.household);
            if state.holdings.get(collective).copied().unwrap_or(0) < shares {
                return Err(refuse(
                    "a buy-back whose shares the collective still holds",
                    "须为集体仍持有所回购份额的回购",
                ));
            }
            Change::SharesMoved {
                from: collective.to_owned(),
                to: s.household.clone(),
                shares,
            }
        }
        (None, None, None) => {
            // H1: not while the household holds another homestead since.
            if state
                .homesteads
                .get(&s.household)
                .is_some_and(|h| h.exited.is_none())
            {
                return Err(refuse(
                    "an exit the household has not since replaced by another homestead (H1)",
                    "须为本户此后未另得宅基地的退出（H1）",
                ));
            }
            Change::HomesteadRestored {
                household: s.household.clone(),
                geometry: state
                    .homesteads
                    .get(&s.household)
                    .map(|h| h.geometry.clone())
                    .ok_or_else(|| RuleError::NoHomestead {
                        household: s.household.clone(),
                    })?,
            }
        }
    };
    s.withdrawn = Some(ctx.index);
    Ok(vec![Change::SurrenderSaved(s), undo])
}
