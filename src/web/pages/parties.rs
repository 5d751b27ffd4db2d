//! Who is who, the keys a browser holds, and the county's charts.

use super::*;

// ---- who is who ----

#[derive(Template)]
#[template(path = "party.html")]
pub(super) struct PartyPage {
    c: Chrome,
    p: PartyView,
}

pub(super) async fn party(
    req: HttpRequest,
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "exchange", move |reg, c| {
        Ok(PartyPage {
            p: reg.party(&code)?,
            c,
        })
    })
    .await?;
    html(&page)
}

// ---- keys and charts ----

#[derive(Template)]
#[template(path = "keys.html")]
pub(super) struct KeysPage {
    c: Chrome,
}

pub(super) async fn keys(
    req: HttpRequest,
    reg: web::Data<Registry>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "keys", |_, c| Ok(KeysPage { c })).await?;
    html(&page)
}

#[derive(Template)]
#[template(path = "charts.html")]
pub(super) struct ChartsPage {
    c: Chrome,
    charts: Vec<String>,
}

pub(super) async fn charts_page(
    req: HttpRequest,
    reg: web::Data<Registry>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "charts", |reg, c| {
        let listings = reg.listings(None, None, None)?.listings;
        let settled: Vec<ListingView> = listings
            .iter()
            .filter(|x| x.status == Status::Settled)
            .cloned()
            .collect();
        let figures = reg.chart_figures(&settled)?;
        let villages: BTreeMap<String, String> = reg.collectives()?.into_iter().collect();
        let shares: Vec<_> = villages
            .iter()
            .map(|(code, name)| {
                (
                    name.clone(),
                    listings_leased(&listings, code, reg.today()),
                    figures.contracted.get(code).copied().unwrap_or(0),
                )
            })
            .collect();
        Ok(ChartsPage {
            charts: charts::all(c.l, &listings, &figures.listing_mu, &villages, &shares),
            c,
        })
    })
    .await?;
    html(&page)
}

/// Parcels of a collective under a settled transfer not yet ended.
pub(super) fn listings_leased(
    listings: &[ListingView],
    collective: &str,
    today: chrono::NaiveDate,
) -> usize {
    listings
        .iter()
        .filter(|l| l.collective == collective && l.status == Status::Settled && today <= l.end)
        .map(|l| l.parcels.len())
        .sum()
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        ServiceError::Unavailable(e.to_string()).into()
    }
}
