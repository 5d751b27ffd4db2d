//! Land: collectives, parcels and the encumbrances on them.

use super::*;

pub type Shape = Arc<geo_types::MultiPolygon<f64>>;

/// A collective economic organisation (发包方) and its boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct Collective {
    pub code: String,
    pub name: String,
    pub area: Area,
    pub bbox: [f64; 4],
    pub geojson: String,
    pub registered_at: u64,
}

/// A parcel (地块) with its NY/T 2539 attributes. A county holds millions, so
/// the short texts live inline ([`CompactString`]), without an allocation each,
/// and the state's geometry is the shape the spatial index shares (`G` =
/// [`Shape`]); read from the projection, it is GeoJSON text (`G` = `String`).
#[derive(Debug, Clone, PartialEq)]
pub struct Parcel<G = Shape> {
    pub code: CompactString,
    pub collective: CompactString,
    pub name: CompactString,
    pub class: CompactString,
    pub land_use: CompactString,
    pub grade: CompactString,
    pub basic_farmland: bool,
    pub declared: Option<Area>,
    pub area: Area,
    pub bbox: [f64; 4],
    pub geometry: G,
    pub registered_at: u64,
    pub retired_at: Option<u64>,
}

impl<G> Parcel<G> {
    /// The same parcel with its geometry in another form.
    pub fn with_geometry<H>(self, geometry: H) -> Parcel<H> {
        Parcel {
            code: self.code,
            collective: self.collective,
            name: self.name,
            class: self.class,
            land_use: self.land_use,
            grade: self.grade,
            basic_farmland: self.basic_farmland,
            declared: self.declared,
            area: self.area,
            bbox: self.bbox,
            geometry,
            registered_at: self.registered_at,
            retired_at: self.retired_at,
        }
    }
}

/// An encumbrance on a parcel, named by the log index that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encumbrance {
    pub index: u64,
    pub parcel: CompactString,
    pub kind: EncumbranceKind,
    /// The party whose key filed it.
    pub by: String,
    pub reason: String,
    pub document_sha256: String,
    pub released_at: Option<u64>,
    /// R2: the last day an objection holds unless the objector sues.
    pub lapses_on: Option<chrono::NaiveDate>,
    /// R2: where the county recorded the objector's suit; the objection then
    /// holds until released.
    pub sued_at: Option<u64>,
    /// E2 (rules 2), a pledge: the lender it is given to — a party an
    /// expropriation of the land compensates.
    pub pledgee: Option<String>,
}

impl Encumbrance {
    /// In force on `day`: not released, and not an objection that lapsed.
    pub fn in_force(&self, day: chrono::NaiveDate) -> bool {
        self.released_at.is_none()
            && (self.sued_at.is_some() || self.lapses_on.is_none_or(|last| day <= last))
    }
}
