//! The `homesteads` table: `State::homesteads` — by household; exited ones stay, marked.
//! Its row, how the projection writes it, its load and its point reads.

use super::parcels::shape_of;
use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = homesteads, primary_key(county, household), treat_none_as_null = true)]
pub struct HomesteadRow<'a> {
    county: &'a str,
    household: &'a str,
    collective: &'a str,
    area_centi_m2: i64,
    min_lon: f64,
    min_lat: f64,
    max_lon: f64,
    max_lat: f64,
    geometry: String,
    granted_at: i64,
    exited_at: Option<i64>,
    compensation_fen: Option<i64>,
}

impl<'a> HomesteadRow<'a> {
    pub fn of(county: &'a str, h: &'a Homestead) -> Self {
        HomesteadRow {
            county,
            household: &h.household,
            collective: &h.collective,
            area_centi_m2: h.area.0,
            min_lon: h.bbox[0],
            min_lat: h.bbox[1],
            max_lon: h.bbox[2],
            max_lat: h.bbox[3],
            geometry: crate::model::land::to_geojson(&h.geometry, true),
            granted_at: h.granted_at as i64,
            exited_at: h.exited.map(|(at, _)| at as i64),
            compensation_fen: h.exited.map(|(_, fen)| fen.0),
        }
    }
}

saved!(
    homesteads: String => Homestead,
    |county, k, v| HomesteadRow::of(county, v),
    key household = |k| k
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<String, Homestead>, StoreError> {
    Ok(load_homesteads(conn, county)?.into())
}

pub type HomesteadColumns = (
    String,
    String,
    i64,
    f64,
    f64,
    f64,
    f64,
    String,
    i64,
    Option<i64>,
    Option<i64>,
);

pub fn load_homesteads(
    conn: &mut DbConnection,
    county: &str,
) -> Result<HashMap<String, Homestead>, StoreError> {
    let rows: Vec<HomesteadColumns> = homesteads::table
        .filter(homesteads::county.eq(county))
        .select((
            homesteads::household,
            homesteads::collective,
            homesteads::area_centi_m2,
            homesteads::min_lon,
            homesteads::min_lat,
            homesteads::max_lon,
            homesteads::max_lat,
            homesteads::geometry,
            homesteads::granted_at,
            homesteads::exited_at,
            homesteads::compensation_fen,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(household, collective, area, a, b, c, d, geojson, at, exited, compensation)| {
                let geometry = shape_of(&geojson, &format!("homestead of {household}"))?;
                Ok((
                    household.clone(),
                    Homestead {
                        household,
                        collective,
                        area: Area(area),
                        bbox: [a, b, c, d],
                        geometry,
                        granted_at: at as u64,
                        exited: exited.map(|e| (e as u64, Fen(compensation.unwrap_or(0)))),
                    },
                ))
            },
        )
        .collect()
}

/// A household's homestead as its view shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomesteadSummary {
    pub area: Area,
    pub granted_at: u64,
    pub exited_at: Option<u64>,
}

pub fn homestead_summary(
    conn: &mut DbConnection,
    county: &str,
    household: &str,
) -> Result<Option<HomesteadSummary>, StoreError> {
    let row: Option<(i64, i64, Option<i64>)> = homesteads::table
        .filter(homesteads::county.eq(county))
        .filter(homesteads::household.eq(household))
        .select((
            homesteads::area_centi_m2,
            homesteads::granted_at,
            homesteads::exited_at,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(area, granted_at, exited_at)| HomesteadSummary {
        area: Area(area),
        granted_at: granted_at as u64,
        exited_at: exited_at.map(|e| e as u64),
    }))
}

/// The homesteads in force of a collective as the map draws them: the
/// household, the area and the GeoJSON geometry as kept.
pub fn homestead_shapes(
    conn: &mut DbConnection,
    county: &str,
    collective: &str,
) -> Result<Vec<(String, Area, String)>, StoreError> {
    let rows: Vec<(String, i64, String)> = homesteads::table
        .filter(homesteads::county.eq(county))
        .filter(homesteads::collective.eq(collective))
        .filter(homesteads::exited_at.is_null())
        .order(homesteads::household.asc())
        .select((
            homesteads::household,
            homesteads::area_centi_m2,
            homesteads::geometry,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(h, area, geojson)| (h, Area(area), geojson))
        .collect())
}
