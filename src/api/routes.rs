//! The handlers of `/api/v1`; `table.rs` declares the routes they answer.

use actix_web::{web, HttpRequest, HttpResponse};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::Deserialize;

use crate::http::{
    blocking, blocking_costed, log_index, parse_bbox, ApiError, Cost, ErrorBody, HttpRefusal,
    MAX_BODY,
};
use crate::registry::views::ReceiptView;

use crate::registry::{Counties, Reader, Registry};

/// The body of a POST: JSON (by its Content-Type), of at most `max` bytes.
async fn json_body(
    req: &HttpRequest,
    payload: web::Payload,
    max: usize,
) -> Result<web::Bytes, ApiError> {
    typed_body(req, payload, max, "application/json").await
}

/// A body of the media type `expected`, at most `max` bytes.
async fn typed_body(
    req: &HttpRequest,
    payload: web::Payload,
    max: usize,
    expected: &'static str,
) -> Result<web::Bytes, ApiError> {
    let typed = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(expected));
    if !typed {
        return Err(ApiError::from(HttpRefusal::UnsupportedMediaType {
            expected,
        }));
    }
    let too_large = || ApiError::from(HttpRefusal::PayloadTooLarge { max });
    match payload.to_bytes_limited(max).await {
        Ok(Ok(b)) => Ok(b),
        Err(_) => Err(too_large()),
        Ok(Err(e)) if matches!(e.as_error(), Some(actix_web::error::PayloadError::Overflow)) => {
            Err(too_large())
        }
        Ok(Err(e)) => Err(ApiError::from(HttpRefusal::BadRequestBody {
            reason: e.to_string(),
        })),
    }
}

pub(super) async fn post_entry(
    req: HttpRequest,
    reg: web::Data<Registry>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let bytes = json_body(&req, payload, MAX_BODY).await?;
    let receipt = reg.submit(&bytes).await?;
    Ok(HttpResponse::Created().json(ReceiptView::from(receipt)))
}

/// The most a batch of submissions may hold: the writer's whole queue.
pub const MAX_BATCH: usize = 16 << 20;

/// What `POST /entries/batch` answers: each submission's outcome, in the
/// order sent.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct BatchView {
    pub results: Vec<Outcome>,
}

/// One submission's outcome: its receipt once durable, or its refusal with
/// the status `POST /entries` would have answered it.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Outcome {
    Appended(ReceiptView),
    Refused { status: u16, error: ErrorBody },
}

impl Outcome {
    fn of(outcome: Result<impl Into<ReceiptView>, crate::registry::ServiceError>) -> Outcome {
        match outcome {
            Ok(receipt) => Outcome::Appended(receipt.into()),
            Err(e) => {
                let e = ApiError::from(e);
                Outcome::Refused {
                    status: actix_web::ResponseError::status_code(&e).as_u16(),
                    error: e.body,
                }
            }
        }
    }
}

pub(super) async fn post_entries_batch(
    req: HttpRequest,
    reg: web::Data<Registry>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let bytes = json_body(&req, payload, MAX_BATCH).await?;
    let reg = reg.into_inner();
    // Up to 16 MiB of JSON to read: off the async workers, and within the
    // bulk budget when it is more than one entry's worth, so a flood of
    // large batches never takes a farmer's read's turn.
    let cost = match bytes.len() > MAX_BODY {
        true => Cost::Bulk,
        false => Cost::Ordinary,
    };
    let read = {
        let reg = reg.clone();
        blocking_costed(cost, move || reg.read_batch(&bytes)).await?
    };
    let outcomes = reg.submit_read(read).await?;
    Ok(HttpResponse::Ok().json(BatchView {
        results: outcomes.into_iter().map(Outcome::of).collect(),
    }))
}

/// The most a survey sent to be planned may hold: a village's parcels.
pub const MAX_SURVEY: usize = 16 << 20;

