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

/// Reads a polygon shapefile whole: the records of `shp` with the rows of
/// `dbf`, in order (see [`Reader`], which reads them one at a time).
pub fn read(
    shp: &[u8],
    dbf: &[u8],
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<Vec<Record>, ShapefileError> {
    Reader::new(shp, dbf, encoding)?.collect()
}

/// A polygon shapefile read record by record, so that a layer of 300,000
/// parcels is never held decoded at once: the text in `encoding` — or,
/// where none is known, UTF-8 if every text is UTF-8, else GBK.
pub struct Reader<'a> {
    shp: &'a [u8],
    at: usize,
    shapes: usize,
    table: Table<'a>,
}

impl<'a> Reader<'a> {
    pub fn new(
        shp: &'a [u8],
        dbf: &'a [u8],
        encoding: Option<&'static encoding_rs::Encoding>,
    ) -> Result<Reader<'a>, ShapefileError> {
        let shapes = count_shapes(shp)?;
        let table = Table::new(dbf, encoding)?;
        if table.rows != shapes {
            return Err(bad(
                ".dbf",
                &format!("{} rows for {} shapes", table.rows, shapes),
                &format!("属性表有 {} 行，图形有 {} 个", table.rows, shapes),
            ));
        }
        Ok(Reader {
            shp,
            at: 100,
            shapes: 0,
            table,
        })
    }

    /// How many records the layer holds.
    pub fn len(&self) -> usize {
        self.table.rows
    }

    pub fn is_empty(&self) -> bool {
        self.table.rows == 0
    }
}

impl Iterator for Reader<'_> {
    type Item = Result<Record, ShapefileError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.at + 8 > self.shp.len() {
                return None;
            }
            self.shapes += 1;
            let rings = match shape(self.shp, &mut self.at, self.shapes) {
                Ok(rings) => rings,
                Err(e) => {
                    self.at = self.shp.len();
                    return Some(Err(e));
                }
            };
            match self.table.next_row()? {
                Ok(Some(attributes)) => return Some(Ok(Record { rings, attributes })),
                // A deleted row's shape is skipped with it.
                Ok(None) => continue,
                Err(e) => {
                    self.at = self.shp.len();
                    return Some(Err(e));
                }
            }
        }
    }
}

/// Checks the `.shp`'s header and counts its records.
fn count_shapes(b: &[u8]) -> Result<usize, ShapefileError> {
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
    let mut at = 100;
    let mut n = 0;
    while at + 8 <= b.len() {
        let words = u32_be(b, at + 4).unwrap_or(u32::MAX) as usize;
        at = at
            .checked_add(8 + words * 2)
            .filter(|&e| e <= b.len())
            .ok_or_else(|| {
                bad(
                    format!(".shp record {}", n + 1),
                    "runs past the end of the file",
                    "超出文件末尾",
                )
            })?;
        n += 1;
    }
    Ok(n)
}

/// The polygon (type 5, or 15/25 with Z or M, read in 2D) of record `n`
/// at `at`, which moves past it.
fn shape(b: &[u8], at: &mut usize, n: usize) -> Result<Vec<Vec<[f64; 2]>>, ShapefileError> {
    let part = || format!(".shp record {n}");
    let words = u32_be(b, *at + 4).ok_or_else(|| bad(part(), "truncated", "文件不完整"))? as usize;
    let start = *at + 8;
    let end = start
        .checked_add(words * 2)
        .filter(|&e| e <= b.len())
        .ok_or_else(|| bad(part(), "runs past the end of the file", "超出文件末尾"))?;
    *at = end;
    let rec = &b[start..end];
    let t = u32_le(rec, 0).ok_or_else(|| bad(part(), "empty record", "空记录"))?;
    if t == 0 {
        return Ok(Vec::new());
    }
    if !matches!(t, 5 | 15 | 25) {
        return Err(bad(
            part(),
            &format!("shape type {t} in a polygon file"),
            &format!("面文件中出现图形类型 {t}"),
        ));
    }
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
    Ok(rings)
}

/// A `.dbf` table read row by row (an ownership table delivered as DBF, or
/// a layer's attributes), each field decoded.
pub struct Table<'a> {
    body: &'a [u8],
    fields: Vec<(String, u8, usize)>,
    width: usize,
    rows: usize,
    row: usize,
    encoding: &'static encoding_rs::Encoding,
}

