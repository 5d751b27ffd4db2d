//! A county's 确权 results as surveyors deliver them (NY/T 2539): a folder
//! or a `.zip` holding the vector layers as shapefiles — 承包地块 `DK`, the
//! group and village boundaries `ZJQY` and `CJQY`, the boundary points and
//! lines `JZD` and `JZX` — each file named by its layer code and the county
//! (`DK1404212019.shp`), and the ownership tables 发包方 `FBF`, 承包方
//! `CBF`, 家庭成员 `CBF_JTCY`, 承包合同 `CBHT`, 承包地块信息 `CBDKXX` and
//! 权证 `CBJYQZ`, in an Access `.mdb` (read with Debian's `mdb-export`) or
//! as `.csv` or `.dbf` files of those names. Here: the files gathered, each
//! layer's coordinate system and encoding read, each table's rows with
//! their file and row number — what `registry::import` turns into entries.

use std::collections::BTreeMap;
use std::path::Path;

use crate::spatial::crs::Crs;
use crate::spatial::shapefile::{self, Attribute};

/// The ownership tables a package may hold, in the order they are read.
pub const TABLES: [&str; 6] = ["FBF", "CBF", "CBF_JTCY", "CBHT", "CBDKXX", "CBJYQZ"];

/// How much of a package is read, and whether its Access tables are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most its files may hold, unpacked.
    pub bytes: u64,
    /// Whether an `.mdb` is handed to `mdb-export` (a C parser: not for a
    /// stranger's upload).
    pub mdb: bool,
}

/// A county's package on the command line: a few hundred megabytes, at
/// most 4 GiB, its Access tables read.
pub const COMMAND_LINE: Limits = Limits {
    bytes: 4 << 30,
    mdb: true,
};

/// A village's package uploaded on the clerk's page: at most 256 MiB
/// unpacked, its tables as CSV or DBF.
pub const UPLOAD: Limits = Limits {
    bytes: 256 << 20,
    mdb: false,
};

/// Where a row of a package is: its file, and its row (from 1, the header
/// not counted).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Source {
    pub file: String,
    pub row: usize,
}

/// Why a package does not read: the file (and where in it), and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {why}")]
pub struct PackageError {
    pub file: String,
    pub why: String,
    pub why_zh: String,
}

fn bad(file: impl Into<String>, why: impl Into<String>, why_zh: impl Into<String>) -> PackageError {
    PackageError {
        file: file.into(),
        why: why.into(),
        why_zh: why_zh.into(),
    }
}

/// A package's files, by their path in it.
#[derive(Debug)]
pub struct Package {
    files: BTreeMap<String, Vec<u8>>,
    limits: Limits,
    /// One layer given alone (`sanquan import parcels.shp`): it is the
    /// parcels, whatever its name.
    alone: bool,
}

/// A table's rows, each with its row number, by column name. A county's
/// tables hold millions of cells: they are kept as one text, each cell
/// where the one before ends, not as a string each.
#[derive(Debug, Default)]
pub struct Table {
    pub file: String,
    columns: Vec<String>,
    /// Every cell's text, trimmed, row after row.
    text: String,
    /// Where each cell ends in `text` (row `r`'s cells are
    /// `r * columns.len()` on), each starting where the one before ends.
    ends: Vec<u32>,
    /// Each row's number in its file (from 1).
    numbers: Vec<usize>,
}

/// A row of a table.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    table: &'a Table,
    /// Its place among the table's rows (from 0).
    at: usize,
}

impl<'a> Row<'a> {
    /// The value of a column, trimmed; `None` where it is empty or absent.
    pub fn get(&self, column: &str) -> Option<&'a str> {
        let t = self.table;
        let i = t
            .columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(column))?;
        let cell = self.at * t.columns.len() + i;
        let start = cell.checked_sub(1).map_or(0, |c| t.ends[c] as usize);
        Some(&t.text[start..t.ends[cell] as usize]).filter(|v| !v.is_empty())
    }

    /// Its row number (from 1).
    pub fn number(&self) -> usize {
        self.table.numbers[self.at]
    }

    pub fn source(&self) -> Source {
        Source {
            file: self.table.file.clone(),
            row: self.number(),
        }
    }
}

impl Table {
    fn new(file: String, columns: Vec<String>) -> Table {
        Table {
            file,
            columns,
            ..Table::default()
        }
    }

