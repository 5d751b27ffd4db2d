//! A package's ownership tables into entries (NY/T 2539): its collectives
//! (FBF with the ZJQY and CJQY boundaries), households with their members
//! (CBF, CBF_JTCY), contracts (CBHT, CBDKXX) and certificates (CBJYQZ),
//! each row checked as the log will check it so that a refusal names the
//! row; the 四至 each parcel names, against the geometry; and a package's
//! steps planned for the clerk's upload. Households and contracts are
//! planned a chunk at a time ([`HouseholdPlan`], [`ContractPlan`]): a
//! county's tables hold hundreds of thousands of rows, and what is planned
//! waits in memory until it is signed.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{json, Value};

use super::{
    fresh_salt, hex, rejected_by, row_refusal, PackageStep, Report, RowRefusal, SurveyPlan, ToSign,
    Warning,
};
use crate::model::person::PersonRecord;
use crate::registry::package::{self, Row, Source, Table};
use crate::registry::{Registry, ServiceError};
use crate::store::queries;

impl Registry {
    /// The collectives of a package: each FBF row (or, with no FBF table,
    /// each group or village of the boundary layers) as a feature with its
    /// boundary from `ZJQY` (ZJQYDM, the 14-digit 发包方编码) or `CJQY`
    /// (CJQYDM, a village's 12 digits, the village itself the 发包方 "00").
    /// A collective neither registered nor bounded is refused by its row.
    pub fn package_collectives(
        &self,
        package: &package::Package,
        tables: &BTreeMap<&'static str, Table>,
        known: &HashSet<String>,
        report: &mut Report,
    ) -> Result<Vec<(Source, Value)>, package::PackageError> {
        let mut boundaries: BTreeMap<String, (Source, String, Value)> = BTreeMap::new();
        for (layer, field, name, suffix) in [
            ("CJQY", "CJQYDM", "CJQYMC", "00"),
            ("ZJQY", "ZJQYDM", "ZJQYMC", ""),
        ] {
            let Some(layer) = package.layer(layer)? else {
                continue;
            };
            for f in layer.features() {
                let (source, mut f) = f?;
                let props = &mut f["properties"];
                let Some(code) = props[field].as_str().map(|c| format!("{c}{suffix}")) else {
                    continue;
                };
                let name = props[name].as_str().unwrap_or_default().to_owned();
                boundaries.insert(code, (source, name, f["geometry"].take()));
            }
        }
        let mut out = Vec::new();
        let feature = |code: &str, name: &str, geometry: Value| json!({"type": "Feature", "properties": {"FBFBM": code, "FBFMC": name}, "geometry": geometry});
        match tables.get("FBF") {
            Some(fbf) => {
                for row in fbf.rows() {
                    let source = row.source();
                    let Some(code) = row.get("FBFBM") else {
                        report.refuse_row(&source, "", &missing("FBFBM", "发包方编码"));
                        continue;
                    };
                    let name = row.get("FBFMC").unwrap_or_default();
                    match boundaries.remove(code) {
                        Some((_, layer_name, geometry)) => {
                            let name = if name.is_empty() { &layer_name } else { name };
                            out.push((source, feature(code, name, geometry)));
                        }
                        None if known.contains(code) => {
                            report.next_index();
                            report.skipped.push(code.to_owned());
                        }
                        None => {
                            report.refuse_row(
                                &source,
                                code,
                                &row_refusal(
                                    "no_boundary",
                                    "FBFBM",
                                    "no boundary for this collective in the ZJQY (group) or CJQY (village) layer",
                                    "组级区域（ZJQY）或村级区域（CJQY）图层中没有该发包方的界线",
                                ),
                            );
                        }
                    }
                }
            }
            None => {
                for (code, (source, name, geometry)) in boundaries {
                    out.push((source, feature(&code, &name, geometry)));
                }
            }
        }
        Ok(out)
    }

