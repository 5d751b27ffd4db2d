//! Settlement (X2, M6, M7, G1, G2): title verification, escrow, settlement
//! into a derived right, the households' registration of what moves a base
//! right, and the early end of a right on M7's grounds.

use super::*;

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
        return Err(
            X::NotReady(("both parties sign the contract first", "须双方先签署合同")).into(),
        );
    }
    // Once, unless a title changed since: then the county looks again.
    if l.verified_at
        .is_some_and(|v| title_changed_since(state, &l, v).is_none())
    {
        return Err(RuleError::attribute(
            "listing",
            "a listing not yet verified (or whose title changed since)",
            "须为尚未核验（或核验后权属有变）的交易项目",
        ));
    }
    consented(&l)?;
    check_listing(state, ctx, &l.transferor, &l, onward_right(state, &l))?;
    l.verified_at = Some(ctx.index);
    Ok(vec![saved(l, ctx, "title.verify")])
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
    // X2: after the county verified the title, once.
    if l.verified_at.is_none() {
        return Err(
            X::NotReady(("the county verifies the title first", "须县里先核验权属")).into(),
        );
    }
    if l.paid_at.is_some() {
        return Err(RuleError::attribute(
            "listing",
            "a price not yet confirmed",
            "须为价款尚未确认的项目",
        ));
    }
    the_price(state, &l, &body.amount)?;
    l.paid_at = Some(ctx.index);
    Ok(vec![saved(l, ctx, "payment.confirm")])
}

/// An amount that must be the award's whole price (paid in, paid out: M4).
fn the_price(
    state: &State,
    l: &Listing,
    amount: &crate::model::fields::Yuan,
) -> Result<(), RuleError> {
    let price = award_of(l)?.price;
    if rules::money(state, "amount", amount)? != price {
        return Err(RuleError::attribute(
            "amount",
            format!("the whole price, {} yuan (M4)", price),
            format!("须为全部成交价 {} 元（M4）", price),
        ));
    }
    Ok(())
}

/// `payment.release`: by the exchange, after settlement, once: the whole
/// price held in escrow goes to the transferor (M4). Until then the
/// household's and the listing's pages show it held.
pub fn payment_release(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &PaymentRelease,
) -> Result<Vec<Change>, RuleError> {
    let mut l = listing(state, body.listing)?.clone();
    at_stage(&l, Status::Settled)?;
    if l.paid_out_at.is_some() {
        return Err(RuleError::attribute(
            "listing",
            "a price not yet paid out",
            "须为价款尚未付出的项目",
        ));
    }
    the_price(state, &l, &body.amount)?;
    l.paid_out_at = Some(ctx.index);
    Ok(vec![saved(l, ctx, "payment.release")])
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
    let verified = l.verified_at.ok_or(X::NotReady((
        "the county verifies the title first",
        "须县里先核验权属",
    )))?;
    if l.paid_at.is_none() {
        return Err(
            X::NotReady(("the price is in escrow first", "须价款先存入交易中心账户")).into(),
        );
    }
    if let Some((parcel, at)) = title_changed_since(state, &l, verified) {
        return Err(X::TitleChanged {
            parcel,
            at,
            verified,
        }
        .into());
    }
    consented(&l)?;
    check_listing(state, ctx, &l.transferor, &l, onward_right(state, &l))?;
    check_winner(state, ctx, &l)?;
    let no = body.certificate_no.trim();
    if no.is_empty() || no.chars().count() > 40 {
        return Err(RuleError::attribute(
            "certificate_no",
            "the 交易鉴证书 number, 1 to 40 characters",
            "交易鉴证书编号，1 至 40 个字符",
        ));
    }
    let award = award_of(&l)?.clone();
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
        certified: None,
    };
    Ok(vec![
        saved(l, ctx, "deal.settle"),
        Change::RightSaved(right),
    ])
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
            "须为转让、互换或份额转让",
        ));
    }
    let winner = award_of(&l)?.party.clone();
    let (receiver, parcels) = if signer.party == l.transferor {
        (winner.clone(), l.parcels.clone())
    } else if l.mode == Mode::Swap && signer.party == winner {
        (l.transferor.clone(), l.swap_for.clone())
    } else {
        return Err(RuleError::attribute(
            "listing",
            "a party that gives in this deal",
            "须为本次交易中让出权利的一方",
        ));
    };
    if l.registered.iter().any(|(_, p)| *p == signer.party) {
        return Err(RuleError::attribute(
            "listing",
            "already registered by this party",
            "该方已办理登记",
        ));
    }
    // 11.9 (rules 2): a swap is registered whole — both halves in one
    // entry, signed by one household and cosigned by the other — so that
    // neither can hold both plots at once.
    let mut halves = vec![(signer.party.clone(), receiver.clone(), parcels)];
    if l.mode == Mode::Swap && state.settings.authority() {
        rules::cosigned_by(state, ctx, &receiver, "transfer.register")?;
        let theirs = if receiver == l.transferor {
            l.parcels.clone()
        } else {
            l.swap_for.clone()
        };
        halves.push((receiver, signer.party.clone(), theirs));
    }
    let mut changes = Vec::new();
    for (giver, receiver, parcels) in &halves {
        changes.extend(half(state, ctx, &l, giver, receiver, parcels)?);
    }
    for (giver, ..) in &halves {
        l.registered.push((ctx.index, giver.clone()));
    }
    changes.insert(0, saved(l, ctx, "transfer.register"));
    Ok(changes)
}

