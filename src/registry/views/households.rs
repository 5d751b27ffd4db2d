//! Households and what they hold: members, contracts, homestead, acts over them, estates, income, distributions, certificates, decisions, the county's attestations.

use super::*;

/// A decision with the outcome its counts give (D1–D3).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DecisionView {
    /// The log index of `decision.record`.
    pub index: u64,
    #[serde(rename = "FBFBM")]
    pub collective: String,
    pub assembly: &'static str,
    pub subject: &'static str,
    pub question: String,
    pub date: NaiveDate,
    pub eligible: u32,
    pub present: u32,
    #[serde(rename = "for")]
    pub in_favour: u32,
    pub against: u32,
    pub minutes_sha256: String,
    /// Whether the counts make it pass (D1, D2).
    pub passed: bool,
}

pub fn decision(d: &crate::model::decision::Decision) -> DecisionView {
    DecisionView {
        index: d.index,
        collective: d.collective.clone(),
        assembly: d.assembly.as_str(),
        subject: d.subject.as_str(),
        question: d.question.clone(),
        date: d.date,
        eligible: d.counts.eligible,
        present: d.counts.present,
        in_favour: d.counts.in_favour,
        against: d.counts.against,
        minutes_sha256: d.minutes_sha256.clone(),
        passed: d.passed(),
    }
}

/// What a household holds, for its view.
pub struct HouseholdRights<'a> {
    pub shares: u64,
    pub members_of_collective: &'a [String],
    pub homestead: Option<&'a crate::store::queries::HomesteadSummary>,
    pub contracts: &'a [crate::model::state::Contract],
    /// (log index, notice) of each contract's certificate, if issued.
    pub certificates: &'a [Option<(u64, u64)>],
    /// Its estate, once its last member died (I2–I4).
    pub estate: Option<&'a crate::model::state::Estate>,
}

/// A household (承包方): members by commitment and relation, its contracts,
/// shares and homestead, its surrenders; members' personal data only for an
/// authorised reader.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HouseholdView {
    #[serde(rename = "CBFBM")]
    pub code: String,
    #[serde(rename = "FBFBM")]
    pub collective: String,
    /// The household it merged into (P3), if it did.
    pub merged_into: Option<String>,
    pub shares: u64,
    pub contracts: Vec<HouseholdContract>,
    pub members: Vec<MemberView>,
    /// The log index of `household.register`.
    pub registered_at: u64,
    pub homestead: Option<HomesteadView>,
    /// `shown` on a signed read by the county, its collective or itself;
    /// `withheld` otherwise.
    pub personal_data: &'static str,
    /// What the household gave up, and until when it may take it back (G4).
    pub surrenders: Vec<SurrenderView>,
    /// Once its last member died: who inherits what it still holds (I2–I4).
    pub estate: Option<EstateView>,
    /// Acts over the household without its signature (A1): pending for
    /// their notice, held by its objection, or how they ended.
    pub acts: Vec<ActView>,
}

/// An act over a household (A1–A3), as the household and everyone sees it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ActView {
    /// The log index of the act.
    pub index: u64,
    pub kind: String,
    /// The member it concerns, by commitment, where it concerns one (the
    /// end of a membership).
    pub person: Option<String>,
    /// Why, where the act states it (`member.end`: death, nationality_lost,
    /// member_elsewhere, civil_servant).
    pub reason: Option<String>,
    /// The first day it may take effect, if no one objects (A3).
    pub from: NaiveDate,
    /// `pending` (its notice runs), `held` (objected, for an award),
    /// `done`, `lapsed`, `quashed`, `cancelled` or `restored` (undone by an award, A5).
    pub status: &'static str,
    /// The log index of the objection, if any.
    pub objection: Option<u64>,
    /// The log index that carried it out or ended it.
    pub closed_at: Option<u64>,
    /// The parcels and homesteads it would change.
    pub titles: Vec<String>,
    /// The parties it acts over (none for a key on notice, A2).
    pub parties: Vec<String>,
    /// Whether the household may still object today.
    pub may_object: bool,
    /// P5: where a membership elsewhere rests on another county's log, the
    /// admission there.
    pub elsewhere: Option<AdmittedElsewhere>,
}

/// The admission in another county's log an end of membership rests on (P5).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AdmittedElsewhere {
    /// The other county's 6-digit code.
    pub county: String,
    /// Its name in words (山西省长治市壶关县), where the divisions table has it.
    pub name: Option<String>,
    /// The admission's index in that county's log.
    pub index: u64,
}