    /// Adds row `number` of the file: its values in the columns' order (a
    /// value past the last column is not kept; a missing one is empty).
    fn push<'v>(
        &mut self,
        number: usize,
        values: impl IntoIterator<Item = &'v str>,
    ) -> Result<(), PackageError> {
        let mut values = values.into_iter();
        for _ in 0..self.columns.len() {
            self.text.push_str(values.next().unwrap_or_default().trim());
            let end = u32::try_from(self.text.len()).map_err(|_| {
                bad(
                    &self.file,
                    "holds more than 4 GiB of text",
                    "文本超过 4 GiB",
                )
            })?;
            self.ends.push(end);
        }
        self.numbers.push(number);
        Ok(())
    }

    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        (0..self.len()).map(move |at| Row { table: self, at })
    }

    /// Row `at` (from 0) of those read.
    pub fn row(&self, at: usize) -> Row<'_> {
        assert!(at < self.len(), "row {at} of {}", self.len());
        Row { table: self, at }
    }

    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }

    /// A CSV table (as `mdb-export` writes it, or a county exports it): UTF-8
    /// (a byte-order mark allowed), or GBK where it is not UTF-8.
    fn of_csv(file: String, bytes: &[u8]) -> Result<Table, PackageError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => std::borrow::Cow::Borrowed(t),
            Err(_) => {
                let (t, _, malformed) = encoding_rs::GBK.decode(bytes);
                if malformed {
                    return Err(bad(
                        file,
                        "neither UTF-8 nor GBK text",
                        "既不是 UTF-8 也不是 GBK 编码的文本",
                    ));
                }
                t
            }
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let columns = reader
            .headers()
            .map_err(|e| bad(&file, format!("its header: {e}"), format!("表头：{e}")))?
            .iter()
            .map(|c| c.trim().to_ascii_uppercase())
            .collect();
        let mut table = Table::new(file, columns);
        let file = &table.file.clone();
        for (i, record) in reader.records().enumerate() {
            let record = record.map_err(|e| {
                bad(
                    format!("{file} row {}", i + 1),
                    e.to_string(),
                    format!("无法读取：{e}"),
                )
            })?;
            table.push(i + 1, record.iter())?;
        }
        Ok(table)
    }

    /// A `.dbf` table, decoded by its `.cpg` or language byte.
    fn of_dbf(file: String, dbf: &[u8], cpg: Option<&str>) -> Result<Table, PackageError> {
        let encoding = shapefile::encoding_of(cpg, dbf);
        let shp_error = |e: shapefile::ShapefileError| {
            bad(
                format!("{file} {}", e.part.trim_start_matches(".dbf ")),
                e.why,
                e.why_zh,
            )
        };
        let table = shapefile::Table::new(dbf, encoding).map_err(shp_error)?;
        let columns: Vec<String> = table.columns().map(str::to_ascii_uppercase).collect();
        let mut out = Table::new(file.clone(), columns);
        for row in table {
            let (n, values) = row.map_err(shp_error)?;
            let values: Vec<String> = values.into_iter().map(|(_, v)| text_of(v)).collect();
            out.push(n, values.iter().map(String::as_str))?;
        }
        Ok(out)
    }
}

/// An attribute as the import reads it: a date YYYYMMDD as YYYY-MM-DD.
pub fn text_of(v: Attribute) -> String {
    match v {
        Attribute::Text(t) | Attribute::Number(t) => t,
        Attribute::Date(d) if d.len() == 8 => format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..]),
        Attribute::Date(d) => d,
        Attribute::Bool(b) => if b { "1" } else { "2" }.to_owned(),
        Attribute::Null => String::new(),
    }
}

/// A layer of a package: its shapefile's files and coordinate system.
pub struct Layer<'a> {
    pub file: String,
    pub crs: Crs,
    pub records: shapefile::Reader<'a>,
}

impl<'a> Layer<'a> {
    /// The layer's records as GeoJSON features in CGCS2000 longitude and
    /// latitude, each attribute as text, with the row each comes from.
    pub fn features(
        self,
    ) -> impl Iterator<Item = Result<(Source, serde_json::Value), PackageError>> + 'a {
        let Layer { file, crs, records } = self;
        records.enumerate().map(move |(i, record)| {
            let record = record.map_err(|e| bad(format!("{file} {}", e.part), e.why, e.why_zh))?;
            let properties: serde_json::Map<String, serde_json::Value> = record
                .attributes
                .into_iter()
                .filter(|(_, v)| *v != Attribute::Null)
                .map(|(k, v)| {
                    (
                        k.to_ascii_uppercase(),
                        serde_json::Value::String(text_of(v)),
                    )
                })
                .collect();
            let feature = serde_json::json!({
                "type": "Feature",
                "properties": properties,
                "geometry": shapefile::geojson(&record.rings, crs),
            });
            Ok((
                Source {
                    file: file.clone(),
                    row: i + 1,
                },
                feature,
            ))
        })
    }
}

