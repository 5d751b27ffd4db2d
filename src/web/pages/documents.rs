//! Printable documents, laid out after the national samples (issue 18):
//! the 承包经营权证 (C3), the 土地经营权证 (M6), the 交易鉴证书 (X2), the
//! 权益保留证明 (G3) and the contract (M5); each official one names its
//! issuing authority, has a seal area and a 核验码 that `/v/{code}` checks
//! against the log.

use super::*;
use crate::model::words;
use crate::registry::Stamp;

/// The official documents: who issues each, and the entry that makes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Document {
    /// 农村土地承包经营权证, by `certificate.issue`.
    ContractCertificate,
    /// 土地经营权证, by `right.certify`.
    RightCertificate,
    /// 交易鉴证书, by `deal.settle`.
    DealCertificate,
    /// 权益保留证明, by `attest.retention`.
    Attestation,
}

impl Document {
    const ALL: [Document; 4] = [
        Document::ContractCertificate,
        Document::RightCertificate,
        Document::DealCertificate,
        Document::Attestation,
    ];

    /// The entry kind that makes it.
    fn kind(self) -> &'static str {
        match self {
            Document::ContractCertificate => "certificate.issue",
            Document::RightCertificate => "right.certify",
            Document::DealCertificate => "deal.settle",
            Document::Attestation => "attest.retention",
        }
    }

    /// Its issuing authority, in the county named `county`.
    pub(super) fn issuer(self, county: &str) -> String {
        match self {
            Document::ContractCertificate => format!("{county}人民政府"),
            Document::RightCertificate | Document::Attestation => format!("{county}农业农村局"),
            Document::DealCertificate => format!("{county}农村产权交易中心"),
        }
    }

    /// Where the document made by entry `s` is shown.
    fn page(self, s: &Stamp) -> String {
        let field = |f: &str| {
            s.body[f]
                .as_str()
                .map(str::to_owned)
                .or_else(|| s.body[f].as_u64().map(|n| n.to_string()))
                .unwrap_or_default()
        };
        match self {
            Document::ContractCertificate => format!("/certificate/{}", field("CBHTBM")),
            Document::RightCertificate => format!("/right/{}", field("right")),
            Document::DealCertificate => format!("/deal/{}", field("listing")),
            Document::Attestation => format!("/attestation/{}", s.index),
        }
    }
}

// ---- 核验码 ----

/// `/v/{code}`: a document's 核验码, as typed from paper, opens the
/// document it names; a code that is not one of this log's is the error
/// page's 未找到.
pub(super) async fn verify(
    req: HttpRequest,
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "home", move |reg, _| {
        let s = reg.stamped(&code)?;
        Ok(Document::ALL
            .into_iter()
            .find(|d| d.kind() == s.kind)
            .map_or_else(|| format!("/log/{}", s.index), |d| d.page(&s)))
    })
    .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", page))
        .finish())
}

#[derive(serde::Deserialize)]
pub(super) struct Typed {
    #[serde(default)]
    code: String,
}

/// The home page's 核验 box: a typed code, cleaned of what is not part of
/// it, goes to `/v/{code}`.
pub(super) async fn verify_typed(typed: web::Query<Typed>) -> HttpResponse {
    let code: String = typed
        .code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(32)
        .collect();
    HttpResponse::SeeOther()
        .insert_header(("Location", format!("/v/{code}")))
        .finish()
}

// ---- 交易鉴证书 (X2) ----

#[derive(Template)]
#[template(path = "deal.html")]
pub(super) struct DealPage {
    c: Chrome,
    x: ListingView,
    a: AwardView,
    w: crate::model::exchange::Written,
    s: Stamp,
    issuer: String,
    /// 竞价 (an auction with more than one bidder) or 协议.
    auction: bool,
    /// The titles' proofs as QRs (issue 20).
    proofs: Vec<TitleQr>,
}

/// The 交易鉴证书 the exchange issues when a deal settles: what was
/// transferred, between whom, at what price, and that the household keeps
/// its rights.
pub(super) async fn deal(
    req: HttpRequest,
    reg: web::Data<Registry>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = crate::http::log_index(&id, "id")?;
    let proofs = document_qrs(&reg, move |reg| {
        use crate::model::exchange::Mode;
        use crate::model::titles::Title;
        let x = reg.listing(id)?;
        let titles = match x.mode {
            Mode::HouseLease | Mode::Homestead => vec![Title::Homestead(x.household)],
            Mode::Shares => vec![Title::Shares(x.household)],
            _ => x.parcels.into_iter().map(Title::Parcel).collect(),
        };
        Ok(titles
            .iter()
            .map(|t| (t.key(), title_name(t, "")))
            .collect())
    })
    .await;
    let page = read(&reg, &req, "exchange", move |reg, c| {
        let x = reg.listing(id)?;
        let not_settled = || ServiceError::NotFound {
            what: "settled deal",
            id: id.to_string(),
            field: "id",
        };
        let (Some(settled), Some(a)) = (x.settled_at, x.award.clone()) else {
            return Err(not_settled());
        };
        Ok(DealPage {
            proofs,
            w: a.written.clone().unwrap_or_default(),
            s: reg.stamp(settled)?,
            issuer: Document::DealCertificate.issuer(&c.county_name),
            auction: x.deadline.is_some(),
            a,
            x,
            c,
        })
    })
    .await?;
    html(&page)
}