impl<'a> Table<'a> {
    pub fn new(
        b: &'a [u8],
        encoding: Option<&'static encoding_rs::Encoding>,
    ) -> Result<Table<'a>, ShapefileError> {
        let truncated = || bad(".dbf", "truncated header", "表头不完整");
        let rows = u32_le(b, 4).ok_or_else(truncated)? as usize;
        let header = u16_le(b, 8).ok_or_else(truncated)? as usize;
        let width = u16_le(b, 10).ok_or_else(truncated)? as usize;
        let mut fields = Vec::new();
        let mut at = 32;
        while at + 32 <= header && at + 32 <= b.len() && b[at] != 0x0D {
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
            .and_then(|rest| rest.get(..rows.checked_mul(width)?))
            .ok_or_else(|| bad(".dbf", "fewer rows than it states", "行数少于所声明"))?;
        // Unsaid, the text is UTF-8 if all of it is, else GBK (as a Chinese
        // package's tables are).
        let encoding = encoding.unwrap_or_else(|| {
            let all_utf8 = body
                .chunks(width)
                .all(|row| std::str::from_utf8(&row[1..]).is_ok());
            if all_utf8 {
                encoding_rs::UTF_8
            } else {
                encoding_rs::GBK
            }
        });
        Ok(Table {
            body,
            fields,
            width,
            rows,
            row: 0,
            encoding,
        })
    }

    /// The fields' names, in order.
    pub fn columns(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.0.as_str())
    }

    /// The next row: `Some(None)` for a deleted one.
    #[allow(clippy::type_complexity)]
    fn next_row(&mut self) -> Option<Result<Option<Vec<(String, Attribute)>>, ShapefileError>> {
        let r = self.row;
        let row = self.body.get(r * self.width..(r + 1) * self.width)?;
        self.row += 1;
        if row[0] == b'*' {
            return Some(Ok(None));
        }
        let mut at = 1;
        let mut values = Vec::with_capacity(self.fields.len());
        for (name, kind, len) in &self.fields {
            let raw = &row[at..at + len];
            at += len;
            let (text, _, malformed) = self.encoding.decode(raw);
            if malformed {
                let encoding = self.encoding.name();
                return Some(Err(bad(
                    format!(".dbf row {} field {name}", r + 1),
                    &format!("not valid {encoding} text: give the package's .cpg"),
                    &format!("不是有效的 {encoding} 文本：请提供 .cpg 文件说明编码"),
                )));
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
        Some(Ok(Some(values)))
    }
}

/// The rows of a table, deleted ones left out, each with its row number in
/// the file (from 1).
impl Iterator for Table<'_> {
    type Item = Result<(usize, Vec<(String, Attribute)>), ShapefileError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let r = self.row + 1;
            match self.next_row()? {
                Ok(Some(values)) => return Some(Ok((r, values))),
                Ok(None) => continue,
                Err(e) => {
                    self.row = self.rows;
                    return Some(Err(e));
                }
            }
        }
    }
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

/// Polygons, each its rings (an outer ring, then its holes), each ring its
/// positions.
pub type Polygons = Vec<Vec<Vec<[f64; 2]>>>;

/// The box of some positions: min x, min y, max x, max y; `None` for none.
pub fn bbox<'a>(positions: impl IntoIterator<Item = &'a [f64; 2]>) -> Option<[f64; 4]> {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for &[x, y] in positions {
        b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
    }
    b[0].is_finite().then_some(b)
}

/// A field of a table to write, and how it is typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// At most 10 ASCII characters (NY/T 2539's names are).
    pub name: &'static str,
    pub kind: FieldKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// A decimal with this many places (an area: 2).
    Number {
        decimals: u8,
    },
    /// YYYYMMDD.
    Date,
}

/// A shapefile as written: the three files a layer needs beside its `.prj`
/// and `.cpg`.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub shp: Vec<u8>,
    pub shx: Vec<u8>,
    pub dbf: Vec<u8>,
}

