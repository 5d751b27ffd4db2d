//! The exchange: its listings, and one listing with its history.

use super::home::STAGES;
use super::*;

// ---- exchange ----

#[derive(Template)]
#[template(path = "exchange.html")]
pub(super) struct ExchangePage {
    c: Chrome,
    groups: Vec<(&'static str, Vec<BoardRow>)>,
}

/// A listing as the board reads it (issue 18): where, how much land, what
/// for, how long, and the reserve per 亩 and year beside the total.
pub(super) struct BoardRow {
    x: ListingView,
    /// The collective's name.
    place: String,
    /// The land in 亩, to two places; empty for a house, shares or an asset.
    area_mu: String,
    /// The term in words: 10年.
    term: String,
    /// The reserve per 亩 and year, if it is land.
    per_mu_year: Option<String>,
}

impl BoardRow {
    fn of(
        reg: &Registry,
        x: ListingView,
        places: &mut BTreeMap<String, String>,
    ) -> Result<BoardRow, ServiceError> {
        use crate::model::{exchange, words, Area, Fen};
        let place = match places.get(&x.collective) {
            Some(p) => p.clone(),
            None => {
                let name = reg
                    .collective(&x.collective)
                    .map_or_else(|_| x.collective.clone(), |f| f.properties.name);
                places.insert(x.collective.clone(), name.clone());
                name
            }
        };
        let mut area = Area::ZERO;
        for p in &x.parcels {
            let m2 = reg.parcel(p)?.properties.area_m2;
            area = Area(area.0 + Area::parse_m2(&m2).map_or(0, |a| a.0));
        }
        let reserve = Fen::parse_yuan(&x.reserve).unwrap_or(Fen::ZERO);
        Ok(BoardRow {
            place,
            area_mu: if x.parcels.is_empty() {
                String::new()
            } else {
                words::mu(area)
            },
            term: exchange::term_words(x.start, x.end),
            per_mu_year: exchange::per_mu_year(reserve, area, x.start, x.end),
            x,
        })
    }
}

pub(super) async fn exchange(
    req: HttpRequest,
    reg: web::Data<Registry>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "exchange", |reg, c| {
        let all = reg.listings(None, None, None)?.listings;
        let mut places = BTreeMap::new();
        let mut groups = Vec::new();
        for s in STAGES {
            let mut rows = Vec::new();
            for l in all.iter().filter(|l| l.status == s) {
                rows.push(BoardRow::of(reg, l.clone(), &mut places)?);
            }
            if !rows.is_empty() {
                groups.push((stage(c.l, s), rows));
            }
        }
        Ok(ExchangePage { c, groups })
    })
    .await?;
    html(&page)
}

#[derive(Template)]
#[template(path = "listing.html")]
pub(super) struct ListingPage {
    c: Chrome,
    x: ListingView,
    contract: Option<crate::registry::ContractCopy>,
    /// Working days of the notice still to run.
    notice_left: Option<u32>,
    /// The next bid that would be accepted.
    next_bid: String,
    history: String,
    open: bool,
    /// 竞买号: each intended transferee's number, by party, in the order
    /// they registered — how bidders are shown while the notice and the
    /// auction run, so that no one learns who bids (issue 18).
    bidder_no: BTreeMap<String, usize>,
    /// The listing as the board reads it: where, how many 亩, how long, the
    /// reserve per 亩 and year.
    row: BoardRow,
    /// The transferor as everyone may name it, if it is a household.
    transferor: String,
    /// The parcels' names, by code.
    parcel_names: BTreeMap<String, String>,
    /// What the county checks before it verifies the title (issue 18, 9),
    /// each parcel's evidence beside the button; empty but while it waits.
    checks: Vec<TitleCheck>,
    /// The auction's rules the exchange's review form offers (X2).
    auction: AuctionRules,
}

/// The auction's rules as the exchange's review form fills them: the
/// listing's own if it proposed them, else 1% of the reserve as the least
/// raise (to 10 yuan) and 10% as the deposit (to 100 yuan), an hour long.
pub(super) struct AuctionRules {
    increment: String,
    deposit: String,
    minutes: u32,
}

