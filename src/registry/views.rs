//! Views of the land registry as GeoJSON, with NY/T 2539 property names.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use std::collections::HashMap;

use crate::model::person::PersonRecord;
use crate::model::state::{Contract, Encumbrance};
use crate::model::{Collective, Parcel};
use crate::spatial::Neighbours;

fn geometry(geojson: &str) -> Value {
    serde_json::from_str(geojson).unwrap_or(Value::Null)
}

fn status(p: &Parcel<String>) -> &'static str {
    if p.retired_at.is_some() {
        "retired"
    } else {
        "active"
    }
}

/// A GeoJSON Feature with the properties of what it shows.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Feature<P> {
    /// Always `Feature`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: String,
    pub properties: P,
    /// GeoJSON Polygon or MultiPolygon, lon/lat (CGCS2000 ≈ WGS 84).
    pub geometry: Value,
}

impl<P> Feature<P> {
    fn new(id: &str, properties: P, geojson: &str) -> Self {
        Feature {
            kind: "Feature",
            id: id.to_owned(),
            properties,
            geometry: geometry(geojson),
        }
    }
}

/// A GeoJSON FeatureCollection.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FeatureCollection<P> {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub features: Vec<Feature<P>>,
}

/// A parcel's properties: NY/T 2539 fields, computed geodesic area in m² and
/// 亩 (decimal strings), 四至, holder and status.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ParcelProperties {
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
    /// 是否基本农田: 1 yes, 2 no.
    #[serde(rename = "SFJBNT")]
    pub basic_farmland: &'static str,
    /// The area the survey declared, m².
    #[serde(rename = "SCMJ")]
    pub declared_m2: Option<String>,
    #[serde(rename = "FBFBM")]
    pub collective: String,
    pub area_m2: String,
    pub area_mu: String,
    /// active or retired.
    pub status: &'static str,
    /// The household holding the land contract right over it.
    pub holder: Option<String>,
    pub registered_at: u64,
    pub retired_at: Option<u64>,
    /// 四至: the nearest parcel east, south, west and north (on one parcel's
    /// page, not in collections).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sizhi: Option<Sizhi>,
}

/// 四至.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Sizhi {
    pub east: Option<String>,
    pub south: Option<String>,
    pub west: Option<String>,
    pub north: Option<String>,
}

/// A parcel's properties as of `today`.
pub fn parcel_properties(
    p: &Parcel<String>,
    contract: Option<&Contract>,
    neighbours: Option<&Neighbours>,
    today: NaiveDate,
) -> ParcelProperties {
    ParcelProperties {
        code: p.code.to_string(),
        name: p.name.to_string(),
        class: p.class.to_string(),
        land_use: p.land_use.to_string(),
        grade: p.grade.to_string(),
        basic_farmland: if p.basic_farmland { "1" } else { "2" },
        declared_m2: p.declared.map(|a| a.m2().to_string()),
        collective: p.collective.to_string(),
        area_m2: p.area.m2().to_string(),
        area_mu: p.area.mu().to_string(),
        status: status(p),
        holder: contract
            .filter(|k| k.holds(today))
            .map(|k| k.household.clone()),
        registered_at: p.registered_at,
        retired_at: p.retired_at,
        sizhi: neighbours.map(|n| Sizhi {
            east: n.east.clone(),
            south: n.south.clone(),
            west: n.west.clone(),
            north: n.north.clone(),
        }),
    }
}

/// A parcel as a GeoJSON Feature.
pub fn parcel_feature(
    p: &Parcel<String>,
    contract: Option<&Contract>,
    neighbours: Option<&Neighbours>,
    today: NaiveDate,
) -> Feature<ParcelProperties> {
    Feature::new(
        &p.code,
        parcel_properties(p, contract, neighbours, today),
        &p.geometry,
    )
}

