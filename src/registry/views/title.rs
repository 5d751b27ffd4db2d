//! A parcel's title report: its holder and contract, the derived rights and encumbrances on it, an expropriation, its history.

use super::*;

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
                        amount: fen.to_string(),
                    })
                    .collect(),
            }),
            hearing: x.hearing,
            hearing_asked: x.hearing_asked.clone(),
            received: x.received.iter().map(|(_, p)| p.clone()).collect(),
            floor: x.floor.map(|f| f.to_string()),
            payments: x
                .payments
                .iter()
                .map(|(index, party, fen)| CompensationPaid {
                    index: *index,
                    party: party.clone(),
                    amount: fen.to_string(),
                })
                .collect(),
            owed: x
                .unpaid()
                .into_iter()
                .map(|party| CompensationPaid {
                    index: 0,
                    party: party.to_owned(),
                    amount: (x.allotted(party) - x.paid(party)).to_string(),
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
                compensation: compensation.to_string(),
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