    /// The households of a package's CBF table with their members from
    /// CBF_JTCY, to plan a chunk at a time ([`HouseholdPlan::next`]). A
    /// member's row that names no household is refused here.
    pub fn package_households<'t>(
        &self,
        tables: &'t BTreeMap<&'static str, Table>,
        report: &mut Report,
    ) -> HouseholdPlan<'t> {
        let mut members: HashMap<&str, Vec<Row>> = HashMap::new();
        if let Some(jtcy) = tables.get("CBF_JTCY") {
            for row in jtcy.rows() {
                match row.get("CBFBM") {
                    Some(h) => members.entry(h).or_default().push(row),
                    None => {
                        report.refuse_row(&row.source(), "", &missing("CBFBM", "承包方编码"));
                    }
                }
            }
        }
        HouseholdPlan {
            cbf: tables.get("CBF"),
            next: 0,
            members,
            listed: HashSet::new(),
            today: self.today(),
        }
    }

    /// The members of every household registered, by household: what a
    /// contract's certificate names.
    pub fn household_members(&self) -> Result<HashMap<String, Vec<String>>, ServiceError> {
        let mut conn = self.db.conn()?;
        let all = queries::load_households(&mut conn, &self.db.county, queries::HouseholdsOf::All)?;
        Ok(all
            .into_iter()
            .filter(|(_, h)| h.merged.is_none())
            .map(|(code, h)| (code, h.members.into_iter().map(|m| m.person).collect()))
            .collect())
    }

    /// The contracts of a package's CBHT table over the parcels its CBDKXX
    /// rows list, to plan a chunk at a time ([`ContractPlan::next`]). A
    /// CBDKXX row that puts a parcel under another household's contract is
    /// refused here.
    pub fn package_contracts<'t>(
        &self,
        tables: &'t BTreeMap<&'static str, Table>,
        report: &mut Report,
    ) -> Result<ContractPlan<'t>, ServiceError> {
        let cbht = tables.get("CBHT");
        let households: HashMap<&str, &str> = cbht
            .into_iter()
            .flat_map(|t| t.rows())
            .filter_map(|r| Some((r.get("CBHTBM")?, r.get("CBFBM")?)))
            .collect();
        let mut parcels: HashMap<&str, Vec<&str>> = HashMap::new();
        for row in tables.get("CBDKXX").into_iter().flat_map(|t| t.rows()) {
            let (Some(contract), Some(parcel)) = (row.get("CBHTBM"), row.get("DKBM")) else {
                continue;
            };
            match (row.get("CBFBM"), households.get(contract)) {
                (Some(h), Some(of)) if h != *of => {
                    report.refuse_row(
                        &row.source(),
                        parcel,
                        &row_refusal(
                            "parcel_not_households",
                            "CBFBM",
                            format!("the parcel is listed under contract {contract} of household {of}, but as household {h}'s"),
                            format!("该地块列在承包方 {of} 的合同 {contract} 下，却标为承包方 {h} 的地块"),
                        ),
                    );
                }
                _ => parcels.entry(contract).or_default().push(parcel),
            }
        }
        let existing = match cbht {
            Some(_) => {
                let mut conn = self.db.conn()?;
                queries::load_contracts(&mut conn, &self.db.county, queries::ContractsOf::All)?
            }
            None => HashMap::new(),
        };
        Ok(ContractPlan {
            cbht,
            next: 0,
            existing,
            parcels,
        })
    }

    /// The certificates of a package's CBJYQZ table (by CBJYQZBM, the
    /// contract's code, or through CBDKXX): a certificate is issued only
    /// after a notice of at least seven days has closed (C3), which no
    /// import can date back. So a contract with no notice yet is listed on
    /// one posted today for its collective; one whose notice has closed has
    /// its certificate issued; one under an open notice waits — the import
    /// run again after the notice closes finishes it.
    pub fn package_certificates(
        &self,
        tables: &BTreeMap<&'static str, Table>,
        report: &mut Report,
    ) -> Result<Vec<ToSign>, ServiceError> {
        let Some(cbjyqz) = tables.get("CBJYQZ") else {
            return Ok(Vec::new());
        };
        let mut by_certificate: HashMap<&str, &str> = HashMap::new();
        if let Some(cbdkxx) = tables.get("CBDKXX") {
            for row in cbdkxx.rows() {
                if let (Some(c), Some(k)) = (row.get("CBJYQZBM"), row.get("CBHTBM")) {
                    by_certificate.insert(c, k);
                }
            }
        }
        let contracts: HashSet<&str> = tables
            .get("CBHT")
            .into_iter()
            .flat_map(|t| t.rows())
            .filter_map(|r| r.get("CBHTBM"))
            .collect();
        let mut conn = self.db.conn()?;
        let county = &self.db.county;
        let notices = queries::load_notices(&mut conn, county, None)?;
        // The contracts in force: on the log before, or granted by this run.
        let mut in_force: HashSet<String> =
            queries::load_contracts(&mut conn, county, queries::ContractsOf::All)?
                .into_values()
                .filter(|k| k.returned.is_none())
                .map(|k| k.code)
                .collect();
        in_force.extend(report.contracts.iter().cloned());
        let mut wanted = Vec::new();
        for row in cbjyqz.rows() {
            let index = report.next_index();
            let source = row.source();
            let certificate = row.get("CBJYQZBM").unwrap_or_default();
            let contract = if contracts.contains(certificate) {
                Some(certificate)
            } else {
                by_certificate.get(certificate).copied()
            };
            let it = ToSign {
                index,
                source,
                code: contract.unwrap_or(certificate).to_owned(),
                kind: "certificate.issue",
                body: Value::Null,
                party: contract
                    .filter(|k| k.len() >= 14)
                    .map(|k| crate::model::codes::collective_of(k).to_owned()),
                declared: None,
                holder: None,
                personal: Vec::new(),
                personal_rows: Vec::new(),
                inferred: false,
            };
            if contract.is_some_and(|k| !in_force.contains(k)) {
                report.refuse(
                    &it,
                    &row_refusal(
                        "contract_not_registered",
                        "CBJYQZBM",
                        "its contract is not registered (see the contract's row)",
                        "该权证对应的承包合同未登记（见该合同所在行）",
                    ),
                );
                continue;
            }
            if contract.is_none() {
                report.refuse(
                    &it,
                    &row_refusal(
                        "certificate_without_contract",
                        "CBJYQZBM",
                        "no contract of CBHT or CBDKXX has this certificate's code",
                        "承包合同表（CBHT）和承包地块信息表（CBDKXX）中没有与该权证编码对应的合同",
                    ),
                );
                continue;
            }
            wanted.push(it);
        }
        let codes: Vec<&str> = wanted.iter().map(|it| it.code.as_str()).collect();
        let issued = queries::certificates_of(&mut conn, county, &codes)?;
        let today = self.today();
        let mut entries = Vec::new();
        let mut to_notice: BTreeMap<String, Vec<ToSign>> = BTreeMap::new();
        for mut it in wanted {
            if issued.contains_key(&it.code) {
                report.skipped.push(it.code);
                continue;
            }
            let last = notices
                .values()
                .filter(|n| n.contracts.contains(&it.code))
                .max_by_key(|n| n.index);
            match last {
                Some(n) if n.to < today => {
                    it.body = json!({"CBHTBM": it.code, "notice": n.index});
                    entries.push(it);
                }
                Some(n) => {
                    let to = n.to;
                    report.warn(
                        &it,
                        "notice_open",
                        format!("the certificate waits for the notice to close on {to}: run the import again after it"),
                        format!("公示期至 {to} 结束，届时再次运行导入即颁发权证"),
                    );
                }
                None => to_notice
                    .entry(it.party.clone().unwrap_or_default())
                    .or_default()
                    .push(it),
            }
        }
        for (collective, listed) in to_notice {
            use sha2::Digest;
            let codes: Vec<&str> = listed.iter().map(|it| it.code.as_str()).collect();
            // The posted list: the contracts' codes, a line each.
            let posting = sha2::Sha256::digest(codes.join("\n"));
            let first = &listed[0];
            entries.push(ToSign {
                index: first.index,
                source: first.source.clone(),
                code: collective.clone(),
                kind: "notice.post",
                body: json!({"CBHTBM": codes, "from": today.to_string(),
                             "to": (today + chrono::Days::new(6)).to_string(),
                             "posting_sha256": hex(&posting)}),
                party: Some(collective),
                declared: None,
                holder: None,
                personal: Vec::new(),
                personal_rows: Vec::new(),
                inferred: false,
            });
        }
        Ok(entries)
    }

    /// What is left to do of a package's `step` (the clerk's upload of a
    /// village's `.zip`): the entries to sign, the rows refused by the
    /// package's own checks, the warnings. Nothing is written.
    pub fn package_plan(&self, zip: &[u8], step: PackageStep) -> Result<SurveyPlan, ServiceError> {
        let package = package::Package::of_zip(zip, package::UPLOAD)?;
        let tables = package.tables()?;
        let mut report = Report::default();
        let entries = match step {
            PackageStep::Land => {
                let known = self.registered_codes()?;
                let mut features =
                    self.package_collectives(&package, &tables, &known, &mut report)?;
                if let Some(layer) = package.layer("DK")? {
                    let parcels = layer.features().collect::<Result<Vec<_>, _>>()?;
                    let surveyed: Vec<SurveyedParcel> = parcels
                        .iter()
                        .filter_map(|(s, f)| SurveyedParcel::of(s, f))
                        .collect();
                    four_sides(&surveyed, &tables, &mut report);
                    features.extend(parcels);
                }
                self.survey_entries(features, &known, &mut report)
            }
            PackageStep::Households => {
                let registered = self.household_members()?;
                self.package_households(&tables, &mut report)
                    .all(&registered, &mut report)
            }
            PackageStep::Contracts => {
                let members = self.household_members()?;
                self.package_contracts(&tables, &mut report)?
                    .all(&members, &mut report)
            }
            PackageStep::Certificates => self.package_certificates(&tables, &mut report)?,
        };
        report.finish();
        Ok(SurveyPlan {
            entries,
            skipped: report.skipped,
            rejected: report.rejected,
            warnings: report.warnings,
        })
    }
}

