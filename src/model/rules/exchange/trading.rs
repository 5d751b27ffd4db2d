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

/// The land of a listing as the English texts of template 1 describe it,
/// for the logs still on them (`Settings::contracts`).
fn parcel_lines_v1(state: &State, l: &Listing) -> String {
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

/// The land (shares, house or asset) of a listing as its contract
/// describes it (M5): each parcel by name and code with its 坐落, 四至 in
/// the neighbours' names, area in 亩 and m², 地力等级, class and whether it
/// is basic farmland.
fn parcel_lines(state: &State, land: &dyn Land, l: &Listing) -> String {
    use crate::model::land::SIZHI_SIDES;
    use crate::model::words;
    if l.mode == Mode::Shares {
        return format!("集体收益分配权份额 {} 股", l.shares);
    }
    if let Some(asset) = &l.asset {
        if l.parcels.is_empty() {
            return asset.clone();
        }
    }
    let collective = |code: &str| {
        state
            .collectives
            .get(code)
            .map_or_else(|| code.to_owned(), |c| c.name.clone())
    };
    if matches!(l.mode, Mode::HouseLease | Mode::Homestead) {
        let key = Homestead::land_key(&l.household);
        let area = state
            .homesteads
            .get(&l.household)
            .map(|h| words::grouped(&h.area.m2().to_string()))
            .unwrap_or_else(|| "—".to_owned());
        let what = if l.mode == Mode::HouseLease {
            "宅基地上的住房一处"
        } else {
            "宅基地使用权及地上住房"
        };
        return format!(
            "{what}：坐落于{}，宅基地编号 {key}，宅基地面积 {area} 平方米。",
            collective(&l.collective)
        );
    }
    let name_of = |code: &str| {
        state
            .parcels
            .get(code)
            .map_or_else(|| code.to_owned(), |p| p.name.to_string())
    };
    l.parcels
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let Some(p) = state.parcels.get(code.as_str()) else {
                return format!("{}. 地块编码 {code}", i + 1);
            };
            let sizhi = land
                .sizhi(code)
                .iter()
                .zip(SIZHI_SIDES)
                .map(|(n, side)| match n {
                    Some(n) => format!("{side}至{}", name_of(n)),
                    None => format!("{side}：无相邻登记地块"),
                })
                .collect::<Vec<_>>()
                .join("，");
            format!(
                "{}. {}（地块编码 {code}）：坐落于{}；四至：{sizhi}；面积 {} 亩（{} 平方米）；地力等级 {}；{}；{}。",
                i + 1,
                p.name,
                collective(&p.collective),
                words::mu(p.area),
                words::grouped(&p.area.m2().to_string()),
                words::grade(&p.grade),
                words::land_class(&p.class),
                if p.basic_farmland { "永久基本农田" } else { "非基本农田" },
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A party as a contract names it in its 正文: a household or collective
/// by name and code, a person or an organisation by what the log knows of
/// it (their names are in the 当事人信息及签署页, off the log).
fn party_words(state: &State, party: &str) -> String {
    use crate::model::words;
    let collective_name = |code: &str| {
        state
            .collectives
            .get(code)
            .map_or_else(|| code.to_owned(), |c| c.name.clone())
    };
    if state.households.contains_key(party) {
        let collective = collective_name(collective_of(party));
        return format!(
            "承包方 {}（承包方编码 {party}）",
            words::household(&collective, party)
        );
    }
    if state.collectives.contains_key(party) {
        return format!("{}（发包方编码 {party}）", collective_name(party));
    }
    if party.len() == 64 && party.bytes().all(|b| b.is_ascii_hexdigit()) {
        return "个人受让方".to_owned();
    }
    format!("单位受让方（统一社会信用代码 {party}）")
}

/// What a template-2 contract says of its parties and places on the day of
/// the award (M5), with its 合同编号: the collective's code and the next of
/// its 4-digit sequence (P1), kept by a listing awarded again.
fn written(state: &State, l: &Listing, winner: &str, price: Fen) -> Written {
    use crate::model::words;
    let county = state
        .county
        .as_ref()
        .map_or_else(String::new, |c| c.name.clone());
    let contract_no = l.contract_no.clone().unwrap_or_else(|| {
        let given = state
            .contracts_numbered
            .get(&l.collective)
            .copied()
            .unwrap_or(0);
        format!("{}{:04}", l.collective, given + 1)
    });
    let area = l
        .parcels
        .iter()
        .filter_map(|p| state.parcels.get(p.as_str()))
        .fold(crate::model::Area::ZERO, |a, p| {
            crate::model::Area(a.0 + p.area.0)
        });
    Written {
        contract_no,
        exchange: format!("{county}农村产权交易中心"),
        county,
        collective: party_words(state, &l.collective),
        transferor: party_words(state, &l.transferor),
        transferee: party_words(state, winner),
        household: party_words(state, &l.household),
        area_mu: words::mu(area),
        years: term_words(l.start, l.end),
        per_mu_year: per_mu_year(price, area, l.start, l.end).unwrap_or_else(|| "—".to_owned()),
    }
}

/// `listing.award`: by the exchange, once bidding is over: a negotiated deal
/// at once, an auction after its deadline. The best bid wins; a member's
/// match wins over the outsider's equal bid (M3). The contract is written
/// on the mode's Chinese template (M5).
pub fn listing_award(
    state: &State,
    land: &dyn Land,
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
    let mut award = Award {
        index: ctx.index,
        party: best.party.clone(),
        price: best.amount,
        contract_sha256: String::new(),
        day: Some(ctx.today),
        parcels: String::new(),
        template: state.settings.contracts,
        written: None,
        schedule_sha256: None,
    };
    if award.template >= 2 {
        let w = written(state, &l, &best.party, best.amount);
        l.contract_no = Some(w.contract_no.clone());
        award.parcels = parcel_lines(state, land, &l);
        award.written = Some(w);
    } else {
        award.parcels = parcel_lines_v1(state, &l);
    }
    award.contract_sha256 = sha256_hex(&render_contract(&l, &award));
    l.award = Some(award);
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
    // Template 2: the first party fixes the 当事人信息及签署页 it read (the
    // registry offers only the one it keeps); the other signs the same.
    let schedule = match (
        award.template,
        &body.schedule_sha256,
        &award.schedule_sha256,
    ) {
        (1, None, _) => None,
        (1, Some(_), _) => {
            return Err(RuleError::attribute(
                "schedule_sha256",
                "none: this contract has no separate page of the parties",
                "不填：这份合同没有单独的当事人信息页",
            ))
        }
        (_, None, _) => {
            return Err(RuleError::attribute(
                "schedule_sha256",
                "the SHA-256 of the page of the parties that was read",
                "须填所读的当事人信息及签署页的 SHA-256",
            ))
        }
        (_, Some(read), Some(fixed)) if &**read != fixed => {
            return Err(X::ContractMismatch {
                expected: award.sha256_with(fixed),
            }
            .into())
        }
        (_, Some(read), _) => Some(read.to_string()),
    };
    let expected = award.sha256_with(schedule.as_deref().unwrap_or_default());
    if body.contract_sha256 != expected {
        return Err(X::ContractMismatch { expected }.into());
    }
    if l.signed_by.contains(&signer.party) {
        return Err(RuleError::attribute(
            "listing",
            "already signed by this party",
            "该方已签署",
        ));
    }
    l.signed_by.push(signer.party.clone());
    if let Some(award) = l.award.as_mut() {
        award.schedule_sha256 = award.schedule_sha256.take().or(schedule);
    }
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
