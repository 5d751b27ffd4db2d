//! Listing a right (X1, X2): submission with the rules of what may be
//! listed, the exchange's review, objections during the notice, and the
//! 发包方's consent to an assignment (M2).

use super::*;
use crate::model::codes::texts;
use crate::model::shares::Fen;

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
            if body.consent_sha256.is_none() {
                return Err(RuleError::attribute("consent_sha256", "the household's written consent (M2)", "须有承包农户的书面同意（M2）"));
            }
        }
        (Role::Collective, Mode::AssetLease) => {}
        (Role::Household, m) if !matches!(m, Mode::Onward | Mode::AssetLease) => {}
        _ => return Err(RuleError::attribute("mode", "households list their land, houses and shares; transferees pass on what they hold (onward); collectives let their assets", "农户挂牌其土地、房屋和份额；受让方只能再流转其所持权利；集体经济组织出租其资产")),
    }
    let start = body.start.date();
    // An assignment or swap runs to its contract's end (set once the
    // contract is found); shares pass for good.
    let end = match body.mode {
        Mode::Shares | Mode::Homestead => start,
        Mode::Assignment | Mode::Swap if body.end.is_empty() => chrono::NaiveDate::MAX,
        _ => rules::day("end", &body.end)?,
    };
    if end < start || start < ctx.today {
        return Err(RuleError::attribute(
            "start",
            "a term from today or later, ending after it starts",
            "期限须从今天或以后开始，且终止日期晚于起始日期",
        ));
    }
    let reserve = rules::money(state, "reserve", &body.reserve)?;
    // A swap is paid in land; any price is a balance on top.
    if reserve == Fen::ZERO && body.mode != Mode::Swap {
        return Err(RuleError::attribute(
            "reserve",
            "a transfer is compensated (M3): above zero",
            "流转须有偿（M3）：价款须大于零",
        ));
    }
    let auction = AuctionRules::read(
        state,
        body.increment.as_ref(),
        body.deposit.as_ref(),
        body.auction_minutes,
    )?;
    // Proposed all together or not at all: a listing with none is one
    // whose rules the exchange sets (its `auction_minutes` is 0 till then).
    let proposed =
        auction.increment.is_some() || auction.deposit.is_some() || auction.minutes.is_some();
    auction.check(reserve, proposed)?;
    let (increment, deposit) = (
        auction.increment.unwrap_or(Fen::ZERO),
        auction.deposit.unwrap_or(Fen::ZERO),
    );
    let auction_minutes = auction.minutes.unwrap_or(0);
    let mut parcels = texts(&body.parcels);
    parcels.sort_unstable();
    parcels.dedup();
    let land_use = match (body.mode, &body.land_use) {
        (Mode::Lease | Mode::Subcontract | Mode::Equity | Mode::Onward, None) => {
            return Err(RuleError::attribute(
                "TDYT",
                "the use the transferee keeps",
                "受让方保持的土地用途",
            ))
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
            "对方农户的地块，仅适用于互换",
        ));
    }
    if (body.mode == Mode::Shares) != body.shares.is_some() {
        return Err(RuleError::attribute(
            "shares",
            "how many shares, for shares only",
            "份额数量，仅适用于份额转让",
        ));
    }
    let asset = match (body.mode, &body.asset) {
        (Mode::AssetLease, Some(a)) => Some(a.to_string()),
        (Mode::AssetLease, None) => {
            return Err(RuleError::attribute(
                "asset",
                "what the collective lets",
                "集体出租的资产",
            ))
        }
        (_, Some(_)) => {
            return Err(RuleError::attribute(
                "asset",
                "for an asset lease only",
                "仅适用于集体资产出租",
            ))
        }
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
        auction_minutes,
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
        paid_out_at: None,
        certificate_no: None,
        settled_at: None,
        contract_no: None,
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
        let k = rules::household_contract(state, ctx.today, &signer.party, &l.parcels)?;
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
                format!("转让或互换须转移剩余承包期，至 {until}"),
            ));
        }
    }
    let basis = check_listing(state, ctx, &signer.party, &l, body.right)?;
    l.collective = crate::model::codes::collective_of(&basis.household).to_owned();
    l.household = basis.household;
    l.contract = basis.contract;
    if l.mode == Mode::Swap {
        let other = swap_counterparty(state, ctx, &l.transferor, &l.swap_for)?
            .household
            .clone();
        // G1: the other household's parcels are listed only with its own
        // signature, so no one can tie up land that is not theirs.
        rules::cosigned_by(state, ctx, &other, "listing.submit")?;
        l.counterparty = Some(other);
    }
    if l.mode == Mode::Onward {
        // M2 (Art. 46): the household's written consent to the onward
        // transfer is its own signature on the listing, not a hash the
        // transferee supplies.
        rules::cosigned_by(state, ctx, &l.household, "listing.submit")?;
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
    if body.approve {
        // X2: the exchange's rules for the auction, in place of any the
        // listing proposed; a listing proposing none has them now or waits.
        let set = AuctionRules::read(
            state,
            body.increment.as_ref(),
            body.deposit.as_ref(),
            body.auction_minutes,
        )?;
        let proposed = l.auction_minutes > 0;
        let rules = AuctionRules {
            increment: set.increment.or(proposed.then_some(l.increment)),
            deposit: set.deposit.or(proposed.then_some(l.deposit)),
            minutes: set.minutes.or(proposed.then_some(l.auction_minutes)),
        };
        rules.check(l.reserve, true)?;
        l.increment = rules.increment.unwrap_or(l.increment);
        l.deposit = rules.deposit.unwrap_or(l.deposit);
        l.auction_minutes = rules.minutes.unwrap_or(l.auction_minutes);
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

/// `listing.object`: anyone registered may object while the notice runs
/// (X2); trading waits until the exchange answers.
pub fn listing_object(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &ListingObject,
) -> Result<Vec<Change>, RuleError> {
    let mut l = under_notice(state, ctx, body.listing)?;
    // R2: only a party with a stake objects: the listing's collective, a
    // household of it (its members have priority, M3), or the household
    // whose land it is.
    let stake = match signer.role {
        Role::Collective => signer.party == l.collective,
        Role::Household => {
            crate::model::codes::collective_of(&signer.party) == l.collective
                || signer.party == l.household
        }
        _ => false,
    };
    if !stake {
        return Err(RuleError::PartyNotAllowed {
            signer_role: signer.role.as_str(),
            signer_party: signer.party.clone(),
            role: "listing",
            party: l.id.to_string(),
        });
    }
    if let Some(o) = l
        .objections
        .iter()
        .find(|o| o.party == signer.party && o.resolved.is_none())
    {
        return Err(RuleError::ObjectionRepeated { open: o.index });
    }
    rules::objections_within_cap(state, ctx, signer)?;
    l.objections.push(Objection {
        index: ctx.index,
        party: signer.party.clone(),
        reason: body.reason.to_string(),
        document_sha256: body.document_sha256.to_string(),
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
    let o = l
        .objections
        .iter_mut()
        .find(|o| o.index == body.objection && o.resolved.is_none())
        .ok_or_else(|| {
            RuleError::attribute(
                "objection",
                "an unanswered objection to the listing",
                "须为该项目尚未答复的异议",
            )
        })?;
    o.resolved = Some((ctx.index, body.upheld));
    if body.upheld {
        l.status = Status::Rejected;
        release_deposits(&mut l, None, ctx.index);
    }
    Ok(vec![saved(l, ctx, "objection.resolve")])
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
            "须为签署方集体经济组织土地上的转让",
        ));
    }
    if !l.status.is_open() || l.verified_at.is_some() || l.consent.is_some() {
        return Err(X::WrongStage {
            id: l.id,
            status: l.status.as_str(),
            needed: (
                "open, not yet verified or consented",
                "尚未核验、尚未同意的挂牌",
            ),
        }
        .into());
    }
    l.consent = Some(ctx.index);
    Ok(vec![saved(l, ctx, "assignment.consent")])
}

/// `listing.withdraw`: the party that listed takes the listing back, before
/// an award (M3: a transfer is voluntary to the end of trading). Deposits go
/// back; the land or right may be listed again.
pub fn listing_withdraw(
    state: &State,
    ctx: &Context,
    signer: &KeyBinding,
    body: &ListingWithdraw,
) -> Result<Vec<Change>, RuleError> {
    let mut l = after_notice(listing(state, body.listing)?.clone(), ctx);
    if signer.party != l.transferor {
        return Err(RuleError::attribute(
            "listing",
            "a listing of the signer's own",
            "须为签署方自己挂牌的项目",
        ));
    }
    if !matches!(l.status, Status::Review | Status::Notice | Status::Trading) {
        return Err(X::WrongStage {
            id: l.id,
            status: l.status.as_str(),
            needed: (
                "review, notice or trading (before an award)",
                "审核、公示或交易（成交之前）",
            ),
        }
        .into());
    }
    release_deposits(&mut l, None, ctx.index);
    l.status = Status::Withdrawn;
    Ok(vec![saved(l, ctx, "listing.withdraw")])
}

/// The auction's rules as a listing proposes them or the exchange sets them
/// (X2): the least raise, the deposit (fen), the minutes it runs once open.
struct AuctionRules {
    increment: Option<Fen>,
    deposit: Option<Fen>,
    minutes: Option<u32>,
}

impl AuctionRules {
    fn read(
        state: &State,
        increment: Option<&crate::model::entry::Yuan>,
        deposit: Option<&crate::model::entry::Yuan>,
        minutes: Option<u32>,
    ) -> Result<AuctionRules, RuleError> {
        Ok(AuctionRules {
            increment: increment
                .map(|y| rules::money(state, "increment", y))
                .transpose()?,
            deposit: deposit
                .map(|y| rules::money(state, "deposit", y))
                .transpose()?,
            minutes,
        })
    }

    /// Each rule given is sound; `whole`: all are given (an approval).
    fn check(&self, reserve: Fen, whole: bool) -> Result<(), RuleError> {
        let missing = |field: &'static str| {
            RuleError::attribute(
                field,
                "the auction's rules go together — the least raise, the deposit, the minutes — \
                 and the exchange sets them on approval if the listing proposed none (X2)",
                "竞价规则（加价幅度、保证金、竞价时长）须一并定下；挂牌时没有提出的，由交易所审核通过时定（X2）",
            )
        };
        match self.increment {
            Some(Fen::ZERO) => {
                return Err(RuleError::attribute(
                    "increment",
                    "an increment above zero",
                    "加价幅度须大于零",
                ))
            }
            None if whole => return Err(missing("increment")),
            _ => {}
        }
        match self.deposit {
            Some(d) if d > reserve => {
                return Err(RuleError::attribute(
                    "deposit",
                    "a deposit within the reserve",
                    "保证金不得超过底价",
                ))
            }
            None if whole => return Err(missing("deposit")),
            _ => {}
        }
        match self.minutes {
            Some(m) if !(10..=10_080).contains(&m) => Err(RuleError::attribute(
                "auction_minutes",
                "10 minutes to 7 days",
                "须为 10 分钟至 7 天",
            )),
            None if whole => Err(missing("auction_minutes")),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::rules::world::*;
    use serde_json::json;

    /// M9: no one lists a household's land but the household — not another
    /// household, not its collective.
    #[test]
    fn m9_only_the_household_lists_its_land() {
        let (mut w, a) = (World::new(), actors());
        let lease = json!({"mode": "lease", "DKBM": [format!("{VILLAGE}00001")],
            "start": "2027-01-01", "end": "2031-12-31", "TDYT": "1",
            "reserve": "20000.00", "increment": "500.00", "deposit": "2000.00",
            "auction_minutes": 30});
        assert_eq!(
            w.sign(&a[5].0, "listing.submit", lease.clone()),
            Err("not_of_household")
        );
        assert_eq!(
            w.sign(&a[2].0, "listing.submit", lease.clone()),
            Err("bad_attribute")
        );
        assert_eq!(w.sign(&a[4].0, "listing.submit", lease), Ok(()));
        assert_eq!(w.state.listings.len(), 1);
    }

    /// D2 (and X5): the collective lets its own land to outsiders only on
    /// a decision to let it — one about its operating assets will not do —
    /// and never land a household holds under contract.
    #[test]
    fn d2_the_collective_lets_its_land_on_a_decision_to_let_it() {
        let (mut w, a) = (World::new(), actors());
        let collective = a[2].0.public_bytes();
        let own = format!("{VILLAGE}00040");
        let parcel = json!({"DKBM": own, "DKMC": "机动地", "DKLB": "22", "TDYT": "1",
            "DLDJ": "05", "SFJBNT": "2", "geometry": null});
        assert!(w.admit(&collective, "parcel.register", parcel, &[square(40)]));
        let lease = |decision: u64, parcel: &str| {
            json!({"mode": "asset_lease", "DKBM": [parcel],
            "asset": "机动地", "decision": decision, "TDYT": "1", "start": "2027-01-01",
            "end": "2031-12-31", "reserve": "20000.00", "increment": "500.00",
            "deposit": "2000.00", "auction_minutes": 30})
        };
        let assets = w.passed("operating_assets");
        assert_eq!(
            w.sign(&a[2].0, "listing.submit", lease(assets, &own)),
            Err("decision_not_passed")
        );
        let letting = w.passed("letting_to_outsiders");
        let contracted = format!("{VILLAGE}00001");
        assert_eq!(
            w.sign(&a[2].0, "listing.submit", lease(letting, &contracted)),
            Err("not_of_household")
        );
        assert_eq!(
            w.sign(&a[2].0, "listing.submit", lease(letting, &own)),
            Ok(())
        );
    }

    /// X2: the auction's rules are the exchange's. A farmer lists his land,
    /// term and reserve only; the exchange approves with the least raise,
    /// the deposit and the length — and cannot approve without them; a
    /// listing proposes them all together or none; the exchange's rules
    /// stand in place of those proposed.
    #[test]
    fn x2_the_exchange_sets_the_auction_rules_on_review() {
        let (mut w, a) = (World::new(), actors());
        let land = json!({"mode": "lease", "DKBM": [format!("{VILLAGE}00001")],
            "start": "2027-01-01", "end": "2031-12-31", "TDYT": "1", "reserve": "20000.00"});
        let mut partial = land.clone();
        partial["increment"] = json!("500.00");
        assert_eq!(
            w.sign(&a[4].0, "listing.submit", partial),
            Err("bad_attribute")
        );
        let first = w.index;
        assert_eq!(w.sign(&a[4].0, "listing.submit", land.clone()), Ok(()));
        assert_eq!(w.state.listings[&first].auction_minutes, 0);
        let review = |rules: serde_json::Value| {
            let mut body = json!({"listing": first, "approve": true, "reason": "材料齐全"});
            body.as_object_mut()
                .unwrap()
                .extend(rules.as_object().unwrap().clone());
            body
        };
        assert_eq!(
            w.sign(&a[1].0, "listing.review", review(json!({}))),
            Err("bad_attribute")
        );
        assert_eq!(
            w.sign(
                &a[1].0,
                "listing.review",
                review(
                    json!({"increment": "500.00", "deposit": "30000.00", "auction_minutes": 60})
                )
            ),
            Err("bad_attribute"),
            "a deposit above the reserve"
        );
        assert_eq!(
            w.sign(
                &a[1].0,
                "listing.review",
                review(json!({"increment": "500.00", "deposit": "2000.00", "auction_minutes": 60}))
            ),
            Ok(())
        );
        let l = &w.state.listings[&first];
        assert_eq!(
            (l.increment.0, l.deposit.0, l.auction_minutes, l.status),
            (50_000, 200_000, 60, crate::model::exchange::Status::Notice)
        );
        // Proposed by the listing, replaced by the exchange's.
        let mut proposed = land;
        proposed["DKBM"] = json!([format!("{VILLAGE}00002")]);
        proposed["increment"] = json!("100.00");
        proposed["deposit"] = json!("500.00");
        proposed["auction_minutes"] = json!(30);
        let second = w.index;
        assert_eq!(w.sign(&a[4].0, "listing.submit", proposed), Ok(()));
        let body =
            json!({"listing": second, "approve": true, "reason": "材料齐全", "deposit": "1000.00"});
        assert_eq!(w.sign(&a[1].0, "listing.review", body), Ok(()));
        let l = &w.state.listings[&second];
        assert_eq!(
            (l.increment.0, l.deposit.0, l.auction_minutes),
            (10_000, 100_000, 30)
        );
    }
}