/// A parcel of a survey layer as its 四至 check needs it: where it was
/// read, its code, its box, and the four sides the layer names (DKDZ,
/// DKNZ, DKXZ, DKBZ: east, south, west, north).
#[derive(Debug, Clone)]
pub struct SurveyedParcel {
    pub source: Source,
    pub code: String,
    pub bbox: [f64; 4],
    pub sides: [Option<String>; 4],
}

impl SurveyedParcel {
    /// The parcel a feature registers (`None` for a collective, or a
    /// feature without a geometry).
    pub fn of(source: &Source, feature: &Value) -> Option<SurveyedParcel> {
        let p = &feature["properties"];
        let code = p["DKBM"].as_str()?.to_owned();
        let polygons = package::polygons_of(&feature["geometry"]);
        let b = crate::spatial::shapefile::bbox(polygons.iter().flatten().flatten())?;
        let side = |k: &str| {
            p[k].as_str()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Some(SurveyedParcel {
            source: source.clone(),
            code,
            bbox: b,
            sides: [side("DKDZ"), side("DKNZ"), side("DKXZ"), side("DKBZ")],
        })
    }
}

/// 四至 that contradict the geometry: a side that names a household head
/// of the package (CBF's CBFMC) where the parcel lying that way is held by
/// someone else, or where none lies that way (a parcel whose holder the
/// package does not say is not judged). A side naming a road, a ditch
/// or another parcel is not judged. `parcels` are those registered (a
/// refused one is no one's neighbour).
pub fn four_sides(
    parcels: &[SurveyedParcel],
    tables: &BTreeMap<&'static str, Table>,
    report: &mut Report,
) {
    let (Some(cbf), Some(cbdkxx)) = (tables.get("CBF"), tables.get("CBDKXX")) else {
        return;
    };
    let head: HashMap<&str, &str> = cbf
        .rows()
        .filter_map(|r| Some((r.get("CBFBM")?, r.get("CBFMC")?)))
        .collect();
    let heads: HashSet<&str> = head.values().copied().collect();
    // Who holds each parcel: by CBDKXX, where its household is its
    // contract's (a row refused for naming another is left out).
    let contract_of: HashMap<&str, &str> = tables
        .get("CBHT")
        .into_iter()
        .flat_map(|t| t.rows())
        .filter_map(|r| Some((r.get("CBHTBM")?, r.get("CBFBM")?)))
        .collect();
    let holder: HashMap<&str, &str> = cbdkxx
        .rows()
        .filter(|r| {
            match (
                r.get("CBHTBM").and_then(|k| contract_of.get(k)),
                r.get("CBFBM"),
            ) {
                (Some(of), Some(h)) => *of == h,
                _ => true,
            }
        })
        .filter_map(|r| Some((r.get("DKBM")?, *head.get(r.get("CBFBM")?)?)))
        .collect();
    let boxes: Vec<(String, [f64; 4])> = parcels.iter().map(|p| (p.code.clone(), p.bbox)).collect();
    let all = crate::spatial::all_neighbours(&boxes);
    const SIDES: [(&str, &str, &str); 4] = [
        ("DKDZ", "east", "东"),
        ("DKNZ", "south", "南"),
        ("DKXZ", "west", "西"),
        ("DKBZ", "north", "北"),
    ];
    for (p, n) in parcels.iter().zip(all) {
        for ((named, lies), (field, way, way_zh)) in p.sides.iter().zip(n.sides()).zip(SIDES) {
            let Some(named) = named.as_deref().filter(|s| heads.contains(s)) else {
                continue;
            };
            let held = lies.and_then(|c| holder.get(c).copied());
            let (reason, reason_zh) = match (lies, held) {
                (Some(c), Some(h)) if h != named => (
                    format!(
                        "{field} names {named}, but the parcel to the {way}, {c}, is held by {h}"
                    ),
                    format!(
                        "{way_zh}至（{field}）写的是{named}，但{way_zh}邻地块 {c} 的承包方是{h}"
                    ),
                ),
                // Held by the one named, or by no one the package says.
                (Some(_), _) => continue,
                (None, _) => (
                    format!("{field} names {named}, but no parcel lies to the {way}"),
                    format!("{way_zh}至（{field}）写的是{named}，但{way_zh}侧没有地块"),
                ),
            };
            report.warnings.push(Warning {
                index: usize::MAX,
                file: p.source.file.clone(),
                row: p.source.row,
                code: p.code.clone(),
                warning: "four_sides_differ",
                reason,
                reason_zh,
            });
        }
    }
}

/// The households of a package's CBF table, planned a chunk at a time:
/// each with its members from CBF_JTCY (names and ID numbers into the
/// personal records, never the log; 与户主关系 as the relation), checked
/// as the writer will check it, so that a refusal names the member's row.
pub struct HouseholdPlan<'t> {
    cbf: Option<&'t Table>,
    /// The next row of CBF to plan.
    next: usize,
    /// CBF_JTCY's rows by household.
    members: HashMap<&'t str, Vec<Row<'t>>>,
    /// The households CBF lists, so far.
    listed: HashSet<&'t str>,
    today: chrono::NaiveDate,
}