impl AuctionRules {
    fn of(x: &ListingView) -> AuctionRules {
        use rust_decimal::Decimal;
        if x.auction_minutes > 0 {
            return AuctionRules {
                increment: x.increment.clone(),
                deposit: x.deposit.clone(),
                minutes: x.auction_minutes,
            };
        }
        let reserve: Decimal = x.reserve.parse().unwrap_or_default();
        let to = |amount: Decimal, step: Decimal| (amount / step).ceil() * step;
        let increment = to(reserve / Decimal::from(100), Decimal::TEN).max(Decimal::TEN);
        let deposit = to(reserve / Decimal::TEN, Decimal::ONE_HUNDRED).min(reserve);
        AuctionRules {
            increment: increment.normalize().to_string(),
            deposit: deposit.normalize().to_string(),
            minutes: 60,
        }
    }
}

/// The lengths of an auction the exchange chooses from, in minutes.
const AUCTION_LENGTHS: [(u32, &str, &str); 6] = [
    (30, "30 分钟", "30 minutes"),
    (60, "1 小时", "1 hour"),
    (120, "2 小时", "2 hours"),
    (1440, "1 天", "1 day"),
    (4320, "3 天", "3 days"),
    (10_080, "7 天", "7 days"),
];

/// One parcel's title as the officer checks it before `title.verify`.
pub(super) struct TitleCheck {
    code: String,
    name: String,
    /// The listing's household holds the contract over it.
    holds: bool,
    /// The contract's term covers the listing's (or runs on by law).
    within_term: bool,
    /// Seizures, pledges and objections in force, in words.
    burdens: Vec<&'static str>,
    /// An expropriation under way.
    taken: bool,
}

pub(super) async fn listing(
    req: HttpRequest,
    reg: web::Data<Registry>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = crate::http::log_index(&id, "id")?;
    let page = read(&reg, &req, "exchange", move |reg, c| {
        let x = reg.listing(id)?;
        let contract = reg.contract(id, None).ok();
        let today = reg.today();
        let notice_left = match (x.status, x.notice_to) {
            (Status::Notice, Some(to)) if to >= today => {
                let calendar = reg.settings()?.calendar;
                Some(
                    today
                        .iter_days()
                        .skip(1)
                        .take_while(|d| *d <= to)
                        .filter(|d| calendar.is_working_day(*d))
                        .count() as u32,
                )
            }
            _ => None,
        };
        let next_bid = next_bid(&x);
        let row = BoardRow::of(reg, x.clone(), &mut BTreeMap::new())?;
        let transferor = if x.transferor == x.household {
            crate::model::words::household(&row.place, &x.household)
        } else {
            x.transferor.clone()
        };
        let mut parcel_names = BTreeMap::new();
        for p in &x.parcels {
            parcel_names.insert(p.clone(), reg.parcel(p)?.properties.name);
        }
        let mut checks = Vec::new();
        if x.status == Status::Awarded && x.verified_at.is_none() {
            for p in &x.parcels {
                let t = reg.title(p)?;
                checks.push(TitleCheck {
                    code: p.clone(),
                    name: parcel_names.get(p).cloned().unwrap_or_default(),
                    holds: t.holder.as_deref() == Some(x.household.as_str()),
                    within_term: t
                        .contract
                        .as_ref()
                        .is_some_and(|k| k.extended_by_law || x.end <= k.end),
                    burdens: t
                        .encumbrances
                        .iter()
                        .map(|e| match e.kind {
                            "seizure" => "查封",
                            "pledge" => "抵押",
                            _ => "异议",
                        })
                        .collect(),
                    taken: t.expropriation.is_some(),
                });
            }
        }
        let bidder_no = x
            .intents
            .iter()
            .enumerate()
            .map(|(i, b)| (b.party.clone(), i + 1))
            .collect();
        Ok(ListingPage {
            auction: AuctionRules::of(&x),
            history: indices(x.history.iter().map(|h| h.index)),
            open: matches!(x.status, Status::Notice | Status::Trading),
            contract,
            notice_left,
            next_bid,
            bidder_no,
            row,
            transferor,
            parcel_names,
            checks,
            x,
            c,
        })
    })
    .await?;
    html(&page)
}

/// The lowest bid the auction takes next: the reserve, or the best bid and
/// the increment (X4).
pub(super) fn next_bid(x: &ListingView) -> String {
    let d = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap_or_default();
    let best = x.bids.iter().map(|b| d(&b.amount)).max();
    match best {
        Some(b) => (b + d(&x.increment)).round_dp(2).to_string(),
        None => x.reserve.clone(),
    }
}