pub(super) async fn post_survey_plan(
    req: HttpRequest,
    reg: web::Data<Registry>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let bytes = json_body(&req, payload, MAX_SURVEY).await?;
    let collection: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::from(HttpRefusal::BadRequestBody {
            reason: e.to_string(),
        })
    })?;
    let reg = reg.into_inner();
    // A bulk read: a whole village's features against the registry.
    let plan = blocking_costed(Cost::Bulk, move || reg.survey_plan(collection)).await?;
    Ok(HttpResponse::Ok().json(plan))
}

/// The most a package sent to be planned may hold: a village's, zipped.
pub const MAX_PACKAGE: usize = 64 << 20;

#[derive(serde::Deserialize)]
pub(super) struct PackageQuery {
    step: crate::registry::import::PackageStep,
}

/// A village's NY/T 2539 package, zipped, planned one step at a time.
pub(super) async fn post_survey_package(
    req: HttpRequest,
    reg: web::Data<Registry>,
    q: web::Query<PackageQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let bytes = typed_body(&req, payload, MAX_PACKAGE, "application/zip").await?;
    let reg = reg.into_inner();
    let step = q.step;
    // A bulk read: a whole village's package against the registry.
    let plan = blocking_costed(Cost::Bulk, move || reg.package_plan(&bytes, step)).await?;
    Ok(HttpResponse::Ok().json(plan))
}

/// The largest key offer read: a verifier key and its field.
const MAX_KEY_OFFER: usize = 4096;

/// A farmer's phone offers its key under its short code (issue 18).
pub(super) async fn post_key_offer(
    req: HttpRequest,
    reg: web::Data<Registry>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Offer {
        vkey: String,
    }
    let bytes = json_body(&req, payload, MAX_KEY_OFFER).await?;
    let offer: Offer = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::from(HttpRefusal::BadRequestBody {
            reason: e.to_string(),
        })
    })?;
    let reg = reg.into_inner();
    let answer = blocking(move || reg.offer_key(&offer.vkey)).await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// The key a short code names (issue 18).
pub(super) async fn get_key_offer(
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let answer = blocking(move || reg.key_offer(&code)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(answer))
}

/// The largest draft read: an envelope, as `/entries` takes it.
const MAX_DRAFT: usize = 1 << 20;

/// A2 (issue 18): an act signed by its first hand, kept for the second.
pub(super) async fn post_draft(
    req: HttpRequest,
    reg: web::Data<Registry>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let bytes = json_body(&req, payload, MAX_DRAFT).await?;
    let reg = reg.into_inner();
    let answer = blocking(move || reg.keep_draft(&bytes)).await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// The act a short code names, waiting for its second hand (issue 18).
pub(super) async fn get_draft(
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let answer = blocking(move || reg.draft(&code)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(answer))
}

pub(super) async fn get_entry(
    reg: web::Data<Registry>,
    index: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let index = log_index(&index, "index")?;
    let reg = reg.into_inner();
    let leaf = blocking(move || reg.entry(index)).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(leaf))
}

pub(super) async fn get_entry_evidence(
    reg: web::Data<Registry>,
    index: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let index = log_index(&index, "index")?;
    let reg = reg.into_inner();
    answer("application/json", move || reg.entry_evidence(index)).await
}

pub(super) async fn get_checkpoint(reg: web::Data<Registry>) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let (_, note) = blocking(move || reg.checkpoint()).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(note))
}

pub(super) async fn get_state_checkpoint(
    reg: web::Data<Registry>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let note = blocking(move || reg.state_checkpoint()).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(note))
}

#[derive(Deserialize)]
pub(super) struct FromQuery {
    from: u64,
}

pub(super) async fn get_state_leaves(
    reg: web::Data<Registry>,
    q: web::Query<FromQuery>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let leaves = blocking(move || reg.state_leaves(q.from)).await?;
    let mut body = leaves.join("\n");
    if !body.is_empty() {
        body.push('\n');
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(body))
}

#[derive(Deserialize)]
pub(super) struct ProofQuery {
    form: Option<String>,
}