impl<'t> HouseholdPlan<'t> {
    /// The entries of the next `n` rows of CBF (fewer where rows are
    /// skipped as `registered` or refused); `None` once every row is
    /// planned — when the members of households CBF does not list are
    /// refused.
    pub fn next(
        &mut self,
        n: usize,
        registered: &HashMap<String, Vec<String>>,
        report: &mut Report,
    ) -> Option<Vec<ToSign>> {
        let cbf = self.cbf?;
        if self.next == cbf.len() {
            self.cbf = None;
            self.refuse_unlisted(report);
            return None;
        }
        let end = cbf.len().min(self.next.saturating_add(n));
        let rows = self.next..end;
        self.next = end;
        Some(
            rows.filter_map(|i| self.household(cbf.row(i), registered, report))
                .collect(),
        )
    }

    /// Every chunk at once (a village's upload).
    pub fn all(
        mut self,
        registered: &HashMap<String, Vec<String>>,
        report: &mut Report,
    ) -> Vec<ToSign> {
        std::iter::from_fn(|| self.next(usize::MAX, registered, report))
            .flatten()
            .collect()
    }

    fn household(
        &mut self,
        row: Row<'t>,
        registered: &HashMap<String, Vec<String>>,
        report: &mut Report,
    ) -> Option<ToSign> {
        let index = report.next_index();
        let source = row.source();
        let Some(code) = row.get("CBFBM") else {
            report.rejected.push(rejected_by(
                index,
                &source,
                "",
                &missing("CBFBM", "承包方编码"),
            ));
            return None;
        };
        self.listed.insert(code);
        if registered.contains_key(code) {
            report.skipped.push(code.to_owned());
            return None;
        }
        let mut it = ToSign {
            index,
            source,
            code: code.to_owned(),
            kind: "household.register",
            body: Value::Null,
            party: (code.len() >= 14).then(|| crate::model::codes::collective_of(code).to_owned()),
            declared: None,
            holder: None,
            personal: Vec::new(),
            personal_rows: Vec::new(),
            inferred: false,
        };
        // 承包方类型: 1 农户; a person (2) or a unit (3) contracts by
        // other means, not as a household.
        if let Some(kind) = row.get("CBFLX").filter(|k| *k != "1") {
            report.warn(
                &it,
                "not_a_household",
                format!("CBFLX {kind}: not a farming household (1); not registered as one"),
                format!("承包方类型为 {kind}，不是农户（1），未作为承包户登记"),
            );
            return None;
        }
        let Some(rows) = self.members.get(code) else {
            report.refuse(
                &it,
                &row_refusal(
                    "no_members",
                    "CBFBM",
                    "CBF_JTCY lists no member of this household",
                    "家庭成员表（CBF_JTCY）中没有该户的成员",
                ),
            );
            return None;
        };
        let mut listed_members = Vec::new();
        for (at, m) in rows.iter().enumerate() {
            match member(m, at, self.today) {
                Ok(record) => {
                    let relation = m.get("YHZGX").unwrap_or_default();
                    let relation = if relation.len() == 1 {
                        format!("0{relation}")
                    } else {
                        relation.to_owned()
                    };
                    listed_members
                        .push(json!({"person": record.commitment(), "relation": relation}));
                    it.personal.push(record);
                    it.personal_rows.push(m.source());
                }
                Err(refusal) => {
                    report
                        .rejected
                        .push(rejected_by(it.index, &m.source(), code, &refusal));
                    return None;
                }
            }
        }
        it.body = json!({"CBFBM": code, "members": listed_members});
        Some(it)
    }

