//! The `parcels` table: `State::parcels`.
//! Its row, how the projection writes it, its load and its point reads.

use super::prelude::*;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = parcels, primary_key(county, code), treat_none_as_null = true)]
pub struct ParcelRow<'a> {
    county: &'a str,
    code: &'a str,
    collective: &'a str,
    name: &'a str,
    class: &'a str,
    land_use: &'a str,
    grade: &'a str,
    basic_farmland: bool,
    declared_centi_m2: Option<i64>,
    area_centi_m2: i64,
    min_lon: f64,
    min_lat: f64,
    max_lon: f64,
    max_lat: f64,
    /// The normalised geometry as GeoJSON, written from the shape itself.
    geometry: String,
    registered_at: i64,
    retired_at: Option<i64>,
}

impl<'a> ParcelRow<'a> {
    pub fn of(county: &'a str, p: &'a Parcel) -> Self {
        ParcelRow {
            county,
            code: &p.code,
            collective: &p.collective,
            name: &p.name,
            class: &p.class,
            land_use: &p.land_use,
            grade: &p.grade,
            basic_farmland: p.basic_farmland,
            declared_centi_m2: p.declared.map(|a| a.0),
            area_centi_m2: p.area.0,
            min_lon: p.bbox[0],
            min_lat: p.bbox[1],
            max_lon: p.bbox[2],
            max_lat: p.bbox[3],
            geometry: crate::model::land::to_geojson(&p.geometry, true),
            registered_at: p.registered_at as i64,
            retired_at: p.retired_at.map(|r| r as i64),
        }
    }
}

saved!(
    parcels: CompactString => Parcel,
    |county, k, v| ParcelRow::of(county, v),
    key code = |k| k.as_str()
);

/// The whole table, as the state holds it.
pub fn load(
    conn: &mut DbConnection,
    county: &str,
) -> Result<Rows<CompactString, Parcel>, StoreError> {
    Ok(load_parcels(conn, county)?.into())
}

pub type ParcelAttrs = (
    String,
    String,
    String,
    String,
    String,
    String,
    bool,
    Option<i64>,
);

pub type ParcelPlace = (i64, f64, f64, f64, f64, String, i64, Option<i64>);

pub type ParcelColumns = (ParcelAttrs, ParcelPlace);

macro_rules! parcel_columns {
    () => {
        (
            (
                parcels::code,
                parcels::collective,
                parcels::name,
                parcels::class,
                parcels::land_use,
                parcels::grade,
                parcels::basic_farmland,
                parcels::declared_centi_m2,
            ),
            (
                parcels::area_centi_m2,
                parcels::min_lon,
                parcels::min_lat,
                parcels::max_lon,
                parcels::max_lat,
                parcels::geometry,
                parcels::registered_at,
                parcels::retired_at,
            ),
        )
    };
}

pub fn parcel_of(row: ParcelColumns) -> Parcel<String> {
    let (
        (code, collective, name, class, land_use, grade, basic_farmland, declared),
        (area, a, b, c, d, geojson, at, retired),
    ) = row;
    Parcel {
        code: code.into(),
        collective: collective.into(),
        name: name.into(),
        class: class.into(),
        land_use: land_use.into(),
        grade: grade.into(),
        basic_farmland,
        declared: declared.map(Area),
        area: Area(area),
        bbox: [a, b, c, d],
        geometry: geojson,
        registered_at: at as u64,
        retired_at: retired.map(|r| r as u64),
    }
}

/// A stored geometry, parsed again (it was validated when registered).
pub fn shape_of(geojson: &str, what: &str) -> Result<Shape, StoreError> {
    let value: serde_json::Value =
        serde_json::from_str(geojson).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))?;
    Ok(spatial::footprint(&value, "geometry")
        .map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))?
        .shape)
}

/// Parcels of a county, in pages (a county may hold millions).
pub fn load_parcels(
    conn: &mut DbConnection,
    county: &str,
) -> Result<HashMap<CompactString, Parcel>, StoreError> {
    let mut all = HashMap::new();
    let mut after = String::new();
    loop {
        let rows: Vec<ParcelColumns> = parcels::table
            .filter(parcels::county.eq(county))
            .filter(parcels::code.gt(&after))
            .order(parcels::code.asc())
            .limit(50_000)
            .select(parcel_columns!())
            .load(conn)?;
        let Some(last) = rows.last() else { break };
        after = last.0 .0.clone();
        use rayon::prelude::*;
        let page: Vec<Parcel> = rows
            .into_par_iter()
            .map(|row| {
                let p = parcel_of(row);
                let shape = shape_of(&p.geometry, &format!("parcel {}", p.code))?;
                Ok(p.with_geometry(shape))
            })
            .collect::<Result<_, StoreError>>()?;
        for p in page {
            all.insert(p.code.clone(), p);
        }
    }
    Ok(all)
}

/// One parcel by its code.
pub fn parcel(
    conn: &mut DbConnection,
    county: &str,
    code: &str,
) -> Result<Option<Parcel<String>>, StoreError> {
    let row: Option<ParcelColumns> = parcels::table
        .filter(parcels::county.eq(county))
        .filter(parcels::code.eq(code))
        .select(parcel_columns!())
        .first(conn)
        .optional()?;
    Ok(row.map(parcel_of))
}

/// The areas of these parcels, by code (a thousand codes a query; no
/// geometry read).
pub fn parcel_areas(
    conn: &mut DbConnection,
    county: &str,
    codes: &[&str],
) -> Result<HashMap<String, Area>, StoreError> {
    let mut all = HashMap::new();
    for chunk in codes.chunks(1000) {
        let rows: Vec<(String, i64)> = parcels::table
            .filter(parcels::county.eq(county))
            .filter(parcels::code.eq_any(chunk))
            .select((parcels::code, parcels::area_centi_m2))
            .load(conn)?;
        all.extend(rows.into_iter().map(|(code, a)| (code, Area(a))));
    }
    Ok(all)
}

/// The parcels of a collective, in code order.
pub fn parcels_of_collective(
    conn: &mut DbConnection,
    county: &str,
    collective: &str,
    limit: i64,
) -> Result<Vec<Parcel<String>>, StoreError> {
    let rows: Vec<ParcelColumns> = parcels::table
        .filter(parcels::county.eq(county))
        .filter(parcels::collective.eq(collective))
        .order(parcels::code.asc())
        .limit(limit)
        .select(parcel_columns!())
        .load(conn)?;
    Ok(rows.into_iter().map(parcel_of).collect())
}

/// Parcels whose bounding box meets `bbox` (min lon, min lat, max lon, max lat).
pub fn parcels_in_bbox(
    conn: &mut DbConnection,
    county: &str,
    bbox: [f64; 4],
    active_only: bool,
    limit: i64,
) -> Result<Vec<Parcel<String>>, StoreError> {
    let rows: Vec<ParcelColumns> = parcels::table
        .filter(parcels::county.eq(county))
        .filter(parcels::min_lon.le(bbox[2]))
        .filter(parcels::max_lon.ge(bbox[0]))
        .filter(parcels::min_lat.le(bbox[3]))
        .filter(parcels::max_lat.ge(bbox[1]))
        .order(parcels::code.asc())
        .limit(limit)
        .select(parcel_columns!())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(parcel_of)
        .filter(|p| !active_only || p.retired_at.is_none())
        .collect())
}
