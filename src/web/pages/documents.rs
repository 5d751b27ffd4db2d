//! Printable documents: the county's attestation (G3) and the 土地经营权证 (M6).

use super::*;

// ---- attestation ----

#[derive(Template)]
#[template(path = "attestation.html")]
pub(super) struct AttestationPage {
    c: Chrome,
    a: AttestationView,
    contracts: Vec<(String, String, usize, String, String)>,
    homestead_m2: Option<String>,
}

pub(super) async fn attestation(
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
pub(super) struct RightPage {
    c: Chrome,
    r: RightCertificateView,
}

pub(super) async fn right(
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

// ---- the contract of a deal (M5) ----

#[derive(Template)]
#[template(path = "contract.html")]
pub(super) struct ContractPage {
    c: Chrome,
    id: u64,
    /// The first line of the text, its title.
    title: String,
    /// The 正文 after the title.
    body: String,
    /// Template 2: the 当事人信息及签署页 (names withheld here: a party's
    /// signed read shows them in place).
    schedule: Option<String>,
    k: crate::registry::ContractCopy,
}

/// The contract the parties of an awarded listing sign, to print on A4:
/// its text exactly as rendered and the SHA-256 both parties sign.
pub(super) async fn contract(
    req: HttpRequest,
    reg: web::Data<Registry>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    use crate::model::exchange::SCHEDULE_HEADING;
    let id = crate::http::log_index(&id, "id")?;
    let page = read(&reg, &req, "exchange", move |reg, c| {
        let k = reg.contract(id, None)?;
        let (title, rest) = k.text.split_once('\n').unwrap_or((&k.text, ""));
        let marker = format!("\n\n{SCHEDULE_HEADING}");
        let (body, schedule) = match rest.split_once(&marker) {
            Some((body, page)) => (body, Some(format!("{SCHEDULE_HEADING}{page}"))),
            None => (rest, None),
        };
        Ok(ContractPage {
            c,
            id,
            title: title.to_owned(),
            body: body.trim_start_matches('\n').to_owned(),
            schedule,
            k: k.clone(),
        })
    })
    .await?;
    html(&page)
}
