//! The title record (权属记录): what a title proof shows of one title — who
//! holds it, under which contract, the derived rights on it with their
//! terms, the encumbrances not released, and the acts still open over it or
//! its household — made from the state alone, in one canonical form whose
//! SHA-256 is the title's value in the state map (issue 20). And which
//! titles' records a change may alter (`record_titles_of`), so that the map
//! is kept by what changed rather than rebuilt.
//!
//! A record states facts, not judgments by date: a lease is listed with its
//! term, an objection with the day it lapses unless sued, so the record of a
//! title changes only when an entry changes it — never by the calendar.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::*;
use crate::model::titles::Title;

/// One title's record: its canonical JSON is hashed into the state map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TitleRecord {
    /// The title's key: a parcel's code, `ZJD` or `FE` and a household's.
    pub title: String,
    /// The household (or, for shares bought back, the collective) that
    /// holds it; none for a parcel no contract covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
    /// A parcel's contract (承包合同).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<HeldUnder>,
    /// A shares holding's number of shares (份额).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares: Option<u64>,
    /// Where the title ended: a parcel retired, a homestead exited (log
    /// index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<u64>,
    /// Derived rights on it not ended early (土地经营权, a house lease), by
    /// the log index of their settlement.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rights: Vec<RightOn>,
    /// Encumbrances not released (查封, 异议, 抵押), by log index.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub encumbrances: Vec<EncumbranceOn>,
    /// Acts over the title or its holder still open (A1, A3), by log index.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acts: Vec<ActOver>,
}

/// The contract a parcel is held under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeldUnder {
    pub code: String,
    pub start: chrono::NaiveDate,
    pub end: chrono::NaiveDate,
    /// A voluntary return (C6): the day it takes effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned_on: Option<chrono::NaiveDate>,
}

/// A derived right on a title, with its term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RightOn {
    pub index: u64,
    pub mode: crate::model::exchange::Mode,
    pub holder: String,
    pub start: chrono::NaiveDate,
    pub end: chrono::NaiveDate,
}

/// An encumbrance not released.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncumbranceOn {
    pub index: u64,
    pub kind: crate::model::entry::EncumbranceKind,
    /// R2: an objection's last day unless its objector sues.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lapses_on: Option<chrono::NaiveDate>,
    /// R2: where the county recorded the objector's suit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sued_at: Option<u64>,
}

/// An act still open over a title or its holder (A3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActOver {
    pub index: u64,
    pub kind: String,
    /// The first day it may take effect (its notice's end).
    pub from: chrono::NaiveDate,
    /// Held by an objection (R1), until an award decides.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub objected: bool,
}

impl TitleRecord {
    /// The canonical form: compact JSON, fields in declared order, lists by
    /// log index, nothing but strings and integers.
    pub fn canonical(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a title record serialises")
    }

    /// Reads a record back from its canonical form, refusing any other
    /// spelling of it (so that one value hash names one record).
    pub fn from_canonical(bytes: &[u8]) -> Option<TitleRecord> {
        let record: TitleRecord = serde_json::from_slice(bytes).ok()?;
        (record.canonical() == bytes).then_some(record)
    }
}

/// Lookups a batch of records shares: encumbrances by parcel and open acts
/// by title and by party, made once (a scan of each) rather than per title.
pub struct RecordLookups<'a> {
    encumbrances: HashMap<&'a str, Vec<&'a Encumbrance>>,
    acts_on: HashMap<&'a str, Vec<&'a Act>>,
}

