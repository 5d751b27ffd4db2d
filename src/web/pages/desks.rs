//! The exchange's and the county's desks: what waits for each.

use super::*;

// ---- the exchange's desk ----

#[derive(Template)]
#[template(path = "desk_exchange.html")]
pub(super) struct ExchangeDesk {
    c: Chrome,
    review: Vec<ListingView>,
    deposits: Vec<(ListingView, IntentView)>,
    to_award: Vec<ListingView>,
    to_pay: Vec<ListingView>,
    to_settle: Vec<ListingView>,
    to_pay_out: Vec<ListingView>,
    objections: Vec<(ListingView, crate::model::exchange::Objection)>,
}

pub(super) async fn exchange_desk(
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
pub(super) struct CountyQuery {
    household: Option<String>,
}

#[derive(Template)]
#[template(path = "desk_county.html")]
pub(super) struct CountyDesk {
    c: Chrome,
    to_verify: Vec<ListingView>,
    household: Option<String>,
    rights: Option<String>,
    /// The attestation's statement as it will print (G3), beside the form
    /// that signs it.
    preview: Option<String>,
    members: Vec<MemberView>,
    settings: String,
    today: String,
}

pub(super) async fn county_desk(
    req: HttpRequest,
    reg: web::Data<Registry>,
    q: web::Query<CountyQuery>,
) -> Result<HttpResponse, PageError> {
    let household = q.into_inner().household.filter(|h| !h.is_empty());
    let page = read(&reg, &req, "desk-county", move |reg, c| {
        let all = reg.listings(Some("awarded"), None, None)?.listings;
        let (rights, preview, members) = match &household {
            Some(h) => {
                let rights = reg.base_rights(h)?;
                let preview = crate::registry::views::retention_statement(
                    &crate::model::state::Attestation {
                        index: 0,
                        household: h.clone(),
                        day: reg.today(),
                        rights: rights.clone(),
                    },
                    true,
                );
                (
                    Some(serde_json::to_string(&rights).unwrap_or_default()),
                    Some(preview),
                    reg.household(h, None)?.members,
                )
            }
            None => (None, None, Vec::new()),
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
            preview,
            members,
            c,
        })
    })
    .await?;
    html(&page)
}