pub fn parcel_collection(
    parcels: &[Parcel<String>],
    contracts: &HashMap<String, Contract>,
    today: NaiveDate,
) -> FeatureCollection<ParcelProperties> {
    let by_parcel: HashMap<&str, &Contract> = contracts
        .values()
        .flat_map(|k| k.parcels.iter().map(move |p| (p.as_str(), k)))
        .collect();
    FeatureCollection {
        kind: "FeatureCollection",
        features: parcels
            .iter()
            .map(|p| parcel_feature(p, by_parcel.get(p.code.as_str()).copied(), None, today))
            .collect(),
    }
}

/// A collective's properties: its code and name, area, active parcels.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CollectiveProperties {
    #[serde(rename = "FBFBM")]
    pub code: String,
    #[serde(rename = "FBFMC")]
    pub name: String,
    pub area_m2: String,
    pub area_mu: String,
    pub active_parcels: i64,
    pub registered_at: u64,
}

pub fn collective_feature(k: &Collective, active_parcels: i64) -> Feature<CollectiveProperties> {
    Feature::new(
        &k.code,
        CollectiveProperties {
            code: k.code.clone(),
            name: k.name.clone(),
            area_m2: k.area.m2().to_string(),
            area_mu: k.area.mu().to_string(),
            active_parcels,
            registered_at: k.registered_at,
        },
        &k.geojson,
    )
}

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

/// The title report of a parcel: what the registry says of it now, and the
/// log indices that made it so (each provable against the checkpoint).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TitleView {
    pub parcel: ParcelProperties,
    /// The checkpoint's tree size this report was read at.
    pub as_of_tree_size: u64,
    pub derived_rights: Vec<DerivedRightView>,
    /// The household holding the land contract right over it today.
    pub holder: Option<String>,
    pub contract: Option<TitleContract>,
    /// The encumbrances in force today.
    pub encumbrances: Vec<EncumbranceView>,
    /// The expropriation that names this parcel, under way or done (E1).
    pub expropriation: Option<ExpropriationView>,
    /// The acts over a household that would change this parcel (A1, A3):
    /// pending, held, or ended.
    pub acts: Vec<ActView>,
    pub history: Vec<TitleEvent>,
}

/// An expropriation (征收, E1) as the county recorded it: how far it has
/// come, who is owed what under the plan, and what was paid.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ExpropriationView {
    /// The log index of the pre-announcement.
    pub index: u64,
    pub collective: String,
    #[serde(rename = "DKBM")]
    pub parcels: Vec<String>,
    pub purpose: String,
    pub announced: NaiveDate,
    /// `announced`, `plan_posted`, `completed` or `withdrawn`.
    pub stage: &'static str,
    pub plan: Option<CompensationPlanView>,
    /// The log index of the hearing, if held.
    pub hearing: Option<u64>,
    /// The households that asked for a hearing with their own entry (E3).
    pub hearing_asked: Vec<String>,
    /// The parties whose compensation is acknowledged received (a
    /// household's own entry) or held in the exchange's escrow (E3).
    pub received: Vec<String>,
    /// E3: the least the plan pays for the land (the published zone price
    /// times the area), in yuan; absent before rules 2.
    pub floor: Option<String>,
    pub payments: Vec<CompensationPaid>,
    /// Each party of the plan still owed, and how much.
    pub owed: Vec<CompensationPaid>,
    /// The log index at which the rights on the land ended.
    pub completed: Option<u64>,
    /// The log index at which the county withdrew it.
    pub withdrawn: Option<u64>,
}

/// The compensation and resettlement plan (征地补偿安置方案).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CompensationPlanView {
    pub index: u64,
    pub notice_from: NaiveDate,
    pub notice_to: NaiveDate,
    pub hearing_requested: bool,
    pub compensation: Vec<CompensationLineView>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CompensationLineView {
    pub party: String,
    pub head: crate::model::entry::CompensationHead,
    /// Yuan.
    pub amount: String,
}

