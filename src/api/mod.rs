//! The JSON face: the routes under `/api/v1` (declared once in `table.rs`,
//! answered by `routes.rs`) and their OpenAPI description (`openapi.rs`).
//! The server (`crate::server`) mounts it beside the pages.

mod openapi;
mod routes;
pub mod table;
pub mod tiles;

pub use openapi::openapi_document;
pub use table::{routes, ROUTES};
