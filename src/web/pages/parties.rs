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

// ---- an act's second hand (A2) ----

#[derive(Deserialize)]
pub(super) struct CosignQuery {
    code: Option<String>,
}

#[derive(Template)]
#[template(path = "cosign.html")]
pub(super) struct CosignPage {
    c: Chrome,
    /// The act waiting, if a code was given and found.
    draft: Option<Draft>,
    /// Its body's fields, as name and value, for the second hand to read.
    fields: Vec<(String, String)>,
    /// When its time runs out, 北京时间.
    until: String,
    /// Who signed it first, by name.
    first: String,
    /// The code typed, where it names no act waiting (mistyped, or its time
    /// ran out): said on this page, the code kept in its box.
    missing: Option<String>,
}

/// `/cosign` and `/cosign?code=ABCD-EFGH`: the second hand reads the act
/// its first hand signed, and cosigns it (issue 18, A2).
pub(super) async fn cosign(
    req: HttpRequest,
    reg: web::Data<Registry>,
    q: web::Query<CosignQuery>,
) -> Result<HttpResponse, PageError> {
    let code = q.into_inner().code.filter(|c| !c.trim().is_empty());
    let page = read(&reg, &req, "keys", move |reg, c| {
        let (draft, missing) = match code.map(|code| (reg.draft(&code), code)) {
            Some((Ok(d), _)) => (Some(d), None),
            Some((Err(ServiceError::NotFound { .. }), code)) => (None, Some(code)),
            Some((Err(e), _)) => return Err(e),
            None => (None, None),
        };
        let fields = draft
            .as_ref()
            .and_then(|d| d.envelope["entry"]["body"].as_object())
            .map(|body| {
                body.iter()
                    .map(|(k, v)| {
                        let mut text = match v {
                            serde_json::Value::String(s) => s.clone(),
                            v => v.to_string(),
                        };
                        // A key by the short code the farmer's phone shows.
                        if k == "vkey" {
                            if let Ok(key) = crate::model::VerifierKey::parse(&text) {
                                text = format!(
                                    "{}（{} {}）",
                                    key.short_code(),
                                    c.l.t("整把：", "whole:"),
                                    text
                                );
                            }
                        }
                        (field_words(&c.l, k).to_owned(), text)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let until = draft
            .as_ref()
            .map(|d| c.beijing_text(&d.expires))
            .unwrap_or_default();
        let first = match draft.as_ref().and_then(|d| d.signer.as_ref()) {
            Some(k) if k.key.role == "collective" => reg
                .collective(&k.party)
                .map(|f| format!("{}（{}）", f.properties.name, c.l.t("村集体", "collective")))
                .unwrap_or_else(|_| k.party.clone()),
            Some(k) if k.key.role == "county" => match &k.key.department {
                Some(d) => c.l.department(d).to_owned(),
                None => c.l.t("县里", "the county").to_owned(),
            },
            Some(k) if k.key.role == "exchange" => c.l.t("交易所", "the exchange").to_owned(),
            Some(k) => k.party.clone(),
            None => {
                c.l.t("（密钥已不在登记簿上）", "(a key no longer bound)")
                    .to_owned()
            }
        };
        Ok(CosignPage {
            missing,
            first,
            draft,
            fields,
            until,
            c,
        })
    })
    .await?;
    html(&page)
}

/// A body's field as the second hand reads it (its name in the entry
/// where no word is set here).
fn field_words<'a>(l: &crate::web::Lang, field: &'a str) -> &'a str {
    match field {
        "party" => l.t("当事方", "party"),
        "role" => l.t("身份", "role"),
        "vkey" => l.t("新密钥（短码）", "new key (short code)"),
        "CBFBM" => l.t("承包方编码", "household"),
        "CBHTBM" => l.t("承包合同编码", "contract"),
        "DKBM" => l.t("地块编码", "parcels"),
        "person" => l.t("成员", "person"),
        "reason" => l.t("理由", "reason"),
        "expropriation" => l.t("征收预公告（日志序号）", "expropriation (log index)"),
        "document_sha256" => l.t("证明材料指纹", "document (SHA-256)"),
        _ => field,
    }
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
