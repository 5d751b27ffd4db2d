//! An OGC GeoPackage (1.2) of polygon layers, as QGIS and GDAL open it: a
//! SQLite file with the spatial reference systems, the contents, the
//! geometry columns, and one feature table a layer — each geometry a
//! GeoPackage binary (the `GP` header with its envelope, then little-endian
//! WKB, every record a MultiPolygon). Written by `sanquan export --format
//! gpkg`; SQLite is this module's because the store owns SQLite.

use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};

use crate::spatial::shapefile::{bbox, Attribute, Field, FieldKind, Polygons};

/// A layer to write: its table's name, fields, and records (polygons in the
/// package's coordinates, and the row).
pub struct Layer<'a> {
    pub name: &'a str,
    pub fields: &'a [Field],
    pub records: &'a [(Polygons, Vec<Attribute>)],
}

/// The coordinate system of every layer: its EPSG code and WKT 1.
pub struct Srs<'a> {
    pub epsg: u32,
    pub name: &'a str,
    pub wkt: &'a str,
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The GeoPackage binary of a MultiPolygon: header (magic, version 0,
/// flags: little-endian with an xy envelope), the SRS id, the envelope
/// (min x, max x, min y, max y), then WKB.
fn geometry(srs: u32, polygons: &Polygons) -> Vec<u8> {
    let [x0, y0, x1, y1] = bbox(polygons.iter().flatten().flatten()).unwrap_or([0.0; 4]);
    let env = [x0, x1, y0, y1];
    let mut b =
        Vec::with_capacity(64 + 16 * polygons.iter().flatten().map(Vec::len).sum::<usize>());
    b.extend_from_slice(b"GP");
    b.push(0);
    b.push(0b0000_0011);
    b.extend_from_slice(&(srs as i32).to_le_bytes());
    for v in env {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.push(1);
    b.extend_from_slice(&6u32.to_le_bytes());
    b.extend_from_slice(&(polygons.len() as u32).to_le_bytes());
    for rings in polygons {
        b.push(1);
        b.extend_from_slice(&3u32.to_le_bytes());
        b.extend_from_slice(&(rings.len() as u32).to_le_bytes());
        for ring in rings {
            b.extend_from_slice(&(ring.len() as u32).to_le_bytes());
            for &[x, y] in ring {
                b.extend_from_slice(&x.to_le_bytes());
                b.extend_from_slice(&y.to_le_bytes());
            }
        }
    }
    b
}

fn column(f: &Field) -> &'static str {
    match f.kind {
        FieldKind::Text => "TEXT",
        FieldKind::Number { decimals: 0 } => "INTEGER",
        FieldKind::Number { .. } => "REAL",
        FieldKind::Date => "DATE",
    }
}

fn value(f: &Field, v: &Attribute) -> String {
    match (f.kind, v) {
        (_, Attribute::Null) => "NULL".into(),
        (FieldKind::Date, Attribute::Date(d)) if d.len() == 8 => {
            quote(&format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..]))
        }
        (FieldKind::Number { .. }, Attribute::Number(n)) if n.parse::<f64>().is_ok() => n.clone(),
        (_, Attribute::Text(t) | Attribute::Number(t) | Attribute::Date(t)) => quote(t),
        (_, Attribute::Bool(b)) => if *b { "1" } else { "0" }.into(),
    }
}

/// Writes `layers` to a new GeoPackage at `path` (an existing file is
/// replaced), in one transaction.
pub fn write(path: &std::path::Path, srs: &Srs, layers: &[Layer]) -> Result<(), String> {
    let _ = std::fs::remove_file(path);
    let url = path.to_str().ok_or("the path is not UTF-8")?;
    let mut c = SqliteConnection::establish(url).map_err(|e| e.to_string())?;
    let mut sql = String::from(
        "PRAGMA application_id = 1196444487; PRAGMA user_version = 10200; BEGIN;
         CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
           organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
           definition TEXT NOT NULL, description TEXT);
         CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
           identifier TEXT UNIQUE, description TEXT DEFAULT '',
           last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
           min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
           srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
         CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
           geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
           CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
           CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
           CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
         INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', NULL);
         INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', NULL);
         INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AUTHORITY[\"EPSG\",\"4326\"]]', NULL);\n",
    );
    sql.push_str(&format!(
        "INSERT INTO gpkg_spatial_ref_sys VALUES ({}, {}, 'EPSG', {}, {}, NULL);\n",
        quote(srs.name),
        srs.epsg,
        srs.epsg,
        quote(srs.wkt)
    ));
    c.batch_execute(&sql).map_err(|e| e.to_string())?;
    for layer in layers {
        let env = bbox(
            layer
                .records
                .iter()
                .flat_map(|(p, _)| p.iter().flatten().flatten()),
        )
        .unwrap_or([0.0; 4]);
        let columns: Vec<String> = layer
            .fields
            .iter()
            .map(|f| format!("\"{}\" {}", f.name, column(f)))
            .collect();
        let mut sql = format!(
            "CREATE TABLE \"{name}\" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom MULTIPOLYGON, {});
             INSERT INTO gpkg_contents (table_name, data_type, identifier, min_x, min_y, max_x, max_y, srs_id)
               VALUES ({q}, 'features', {q}, {}, {}, {}, {}, {epsg});
             INSERT INTO gpkg_geometry_columns VALUES ({q}, 'geom', 'MULTIPOLYGON', {epsg}, 0, 0);\n",
            columns.join(", "),
            env[0],
            env[1],
            env[2],
            env[3],
            name = layer.name,
            q = quote(layer.name),
            epsg = srs.epsg,
        );
        let names: Vec<String> = layer
            .fields
            .iter()
            .map(|f| format!("\"{}\"", f.name))
            .collect();
        for (polygons, row) in layer.records {
            let values: Vec<String> = layer
                .fields
                .iter()
                .zip(row)
                .map(|(f, v)| value(f, v))
                .collect();
            sql.push_str(&format!(
                "INSERT INTO \"{}\" (geom, {}) VALUES (X'{}', {});\n",
                layer.name,
                names.join(", "),
                hex(&geometry(srs.epsg, polygons)),
                values.join(", ")
            ));
            if sql.len() > 1 << 22 {
                c.batch_execute(&sql).map_err(|e| e.to_string())?;
                sql.clear();
            }
        }
        c.batch_execute(&sql).map_err(|e| e.to_string())?;
    }
    c.batch_execute("COMMIT;").map_err(|e| e.to_string())?;
    Ok(())
}