/// A sum paid to (or still owed to) a party; `index` is the payment's log
/// index (0 for what is owed).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CompensationPaid {
    pub index: u64,
    pub party: String,
    /// Yuan.
    pub amount: String,
}

impl ExpropriationView {
    pub fn of(x: &crate::model::state::Expropriation) -> ExpropriationView {
        use crate::model::shares::yuan;
        ExpropriationView {
            index: x.index,
            collective: x.collective.clone(),
            parcels: x.parcels.clone(),
            purpose: x.purpose.clone(),
            announced: x.announced,
            stage: match (&x.plan, x.completed) {
                _ if x.withdrawn.is_some() => "withdrawn",
                (_, Some(_)) => "completed",
                (Some(_), None) => "plan_posted",
                (None, None) => "announced",
            },
            plan: x.plan.as_ref().map(|p| CompensationPlanView {
                index: p.index,
                notice_from: p.notice_from,
                notice_to: p.notice_to,
                hearing_requested: p.hearing_requested,
                compensation: p
                    .lines
                    .iter()
                    .map(|(party, head, fen)| CompensationLineView {
                        party: party.clone(),
                        head: *head,
                        amount: yuan(*fen),
                    })
                    .collect(),
            }),
            hearing: x.hearing,
            hearing_asked: x.hearing_asked.clone(),
            received: x.received.iter().map(|(_, p)| p.clone()).collect(),
            floor: x.floor.map(yuan),
            payments: x
                .payments
                .iter()
                .map(|(index, party, fen)| CompensationPaid {
                    index: *index,
                    party: party.clone(),
                    amount: yuan(*fen),
                })
                .collect(),
            owed: x
                .unpaid()
                .into_iter()
                .map(|party| CompensationPaid {
                    index: 0,
                    party: party.to_owned(),
                    amount: yuan(x.allotted(party) - x.paid(party)),
                })
                .collect(),
            completed: x.completed,
            withdrawn: x.withdrawn,
        }
    }

    /// The entries of the expropriation, for a title's history.
    fn events(&self) -> Vec<TitleEvent> {
        let mut events = vec![TitleEvent::of(self.index, "expropriation.announce")];
        events.extend(
            self.plan
                .iter()
                .map(|p| TitleEvent::of(p.index, "expropriation.plan")),
        );
        events.extend(
            self.hearing
                .map(|i| TitleEvent::of(i, "expropriation.hearing")),
        );
        events.extend(
            self.payments
                .iter()
                .map(|p| TitleEvent::of(p.index, "expropriation.pay")),
        );
        events.extend(
            self.completed
                .map(|i| TitleEvent::of(i, "expropriation.complete")),
        );
        events.extend(
            self.withdrawn
                .map(|i| TitleEvent::of(i, "expropriation.withdraw")),
        );
        events
    }
}

/// A right derived from the household's by a settled deal (G2).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DerivedRightView {
    /// The log index of `deal.settle`.
    pub index: u64,
    pub listing: u64,
    pub mode: crate::model::exchange::Mode,
    pub holder: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Registered (M6: five years or more).
    pub registered: bool,
    pub in_force: bool,
    pub ended: Option<RightEnded>,
}

/// When and on which ground (M7) a derived right ended early.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RightEnded {
    pub index: u64,
    pub ground: String,
}

/// The contract over a parcel, as its title shows it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TitleContract {
    #[serde(rename = "CBHTBM")]
    pub code: String,
    #[serde(rename = "CBFBM")]
    pub household: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub parcels: Vec<String>,
    pub certificate_members: Vec<String>,
    /// Held past its recorded end, by law, until the extension is recorded
    /// (C2).
    pub extended_by_law: bool,
    /// The log index of `contract.grant`.
    pub index: u64,
    pub returned: Option<Returned>,
}

/// A return of the contract (C6).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Returned {
    pub index: u64,
    pub effective: NaiveDate,
    /// Yuan.
    pub compensation: String,
}

