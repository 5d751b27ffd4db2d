//! Rules of the exchange (X1–X6, M2–M9, H3–H4) and of the guarantee (G1–G3):
//! one function per step of a deal, each checking the listing is at that
//! step. The rules of the listing are checked again at settlement.

use chrono::{Duration, Months};

use crate::model::decision::Subject;
use crate::model::entry::{
    AssignmentConsent, AttestRetention, AwardCancel, BidMatch, BidPlace, ContractSign, DealSettle,
    DepositConfirm, HukouSettle, IntentRegister, ListingAward, ListingObject, ListingReview,
    ListingSubmit, ListingWithdraw, ObjectionResolve, PaymentConfirm, PaymentRelease, RightEnd,
    TitleVerify, TransferRegister, TransfereeQualify,
};
use crate::model::exchange::{
    per_mu_year, render_contract, sha256_hex, term_words, Award, Bid, DerivedRight,
    ExchangeRefusal as X, Intent, Listing, Mode, Objection, Review, Status, Written,
};
use crate::model::land::Land;
use crate::model::rights::base_rights;
use crate::model::Fen;
// The rules' shared checks (`text`, `day`, `unencumbered`, …), here and in
// the step modules, which take this module's items with `use super::*`.
use crate::model::codes::collective_of;
use crate::model::rules;
use crate::model::state::{Attestation, Homestead, HukouEvent};
use crate::model::{Change, Context, KeyBinding, Role, RuleError, State};

mod listing;
mod retention;
mod settlement;
mod trading;

pub use listing::{
    assignment_consent, listing_object, listing_review, listing_submit, listing_withdraw,
    objection_resolve,
};
pub use retention::{attest_retention, hukou_settle};
pub(in crate::model::rules) use settlement::land_half;
pub use settlement::{
    award_cancel, deal_settle, payment_confirm, payment_release, right_certify, right_end,
    title_verify, transfer_register,
};
pub use trading::{
    bid_match, bid_place, contract_sign, deposit_confirm, intent_register, listing_award,
    transferee_qualify,
};

fn listing(state: &State, id: u64) -> Result<&Listing, RuleError> {
    Ok(state.listings.get(&id).ok_or(X::UnknownListing { id })?)
}

/// The award of a listing, which the steps after it need; a listing
/// without one is at the wrong stage for them.
fn award_of(l: &Listing) -> Result<&crate::model::exchange::Award, RuleError> {
    l.award.as_ref().ok_or_else(|| {
        X::WrongStage {
            id: l.id,
            status: l.status.as_str(),
            needed: ("awarded", "成交"),
        }
        .into()
    })
}

/// The contract over the parcels named, which a listing names at least one of.
fn named_contract(
    found: Option<&crate::model::state::Contract>,
) -> Result<&crate::model::state::Contract, RuleError> {
    found
        .ok_or_else(|| RuleError::attribute("DKBM", "name at least one parcel", "至少列出一个地块"))
}

fn at_stage(l: &Listing, needed: Status) -> Result<(), RuleError> {
    if l.status == needed {
        return Ok(());
    }
    Err(X::WrongStage {
        id: l.id,
        status: l.status.as_str(),
        needed: (needed.as_str(), Status::zh(needed.as_str())),
    }
    .into())
}

/// The listing after a step, its history extended.
fn saved(mut l: Listing, ctx: &Context, kind: &str) -> Change {
    l.history.push((ctx.index, kind.to_owned()));
    Change::ListingSaved(Box::new(l))
}

/// What a listing of `mode` rests on: the household, its collective, the
/// contract (for land) and the latest day the term may end.
struct Basis {
    household: String,
    contract: Option<String>,
    until: chrono::NaiveDate,
}