pub(super) async fn get_title_proof(
    reg: web::Data<Registry>,
    title: web::Path<String>,
    q: web::Query<ProofQuery>,
) -> Result<HttpResponse, ApiError> {
    let compact = match q.form.as_deref() {
        None | Some("text") => false,
        Some("compact") => true,
        Some(_) => {
            return Err(crate::registry::ServiceError::BadQuery {
                field: "form",
                reason: "form is `text` or `compact`",
                reason_zh: "form 须为 text 或 compact",
            }
            .into())
        }
    };
    let proof = reg.title_proof(&title).await?;
    let body = if compact {
        B64.encode(proof.to_compact().unwrap_or_default())
    } else {
        proof.to_text()
    };
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(body))
}

#[derive(Deserialize)]
pub(super) struct InclusionQuery {
    index: u64,
    size: u64,
}

#[derive(Deserialize)]
pub(super) struct ConsistencyQuery {
    old: u64,
    new: u64,
}

fn hashes_json(hashes: Vec<[u8; 32]>) -> HttpResponse {
    HttpResponse::Ok().json(crate::registry::views::Hashes {
        hashes: hashes.iter().map(|h| B64.encode(h)).collect(),
    })
}

pub(super) async fn get_inclusion(
    reg: web::Data<Registry>,
    q: web::Query<InclusionQuery>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let proof = blocking(move || reg.inclusion_proof(q.index, q.size)).await?;
    Ok(hashes_json(proof))
}

pub(super) async fn get_consistency(
    reg: web::Data<Registry>,
    q: web::Query<ConsistencyQuery>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let proof = blocking(move || reg.consistency_proof(q.old, q.new)).await?;
    Ok(hashes_json(proof))
}

/// Reads a view and writes it out as JSON, both within the bound on reads
/// at work, so that many readers of large answers hold their bytes only.
pub(super) async fn answer<V: serde::Serialize>(
    content_type: &'static str,
    view: impl FnOnce() -> Result<V, crate::registry::ServiceError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    answer_costed(Cost::Ordinary, content_type, view).await
}

pub(super) async fn answer_costed<V: serde::Serialize>(
    cost: Cost,
    content_type: &'static str,
    view: impl FnOnce() -> Result<V, crate::registry::ServiceError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    let body = blocking_costed(cost, move || {
        view().map(|v| serde_json::to_string(&v).unwrap_or_else(|_| "null".into()))
    })
    .await?;
    Ok(HttpResponse::Ok().content_type(content_type).body(body))
}

pub(super) async fn get_collective(
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    answer("application/geo+json", move || reg.collective(&code)).await
}

