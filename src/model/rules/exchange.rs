//! Rules of the exchange (X1–X6, M2–M9, H3–H4) and of the guarantee (G1–G3):
//! one function per step of a deal, each checking the listing is at that
//! step. The rules of the listing are checked again at settlement.

use chrono::{Duration, Months};

use crate::model::decision::Subject;
use crate::model::entry::{
    AssignmentConsent, AttestRetention, BidMatch, BidPlace, ContractSign, DealSettle,
    DepositConfirm, HukouSettle, IntentRegister, ListingAward, ListingObject, ListingReview,
    ListingSubmit, ObjectionResolve, PaymentConfirm, RightEnd, TitleVerify, TransferRegister,
    TransfereeQualify,
};
use crate::model::exchange::{
    base_rights, render_contract, sha256_hex, shares_title, Award, Bid, DerivedRight,
    ExchangeRefusal as X, Intent, Listing, Mode, Objection, Review, Status,
};
use crate::model::shares::{parse_yuan, yuan, Fen};
use crate::model::state::{Attestation, Homestead, HukouEvent};
use crate::model::{Change, Context, KeyBinding, Role, RuleError, State};

fn money(field: &'static str, text: &str) -> Result<Fen, RuleError> {
    parse_yuan(text).map_err(|r| RuleError::attribute(field, r))
}

fn listing(state: &State, id: u64) -> Result<&Listing, RuleError> {
    Ok(state.listings.get(&id).ok_or(X::UnknownListing { id })?)
}

