//! The state that rules read, kept in memory by the writer and rebuilt by
//! `verify` from the log. It changes only through [`Change`]s, which the rules
//! return and the store also writes to the projection tables. Here: the
//! changes, the collections and `apply`; the values by what they hold
//! (`land`, `parties`, `households`, `acts`); the lookups the rules make
//! (`reads`); the indexes kept beside the collections (`index`).

use std::collections::HashMap;
use std::sync::Arc;

pub use compact_str::CompactString;

use super::entry::EncumbranceKind;
use super::rows;
pub use super::rows::{Rows, Single};
use super::units::Area;
use super::Role;

mod acts;
mod households;
mod index;
mod land;
mod parties;
mod reads;
mod records;

pub use acts::*;
pub use households::*;
pub use index::OnTitle;
pub use land::*;
pub use parties::*;
pub use records::*;

/// One effect of an accepted entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    LogFounded(County),
    KeyBound(KeyBinding),
    KeyRevoked {
        public: [u8; 32],
        at: u64,
    },
    /// A5: a key an act revoked acts again, by an award's `restore`.
    KeyRestored {
        public: [u8; 32],
    },
    CollectiveRegistered {
        collective: Collective,
        shape: Shape,
    },
    ParcelRegistered {
        parcel: Parcel,
    },
    ParcelRetired {
        code: String,
        at: u64,
    },
    EncumbranceRegistered(Encumbrance),
    /// R2: the county recorded that the objector sued (log index `at`).
    ObjectionSued {
        index: u64,
        at: u64,
    },
    EncumbranceReleased {
        index: u64,
        at: u64,
    },
    DecisionRecorded(super::decision::Decision),
    HouseholdRegistered(Household),
    ContractGranted(Contract),
    SharesQuantified {
        collective: String,
        index: u64,
        allocations: Vec<(String, u64)>,
    },
    /// Shares from one holder to another (a transfer, or a buy-back when the
    /// collective receives them).
    SharesMoved {
        from: String,
        to: String,
        shares: u64,
    },
    DividendDistributed(Distribution),
    MemberAdmitted(Membership),
    MembershipEnded {
        person: String,
        at: u64,
        reason: String,
    },
    HomesteadGranted {
        homestead: Homestead,
    },
    HomesteadExited {
        household: String,
        at: u64,
        compensation: crate::model::shares::Fen,
    },
    ContractReturned {
        code: String,
        at: u64,
        effective: chrono::NaiveDate,
        compensation: crate::model::shares::Fen,
    },
    NoticePosted(Notice),
    SettingsChanged {
        settings: super::settings::Settings,
        at: u64,
    },
    /// A household's members now (after a split or merge, P3).
    HouseholdMembers {
        household: String,
        members: Vec<super::entry::Member>,
    },
    HouseholdMerged {
        household: String,
        into: String,
        at: u64,
    },
    /// The parcels a contract covers now (after a split of land or household).
    ContractParcels {
        code: String,
        parcels: Vec<String>,
    },
    /// A contract's new term (the first round's start is in the log).
    ContractRenewed {
        code: String,
        start: chrono::NaiveDate,
        end: chrono::NaiveDate,
    },
    /// A contract's household now (after a merge).
    ContractHolder {
        code: String,
        household: String,
    },
    HomesteadMoved {
        from: String,
        to: String,
    },
    ListingSaved(Box<super::exchange::Listing>),
    RightSaved(super::exchange::DerivedRight),
    TransfereeReviewed(super::exchange::Review),
    SurrenderSaved(Surrender),
    /// A withdrawn voluntary exit (G4): the member is a member again, as
    /// before.
    MembershipRestored {
        person: String,
    },
    /// A withdrawn return (G4): the contract is as if never returned.
    ContractReturnWithdrawn {
        code: String,
    },
    /// A withdrawn exit (G4): the homestead is the household's again, and
    /// its land is taken again.
    HomesteadRestored {
        household: String,
        geometry: Shape,
    },
    HukouSettled(HukouEvent),
    Attested(Attestation),
    /// The titles of these parcels (or homesteads, `ZJD…`) changed at `at`:
    /// a settlement verified before then is refused.
    TitleTouched {
        parcels: Vec<String>,
        at: u64,
    },
    CertificateIssued {
        contract: String,
        index: u64,
        notice: u64,
    },
    /// Who a contract's newest certificate names (C3).
    CertificateMembers {
        contract: String,
        members: Vec<String>,
    },
    ExpropriationSaved(Expropriation),
    EstateSettled(Estate),
    /// An act over a party, new or as it stands now (A1, A3).
    ActSaved(Box<Act>),
}

