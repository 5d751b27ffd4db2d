//! The pages: one handler and one template each, fed by the registry's
//! typed views.

use std::collections::BTreeMap;

use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{charts, html, read, Chrome, PageError};
use crate::model::exchange::{Mode, Status};
use crate::registry::views::*;
use crate::registry::{Registry, ServiceError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/map", web::get().to(map))
        .route("/map/states", web::get().to(map_states))
        .route("/map/parcels", web::get().to(map_parcels))
        .route("/parcel/{code}", web::get().to(parcel))
        .route("/household", web::get().to(household_find))
        .route("/household/{code}", web::get().to(household))
        .route("/certificate/{code}", web::get().to(certificate))
        .route("/exchange", web::get().to(exchange))
        .route("/listing/{id}", web::get().to(listing))
        .route("/clerk", web::get().to(clerk_choose))
        .route("/clerk/{collective}", web::get().to(clerk))
        .route("/desk/exchange", web::get().to(exchange_desk))
        .route("/desk/county", web::get().to(county_desk))
        .route("/notices", web::get().to(notices))
        .route("/log", web::get().to(log))
        .route("/log/{index}", web::get().to(log_entry))
        .route("/attestation/{index}", web::get().to(attestation))
        .route("/keys", web::get().to(keys))
        .route("/party/{code}", web::get().to(party))
        .route("/right/{index}", web::get().to(right))
        .route("/charts", web::get().to(charts_page));
}

/// A listing's stage in plain words.
pub fn stage(l: super::Lang, s: Status) -> &'static str {
    match s {
        Status::Review => l.t("待审核", "under review"),
        Status::Rejected => l.t("未通过", "rejected"),
        Status::Notice => l.t("公示中", "under notice"),
        Status::Trading => l.t("竞价中", "trading"),
        Status::Awarded => l.t("已成交待签约结算", "awarded"),
        Status::Settled => l.t("已完成", "settled"),
        Status::Withdrawn => l.t("已撤回", "withdrawn"),
    }
}

/// A transfer's mode in plain words (GLOSSARY.md).
pub fn mode(l: super::Lang, m: Mode) -> &'static str {
    match m {
        Mode::Lease => l.t("出租", "lease"),
        Mode::Subcontract => l.t("转包", "sub-contract"),
        Mode::Equity => l.t("入股", "equity"),
        Mode::Onward => l.t("再流转", "onward transfer"),
        Mode::HouseLease => l.t("出租农房", "house lease"),
        _ => l.t("转让或互换", "assignment or swap"),
    }
}

// ---- home ----

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    c: Chrome,
    collectives: Vec<(String, String)>,
    stages: Vec<(&'static str, &'static str, usize)>,
    recent: Vec<LogLine>,
    chart: String,
}

async fn home(req: HttpRequest, reg: web::Data<Registry>) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "home", |reg, c| {
        let listings = reg.listings(None, None, None)?.listings;
        let stages = STAGES
            .iter()
            .map(|s| {
                let n = listings.iter().filter(|l| l.status == *s).count();
                (s.as_str(), stage(c.l, *s), n)
            })
            .collect::<Vec<_>>();
        let chart = charts::bars(
            c.l.t("各阶段的交易", "Deals by stage"),
            &stages
                .iter()
                .map(|(_, name, n)| ((*name).to_owned(), *n as f64))
                .collect::<Vec<_>>(),
            "",
        );
        Ok(Home {
            collectives: reg.collectives()?,
            stages,
            recent: reg.recent_entries(8)?,
            chart,
            c,
        })
    })
    .await?;
    html(&page)
}

const STAGES: [Status; 7] = [
    Status::Review,
    Status::Notice,
    Status::Trading,
    Status::Awarded,
    Status::Settled,
    Status::Withdrawn,
    Status::Rejected,
];

// ---- map ----

#[derive(Deserialize)]
struct CollectiveQuery {
    collective: Option<String>,
}

#[derive(Deserialize)]
struct MapQuery {
    collective: Option<String>,
    /// `minlon,minlat,maxlon,maxlat`: the parcels in a box, whatever their
    /// collective.
    bbox: Option<String>,
}

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    c: Chrome,
    collectives: Vec<(String, String)>,
    collective: String,
    /// Where the page fetches its parcels and their states from.
    parcels: String,
    states: String,
}