/// An encumbrance in force.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EncumbranceView {
    pub index: u64,
    /// seizure, objection or pledge.
    pub kind: &'static str,
    pub by: String,
    pub reason: String,
    pub document_sha256: String,
}

/// One entry of a parcel's history.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TitleEvent {
    pub index: u64,
    /// The entry kind.
    pub event: &'static str,
    /// For encumbrances: their kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// For settlements: the listing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listing: Option<u64>,
}

impl TitleEvent {
    fn of(index: u64, event: &'static str) -> TitleEvent {
        TitleEvent {
            index,
            event,
            kind: None,
            listing: None,
        }
    }
}

/// What rests on a parcel, for its title report.
pub struct TitleFacts<'a> {
    pub contract: Option<&'a Contract>,
    pub encumbrances: &'a [Encumbrance],
    pub rights: &'a [crate::model::exchange::DerivedRight],
    pub expropriation: Option<&'a crate::model::state::Expropriation>,
    pub acts: &'a [crate::model::state::Act],
}

pub fn title(p: &Parcel<String>, facts: TitleFacts, as_of: u64, today: NaiveDate) -> TitleView {
    let TitleFacts {
        contract,
        encumbrances,
        rights,
        expropriation,
        acts,
    } = facts;
    let expropriation = expropriation.map(ExpropriationView::of);
    let mut history = vec![TitleEvent::of(p.registered_at, "parcel.register")];
    history.extend(expropriation.iter().flat_map(ExpropriationView::events));
    for r in rights {
        history.push(TitleEvent {
            listing: Some(r.listing),
            ..TitleEvent::of(r.index, "deal.settle")
        });
        // A right the expropriation ended shows as its last entry.
        if let Some((at, ground)) = &r.ended {
            if ground != "expropriated" {
                history.push(TitleEvent::of(*at, "right.end"));
            }
        }
    }
    if let Some(k) = contract {
        history.push(TitleEvent::of(k.registered_at, "contract.grant"));
        if let Some((index, ..)) = k.returned {
            history.push(TitleEvent::of(index, "contract.return"));
        }
    }
    for e in encumbrances {
        history.push(TitleEvent {
            kind: Some(e.kind.as_str()),
            ..TitleEvent::of(e.index, "encumbrance.register")
        });
        if let Some(at) = e.released_at {
            history.push(TitleEvent {
                kind: Some(e.kind.as_str()),
                ..TitleEvent::of(at, "encumbrance.release")
            });
        }
    }
    // A parcel the state took is retired by the expropriation's last entry.
    if let Some(at) = p.retired_at.filter(|at| {
        expropriation
            .as_ref()
            .is_none_or(|x| x.completed != Some(*at))
    }) {
        history.push(TitleEvent::of(at, "parcel.retire"));
    }
    history.sort_by_key(|h| h.index);
    TitleView {
        parcel: parcel_properties(p, contract, None, today),
        as_of_tree_size: as_of,
        derived_rights: rights
            .iter()
            .map(|r| DerivedRightView {
                index: r.index,
                listing: r.listing,
                mode: r.mode,
                holder: r.holder.clone(),
                start: r.start,
                end: r.end,
                registered: r.registered,
                in_force: r.in_force(today),
                ended: r.ended.as_ref().map(|(at, ground)| RightEnded {
                    index: *at,
                    ground: ground.clone(),
                }),
            })
            .collect(),
        holder: contract
            .filter(|k| k.holds(today))
            .map(|k| k.household.clone()),
        contract: contract.map(|k| TitleContract {
            code: k.code.clone(),
            household: k.household.clone(),
            start: k.start,
            end: k.end,
            parcels: k.parcels.clone(),
            certificate_members: k.certificate_members.clone(),
            index: k.registered_at,
            extended_by_law: k.extended_by_law(today),
            returned: k.returned.map(|(index, effective, compensation)| Returned {
                index,
                effective,
                compensation: crate::model::shares::yuan(compensation),
            }),
        }),
        encumbrances: encumbrances
            .iter()
            .filter(|e| e.in_force(today))
            .map(|e| EncumbranceView {
                index: e.index,
                kind: e.kind.as_str(),
                by: e.by.clone(),
                reason: e.reason.clone(),
                document_sha256: e.document_sha256.clone(),
            })
            .collect(),
        expropriation,
        acts: acts
            .iter()
            .filter(|a| a.titles.iter().any(|t| *t == p.code.as_str()))
            .map(|a| ActView::of(a, today))
            .collect(),
        history,
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
            compensation: crate::model::shares::yuan(e.compensation),
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
    use crate::model::shares::yuan;
    DistributionView {
        index: d.index,
        collective: d.collective.clone(),
        total: yuan(d.total),
        reserve: yuan(d.reserve),
        welfare: yuan(d.welfare),
        distributed: yuan(d.total - d.reserve - d.welfare),
        parts: d
            .parts
            .iter()
            .map(|(holder, fen)| DistributionPart {
                holder: holder.clone(),
                amount: yuan(*fen),
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

/// Who a party is on the log: its type, the keys bound to act for it, and a
/// transferee's reviews by the county (M8, X6).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PartyView {
    pub party: String,
    /// county, collective, household, organisation or person.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub keys: Vec<PartyKey>,
    pub reviews: Vec<PartyReview>,
    /// Whether the county's latest review qualifies it today (approved,
    /// and a person of an age within the limits, X6).
    pub qualified: bool,
}

/// A key bound to act for a party.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PartyKey {
    pub vkey: String,
    pub role: &'static str,
    /// A county key's department (A2); absent for the root key and others.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<crate::model::Department>,
    /// The log index of `key.register` (or genesis).
    pub registered_at: u64,
    /// The log index of `key.revoke`, if revoked.
    pub revoked_at: Option<u64>,
}

/// Who a key is (`GET /keys/{signer}`): the party it acts for and its role.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct KeyView {
    pub party: String,
    #[serde(flatten)]
    pub key: PartyKey,
}

/// Who several keys are, by public key (hex); unregistered keys are absent.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct KeysView {
    pub keys: std::collections::BTreeMap<String, KeyView>,
}

/// The 土地经营权证 of a registered derived right (M6): what the county's
/// registry certifies the transferee holds, and that the household keeps its
/// contract (G2).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RightCertificateView {
    /// The log index of the settlement that made the right.
    pub index: u64,
    pub listing: u64,
    pub mode: crate::model::exchange::Mode,
    /// Who holds the management right.
    pub holder: String,
    /// The household whose land it is, which keeps its contract right.
    pub household: String,
    pub parcels: Vec<CertificateParcel>,
    pub total_area_mu: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub in_force: bool,
    /// Its term has not begun yet.
    pub not_begun: bool,
    /// An early end (M7): log index and ground.
    pub ended: Option<RightEnded>,
    /// The county's issue of the certificate (M6), once made.
    pub certified: Option<RightCertified>,
}

