//! Reads off the async workers, within a budget, and the path and query
//! values both faces parse the same way.

use actix_web::web;

use super::{ApiError, HttpRefusal};

/// A log index in a path: decimal digits, no sign and no leading zero, so
/// that one resource has one address (`/entries/01` and `/entries/+1` are
/// not `/entries/1`).
pub fn log_index(text: &str, field: &'static str) -> Result<u64, ApiError> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    canonical
        .then(|| text.parse().ok())
        .flatten()
        .ok_or_else(|| {
            ApiError::from(HttpRefusal::query(
                Some(field),
                format!(
                    "{field} must be a log index written in decimal digits without leading zeros"
                ),
                "地址中的编号须为十进制数字，前面不带 0".to_owned(),
            ))
        })
}

/// The most reads at work at once: the others wait their turn, so that two
/// hundred clients asking for large answers cost the memory of a few.
const READS_AT_ONCE: usize = 6;

/// Of them, bulk reads — a collective's or a bounding box's parcels with
/// their geometry, the largest answers — have their own, smaller budget:
/// fifty clients asking for a whole county's map never hold the threads
/// every other read (a farmer's household page) needs (11.10).
const BULK_AT_ONCE: usize = 2;

static READS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(READS_AT_ONCE);
static BULK: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(BULK_AT_ONCE);

/// What a read costs, for its budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    Ordinary,
    Bulk,
}

/// Runs blocking store work off the async workers, a bounded number at once.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, crate::registry::ServiceError> + Send + 'static,
) -> Result<T, ApiError> {
    blocking_costed(Cost::Ordinary, f).await
}

/// The same, within the budget of its cost.
pub async fn blocking_costed<T: Send + 'static>(
    cost: Cost,
    f: impl FnOnce() -> Result<T, crate::registry::ServiceError> + Send + 'static,
) -> Result<T, ApiError> {
    let budget = match cost {
        Cost::Ordinary => &READS,
        Cost::Bulk => &BULK,
    };
    let _turn = budget
        .acquire()
        .await
        .map_err(|e| ApiError::from(HttpRefusal::internal(e.to_string())))?;
    web::block(f)
        .await
        .map_err(|e| ApiError::from(HttpRefusal::internal(e.to_string())))?
        .map_err(ApiError::from)
}

/// A bounding box in a query: `minlon,minlat,maxlon,maxlat` in degrees.
pub fn parse_bbox(text: &str) -> Result<[f64; 4], ApiError> {
    let bad = || {
        ApiError::from(HttpRefusal::query(
            Some("bbox"),
            "bbox is minlon,minlat,maxlon,maxlat in degrees",
            "bbox 应为 最小经度,最小纬度,最大经度,最大纬度",
        ))
    };
    let v: Vec<f64> = text
        .split(',')
        .map(|x| x.trim().parse().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let b: [f64; 4] = v.try_into().map_err(|_| bad())?;
    let in_range = b.iter().all(|x| x.is_finite())
        && b[0] <= b[2]
        && b[1] <= b[3]
        && b[0] >= -180.0
        && b[2] <= 180.0
        && b[1] >= -90.0
        && b[3] <= 90.0;
    if in_range {
        Ok(b)
    } else {
        Err(bad())
    }
}
