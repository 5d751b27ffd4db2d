//! Trading (X2–X4, X6, M3, M8, M9): intents and deposits, bids, priority
//! matches, the award with its rendered contract, the parties' signatures,
//! and the county's review of transferees.

use super::*;
use crate::model::fields::Day;

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
            "每方只能登记一次意向，出让方不得登记",
        ));
    }
    let member = may_take(state, ctx, &l, &signer.party)?;
    if l.mode == Mode::Swap && l.counterparty.as_ref() != Some(&signer.party) {
        return Err(X::OutsideCollective {
            what: (
                "a swap: the household holding the parcels asked for",
                "互换：须为所换地块的承包户",
            ),
            collective: l.collective.clone(),
        }
        .into());
    }
    let deposit = rules::money(state, "deposit", &body.deposit)?;
    if deposit != l.deposit {
        return Err(RuleError::attribute(
            "deposit",
            format!("the listing asks {} yuan", l.deposit),
            format!("该项目要求保证金 {} 元", l.deposit),
        ));
    }
    l.intents.push(Intent {
        party: signer.party.clone(),
        member,
        deposit,
        registered_at: ctx.index,
        confirmed_at: None,
        released_at: None,
        forfeited_at: None,
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
            RuleError::attribute(
                "party",
                "an intent whose deposit is not yet confirmed",
                "须为保证金尚未确认的意向登记",
            )
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
    let amount = rules::money(state, "amount", &body.amount)?;
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
        return Err(X::BidTooLow {
            least: least.to_string(),
        }
        .into());
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
    // X3: a deal is flagged for county-level publication by the price it
    // reaches, not only by its reserve (rules 2).
    if state.settings.authority() && amount >= state.settings.large_deal_yuan {
        l.county_level = true;
    }
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
        return Err(X::NotReady(("the auction is still running", "竞价仍在进行")).into());
    }
    let best = l
        .best()
        .ok_or(X::NotReady((
            "no bid at or above the reserve",
            "没有不低于底价的报价",
        )))?
        .clone();
    let parcels = parcel_lines(state, &l);
    let text = render_contract(&l, &best.party, best.amount, &parcels);
    l.award = Some(Award {
        index: ctx.index,
        party: best.party.clone(),
        price: best.amount,
        contract_sha256: sha256_hex(&text),
        day: Some(ctx.today),
        parcels,
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
    let award = award_of(&l)?;
    if signer.party != l.transferor && signer.party != award.party {
        return Err(RuleError::attribute(
            "listing",
            "only the parties sign the contract",
            "只有合同双方可以签署",
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
            "该方已签署",
        ));
    }
    l.signed_by.push(signer.party.clone());
    Ok(vec![saved(l, ctx, "contract.sign")])
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
        return Err(RuleError::attribute(
            "party",
            "a registered transferee",
            "须为已登记的受让方",
        ));
    }
    // The review fits the party (a transferee is a person or an
    // organisation): a person by commitment, an organisation by its social
    // credit code.
    let fits = crate::model::authority::PartyType::of(ctx.county, &body.party)
        .is_ok_and(|t| t.as_str() == body.kind);
    if !fits {
        return Err(RuleError::attribute(
            "kind",
            "person for a person commitment, organisation for a social credit code",
            "个人承诺值对应 `person`，统一社会信用代码对应 `organisation`",
        ));
    }
    let born = match (body.kind.as_str(), &body.born) {
        // A month of birth of the last 120 years, written YYYY-MM.
        ("person", Some(b)) if b.len() == 7 => {
            let first =
                Day::parse(&format!("{b}-01")).map_err(|why| RuleError::because("born", why))?;
            Some(rules::past_day(ctx, "born", first, 120)?)
        }
        ("person", Some(_)) => {
            return Err(RuleError::attribute(
                "born",
                "YYYY-MM",
                "须为 YYYY-MM 格式的年月",
            ))
        }
        ("person", None) => {
            return Err(RuleError::attribute(
                "born",
                "a person's month of birth (X6)",
                "须填自然人的出生年月（X6）",
            ))
        }
        ("organisation", None) => {
            for (field, v) in [
                ("project_sha256", &body.project_sha256),
                ("risk_sha256", &body.risk_sha256),
            ] {
                if v.is_none() {
                    return Err(RuleError::attribute(
                        field,
                        "the review's documents (M8)",
                        "须提供审查材料（M8）",
                    ));
                }
            }
            None
        }
        _ => {
            return Err(RuleError::attribute(
                "kind",
                "person (with born) or organisation",
                "须为自然人 `person`（并填 `born`）或组织 `organisation`",
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