/// The rules a listing must meet when submitted and again at settlement:
/// the transferor holds what it lists (M9), the term fits within the
/// contract's (M3) or the house-lease limit (H3), the use stays agricultural
/// (M3), nothing seized or pledged, and nothing listed or transferred twice.
fn check_listing(
    state: &State,
    ctx: &Context,
    transferor: &str,
    l: &Listing,
    right: Option<u64>,
) -> Result<Basis, RuleError> {
    let basis = match l.mode {
        Mode::HouseLease => {
            let h = rules::homestead_held(state, transferor)?;
            let years = (l.end - l.start).num_days() / 365;
            let limit = state.settings.house_lease_max_years;
            let latest = l
                .start
                .checked_add_months(Months::new(12 * limit))
                .unwrap_or(l.start);
            if l.end >= latest {
                return Err(X::HouseLeaseTooLong {
                    years: years.max(1),
                    limit,
                }
                .into());
            }
            Basis {
                household: h.household.clone(),
                contract: None,
                until: l.end,
            }
        }
        Mode::Onward => {
            let r = right
                .and_then(|i| state.rights.get(&i))
                .filter(|r| r.holder == transferor && r.in_force(ctx.today))
                .ok_or_else(|| {
                    RuleError::attribute(
                        "right",
                        "a derived right in force of the signer's",
                        "须为签署方现有的有效流转权利",
                    )
                })?;
            if l.parcels.iter().any(|p| !r.parcels.contains(p)) || l.parcels.is_empty() {
                return Err(RuleError::attribute(
                    "DKBM",
                    "parcels of the right passed on",
                    "须为所再流转权利的地块",
                ));
            }
            Basis {
                household: r.household.clone(),
                contract: None,
                until: r.end,
            }
        }
        Mode::Homestead => {
            rules::homestead_held(state, transferor)?;
            Basis {
                household: transferor.to_owned(),
                contract: None,
                until: l.end,
            }
        }
        Mode::Shares => {
            let held = state.holdings.get(transferor).copied().unwrap_or(0);
            if l.shares == 0 || l.shares > held {
                return Err(RuleError::NotEnoughShares {
                    held,
                    asked: l.shares,
                });
            }
            Basis {
                household: transferor.to_owned(),
                contract: None,
                until: l.end,
            }
        }
        Mode::AssetLease => {
            let subject = if l.parcels.is_empty() {
                Subject::OperatingAssets
            } else {
                // Letting the collective's own land to whoever wins (D2).
                Subject::LettingToOutsiders
            };
            let decision = l.decision.ok_or_else(|| {
                RuleError::attribute(
                    "decision",
                    "the members' decision to let it (X5)",
                    "须有成员大会同意出租的决议（X5）",
                )
            })?;
            rules::shares::passed_decision(state, transferor, decision, subject)?;
            rules::shares::unused_decision(state, decision, Some(l.id))?;
            for p in &l.parcels {
                let ours = state
                    .parcels
                    .get(p.as_str())
                    .is_some_and(|x| x.collective == transferor && x.retired_at.is_none());
                if !ours || state.contract_over(p, l.start).is_some() {
                    return Err(RuleError::NotOfHousehold {
                        what: "parcels",
                        item: p.clone(),
                        household: transferor.to_owned(),
                    });
                }
            }
            Basis {
                household: transferor.to_owned(),
                contract: None,
                until: l.end,
            }
        }
        Mode::Lease | Mode::Subcontract | Mode::Equity | Mode::Assignment | Mode::Swap => {
            if l.parcels.is_empty() {
                return Err(RuleError::attribute(
                    "DKBM",
                    "a listing of land names its parcels",
                    "土地流转项目须列明地块",
                ));
            }
            let k = named_contract(rules::household_contract(
                state, ctx.today, transferor, &l.parcels,
            )?)?;
            // C2: arable land held past its recorded end is the household's
            // for the extension by law.
            let arable = l.parcels.iter().all(|p| {
                state
                    .parcels
                    .get(p.as_str())
                    .is_some_and(|x| matches!(x.land_use.as_str(), "1" | "4"))
            });
            let mut until = match k.returned {
                Some((_, effective, _)) => effective.pred_opt().unwrap_or(effective),
                None => k.end_by_law(ctx.today, arable),
            };
            if l.mode == Mode::Swap {
                let other = swap_counterparty(state, ctx, transferor, &l.swap_for)?;
                until = until.min(other.end);
            }
            Basis {
                household: k.household.clone(),
                contract: Some(k.code.clone()),
                until,
            }
        }
    };
    if l.end > basis.until {
        return Err(X::TermBeyondContract {
            end: l.end.to_string(),
            contract_end: basis.until.to_string(),
        }
        .into());
    }
    let keeps_use = matches!(
        l.mode,
        Mode::Lease | Mode::Subcontract | Mode::Equity | Mode::Onward
    );
    if keeps_use && !["1", "2", "3", "4"].contains(&l.land_use.as_str()) {
        return Err(X::NonAgriculturalUse {
            land_use: l.land_use.clone(),
        }
        .into());
    }
    for title in l.titles_of(&basis.household) {
        let p = &title.key();
        rules::unencumbered(state, ctx.today, p, rules::Holds::SeizureOrPledge)?;
        // A transferee's onward listing rests on the household's land beside
        // the household's own; two of one kind may not.
        if let Some(other) = state
            .listings_on(p)
            .find(|o| o.id != l.id && (o.mode == Mode::Onward) == (l.mode == Mode::Onward))
        {
            return Err(X::AlreadyListed {
                parcel: p.to_owned(),
                listing: other.id,
            }
            .into());
        }
        if let Some(r) = state
            .rights_on(p)
            .find(|r| Some(r.index) != right && r.start <= l.end && l.start <= r.end)
        {
            return Err(X::AlreadyTransferred {
                parcel: p.to_owned(),
                right: r.index,
            }
            .into());
        }
    }
    Ok(basis)
}