/// Writes a table (`.dbf`): the rows' values in the fields' order, the text
/// in `encoding` (GBK for a Chinese package, its language byte said), each
/// field as wide as its widest value.
pub fn write_table(
    fields: &[Field],
    rows: &[Vec<Attribute>],
    encoding: &'static encoding_rs::Encoding,
) -> Result<Vec<u8>, ShapefileError> {
    let encoded: Vec<Vec<Vec<u8>>> = rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            fields
                .iter()
                .zip(row)
                .map(|(f, v)| {
                    let text = match v {
                        Attribute::Text(t) | Attribute::Number(t) | Attribute::Date(t) => {
                            t.as_str()
                        }
                        Attribute::Bool(true) => "T",
                        Attribute::Bool(false) => "F",
                        Attribute::Null => "",
                    };
                    let (bytes, _, unmappable) = encoding.encode(text);
                    if unmappable {
                        return Err(bad(
                            format!(".dbf row {} field {}", r + 1, f.name),
                            &format!("not writable in {}", encoding.name()),
                            &format!("无法以 {} 编码写出", encoding.name()),
                        ));
                    }
                    Ok(bytes.into_owned())
                })
                .collect()
        })
        .collect::<Result<_, _>>()?;
    let widths: Vec<usize> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| match f.kind {
            FieldKind::Date => 8,
            _ => encoded
                .iter()
                .map(|row| row.get(i).map_or(0, Vec::len))
                .max()
                .unwrap_or(0)
                .clamp(1, 254),
        })
        .collect();
    for (r, row) in encoded.iter().enumerate() {
        for ((f, v), w) in fields.iter().zip(row).zip(&widths) {
            if v.len() > *w {
                return Err(bad(
                    format!(".dbf row {} field {}", r + 1, f.name),
                    "longer than 254 bytes",
                    "超过 254 字节",
                ));
            }
        }
    }
    let header = 32 + 32 * fields.len() + 1;
    let width = 1 + widths.iter().sum::<usize>();
    let mut out = Vec::with_capacity(header + width * rows.len() + 1);
    out.push(0x03);
    out.extend_from_slice(&[100, 1, 1]);
    out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
    out.extend_from_slice(&(header as u16).to_le_bytes());
    out.extend_from_slice(&(width as u16).to_le_bytes());
    out.extend_from_slice(&[0; 17]);
    out.push(if encoding == encoding_rs::GBK {
        0x4D
    } else {
        0
    });
    out.extend_from_slice(&[0; 2]);
    for (f, w) in fields.iter().zip(&widths) {
        let mut name = [0u8; 11];
        let n = f.name.len().min(10);
        name[..n].copy_from_slice(&f.name.as_bytes()[..n]);
        out.extend_from_slice(&name);
        let (kind, decimals) = match f.kind {
            FieldKind::Text => (b'C', 0),
            FieldKind::Number { decimals } => (b'N', decimals),
            FieldKind::Date => (b'D', 0),
        };
        out.push(kind);
        out.extend_from_slice(&[0; 4]);
        out.push(*w as u8);
        out.push(decimals);
        out.extend_from_slice(&[0; 14]);
    }
    out.push(0x0D);
    for row in &encoded {
        out.push(b' ');
        for ((f, v), w) in fields.iter().zip(row).zip(&widths) {
            let pad = w - v.len();
            if matches!(f.kind, FieldKind::Number { .. }) {
                out.extend(std::iter::repeat_n(b' ', pad));
                out.extend_from_slice(v);
            } else {
                out.extend_from_slice(v);
                out.extend(std::iter::repeat_n(b' ', pad));
            }
        }
    }
    out.push(0x1A);
    Ok(out)
}

