//! The exchange: its listings, and one listing with its history.

use super::home::STAGES;
use super::*;

// ---- exchange ----

#[derive(Template)]
#[template(path = "exchange.html")]
pub(super) struct ExchangePage {
    c: Chrome,
    groups: Vec<(&'static str, Vec<ListingView>)>,
}

pub(super) async fn exchange(
    req: HttpRequest,
    reg: web::Data<Registry>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "exchange", |reg, c| {
        let all = reg.listings(None, None, None)?.listings;
        let groups = STAGES
            .iter()
            .map(|s| {
                (
                    stage(c.l, *s),
                    all.iter().filter(|l| l.status == *s).cloned().collect(),
                )
            })
            .filter(|(_, v): &(_, Vec<ListingView>)| !v.is_empty())
            .collect();
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
        Ok(ListingPage {
            history: indices(x.history.iter().map(|h| h.index)),
            open: matches!(x.status, Status::Notice | Status::Trading),
            contract,
            notice_left,
            next_bid,
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
