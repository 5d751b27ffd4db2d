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
    /// The household as everyone may name it: 第1村第一组 · 第2户.
    label: String,
    collective_name: String,
    /// The head's commitment, whose name a signed read shows.
    head: Option<String>,
    /// Each contracted parcel's name and area in 亩, by code.
    parcel_names: BTreeMap<String, (String, String)>,
    /// Members who settled in a town (进城落户).
    settlements: Vec<crate::registry::views::SettlementView>,
    /// Acts over the household under notice, which it may object to (A3).
    pending: usize,
    /// The parties the household's acts are over: itself.
    over_us: Vec<String>,
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
        let mut parcel_names = BTreeMap::new();
        for k in &h.contracts {
            for p in &k.parcels {
                let props = reg.parcel(p)?.properties;
                if k.in_force {
                    parcels += 1;
                    area += props
                        .area_mu
                        .parse::<rust_decimal::Decimal>()
                        .unwrap_or_default();
                }
                parcel_names.insert(p.clone(), (props.name, props.area_mu));
            }
        }
        let collective_name = reg
            .collective(&h.collective)
            .map(|f| f.properties.name)
            .unwrap_or_else(|_| h.collective.clone());
        Ok(HouseholdPage {
            label: crate::model::words::household(&collective_name, &h.code),
            collective_name,
            head: h
                .members
                .iter()
                .find(|m| m.relation == "02")
                .map(|m| m.person.clone()),
            parcel_names,
            settlements: reg.settlements_of(&code)?,
            pending: h.acts.iter().filter(|a| a.may_object).count(),
            over_us: vec![h.code.clone()],
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
