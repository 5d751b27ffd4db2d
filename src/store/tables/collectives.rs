//! The `collectives` table: `State::collectives`.
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = collectives, primary_key(county, code))]
pub struct CollectiveRow<'a> {
    county: &'a str,
    code: &'a str,
    name: &'a str,
    area_centi_m2: i64,
    min_lon: f64,
    min_lat: f64,
    max_lon: f64,
    max_lat: f64,
    geometry: &'a str,
    registered_at: i64,
}

impl<'a> CollectiveRow<'a> {
    pub fn of(county: &'a str, k: &'a Collective) -> Self {
        CollectiveRow {
            county,
            code: &k.code,
            name: &k.name,
            area_centi_m2: k.area.0,
            min_lon: k.bbox[0],
            min_lat: k.bbox[1],
            max_lon: k.bbox[2],
            max_lat: k.bbox[3],
            geometry: &k.geojson,
            registered_at: k.registered_at as i64,
        }
    }
}

saved!(
    collectives: String => Collective,
    |county, k, v| CollectiveRow::of(county, v),
    key code = |k| k
);

/// The whole table, as the state holds it.
pub fn load(conn: &mut DbConnection, county: &str) -> Result<Rows<String, Collective>, StoreError> {
    Ok(load_collectives(conn, county)?.into())
}

pub type CollectiveColumns = (String, String, i64, f64, f64, f64, f64, String, i64);

macro_rules! collective_columns {
    () => {
        (
            collectives::code,
            collectives::name,
            collectives::area_centi_m2,
            collectives::min_lon,
            collectives::min_lat,
            collectives::max_lon,
            collectives::max_lat,
            collectives::geometry,
            collectives::registered_at,
        )
    };
}

pub fn collective_of((code, name, area, a, b, c, d, geojson, at): CollectiveColumns) -> Collective {
    Collective {
        code,
        name,
        area: Area(area),
        bbox: [a, b, c, d],
        geojson,
        registered_at: at as u64,
    }
}

/// The collectives of the county, by code.
pub fn load_collectives(
    conn: &mut DbConnection,
    county: &str,
) -> Result<HashMap<String, Collective>, StoreError> {
    let rows: Vec<CollectiveColumns> = collectives::table
        .filter(collectives::county.eq(county))
        .select(collective_columns!())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let k = collective_of(row);
            (k.code.clone(), k)
        })
        .collect())
}

/// One collective by its code, with the number of its active parcels.
pub fn collective(
    conn: &mut DbConnection,
    county: &str,
    code: &str,
) -> Result<Option<(Collective, i64)>, StoreError> {
    let row: Option<CollectiveColumns> = collectives::table
        .filter(collectives::county.eq(county))
        .filter(collectives::code.eq(code))
        .select(collective_columns!())
        .first(conn)
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    let active: i64 = parcels::table
        .filter(parcels::county.eq(county))
        .filter(parcels::collective.eq(code))
        .filter(parcels::retired_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(Some((collective_of(row), active)))
}
