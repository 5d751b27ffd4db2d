//! `sanquan export`: the registry in the formats a county's GIS tools read —
//! GeoJSON (longitude/latitude), shapefiles in a Gauss–Krüger zone (GBK
//! tables with a `.cpg`, a `.prj`), an OGC GeoPackage, or a whole NY/T 2539
//! package with the ownership tables, which `sanquan import` reads back.

use std::path::Path;

use super::{CliError, DataDir};
use crate::registry::package::{self, fields, Contents};
use crate::spatial::crs::Crs;
use crate::store::Db;

/// The formats `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Geojson,
    Shp,
    Gpkg,
    Nyt2539,
}

pub struct Options<'a> {
    pub format: Format,
    /// EPSG code; `None`: the 3° zone (with its number in the easting) the
    /// county lies in, or longitude/latitude for GeoJSON.
    pub crs: Option<u32>,
    pub collective: Option<&'a str>,
    /// A key whose role may read the members' names and ID numbers.
    pub key: Option<&'a Path>,
    pub out: &'a Path,
}

pub fn run(dir: &DataDir, database_url: Option<&str>, o: Options) -> Result<usize, CliError> {
    let county = dir.config.county.clone();
    let db = Db::open(&dir.database_url(database_url), &county)?;
    let registry = crate::registry::Registry::reader(db);
    let reader = o
        .key
        .map(super::datadir::read_signer_key)
        .transpose()?
        .map(|k| k.public_bytes());
    let mut contents = registry.package_contents(o.collective, reader.as_ref())?;
    if contents.collectives.is_empty() {
        return Err(CliError::Usage(match o.collective {
            Some(k) => format!("no collective {k} is registered"),
            None => "nothing is registered yet".into(),
        }));
    }
    let crs = match (o.crs, o.format) {
        (Some(code), _) => Crs::of_epsg(code).ok_or_else(|| {
            CliError::Usage(format!(
                "EPSG:{code} is not CGCS2000 (4490) or one of its Gauss–Krüger zones (4491–4554)"
            ))
        })?,
        (None, Format::Geojson) => Crs::Geographic,
        (None, _) => zone_of(&contents),
    };
    if o.format == Format::Geojson && crs != Crs::Geographic {
        return Err(CliError::Usage(
            "GeoJSON is longitude and latitude (RFC 7946): leave --crs out, or give EPSG:4490"
                .into(),
        ));
    }
    let usage = |e: package::PackageError| CliError::Usage(format!("{e} — {}", e.why_zh));
    let year = chrono::Datelike::year(&registry.today());
    let count = contents.parcels.len();
    match o.format {
        Format::Geojson => geojson(contents, o.out)?,
        Format::Shp => {
            let layers = contents.layers();
            package::write_layers(o.out, &county, year, crs, layers).map_err(usage)?;
        }
        Format::Nyt2539 => {
            contents.write(o.out, &county, year, crs).map_err(usage)?;
        }
        Format::Gpkg => {
            let layers: Vec<_> = contents
                .layers()
                .into_iter()
                .map(|l| package::project(l, crs))
                .collect();
            let wkt = crs.wkt();
            let name = format!("EPSG:{}", crs.epsg());
            let srs = crate::store::geopackage::Srs {
                epsg: crs.epsg(),
                name: &name,
                wkt: &wkt,
            };
            let gpkg: Vec<_> = layers
                .iter()
                .map(|l| crate::store::geopackage::Layer {
                    name: l.code,
                    fields: &l.fields,
                    records: &l.records,
                })
                .collect();
            crate::store::geopackage::write(o.out, &srs, &gpkg).map_err(CliError::Usage)?;
        }
    }
    Ok(count)
}

/// The 3° Gauss–Krüger zone, with its number in front of the easting
/// (EPSG:4513–4533, as 确权 surveys are delivered), of the county's middle.
fn zone_of(contents: &Contents) -> Crs {
    let lons: Vec<f64> = contents
        .collectives
        .iter()
        .flat_map(|(_, _, g)| package::polygons_of(g))
        .flatten()
        .flatten()
        .map(|p| p[0])
        .collect();
    let middle = (lons.iter().cloned().fold(f64::INFINITY, f64::min)
        + lons.iter().cloned().fold(f64::NEG_INFINITY, f64::max))
        / 2.0;
    let zone = ((middle / 3.0).round() as u32).clamp(25, 45);
    Crs::of_epsg(4513 + zone - 25).unwrap_or(Crs::Geographic)
}

/// A FeatureCollection: the collectives (FBFBM, FBFMC, their boundary),
/// then the parcels with their NY/T 2539 attributes — what `import` reads.
fn geojson(contents: Contents, out: &Path) -> Result<(), CliError> {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
    writeln!(w, "{{\"type\":\"FeatureCollection\",\"features\":[")?;
    let mut first = true;
    let mut put =
        |w: &mut std::io::BufWriter<std::fs::File>, f: serde_json::Value| -> std::io::Result<()> {
            if !first {
                writeln!(w, ",")?;
            }
            first = false;
            write!(w, "{f}")
        };
    for (code, name, g) in contents.collectives {
        put(
            &mut w,
            serde_json::json!({"type": "Feature", "properties": {"FBFBM": code, "FBFMC": name}, "geometry": g}),
        )?;
    }
    for (row, g) in contents.parcels {
        let properties: serde_json::Map<String, serde_json::Value> = fields::DK
            .iter()
            .zip(row)
            .filter(|(_, v)| *v != crate::spatial::shapefile::Attribute::Null)
            .map(|(f, v)| {
                (
                    f.name.to_owned(),
                    serde_json::Value::String(package::text_of(v)),
                )
            })
            .collect();
        put(
            &mut w,
            serde_json::json!({"type": "Feature", "properties": properties, "geometry": g}),
        )?;
    }
    writeln!(w, "\n]}}")?;
    w.flush()?;
    Ok(())
}