/// Where the county issued a right's certificate, and its number (M6).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RightCertified {
    pub index: u64,
    pub certificate_no: String,
}

/// One entry of the log, as the log explorer lists it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LogLine {
    pub index: u64,
    pub kind: String,
    pub signer: String,
    pub integrated: String,
}

impl PartyKey {
    pub fn of(k: &crate::model::KeyBinding) -> PartyKey {
        PartyKey {
            vkey: k.vkey.clone(),
            role: k.role.as_str(),
            department: k.department,
            registered_at: k.registered_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// The county's review of a transferee.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PartyReview {
    /// The log index of `transferee.qualify`.
    pub index: u64,
    /// person or organisation.
    pub kind: String,
    pub approved: bool,
    /// A person's month of birth, which the age limits run from (X6).
    pub born: Option<NaiveDate>,
    /// The days this review qualifies the party, by the county's age
    /// limits now: a person from the day they come of the least age to
    /// the last day of the greatest; an organisation from the review on,
    /// without end (both absent) until the county reviews again. Absent
    /// for a review that did not approve.
    pub qualified_from: Option<NaiveDate>,
    pub qualified_until: Option<NaiveDate>,
}

/// A listing as the API shows it, with its whole history; amounts in yuan
/// as decimal strings.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ListingView {
    /// The log index of `listing.submit`.
    pub id: u64,
    pub mode: crate::model::exchange::Mode,
    /// The party that listed it.
    pub transferor: String,
    /// The household whose land, house or shares it rests on.
    pub household: String,
    pub collective: String,
    pub contract: Option<String>,
    pub parcels: Vec<String>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub land_use: String,
    pub reserve: String,
    pub increment: String,
    pub deposit: String,
    pub auction_minutes: u32,
    pub status: crate::model::exchange::Status,
    pub notice_from: Option<NaiveDate>,
    pub notice_to: Option<NaiveDate>,
    /// X3: flagged for county-level publication.
    pub county_level: bool,
    pub intents: Vec<IntentView>,
    pub bids: Vec<BidView>,
    pub deadline: Option<chrono::DateTime<chrono::Utc>>,
    pub award: Option<AwardView>,
    pub signed_by: Vec<String>,
    pub verified_at: Option<u64>,
    pub paid_at: Option<u64>,
    /// M4: the log index at which the price was paid out to the transferor.
    pub paid_out_at: Option<u64>,
    pub certificate_no: Option<String>,
    pub settled_at: Option<u64>,
    pub history: Vec<HistoryStep>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub swap_for: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterparty: Option<String>,
    #[serde(skip_serializing_if = "is_zero")]
    pub shares: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub objections: Vec<crate::model::exchange::Objection>,
    /// Who registered the change to their base right, at which index.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub registered: Vec<(u64, String)>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// An intended transferee and its deposit.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IntentView {
    pub party: String,
    pub member: bool,
    pub deposit: String,
    pub registered_at: u64,
    pub confirmed_at: Option<u64>,
    pub released_at: Option<u64>,
    pub forfeited_at: Option<u64>,
}

/// A bid.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BidView {
    pub index: u64,
    pub party: String,
    pub amount: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub matched: bool,
}