impl ActView {
    pub fn of(a: &crate::model::state::Act, today: NaiveDate) -> ActView {
        use crate::model::state::ActEnd;
        ActView {
            index: a.index,
            kind: a.kind.clone(),
            person: a.body["person"].as_str().map(str::to_owned),
            reason: a.body["reason"].as_str().map(str::to_owned),
            from: a.from,
            status: match (&a.closed, &a.objection) {
                _ if a.restored.is_some() => "restored",
                (None, None) => "pending",
                (None, Some(_)) => "held",
                (Some((_, ActEnd::Done)), _) => "done",
                (Some((_, ActEnd::Lapsed(_))), _) => "lapsed",
                (Some((_, ActEnd::Quashed)), _) => "quashed",
                (Some((_, ActEnd::Cancelled)), _) => "cancelled",
            },
            objection: a.objection.as_ref().map(|(at, _)| *at),
            closed_at: a.closed.as_ref().map(|(at, _)| *at),
            titles: a.titles.clone(),
            parties: a.parties.clone(),
            may_object: a.is_open() && a.objection.is_none() && today < a.from,
            elsewhere: a.body["elsewhere"]["county"].as_str().map(|county| {
                let record: serde_json::Value = a.body["elsewhere"]["record"]
                    .as_str()
                    .and_then(|r| serde_json::from_str(r).ok())
                    .unwrap_or_default();
                AdmittedElsewhere {
                    county: county.to_owned(),
                    name: crate::model::divisions::town(county),
                    index: record["index"].as_u64().unwrap_or_default(),
                }
            }),
        }
    }
}

/// The estate of a household whose last member died (I2–I4): its forest or
/// grass land for the rest of the term, its house with the homestead held
/// through it, and its shares and their income, held for the heirs.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EstateView {
    /// The log index of `estate.settle`.
    pub index: u64,
    /// Households of the county by code, or persons by commitment.
    pub heirs: Vec<String>,
    /// Yuan, to the heirs, for the arable land returned.
    pub compensation: String,
}

/// A contract of the household.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HouseholdContract {
    #[serde(rename = "CBHTBM")]
    pub code: String,
    #[serde(rename = "DKBM")]
    pub parcels: Vec<String>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// The household holds the land today (C2: not by the term's end alone).
    pub in_force: bool,
    /// Held past its recorded end, by law, until the extension is recorded
    /// (C2).
    pub extended_by_law: bool,
    /// The log index of its certificate, once issued.
    pub certificate_index: Option<u64>,
}

/// A member, by the commitment to their record.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MemberView {
    pub person: String,
    /// GB/T 4761 relation to the head.
    pub relation: String,
    /// Whether a member of the collective economic organisation (P4).
    pub collective_member: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    /// Shown with the name: null when the record has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<Option<String>>,
}

/// The household's homestead.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HomesteadView {
    pub area_m2: String,
    pub granted_at: u64,
    pub exited_at: Option<u64>,
}

/// A return or exit and its cooling-off window (G4).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SurrenderView {
    pub index: u64,
    /// `contract.return`, `homestead.exit`, `member.end` (a voluntary exit)
    /// or `shares.buyback`.
    pub kind: String,
    #[serde(rename = "CBHTBM")]
    pub contract: Option<String>,
    /// The member who left, for a voluntary exit.
    pub person: Option<String>,
    /// The shares sold back, for a buy-back.
    pub shares: Option<u64>,
    pub day: NaiveDate,
    pub withdraw_until: NaiveDate,
    pub withdrawn_at: Option<u64>,
    pub may_withdraw: bool,
}

/// A household as its view shows it on `today`.
pub fn household(
    h: &crate::model::state::Household,
    rights: HouseholdRights,
    personal: Option<&HashMap<String, PersonRecord>>,
    surrenders: &[crate::model::state::Surrender],
    acts: &[crate::model::state::Act],
    today: NaiveDate,
) -> HouseholdView {
    let HouseholdRights {
        shares,
        members_of_collective,
        homestead,
        contracts,
        certificates,
        estate,
    } = rights;
    HouseholdView {
        code: h.code.clone(),
        collective: h.collective.clone(),
        merged_into: h.merged.as_ref().map(|(_, into)| into.clone()),
        shares,
        contracts: contracts
            .iter()
            .zip(certificates)
            .map(|(k, c)| HouseholdContract {
                code: k.code.clone(),
                parcels: k.parcels.clone(),
                start: k.start,
                end: k.end,
                in_force: k.holds(today),
                extended_by_law: k.extended_by_law(today),
                certificate_index: c.map(|(index, _)| index),
            })
            .collect(),
        members: h
            .members
            .iter()
            .map(|m| {
                let record = personal.and_then(|p| p.get(&m.person));
                MemberView {
                    person: m.person.clone(),
                    relation: m.relation.clone(),
                    collective_member: members_of_collective.contains(&m.person),
                    name: record.map(|r| r.name.clone()),
                    id_number: record.map(|r| r.id_number.clone()),
                    phone: record.map(|r| r.phone.clone()),
                }
            })
            .collect(),
        registered_at: h.registered_at,
        homestead: homestead.map(|h| HomesteadView {
            area_m2: h.area.m2().to_string(),
            granted_at: h.granted_at,
            exited_at: h.exited_at,
        }),
        personal_data: if personal.is_some() {
            "shown"
        } else {
            "withheld"
        },
        surrenders: surrenders
            .iter()
            .map(|s| SurrenderView {
                index: s.index,
                kind: s.kind.clone(),
                contract: s.contract.clone(),
                person: s.person.clone(),
                shares: s.shares,
                day: s.day,
                withdraw_until: s.until,
                withdrawn_at: s.withdrawn,
                may_withdraw: s.withdrawn.is_none() && today <= s.until,
            })
            .collect(),
        estate: estate.map(|e| EstateView {
            index: e.index,
            heirs: e.heirs.clone(),
            compensation: e.compensation.to_string(),
        }),
        acts: acts.iter().map(|a| ActView::of(a, today)).collect(),
    }
}