    /// The members of households CBF does not list.
    fn refuse_unlisted(&self, report: &mut Report) {
        let mut unlisted: Vec<(&&str, &Vec<Row>)> = self
            .members
            .iter()
            .filter(|(code, _)| !self.listed.contains(*code))
            .collect();
        unlisted.sort_by_key(|(_, rows)| rows.first().map(|r| r.number()));
        for (code, rows) in unlisted {
            for m in rows {
                report.refuse_row(
                    &m.source(),
                    code,
                    &row_refusal(
                        "household_not_in_table",
                        "CBFBM",
                        "a member of a household the CBF table does not list",
                        "所属承包方不在承包方表（CBF）中",
                    ),
                );
            }
        }
    }
}

/// A member's row of CBF_JTCY as a personal record, checked as the writer
/// checks it (P2): a resident identity card (CYZJLX 1), a name, an ID
/// number with its check character.
fn member(m: &Row<'_>, at: usize, today: chrono::NaiveDate) -> Result<PersonRecord, RowRefusal> {
    if let Some(kind) = m.get("CYZJLX").filter(|k| *k != "1") {
        return Err(row_refusal(
            "bad_member",
            "CYZJLX",
            format!("证件类型 {kind}: only a resident identity card (1) is registered"),
            format!("证件类型为 {kind}：仅登记居民身份证（1）"),
        ));
    }
    let record = PersonRecord {
        salt: fresh_salt(),
        name: m.get("CYXM").unwrap_or_default().to_owned(),
        id_number: m.get("CYZJHM").unwrap_or_default().to_ascii_uppercase(),
        phone: None,
    };
    record.check(at, today).map_err(|e| {
        let (field, name, (why, why_zh)) = match e {
            crate::model::person::PersonalError::BadRecord {
                field: "name",
                reason,
                ..
            } => ("CYXM", "成员姓名", reason),
            crate::model::person::PersonalError::BadRecord { reason, .. } => {
                ("CYZJHM", "成员身份证号码", reason)
            }
            _ => ("CYZJHM", "成员身份证号码", ("invalid", "无效")),
        };
        row_refusal(
            "bad_member",
            field,
            format!("{field}: {why}"),
            format!("{name}（{field}）：{why_zh}"),
        )
    })?;
    Ok(record)
}