/// The award: who won, at what price, and the SHA-256 of the contract.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct AwardView {
    pub index: u64,
    pub party: String,
    pub price: String,
    pub contract_sha256: String,
    pub day: Option<NaiveDate>,
}

/// One step of a listing: the entry's log index and kind.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HistoryStep {
    pub index: u64,
    pub kind: String,
}

pub fn listing(l: &crate::model::exchange::Listing) -> ListingView {
    use crate::model::shares::yuan;
    ListingView {
        id: l.id,
        mode: l.mode,
        transferor: l.transferor.clone(),
        household: l.household.clone(),
        collective: l.collective.clone(),
        contract: l.contract.clone(),
        parcels: l.parcels.clone(),
        start: l.start,
        end: l.end,
        land_use: l.land_use.clone(),
        reserve: yuan(l.reserve),
        increment: yuan(l.increment),
        deposit: yuan(l.deposit),
        auction_minutes: l.auction_minutes,
        status: l.status,
        notice_from: l.notice_from,
        notice_to: l.notice_to,
        county_level: l.county_level,
        intents: l
            .intents
            .iter()
            .map(|i| IntentView {
                party: i.party.clone(),
                member: i.member,
                deposit: yuan(i.deposit),
                registered_at: i.registered_at,
                confirmed_at: i.confirmed_at,
                released_at: i.released_at,
                forfeited_at: i.forfeited_at,
            })
            .collect(),
        bids: l
            .bids
            .iter()
            .map(|b| BidView {
                index: b.index,
                party: b.party.clone(),
                amount: yuan(b.amount),
                at: b.at,
                matched: b.matched,
            })
            .collect(),
        deadline: l.deadline,
        award: l.award.as_ref().map(|a| AwardView {
            index: a.index,
            party: a.party.clone(),
            price: yuan(a.price),
            contract_sha256: a.contract_sha256.clone(),
            day: a.day,
        }),
        signed_by: l.signed_by.clone(),
        verified_at: l.verified_at,
        paid_at: l.paid_at,
        paid_out_at: l.paid_out_at,
        certificate_no: l.certificate_no.clone(),
        settled_at: l.settled_at,
        history: l
            .history
            .iter()
            .map(|(index, kind)| HistoryStep {
                index: *index,
                kind: kind.clone(),
            })
            .collect(),
        swap_for: l.swap_for.clone(),
        counterparty: l.counterparty.clone(),
        shares: l.shares,
        asset: l.asset.clone(),
        decision: l.decision,
        consent: l.consent,
        objections: l.objections.clone(),
        registered: l.registered.clone(),
    }
}

