//! The server: the JSON API and the pages mounted side by side on the
//! counties it holds (one registry each), with the shared limits and error
//! handlers (Kanidm's shape: the faces below, the server above them).

use actix_web::{guard, web, App, HttpServer};

use crate::http::{ApiError, HttpRefusal, MAX_BODY};
use crate::registry::Counties;

/// Whether a request's host is named for `county` by its first label
/// (`140427.example.gov.cn`, `140427.localhost:8080`).
fn host_of(county: String) -> impl guard::Guard {
    guard::fn_guard(move |ctx| {
        let head = ctx.head();
        let host = head.uri.host().or_else(|| {
            head.headers
                .get(actix_web::http::header::HOST)
                .and_then(|h| h.to_str().ok())
        });
        host.and_then(|h| h.split(['.', ':']).next()) == Some(county.as_str())
    })
}

/// Mounts the routes on an actix `App` (the server and the tests share
/// this): each county's at `/api/v1/counties/{county}/…` and its log's
/// tiles at `/counties/{county}/…`; under a host named for a county
/// (`{county}.…`), that county's pages, `/api/v1/…` and tiles' root; under
/// any other host, the home county's; the province's reads at `/api/v1/…`.
pub fn configure(counties: Counties) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        // Before `/api/v1`, whose scope would take their paths.
        for c in counties.iter() {
            let own = web::Data::new(c.registry.clone());
            let api = web::scope(&format!("/api/v1/counties/{}", c.code)).app_data(own.clone());
            cfg.service(crate::api::table::county_routes(api));
            cfg.service(
                web::scope(&format!("/counties/{}", c.code))
                    .app_data(own.clone())
                    .configure(crate::api::tiles::routes),
            );
        }
        for c in counties.iter().skip(1) {
            cfg.service(
                web::scope("")
                    .guard(host_of(c.code.clone()))
                    .app_data(web::Data::new(c.registry.clone()))
                    .configure(crate::api::routes)
                    .configure(crate::api::tiles::routes)
                    .configure(crate::web::configure),
            );
        }
        cfg.app_data(web::Data::new(counties.home().clone()))
            .app_data(web::Data::new(counties))
            .app_data(web::PayloadConfig::new(MAX_BODY))
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                let msg = e.to_string();
                let zh = crate::model::error::serde_reason_zh(
                    msg.rsplit("error: ").next().unwrap_or_default(),
                );
                ApiError::from(HttpRefusal::query(None, msg, format!("查询参数无效：{zh}"))).into()
            }))
            .app_data(web::PathConfig::default().error_handler(|e, _| {
                let msg = e.to_string();
                let zh = crate::model::error::serde_reason_zh(
                    msg.rsplit("error: ").next().unwrap_or_default(),
                );
                ApiError::from(HttpRefusal::query(None, msg, format!("路径参数无效：{zh}"))).into()
            }))
            .configure(crate::api::routes)
            .configure(crate::api::tiles::routes)
            .configure(crate::web::configure);
    }
}

/// Serves until SIGINT or SIGTERM; actix then stops accepting, lets the
/// requests in hand finish (their entries are committed and answered), and
/// returns.
pub async fn serve(counties: Counties, listener: std::net::TcpListener) -> std::io::Result<()> {
    serve_with(counties, listener, None, crate::web::Site::default()).await
}

/// [`serve`], over TLS when given a configuration, with the site's own
/// settings (its base map).
pub async fn serve_with(
    counties: Counties,
    listener: std::net::TcpListener,
    tls: Option<rustls::ServerConfig>,
    site: crate::web::Site,
) -> std::io::Result<()> {
    // Each worker runs its blocking reads on a few threads of its own: the
    // reads at work are bounded anyway, and every thread keeps memory.
    let server = HttpServer::new(move || {
        App::new()
            .wrap(actix_web::middleware::Compress::default())
            .wrap(crate::web::security_headers(&site))
            .app_data(web::Data::new(site.clone()))
            .configure(configure(counties.clone()))
    })
    .worker_max_blocking_threads(8)
    .shutdown_timeout(30);
    let server = match tls {
        Some(config) => server.listen_rustls_0_23(listener, config)?,
        None => server.listen(listener)?,
    };
    server.run().await
}