impl State {
    /// The lookups [`State::record_with`] reads.
    pub fn record_lookups(&self) -> RecordLookups<'_> {
        let mut encumbrances: HashMap<&str, Vec<&Encumbrance>> = HashMap::new();
        for e in self.encumbrances.values() {
            if e.released_at.is_none() {
                encumbrances.entry(e.parcel.as_str()).or_default().push(e);
            }
        }
        let mut acts_on: HashMap<&str, Vec<&Act>> = HashMap::new();
        for a in self.acts.values().filter(|a| a.is_open()) {
            for key in a.titles.iter().chain(&a.parties) {
                acts_on.entry(key.as_str()).or_default().push(a);
            }
        }
        RecordLookups {
            encumbrances,
            acts_on,
        }
    }

    /// The record of `title` as the state holds it now; none for a title
    /// that does not exist (never registered, or moved away). One title's
    /// lookups only: the encumbrances on it, the acts open over it.
    pub fn record_of(&self, title: &Title) -> Option<TitleRecord> {
        let mut look = RecordLookups {
            encumbrances: HashMap::new(),
            acts_on: HashMap::new(),
        };
        if let Title::Parcel(code) = title {
            let on: Vec<&Encumbrance> = self
                .encumbrances
                .values()
                .filter(|e| e.released_at.is_none() && e.parcel == code.as_str())
                .collect();
            look.encumbrances.insert(code.as_str(), on);
        }
        for a in self.acts.values().filter(|a| a.is_open()) {
            for k in a.titles.iter().chain(&a.parties) {
                look.acts_on.entry(k.as_str()).or_default().push(a);
            }
        }
        self.record_with(title, &look)
    }

    /// The same, with lookups made once for many titles.
    pub fn record_with(&self, title: &Title, look: &RecordLookups<'_>) -> Option<TitleRecord> {
        let key = title.key();
        let mut record = TitleRecord {
            title: key.clone(),
            holder: None,
            contract: None,
            shares: None,
            ended: None,
            rights: Vec::new(),
            encumbrances: Vec::new(),
            acts: Vec::new(),
        };
        match title {
            Title::Parcel(code) => {
                let parcel = self.parcels.get(code.as_str())?;
                record.ended = parcel.retired_at;
                if let Some(k) = self
                    .contract_of
                    .get(code)
                    .and_then(|c| self.contracts.get(c))
                {
                    record.holder = Some(k.household.clone());
                    record.contract = Some(HeldUnder {
                        code: k.code.clone(),
                        start: k.start,
                        end: k.end,
                        returned_on: k.returned.map(|(_, effective, _)| effective),
                    });
                }
                let mut on: Vec<&Encumbrance> = look
                    .encumbrances
                    .get(code.as_str())
                    .cloned()
                    .unwrap_or_default();
                on.sort_by_key(|e| e.index);
                record.encumbrances = on
                    .into_iter()
                    .map(|e| EncumbranceOn {
                        index: e.index,
                        kind: e.kind,
                        lapses_on: e.lapses_on,
                        sued_at: e.sued_at,
                    })
                    .collect();
            }
            Title::Homestead(household) => {
                let h = self.homesteads.get(household)?;
                record.holder = Some(h.household.clone());
                record.ended = h.exited.map(|(at, _)| at);
            }
            Title::Shares(holder) => {
                record.shares = Some(*self.holdings.get(holder)?);
                record.holder = Some(holder.clone());
            }
        }
        let mut rights: Vec<&crate::model::exchange::DerivedRight> = self.rights_on(&key).collect();
        rights.sort_by_key(|r| r.index);
        rights.dedup_by_key(|r| r.index);
        record.rights = rights
            .into_iter()
            .map(|r| RightOn {
                index: r.index,
                mode: r.mode,
                holder: r.holder.clone(),
                start: r.start,
                end: r.end,
            })
            .collect();
        let mut acts: Vec<&Act> = [Some(key.as_str()), record.holder.as_deref()]
            .into_iter()
            .flatten()
            .flat_map(|k| look.acts_on.get(k).into_iter().flatten())
            .copied()
            .collect();
        acts.sort_by_key(|a| a.index);
        acts.dedup_by_key(|a| a.index);
        record.acts = acts
            .into_iter()
            .map(|a| ActOver {
                index: a.index,
                kind: a.kind.clone(),
                from: a.from,
                objected: a.objection.is_some(),
            })
            .collect();
        Some(record)
    }

    /// Every title the state holds: each parcel (retired ones too), each
    /// homestead, each shares holding.
    pub fn all_titles(&self) -> Vec<Title> {
        let mut all: Vec<Title> = self
            .parcels
            .keys()
            .map(|c| Title::Parcel(c.to_string()))
            .collect();
        all.extend(self.homesteads.keys().cloned().map(Title::Homestead));
        all.extend(self.holdings.keys().cloned().map(Title::Shares));
        all
    }

    /// The titles a household holds: its contracts' parcels, its homestead,
    /// its shares.
    fn titles_of_household(&self, household: &str) -> Vec<Title> {
        let mut all: Vec<Title> = self
            .contracts
            .values()
            .filter(|k| k.household == household)
            .flat_map(|k| k.parcels.iter().cloned().map(Title::Parcel))
            .collect();
        all.push(Title::Homestead(household.to_owned()));
        all.push(Title::Shares(household.to_owned()));
        all
    }

    /// The titles whose records `change` may alter, read in the state
    /// before it is applied and again after (what a change moves away is
    /// named before, what it moves in after). More than X2's list
    /// ([`State::titles_of`]): a filed objection and a new parcel change a
    /// record though no settlement rests on them yet, and an act over a
    /// household is in the record of every title it holds.
    pub fn record_titles_of(&self, change: &Change) -> BTreeSet<Title> {
        let mut all: BTreeSet<Title> = self.titles_of(change).into_iter().collect();
        match change {
            Change::ParcelRegistered { parcel } => {
                all.insert(Title::Parcel(parcel.code.to_string()));
            }
            Change::EncumbranceRegistered(e) => {
                all.insert(Title::Parcel(e.parcel.to_string()));
            }
            Change::RightSaved(r) => all.extend(r.titles()),
            // Named before the act is saved and again after, so an act
            // that closes is named with its parties as it was.
            Change::ActSaved(a) => {
                for party in &a.parties {
                    all.extend(self.titles_of_household(party));
                }
                if let Some(old) = self.acts.get(&a.index) {
                    for party in &old.parties {
                        all.extend(self.titles_of_household(party));
                    }
                    all.extend(old.titles.iter().map(|k| Title::of_key(k)));
                }
            }
            _ => {}
        }
        all
    }
}
