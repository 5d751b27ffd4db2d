//! Geometry: GeoJSON Polygon and MultiPolygon in lon/lat (CGCS2000 ≈ WGS 84,
//! C8) validated with the offending ring or position named, rings oriented as
//! RFC 7946 says, geodesic area (Karney, via `geo`), and the R-tree of active
//! parcels with its overlap, containment and neighbour (四至) checks.

pub mod crs;
pub mod gauss_kruger;
mod index;
mod neighbours;
pub mod shapefile;
mod sweep;
mod validate;

pub use index::ParcelIndex;
pub use neighbours::{all_neighbours, neighbours, Neighbours};
pub use validate::footprint;

crate::refusals! {
    /// Why a geometry is refused; `path` is the JSON path of the part at fault.
    /// (`EnumIter`: one of each, with empty details, for the error catalogue.)
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::EnumIter)]
    pub enum GeometryError {
        #[error("{path}: {reason}")]
        BadGeoJson { path: String, reason: &'static str }
            => BadGeoJson { path, reason, .. } => Class::Refused, path.clone(),
            format!("{path}：GeoJSON 无效（{reason}）"), code "bad_geojson";
        #[error("{path}: coordinate out of range (longitude −180..180, latitude −90..90)")]
        OutOfRange { path: String }
            => OutOfRange { path, .. } => Class::Refused, path.clone(),
            format!("{path}：坐标超出范围（经度 −180..180，纬度 −90..90）"), code "coordinate_out_of_range";
        #[error("{path}: a ring needs at least 4 positions, 3 of them distinct")]
        RingTooShort { path: String }
            => RingTooShort { path, .. } => Class::Refused, path.clone(),
            format!("{path}：环至少需要 4 个坐标，其中 3 个互不相同");
        #[error("{path}: the ring is not closed (its last position must repeat its first)")]
        RingNotClosed { path: String }
            => RingNotClosed { path, .. } => Class::Refused, path.clone(),
            format!("{path}：环未闭合（最后一个坐标须与第一个相同）");
        #[error("{path}: the ring intersects itself between positions {first} and {second}")]
        SelfIntersection {
            path: String,
            first: usize,
            second: usize,
        }
            => SelfIntersection { path, first, second, .. } => Class::Refused, path.clone(),
            format!("{path}：环在第 {first} 与第 {second} 个坐标之间自相交");
        #[error("{path}: the hole is not inside its shell")]
        HoleOutsideShell { path: String }
            => HoleOutsideShell { path, .. } => Class::Refused, path.clone(),
            format!("{path}：内环不在外环之内");
        #[error("{path}: the polygons of a MultiPolygon overlap")]
        PartsOverlap { path: String }
            => PartsOverlap { path, .. } => Class::Refused, path.clone(),
            format!("{path}：多面要素的各部分相互重叠");
        #[error("{path}: the geometry has no area")]
        ZeroArea { path: String }
            => ZeroArea { path, .. } => Class::Refused, path.clone(),
            format!("{path}：图形面积为零");
        #[error("{path}: {positions} positions in {rings} rings; a geometry may have at most 100000 positions and 1000 rings")]
        TooManyVertices {
            path: String,
            positions: usize,
            rings: usize,
        }
            => TooManyVertices { path, positions, rings, .. } => Class::Malformed, path.clone(),
            format!("{path}：共 {positions} 个坐标、{rings} 个环；一个图形至多 100000 个坐标、1000 个环");
    }
}

/// For the error catalogue's example of a wrapping error.
impl Default for GeometryError {
    fn default() -> Self {
        GeometryError::OutOfRange {
            path: String::new(),
        }
    }
}

impl GeometryError {
    pub fn path(&self) -> &str {
        use GeometryError::*;
        match self {
            BadGeoJson { path, .. }
            | OutOfRange { path }
            | RingTooShort { path }
            | RingNotClosed { path }
            | SelfIntersection { path, .. }
            | HoleOutsideShell { path }
            | PartsOverlap { path }
            | ZeroArea { path }
            | TooManyVertices { path, .. } => path,
        }
    }
}