/// The contracts of a package's CBHT table, planned a chunk at a time: each
/// over the parcels its CBDKXX rows list, for the term CBQXQ–CBQXZ, every
/// member of the household on the certificate (C3). A contract on the log
/// already is skipped, or has the parcels it lacks added.
pub struct ContractPlan<'t> {
    cbht: Option<&'t Table>,
    /// The next row of CBHT to plan.
    next: usize,
    /// The contracts on the log, by code.
    existing: HashMap<String, crate::model::state::Contract>,
    /// CBDKXX's parcels by contract.
    parcels: HashMap<&'t str, Vec<&'t str>>,
}

impl<'t> ContractPlan<'t> {
    /// The entries of the next `n` rows of CBHT; `None` once every row is
    /// planned. `members` are the households' members, registered or being
    /// registered by this run.
    pub fn next(
        &mut self,
        n: usize,
        members: &HashMap<String, Vec<String>>,
        report: &mut Report,
    ) -> Option<Vec<ToSign>> {
        let cbht = self.cbht?;
        if self.next == cbht.len() {
            self.cbht = None;
            return None;
        }
        let end = cbht.len().min(self.next.saturating_add(n));
        let rows = self.next..end;
        self.next = end;
        Some(
            rows.filter_map(|i| self.contract(cbht.row(i), members, report))
                .collect(),
        )
    }

