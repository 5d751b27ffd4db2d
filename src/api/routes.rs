//! The routes of `/api/v1`.

use actix_web::{web, HttpRequest, HttpResponse};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::Deserialize;

use crate::http::{blocking, blocking_costed, log_index, parse_bbox, ApiError, Cost, MAX_BODY};
use crate::registry::{Reader, Registry};

/// The routes of `/api/v1`, mounted by the server beside the pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .route("/entries", web::post().to(post_entry))
            .route("/entries/{index}", web::get().to(get_entry))
            .route("/checkpoint", web::get().to(get_checkpoint))
            .route("/proofs/inclusion", web::get().to(get_inclusion))
            .route("/proofs/consistency", web::get().to(get_consistency))
            .route("/collectives/{code}", web::get().to(get_collective))
            .route("/parcels", web::get().to(get_parcels))
            .route("/parcels/{code}", web::get().to(get_parcel))
            .route("/titles/{code}", web::get().to(get_title))
            .route("/decisions/{index}", web::get().to(get_decision))
            .route("/households/{code}", web::get().to(get_household))
            .route("/distributions/{index}", web::get().to(get_distribution))
            .route("/certificates/{code}", web::get().to(get_certificate))
            .route("/listings", web::get().to(get_listings))
            .route("/listings/{id}", web::get().to(get_listing))
            .route("/listings/{id}/contract", web::get().to(get_contract))
            .route("/parties/{code}", web::get().to(get_party))
            .route("/keys", web::get().to(get_keys))
            .route("/rights/{index}", web::get().to(get_right))
            .route("/expropriations/{index}", web::get().to(get_expropriation))
            .route("/keys/{signer}", web::get().to(get_key))
            .route(
                "/listings/{id}/contract/print",
                web::get().to(get_contract_page),
            )
            .route("/households/{code}/income", web::get().to(get_income))
            .route(
                "/households/{code}/attestations",
                web::get().to(get_attestations_of),
            )
            .route("/attestations/{index}", web::get().to(get_attestation))
            .route(
                "/attestations/{index}/print",
                web::get().to(get_attestation_page),
            )
            .route("/openapi.json", web::get().to(openapi)),
    );
}

async fn post_entry(
    req: HttpRequest,
    reg: web::Data<Registry>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let json = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(ApiError::new(
            crate::model::error::Class::UnsupportedMedia,
            "unsupported_media_type",
            "an envelope is sent as Content-Type: application/json",
            "信封须以 Content-Type: application/json 提交",
            Some("header.Content-Type"),
        ));
    }
    let too_large = || {
        ApiError::new(
            crate::model::error::Class::TooLarge,
            "payload_too_large",
            format!("an envelope may be at most {MAX_BODY} bytes"),
            format!("信封不得超过 {MAX_BODY} 字节"),
            None,
        )
    };
    let bytes = match payload.to_bytes_limited(MAX_BODY).await {
        Ok(Ok(b)) => b,
        Err(_) => return Err(too_large()),
        Ok(Err(e)) if matches!(e.as_error(), Some(actix_web::error::PayloadError::Overflow)) => {
            return Err(too_large())
        }
        Ok(Err(e)) => {
            let msg = e.to_string();
            return Err(ApiError::new(
                crate::model::error::Class::Malformed,
                "bad_request_body",
                msg.clone(),
                format!("请求体读取失败：{msg}"),
                None,
            ));
        }
    };
    let receipt = reg.submit(&bytes).await?;
    Ok(
        HttpResponse::Created().json(crate::registry::views::ReceiptView {
            index: receipt.index,
            leaf_hash: B64.encode(receipt.leaf_hash),
        }),
    )
}

async fn get_entry(
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

async fn get_checkpoint(reg: web::Data<Registry>) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let (_, note) = blocking(move || reg.checkpoint()).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(note))
}

#[derive(Deserialize)]
struct InclusionQuery {
    index: u64,
    size: u64,
}

#[derive(Deserialize)]
struct ConsistencyQuery {
    old: u64,
    new: u64,
}

fn hashes_json(hashes: Vec<[u8; 32]>) -> HttpResponse {
    HttpResponse::Ok().json(crate::registry::views::Hashes {
        hashes: hashes.iter().map(|h| B64.encode(h)).collect(),
    })
}

