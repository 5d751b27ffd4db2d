//! What the two faces — the JSON API (`api`) and the pages (`web`) — share,
//! below both: refusals as HTTP answers (one mapping of a class to a status),
//! the bounded blocking read, and the values both parse from a path or a
//! query. The server (`crate::server`) mounts the faces side by side.

pub mod error;
mod read;

/// The largest envelope the server reads.
pub const MAX_BODY: usize = 1 << 20;

pub use error::{ApiError, ErrorBody, HttpRefusal};
pub use read::{blocking, blocking_costed, log_index, parse_bbox, Cost};