/// Declares the state's collections once: each is kept by the store as one
/// table, and the projection, its reload and `verify`'s comparison are all
/// derived from this list — the store names every collection (a new one does
/// not compile until it is stored and loaded), and which rows to write comes
/// from [`Rows`], marked by `State::apply` itself.
macro_rules! collections {
    ($( $(#[$doc:meta])* $name:ident: $key:ty => $value:ty, in $table:ident; )*) => {
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct State {
            pub county: Single<Option<County>>,
            pub settings: Single<super::settings::Settings>,
            $( $(#[$doc])* pub $name: Rows<$key, $value>, )*
            /// Open listings and live derived rights by each title they rest
            /// on, so the exchange's rules look them up instead of scanning
            /// (kept by `apply`, rebuilt by `reindex` after a load; not stored).
            pub on_title: HashMap<String, OnTitle>,
            /// Every key ever bound for each party, so the key rules look
            /// a party's keys up instead of scanning the county's (kept by
            /// `apply`, rebuilt by `reindex`; not stored).
            pub keys_of: HashMap<String, Vec<[u8; 32]>>,
            /// How many 合同编号 each collective's listings were given
            /// (template 2's sequence, P1), so an award numbers its contract
            /// without counting the county's listings (kept by `apply`,
            /// rebuilt by `reindex`; not stored).
            pub contracts_numbered: HashMap<String, u64>,
        }

        /// What changed since the store last wrote: the county's and the
        /// settings' rows, and the keys of each collection's rows.
        #[derive(Debug, Default)]
        pub struct Changed {
            pub county: bool,
            pub settings: bool,
            $( pub $name: Vec<$key>, )*
        }

        /// Each collection's table, in the order `verify` compares them.
        pub const TABLES: &[&str] = &[$(stringify!($table)),*];

        impl State {
            /// Takes what changed since the last call, for the store to write.
            pub fn take_changed(&mut self) -> Changed {
                Changed {
                    county: self.county.take_changed(),
                    settings: self.settings.take_changed(),
                    $( $name: self.$name.take_changed(), )*
                }
            }

            /// The first table and row where `stored` differs from this
            /// state: (table, row, what).
            pub fn first_difference(&self, stored: &State) -> Option<(&'static str, String, String)> {
                if self.county != stored.county {
                    return Some(("counties", String::new(), "differs from the genesis entry".into()));
                }
                if self.settings != stored.settings {
                    return Some(("county_settings", String::new(), "differs from the settings entries".into()));
                }
                $(
                    if let Some((row, what)) = rows::first_difference(&self.$name, &stored.$name) {
                        return Some((stringify!($table), row, what));
                    }
                )*
                None
            }
        }
    };
}

/// The state's collections, each said once: its field, its key and value,
/// and the store's table that keeps it. `collections!` makes the state of
/// them; the store makes each one's table module, its writes and its load
/// of them (`store::tables`) — so a new collection is this line, its table
/// file and its migrations.
macro_rules! with_collections {
    ($callback:ident) => {
        $callback! {
            keys: [u8; 32] => KeyBinding, in actor_keys;
            collectives: String => Collective, in collectives;
            parcels: CompactString => Parcel, in parcels;
            encumbrances: u64 => Encumbrance, in encumbrances;
            decisions: u64 => super::decision::Decision, in decisions;
            households: String => Household, in households;
            /// The household each person (by commitment) belongs to, kept with the
            /// person's private record.
            member_of: String => String, in persons;
            contracts: String => Contract, in contracts;
            /// The contract that covers each parcel.
            contract_of: String => String, in contract_parcels;
            /// Shares held, by household (or by collective, bought back).
            holdings: String => u64, in share_holdings;
            /// Collectives whose shares are quantified, and where.
            quantified: String => u64, in share_quantifications;
            distributions: u64 => Distribution, in distributions;
            memberships: String => Membership, in memberships;
            /// By household; exited ones stay, marked.
            homesteads: String => Homestead, in homesteads;
            notices: u64 => Notice, in notices;
            /// By contract code.
            certificates: String => Certificate, in certificates;
            /// By the log index of `listing.submit`.
            listings: u64 => super::exchange::Listing, in listings;
            /// Derived rights, by the log index of their settlement.
            rights: u64 => super::exchange::DerivedRight, in derived_rights;
            hukou: u64 => HukouEvent, in hukou_settlements;
            /// The county's reviews of transferees, by log index (M8, X6).
            reviews: u64 => super::exchange::Review, in transferee_reviews;
            /// Returns and exits by households, by log index (G4).
            surrenders: u64 => Surrender, in surrenders;
            attestations: u64 => Attestation, in attestations;
            /// The last log index at which each title changed.
            touched: String => u64, in titles_touched;
            /// Expropriations, by the log index of their pre-announcement (E1).
            expropriations: u64 => Expropriation, in expropriations;
            /// Estates of households whose last member died, by household (I2–I4).
            estates: String => Estate, in estates;
            /// Acts over a party, by the log index that made them (A1, A3).
            acts: u64 => Act, in acts;
        }
    };
}
pub(crate) use with_collections;

with_collections!(collections);

impl State {
    pub fn apply(&mut self, change: &Change) {
        match change {
            Change::LogFounded(c) => self.county.set(Some(c.clone())),
            Change::KeyBound(k) => {
                self.keys.insert(k.public, k.clone());
                self.keys_of
                    .entry(k.party.clone())
                    .or_default()
                    .push(k.public);
            }
            Change::KeyRevoked { public, at } => {
                if let Some(k) = self.keys.get_mut(public) {
                    k.revoked_at = Some(*at);
                }
            }
            Change::KeyRestored { public } => {
                if let Some(k) = self.keys.get_mut(public) {
                    k.revoked_at = None;
                }
            }
            Change::CollectiveRegistered { collective, .. } => {
                self.collectives
                    .insert(collective.code.clone(), collective.clone());
            }
            Change::ParcelRegistered { parcel, .. } => {
                self.parcels.insert(parcel.code.clone(), parcel.clone());
            }
            Change::ParcelRetired { code, at } => {
                if let Some(p) = self.parcels.get_mut(code.as_str()) {
                    p.retired_at = Some(*at);
                }
            }
            Change::EncumbranceRegistered(e) => {
                self.encumbrances.insert(e.index, e.clone());
            }
            Change::SharesQuantified {
                collective,
                index,
                allocations,
            } => {
                self.quantified.insert(collective.clone(), *index);
                for (holder, n) in allocations {
                    let h = self.holdings.get_or_default(holder.clone());
                    *h = h.saturating_add(*n);
                }
            }
            Change::SharesMoved { from, to, shares } => {
                // The rules check both ends (held, total ≤ 2^53−1, L1); the
                // arithmetic here cannot wrap whatever they let through.
                if let Some(h) = self.holdings.get_mut(from) {
                    *h = h.saturating_sub(*shares);
                }
                let h = self.holdings.get_or_default(to.clone());
                *h = h.saturating_add(*shares);
            }
            Change::SettingsChanged { settings, .. } => self.settings.set(settings.clone()),
            Change::ListingSaved(l) => {
                let old = self.listings.insert(l.id, (**l).clone());
                let was_numbered = old.as_ref().is_some_and(|o| o.contract_no.is_some());
                if l.contract_no.is_some() != was_numbered {
                    let n = self
                        .contracts_numbered
                        .entry(l.collective.clone())
                        .or_default();
                    if was_numbered {
                        *n = n.saturating_sub(1);
                    } else {
                        *n += 1;
                    }
                }
                if let Some(old) = old {
                    for t in old.titles() {
                        self.unindex(&t.key(), |o| o.listings.retain(|&i| i != l.id));
                    }
                }
                if l.status.is_open() {
                    for t in l.titles() {
                        self.on_title
                            .entry(t.key())
                            .or_default()
                            .listings
                            .push(l.id);
                    }
                }
            }
            Change::ActSaved(a) => {
                self.acts.insert(a.index, (**a).clone());
            }
            Change::RightSaved(r) => {
                if let Some(old) = self.rights.insert(r.index, r.clone()) {
                    for t in old.titles() {
                        self.unindex(&t.key(), |o| o.rights.retain(|&i| i != r.index));
                    }
                }
                if r.ended.is_none() {
                    for t in r.titles() {
                        self.on_title
                            .entry(t.key())
                            .or_default()
                            .rights
                            .push(r.index);
                    }
                }
            }
            Change::TransfereeReviewed(r) => {
                self.reviews.insert(r.index, r.clone());
            }
            Change::SurrenderSaved(x) => {
                self.surrenders.insert(x.index, x.clone());
            }
            Change::ContractReturnWithdrawn { code } => {
                if let Some(k) = self.contracts.get_mut(code) {
                    k.returned = None;
                }
            }
            Change::HomesteadRestored { household, .. } => {
                if let Some(h) = self.homesteads.get_mut(household) {
                    h.exited = None;
                }
            }
            Change::HukouSettled(h) => {
                self.hukou.insert(h.index, h.clone());
            }
            Change::Attested(a) => {
                self.attestations.insert(a.index, a.clone());
            }
            Change::TitleTouched { parcels, at } => {
                for p in parcels {
                    self.touched.insert(p.clone(), *at);
                }
            }
            Change::HouseholdMembers { household, members } => {
                if let Some(h) = self.households.get_mut(household) {
                    for m in &h.members {
                        if self.member_of.get(&m.person) == Some(household) {
                            self.member_of.remove(&m.person);
                        }
                    }
                    for m in members {
                        self.member_of.insert(m.person.clone(), household.clone());
                    }
                    h.members = members.clone();
                }
            }
            Change::HouseholdMerged {
                household,
                into,
                at,
            } => {
                if let Some(h) = self.households.get_mut(household) {
                    h.merged = Some((*at, into.clone()));
                }
            }
            Change::ContractParcels { code, parcels } => {
                if let Some(k) = self.contracts.get_mut(code) {
                    for p in &k.parcels {
                        if self.contract_of.get(p) == Some(code) {
                            self.contract_of.remove(p);
                        }
                    }
                    for p in parcels {
                        self.contract_of.insert(p.clone(), code.clone());
                    }
                    k.parcels = parcels.clone();
                }
            }
            Change::CertificateMembers { contract, members } => {
                if let Some(k) = self.contracts.get_mut(contract) {
                    k.certificate_members = members.clone();
                }
            }
            Change::ContractRenewed { code, start, end } => {
                if let Some(k) = self.contracts.get_mut(code) {
                    k.start = *start;
                    k.end = *end;
                }
            }
            Change::ContractHolder { code, household } => {
                if let Some(k) = self.contracts.get_mut(code) {
                    k.household = household.clone();
                }
            }
            Change::HomesteadMoved { from, to } => {
                if let Some(mut h) = self.homesteads.remove(from) {
                    h.household = to.clone();
                    self.homesteads.insert(to.clone(), h);
                }
            }
            Change::NoticePosted(n) => {
                self.notices.insert(n.index, n.clone());
            }
            Change::CertificateIssued {
                contract,
                index,
                notice,
            } => {
                self.certificates
                    .insert(contract.clone(), (*index, *notice));
            }
            Change::ContractReturned {
                code,
                at,
                effective,
                compensation,
            } => {
                if let Some(k) = self.contracts.get_mut(code) {
                    k.returned = Some((*at, *effective, *compensation));
                }
            }
            Change::HomesteadGranted { homestead, .. } => {
                self.homesteads
                    .insert(homestead.household.clone(), homestead.clone());
            }
            Change::HomesteadExited {
                household,
                at,
                compensation,
            } => {
                if let Some(h) = self.homesteads.get_mut(household) {
                    h.exited = Some((*at, *compensation));
                }
            }
            Change::MemberAdmitted(m) => {
                self.memberships.insert(m.person.clone(), m.clone());
            }
            Change::MembershipRestored { person } => {
                if let Some(m) = self.memberships.get_mut(person) {
                    m.ended = None;
                }
            }
            Change::MembershipEnded { person, at, reason } => {
                if let Some(m) = self.memberships.get_mut(person) {
                    m.ended = Some((*at, reason.clone()));
                }
            }
            Change::DividendDistributed(d) => {
                self.distributions.insert(d.index, d.clone());
            }
            Change::ContractGranted(c) => {
                for p in &c.parcels {
                    self.contract_of.insert(p.clone(), c.code.clone());
                }
                self.contracts.insert(c.code.clone(), c.clone());
            }
            Change::HouseholdRegistered(h) => {
                for m in &h.members {
                    self.member_of.insert(m.person.clone(), h.code.clone());
                }
                self.households.insert(h.code.clone(), h.clone());
            }
            Change::DecisionRecorded(d) => {
                self.decisions.insert(d.index, d.clone());
            }
            Change::ExpropriationSaved(x) => {
                self.expropriations.insert(x.index, x.clone());
            }
            Change::EstateSettled(e) => {
                self.estates.insert(e.household.clone(), e.clone());
            }
            Change::EncumbranceReleased { index, at } => {
                if let Some(e) = self.encumbrances.get_mut(index) {
                    e.released_at = Some(*at);
                }
            }
            Change::ObjectionSued { index, at } => {
                if let Some(e) = self.encumbrances.get_mut(index) {
                    e.sued_at = Some(*at);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::titles::Title;

    /// P1: template 2's 合同编号 run on per collective. The count an award
    /// numbers from is kept by `apply` as listings are saved — a number is
    /// counted once however often its listing is saved again — and made
    /// anew by `reindex` after a load, to the same figures.
    #[test]
    fn p1_contract_numbers_given_are_counted_per_collective_and_rebuilt_alike() {
        let listing = |id: u64, collective: &str, numbered: bool| {
            let mut l: crate::model::exchange::Listing =
                serde_json::from_value(serde_json::json!({
                    "id": id, "mode": "lease", "transferor": "140421001001010002",
                    "household": "140421001001010002", "collective": collective,
                    "contract": "140421001001010002J", "parcels": ["1404210010010100006"],
                    "start": "2027-01-01", "end": "2036-12-31", "land_use": "1",
                    "reserve": 2_530_000, "increment": 10_000, "deposit": 100_000,
                    "auction_minutes": 60, "status": "trading", "notice_from": null,
                    "notice_to": null, "county_level": false, "intents": [], "bids": [],
                    "deadline": null, "award": null, "signed_by": [], "verified_at": null,
                    "paid_at": null, "certificate_no": null, "settled_at": null, "history": []
                }))
                .unwrap();
            l.contract_no = numbered.then(|| format!("{collective}{id:04}"));
            Change::ListingSaved(Box::new(l))
        };
        let (a, b) = ("14042100100101", "14042100100102");
        let mut state = State::default();
        for change in [
            listing(1, a, false),
            listing(1, a, true),
            // Saved again (signed, settled): still one number.
            listing(1, a, true),
            listing(2, a, true),
            listing(3, b, false),
            listing(4, b, true),
            listing(5, a, false),
        ] {
            state.apply(&change);
        }
        assert_eq!(state.contracts_numbered.get(a), Some(&2));
        assert_eq!(state.contracts_numbered.get(b), Some(&1));
        let mut reloaded = state.clone();
        reloaded.contracts_numbered.clear();
        reloaded.reindex();
        assert_eq!(reloaded.contracts_numbered, state.contracts_numbered);
    }

    /// A share transfer changes the title a shares listing rests on, so a
    /// settlement verified before it is refused (`title_changed`).
    #[test]
    fn moving_shares_touches_both_households_share_titles() {
        let state = State::default();
        let moved = Change::SharesMoved {
            from: "140421001001010001".into(),
            to: "140421001001010002".into(),
            shares: 1,
        };
        assert_eq!(
            state.titles_of(&moved),
            vec![
                Title::Shares("140421001001010001".into()),
                Title::Shares("140421001001010002".into())
            ]
        );
        let quantified = Change::SharesQuantified {
            collective: "14042100100101".into(),
            index: 9,
            allocations: vec![("140421001001010001".into(), 3)],
        };
        assert_eq!(
            state.titles_of(&quantified),
            vec![Title::Shares("140421001001010001".into())]
        );
    }

    /// C2: a contract holds its land past its end until a return takes
    /// effect; only then is the land free.
    #[test]
    fn a_contract_holds_its_land_until_its_households_own_act() {
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        let mut k = Contract {
            code: "140421001001010001J".into(),
            household: "140421001001010001".into(),
            parcels: vec!["1404210010010100001".into()],
            start: d("1998-01-01"),
            end: d("2027-12-31"),
            certificate_members: vec![],
            registered_at: 1,
            returned: None,
        };
        assert!(k.holds(d("2090-01-01")) && k.extended_by_law(d("2028-01-01")));
        assert!(!k.extended_by_law(d("2027-12-31")));
        // Arable land's term runs on by law, thirty years at a time.
        assert_eq!(k.end_by_law(d("2027-12-31"), true), d("2027-12-31"));
        assert_eq!(k.end_by_law(d("2028-01-01"), true), d("2057-12-31"));
        assert_eq!(k.end_by_law(d("2060-01-01"), true), d("2087-12-31"));
        assert_eq!(k.end_by_law(d("2028-01-01"), false), d("2027-12-31"));
        k.returned = Some((5, d("2027-06-30"), crate::model::Fen(100)));
        assert!(k.holds(d("2027-06-29")) && !k.holds(d("2027-06-30")));
        assert!(!k.extended_by_law(d("2028-01-01")));
    }
}