impl Package {
    /// A package from a folder (read to any depth), a `.zip` of one, or one
    /// `.shp` with the files beside it.
    pub fn open(path: &Path) -> Result<Package, PackageError> {
        let name = path.display().to_string();
        let io = |e: std::io::Error| bad(&name, e.to_string(), format!("无法读取：{e}"));
        let meta = std::fs::metadata(path).map_err(io)?;
        let mut package = Package::new(COMMAND_LINE);
        if meta.is_dir() {
            package.add_dir(path, path, 0)?;
        } else if has_extension(path, "zip") {
            let bytes = std::fs::read(path).map_err(io)?;
            return Package::of_zip(&bytes, COMMAND_LINE);
        } else if has_extension(path, "shp") {
            package.alone = true;
            for ext in ["shp", "dbf", "prj", "cpg"] {
                let beside = path.with_extension(ext);
                if let Ok(bytes) = std::fs::read(&beside) {
                    let file = beside.file_name().map(|f| f.to_string_lossy().into_owned());
                    package.files.insert(file.unwrap_or_default(), bytes);
                }
            }
        } else {
            return Err(bad(
                name,
                "neither a package folder, a .zip, a .shp nor a .geojson",
                "不是成果包文件夹、.zip、.shp 或 .geojson 文件",
            ));
        }
        Ok(package)
    }