// ---- /verify: a title proof scanned or pasted, checked offline ----

#[derive(Template)]
#[template(path = "verify_title.html")]
pub(super) struct VerifyTitlePage {
    c: Chrome,
    policy: Option<String>,
}

/// The phone page that checks a certificate's QR (issue 20): the county's
/// trust policy pinned in it, the proof read from a photo or pasted, the
/// checks made in the browser — once loaded, with no network.
pub(super) async fn verify_title(
    req: HttpRequest,
    reg: web::Data<Registry>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "verify", move |reg, c| {
        Ok(VerifyTitlePage {
            policy: reg.trust_policy(),
            c,
        })
    })
    .await?;
    html(&page)
}

// ---- 农村土地承包经营权证 (C3) ----

#[derive(Template)]
#[template(path = "certificate.html")]
pub(super) struct CertificatePage {
    c: Chrome,
    k: CertificateView,
    s: Stamp,
    issuer: String,
    /// 发包方 by name.
    collective: String,
    /// The household as everyone may name it.
    household: String,
    /// The members the certificate names: (commitment, relation in words).
    members: Vec<(String, &'static str)>,
    /// 承包方代表: the head's commitment.
    head: Option<String>,
    /// Each parcel's 坐落, 四至 and basic-farmland mark, as `k.parcels`.
    sheets: Vec<crate::registry::ParcelSheet>,
    sketch: String,
    /// The signed read that shows the members' names.
    names_path: String,
    /// Each parcel's title proof as a QR (issue 20), when the server keeps
    /// the state log: (parcel code, SVG, as of the event log's size).
    proofs: Vec<TitleQr>,
}

/// A title's proof as printed: its QR and what it is as of.
pub(super) struct TitleQr {
    pub title: String,
    /// What the title is called (a parcel's name), shown before its code.
    pub name: String,
    pub svg: String,
    pub event_size: u64,
    pub bytes: usize,
}

/// What a document's titles are called: a parcel by its name (given), a
/// homestead or a shares holding by what it is.
fn title_name(title: &crate::model::titles::Title, parcel_name: &str) -> String {
    use crate::model::titles::Title;
    match title {
        Title::Parcel(_) => parcel_name.to_owned(),
        Title::Homestead(_) => "宅基地使用权".into(),
        Title::Shares(_) => "集体收益分配权（份额）".into(),
    }
}

/// The QRs of a document's titles' proofs (issue 20): `titles` reads them
/// (code, name) off the async workers, then each is proved now. A document
/// that does not read, or a registry that only reads, has none — the page
/// says what it says without them.
pub(super) async fn document_qrs(
    reg: &web::Data<Registry>,
    titles: impl FnOnce(&Registry) -> Result<Vec<(String, String)>, ServiceError> + Send + 'static,
) -> Vec<TitleQr> {
    let inner = reg.clone().into_inner();
    let titles = web::block(move || titles(&inner))
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    title_qrs(reg, &titles).await
}

/// The QRs of the titles' proofs, made now (a title that cannot be proved
/// — a registry that only reads — has none).
async fn title_qrs(reg: &Registry, titles: &[(String, String)]) -> Vec<TitleQr> {
    let mut out = Vec::new();
    for (title, name) in titles {
        let Ok(proof) = reg.title_proof(title).await else {
            continue;
        };
        let Some(bytes) = proof.to_compact() else {
            continue;
        };
        if let Some(svg) = proof.to_qr_text().and_then(|t| super::super::qr::svg(&t)) {
            out.push(TitleQr {
                title: title.clone(),
                name: name.clone(),
                svg,
                event_size: proof.leaf.event_size,
                bytes: bytes.len(),
            });
        }
    }
    out
}

pub(super) async fn certificate(
    req: HttpRequest,
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let of = code.clone();
    let proofs = document_qrs(&reg, move |reg| {
        Ok(reg
            .certificate(&of)?
            .parcels
            .iter()
            .map(|p| (p.code.clone(), p.name.clone()))
            .collect())
    })
    .await;
    let page = read(&reg, &req, "household", move |reg, c| {
        let k = reg.certificate(&code)?;
        let h = reg.household(&k.household, None)?;
        let relation = |person: &str| {
            h.members
                .iter()
                .find(|m| m.person == person)
                .map_or("家庭成员", |m| words::relation(&m.relation))
        };
        let mut sheets = Vec::new();
        for p in &k.parcels {
            sheets.push(reg.parcel_sheet(&p.code)?);
        }
        let sketch = super::super::sketch::svg(
            &sheets
                .iter()
                .enumerate()
                .map(|(i, s)| (i + 1, s.geometry.clone()))
                .collect::<Vec<_>>(),
        );
        let collective = sheets
            .first()
            .map_or_else(|| k.collective.clone(), |s| s.collective.clone());
        Ok(CertificatePage {
            s: reg.stamp(k.issued_at)?,
            issuer: Document::ContractCertificate.issuer(&c.county_name),
            household: words::household(&collective, &k.household),
            members: k.members.iter().map(|m| (m.clone(), relation(m))).collect(),
            head: h
                .members
                .iter()
                .find(|m| m.relation == "02")
                .map(|m| m.person.clone()),
            names_path: format!("/api/v1/households/{}", k.household),
            proofs,
            collective,
            sheets,
            sketch,
            k,
            c,
        })
    })
    .await?;
    html(&page)
}

// ---- attestation ----

#[derive(Template)]
#[template(path = "attestation.html")]
pub(super) struct AttestationPage {
    c: Chrome,
    a: AttestationView,
    s: Stamp,
    issuer: String,
    /// The household as everyone may name it.
    household: String,
    /// Each settlement's relation in words.
    relations: Vec<&'static str>,
    names_path: String,
    /// The household's titles' proofs as QRs (issue 20).
    proofs: Vec<TitleQr>,
}

/// The 权益保留证明 (G3): the rights a household holds on a day, the
/// members who settled in a town, the statement in full.
pub(super) async fn attestation(
    req: HttpRequest,
    reg: web::Data<Registry>,
    index: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let index = crate::http::log_index(&index, "index")?;
    let proofs = document_qrs(&reg, move |reg| {
        use crate::model::titles::Title;
        let a = reg.attestation(index)?;
        let mut titles: Vec<Title> = a
            .rights
            .contracts
            .iter()
            .flat_map(|k| k.parcels.iter().cloned().map(Title::Parcel))
            .collect();
        if a.rights.homestead.is_some() {
            titles.push(Title::Homestead(a.household.clone()));
        }
        if a.rights.shares > 0 {
            titles.push(Title::Shares(a.household.clone()));
        }
        Ok(titles
            .iter()
            .map(|t| (t.key(), title_name(t, "")))
            .collect())
    })
    .await;
    let page = read(&reg, &req, "desk-county", move |reg, c| {
        let a = reg.attestation(index)?;
        let collective = reg
            .collective(crate::model::codes::collective_of(&a.household))
            .map(|f| f.properties.name)
            .unwrap_or_default();
        Ok(AttestationPage {
            proofs,
            s: reg.stamp(index)?,
            issuer: Document::Attestation.issuer(&c.county_name),
            household: words::household(&collective, &a.household),
            relations: a
                .settlements
                .iter()
                .map(|s| words::relation(&s.relation))
                .collect(),
            names_path: format!("/api/v1/households/{}", a.household),
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
    /// The certifying entry, once the county issued the certificate.
    s: Option<Stamp>,
    issuer: String,
    /// The parties as the deal's contract names them.
    w: crate::model::exchange::Written,
    /// The titles' proofs as QRs (issue 20).
    proofs: Vec<TitleQr>,
}

pub(super) async fn right(
    req: HttpRequest,
    reg: web::Data<Registry>,
    index: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let index = crate::http::log_index(&index, "index")?;
    let proofs = document_qrs(&reg, move |reg| {
        let r = reg.right_certificate(index)?;
        Ok(if r.mode == crate::model::exchange::Mode::HouseLease {
            let t = crate::model::titles::Title::Homestead(r.household.clone());
            vec![(t.key(), title_name(&t, ""))]
        } else {
            r.parcels
                .iter()
                .map(|p| (p.code.clone(), p.name.clone()))
                .collect()
        })
    })
    .await;
    let page = read(&reg, &req, "map", move |reg, c| {
        let r = reg.right_certificate(index)?;
        let w = reg
            .listing(r.listing)?
            .award
            .and_then(|a| a.written)
            .unwrap_or_default();
        Ok(RightPage {
            proofs,
            s: match &r.certified {
                Some(x) => Some(reg.stamp(x.index)?),
                None => None,
            },
            issuer: Document::RightCertificate.issuer(&c.county_name),
            w,
            r,
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