async fn get_inclusion(
    reg: web::Data<Registry>,
    q: web::Query<InclusionQuery>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let proof = blocking(move || reg.inclusion_proof(q.index, q.size)).await?;
    Ok(hashes_json(proof))
}

async fn get_consistency(
    reg: web::Data<Registry>,
    q: web::Query<ConsistencyQuery>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let proof = blocking(move || reg.consistency_proof(q.old, q.new)).await?;
    Ok(hashes_json(proof))
}

/// Reads a view and writes it out as JSON, both within the bound on reads
/// at work, so that many readers of large answers hold their bytes only.
async fn answer<V: serde::Serialize>(
    content_type: &'static str,
    view: impl FnOnce() -> Result<V, crate::registry::ServiceError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    answer_costed(Cost::Ordinary, content_type, view).await
}

async fn answer_costed<V: serde::Serialize>(
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

async fn get_collective(
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    answer("application/geo+json", move || reg.collective(&code)).await
}

async fn get_parcel(
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    answer("application/geo+json", move || reg.parcel(&code)).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListingsQuery {
    status: Option<String>,
    collective: Option<String>,
    kind: Option<String>,
}

async fn get_listings(
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

async fn get_listing(
    reg: web::Data<Registry>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let id = log_index(&id, "id")?;
    answer("application/json", move || reg.listing(id)).await
}

async fn get_party(
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    answer("application/json", move || reg.party(&code)).await
}

async fn get_key(
    reg: web::Data<Registry>,
    signer: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let public = hex32(&signer).ok_or_else(|| {
        ApiError::new(
            crate::model::error::Class::Malformed,
            "bad_query",
            "signer: must be the 64 hex digits of a public key",
            "signer：须为公钥的 64 位十六进制数字",
            Some("signer"),
        )
    })?;
    answer("application/json", move || reg.key(&public)).await
}

/// An expropriation (E1): where it stands and who is still owed.
async fn get_expropriation(
    reg: web::Data<Registry>,
    index: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let index = log_index(&index, "index")?;
    answer("application/json", move || reg.expropriation(index)).await
}

/// The 土地经营权证 of a registered derived right (M6).
async fn get_right(
    reg: web::Data<Registry>,
    index: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let index = log_index(&index, "index")?;
    answer("application/json", move || reg.right_certificate(index)).await
}

#[derive(serde::Deserialize)]
struct KeysQuery {
    signers: String,
}

/// Who each of up to 64 keys is (a browser asks for all it holds at once);
/// keys nobody registered are left out.
async fn get_keys(
    reg: web::Data<Registry>,
    q: web::Query<KeysQuery>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let mut signers = Vec::new();
    for text in q.signers.split(',').filter(|s| !s.is_empty()) {
        signers.push(hex32(text).ok_or_else(|| {
            ApiError::new(
                crate::model::error::Class::Malformed,
                "bad_query",
                "signers: comma-separated public keys, 64 hex digits each",
                "signers：须为以逗号分隔的公钥，每个 64 位十六进制数字",
                Some("signers"),
            )
        })?);
    }
    if signers.len() > 64 {
        return Err(ApiError::new(
            crate::model::error::Class::Malformed,
            "bad_query",
            "signers: at most 64 keys at once",
            "signers：一次至多 64 把密钥",
            Some("signers"),
        ));
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

/// The contract text the parties sign (M5): exactly the bytes whose
/// SHA-256 `contract.sign` carries.
async fn get_contract(
    reg: web::Data<Registry>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let id = log_index(&id, "id")?;
    let (text, hash) = blocking(move || reg.contract(id)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header(("X-Contract-SHA256", hash))
        .body(text))
}

async fn get_contract_page(
    reg: web::Data<Registry>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let id = log_index(&id, "id")?;
    let page = blocking(move || reg.contract_page(id)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page))
}

async fn get_income(
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    answer("application/json", move || reg.income(&code)).await
}

async fn get_attestation(
    reg: web::Data<Registry>,
    index: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let index = log_index(&index, "index")?;
    answer("application/json", move || reg.attestation(index)).await
}

/// The printable attestation is the county's page of it (Chinese first,
/// with its proof and a verify button).
async fn get_attestation_page(index: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let index = log_index(&index, "index")?;
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", format!("/attestation/{index}")))
        .finish())
}

async fn get_attestations_of(
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    answer("application/json", move || reg.attestations_of(&code)).await
}

async fn get_decision(
    reg: web::Data<Registry>,
    index: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let index = log_index(&index, "index")?;
    answer("application/json", move || reg.decision(index)).await
}

async fn get_household(
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

async fn get_distribution(
    reg: web::Data<Registry>,
    index: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let index = log_index(&index, "index")?;
    answer("application/json", move || reg.distribution(index)).await
}

async fn get_certificate(
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    answer("application/json", move || reg.certificate(&code)).await
}

async fn get_title(
    reg: web::Data<Registry>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    answer("application/json", move || reg.title(&code)).await
}

#[derive(Deserialize)]
struct ParcelsQuery {
    collective: Option<String>,
    bbox: Option<String>,
}

async fn get_parcels(
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
/// demo, from the demo county's own entries).
async fn openapi(reg: web::Data<Registry>) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let examples = blocking(move || reg.kind_examples()).await?;
    let mut doc = openapi_document();
    let kinds = &mut doc["components"]["schemas"]["Envelope"]["properties"]["entry"]["x-kinds"];
    for (kind, body) in examples {
        if kinds.get(&kind).is_some() {
            kinds[&kind]["example"] = body;
        }
    }
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.to_string()))
}

/// The JSON Schema of a view as it is written out (a field left out when
/// empty is not required).
fn view_schema<V: schemars::JsonSchema>() -> serde_json::Value {
    schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<V>()
        .to_value()
}

/// Puts `schema` (a JSON Schema as schemars writes it) under
/// `components/schemas/{name}`, its `$defs` beside it there and its
/// references rewritten to resolve from the document's root, as OpenAPI
/// tools resolve them; returns a reference to it.
fn lift(
    doc: &mut serde_json::Value,
    name: &str,
    mut schema: serde_json::Value,
) -> serde_json::Value {
    fn rewrite(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::String(r)) = m.get_mut("$ref") {
                    if let Some(def) = r.strip_prefix("#/$defs/") {
                        *r = format!("#/components/schemas/{def}");
                    }
                }
                m.values_mut().for_each(rewrite);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(rewrite),
            _ => {}
        }
    }
    rewrite(&mut schema);
    let schemas = &mut doc["components"]["schemas"];
    if let Some(serde_json::Value::Object(defs)) =
        schema.as_object_mut().and_then(|m| m.remove("$defs"))
    {
        for (def, s) in defs {
            // The same type under the same name, whoever uses it.
            schemas[def.as_str()] = s;
        }
    }
    if let Some(m) = schema.as_object_mut() {
        m.remove("$schema");
    }
    schemas[name] = schema;
    serde_json::json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The OpenAPI description: the routes as written in `openapi.json`, and the
/// entry kinds from their one declaration (`model::table`) — each kind's
/// name, the roles that may sign it and the rule ids it checks. Every body
/// and view is a schema under `components/schemas`, and `POST /entries`
/// takes one of the kinds' envelopes (`Entry`).
pub fn openapi_document() -> serde_json::Value {
    use crate::model::kinds::{
        body_schema, can_act_over, county_offices, rule_ids, second_hands, signers, KINDS,
    };
    use crate::model::roles::Office;
    let mut doc: serde_json::Value =
        serde_json::from_str(include_str!("openapi.json")).unwrap_or_default();
    doc["components"]["schemas"]["Envelope"]["properties"]["entry"]["properties"]["kind"]["enum"] =
        serde_json::json!(KINDS);
    // Each kind's body, and its envelope: the envelope with that kind and
    // that body; an entry is one of them.
    let mut envelopes = Vec::new();
    let mut bodies = serde_json::Map::new();
    for k in KINDS {
        let body = lift(
            &mut doc,
            &format!("body.{k}"),
            body_schema(k).unwrap_or_default(),
        );
        let envelope = serde_json::json!({"allOf": [
            {"$ref": "#/components/schemas/Envelope"},
            {"properties": {"entry": {"properties": {"kind": {"const": k}, "body": body}}}}
        ]});
        doc["components"]["schemas"][format!("envelope.{k}")] = envelope;
        envelopes.push(serde_json::json!({"$ref": format!("#/components/schemas/envelope.{k}")}));
        bodies.insert((*k).to_owned(), body);
    }
    doc["components"]["schemas"]["Entry"] = serde_json::json!({"oneOf": envelopes});
    let entry = &mut doc["components"]["schemas"]["Envelope"]["properties"]["entry"];
    entry["x-kinds"] = KINDS
        .iter()
        .map(|k| {
            let roles: Vec<&str> = signers(k).iter().map(|r| r.as_str()).collect();
            // A2: the county offices whose remit it is (under rules 2), and
            // the departments that may be the second hand of its acts.
            let offices: Vec<&str> = county_offices(k)
                .iter()
                .map(|o| match o {
                    Office::Root => "root",
                    Office::Department(d) => d.as_str(),
                })
                .collect();
            let hands: Vec<&str> = second_hands(k).iter().map(|d| d.as_str()).collect();
            (
                (*k).to_owned(),
                serde_json::json!({"signers": roles, "rules": rule_ids(k), "body": bodies[*k],
                    // A1: whether an entry of this kind can act over a
                    // party without its signature (two hands, the notice).
                    "acts_over_party": can_act_over(k),
                    "county_offices": offices, "second_hands": hands}),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into();
    doc["x-errors"] = serde_json::json!(crate::http::error::catalogue());
    // The typed views reads answer with, each a JSON Schema of its own, and
    // the routes that answer with each — one table, so that no route names
    // a view that is not described.
    use crate::registry::views;
    macro_rules! views {
        ($($name:literal => $view:ty: [$($path:literal),*];)*) => {{
            let mut all = serde_json::Map::new();
            $(
                let view = lift(&mut doc, $name, view_schema::<$view>());
                $(
                    let ok = &mut doc["paths"][$path]["get"]["responses"]["200"];
                    ok["x-view"] = serde_json::json!($name);
                    // The view is the schema of each type the route answers in.
                    if let Some(types) = ok["content"].as_object_mut() {
                        types.values_mut().for_each(|t| t["schema"] = view.clone());
                    }
                )*
                all.insert($name.to_owned(), view);
            )*
            doc["x-views"] = serde_json::Value::Object(all);
        }};
    }
    views! {
        "DecisionView" => views::DecisionView: ["/api/v1/decisions/{index}"];
        "DistributionView" => views::DistributionView: ["/api/v1/distributions/{index}"];
        "CertificateView" => views::CertificateView: ["/api/v1/certificates/{code}"];
        "PartyView" => views::PartyView: ["/api/v1/parties/{code}"];
        "KeyView" => views::KeyView: ["/api/v1/keys/{signer}"];
        "KeysView" => views::KeysView: ["/api/v1/keys"];
        "RightCertificateView" => views::RightCertificateView: ["/api/v1/rights/{index}"];
        "ExpropriationView" => views::ExpropriationView: ["/api/v1/expropriations/{index}"];
        "ParcelFeature" => views::Feature<views::ParcelProperties>: ["/api/v1/parcels/{code}"];
        "ParcelCollection" => views::FeatureCollection<views::ParcelProperties>: ["/api/v1/parcels"];
        "CollectiveFeature" => views::Feature<views::CollectiveProperties>: ["/api/v1/collectives/{code}"];
        "TitleView" => views::TitleView: ["/api/v1/titles/{code}"];
        "HouseholdView" => views::HouseholdView: ["/api/v1/households/{code}"];
        "IncomeView" => views::IncomeView: ["/api/v1/households/{code}/income"];
        "ListingView" => views::ListingView: ["/api/v1/listings/{id}"];
        "ListingsView" => views::ListingsView: ["/api/v1/listings"];
        "AttestationsOf" => views::AttestationsOf: ["/api/v1/households/{code}/attestations"];
        "AttestationView" => views::AttestationView: ["/api/v1/attestations/{index}"];
        "Hashes" => views::Hashes: ["/api/v1/proofs/inclusion", "/api/v1/proofs/consistency"];
        "ReceiptView" => views::ReceiptView: [];
    }
    doc
}