/// The contract of the household that holds every parcel a swap asks for:
/// another household of the same collective (M2).
fn swap_counterparty<'s>(
    state: &'s State,
    ctx: &Context,
    transferor: &str,
    parcels: &[String],
) -> Result<&'s crate::model::state::Contract, RuleError> {
    let first = parcels.first().ok_or_else(|| {
        RuleError::attribute("swap_for", "the parcels taken in return", "换入的地块")
    })?;
    let holder = state
        .contract_over(first, ctx.today)
        .map(|k| k.household.clone())
        .filter(|h| h != transferor)
        .ok_or_else(|| {
            RuleError::attribute(
                "swap_for",
                "parcels another household contracts",
                "须为其他农户承包的地块",
            )
        })?;
    if collective_of(&holder) != collective_of(transferor) {
        return Err(X::OutsideCollective {
            what: ("a swap", "互换"),
            collective: collective_of(transferor).to_owned(),
        }
        .into());
    }
    named_contract(rules::household_contract(
        state, ctx.today, &holder, parcels,
    )?)
}

fn no_open_objection(l: &Listing) -> Result<(), RuleError> {
    match l.open_objection() {
        Some(o) => Err(X::ObjectionPending {
            listing: l.id,
            objection: o.index,
        }
        .into()),
        None => Ok(()),
    }
}

/// A transferee the county reviewed and approved: an organisation's
/// qualification, project and risk (M8), a person's age within the county's
/// limits today (X6).
fn qualified(state: &State, ctx: &Context, party: &str) -> Result<(), RuleError> {
    let review = state
        .reviews
        .values()
        .filter(|r| r.party == party)
        .max_by_key(|r| r.index);
    let Some(r) = review.filter(|r| r.approved) else {
        return Err(X::NotQualified {
            party: party.to_owned(),
            why: "no approved review by the county (M8)".into(),
            why_zh: "县里尚未审查通过（M8）".into(),
        }
        .into());
    };
    let (min, max) = (
        state.settings.transferee_min_age,
        state.settings.transferee_max_age,
    );
    match r.born {
        Some(born) if !r.qualifies_on(ctx.today, min, max) => {
            let age = ctx.today.years_since(born).unwrap_or(0);
            Err(X::NotQualified {
                party: party.to_owned(),
                why: format!("{age} years old, outside {min}–{max} (X6)"),
                why_zh: format!("{age} 岁，不在 {min}–{max} 岁之间（X6）"),
            }
            .into())
        }
        _ => Ok(()),
    }
}