/// A household's income (M4, S3): the prices of its settled transfers and
/// its dividends, in yuan.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IncomeView {
    #[serde(rename = "CBFBM")]
    pub household: String,
    pub transfers: Vec<IncomeTransfer>,
    pub dividends: Vec<IncomeDividend>,
    pub total: String,
}

/// A settled transfer: a derived right (lease, equity…) or a sale of a base
/// right (assignment, shares…).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IncomeTransfer {
    /// The derived right's log index, for a lease, equity or house lease.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub right: Option<u64>,
    pub listing: u64,
    pub mode: crate::model::exchange::Mode,
    pub holder: String,
    pub start: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
    pub price: String,
    /// The exchange still holds the price in escrow (M4): not yet paid out.
    pub held: bool,
}

/// A dividend paid to the household.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IncomeDividend {
    /// The log index of `dividend.distribute`.
    pub distribution: u64,
    pub amount: String,
}

/// The log indices of a household's attestations (G3).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AttestationsOf {
    #[serde(rename = "CBFBM")]
    pub household: String,
    pub attestations: Vec<u64>,
}

/// A distribution (S3): amounts in yuan with two places; the parts add up to
/// total − reserve − welfare.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DistributionView {
    /// The log index of `dividend.distribute`.
    pub index: u64,
    #[serde(rename = "FBFBM")]
    pub collective: String,
    pub total: String,
    pub reserve: String,
    pub welfare: String,
    pub distributed: String,
    pub parts: Vec<DistributionPart>,
}

/// What one holder receives, in yuan.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DistributionPart {
    pub holder: String,
    pub amount: String,
}

pub fn distribution(d: &crate::model::state::Distribution) -> DistributionView {
    DistributionView {
        index: d.index,
        collective: d.collective.clone(),
        total: d.total.to_string(),
        reserve: d.reserve.to_string(),
        welfare: d.welfare.to_string(),
        distributed: (d.total - d.reserve - d.welfare).to_string(),
        parts: d
            .parts
            .iter()
            .map(|(holder, fen)| DistributionPart {
                holder: holder.clone(),
                amount: fen.to_string(),
            })
            .collect(),
    }
}

/// A land contract certificate (承包经营权证) as data (C3).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CertificateView {
    pub certificate: String,
    #[serde(rename = "CBHTBM")]
    pub contract: String,
    #[serde(rename = "FBFBM")]
    pub collective: String,
    #[serde(rename = "CBFBM")]
    pub household: String,
    pub term: Term,
    pub parcels: Vec<CertificateParcel>,
    pub total_area_m2: String,
    pub total_area_mu: String,
    /// The members who share the right, by commitment (C3).
    pub members: Vec<String>,
    /// The log index of `certificate.issue`.
    pub issued_at: u64,
    /// The log index of the notice it followed.
    pub notice: u64,
}

/// A contract's term, first and last day.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Term {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// A parcel on a certificate, with its NY/T 2539 attributes.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CertificateParcel {
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
    pub area_m2: String,
    pub area_mu: String,
}

impl CertificateParcel {
    pub fn of(p: &Parcel<String>) -> CertificateParcel {
        CertificateParcel {
            code: p.code.to_string(),
            name: p.name.to_string(),
            class: p.class.to_string(),
            land_use: p.land_use.to_string(),
            grade: p.grade.to_string(),
            area_m2: p.area.m2().to_string(),
            area_mu: p.area.mu().to_string(),
        }
    }
}