async fn map(
    req: HttpRequest,
    reg: web::Data<Registry>,
    q: web::Query<MapQuery>,
) -> Result<HttpResponse, PageError> {
    let MapQuery { collective, bbox } = q.into_inner();
    let page = read(&reg, &req, "map", move |reg, c| {
        let collectives = reg.collectives()?;
        if let Some(bbox) = bbox {
            // The API checks the box when the page fetches it.
            let bbox: String = bbox
                .chars()
                .filter(|ch| ch.is_ascii_digit() || matches!(ch, '.' | ',' | '-'))
                .collect();
            return Ok(MapPage {
                c,
                collectives,
                collective: String::new(),
                parcels: format!("/map/parcels?bbox={bbox}"),
                states: "/map/states".into(),
            });
        }
        let collective = match collective {
            Some(code) => reg.collective(&code)?.id,
            None => collectives.first().map(|k| k.0.clone()).unwrap_or_default(),
        };
        Ok(MapPage {
            c,
            collectives,
            parcels: format!("/map/parcels?collective={collective}"),
            states: format!("/map/states?collective={collective}"),
            collective,
        })
    })
    .await?;
    html(&page)
}

/// What the map draws: the API's parcels with only what the map shows (name
/// and holder) and positions to 1e-6° (about 0.1 m, finer than a pixel at
/// any zoom a map of parcels is read at) — a third of the bytes to fetch
/// and parse on a phone.
async fn map_parcels(
    req: HttpRequest,
    reg: web::Data<Registry>,
    q: web::Query<MapQuery>,
) -> Result<HttpResponse, PageError> {
    let MapQuery { collective, bbox } = q.into_inner();
    let bbox = bbox.as_deref().map(crate::http::parse_bbox).transpose()?;
    let features = super::read_costed(crate::http::Cost::Bulk, &reg, &req, "map", move |reg, _| {
        Ok(reg
            .parcels(collective.as_deref(), bbox)?
            .features
            .into_iter()
            .map(|f| {
                serde_json::json!({
                    "type": "Feature",
                    "id": f.id,
                    "properties": {"DKMC": f.properties.name, "holder": f.properties.holder},
                    "geometry": rounded(f.geometry),
                })
            })
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/geo+json")
        .json(serde_json::json!({"type": "FeatureCollection", "features": features})))
}

/// Every number of a GeoJSON geometry to six decimals.
fn rounded(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Number(n) => n
            .as_f64()
            .and_then(|x| serde_json::Number::from_f64((x * 1e6).round() / 1e6))
            .map_or(Value::Number(n), Value::Number),
        Value::Array(items) => Value::Array(items.into_iter().map(rounded).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, rounded(v))).collect()),
        other => other,
    }
}

/// The state of each parcel of a collective (or of the county) that is not
/// plain contracted or free: listed on the exchange, leased out, encumbered.
async fn map_states(
    req: HttpRequest,
    reg: web::Data<Registry>,
    q: web::Query<CollectiveQuery>,
) -> Result<HttpResponse, PageError> {
    let collective = q.into_inner().collective;
    let states = read(&reg, &req, "map", move |reg, _| {
        let today = reg.today();
        let mut states: BTreeMap<String, &'static str> = BTreeMap::new();
        for l in reg.listings(None, collective.as_deref(), None)?.listings {
            let state = match l.status {
                Status::Review | Status::Notice | Status::Trading | Status::Awarded => "listed",
                Status::Settled if l.start <= today && today <= l.end => "leased",
                _ => continue,
            };
            for p in l.parcels {
                states.insert(p, state);
            }
        }
        for code in reg.encumbered_parcels(collective.as_deref().unwrap_or_default())? {
            states.insert(code, "encumbered");
        }
        Ok(states)
    })
    .await?;
    Ok(HttpResponse::Ok().json(states))
}

// ---- title ----

#[derive(Template)]
#[template(path = "parcel.html")]
struct ParcelPage {
    c: Chrome,
    t: TitleView,
    sizhi: Option<Sizhi>,
    history: String,
}

