//! An ESRI shapefile's polygons and attributes (issue 19: a county's 确权
//! package delivers its layers so): the `.shp` geometry and the `.dbf`
//! table, read from bytes the caller supplies (no I/O here), the text of
//! the table decoded by the `.cpg` or the table's language byte — GBK for a
//! Chinese package that says nothing else — and a text that does not
//! decode refused by its row and field, never passed on garbled.

/// What a shapefile does not read as: which part, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{part}: {why}")]
pub struct ShapefileError {
    /// The file and where in it: `.shp record 12`, `.dbf row 3 field DKMC`.
    pub part: String,
    pub why: String,
    pub why_zh: String,
}

fn bad(part: impl Into<String>, why: &str, why_zh: &str) -> ShapefileError {
    ShapefileError {
        part: part.into(),
        why: why.to_owned(),
        why_zh: why_zh.to_owned(),
    }
}

/// A record: its rings (each closed, in the file's coordinates), and its
/// attributes by field name; a null shape has no rings.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub rings: Vec<Vec<[f64; 2]>>,
    pub attributes: Vec<(String, Attribute)>,
}

/// An attribute's value as the table holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Attribute {
    Text(String),
    /// A number as written (a plain decimal: areas stay exact).
    Number(String),
    /// A date, YYYYMMDD as written.
    Date(String),
    Bool(bool),
    Null,
}

/// The largest part count and point count one record may state: a parcel
/// has a few rings of hundreds of points.
const MAX_PARTS: usize = 10_000;
const MAX_POINTS: usize = 1_000_000;

