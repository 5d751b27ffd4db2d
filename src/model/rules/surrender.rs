//! G4: a household's surrender — the return of its contract (C6) or its exit
//! from its homestead (H5) — is compensated, and the household may withdraw
//! it within the county's cooling-off window.

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
        .filter(move |s| s.contract.is_none() && s.withdrawn.is_none() && day <= s.until)
        .filter_map(|s| state.homesteads.get(&s.household).map(|h| (s, h)))
}

/// The record of a surrender made now, withdrawable for the county's
/// cooling-off days.
pub(super) fn surrendered(
    state: &State,
    ctx: &Context,
    household: &str,
    kind: &str,
    contract: Option<String>,
) -> Change {
    let days = chrono::Days::new(state.settings.cooling_off_days.into());
    Change::SurrenderSaved(Surrender {
        index: ctx.index,
        household: household.to_owned(),
        kind: kind.to_owned(),
        contract,
        day: ctx.today,
        until: ctx.today.checked_add_days(days).unwrap_or(ctx.today),
        withdrawn: None,
    })
}

/// `surrender.withdraw`: by the household that surrendered, within the
/// window: the contract or homestead is its own again, as before (G4).
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
                "a return or exit of the household's, not withdrawn",
                "须为本户尚未撤回的交回或退出",
            )
        })?;
    super::text("reason", &body.reason)?;
    if ctx.today > s.until {
        return Err(RuleError::CoolingOffOver {
            until: s.until.to_string(),
        });
    }
    // H1: not while the household holds another homestead since.
    let holds_another = s.contract.is_none()
        && state
            .homesteads
            .get(&s.household)
            .is_some_and(|h| h.exited.is_none());
    if holds_another {
        return Err(RuleError::attribute(
            "surrender",
            "an exit the household has not since replaced by another homestead (H1)",
            "须为本户此后未另得宅基地的退出（H1）",
        ));
    }
    s.withdrawn = Some(ctx.index);
    let undo = match &s.contract {
        Some(code) => Change::ContractReturnWithdrawn { code: code.clone() },
        None => Change::HomesteadRestored {
            household: s.household.clone(),
            geometry: state
                .homesteads
                .get(&s.household)
                .map(|h| h.geometry.clone())
                .ok_or_else(|| RuleError::NoHomestead {
                    household: s.household.clone(),
                })?,
        },
    };
    Ok(vec![Change::SurrenderSaved(s), undo])
}