    /// Every chunk at once (a village's upload).
    pub fn all(
        mut self,
        members: &HashMap<String, Vec<String>>,
        report: &mut Report,
    ) -> Vec<ToSign> {
        std::iter::from_fn(|| self.next(usize::MAX, members, report))
            .flatten()
            .collect()
    }

    fn contract(
        &mut self,
        row: Row<'t>,
        members: &HashMap<String, Vec<String>>,
        report: &mut Report,
    ) -> Option<ToSign> {
        let index = report.next_index();
        let source = row.source();
        let code = row.get("CBHTBM").unwrap_or_default();
        let mut it = ToSign {
            index,
            source,
            code: code.to_owned(),
            kind: "contract.grant",
            body: Value::Null,
            party: None,
            declared: None,
            holder: None,
            personal: Vec::new(),
            personal_rows: Vec::new(),
            inferred: false,
        };
        let Some(household) = row.get("CBFBM") else {
            report.refuse(&it, &missing("CBFBM", "承包方编码"));
            return None;
        };
        it.party = (household.len() >= 14)
            .then(|| crate::model::codes::collective_of(household).to_owned());
        // 承包方式: 110 家庭承包; 120 and after are other means.
        if let Some(means) = row.get("CBFS").filter(|m| !m.starts_with("11")) {
            report.warn(
                &it,
                "not_family_contracting",
                format!("CBFS {means}: not family contracting (110); not registered"),
                format!("承包方式为 {means}，不是家庭承包（110），未登记"),
            );
            return None;
        }
        let listed = self.parcels.remove(code).unwrap_or_default();
        if listed.is_empty() {
            report.refuse(
                &it,
                &row_refusal(
                    "no_parcels",
                    "CBHTBM",
                    "CBDKXX lists no parcel under this contract",
                    "承包地块信息表（CBDKXX）中没有该合同的地块",
                ),
            );
            return None;
        }
        if let Some(k) = self.existing.get(code) {
            let lacking: Vec<&str> = listed
                .into_iter()
                .filter(|p| !k.parcels.iter().any(|q| q == p))
                .collect();
            if lacking.is_empty() {
                report.skipped.push(code.to_owned());
                return None;
            }
            it.kind = "contract.extend";
            it.body = json!({"CBHTBM": code, "DKBM": lacking});
            return Some(it);
        }
        let Some(persons) = members.get(household) else {
            report.refuse(
                &it,
                &row_refusal(
                    "household_not_registered",
                    "CBFBM",
                    format!("household {household} is neither registered nor registered by this package"),
                    format!("承包方 {household} 未登记，本成果包也未登记该户"),
                ),
            );
            return None;
        };
        let (start, end) = match (term_day(row.get("CBQXQ")), term_day(row.get("CBQXZ"))) {
            (Ok(s), Ok(e)) => (s, e),
            (Err(()), _) => {
                report.refuse(&it, &bad_day("CBQXQ", "承包期限起"));
                return None;
            }
            (_, Err(())) => {
                report.refuse(&it, &bad_day("CBQXZ", "承包期限止"));
                return None;
            }
        };
        it.body = json!({"CBHTBM": code, "CBFBM": household, "DKBM": listed,
                         "start": start, "end": end, "certificate_members": persons});
        Some(it)
    }
}