    fn add_dir(&mut self, root: &Path, dir: &Path, depth: usize) -> Result<(), PackageError> {
        let io = |e: std::io::Error| {
            bad(
                dir.display().to_string(),
                e.to_string(),
                format!("无法读取：{e}"),
            )
        };
        if depth > 8 {
            return Ok(());
        }
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if path.is_dir() {
                self.add_dir(root, &path, depth + 1)?;
            } else if wanted(&path.to_string_lossy()) {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                let bytes = std::fs::read(&path).map_err(io)?;
                self.add(rel.to_string_lossy().into_owned(), bytes)?;
            }
        }
        Ok(())
    }

    fn new(limits: Limits) -> Package {
        Package {
            files: BTreeMap::new(),
            limits,
            alone: false,
        }
    }

    /// What the package may still hold.
    fn room(&self) -> u64 {
        let held: u64 = self.files.values().map(|b| b.len() as u64).sum();
        self.limits.bytes.saturating_sub(held)
    }

    fn too_large(&self, name: String) -> PackageError {
        let mib = self.limits.bytes >> 20;
        bad(
            name,
            format!("the package holds more than {mib} MiB"),
            format!("成果包超过 {mib} MiB"),
        )
    }

    fn add(&mut self, name: String, bytes: Vec<u8>) -> Result<(), PackageError> {
        if bytes.len() as u64 > self.room() {
            return Err(self.too_large(name));
        }
        self.files.insert(name, bytes);
        Ok(())
    }

    /// A package from the bytes of a `.zip`, what it unpacks to bounded as
    /// it is read (a header's stated size is not believed).
    pub fn of_zip(bytes: &[u8], limits: Limits) -> Result<Package, PackageError> {
        let not_zip = |e: zip::result::ZipError| {
            bad(
                "package.zip",
                format!("not a readable .zip: {e}"),
                format!("不是可读取的 .zip 文件：{e}"),
            )
        };
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(not_zip)?;
        let mut package = Package::new(limits);
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).map_err(not_zip)?;
            if entry.is_dir() {
                continue;
            }
            // Names in a Chinese package's zip are often GBK without the
            // UTF-8 flag: the raw bytes decode as GBK where not UTF-8.
            let raw = entry.name_raw();
            let name = match std::str::from_utf8(raw) {
                Ok(n) => n.to_owned(),
                Err(_) => encoding_rs::GBK.decode(raw).0.into_owned(),
            };
            if !wanted(&name) {
                continue;
            }
            let room = package.room();
            if entry.size() > room {
                return Err(package.too_large(name));
            }
            let mut data = Vec::with_capacity(entry.size().min(1 << 20) as usize);
            // One byte past the room tells a file that is larger than it said.
            std::io::Read::read_to_end(&mut std::io::Read::take(&mut entry, room + 1), &mut data)
                .map_err(|e| {
                bad(
                    &name,
                    format!("does not unpack: {e}"),
                    format!("无法解压：{e}"),
                )
            })?;
            package.add(name, data)?;
        }
        Ok(package)
    }

    /// The files' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// The file whose name (without folder and extension) is `stem` or, for
    /// a layer, its code followed by digits (`DK1404212019`), with this
    /// extension.
    fn find(&self, code: &str, ext: &str, layer: bool) -> Option<(&str, &[u8])> {
        self.files
            .iter()
            .find(|(name, _)| {
                let path = Path::new(name.as_str());
                let (Some(stem), true) = (
                    path.file_stem().and_then(|s| s.to_str()),
                    has_extension(path, ext),
                ) else {
                    return false;
                };
                let upper = stem.to_ascii_uppercase();
                match upper.strip_prefix(code) {
                    Some("") => true,
                    Some(rest) => layer && rest.bytes().all(|b| b.is_ascii_digit()),
                    None => false,
                }
            })
            .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
    }

    /// A layer by its NY/T 2539 code (`DK`, `ZJQY`, `CJQY`): its records
    /// as they are read, and the coordinate system its `.prj` names.
    pub fn layer(&self, code: &str) -> Result<Option<Layer<'_>>, PackageError> {
        let alone = || {
            self.files
                .iter()
                .find(|(n, _)| has_extension(Path::new(n), "shp"))
                .map(|(n, b)| (n.as_str(), b.as_slice()))
        };
        let found = self
            .find(code, "shp", true)
            .or_else(|| alone().filter(|_| self.alone && code == "DK"));
        let Some((name, shp)) = found else {
            return Ok(None);
        };
        let beside = |ext: &str| {
            let path = Path::new(name).with_extension(ext);
            self.files.get(path.to_string_lossy().as_ref())
        };
        let dbf = beside("dbf").ok_or_else(|| {
            bad(
                name,
                "its .dbf (the attribute table) is missing",
                "缺少属性表（.dbf）",
            )
        })?;
        let prj = beside("prj").ok_or_else(|| {
            bad(
                name,
                "its .prj (the coordinate system) is missing",
                "缺少坐标系文件（.prj）",
            )
        })?;
        let crs = crate::spatial::crs::of_wkt(&String::from_utf8_lossy(prj))
            .map_err(|e| bad(name, e.to_string(), e.message_zh()))?;
        let cpg = beside("cpg").map(|c| String::from_utf8_lossy(c).into_owned());
        let encoding = shapefile::encoding_of(cpg.as_deref(), dbf);
        let records = shapefile::Reader::new(shp, dbf, encoding)
            .map_err(|e| bad(format!("{name} {}", e.part), e.why, e.why_zh))?;
        Ok(Some(Layer {
            file: name.to_owned(),
            crs,
            records,
        }))
    }

    /// The ownership tables the package holds, from its `.csv` or `.dbf`
    /// files of their names, else from its `.mdb` (by `mdb-export`).
    pub fn tables(&self) -> Result<BTreeMap<&'static str, Table>, PackageError> {
        let mut tables = BTreeMap::new();
        let mdb = ["mdb", "accdb"].iter().find_map(|ext| {
            self.files
                .iter()
                .find(|(n, _)| has_extension(Path::new(n), ext))
        });
        let given = |t: &str| {
            self.find(t, "csv", false)
                .or_else(|| self.find(t, "dbf", false))
        };
        if let (Some((file, _)), false) = (mdb, self.limits.mdb) {
            if TABLES.iter().any(|t| given(t).is_none()) {
                return Err(bad(
                    file,
                    "an Access database is read on the command line (sanquan import); here give the tables as .csv or .dbf files",
                    "Access 数据库请用命令行导入（sanquan import）；网页上传请将各表导出为 .csv 或 .dbf 文件",
                ));
            }
        }
        for name in TABLES {
            let table = if let Some((file, bytes)) = self.find(name, "csv", false) {
                Table::of_csv(file.to_owned(), bytes)?
            } else if let Some((file, bytes)) = self.find(name, "dbf", false) {
                let cpg = self
                    .find(name, "cpg", false)
                    .map(|(_, c)| String::from_utf8_lossy(c).into_owned());
                Table::of_dbf(file.to_owned(), bytes, cpg.as_deref())?
            } else if let Some((file, bytes)) = mdb {
                match mdb_export(file, bytes, name)? {
                    Some(csv) => Table::of_csv(format!("{file}:{name}"), &csv)?,
                    None => continue,
                }
            } else {
                continue;
            };
            tables.insert(name, table);
        }
        Ok(tables)
    }
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// The files of a package sanquan reads; others (scans, PDFs, the
/// surveyors' reports) are left in the archive.
fn wanted(name: &str) -> bool {
    let path = Path::new(name);
    ["shp", "dbf", "prj", "cpg", "csv", "mdb", "accdb"]
        .iter()
        .any(|e| has_extension(path, e))
        && !path
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with("__MACOSX"))
}