fn at_stage(l: &Listing, needed: Status) -> Result<(), RuleError> {
    if l.status == needed {
        return Ok(());
    }
    Err(X::WrongStage {
        id: l.id,
        status: l.status.as_str(),
        needed: needed.as_str(),
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
            let h = state
                .homesteads
                .get(transferor)
                .filter(|h| h.exited.is_none())
                .ok_or_else(|| RuleError::NoHomestead {
                    household: transferor.to_owned(),
                })?;
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
                    RuleError::attribute("right", "a derived right in force of the signer's")
                })?;
            if l.parcels.iter().any(|p| !r.parcels.contains(p)) || l.parcels.is_empty() {
                return Err(RuleError::attribute(
                    "DKBM",
                    "parcels of the right passed on",
                ));
            }
            Basis {
                household: r.household.clone(),
                contract: None,
                until: r.end,
            }
        }
        Mode::Homestead => {
            state
                .homesteads
                .get(transferor)
                .filter(|h| h.exited.is_none())
                .ok_or_else(|| RuleError::NoHomestead {
                    household: transferor.to_owned(),
                })?;
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
                RuleError::attribute("decision", "the members' decision to let it (X5)")
            })?;
            super::shares::passed_decision(state, transferor, decision, subject)?;
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
                ));
            }
            let k = super::household_contract(state, ctx.today, transferor, &l.parcels)?
                .expect("parcels were named");
            let mut until = match k.returned {
                Some((_, effective, _)) => effective.pred_opt().unwrap_or(effective),
                None => k.end,
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
    let titles: Vec<String> = match l.mode {
        Mode::HouseLease | Mode::Homestead => vec![Homestead::land_key(&basis.household)],
        Mode::Shares => vec![shares_title(&basis.household)],
        _ => l.parcels.iter().chain(&l.swap_for).cloned().collect(),
    };
    for p in &titles {
        super::unencumbered(state, p, super::Holds::SeizureOrPledge)?;
        // A transferee's onward listing rests on the household's land beside
        // the household's own; two of one kind may not.
        if let Some(other) = state
            .listings_on(p)
            .find(|o| o.id != l.id && (o.mode == Mode::Onward) == (l.mode == Mode::Onward))
        {
            return Err(X::AlreadyListed {
                parcel: p.clone(),
                listing: other.id,
            }
            .into());
        }
        if let Some(r) = state
            .rights_on(p)
            .find(|r| Some(r.index) != right && r.start <= l.end && l.start <= r.end)
        {
            return Err(X::AlreadyTransferred {
                parcel: p.clone(),
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
    let first = parcels
        .first()
        .ok_or_else(|| RuleError::attribute("swap_for", "the parcels taken in return"))?;
    let holder = state
        .contract_over(first, ctx.today)
        .map(|k| k.household.clone())
        .filter(|h| h != transferor)
        .ok_or_else(|| RuleError::attribute("swap_for", "parcels another household contracts"))?;
    if holder[..14] != transferor[..14] {
        return Err(X::OutsideCollective {
            what: "互换 (swap)",
            collective: transferor[..14].to_owned(),
        }
        .into());
    }
    Ok(super::household_contract(state, ctx.today, &holder, parcels)?.expect("parcels named"))
}

/// `listing.submit`: by the household that holds the land or homestead (M9:
/// no one lists a household's land without it), or by a transferee passing
/// on its right with the household's written consent (M2).
pub fn listing_submit(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &ListingSubmit,
) -> Result<Vec<Change>, RuleError> {
    match (signer.role, body.mode) {
        (Role::Transferee, Mode::Onward) => {
            let consent = body.consent_sha256.as_deref().ok_or_else(|| {
                RuleError::attribute("consent_sha256", "the household's written consent (M2)")
            })?;
            super::sha256_hex("consent_sha256", consent)?;
        }
        (Role::Collective, Mode::AssetLease) => {}
        (Role::Household, m) if !matches!(m, Mode::Onward | Mode::AssetLease) => {}
        _ => return Err(RuleError::attribute(
            "mode",
            "households list their land, houses and shares; transferees pass on what they hold (onward); collectives let their assets",
        )),
    }
    let start = super::day("start", &body.start)?;
    // An assignment or swap runs to its contract's end (set once the
    // contract is found); shares pass for good.
    let end = match body.mode {
        Mode::Shares | Mode::Homestead => start,
        Mode::Assignment | Mode::Swap if body.end.is_empty() => chrono::NaiveDate::MAX,
        _ => super::day("end", &body.end)?,
    };
    if end < start || start < ctx.today {
        return Err(RuleError::attribute(
            "start",
            "a term from today or later, ending after it starts",
        ));
    }
    let (reserve, increment, deposit) = (
        money("reserve", &body.reserve)?,
        money("increment", &body.increment)?,
        money("deposit", &body.deposit)?,
    );
    // A swap is paid in land; any price is a balance on top.
    if reserve == 0 && body.mode != Mode::Swap {
        return Err(RuleError::attribute(
            "reserve",
            "a transfer is compensated (M3): above zero",
        ));
    }
    if increment == 0 || deposit > reserve {
        return Err(RuleError::attribute(
            "increment",
            "an increment above zero, and a deposit within the reserve",
        ));
    }
    if !(10..=10_080).contains(&body.auction_minutes) {
        return Err(RuleError::attribute(
            "auction_minutes",
            "10 minutes to 7 days",
        ));
    }
    let mut parcels = body.parcels.clone();
    parcels.sort_unstable();
    parcels.dedup();
    let land_use = match (body.mode, &body.land_use) {
        (Mode::Lease | Mode::Subcontract | Mode::Equity | Mode::Onward, None) => {
            return Err(RuleError::attribute("TDYT", "the use the transferee keeps"))
        }
        (_, Some(u)) => u.clone(),
        (_, None) => "-".to_owned(),
    };
    let mut swap_for = body.swap_for.clone();
    swap_for.sort_unstable();
    swap_for.dedup();
    if (body.mode == Mode::Swap) == swap_for.is_empty() {
        return Err(RuleError::attribute(
            "swap_for",
            "the other household's parcels, for a swap only",
        ));
    }
    if (body.mode == Mode::Shares) != body.shares.is_some() {
        return Err(RuleError::attribute(
            "shares",
            "how many shares, for shares only",
        ));
    }
    let asset = match (body.mode, &body.asset) {
        (Mode::AssetLease, Some(a)) => {
            super::text("asset", a)?;
            Some(a.clone())
        }
        (Mode::AssetLease, None) => {
            return Err(RuleError::attribute("asset", "what the collective lets"))
        }
        (_, Some(_)) => return Err(RuleError::attribute("asset", "for an asset lease only")),
        (_, None) => None,
    };
    let mut l = Listing {
        id: ctx.index,
        mode: body.mode,
        transferor: signer.party.clone(),
        household: String::new(),
        collective: String::new(),
        contract: None,
        parcels,
        start,
        end,
        land_use,
        reserve,
        increment,
        deposit,
        auction_minutes: body.auction_minutes,
        status: Status::Review,
        notice_from: None,
        notice_to: None,
        county_level: reserve >= state.settings.large_deal_yuan,
        intents: Vec::new(),
        bids: Vec::new(),
        deadline: None,
        award: None,
        signed_by: Vec::new(),
        verified_at: None,
        paid_at: None,
        certificate_no: None,
        settled_at: None,
        history: Vec::new(),
        counterparty: None,
        swap_for,
        shares: body.shares.unwrap_or(0),
        asset,
        decision: body.decision,
        consent: None,
        objections: Vec::new(),
        registered: Vec::new(),
    };
    if matches!(l.mode, Mode::Assignment | Mode::Swap) {
        // M2: the contract right passes for the rest of its term.
        let k = super::household_contract(state, ctx.today, &signer.party, &l.parcels)?;
        let mut until = k.map_or(l.start, |k| k.end);
        if l.mode == Mode::Swap {
            until = until.min(swap_counterparty(state, ctx, &signer.party, &l.swap_for)?.end);
        }
        if l.end == chrono::NaiveDate::MAX {
            l.end = until;
        } else if l.end < until {
            return Err(RuleError::attribute(
                "end",
                format!("an assignment or swap passes the rest of the term, to {until}"),
            ));
        }
    }
    let basis = check_listing(state, ctx, &signer.party, &l, body.right)?;
    l.collective = basis.household[..14].to_owned();
    l.household = basis.household;
    l.contract = basis.contract;
    if l.mode == Mode::Swap {
        l.counterparty = Some(
            swap_counterparty(state, ctx, &l.transferor, &l.swap_for)?
                .household
                .clone(),
        );
    }
    Ok(vec![saved(l, ctx, "listing.submit")])
}

/// `listing.review`: the exchange admits the listing to notice for the
/// county's number of working days (X3), or rejects it.
pub fn listing_review(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &ListingReview,
) -> Result<Vec<Change>, RuleError> {
    let mut l = listing(state, body.listing)?.clone();
    at_stage(&l, Status::Review)?;
    super::text("reason", &body.reason)?;
    if body.approve {
        let (from, to) = state
            .settings
            .calendar
            .notice_period(ctx.today, state.settings.notice_working_days);
        l.status = Status::Notice;
        l.notice_from = Some(from);
        l.notice_to = Some(to);
    } else {
        l.status = Status::Rejected;
    }
    Ok(vec![saved(l, ctx, "listing.review")])
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
        }
        .into());
    };
    if let Some(born) = r.born {
        let age = ctx.today.years_since(born).unwrap_or(0);
        let (min, max) = (
            state.settings.transferee_min_age,
            state.settings.transferee_max_age,
        );
        if age < min || age > max {
            return Err(X::NotQualified {
                party: party.to_owned(),
                why: format!("{age} years old, outside {min}–{max} (X6)"),
            }
            .into());
        }
    }
    Ok(())
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
            needed: "notice",
        }
        .into());
    }
    Ok(l.clone())
}

