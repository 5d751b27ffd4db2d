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
    free_parcels: Vec<(String, String, String)>,
    today: String,
}

pub(super) async fn clerk(
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
