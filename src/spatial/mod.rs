//! Geometry: GeoJSON Polygon and MultiPolygon in lon/lat (CGCS2000 ≈ WGS 84,
//! C8) validated with the offending ring or position named, rings oriented as
//! RFC 7946 says, geodesic area (Karney, via `geo`), and the R-tree of active
//! parcels with its overlap, containment and neighbour (四至) checks.

mod index;
mod neighbours;
mod sweep;
mod validate;

pub use index::ParcelIndex;
pub use neighbours::{neighbours, Neighbours};
pub use validate::footprint;

use crate::model::Refusal;

/// Why a geometry is refused; `path` is the JSON path of the part at fault.
/// (`EnumIter`: one of each, with empty details, for the error catalogue.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::EnumIter)]
pub enum GeometryError {
    #[error("{path}: {reason}")]
    BadGeoJson { path: String, reason: &'static str },
    #[error("{path}: coordinate out of range (longitude −180..180, latitude −90..90)")]
    OutOfRange { path: String },
    #[error("{path}: a ring needs at least 4 positions, 3 of them distinct")]
    RingTooShort { path: String },
    #[error("{path}: the ring is not closed (its last position must repeat its first)")]
    RingNotClosed { path: String },
    #[error("{path}: the ring intersects itself between positions {first} and {second}")]
    SelfIntersection {
        path: String,
        first: usize,
        second: usize,
    },
    #[error("{path}: the hole is not inside its shell")]
    HoleOutsideShell { path: String },
    #[error("{path}: the polygons of a MultiPolygon overlap")]
    PartsOverlap { path: String },
    #[error("{path}: the geometry has no area")]
    ZeroArea { path: String },
    #[error("{path}: {positions} positions in {rings} rings; a geometry may have at most 100000 positions and 1000 rings")]
    TooManyVertices {
        path: String,
        positions: usize,
        rings: usize,
    },
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

impl Refusal for GeometryError {
    fn class(&self) -> crate::model::error::Class {
        use crate::model::error::Class;
        match self {
            GeometryError::TooManyVertices { .. } => Class::Malformed,
            _ => Class::Refused,
        }
    }

    fn code(&self) -> &'static str {
        use GeometryError::*;
        match self {
            BadGeoJson { .. } => "bad_geojson",
            OutOfRange { .. } => "coordinate_out_of_range",
            RingTooShort { .. } => "ring_too_short",
            RingNotClosed { .. } => "ring_not_closed",
            SelfIntersection { .. } => "self_intersection",
            HoleOutsideShell { .. } => "hole_outside_shell",
            PartsOverlap { .. } => "parts_overlap",
            ZeroArea { .. } => "zero_area",
            TooManyVertices { .. } => "too_many_vertices",
        }
    }

    fn message_zh(&self) -> String {
        use GeometryError::*;
        match self {
            BadGeoJson { path, reason } => format!("{path}：GeoJSON 无效（{reason}）"),
            OutOfRange { path } => format!("{path}：坐标超出范围（经度 −180..180，纬度 −90..90）"),
            RingTooShort { path } => format!("{path}：环至少需要 4 个坐标，其中 3 个互不相同"),
            RingNotClosed { path } => format!("{path}：环未闭合（最后一个坐标须与第一个相同）"),
            SelfIntersection {
                path,
                first,
                second,
            } => {
                format!("{path}：环在第 {first} 与第 {second} 个坐标之间自相交")
            }
            HoleOutsideShell { path } => format!("{path}：内环不在外环之内"),
            PartsOverlap { path } => format!("{path}：多面要素的各部分相互重叠"),
            ZeroArea { path } => format!("{path}：图形面积为零"),
            TooManyVertices {
                path,
                positions,
                rings,
            } => format!("{path}：共 {positions} 个坐标、{rings} 个环；一个图形至多 100000 个坐标、1000 个环"),
        }
    }

    fn field(&self) -> Option<String> {
        Some(self.path().to_owned())
    }
}
