//! Land as GeoJSON: parcels and collectives, with NY/T 2539 property names.

use super::*;

/// A GeoJSON Feature with the properties of what it shows.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Feature<P> {
    /// Always `Feature`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: String,
    pub properties: P,
    /// GeoJSON Polygon or MultiPolygon, lon/lat (CGCS2000 ≈ WGS 84).
    pub geometry: Value,
}

impl<P> Feature<P> {
    fn new(id: &str, properties: P, geojson: &str) -> Self {
        Feature {
            kind: "Feature",
            id: id.to_owned(),
            properties,
            geometry: geometry(geojson),
        }
    }
}

/// A GeoJSON FeatureCollection.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FeatureCollection<P> {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub features: Vec<Feature<P>>,
}

/// A parcel's properties: NY/T 2539 fields, computed geodesic area in m² and
/// 亩 (decimal strings), 四至, holder and status.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ParcelProperties {
    #[serde(rename = "DKBM")]
    pub code: String,
    #[serde(rename = "DKMC")]
    pub name: String,
    #[serde(rename = "DKLB")]
    pub class: String,
    #[serde(rename = "TDYT")]
    pub land_use: String,
    #[serde(rename = "DLDJ")]
    pub grade: String,
    /// 是否基本农田: 1 yes, 2 no.
    #[serde(rename = "SFJBNT")]
    pub basic_farmland: &'static str,
    /// The area the survey declared, m².
    #[serde(rename = "SCMJ")]
    pub declared_m2: Option<String>,
    #[serde(rename = "FBFBM")]
    pub collective: String,
    pub area_m2: String,
    pub area_mu: String,
    /// active or retired.
    pub status: &'static str,
    /// The household holding the land contract right over it.
    pub holder: Option<String>,
    pub registered_at: u64,
    pub retired_at: Option<u64>,
    /// 四至: the nearest parcel east, south, west and north (on one parcel's
    /// page, not in collections).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sizhi: Option<Sizhi>,
}

/// 四至.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Sizhi {
    pub east: Option<String>,
    pub south: Option<String>,
    pub west: Option<String>,
    pub north: Option<String>,
}

/// A parcel's properties as of `today`.
pub fn parcel_properties(
    p: &Parcel<String>,
    contract: Option<&Contract>,
    neighbours: Option<&Neighbours>,
    today: NaiveDate,
) -> ParcelProperties {
    ParcelProperties {
        code: p.code.to_string(),
        name: p.name.to_string(),
        class: p.class.to_string(),
        land_use: p.land_use.to_string(),
        grade: p.grade.to_string(),
        basic_farmland: if p.basic_farmland { "1" } else { "2" },
        declared_m2: p.declared.map(|a| a.m2().to_string()),
        collective: p.collective.to_string(),
        area_m2: p.area.m2().to_string(),
        area_mu: p.area.mu().to_string(),
        status: status(p),
        holder: contract
            .filter(|k| k.holds(today))
            .map(|k| k.household.clone()),
        registered_at: p.registered_at,
        retired_at: p.retired_at,
        sizhi: neighbours.map(|n| Sizhi {
            east: n.east.clone(),
            south: n.south.clone(),
            west: n.west.clone(),
            north: n.north.clone(),
        }),
    }
}

/// A parcel as a GeoJSON Feature.
pub fn parcel_feature(
    p: &Parcel<String>,
    contract: Option<&Contract>,
    neighbours: Option<&Neighbours>,
    today: NaiveDate,
) -> Feature<ParcelProperties> {
    Feature::new(
        &p.code,
        parcel_properties(p, contract, neighbours, today),
        &p.geometry,
    )
}

pub fn parcel_collection(
    parcels: &[Parcel<String>],
    contracts: &HashMap<String, Contract>,
    today: NaiveDate,
) -> FeatureCollection<ParcelProperties> {
    let by_parcel: HashMap<&str, &Contract> = contracts
        .values()
        .flat_map(|k| k.parcels.iter().map(move |p| (p.as_str(), k)))
        .collect();
    FeatureCollection {
        kind: "FeatureCollection",
        features: parcels
            .iter()
            .map(|p| parcel_feature(p, by_parcel.get(p.code.as_str()).copied(), None, today))
            .collect(),
    }
}

/// A collective's properties: its code and name, area, active parcels.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CollectiveProperties {
    #[serde(rename = "FBFBM")]
    pub code: String,
    #[serde(rename = "FBFMC")]
    pub name: String,
    pub area_m2: String,
    pub area_mu: String,
    pub active_parcels: i64,
    pub registered_at: u64,
}

pub fn collective_feature(k: &Collective, active_parcels: i64) -> Feature<CollectiveProperties> {
    Feature::new(
        &k.code,
        CollectiveProperties {
            code: k.code.clone(),
            name: k.name.clone(),
            area_m2: k.area.m2().to_string(),
            area_mu: k.area.mu().to_string(),
            active_parcels,
            registered_at: k.registered_at,
        },
        &k.geojson,
    )
}