async fn parcel(
    req: HttpRequest,
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "map", move |reg, c| {
        let t = reg.title(&code)?;
        let sizhi = reg.parcel(&code)?.properties.sizhi;
        let history = indices(t.history.iter().map(|h| h.index));
        Ok(ParcelPage {
            c,
            t,
            sizhi,
            history,
        })
    })
    .await?;
    html(&page)
}

#[derive(Template)]
#[template(path = "notices.html")]
struct NoticesPage {
    c: Chrome,
    acts: Vec<crate::registry::views::ActView>,
}

/// The county's notice board (公示栏): what is under notice now (A2, A3).
async fn notices(req: HttpRequest, reg: web::Data<Registry>) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "notices", move |reg, c| {
        Ok(NoticesPage {
            acts: reg.notice_board()?,
            c,
        })
    })
    .await?;
    html(&page)
}

fn indices(all: impl Iterator<Item = u64>) -> String {
    all.map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

// ---- household ----

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage {
    c: Chrome,
    h: HouseholdView,
    income: IncomeView,
    listings: Vec<ListingView>,
    attestations: Vec<u64>,
    area_mu: String,
}

async fn household(
    req: HttpRequest,
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "household", move |reg, c| {
        let h = reg.household(&code, None)?;
        let mut listings = reg.listings(None, Some(&h.collective), None)?.listings;
        listings.retain(|l| l.household == h.code);
        let mut area = rust_decimal::Decimal::ZERO;
        for k in h.contracts.iter().filter(|k| k.in_force) {
            for p in &k.parcels {
                let mu = reg.parcel(p)?.properties.area_mu;
                area += mu.parse::<rust_decimal::Decimal>().unwrap_or_default();
            }
        }
        Ok(HouseholdPage {
            income: reg.income(&code)?,
            attestations: reg.attestations_of(&code)?.attestations,
            area_mu: area.round_dp(2).to_string(),
            listings,
            h,
            c,
        })
    })
    .await?;
    html(&page)
}

#[derive(Deserialize)]
struct CodeQuery {
    code: String,
}

/// The home page's "my household" box.
async fn household_find(q: web::Query<CodeQuery>) -> HttpResponse {
    let code: String = q
        .code
        .trim()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    HttpResponse::SeeOther()
        .insert_header(("Location", format!("/household/{code}")))
        .finish()
}

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    c: Chrome,
    k: CertificateView,
}

async fn certificate(
    req: HttpRequest,
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "household", move |reg, c| {
        Ok(CertificatePage {
            k: reg.certificate(&code)?,
            c,
        })
    })
    .await?;
    html(&page)
}

// ---- exchange ----

