//! The home page: what the county holds, and each reader's way in.

use super::*;

// ---- home ----

#[derive(Template)]
#[template(path = "home.html")]
pub(super) struct Home {
    c: Chrome,
    collectives: Vec<(String, String)>,
    stages: Vec<(&'static str, &'static str, usize)>,
    /// Listings at any stage (none: the card says so).
    listed: usize,
    recent: Vec<LogLine>,
    chart: String,
}

pub(super) async fn home(
    req: HttpRequest,
    reg: web::Data<Registry>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "home", |reg, c| {
        let listings = reg.figures()?.listings;
        let stages = STAGES
            .iter()
            .map(|s| {
                let n = listings
                    .iter()
                    .find(|(status, _)| status == s.as_str())
                    .map_or(0, |(_, n)| *n as usize);
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
            listed: stages.iter().map(|s| s.2).sum(),
            stages,
            recent: reg.recent_entries(8)?,
            chart,
            c,
        })
    })
    .await?;
    html(&page)
}

pub(super) const STAGES: [Status; 7] = [
    Status::Review,
    Status::Notice,
    Status::Trading,
    Status::Awarded,
    Status::Settled,
    Status::Withdrawn,
    Status::Rejected,
];