pub fn certificate(
    k: &Contract,
    parcels: &[Parcel<String>],
    index: u64,
    notice: u64,
) -> CertificateView {
    let total = crate::model::Area(parcels.iter().map(|p| p.area.0).sum());
    CertificateView {
        certificate: k.code.clone(),
        contract: k.code.clone(),
        collective: crate::model::codes::collective_of(&k.household).to_owned(),
        household: k.household.clone(),
        term: Term {
            start: k.start,
            end: k.end,
        },
        parcels: parcels.iter().map(CertificateParcel::of).collect(),
        total_area_m2: total.m2().to_string(),
        total_area_mu: total.mu().to_string(),
        members: k.certificate_members.clone(),
        issued_at: index,
        notice,
    }
}

/// The attestation in words (G3): what the household holds, on what day —
/// in English, or in Chinese (`zh`) as the county states it.
pub fn retention_statement(a: &crate::model::state::Attestation, zh: bool) -> String {
    use crate::model::{words, Area};
    let t = |en: String, cn: String| if zh { cn } else { en };
    let r = &a.rights;
    let m2 = |centi: i64| format!("{}.{:02}", centi / 100, centi % 100);
    let area_zh = |centi: i64| {
        format!(
            "{} 亩（{} 平方米）",
            words::mu(Area(centi)),
            words::grouped(&m2(centi))
        )
    };
    let mut lines = vec![t(
        format!(
            "On {} the county registry attests that household {} holds:",
            a.day, a.household
        ),
        format!(
            "经核查本县农村产权登记簿，承包方（承包方编码 {}）于 {} 依法享有下列权利：",
            a.household,
            words::day(&a.day)
        ),
    )];
    for c in &r.contracts {
        let (parcels, area) = (c.parcels.len(), m2(c.area_centi_m2));
        lines.push(t(
            format!(
                "- the land contract right (土地承包经营权) under contract {} to {}, over {parcels} parcel(s) of {area} m²: {}",
                c.code,
                c.end,
                c.parcels.join(", ")
            ),
            format!(
                "一、土地承包经营权：承包合同 {}，承包期至 {}，地块 {parcels} 块，共 {}，地块编码 {}；",
                c.code,
                words::day(&c.end),
                area_zh(c.area_centi_m2),
                c.parcels.join("、")
            ),
        ));
    }
    if r.contracts.is_empty() {
        lines.push(t(
            "- no land contract right (土地承包经营权)".into(),
            "一、土地承包经营权：无；".into(),
        ));
    }
    lines.push(match r.homestead {
        Some(area) => t(
            format!(
                "- the homestead use right (宅基地使用权) over {} m²",
                m2(area)
            ),
            format!("二、宅基地使用权：宅基地一处，{}；", area_zh(area)),
        ),
        None => t(
            "- no homestead use right (宅基地使用权)".into(),
            "二、宅基地使用权：无；".into(),
        ),
    });
    lines.push(t(
        format!(
            "- {} share(s) of the collective income distribution right (集体收益分配权)",
            r.shares
        ),
        format!("三、集体收益分配权：{} 股。", r.shares),
    ));
    lines.push(t(
        "Settling in a town (进城落户) changes none of these rights (C5, H5, S5, G3).".into(),
        "依照《中华人民共和国农村土地承包法》第二十七条，国家保护进城农户的土地承包经营权，不得以退出土地承包经营权作为农户进城落户的条件。家庭成员进城落户，不影响本户的上述三项权利。".into(),
    ));
    lines.join("\n")
}

/// A member's settling in a town (进城落户), as the attestation names it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SettlementView {
    /// The log index of `hukou.settle`.
    pub index: u64,
    /// The member, by commitment (her name on a signed read of the household).
    pub person: String,
    /// GB/T 4761 relation to the head.
    pub relation: String,
    /// The town's administrative code (GB/T 2260).
    pub town: String,
    pub date: NaiveDate,
}

/// The county's attestation of the rights a household retains (G3), as a
/// document to check without trusting the server.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AttestationView {
    /// The log index of `attest.retention`.
    pub index: u64,
    pub household: String,
    pub day: NaiveDate,
    pub rights: crate::model::exchange::BaseRights,
    /// The rights in words.
    pub statement: String,
    /// The same, in Chinese.
    pub statement_zh: String,
    /// The household's members who settled in a town, whom the
    /// attestation names.
    pub settlements: Vec<SettlementView>,
    pub proof: AttestationProof,
}

/// What proves an attestation: the signed entry, its inclusion, the
/// checkpoint.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AttestationProof {
    /// The log record's exact bytes (the Merkle leaf data).
    pub entry: String,
    /// Base64 SHA-256 of 0x00 ‖ entry.
    pub leaf_hash: String,
    pub tree_size: u64,
    /// Base64 hashes of the RFC 9162 inclusion proof.
    pub inclusion: Vec<String>,
    /// The signed checkpoint note the proof leads to.
    pub checkpoint: String,
}