pub(super) async fn get_parcel(
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    answer("application/geo+json", move || reg.parcel(&code)).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListingsQuery {
    status: Option<String>,
    collective: Option<String>,
    kind: Option<String>,
}

pub(super) async fn get_listings(
    reg: web::Data<Registry>,
    q: web::Query<ListingsQuery>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let q = q.into_inner();
    answer("application/json", move || {
        reg.listings(
            q.status.as_deref(),
            q.collective.as_deref(),
            q.kind.as_deref(),
        )
    })
    .await
}

pub(super) async fn get_counties(counties: web::Data<Counties>) -> Result<HttpResponse, ApiError> {
    let counties = counties.into_inner();
    // A query a county: bulk, as the province's other reads.
    answer_costed(Cost::Bulk, "application/json", move || counties.view()).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProvinceListingsQuery {
    status: Option<String>,
    kind: Option<String>,
    per_county: Option<u32>,
}

pub(super) async fn get_province_listings(
    counties: web::Data<Counties>,
    q: web::Query<ProvinceListingsQuery>,
) -> Result<HttpResponse, ApiError> {
    let counties = counties.into_inner();
    let q = q.into_inner();
    // A bulk read: one query a county.
    answer_costed(Cost::Bulk, "application/json", move || {
        counties.listings(q.status.as_deref(), q.kind.as_deref(), q.per_county)
    })
    .await
}

pub(super) async fn get_province_figures(
    counties: web::Data<Counties>,
) -> Result<HttpResponse, ApiError> {
    let counties = counties.into_inner();
    answer_costed(Cost::Bulk, "application/json", move || counties.figures()).await
}

pub(super) async fn get_listing(
    reg: web::Data<Registry>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let id = log_index(&id, "id")?;
    answer("application/json", move || reg.listing(id)).await
}

pub(super) async fn get_party(
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    answer("application/json", move || reg.party(&code)).await
}

pub(super) async fn get_key(
    reg: web::Data<Registry>,
    signer: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let public = hex32(&signer).ok_or_else(|| {
        ApiError::from(HttpRefusal::query(
            Some("signer"),
            "signer: must be the 64 hex digits of a public key",
            "signer：须为公钥的 64 位十六进制数字",
        ))
    })?;
    answer("application/json", move || reg.key(&public)).await
}

/// An expropriation (E1): where it stands and who is still owed.
pub(super) async fn get_expropriation(
    reg: web::Data<Registry>,
    index: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let index = log_index(&index, "index")?;
    answer("application/json", move || reg.expropriation(index)).await
}

/// The 土地经营权证 of a registered derived right (M6).
pub(super) async fn get_right(
    reg: web::Data<Registry>,
    index: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let index = log_index(&index, "index")?;
    answer("application/json", move || reg.right_certificate(index)).await
}

#[derive(serde::Deserialize)]
pub(super) struct KeysQuery {
    signers: String,
}

/// Who each of up to 64 keys is (a browser asks for all it holds at once);
/// keys nobody registered are left out.
pub(super) async fn get_keys(
    reg: web::Data<Registry>,
    q: web::Query<KeysQuery>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let mut signers = Vec::new();
    for text in q.signers.split(',').filter(|s| !s.is_empty()) {
        signers.push(hex32(text).ok_or_else(|| {
            ApiError::from(HttpRefusal::query(
                Some("signers"),
                "signers: comma-separated public keys, 64 hex digits each",
                "signers：须为以逗号分隔的公钥，每个 64 位十六进制数字",
            ))
        })?);
    }
    if signers.len() > 64 {
        return Err(ApiError::from(HttpRefusal::query(
            Some("signers"),
            "signers: at most 64 keys at once",
            "signers：一次至多 64 把密钥",
        )));
    }
    answer("application/json", move || reg.keys(&signers)).await
}

/// 64 lower-case hex digits as 32 bytes.
fn hex32(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// The contract of an awarded listing (M5): its 正文 and 当事人信息及签署页,
/// the names in it shown on a signed read by a party, the collective or the
/// county, withheld from anyone else; the hashes in the headers.
pub(super) async fn get_contract(
    req: HttpRequest,
    reg: web::Data<Registry>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reader = reader(&reg, &req)?;
    let reg = reg.into_inner();
    let id = log_index(&id, "id")?;
    let copy = blocking(move || reg.contract(id, reader.as_ref().map(Reader::Signed))).await?;
    let mut answer = HttpResponse::Ok();
    answer
        .content_type("text/plain; charset=utf-8")
        .insert_header(("X-Contract-SHA256", copy.sha256))
        .insert_header(("X-Contract-Body-SHA256", copy.body_sha256))
        .insert_header((
            "X-Contract-Copy",
            if copy.whole { "whole" } else { "public" },
        ))
        .insert_header(("Vary", "Authorization"))
        .insert_header(("Cache-Control", "private, no-store"));
    if let Some(schedule) = copy.schedule_sha256 {
        answer.insert_header(("X-Contract-Schedule-SHA256", schedule));
    }
    Ok(answer.body(copy.text))
}

/// The printable contract is the county's page of it (Chinese first, A4).
pub(super) async fn get_contract_page(id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = log_index(&id, "id")?;
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", format!("/contract/{id}")))
        .finish())
}

pub(super) async fn get_income(
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    answer("application/json", move || reg.income(&code)).await
}

pub(super) async fn get_attestation(
    reg: web::Data<Registry>,
    index: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let index = log_index(&index, "index")?;
    answer("application/json", move || reg.attestation(index)).await
}

/// The printable attestation is the county's page of it (Chinese first,
/// with its proof and a verify button).
pub(super) async fn get_attestation_page(
    index: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let index = log_index(&index, "index")?;
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", format!("/attestation/{index}")))
        .finish())
}

pub(super) async fn get_attestations_of(
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    answer("application/json", move || reg.attestations_of(&code)).await
}

pub(super) async fn get_decision(
    reg: web::Data<Registry>,
    index: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let index = log_index(&index, "index")?;
    answer("application/json", move || reg.decision(index)).await
}

pub(super) async fn get_household(
    req: HttpRequest,
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reader = reader(&reg, &req)?;
    let reg = reg.into_inner();
    let mut page = answer("application/json", move || {
        reg.household(&code, reader.as_ref().map(Reader::Signed))
    })
    .await?;
    let headers = page.headers_mut();
    use actix_web::http::header::{HeaderValue, CACHE_CONTROL, VARY};
    headers.insert(VARY, HeaderValue::from_static("Authorization"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(page)
}

/// The key of a signed read (`Authorization: Sanquan …`), if the request
/// carries one; a header that does not verify is refused, not ignored.
fn reader(
    reg: &Registry,
    req: &HttpRequest,
) -> Result<Option<crate::ledger::read_auth::SignedRead>, ApiError> {
    let Some(header) = req.headers().get("Authorization") else {
        return Ok(None);
    };
    let header = header.to_str().unwrap_or_default();
    let path = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), |p| p.as_str().to_owned());
    reg.signed_read(header, req.method().as_str(), &path)
        .map(Some)
        .map_err(ApiError::from)
}

pub(super) async fn get_distribution(
    reg: web::Data<Registry>,
    index: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let index = log_index(&index, "index")?;
    answer("application/json", move || reg.distribution(index)).await
}

pub(super) async fn get_certificate(
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    answer("application/json", move || reg.certificate(&code)).await
}

pub(super) async fn get_title(
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    answer("application/json", move || reg.title(&code)).await
}

#[derive(Deserialize)]
pub(super) struct ParcelsQuery {
    collective: Option<String>,
    bbox: Option<String>,
}

pub(super) async fn get_parcels(
    reg: web::Data<Registry>,
    q: web::Query<ParcelsQuery>,
) -> Result<HttpResponse, ApiError> {
    let bbox = q.bbox.as_deref().map(parse_bbox).transpose()?;
    let collective = q.collective.clone();
    let reg = reg.into_inner();
    answer_costed(Cost::Bulk, "application/geo+json", move || {
        reg.parcels(collective.as_deref(), bbox)
    })
    .await
}

/// The description, with each kind's example taken from this log (on the
/// demo, from the demo county's own entries), and the county's root key as
/// the example of the parameters that name keys.
pub(super) async fn openapi(reg: web::Data<Registry>) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let (examples, genesis, offer, draft) = blocking(move || {
        Ok((
            reg.kind_examples()?,
            reg.entry(0).ok(),
            reg.newest_key_offer()?,
            reg.newest_draft()?,
        ))
    })
    .await?;
    let mut doc = super::openapi_document();
    let kinds = &mut doc["components"]["schemas"]["Envelope"]["properties"]["entry"]["x-kinds"];
    for (kind, body) in examples {
        if kinds.get(&kind).is_some() {
            kinds[&kind]["example"] = body;
        }
    }
    // The genesis entry's signer is the county's root key.
    let root = genesis
        .and_then(|leaf| serde_json::from_slice::<serde_json::Value>(&leaf).ok())
        .and_then(|r| {
            let signer = r["envelope"]["entry"]["signer"].as_str()?.to_owned();
            B64.decode(signer).ok()
        })
        .and_then(|key| <[u8; 32]>::try_from(key).ok());
    if let Some(root) = root {
        super::table::fill_key_examples(&mut doc, &root, offer.as_deref(), draft.as_deref());
    }
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.to_string()))
}