/// Listings, newest first.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ListingsView {
    pub listings: Vec<ListingView>,
}

/// The attestation in words (G3): what the household holds, on what day —
/// in English, or in Chinese (`zh`) as the county states it.
pub fn retention_statement(a: &crate::model::state::Attestation, zh: bool) -> String {
    let t = |en: String, cn: String| if zh { cn } else { en };
    let r = &a.rights;
    let m2 = |centi: i64| format!("{}.{:02}", centi / 100, centi % 100);
    let mut lines = vec![t(
        format!(
            "On {} the county registry attests that household {} holds:",
            a.day, a.household
        ),
        format!(
            "经核查县登记库，承包方 {} 于 {} 享有下列权利：",
            a.household, a.day
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
                "一、土地承包经营权：承包合同 {}，期限至 {}，地块 {parcels} 块，共 {area} 平方米：{}；",
                c.code,
                c.end,
                c.parcels.join("、")
            ),
        ));
    }
    lines.push(match r.homestead {
        Some(area) => t(
            format!(
                "- the homestead use right (宅基地使用权) over {} m²",
                m2(area)
            ),
            format!("二、宅基地使用权：{} 平方米；", m2(area)),
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
        "家庭成员进城落户，不影响上述权利（C5、H5、S5、G3）。".into(),
    ));
    lines.join("\n")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A printable page of an attestation document: the statement, and the
/// proof an auditor checks it by.
/// The contract of a listing as a printable page: its text as rendered and
/// signed, and the SHA-256 both parties signed.
pub fn contract_page(id: u64, text: &str, sha256: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>流转合同 {id}</title>
<style>
body {{ font: 16px/1.6 "Noto Serif CJK SC", "Songti SC", serif; max-width: 46em; margin: 2em auto; padding: 0 1em; }}
pre {{ white-space: pre-wrap; word-break: break-word; font: inherit; }}
code {{ word-break: break-all; }}
@media print {{ .noprint {{ display: none; }} }}
</style></head>
<body>
<pre>{text}</pre>
<p>交易项目 / Listing: <b>{id}</b><br>
双方签署的 SHA-256 / The SHA-256 both parties sign:<br><code>{sha256}</code></p>
<p class="noprint"><button onclick="window.print()">打印 / Print</button></p>
</body></html>
"#,
        text = escape(text),
        sha256 = escape(sha256),
    )
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

/// An RFC 9162 proof: base64 SHA-256 hashes, in order.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Hashes {
    pub hashes: Vec<String>,
}

/// What an accepted entry's sender gets back once it is durable.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReceiptView {
    /// The entry's log index.
    pub index: u64,
    /// Base64 SHA-256 leaf hash of its record.
    pub leaf_hash: String,
}