#[derive(Template)]
#[template(path = "exchange.html")]
struct ExchangePage {
    c: Chrome,
    groups: Vec<(&'static str, Vec<ListingView>)>,
}

async fn exchange(req: HttpRequest, reg: web::Data<Registry>) -> Result<HttpResponse, PageError> {
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
struct ListingPage {
    c: Chrome,
    x: ListingView,
    contract: Option<(String, String)>,
    /// Working days of the notice still to run.
    notice_left: Option<u32>,
    /// The next bid that would be accepted.
    next_bid: String,
    history: String,
    open: bool,
}

async fn listing(
    req: HttpRequest,
    reg: web::Data<Registry>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = crate::http::log_index(&id, "id")?;
    let page = read(&reg, &req, "exchange", move |reg, c| {
        let x = reg.listing(id)?;
        let contract = reg.contract(id).ok();
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
fn next_bid(x: &ListingView) -> String {
    let d = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap_or_default();
    let best = x.bids.iter().map(|b| d(&b.amount)).max();
    match best {
        Some(b) => (b + d(&x.increment)).round_dp(2).to_string(),
        None => x.reserve.clone(),
    }
}

// ---- the clerk (village collective) ----

#[derive(Template)]
#[template(path = "clerk_choose.html")]
struct ClerkChoose {
    c: Chrome,
    collectives: Vec<(String, String)>,
}

async fn clerk_choose(
    req: HttpRequest,
    reg: web::Data<Registry>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "clerk", |reg, c| {
        Ok(ClerkChoose {
            collectives: reg.collectives()?,
            c,
        })
    })
    .await?;
    html(&page)
}

#[derive(Template)]
#[template(path = "clerk.html")]
struct ClerkPage {
    c: Chrome,
    code: String,
    name: String,
    households: Vec<String>,
    free_parcels: Vec<(String, String, String)>,
    today: String,
}

async fn clerk(
    req: HttpRequest,
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "clerk", move |reg, c| {
        let k = reg.collective(&code)?;
        let parcels = reg.parcels(Some(&code), None)?;
        Ok(ClerkPage {
            households: reg.households_of(&code)?,
            free_parcels: parcels
                .features
                .into_iter()
                .filter(|f| f.properties.holder.is_none() && f.properties.status == "active")
                .map(|f| (f.id, f.properties.name, f.properties.area_mu))
                .collect(),
            name: k.properties.name,
            code: k.id,
            today: reg.today().to_string(),
            c,
        })
    })
    .await?;
    html(&page)
}

// ---- the exchange's desk ----

#[derive(Template)]
#[template(path = "desk_exchange.html")]
struct ExchangeDesk {
    c: Chrome,
    review: Vec<ListingView>,
    deposits: Vec<(ListingView, IntentView)>,
    to_award: Vec<ListingView>,
    to_pay: Vec<ListingView>,
    to_settle: Vec<ListingView>,
    to_pay_out: Vec<ListingView>,
    objections: Vec<(ListingView, crate::model::exchange::Objection)>,
}

async fn exchange_desk(
    req: HttpRequest,
    reg: web::Data<Registry>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "desk-exchange", |reg, c| {
        let all = reg.listings(None, None, None)?.listings;
        let now = reg.now();
        let of = |f: &dyn Fn(&ListingView) -> bool| all.iter().filter(|l| f(l)).cloned().collect();
        let mut deposits = Vec::new();
        let mut objections = Vec::new();
        for l in &all {
            if matches!(l.status, Status::Notice | Status::Trading) {
                for i in l.intents.iter().filter(|i| i.confirmed_at.is_none()) {
                    deposits.push((l.clone(), i.clone()));
                }
            }
            for o in l.objections.iter().filter(|o| o.resolved.is_none()) {
                objections.push((l.clone(), o.clone()));
            }
        }
        Ok(ExchangeDesk {
            review: of(&|l| l.status == Status::Review),
            to_award: of(&|l| {
                l.status == Status::Trading
                    && !l.bids.is_empty()
                    && l.deadline.is_none_or(|d| d <= now)
            }),
            to_pay: of(&|l| {
                l.status == Status::Awarded && l.verified_at.is_some() && l.paid_at.is_none()
            }),
            to_settle: of(&|l| l.status == Status::Awarded && l.paid_at.is_some()),
            to_pay_out: of(&|l| l.status == Status::Settled && l.paid_out_at.is_none()),
            deposits,
            objections,
            c,
        })
    })
    .await?;
    html(&page)
}

// ---- the county's desk ----

#[derive(Deserialize)]
struct CountyQuery {
    household: Option<String>,
}

#[derive(Template)]
#[template(path = "desk_county.html")]
struct CountyDesk {
    c: Chrome,
    to_verify: Vec<ListingView>,
    household: Option<String>,
    rights: Option<String>,
    members: Vec<MemberView>,
    settings: String,
    today: String,
}

async fn county_desk(
    req: HttpRequest,
    reg: web::Data<Registry>,
    q: web::Query<CountyQuery>,
) -> Result<HttpResponse, PageError> {
    let household = q.into_inner().household.filter(|h| !h.is_empty());
    let page = read(&reg, &req, "desk-county", move |reg, c| {
        let all = reg.listings(Some("awarded"), None, None)?.listings;
        let (rights, members) = match &household {
            Some(h) => (
                Some(serde_json::to_string(&reg.base_rights(h)?).unwrap_or_default()),
                reg.household(h, None)?.members,
            ),
            None => (None, Vec::new()),
        };
        Ok(CountyDesk {
            to_verify: all
                .into_iter()
                .filter(|l| l.verified_at.is_none() && l.signed_by.len() >= 2)
                .collect(),
            settings: serde_json::to_string_pretty(&reg.settings()?).unwrap_or_default(),
            today: reg.today().to_string(),
            household,
            rights,
            members,
            c,
        })
    })
    .await?;
    html(&page)
}

// ---- the log explorer ----

#[derive(Deserialize)]
struct LogQuery {
    last: Option<u64>,
}

#[derive(Template)]
#[template(path = "log.html")]
struct LogPage {
    c: Chrome,
    checkpoint: String,
    size: u64,
    recent: Vec<LogLine>,
    indices: String,
}

async fn log(
    req: HttpRequest,
    reg: web::Data<Registry>,
    q: web::Query<LogQuery>,
) -> Result<HttpResponse, PageError> {
    let n = q.last.unwrap_or(50).clamp(1, 500);
    let page = read(&reg, &req, "log", move |reg, c| {
        let (size, checkpoint) = reg.checkpoint()?;
        let recent = reg.recent_entries(n)?;
        Ok(LogPage {
            indices: indices(recent.iter().map(|l| l.index)),
            recent,
            size,
            checkpoint,
            c,
        })
    })
    .await?;
    html(&page)
}

#[derive(Template)]
#[template(path = "entry.html")]
struct EntryPage {
    c: Chrome,
    index: u64,
    pretty: String,
    kind: String,
}

async fn log_entry(
    req: HttpRequest,
    reg: web::Data<Registry>,
    index: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let index = crate::http::log_index(&index, "index")?;
    let page = read(&reg, &req, "log", move |reg, c| {
        let leaf = reg.entry(index)?;
        let value: serde_json::Value = serde_json::from_slice(&leaf).unwrap_or_default();
        Ok(EntryPage {
            kind: value["envelope"]["entry"]["kind"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            pretty: serde_json::to_string_pretty(&value).unwrap_or_default(),
            index,
            c,
        })
    })
    .await?;
    html(&page)
}

// ---- attestation ----

#[derive(Template)]
#[template(path = "attestation.html")]
struct AttestationPage {
    c: Chrome,
    a: AttestationView,
    contracts: Vec<(String, String, usize, String, String)>,
    homestead_m2: Option<String>,
}

async fn attestation(
    req: HttpRequest,
    reg: web::Data<Registry>,
    index: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let index = crate::http::log_index(&index, "index")?;
    let page = read(&reg, &req, "desk-county", move |reg, c| {
        let a = reg.attestation(index)?;
        let m2 = |centi: i64| format!("{}.{:02}", centi / 100, centi % 100);
        Ok(AttestationPage {
            contracts: a
                .rights
                .contracts
                .iter()
                .map(|k| {
                    (
                        k.code.clone(),
                        k.end.to_string(),
                        k.parcels.len(),
                        m2(k.area_centi_m2),
                        k.parcels.join("、"),
                    )
                })
                .collect(),
            homestead_m2: a.rights.homestead.map(m2),
            a,
            c,
        })
    })
    .await?;
    html(&page)
}

// ---- the 土地经营权证 (M6) ----

#[derive(Template)]
#[template(path = "right.html")]
struct RightPage {
    c: Chrome,
    r: RightCertificateView,
}

async fn right(
    req: HttpRequest,
    reg: web::Data<Registry>,
    index: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let index = crate::http::log_index(&index, "index")?;
    let page = read(&reg, &req, "map", move |reg, c| {
        Ok(RightPage {
            r: reg.right_certificate(index)?,
            c,
        })
    })
    .await?;
    html(&page)
}

// ---- who is who ----

#[derive(Template)]
#[template(path = "party.html")]
struct PartyPage {
    c: Chrome,
    p: PartyView,
}

async fn party(
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
struct KeysPage {
    c: Chrome,
}

async fn keys(req: HttpRequest, reg: web::Data<Registry>) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "keys", |_, c| Ok(KeysPage { c })).await?;
    html(&page)
}

#[derive(Template)]
#[template(path = "charts.html")]
struct ChartsPage {
    c: Chrome,
    charts: Vec<String>,
}

async fn charts_page(
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
fn listings_leased(listings: &[ListingView], collective: &str, today: chrono::NaiveDate) -> usize {
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