/// Moves a listing whose notice is over to trading.
fn after_notice(mut l: Listing, ctx: &Context) -> Listing {
    if l.status == Status::Notice && l.notice_to.is_some_and(|to| ctx.today > to) {
        l.status = Status::Trading;
    }
    l
}

/// `intent.register`: during the notice, with the deposit the listing asks;
/// a subcontract (转包) goes to households of the same collective only.
pub fn intent_register(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &IntentRegister,
) -> Result<Vec<Change>, RuleError> {
    let mut l = under_notice(state, ctx, body.listing)?;
    if signer.party == l.transferor || l.intent(&signer.party).is_some() {
        return Err(RuleError::attribute(
            "listing",
            "one intent per party, not by the transferor",
        ));
    }
    let member = may_take(state, ctx, &l, &signer.party)?;
    if l.mode == Mode::Swap && l.counterparty.as_ref() != Some(&signer.party) {
        return Err(X::OutsideCollective {
            what: "互换 (swap): the household holding the parcels asked for",
            collective: l.collective.clone(),
        }
        .into());
    }
    let deposit = money("deposit", &body.deposit)?;
    if deposit != l.deposit {
        return Err(RuleError::attribute(
            "deposit",
            format!("the listing asks {} yuan", yuan(l.deposit)),
        ));
    }
    l.intents.push(Intent {
        party: signer.party.clone(),
        member,
        deposit,
        registered_at: ctx.index,
        confirmed_at: None,
        released_at: None,
    });
    Ok(vec![saved(l, ctx, "intent.register")])
}

