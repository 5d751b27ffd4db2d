//! What a server holding several counties answers about them together
//! (issue 21): the counties it serves, their listings side by side, and
//! their figures.

use schemars::JsonSchema;
use serde::Serialize;

use super::ListingView;

/// A county this server holds.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CountyView {
    /// 县级行政区划代码 (GB/T 2260).
    pub county: String,
    /// Its name, as its data directory's configuration gives it.
    pub name: String,
    /// Where its routes are: `/api/v1/counties/{county}`.
    pub api: String,
    /// Entries in its log.
    pub entries: u64,
}

/// The counties this server holds; the first is the home county, which
/// also answers `/api/v1/…` and the pages.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CountiesView {
    pub counties: Vec<CountyView>,
}

/// One county's listings, newest first.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CountyListings {
    pub county: String,
    pub name: String,
    pub listings: Vec<ListingView>,
}

/// Listings of every county served, county by county.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProvinceListingsView {
    pub counties: Vec<CountyListings>,
}

/// Listings of one status.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StatusCount {
    pub status: String,
    pub count: u64,
}

/// One county's figures.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CountyFigures {
    pub county: String,
    pub name: String,
    pub entries: u64,
    pub collectives: u64,
    /// Parcels not retired.
    pub parcels: u64,
    pub households: u64,
    /// Contracts not returned.
    pub contracts: u64,
    pub listings: Vec<StatusCount>,
}

/// Every county's figures and their sums.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProvinceFiguresView {
    pub counties: Vec<CountyFigures>,
    pub total: CountyFigures,
}
