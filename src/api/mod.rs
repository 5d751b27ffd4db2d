//! The JSON face: the routes under `/api/v1` and their OpenAPI description.
//! The server (`crate::server`) mounts it beside the pages.

mod routes;

pub use routes::{openapi_document, routes};
