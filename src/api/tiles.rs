//! The event log as C2SP tlog-tiles read endpoints (issue 20), at the root
//! so existing tooling can mirror and audit it: `/checkpoint`, the hash
//! tiles `/tile/<L>/<N>[.p/<W>]`, the entry bundles
//! `/tile/entries/<N>[.p/<W>]`.

use actix_web::{web, HttpResponse};

use crate::http::{blocking, ApiError};
use crate::ledger::tiles::TilePath;
use crate::registry::{Registry, ServiceError};

async fn checkpoint(reg: web::Data<Registry>) -> Result<HttpResponse, ApiError> {
    let reg = reg.into_inner();
    let (_, note) = blocking(move || reg.checkpoint()).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header(("Cache-Control", "max-age=2"))
        .body(note))
}

async fn tile(reg: web::Data<Registry>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let tile = TilePath::parse(&path).ok_or(ServiceError::NotFound {
        what: "tile",
        id: path.into_inner(),
        field: "tile",
    })?;
    let reg = reg.into_inner();
    let bytes = blocking(move || reg.tile_resource(tile)).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header(("Cache-Control", "public, max-age=31536000, immutable"))
        .body(bytes))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/checkpoint", web::get().to(checkpoint))
        .route("/tile/{path:.*}", web::get().to(tile));
}
