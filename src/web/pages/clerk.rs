//! The clerk's desk (the village collective): registering, posting, certifying.

use super::*;

// ---- the clerk (village collective) ----

#[derive(Template)]
#[template(path = "clerk_choose.html")]
pub(super) struct ClerkChoose {
    c: Chrome,
    collectives: Vec<(String, String)>,
}

pub(super) async fn clerk_choose(
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
pub(super) struct ClerkPage {
    c: Chrome,
    code: String,
    name: String,
    households: Vec<String>,
    /// The next free 承包方编码 of the collective (P1: 0001–8000).
    next_household: String,
    /// Parcels no contract covers whose land use may be contracted (C2).
    free_parcels: Vec<(String, String, String)>,
    today: String,
    /// The last day of a 30-year term from today (C2: whole years).
    thirty_years: String,
}

pub(super) async fn clerk(
    req: HttpRequest,
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "clerk", move |reg, c| {
        let k = reg.collective(&code)?;
        let parcels = reg.parcels(Some(&code), None)?;
        let households = reg.households_of(&code)?;
        let next = households
            .iter()
            .filter_map(|h| crate::model::codes::HouseholdCode::parse(h).ok())
            .map(|h| h.sequence())
            .filter(|&n| n <= 8000)
            .max()
            .unwrap_or(0)
            + 1;
        let today = reg.today();
        let thirty_years = today
            .checked_add_months(chrono::Months::new(12 * 30))
            .and_then(|d| d.pred_opt())
            .unwrap_or(today);
        Ok(ClerkPage {
            next_household: format!("{code}{next:04}"),
            households,
            free_parcels: parcels
                .features
                .into_iter()
                .filter(|f| f.properties.holder.is_none() && f.properties.status == "active")
                .filter(|f| crate::model::land::contract_terms(&f.properties.land_use).is_some())
                .map(|f| (f.id, f.properties.name, f.properties.area_mu))
                .collect(),
            name: k.properties.name,
            code: k.id,
            today: today.to_string(),
            thirty_years: thirty_years.to_string(),
            c,
        })
    })
    .await?;
    html(&page)
}