/// `deposit.confirm`: by the exchange, for a registered intent.
pub fn deposit_confirm(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &DepositConfirm,
) -> Result<Vec<Change>, RuleError> {
    let mut l = listing(state, body.listing)?.clone();
    if l.status != Status::Trading {
        at_stage(&l, Status::Notice)?;
    }
    let intent = l
        .intents
        .iter_mut()
        .find(|i| i.party == body.party && i.confirmed_at.is_none())
        .ok_or_else(|| {
            RuleError::attribute("party", "an intent whose deposit is not yet confirmed")
        })?;
    intent.confirmed_at = Some(ctx.index);
    Ok(vec![saved(l, ctx, "deposit.confirm")])
}

/// `bid.place`: after the notice, by a bidder whose deposit is confirmed.
/// One qualified bidder negotiates at no less than the reserve; two or more
/// bid in an auction that closes `auction_minutes` after its first bid, by
/// at least the increment, and a bid in the last minutes extends it (X4).
pub fn bid_place(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &BidPlace,
) -> Result<Vec<Change>, RuleError> {
    let mut l = after_notice(listing(state, body.listing)?.clone(), ctx);
    at_stage(&l, Status::Trading)?;
    no_open_objection(&l)?;
    if l.intent(&signer.party)
        .is_none_or(|i| i.confirmed_at.is_none())
    {
        return Err(X::NoDeposit {
            party: signer.party.clone(),
            listing: l.id,
        }
        .into());
    }
    let amount = money("amount", &body.amount)?;
    let auction = l.qualified().count() >= 2;
    if let Some(deadline) = l.deadline {
        if ctx.now > deadline {
            return Err(X::AuctionClosed {
                deadline: deadline.to_rfc3339(),
            }
            .into());
        }
    }
    let least = match l.best() {
        Some(b) if auction => b.amount + l.increment,
        _ => l.reserve,
    };
    if amount < least {
        return Err(X::BidTooLow { least: yuan(least) }.into());
    }
    if auction {
        let window = Duration::minutes(state.settings.anti_sniping_minutes as i64);
        let deadline = l
            .deadline
            .unwrap_or(ctx.now + Duration::minutes(l.auction_minutes as i64));
        l.deadline = Some(deadline.max(ctx.now + window));
    }
    l.bids.push(Bid {
        index: ctx.index,
        party: signer.party.clone(),
        amount,
        at: ctx.now,
        matched: false,
    });
    Ok(vec![saved(l, ctx, "bid.place")])
}

/// `bid.match`: before the award, a qualified member of the collective takes
/// the best bid of an outsider on equal terms (M3), or the transferee whose
/// term on this land ended takes the best bid to renew (M9).
pub fn bid_match(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &BidMatch,
) -> Result<Vec<Change>, RuleError> {
    let mut l = after_notice(listing(state, body.listing)?.clone(), ctx);
    at_stage(&l, Status::Trading)?;
    let me = l
        .intent(&signer.party)
        .filter(|i| i.confirmed_at.is_some())
        .ok_or_else(|| X::NoDeposit {
            party: signer.party.clone(),
            listing: l.id,
        })?;
    let best = l.best().ok_or(X::NothingToMatch)?;
    // The first priority claimed stands: a match is matched by no one.
    if best.matched || best.party == signer.party {
        return Err(X::NothingToMatch.into());
    }
    let outsider = l.intent(&best.party).is_some_and(|i| !i.member);
    let priority = (me.member && outsider) || renewing(state, &l, &signer.party);
    if !priority {
        return Err(X::NothingToMatch.into());
    }
    let amount = best.amount;
    l.bids.push(Bid {
        index: ctx.index,
        party: signer.party.clone(),
        amount,
        at: ctx.now,
        matched: true,
    });
    Ok(vec![saved(l, ctx, "bid.match")])
}

/// M9: the transferee whose term on this land ended has priority to renew
/// on equal terms (a right ended early under M7 gives none).
fn renewing(state: &State, l: &Listing, party: &str) -> bool {
    matches!(l.mode, Mode::Lease | Mode::Subcontract | Mode::Equity)
        && l.parcels.iter().any(|p| {
            state
                .rights_on(p)
                .any(|r| r.holder == party && r.end < l.start && r.mode != Mode::AssetLease)
        })
}