/// Writes a polygon layer: each record's polygons (GeoJSON's rings: an
/// outer ring, then its holes; already in the layer's coordinates) with its
/// row. Outer rings are written clockwise and holes anticlockwise, as the
/// format wants whatever way the source turned them.
pub fn write_polygons(
    fields: &[Field],
    records: &[(Polygons, Vec<Attribute>)],
    encoding: &'static encoding_rs::Encoding,
) -> Result<Written, ShapefileError> {
    let rows: Vec<Vec<Attribute>> = records.iter().map(|(_, row)| row.clone()).collect();
    let dbf = write_table(fields, &rows, encoding)?;
    let clockwise = |r: &[[f64; 2]]| {
        r.windows(2)
            .map(|w| (w[1][0] - w[0][0]) * (w[1][1] + w[0][1]))
            .sum::<f64>()
            > 0.0
    };
    let mut shp = vec![0u8; 100];
    let mut shx = vec![0u8; 100];
    let all = bbox(
        records
            .iter()
            .flat_map(|(p, _)| p.iter().flatten().flatten()),
    )
    .unwrap_or([0.0; 4]);
    for (n, (polygons, _)) in records.iter().enumerate() {
        let mut rings: Vec<Vec<[f64; 2]>> = Vec::new();
        for polygon in polygons {
            for (i, ring) in polygon.iter().enumerate() {
                let mut ring = ring.clone();
                if clockwise(&ring) != (i == 0) {
                    ring.reverse();
                }
                rings.push(ring);
            }
        }
        let offset = shp.len();
        let mut rec = Vec::new();
        if let Some(b) = bbox(rings.iter().flatten()) {
            let points: usize = rings.iter().map(Vec::len).sum();
            rec.extend_from_slice(&5u32.to_le_bytes());
            for v in b {
                rec.extend_from_slice(&v.to_le_bytes());
            }
            rec.extend_from_slice(&(rings.len() as u32).to_le_bytes());
            rec.extend_from_slice(&(points as u32).to_le_bytes());
            let mut start = 0u32;
            for ring in &rings {
                rec.extend_from_slice(&start.to_le_bytes());
                start += ring.len() as u32;
            }
            for &[x, y] in rings.iter().flatten() {
                rec.extend_from_slice(&x.to_le_bytes());
                rec.extend_from_slice(&y.to_le_bytes());
            }
        } else {
            rec.extend_from_slice(&0u32.to_le_bytes());
        }
        shp.extend_from_slice(&(n as u32 + 1).to_be_bytes());
        shp.extend_from_slice(&((rec.len() / 2) as u32).to_be_bytes());
        shp.extend_from_slice(&rec);
        shx.extend_from_slice(&((offset / 2) as u32).to_be_bytes());
        shx.extend_from_slice(&((rec.len() / 2) as u32).to_be_bytes());
    }
    for file in [&mut shp, &mut shx] {
        let words = (file.len() / 2) as u32;
        file[..4].copy_from_slice(&9994u32.to_be_bytes());
        file[24..28].copy_from_slice(&words.to_be_bytes());
        file[28..32].copy_from_slice(&1000u32.to_le_bytes());
        file[32..36].copy_from_slice(&5u32.to_le_bytes());
        for (i, v) in all.iter().enumerate() {
            file[36 + 8 * i..44 + 8 * i].copy_from_slice(&v.to_le_bytes());
        }
    }
    Ok(Written { shp, shx, dbf })
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
    fn what_is_written_reads_back_with_its_rings_turned_and_its_gbk_text() {
        let fields = [
            Field {
                name: "DKBM",
                kind: FieldKind::Text,
            },
            Field {
                name: "SCMJ",
                kind: FieldKind::Number { decimals: 2 },
            },
            Field {
                name: "CBQXQ",
                kind: FieldKind::Date,
            },
        ];
        // An anticlockwise outer ring (GeoJSON's way) with a clockwise hole.
        let outer = vec![
            [0.0, 0.0],
            [10.0, 0.0],
            [10.0, 10.0],
            [0.0, 10.0],
            [0.0, 0.0],
        ];
        let hole = vec![[2.0, 2.0], [2.0, 4.0], [4.0, 4.0], [4.0, 2.0], [2.0, 2.0]];
        let records = vec![
            (
                vec![vec![outer.clone(), hole.clone()]],
                vec![
                    Attribute::Text("东洼地".into()),
                    Attribute::Number("96.00".into()),
                    Attribute::Date("20180101".into()),
                ],
            ),
            (
                Vec::new(),
                vec![Attribute::Null, Attribute::Null, Attribute::Null],
            ),
        ];
        let w = write_polygons(&fields, &records, encoding_rs::GBK).unwrap();
        assert_eq!(encoding_of(None, &w.dbf), Some(encoding_rs::GBK));
        let back = read(&w.shp, &w.dbf, None).unwrap();
        assert_eq!(back.len(), 2);
        let mut turned = outer.clone();
        turned.reverse();
        let mut hole_turned = hole.clone();
        hole_turned.reverse();
        assert_eq!(back[0].rings, vec![turned, hole_turned]);
        assert_eq!(
            back[0].attributes,
            vec![
                ("DKBM".to_owned(), Attribute::Text("东洼地".into())),
                ("SCMJ".to_owned(), Attribute::Number("96.00".into())),
                ("CBQXQ".to_owned(), Attribute::Date("20180101".into())),
            ]
        );
        assert!(back[1].rings.is_empty());
        assert!(back[1]
            .attributes
            .iter()
            .all(|(_, v)| *v == Attribute::Null));
        // The .shx indexes each record at its offset.
        assert_eq!(w.shx.len(), 100 + 8 * 2);
        assert_eq!(u32_be(&w.shx, 100), Some(50));
        // A text GBK cannot write is refused by row and field.
        let emoji = vec![(
            Vec::new(),
            vec![
                Attribute::Text("🌾".into()),
                Attribute::Null,
                Attribute::Null,
            ],
        )];
        let e = write_polygons(&fields, &emoji, encoding_rs::GBK).unwrap_err();
        assert_eq!(e.part, ".dbf row 1 field DKBM");
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