fn missing(field: &'static str, name_zh: &str) -> RowRefusal {
    row_refusal(
        "missing_field",
        field,
        format!("{field} is empty"),
        format!("{name_zh}（{field}）为空"),
    )
}

fn bad_day(field: &'static str, name_zh: &str) -> RowRefusal {
    row_refusal(
        "bad_date",
        field,
        format!("{field} is not a date (YYYY-MM-DD, YYYY/M/D or YYYYMMDD)"),
        format!("{name_zh}（{field}）不是日期（年-月-日）"),
    )
}

/// A date as ownership tables write it — `2019-01-01`, `2019/1/1`,
/// `20190101`, with or without a time after it — as YYYY-MM-DD.
fn term_day(text: Option<&str>) -> Result<String, ()> {
    let text = text.ok_or(())?;
    let date = text.split([' ', 'T']).next().unwrap_or_default();
    let parts: Vec<&str> = if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
        vec![&date[..4], &date[4..6], &date[6..]]
    } else {
        date.split(['-', '/', '.']).collect()
    };
    let [y, m, d] = parts[..] else { return Err(()) };
    let (y, m, d) = (
        y.parse().map_err(drop)?,
        m.parse().map_err(drop)?,
        d.parse().map_err(drop)?,
    );
    chrono::NaiveDate::from_ymd_opt(y, m, d)
        .map(|d| d.to_string())
        .ok_or(())
}

#[cfg(test)]
mod tests {
    use super::term_day;

    #[test]
    fn a_tables_dates_read_in_the_forms_counties_write_them() {
        for (text, day) in [
            ("2019-01-01", "2019-01-01"),
            ("2019/1/1", "2019-01-01"),
            ("20190101", "2019-01-01"),
            ("2019-01-01 00:00:00", "2019-01-01"),
            ("2019/01/31 0:00:00", "2019-01-31"),
            ("2019-01-01T00:00:00", "2019-01-01"),
        ] {
            assert_eq!(term_day(Some(text)).as_deref(), Ok(day), "{text}");
        }
        for bad in ["2047-13-45", "2019-02-30", "", "二〇一九年", "2019-01"] {
            assert!(term_day(Some(bad)).is_err(), "{bad}");
        }
        assert!(term_day(None).is_err());
    }
}