/// One table of an Access database as CSV, by Debian's `mdb-export` (dates
/// as YYYY-MM-DD); `None` where the database has no such table.
fn mdb_export(file: &str, bytes: &[u8], table: &str) -> Result<Option<Vec<u8>>, PackageError> {
    let tmp = std::env::temp_dir().join(format!(
        "sanquan-{}-{}.mdb",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::write(&tmp, bytes).map_err(|e| bad(file, e.to_string(), e.to_string()))?;
    let listed = std::process::Command::new("mdb-tables")
        .args(["-1"])
        .arg(&tmp)
        .output();
    let result = match listed {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(bad(
            file,
            "the ownership tables are in an Access database: install mdbtools (apt install mdbtools) or give the tables as .csv files",
            "权属数据在 Access 数据库中：请安装 mdbtools（apt install mdbtools），或将各表导出为 .csv 文件",
        )),
        Err(e) => Err(bad(file, e.to_string(), e.to_string())),
        Ok(out) if !out.status.success() => Err(bad(
            file,
            format!("not a readable Access database: {}", String::from_utf8_lossy(&out.stderr).trim()),
            "不是可读取的 Access 数据库",
        )),
        Ok(out) => {
            let has = String::from_utf8_lossy(&out.stdout)
                .lines()
                .any(|l| l.trim().eq_ignore_ascii_case(table));
            if has {
                let out = std::process::Command::new("mdb-export")
                    .args(["-D", "%Y-%m-%d"])
                    .arg(&tmp)
                    .arg(table)
                    .output()
                    .map_err(|e| bad(file, e.to_string(), e.to_string()))?;
                if out.status.success() {
                    Ok(Some(out.stdout))
                } else {
                    Err(bad(
                        format!("{file}:{table}"),
                        String::from_utf8_lossy(&out.stderr).trim().to_owned(),
                        "无法导出此表",
                    ))
                }
            } else {
                Ok(None)
            }
        }
    };
    let _ = std::fs::remove_file(&tmp);
    result
}

/// The fields sanquan reads and writes of each layer and table, by their
/// NY/T 2539 names: said once here for `export` and `generate`; the import
/// reads the same names.
pub mod fields {
    use crate::spatial::shapefile::{Field, FieldKind};

    const fn text(name: &'static str) -> Field {
        Field {
            name,
            kind: FieldKind::Text,
        }
    }
    const fn number(name: &'static str, decimals: u8) -> Field {
        Field {
            name,
            kind: FieldKind::Number { decimals },
        }
    }
    const fn date(name: &'static str) -> Field {
        Field {
            name,
            kind: FieldKind::Date,
        }
    }

    /// 承包地块: code, name, class, use, grade, basic farmland, surveyed
    /// area (m², and 亩), the four neighbours (东西南北至).
    pub const DK: [Field; 12] = [
        text("DKBM"),
        text("DKMC"),
        text("DKLB"),
        text("TDYT"),
        text("DLDJ"),
        text("SFJBNT"),
        number("SCMJ", 2),
        number("SCMJM", 2),
        text("DKDZ"),
        text("DKXZ"),
        text("DKNZ"),
        text("DKBZ"),
    ];
    /// 组级区域: a group's code (the 发包方编码) and name.
    pub const ZJQY: [Field; 2] = [text("ZJQYDM"), text("ZJQYMC")];
    pub const FBF: [Field; 2] = [text("FBFBM"), text("FBFMC")];
    pub const CBF: [Field; 6] = [
        text("CBFBM"),
        text("CBFLX"),
        text("CBFMC"),
        text("CBFZJLX"),
        text("CBFZJHM"),
        number("CBFCYSL", 0),
    ];
    pub const CBF_JTCY: [Field; 6] = [
        text("CBFBM"),
        text("CYXM"),
        text("CYZJLX"),
        text("CYZJHM"),
        text("YHZGX"),
        text("SFGYR"),
    ];
    pub const CBHT: [Field; 7] = [
        text("CBHTBM"),
        text("FBFBM"),
        text("CBFBM"),
        text("CBFS"),
        date("CBQXQ"),
        date("CBQXZ"),
        number("CBDKZS", 0),
    ];
    pub const CBDKXX: [Field; 5] = [
        text("DKBM"),
        text("FBFBM"),
        text("CBFBM"),
        text("CBHTBM"),
        text("CBJYQZBM"),
    ];
    pub const CBJYQZ: [Field; 3] = [text("CBJYQZBM"), text("FZJG"), date("FZRQ")];
}

/// Everything a package holds, gathered before it is written (by `export`
/// from the registry, by `generate` from a synthetic county).
#[derive(Default)]
pub struct Contents {
    /// 组级区域: code, name, boundary (GeoJSON, longitude/latitude).
    pub collectives: Vec<(String, String, serde_json::Value)>,
    /// 承包地块: the row in `fields::DK`'s order, and the geometry.
    pub parcels: Vec<(Vec<Attribute>, serde_json::Value)>,
    pub households: Vec<Vec<Attribute>>,
    pub members: Vec<Vec<Attribute>>,
    pub contracts: Vec<Vec<Attribute>>,
    pub contract_parcels: Vec<Vec<Attribute>>,
    pub certificates: Vec<Vec<Attribute>>,
}

impl Contents {
    /// The layers, `ZJQY` and `DK`, in longitude and latitude.
    pub fn layers(&mut self) -> Vec<LayerOut> {
        let collectives = std::mem::take(&mut self.collectives);
        let parcels = std::mem::take(&mut self.parcels);
        vec![
            LayerOut {
                code: "ZJQY",
                fields: fields::ZJQY.to_vec(),
                records: collectives
                    .into_iter()
                    .map(|(code, name, g)| {
                        (
                            polygons_of(&g),
                            vec![Attribute::Text(code), Attribute::Text(name)],
                        )
                    })
                    .collect(),
            },
            LayerOut {
                code: "DK",
                fields: fields::DK.to_vec(),
                records: parcels
                    .into_iter()
                    .map(|(row, g)| (polygons_of(&g), row))
                    .collect(),
            },
        ]
    }

    /// The ownership tables (FBF from the layers' groups: call before
    /// [`Contents::layers`]).
    pub fn tables(&mut self) -> Vec<TableOut> {
        let fbf = self
            .collectives
            .iter()
            .map(|(code, name, _)| {
                vec![Attribute::Text(code.clone()), Attribute::Text(name.clone())]
            })
            .collect();
        let table = |name, fields: &[shapefile::Field], rows| TableOut {
            name,
            fields: fields.to_vec(),
            rows,
        };
        vec![
            table("FBF", &fields::FBF, fbf),
            table("CBF", &fields::CBF, std::mem::take(&mut self.households)),
            table(
                "CBF_JTCY",
                &fields::CBF_JTCY,
                std::mem::take(&mut self.members),
            ),
            table("CBHT", &fields::CBHT, std::mem::take(&mut self.contracts)),
            table(
                "CBDKXX",
                &fields::CBDKXX,
                std::mem::take(&mut self.contract_parcels),
            ),
            table(
                "CBJYQZ",
                &fields::CBJYQZ,
                std::mem::take(&mut self.certificates),
            ),
        ]
    }

    /// Writes the whole package under `dir` in NY/T 2539's layout: the
    /// layers in `矢量数据/`, the tables in `权属数据/`.
    pub fn write(
        mut self,
        dir: &Path,
        county: &str,
        year: i32,
        crs: Crs,
    ) -> Result<Vec<std::path::PathBuf>, PackageError> {
        let tables = self.tables();
        let layers = self.layers();
        let mut written = write_layers(&dir.join("矢量数据"), county, year, crs, layers)?;
        written.extend(write_tables(&dir.join("权属数据"), tables)?);
        Ok(written)
    }
}

/// A layer in another coordinate system.
pub fn project(layer: LayerOut, crs: Crs) -> LayerOut {
    let records = layer
        .records
        .into_iter()
        .map(|(polygons, row)| {
            let projected = polygons
                .into_iter()
                .map(|rings| {
                    rings
                        .into_iter()
                        .map(|ring| {
                            ring.into_iter()
                                .map(|[lon, lat]| {
                                    let (x, y) = crs.from_lonlat(lon, lat);
                                    [x, y]
                                })
                                .collect()
                        })
                        .collect()
                })
                .collect();
            (projected, row)
        })
        .collect();
    LayerOut { records, ..layer }
}

/// A layer to write: its NY/T 2539 code, fields, and records (each its
/// polygons in longitude and latitude, and its row).
pub struct LayerOut {
    pub code: &'static str,
    pub fields: Vec<shapefile::Field>,
    pub records: Vec<(shapefile::Polygons, Vec<Attribute>)>,
}

/// An ownership table to write.
pub struct TableOut {
    pub name: &'static str,
    pub fields: Vec<shapefile::Field>,
    pub rows: Vec<Vec<Attribute>>,
}

/// The polygons of a GeoJSON Polygon or MultiPolygon.
pub fn polygons_of(geometry: &serde_json::Value) -> shapefile::Polygons {
    let ring = |r: &serde_json::Value| -> Vec<[f64; 2]> {
        r.as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| Some([p.get(0)?.as_f64()?, p.get(1)?.as_f64()?]))
            .collect()
    };
    let polygon = |p: &serde_json::Value| -> Vec<Vec<[f64; 2]>> {
        p.as_array().into_iter().flatten().map(ring).collect()
    };
    match geometry["type"].as_str() {
        Some("Polygon") => vec![polygon(&geometry["coordinates"])],
        Some("MultiPolygon") => geometry["coordinates"]
            .as_array()
            .into_iter()
            .flatten()
            .map(polygon)
            .collect(),
        _ => Vec::new(),
    }
}

fn io_error(p: &Path, e: std::io::Error) -> PackageError {
    bad(
        p.display().to_string(),
        e.to_string(),
        format!("无法写入：{e}"),
    )
}

fn shp_error(name: &str, e: shapefile::ShapefileError) -> PackageError {
    bad(format!("{name} {}", e.part), e.why, e.why_zh)
}

/// Writes layers (in longitude and latitude) into `dir` as shapefiles in
/// `crs`, named by code, county and year (`DK1404212026.shp`, with `.shx`,
/// `.dbf` in GBK, `.prj` and a `.cpg` saying so). Returns the files.
pub fn write_layers(
    dir: &Path,
    county: &str,
    year: i32,
    crs: Crs,
    layers: Vec<LayerOut>,
) -> Result<Vec<std::path::PathBuf>, PackageError> {
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    let mut written = Vec::new();
    for layer in layers {
        let stem = format!("{}{county}{year}", layer.code);
        let layer = project(layer, crs);
        let files = shapefile::write_polygons(&layer.fields, &layer.records, encoding_rs::GBK)
            .map_err(|e| shp_error(&stem, e))?;
        for (ext, bytes) in [
            ("shp", files.shp.as_slice()),
            ("shx", &files.shx),
            ("dbf", &files.dbf),
            ("prj", crs.wkt().as_bytes()),
            ("cpg", b"GBK"),
        ] {
            let path = dir.join(format!("{stem}.{ext}"));
            std::fs::write(&path, bytes).map_err(|e| io_error(&path, e))?;
            written.push(path);
        }
    }
    Ok(written)
}

/// Writes tables into `dir` as GBK `.dbf` files of their names, each with
/// its `.cpg`.
pub fn write_tables(
    dir: &Path,
    tables: Vec<TableOut>,
) -> Result<Vec<std::path::PathBuf>, PackageError> {
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    let mut written = Vec::new();
    for table in tables {
        let dbf = shapefile::write_table(&table.fields, &table.rows, encoding_rs::GBK)
            .map_err(|e| shp_error(table.name, e))?;
        for (ext, bytes) in [("dbf", dbf.as_slice()), ("cpg", b"GBK")] {
            let path = dir.join(format!("{}.{ext}", table.name));
            std::fs::write(&path, bytes).map_err(|e| io_error(&path, e))?;
            written.push(path);
        }
    }
    Ok(written)
}