fn u32_be(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn u32_le(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn u16_le(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn f64_le(b: &[u8], at: usize) -> Option<f64> {
    Some(f64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The text encoding a table is in: the `.cpg`'s word if there is one,
/// else the `.dbf`'s language byte; `None` where neither says.
pub fn encoding_of(cpg: Option<&str>, dbf: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    if let Some(word) = cpg.map(str::trim).filter(|w| !w.is_empty()) {
        let word = word.to_ascii_uppercase();
        return match word.as_str() {
            "936" | "CP936" | "GBK" | "GB2312" => Some(encoding_rs::GBK),
            "54936" | "GB18030" => Some(encoding_rs::GB18030),
            "65001" | "UTF-8" | "UTF8" => Some(encoding_rs::UTF_8),
            other => encoding_rs::Encoding::for_label(other.as_bytes()),
        };
    }
    match dbf.get(29) {
        Some(0x4D | 0x7A) => Some(encoding_rs::GBK),
        _ => None,
    }
}

/// Reads a polygon shapefile: the records of `shp` with the rows of `dbf`,
/// in order, the text in `encoding` — or, where none is known, UTF-8 if
/// every text is UTF-8, else GBK.
pub fn read(
    shp: &[u8],
    dbf: &[u8],
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<Vec<Record>, ShapefileError> {
    let shapes = shapes(shp)?;
    let rows = table(dbf, encoding)?;
    if rows.len() != shapes.len() {
        return Err(bad(
            ".dbf",
            &format!("{} rows for {} shapes", rows.len(), shapes.len()),
            &format!("属性表有 {} 行，图形有 {} 个", rows.len(), shapes.len()),
        ));
    }
    Ok(shapes
        .into_iter()
        .zip(rows)
        .map(|(rings, attributes)| Record { rings, attributes })
        .collect())
}

/// The `.shp`'s polygons (type 5, or 15/25 with Z or M, read in 2D).
fn shapes(b: &[u8]) -> Result<Vec<Vec<Vec<[f64; 2]>>>, ShapefileError> {
    if u32_be(b, 0) != Some(9994) || b.len() < 100 {
        return Err(bad(
            ".shp",
            "not a shapefile (no file code 9994)",
            "不是 shapefile（文件标识不是 9994）",
        ));
    }
    let kind = u32_le(b, 32).unwrap_or(0);
    if !matches!(kind, 0 | 5 | 15 | 25) {
        return Err(bad(
            ".shp",
            &format!("shape type {kind}: only polygons are parcels"),
            &format!("图形类型 {kind}：地块须为面"),
        ));
    }
    let mut out = Vec::new();
    let mut at = 100;
    while at + 8 <= b.len() {
        let n = out.len() + 1;
        let part = || format!(".shp record {n}");
        let words =
            u32_be(b, at + 4).ok_or_else(|| bad(part(), "truncated", "文件不完整"))? as usize;
        let start = at + 8;
        let end = start
            .checked_add(words * 2)
            .filter(|&e| e <= b.len())
            .ok_or_else(|| bad(part(), "runs past the end of the file", "超出文件末尾"))?;
        let rec = &b[start..end];
        let t = u32_le(rec, 0).ok_or_else(|| bad(part(), "empty record", "空记录"))?;
        if t == 0 {
            out.push(Vec::new());
        } else if matches!(t, 5 | 15 | 25) {
            let parts = u32_le(rec, 36).unwrap_or(u32::MAX) as usize;
            let points = u32_le(rec, 40).unwrap_or(u32::MAX) as usize;
            if parts == 0 || parts > MAX_PARTS || points > MAX_POINTS {
                return Err(bad(
                    part(),
                    "impossible part or point count",
                    "环数或点数不合理",
                ));
            }
            let index = |i: usize| u32_le(rec, 44 + 4 * i).map(|v| v as usize);
            let xy = 44 + 4 * parts;
            if rec.len() < xy + 16 * points {
                return Err(bad(part(), "fewer points than it states", "点数少于所声明"));
            }
            let mut rings = Vec::with_capacity(parts);
            for p in 0..parts {
                let from = index(p).unwrap_or(usize::MAX);
                let to = if p + 1 < parts {
                    index(p + 1).unwrap_or(0)
                } else {
                    points
                };
                if from >= to || to > points {
                    return Err(bad(
                        part(),
                        "a ring's start is out of order",
                        "环的起点顺序错误",
                    ));
                }
                let ring: Vec<[f64; 2]> = (from..to)
                    .map(|i| {
                        let o = xy + 16 * i;
                        [
                            f64_le(rec, o).unwrap_or(f64::NAN),
                            f64_le(rec, o + 8).unwrap_or(f64::NAN),
                        ]
                    })
                    .collect();
                rings.push(ring);
            }
            out.push(rings);
        } else {
            return Err(bad(
                part(),
                &format!("shape type {t} in a polygon file"),
                &format!("面文件中出现图形类型 {t}"),
            ));
        }
        at = end;
    }
    Ok(out)
}

/// The `.dbf`'s rows, deleted ones left out, each field decoded.
fn table(
    b: &[u8],
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<Vec<Vec<(String, Attribute)>>, ShapefileError> {
    let truncated = || bad(".dbf", "truncated header", "表头不完整");
    let rows = u32_le(b, 4).ok_or_else(truncated)? as usize;
    let header = u16_le(b, 8).ok_or_else(truncated)? as usize;
    let width = u16_le(b, 10).ok_or_else(truncated)? as usize;
    let mut fields = Vec::new();
    let mut at = 32;
    while at + 32 <= header && b.get(at) != Some(&0x0D) {
        let d = &b[at..at + 32];
        let name_end = d[..11].iter().position(|&c| c == 0).unwrap_or(11);
        let name = String::from_utf8_lossy(&d[..name_end]).trim().to_owned();
        fields.push((name, d[11], d[16] as usize));
        at += 32;
    }
    if width == 0 || fields.iter().map(|f| f.2).sum::<usize>() + 1 != width {
        return Err(bad(
            ".dbf",
            "the fields' widths do not make the row's",
            "字段宽度之和与记录长度不符",
        ));
    }
    let body = b
        .get(header..)
        .filter(|rest| rest.len() >= rows * width)
        .ok_or_else(|| bad(".dbf", "fewer rows than it states", "行数少于所声明"))?;
    // Unsaid, the text is UTF-8 if all of it is, else GBK (as a Chinese
    // package's tables are).
    let encoding = encoding.unwrap_or_else(|| {
        let all_utf8 = body
            .chunks(width)
            .take(rows)
            .all(|row| std::str::from_utf8(&row[1..]).is_ok());
        if all_utf8 {
            encoding_rs::UTF_8
        } else {
            encoding_rs::GBK
        }
    });
    let mut out = Vec::with_capacity(rows);
    for (r, row) in body.chunks(width).take(rows).enumerate() {
        if row[0] == b'*' {
            continue;
        }
        let mut at = 1;
        let mut values = Vec::with_capacity(fields.len());
        for (name, kind, len) in &fields {
            let raw = &row[at..at + len];
            at += len;
            let (text, _, malformed) = encoding.decode(raw);
            if malformed {
                return Err(bad(
                    format!(".dbf row {} field {name}", r + 1),
                    &format!(
                        "not valid {} text: give the package's .cpg",
                        encoding.name()
                    ),
                    &format!(
                        "不是有效的 {} 文本：请提供 .cpg 文件说明编码",
                        encoding.name()
                    ),
                ));
            }
            let text = text.trim_matches(|c: char| c == ' ' || c == '\0');
            let value = match kind {
                _ if text.is_empty() => Attribute::Null,
                b'N' | b'F' => Attribute::Number(text.to_owned()),
                b'D' => Attribute::Date(text.to_owned()),
                b'L' => match text {
                    "T" | "t" | "Y" | "y" => Attribute::Bool(true),
                    "F" | "f" | "N" | "n" => Attribute::Bool(false),
                    _ => Attribute::Null,
                },
                _ => Attribute::Text(text.to_owned()),
            };
            values.push((name.clone(), value));
        }
        out.push(values);
    }
    Ok(out)
}

/// A record's rings as a GeoJSON Polygon or MultiPolygon in longitude and
/// latitude: each clockwise ring (a shapefile's outer ring) starts a
/// polygon, each anticlockwise one is a hole of the polygon before it;
/// `None` for a null shape.
pub fn geojson(rings: &[Vec<[f64; 2]>], crs: super::crs::Crs) -> Option<serde_json::Value> {
    let clockwise = |r: &[[f64; 2]]| {
        r.windows(2)
            .map(|w| (w[1][0] - w[0][0]) * (w[1][1] + w[0][1]))
            .sum::<f64>()
            > 0.0
    };
    let mut polygons: Vec<Vec<Vec<[f64; 2]>>> = Vec::new();
    for ring in rings {
        let converted: Vec<[f64; 2]> = ring
            .iter()
            .map(|&[x, y]| {
                let (lon, lat) = crs.to_lonlat(x, y);
                [lon, lat]
            })
            .collect();
        match polygons.last_mut() {
            Some(p) if !clockwise(ring) => p.push(converted),
            _ => polygons.push(vec![converted]),
        }
    }
    match polygons.len() {
        0 => None,
        1 => Some(serde_json::json!({"type": "Polygon", "coordinates": polygons[0]})),
        _ => Some(serde_json::json!({"type": "MultiPolygon", "coordinates": polygons})),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_shapefile_and_never_panics() {
        assert!(read(b"", b"", None).is_err());
        assert!(read(&[0u8; 100], &[0u8; 32], None).is_err());
        let mut shp = vec![0u8; 100];
        shp[..4].copy_from_slice(&9994u32.to_be_bytes());
        shp[32..36].copy_from_slice(&5u32.to_le_bytes());
        // A record stating a length past the end.
        shp.extend_from_slice(&1u32.to_be_bytes());
        shp.extend_from_slice(&1000u32.to_be_bytes());
        assert!(read(&shp, &[0u8; 64], None).is_err());
    }

    #[test]
    fn a_cpg_or_the_language_byte_names_the_encoding() {
        assert_eq!(encoding_of(Some("GBK\n"), &[]), Some(encoding_rs::GBK));
        assert_eq!(encoding_of(Some("UTF-8"), &[]), Some(encoding_rs::UTF_8));
        let mut dbf = [0u8; 32];
        dbf[29] = 0x4D;
        assert_eq!(encoding_of(None, &dbf), Some(encoding_rs::GBK));
        dbf[29] = 0;
        assert_eq!(encoding_of(None, &dbf), None);
    }
}
