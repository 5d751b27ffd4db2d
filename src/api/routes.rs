//! The routes of `/api/v1`.

use actix_web::{web, HttpRequest, HttpResponse};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::Deserialize;

use super::error::ApiError;
use super::MAX_BODY;
use crate::registry::Registry;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .route("/entries", web::post().to(post_entry))
            .route("/entries/{index}", web::get().to(get_entry))
            .route("/checkpoint", web::get().to(get_checkpoint))
            .route("/proofs/inclusion", web::get().to(get_inclusion))
            .route("/proofs/consistency", web::get().to(get_consistency))
            .route("/openapi.json", web::get().to(openapi)),
    );
}

/// Runs blocking store work off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, crate::registry::ServiceError> + Send + 'static,
) -> Result<T, ApiError> {
    web::block(f)
        .await
        .map_err(|e| ApiError::new("internal", e.to_string(), "内部错误", None))?
        .map_err(ApiError::from)
}

async fn post_entry(
    reg: web::Data<Registry>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let too_large = || {
        ApiError::new(
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
                "bad_request_body",
                msg.clone(),
                format!("请求体读取失败：{msg}"),
                None,
            ));
        }
    };
    let receipt = reg.submit(&bytes).await?;
    Ok(HttpResponse::Created().json(serde_json::json!({
        "index": receipt.index,
        "leaf_hash": B64.encode(receipt.leaf_hash),
    })))
}

async fn get_entry(
    reg: web::Data<Registry>,
    index: web::Path<u64>,
) -> Result<HttpResponse, ApiError> {
    let index = index.into_inner();
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
    let hashes: Vec<String> = hashes.iter().map(|h| B64.encode(h)).collect();
    HttpResponse::Ok().json(serde_json::json!({ "hashes": hashes }))
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

async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(include_str!("openapi.json"))
}

pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        "not_found",
        format!("no such resource: {} {}", req.method(), req.path()),
        format!("没有此资源：{} {}", req.method(), req.path()),
        None,
    ))
}