/// One household's half of a registration: what `giver` passes to
/// `receiver` — shares, its homestead, or parcels under a new contract for
/// the rest of their term.
fn half(
    state: &State,
    ctx: &Context,
    l: &Listing,
    giver: &str,
    receiver: &str,
    parcels: &[String],
) -> Result<Vec<Change>, RuleError> {
    let mut changes = Vec::new();
    if l.mode == Mode::Shares {
        changes.extend(rules::shares::move_shares(
            state, giver, receiver, l.shares,
        )?);
    } else if l.mode == Mode::Homestead {
        check_listing(state, ctx, giver, l, None)?;
        holds_no_homestead(state, ctx.today, receiver)?;
        changes.push(Change::HomesteadMoved {
            from: giver.to_owned(),
            to: receiver.to_owned(),
        });
    } else {
        changes.extend(land_half(state, ctx, giver, receiver, parcels)?);
    }
    Ok(changes)
}

/// `giver`'s `parcels` pass to `receiver` under a new contract for the rest
/// of their term (M2; an award moving some parcels, A4).
pub(in crate::model::rules) fn land_half(
    state: &State,
    ctx: &Context,
    giver: &str,
    receiver: &str,
    parcels: &[String],
) -> Result<Vec<Change>, RuleError> {
    let old = named_contract(rules::household_contract(state, ctx.today, giver, parcels)?)?;
    for p in parcels {
        rules::unencumbered(state, ctx.today, p, rules::Holds::All)?;
    }
    let to = rules::household_of(state, receiver)?;
    let code = ('K'..='Z')
        .filter(|c| *c != 'J')
        .map(|c| format!("{receiver}{c}"))
        .find(|c| !state.contracts.contains_key(c))
        .ok_or_else(|| {
            RuleError::attribute(
                "listing",
                "a free contract code of the receiver",
                "须为受让户尚未使用的合同编码",
            )
        })?;
    Ok(vec![
        Change::ContractParcels {
            code: old.code.clone(),
            parcels: old
                .parcels
                .iter()
                .filter(|p| !parcels.contains(p))
                .cloned()
                .collect(),
        },
        Change::ContractGranted(crate::model::state::Contract {
            code,
            household: receiver.to_owned(),
            parcels: parcels.to_vec(),
            start: ctx.today.max(old.start),
            end: old.end,
            certificate_members: to.members.iter().map(|m| m.person.clone()).collect(),
            registered_at: ctx.index,
            returned: None,
        }),
    ])
}

