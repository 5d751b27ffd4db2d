//! A household's page, and finding it.

use super::*;

// ---- household ----

#[derive(Template)]
#[template(path = "household.html")]
pub(super) struct HouseholdPage {
    c: Chrome,
    h: HouseholdView,
    income: IncomeView,
    listings: Vec<ListingView>,
    attestations: Vec<u64>,
    area_mu: String,
    /// How many parcels it holds under contracts in force.
    parcels: usize,
    /// Expropriations under way over the household's land (E1): the page
    /// leads with them.
    expropriations: Vec<crate::registry::views::ExpropriationView>,
}

pub(super) async fn household(
    req: HttpRequest,
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "household", move |reg, c| {
        let h = reg.household(&code, None)?;
        let mut listings = reg.listings(None, Some(&h.collective), None)?.listings;
        listings.retain(|l| l.household == h.code);
        let mut area = rust_decimal::Decimal::ZERO;
        let mut parcels = 0;
        for k in h.contracts.iter().filter(|k| k.in_force) {
            for p in &k.parcels {
                parcels += 1;
                let mu = reg.parcel(p)?.properties.area_mu;
                area += mu.parse::<rust_decimal::Decimal>().unwrap_or_default();
            }
        }
        Ok(HouseholdPage {
            expropriations: reg.expropriations_over(&code)?,
            income: reg.income(&code)?,
            attestations: reg.attestations_of(&code)?.attestations,
            area_mu: area.round_dp(2).to_string(),
            parcels,
            listings,
            h,
            c,
        })
    })
    .await?;
    html(&page)
}

#[derive(Deserialize)]
pub(super) struct CodeQuery {
    code: String,
}

/// The home page's "my household" box.
pub(super) async fn household_find(q: web::Query<CodeQuery>) -> HttpResponse {
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