/// A listing whose notice is running today (intents and objections come in
/// then, X2).
fn under_notice(state: &State, ctx: &Context, id: u64) -> Result<Listing, RuleError> {
    let l = listing(state, id)?;
    at_stage(l, Status::Notice)?;
    if l.notice_to.is_some_and(|to| ctx.today > to) {
        return Err(X::WrongStage {
            id: l.id,
            status: "notice (closed)",
            needed: ("notice", "公示"),
        }
        .into());
    }
    Ok(l.clone())
}

/// Moves a listing whose notice is over to trading.
fn after_notice(mut l: Listing, ctx: &Context) -> Listing {
    l.status = l.status_on(ctx.today);
    l
}

/// M2: an assignment waits for the 发包方's consent.
fn consented(l: &Listing) -> Result<(), RuleError> {
    if l.mode == Mode::Assignment && l.consent.is_none() {
        return Err(X::NoConsent {
            collective: l.collective.clone(),
        }
        .into());
    }
    Ok(())
}

/// At settlement the winner still may take it: a household of the
/// collective where the mode asks one (M2, S2), a transferee still
/// qualified (M8, X6).
fn check_winner(state: &State, ctx: &Context, l: &Listing) -> Result<(), RuleError> {
    may_take(state, ctx, l, &award_of(l)?.party).map(|_| ())
}

/// Whether `party` may acquire what `l` lists: a household of the
/// collective where the mode asks one (M2, S2), a transferee the county
/// reviewed (M8, X6). Returns whether it is a member household (M3).
fn may_take(state: &State, ctx: &Context, l: &Listing, party: &str) -> Result<bool, RuleError> {
    let member =
        party.len() == 18 && party.starts_with(&l.collective) && state.household(party).is_some();
    match (l.mode.members_only(), member) {
        (Some(_), false) if l.mode == Mode::Shares => {
            return Err(RuleError::SharesToNonMember {
                to: party.to_owned(),
            })
        }
        (Some(what), false) => {
            return Err(X::OutsideCollective {
                what,
                collective: l.collective.clone(),
            }
            .into())
        }
        _ => {}
    }
    if !state.households.contains_key(party) {
        qualified(state, ctx, party)?;
    }
    if l.mode == Mode::Homestead {
        holds_no_homestead(state, ctx.today, party)?;
    }
    Ok(member)
}

/// H1: one household, one homestead — counting one it exited but may
/// still take back (G4).
fn holds_no_homestead(
    state: &State,
    day: chrono::NaiveDate,
    household: &str,
) -> Result<(), RuleError> {
    let Some(h) = state.homesteads.get(household) else {
        return Ok(());
    };
    let revocable =
        rules::surrender::exits_in_window(state, day).any(|(s, _)| s.household == household);
    if h.exited.is_none() || revocable {
        return Err(RuleError::SecondHomestead {
            household: household.to_owned(),
            at: h.granted_at,
        });
    }
    Ok(())
}

/// A listing whose land the state took (E2): withdrawn, every deposit back.
pub(in crate::model::rules) fn withdrawn_by_law(l: &Listing, ctx: &Context, kind: &str) -> Change {
    let mut l = l.clone();
    release_deposits(&mut l, None, ctx.index);
    l.status = Status::Withdrawn;
    saved(l, ctx, kind)
}

/// Deposits of the qualified bidders other than `keep` go back.
fn release_deposits(l: &mut Listing, keep: Option<&str>, at: u64) {
    for i in &mut l.intents {
        if Some(i.party.as_str()) != keep && i.confirmed_at.is_some() {
            i.released_at = Some(at);
        }
    }
}