/// `right.certify` (M6): the county issues the 土地经营权证 of a registered
/// right (a term of five years or more) in force, once, under its number —
/// the document a bank takes for a pledge by the transferee.
pub fn right_certify(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &crate::model::entry::RightCertify,
) -> Result<Vec<Change>, RuleError> {
    let refuse = |en: String, zh: String| RuleError::attribute("right", en, zh);
    let r = state.rights.get(&body.right).ok_or_else(|| {
        refuse(
            format!("no right was settled at log index {}", body.right),
            format!("日志序号 {} 处没有成交的经营权", body.right),
        )
    })?;
    if !r.registered || r.ended.is_some() || ctx.today > r.end {
        return Err(refuse(
            "a registered right (five years or more) in force".into(),
            "须为已登记（五年以上）且有效的经营权".into(),
        ));
    }
    if let Some((at, no)) = &r.certified {
        return Err(refuse(
            format!("its certificate {no} was issued at log index {at}"),
            format!("已于日志序号 {at} 处发证，证号 {no}"),
        ));
    }
    let mut r = r.clone();
    r.certified = Some((ctx.index, body.certificate_no.trim().to_owned()));
    Ok(vec![Change::RightSaved(r)])
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
            RuleError::attribute(
                "right",
                "a derived right in force on the household's land",
                "须为该户土地上现有的有效流转权利",
            )
        })?;
    if !["use_changed", "abandoned", "damaged"].contains(&body.ground.as_str()) {
        return Err(X::NotAGround {
            ground: body.ground.chars().take(40).collect(),
        }
        .into());
    }
    if state.settings.authority() {
        // M7: land is abandoned only after two consecutive years of the
        // right's term have run (never a lease not yet begun).
        let two_years = r
            .start
            .checked_add_months(chrono::Months::new(24))
            .unwrap_or(r.end);
        if body.ground == "abandoned" && ctx.today < two_years {
            return Err(RuleError::attribute(
                "ground",
                format!("land is abandoned only after two consecutive years of the term: not before {two_years} (M7)"),
                format!("须连续两年弃耕抛荒才能以此为由解除：{two_years} 之前不可（M7）"),
            ));
        }
        // A pledge on the right stands until its holder releases it.
        for p in &r.parcels {
            rules::unencumbered(state, ctx.today, p, rules::Holds::Pledge)?;
        }
    }
    r.ended = Some((ctx.index, body.ground.clone()));
    Ok(vec![Change::RightSaved(r)])
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

/// `award.cancel`: by the exchange, once the winner has not paid within
/// `payment_working_days` working days of the award (X2). The winner's
/// deposit is forfeited, as the listing announced; the listing returns to
/// trading for the next bidder in order, or, with none left, is withdrawn
/// with every deposit released, and may be listed again.
pub fn award_cancel(
    state: &State,
    ctx: &Context,
    _signer: &KeyBinding,
    body: &AwardCancel,
) -> Result<Vec<Change>, RuleError> {
    let mut l = listing(state, body.listing)?.clone();
    at_stage(&l, Status::Awarded)?;
    let award = award_of(&l)?.clone();
    // A title that changed after the verification (a seizure, say) keeps
    // the deal from settling through no fault of the winner: the award is
    // cancelled, the price goes back, and no deposit is forfeited.
    let blocked = l
        .verified_at
        .and_then(|v| title_changed_since(state, &l, v))
        .is_some();
    if blocked {
        l.paid_at = None;
    } else {
        if l.paid_at.is_some() {
            return Err(RuleError::attribute(
                "listing",
                "an award not yet paid, or one whose title changed since its verification",
                "须为尚未付款、或核验后权属有变的成交",
            ));
        }
        let awarded = award.day.unwrap_or(ctx.today);
        let (_, due) = state
            .settings
            .calendar
            .notice_period(awarded, state.settings.payment_working_days);
        if ctx.today <= due {
            return Err(
                X::NotReady(("the payment period has not ended", "付款期限尚未届满")).into(),
            );
        }
        if let Some(i) = l.intents.iter_mut().find(|i| i.party == award.party) {
            i.forfeited_at = Some(ctx.index);
        }
    }
    l.award = None;
    l.signed_by.clear();
    l.verified_at = None;
    l.consent = None;
    if !blocked && l.best().is_some_and(|b| b.amount >= l.reserve) {
        l.status = Status::Trading;
    } else {
        let forfeited = (!blocked).then_some(award.party.as_str());
        release_deposits(&mut l, forfeited, ctx.index);
        l.status = Status::Withdrawn;
    }
    Ok(vec![saved(l, ctx, "award.cancel")])
}

/// The first title the listing rests on that changed after log index
/// `verified`, with the index that changed it.
fn title_changed_since(state: &State, l: &Listing, verified: u64) -> Option<(String, u64)> {
    l.titles().into_iter().find_map(|t| {
        let key = t.key();
        state
            .touched
            .get(&key)
            .filter(|&&at| at > verified)
            .map(|&at| (key, at))
    })
}