/// The parcels of a listing as the contract names them.
fn parcel_lines(state: &State, l: &Listing) -> String {
    if l.mode == Mode::Shares {
        return format!(
            "{} shares of the household's collective income distribution right (份额)",
            l.shares
        );
    }
    if let Some(asset) = &l.asset {
        if l.parcels.is_empty() {
            return asset.clone();
        }
    }
    if l.mode == Mode::HouseLease {
        return format!(
            "the house on homestead {}",
            Homestead::land_key(&l.household)
        );
    }
    if l.mode == Mode::Homestead {
        let area = state.homesteads.get(&l.household).map(|h| h.area.m2());
        return format!(
            "the homestead use right (宅基地使用权) {} with the house on it, {} m²",
            Homestead::land_key(&l.household),
            area.map(|a| a.to_string()).unwrap_or_default()
        );
    }
    l.parcels
        .iter()
        .map(|p| match state.parcels.get(p.as_str()) {
            Some(x) => format!("{p} {} ({} m², grade {})", x.name, x.area.m2(), x.grade),
            None => p.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `listing.award`: by the exchange, once bidding is over: a negotiated deal
/// at once, an auction after its deadline. The best bid wins; a member's
/// match wins over the outsider's equal bid (M3).
pub fn listing_award(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &ListingAward,
) -> Result<Vec<Change>, RuleError> {
    let mut l = after_notice(listing(state, body.listing)?.clone(), ctx);
    at_stage(&l, Status::Trading)?;
    no_open_objection(&l)?;
    if l.deadline.is_some_and(|d| ctx.now <= d) {
        return Err(X::NotReady("the auction is still running").into());
    }
    let best = l
        .best()
        .ok_or(X::NotReady("no bid at or above the reserve"))?
        .clone();
    let text = render_contract(&l, &best.party, best.amount, &parcel_lines(state, &l));
    l.award = Some(Award {
        index: ctx.index,
        party: best.party.clone(),
        price: best.amount,
        contract_sha256: sha256_hex(&text),
    });
    l.status = Status::Awarded;
    Ok(vec![saved(l, ctx, "listing.award")])
}

/// `contract.sign`: the transferor or the winner signs the SHA-256 of the
/// contract rendered for the award (M5), once each.
pub fn contract_sign(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &ContractSign,
) -> Result<Vec<Change>, RuleError> {
    let mut l = listing(state, body.listing)?.clone();
    at_stage(&l, Status::Awarded)?;
    let award = l.award.as_ref().expect("awarded");
    if signer.party != l.transferor && signer.party != award.party {
        return Err(RuleError::attribute(
            "listing",
            "only the parties sign the contract",
        ));
    }
    if body.contract_sha256 != award.contract_sha256 {
        return Err(X::ContractMismatch {
            expected: award.contract_sha256.clone(),
        }
        .into());
    }
    if l.signed_by.contains(&signer.party) {
        return Err(RuleError::attribute(
            "listing",
            "already signed by this party",
        ));
    }
    l.signed_by.push(signer.party.clone());
    Ok(vec![saved(l, ctx, "contract.sign")])
}

/// `title.verify`: by the county, once both signed: the listing's rules hold
/// on the title as it is now; the verification names this log index.
pub fn title_verify(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &TitleVerify,
) -> Result<Vec<Change>, RuleError> {
    let mut l = listing(state, body.listing)?.clone();
    at_stage(&l, Status::Awarded)?;
    if l.signed_by.len() < 2 {
        return Err(X::NotReady("both parties sign the contract first").into());
    }
    consented(&l)?;
    check_listing(state, ctx, &l.transferor, &l, onward_right(state, &l))?;
    l.verified_at = Some(ctx.index);
    Ok(vec![saved(l, ctx, "title.verify")])
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
    may_take(state, ctx, l, &l.award.as_ref().expect("awarded").party).map(|_| ())
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
        super::surrender::exits_in_window(state, day).any(|(s, _)| s.household == household);
    if h.exited.is_none() || revocable {
        return Err(RuleError::SecondHomestead {
            household: household.to_owned(),
            at: h.granted_at,
        });
    }
    Ok(())
}

/// Deposits of the qualified bidders other than `keep` go back.
fn release_deposits(l: &mut Listing, keep: Option<&str>, at: u64) {
    for i in &mut l.intents {
        if Some(i.party.as_str()) != keep && i.confirmed_at.is_some() {
            i.released_at = Some(at);
        }
    }
}

/// The derived right an onward listing passes on.
fn onward_right(state: &State, l: &Listing) -> Option<u64> {
    (l.mode == Mode::Onward)
        .then(|| {
            let first = l.parcels.first()?;
            state
                .rights_on(first)
                .find(|r| {
                    r.holder == l.transferor && l.parcels.iter().all(|p| r.parcels.contains(p))
                })
                .map(|r| r.index)
        })
        .flatten()
}

/// `payment.confirm`: by the exchange, the full price in escrow (M4).
pub fn payment_confirm(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &PaymentConfirm,
) -> Result<Vec<Change>, RuleError> {
    let mut l = listing(state, body.listing)?.clone();
    at_stage(&l, Status::Awarded)?;
    let price = l.award.as_ref().expect("awarded").price;
    if money("amount", &body.amount)? != price {
        return Err(RuleError::attribute(
            "amount",
            format!("the price, {} yuan", yuan(price)),
        ));
    }
    l.paid_at = Some(ctx.index);
    Ok(vec![saved(l, ctx, "payment.confirm")])
}

/// `deal.settle`: by the exchange, after verification and payment, and only
/// if no title it rests on changed since the verification. Creates the
/// derived right for its term (M6: registered from five years), releases the
/// losing deposits, and records the 交易鉴证书. The household's base rights
/// are untouched (G2).
pub fn deal_settle(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &DealSettle,
) -> Result<Vec<Change>, RuleError> {
    let mut l = listing(state, body.listing)?.clone();
    at_stage(&l, Status::Awarded)?;
    let verified = l
        .verified_at
        .ok_or(X::NotReady("the county verifies the title first"))?;
    if l.paid_at.is_none() {
        return Err(X::NotReady("the price is in escrow first").into());
    }
    for t in l.titles() {
        if let Some(&at) = state.touched.get(&t).filter(|&&at| at > verified) {
            return Err(X::TitleChanged {
                parcel: t,
                at,
                verified,
            }
            .into());
        }
    }
    consented(&l)?;
    check_listing(state, ctx, &l.transferor, &l, onward_right(state, &l))?;
    check_winner(state, ctx, &l)?;
    let no = body.certificate_no.trim();
    if no.is_empty() || no.chars().count() > 40 {
        return Err(RuleError::attribute(
            "certificate_no",
            "the 交易鉴证书 number, 1 to 40 characters",
        ));
    }
    let award = l.award.clone().expect("awarded");
    release_deposits(&mut l, Some(&award.party), ctx.index);
    l.status = Status::Settled;
    l.certificate_no = Some(no.to_owned());
    l.settled_at = Some(ctx.index);
    if l.mode.moves_base_right() {
        // The households register the change themselves (G1).
        return Ok(vec![saved(l, ctx, "deal.settle")]);
    }
    let right = DerivedRight {
        index: ctx.index,
        listing: l.id,
        mode: l.mode,
        holder: award.party.clone(),
        household: l.household.clone(),
        parcels: l.parcels.clone(),
        start: l.start,
        end: l.end,
        price: award.price,
        // The term's last day is its own: 2027-01-01 to 2031-12-31 is five years.
        registered: l.end.succ_opt().unwrap_or(l.end)
            >= l.start.checked_add_months(Months::new(60)).unwrap_or(l.end),
        ended: None,
    };
    Ok(vec![
        saved(l, ctx, "deal.settle"),
        Change::RightSaved(right),
    ])
}

/// `right.end`: the household ends a derived right on its land early, only
/// if the transferee changed the use, abandoned the land two years, or
/// seriously damaged it (M7).
pub fn right_end(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &RightEnd,
) -> Result<Vec<Change>, RuleError> {
    let mut r = state
        .rights
        .get(&body.right)
        .filter(|r| r.household == signer.party && r.ended.is_none() && ctx.today <= r.end)
        .cloned()
        .ok_or_else(|| {
            RuleError::attribute("right", "a derived right in force on the household's land")
        })?;
    if !["use_changed", "abandoned", "damaged"].contains(&body.ground.as_str()) {
        return Err(X::NotAGround {
            ground: body.ground.chars().take(40).collect(),
        }
        .into());
    }
    super::sha256_hex("document_sha256", &body.document_sha256)?;
    r.ended = Some((ctx.index, body.ground.clone()));
    Ok(vec![Change::RightSaved(r)])
}

/// `hukou.settle`: by the county or the person's collective: a member of a
/// household settled in a town. It changes no right and no membership (C5,
/// H5, S5, G3); no rule reads it.
pub fn hukou_settle(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &HukouSettle,
) -> Result<Vec<Change>, RuleError> {
    let household = state
        .member_of
        .get(&body.person)
        .ok_or_else(|| RuleError::attribute("person", "a member of a registered household"))?;
    if signer.role == Role::Collective && !household.starts_with(&signer.party) {
        return Err(RuleError::PersonNotInCollective {
            collective: signer.party.clone(),
        });
    }
    let town_ok = matches!(body.town.len(), 6 | 9) && body.town.bytes().all(|b| b.is_ascii_digit());
    if !town_ok {
        return Err(RuleError::attribute(
            "town",
            "a GB/T 2260 code of 6 or 9 digits",
        ));
    }
    super::sha256_hex("document_sha256", &body.document_sha256)?;
    Ok(vec![Change::HukouSettled(HukouEvent {
        index: ctx.index,
        person: body.person.clone(),
        town: body.town.clone(),
        date: super::day("date", &body.date)?,
    })])
}

/// `attest.retention`: the county states the base rights a household holds
/// now; the statement must be exactly what the state says (G3).
pub fn attest_retention(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &AttestRetention,
) -> Result<Vec<Change>, RuleError> {
    if !state.households.contains_key(&body.household) {
        return Err(RuleError::UnknownHousehold {
            code: body.household.clone(),
        });
    }
    if base_rights(state, &body.household, ctx.today) != body.rights {
        return Err(X::AttestationUntrue.into());
    }
    Ok(vec![Change::Attested(Attestation {
        index: ctx.index,
        household: body.household.clone(),
        day: ctx.today,
        rights: body.rights.clone(),
    })])
}

/// `assignment.consent`: the 发包方 of the listing's land consents to its
/// assignment (M2), before the county verifies the title.
pub fn assignment_consent(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &AssignmentConsent,
) -> Result<Vec<Change>, RuleError> {
    let mut l = listing(state, body.listing)?.clone();
    if l.mode != Mode::Assignment || l.collective != signer.party {
        return Err(RuleError::attribute(
            "listing",
            "an assignment of land of the signing collective",
        ));
    }
    if !l.status.is_open() || l.verified_at.is_some() || l.consent.is_some() {
        return Err(X::WrongStage {
            id: l.id,
            status: l.status.as_str(),
            needed: "open, not yet verified or consented",
        }
        .into());
    }
    super::sha256_hex("document_sha256", &body.document_sha256)?;
    l.consent = Some(ctx.index);
    Ok(vec![saved(l, ctx, "assignment.consent")])
}

/// `listing.object`: anyone registered may object while the notice runs
/// (X2); trading waits until the exchange answers.
pub fn listing_object(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &ListingObject,
) -> Result<Vec<Change>, RuleError> {
    let mut l = under_notice(state, ctx, body.listing)?;
    super::text("reason", &body.reason)?;
    super::sha256_hex("document_sha256", &body.document_sha256)?;
    l.objections.push(Objection {
        index: ctx.index,
        party: signer.party.clone(),
        reason: body.reason.clone(),
        document_sha256: body.document_sha256.clone(),
        resolved: None,
    });
    Ok(vec![saved(l, ctx, "listing.object")])
}

/// `objection.resolve`: the exchange answers an objection. Upheld, the
/// listing is withdrawn and the deposits go back; dismissed, it goes on.
pub fn objection_resolve(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &ObjectionResolve,
) -> Result<Vec<Change>, RuleError> {
    let mut l = after_notice(listing(state, body.listing)?.clone(), ctx);
    super::text("reason", &body.reason)?;
    let o = l
        .objections
        .iter_mut()
        .find(|o| o.index == body.objection && o.resolved.is_none())
        .ok_or_else(|| {
            RuleError::attribute("objection", "an unanswered objection to the listing")
        })?;
    o.resolved = Some((ctx.index, body.upheld));
    if body.upheld {
        l.status = Status::Rejected;
        release_deposits(&mut l, None, ctx.index);
    }
    Ok(vec![saved(l, ctx, "objection.resolve")])
}

/// `transfer.register`: after an assignment, swap or share transfer
/// settled, each household that gives registers the change to its own base
/// right (G1): its parcels go to the other under a new contract for the
/// rest of their term (M2), or its shares pass (S2).
pub fn transfer_register(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &TransferRegister,
) -> Result<Vec<Change>, RuleError> {
    let mut l = listing(state, body.listing)?.clone();
    at_stage(&l, Status::Settled)?;
    if !l.mode.moves_base_right() {
        return Err(RuleError::attribute(
            "listing",
            "an assignment, swap or share transfer",
        ));
    }
    let winner = l.award.as_ref().expect("settled").party.clone();
    let (receiver, parcels) = if signer.party == l.transferor {
        (winner, l.parcels.clone())
    } else if l.mode == Mode::Swap && signer.party == winner {
        (l.transferor.clone(), l.swap_for.clone())
    } else {
        return Err(RuleError::attribute(
            "listing",
            "a party that gives in this deal",
        ));
    };
    if l.registered.iter().any(|(_, p)| *p == signer.party) {
        return Err(RuleError::attribute(
            "listing",
            "already registered by this party",
        ));
    }
    let mut changes = Vec::new();
    if l.mode == Mode::Shares {
        changes.extend(super::shares::move_shares(
            state,
            &signer.party,
            &receiver,
            l.shares,
        )?);
    } else if l.mode == Mode::Homestead {
        check_listing(state, ctx, &signer.party, &l, None)?;
        holds_no_homestead(state, ctx.today, &receiver)?;
        changes.push(Change::HomesteadMoved {
            from: signer.party.clone(),
            to: receiver.clone(),
        });
    } else {
        let old = super::household_contract(state, ctx.today, &signer.party, &parcels)?
            .expect("parcels named");
        for p in &parcels {
            super::unencumbered(state, p, super::Holds::All)?;
        }
        let to = state
            .household(&receiver)
            .ok_or_else(|| RuleError::UnknownHousehold {
                code: receiver.clone(),
            })?;
        let code = ('K'..='Z')
            .filter(|c| *c != 'J')
            .map(|c| format!("{receiver}{c}"))
            .find(|c| !state.contracts.contains_key(c))
            .ok_or_else(|| {
                RuleError::attribute("listing", "a free contract code of the receiver")
            })?;
        changes.push(Change::ContractParcels {
            code: old.code.clone(),
            parcels: old
                .parcels
                .iter()
                .filter(|p| !parcels.contains(p))
                .cloned()
                .collect(),
        });
        changes.push(Change::ContractGranted(crate::model::state::Contract {
            code,
            household: receiver.clone(),
            parcels,
            start: ctx.today.max(old.start),
            end: old.end,
            certificate_members: to.members.iter().map(|m| m.person.clone()).collect(),
            registered_at: ctx.index,
            returned: None,
        }));
    }
    l.registered.push((ctx.index, signer.party.clone()));
    changes.insert(0, saved(l, ctx, "transfer.register"));
    Ok(changes)
}

/// `transferee.qualify`: the county's review of a transferee (M8, X6).
pub fn transferee_qualify(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &TransfereeQualify,
) -> Result<Vec<Change>, RuleError> {
    let transferee = state
        .keys
        .values()
        .any(|k| k.role == Role::Transferee && k.party == body.party);
    if !transferee {
        return Err(RuleError::attribute("party", "a registered transferee"));
    }
    let born = match (body.kind.as_str(), &body.born) {
        ("person", Some(b)) => Some(
            chrono::NaiveDate::parse_from_str(&format!("{b}-01"), "%Y-%m-%d")
                .map_err(|_| RuleError::attribute("born", "YYYY-MM"))?,
        ),
        ("person", None) => {
            return Err(RuleError::attribute(
                "born",
                "a person's month of birth (X6)",
            ))
        }
        ("organisation", None) => {
            for (field, v) in [
                ("project_sha256", &body.project_sha256),
                ("risk_sha256", &body.risk_sha256),
            ] {
                let v = v
                    .as_deref()
                    .ok_or_else(|| RuleError::attribute(field, "the review's documents (M8)"))?;
                super::sha256_hex(field, v)?;
            }
            None
        }
        _ => {
            return Err(RuleError::attribute(
                "kind",
                "person (with born) or organisation",
            ))
        }
    };
    Ok(vec![Change::TransfereeReviewed(Review {
        index: ctx.index,
        party: body.party.clone(),
        kind: body.kind.clone(),
        born,
        approved: body.approved,
    })])
}
