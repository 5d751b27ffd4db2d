//! The state that rules read, kept in memory by the writer and rebuilt by
//! `verify` from the log. It changes only through [`Change`]s, which the rules
//! return and the store also writes to the projection tables.

use std::collections::HashMap;
use std::sync::Arc;

pub use compact_str::CompactString;

use super::entry::EncumbranceKind;
use super::rows;
pub use super::rows::{Rows, Single};
use super::units::Area;
use super::Role;

pub type Shape = Arc<geo_types::MultiPolygon<f64>>;

/// A collective economic organisation (发包方) and its boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct Collective {
    pub code: String,
    pub name: String,
    pub area: Area,
    pub bbox: [f64; 4],
    pub geojson: String,
    pub registered_at: u64,
}

/// A parcel (地块) with its NY/T 2539 attributes. A county holds millions, so
/// the short texts live inline ([`CompactString`]), without an allocation each,
/// and the state's geometry is the shape the spatial index shares (`G` =
/// [`Shape`]); read from the projection, it is GeoJSON text (`G` = `String`).
#[derive(Debug, Clone, PartialEq)]
pub struct Parcel<G = Shape> {
    pub code: CompactString,
    pub collective: CompactString,
    pub name: CompactString,
    pub class: CompactString,
    pub land_use: CompactString,
    pub grade: CompactString,
    pub basic_farmland: bool,
    pub declared: Option<Area>,
    pub area: Area,
    pub bbox: [f64; 4],
    pub geometry: G,
    pub registered_at: u64,
    pub retired_at: Option<u64>,
}

/// The county whose log this is, from the genesis entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct County {
    pub code: String,
    pub name: String,
    pub log_vkey: String,
    pub root_vkey: String,
}

/// A key bound to a role and party on the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBinding {
    pub public: [u8; 32],
    pub vkey: String,
    pub role: Role,
    pub party: String,
    pub registered_at: u64,
    pub revoked_at: Option<u64>,
    /// A county key's department (A2); `None` for the root key (and every
    /// county key bound before the authority rules).
    pub department: Option<super::Department>,
}

impl KeyBinding {
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }
}

/// An encumbrance on a parcel, named by the log index that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encumbrance {
    pub index: u64,
    pub parcel: CompactString,
    pub kind: EncumbranceKind,
    /// The party whose key filed it.
    pub by: String,
    pub reason: String,
    pub document_sha256: String,
    pub released_at: Option<u64>,
    /// R2: the last day an objection holds unless the objector sues.
    pub lapses_on: Option<chrono::NaiveDate>,
    /// R2: where the county recorded the objector's suit; the objection then
    /// holds until released.
    pub sued_at: Option<u64>,
    /// E2 (rules 2), a pledge: the lender it is given to — a party an
    /// expropriation of the land compensates.
    pub pledgee: Option<String>,
}

impl Encumbrance {
    /// In force on `day`: not released, and not an objection that lapsed.
    pub fn in_force(&self, day: chrono::NaiveDate) -> bool {
        self.released_at.is_none()
            && (self.sued_at.is_some() || self.lapses_on.is_none_or(|last| day <= last))
    }
}

/// A contracting household (承包方) and its members, named by commitments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    pub code: String,
    pub collective: String,
    pub members: Vec<super::entry::Member>,
    pub registered_at: u64,
    /// A merge into another household (合户, P3): log index and that household.
    pub merged: Option<(u64, String)>,
}

/// A land contract (承包合同) in force, and the parcels it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub code: String,
    pub household: String,
    pub parcels: Vec<String>,
    pub start: chrono::NaiveDate,
    pub end: chrono::NaiveDate,
    pub certificate_members: Vec<String>,
    pub registered_at: u64,
    /// A voluntary return (C6): log index, effective day, compensation (fen).
    pub returned: Option<(u64, chrono::NaiveDate, i64)>,
}

impl Contract {
    /// Whether the household still holds the land on `day` (C2): until its
    /// own act ends the contract — a return taking effect — and never by the
    /// end of the term alone: an arable contract is extended by law, and a
    /// grass- or forest-land household has the priority to renew, so the
    /// land is granted to no one else meanwhile.
    pub fn holds(&self, day: chrono::NaiveDate) -> bool {
        self.returned
            .is_none_or(|(_, effective, _)| day < effective)
    }

    /// Held past the end of its recorded term, awaiting the collective's
    /// record of the extension (C2: "extended by law").
    pub fn extended_by_law(&self, day: chrono::NaiveDate) -> bool {
        day > self.end && self.holds(day)
    }

    /// The last day of the term by law on `day` (C2): for arable land held
    /// past its recorded end, the end extended by thirty years (as often as
    /// needed), whether or not the collective has recorded it yet — so the
    /// household may transfer its right for the extended term and is never
    /// stuck waiting on the collective's record.
    pub fn end_by_law(&self, day: chrono::NaiveDate, arable: bool) -> chrono::NaiveDate {
        let mut end = self.end;
        while arable && self.holds(day) && day > end {
            match end.checked_add_months(chrono::Months::new(360)) {
                Some(next) => end = next,
                None => break,
            }
        }
        end
    }

    /// Whether the contract's recorded term runs on `day` (and no return
    /// has taken effect).
    pub fn in_force(&self, day: chrono::NaiveDate) -> bool {
        day <= self.end
            && self
                .returned
                .is_none_or(|(_, effective, _)| day < effective)
    }
}

/// A distribution of a collective's income (S3), named by its log index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    pub index: u64,
    pub collective: String,
    pub total: super::shares::Fen,
    pub reserve: super::shares::Fen,
    pub welfare: super::shares::Fen,
    /// Each holder (household, or the collective for shares it bought back)
    /// and what it receives, in fen; they add up to total − reserve − welfare.
    pub parts: Vec<(String, super::shares::Fen)>,
    /// D1 (rules 2): the decisions it rests on, used for it only.
    pub decisions: Vec<u64>,
}

/// Membership of the collective economic organisation (P4), by person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub person: String,
    pub collective: String,
    pub admitted_at: u64,
    pub decision: u64,
    pub ended: Option<(u64, String)>,
}

/// A household's homestead (宅基地), one at most in force (H1).
#[derive(Debug, Clone, PartialEq)]
pub struct Homestead {
    pub household: String,
    pub collective: String,
    pub area: Area,
    pub bbox: [f64; 4],
    pub geometry: Shape,
    pub granted_at: u64,
    /// Log index and compensation (fen) of a voluntary exit.
    pub exited: Option<(u64, i64)>,
}

impl Homestead {
    /// Its key in the spatial index, beside the parcels.
    pub fn land_key(household: &str) -> String {
        super::titles::homestead(household)
    }
}

/// A surrender by a household or a member — a return of a contract (C6), an
/// exit from the homestead (H5), a member's voluntary exit from the
/// collective (P4) or a share buy-back (S2) — which may be withdrawn until
/// `until` (G4).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Surrender {
    pub index: u64,
    pub household: String,
    /// `contract.return`, `homestead.exit`, `member.end` or `shares.buyback`.
    pub kind: String,
    /// The contract returned, for a return.
    pub contract: Option<String>,
    /// The member who left, for a voluntary exit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// The shares sold back, for a buy-back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares: Option<u64>,
    pub day: chrono::NaiveDate,
    /// The last day of the cooling-off window.
    pub until: chrono::NaiveDate,
    pub withdrawn: Option<u64>,
}

/// A posting of registration results (公示), named by its log index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub index: u64,
    pub collective: String,
    pub contracts: Vec<String>,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
}

/// A certificate issued for a contract: (log index, notice index).
pub type Certificate = (u64, u64);

/// A household whose last member died, and its heirs (I2–I4), named by the
/// household: what it still holds — forest or grass land for the rest of
/// its term, the house with the homestead held through it, the shares and
/// their income — it holds for them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Estate {
    pub index: u64,
    pub household: String,
    pub heirs: Vec<String>,
    /// Fen, to the heirs, for the arable land returned.
    pub compensation: super::shares::Fen,
}

/// An act over a party (DOMAIN.md A1): an entry that would end, move or
/// reduce a household's base rights, a membership, a place on a certificate
/// or the keys acting for a party, without that party's own signature. It
/// is accepted as *pending*, named by its log index: on the log at once,
/// shown on the party's page and on each title it touches, and carried out
/// only when its protective notice (A3) has run with no objection — by an
/// `act.effect` the writer appends, under the rules of that day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Act {
    pub index: u64,
    pub kind: String,
    /// The entry's body, carried out when the notice ends.
    pub body: serde_json::Value,
    /// The signer's public key and the cosigners' (hex): the two hands (A2).
    pub signer: String,
    pub cosigners: Vec<String>,
    /// The parties it acts over (households, or a transferee's key).
    pub parties: Vec<String>,
    /// The titles it would change: nothing on them is granted meanwhile.
    pub titles: Vec<String>,
    /// The first day it may take effect: the day it was logged and the
    /// county's `act_notice_days`.
    pub from: chrono::NaiveDate,
    /// An objection by a party it acts over: log index and party. It holds
    /// the act until an award decides (R1).
    pub objection: Option<(u64, String)>,
    /// How it ended: log index and what.
    pub closed: Option<(u64, ActEnd)>,
    /// A5: the log index of the award that undid it, once carried out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restored: Option<u64>,
}

/// How an act over a party ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActEnd {
    /// Carried out after its notice (or upheld by an award).
    Done,
    /// When its notice ended, its rule no longer allowed it (the state had
    /// changed): nothing was done. The refusal's code.
    Lapsed(String),
    /// An award quashed it after an objection.
    Quashed,
    /// The party's own current key cancelled a key recovery (A6).
    Cancelled,
}

impl Act {
    /// Still to be carried out or decided.
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }

    /// Due to be carried out on `day`: open, unobjected, notice over.
    pub fn is_due(&self, day: chrono::NaiveDate) -> bool {
        self.is_open() && self.objection.is_none() && day >= self.from
    }
}

/// An expropriation (征收) of a collective's parcels (E1), named by the log
/// index of its pre-announcement, with its plan, hearing and payments.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Expropriation {
    pub index: u64,
    pub collective: String,
    pub parcels: Vec<String>,
    pub purpose: String,
    pub announced: chrono::NaiveDate,
    pub plan: Option<CompensationPlan>,
    /// The log index of the hearing, if held.
    pub hearing: Option<u64>,
    /// (log index, party, fen) of each payment.
    pub payments: Vec<(u64, String, super::shares::Fen)>,
    /// The log index at which the rights on the land ended.
    pub completed: Option<u64>,
    /// The log index at which the county withdrew it (the land stays as it
    /// is; what was paid stays paid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<u64>,
    /// E3 (rules 2): the least the plan pays for the land — the zone price
    /// (区片综合地价) in force at the announcement times each parcel's area —
    /// in fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<super::shares::Fen>,
    /// E3: the households that asked for a hearing with their own entry
    /// (`expropriation.ask_hearing`); once asked, it stays asked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hearing_asked: Vec<String>,
    /// E3: the parties whose compensation is known to have reached them —
    /// a household's own acknowledgement, or the exchange holding it in
    /// escrow for the party — with the log index.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub received: Vec<(u64, String)>,
}

/// The compensation and resettlement plan of an expropriation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CompensationPlan {
    pub index: u64,
    pub notice_from: chrono::NaiveDate,
    pub notice_to: chrono::NaiveDate,
    pub hearing_requested: bool,
    /// (party, head, fen).
    pub lines: Vec<(String, super::entry::CompensationHead, super::shares::Fen)>,
}

impl Expropriation {
    /// Whether a hearing must be held before completion (E1, E3): the plan
    /// asked for one, or a household did.
    pub fn hearing_due(&self) -> bool {
        self.plan.as_ref().is_some_and(|p| p.hearing_requested) || !self.hearing_asked.is_empty()
    }

    /// What the plan allots `party`, in fen.
    pub fn allotted(&self, party: &str) -> super::shares::Fen {
        self.plan.as_ref().map_or(0, |p| {
            p.lines
                .iter()
                .filter(|(to, _, _)| to == party)
                .map(|(_, _, fen)| fen)
                .sum()
        })
    }

    /// What has been paid to `party`, in fen.
    pub fn paid(&self, party: &str) -> super::shares::Fen {
        self.payments
            .iter()
            .filter(|(_, to, _)| to == party)
            .map(|(_, _, fen)| fen)
            .sum()
    }

    /// The parties of the plan not yet paid in full, in the plan's order.
    pub fn unpaid(&self) -> Vec<&str> {
        let mut parties: Vec<&str> = Vec::new();
        for (party, _, _) in self.plan.iter().flat_map(|p| &p.lines) {
            if !parties.contains(&party.as_str()) && self.paid(party) < self.allotted(party) {
                parties.push(party);
            }
        }
        parties
    }
}

/// A member's settlement in a town (进城落户), recorded and nothing more (G3).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HukouEvent {
    pub index: u64,
    pub person: String,
    pub town: String,
    pub date: chrono::NaiveDate,
}

/// The county's attestation of the base rights a household holds (G3).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attestation {
    pub index: u64,
    pub household: String,
    pub day: chrono::NaiveDate,
    pub rights: super::exchange::BaseRights,
}

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
        compensation: i64,
    },
    ContractReturned {
        code: String,
        at: u64,
        effective: chrono::NaiveDate,
        compensation: i64,
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

/// What rests on one title (parcel or homestead).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnTitle {
    pub listings: Vec<u64>,
    pub rights: Vec<u64>,
}

impl<G> Parcel<G> {
    /// The same parcel with its geometry in another form.
    pub fn with_geometry<H>(self, geometry: H) -> Parcel<H> {
        Parcel {
            code: self.code,
            collective: self.collective,
            name: self.name,
            class: self.class,
            land_use: self.land_use,
            grade: self.grade,
            basic_farmland: self.basic_farmland,
            declared: self.declared,
            area: self.area,
            bbox: self.bbox,
            geometry,
            registered_at: self.registered_at,
            retired_at: self.retired_at,
        }
    }
}

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
                if let Some(old) = self.listings.insert(l.id, (**l).clone()) {
                    for t in old.titles() {
                        self.unindex(&t, |o| o.listings.retain(|&i| i != l.id));
                    }
                }
                if l.status.is_open() {
                    for t in l.titles() {
                        self.on_title.entry(t).or_default().listings.push(l.id);
                    }
                }
            }
            Change::ActSaved(a) => {
                self.acts.insert(a.index, (**a).clone());
            }
            Change::RightSaved(r) => {
                if let Some(old) = self.rights.insert(r.index, r.clone()) {
                    for t in old.titles() {
                        self.unindex(&t, |o| o.rights.retain(|&i| i != r.index));
                    }
                }
                if r.ended.is_none() {
                    for t in r.titles() {
                        self.on_title.entry(t).or_default().rights.push(r.index);
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

    /// The encumbrances in force on a parcel on `day`.
    pub fn encumbrances_on<'a>(
        &'a self,
        parcel: &'a str,
        day: chrono::NaiveDate,
    ) -> impl Iterator<Item = &'a Encumbrance> + 'a {
        self.encumbrances
            .values()
            .filter(move |e| e.parcel == parcel && e.in_force(day))
    }

    /// The contract in force over `parcel` on `day`, if one is.
    pub fn contract_over(&self, parcel: &str, day: chrono::NaiveDate) -> Option<&Contract> {
        self.contract_of
            .get(parcel)
            .and_then(|c| self.contracts.get(c))
            .filter(|k| k.holds(day))
    }

    /// The titles (parcels, or `ZJD…` homesteads) `change` alters.
    pub fn titles_of(&self, change: &Change) -> Vec<String> {
        let of_contract = |code: &str| {
            self.contracts
                .get(code)
                .map(|k| k.parcels.clone())
                .unwrap_or_default()
        };
        match change {
            Change::ParcelRetired { code, .. } => vec![code.clone()],
            // R3 (rules 2): an objection holds a deal past its title
            // verification only once the county records the objector's
            // suit (`ObjectionSued` touches the title); filed, it does not.
            Change::EncumbranceRegistered(e)
                if self.settings.authority() && e.kind == EncumbranceKind::Objection =>
            {
                Vec::new()
            }
            Change::EncumbranceRegistered(e) => vec![e.parcel.to_string()],
            Change::EncumbranceReleased { index, .. } => self
                .encumbrances
                .get(index)
                .map(|e| vec![e.parcel.to_string()])
                .unwrap_or_default(),
            Change::ContractGranted(k) => k.parcels.clone(),
            Change::ContractParcels { code, parcels } => {
                let mut all = of_contract(code);
                all.extend(parcels.iter().cloned());
                all
            }
            Change::ContractHolder { code, .. }
            | Change::ContractReturned { code, .. }
            | Change::ContractRenewed { code, .. } => of_contract(code),
            Change::RightSaved(r) => r.parcels.clone(),
            Change::ActSaved(a) => a.titles.clone(),
            Change::HomesteadExited { household, .. }
            | Change::HomesteadRestored { household, .. } => {
                vec![Homestead::land_key(household)]
            }
            Change::ContractReturnWithdrawn { code } => of_contract(code),
            Change::HomesteadMoved { from, to } => {
                vec![Homestead::land_key(from), Homestead::land_key(to)]
            }
            Change::HomesteadGranted { homestead, .. } => {
                vec![Homestead::land_key(&homestead.household)]
            }
            Change::ObjectionSued { index, .. } => self
                .encumbrances
                .get(index)
                .map(|e| vec![e.parcel.to_string()])
                .unwrap_or_default(),
            // A household's shares are the title a shares listing rests on.
            Change::SharesMoved { from, to, .. } => {
                vec![super::titles::shares(from), super::titles::shares(to)]
            }
            Change::SharesQuantified { allocations, .. } => allocations
                .iter()
                .map(|(holder, _)| super::titles::shares(holder))
                .collect(),
            Change::HouseholdMerged {
                household, into, ..
            } => {
                let mut all: Vec<String> = self
                    .contracts
                    .values()
                    .filter(|k| &k.household == household)
                    .flat_map(|k| k.parcels.clone())
                    .collect();
                all.push(Homestead::land_key(household));
                all.push(Homestead::land_key(into));
                all.push(super::titles::shares(household));
                all.push(super::titles::shares(into));
                all
            }
            // Every change is named here, so that a new one must say which
            // titles it touches (a settlement verified before is refused).
            Change::LogFounded { .. }
            | Change::KeyBound(_)
            | Change::KeyRevoked { .. }
            | Change::KeyRestored { .. }
            | Change::CollectiveRegistered { .. }
            | Change::ParcelRegistered { .. }
            | Change::DecisionRecorded(_)
            | Change::HouseholdRegistered(_)
            | Change::DividendDistributed(_)
            | Change::MemberAdmitted(_)
            | Change::MembershipEnded { .. }
            | Change::MembershipRestored { .. }
            | Change::NoticePosted { .. }
            | Change::SettingsChanged { .. }
            | Change::HouseholdMembers { .. }
            | Change::ListingSaved(_)
            | Change::TransfereeReviewed(_)
            | Change::SurrenderSaved(_)
            | Change::HukouSettled(_)
            | Change::Attested(_)
            | Change::TitleTouched { .. }
            | Change::CertificateIssued { .. }
            | Change::CertificateMembers { .. }
            | Change::ExpropriationSaved(_)
            | Change::EstateSettled(_) => Vec::new(),
        }
    }

    fn unindex(&mut self, title: &str, remove: impl FnOnce(&mut OnTitle)) {
        if let Some(o) = self.on_title.get_mut(title) {
            remove(o);
            if o.listings.is_empty() && o.rights.is_empty() {
                self.on_title.remove(title);
            }
        }
    }

    /// Rebuilds `keys_of` from the keys and `on_title` from the listings and
    /// rights.
    pub fn reindex(&mut self) {
        self.keys_of.clear();
        let mut keys: Vec<_> = self.keys.values().collect();
        keys.sort_by_key(|k| k.registered_at);
        for k in keys {
            self.keys_of
                .entry(k.party.clone())
                .or_default()
                .push(k.public);
        }
        self.on_title.clear();
        let mut listings: Vec<_> = self
            .listings
            .values()
            .filter(|l| l.status.is_open())
            .collect();
        listings.sort_by_key(|l| l.id);
        for l in listings {
            for t in l.titles() {
                self.on_title.entry(t).or_default().listings.push(l.id);
            }
        }
        let mut rights: Vec<_> = self.rights.values().filter(|r| r.ended.is_none()).collect();
        rights.sort_by_key(|r| r.index);
        for r in rights {
            for t in r.titles() {
                self.on_title.entry(t).or_default().rights.push(r.index);
            }
        }
    }

    /// Open listings resting on `title`.
    pub fn listings_on<'a>(
        &'a self,
        title: &str,
    ) -> impl Iterator<Item = &'a super::exchange::Listing> + 'a {
        self.on_title
            .get(title)
            .into_iter()
            .flat_map(|o| o.listings.iter())
            .filter_map(|i| self.listings.get(i))
    }

    /// Derived rights not ended early resting on `title`.
    pub fn rights_on<'a>(
        &'a self,
        title: &str,
    ) -> impl Iterator<Item = &'a super::exchange::DerivedRight> + 'a {
        self.on_title
            .get(title)
            .into_iter()
            .flat_map(|o| o.rights.iter())
            .filter_map(|i| self.rights.get(i))
    }

    /// A household that has not merged into another.
    pub fn household(&self, code: &str) -> Option<&Household> {
        self.households.get(code).filter(|h| h.merged.is_none())
    }

    /// The shares of all holders of a collective (households and the
    /// collective itself, for shares it bought back).
    pub fn shares_of_collective(&self, collective: &str) -> u64 {
        self.holdings
            .iter()
            .filter(|(holder, _)| holder.starts_with(collective))
            .map(|(_, n)| n)
            .sum()
    }

    pub fn key(&self, public: &[u8; 32]) -> Option<&KeyBinding> {
        self.keys.get(public)
    }

    /// Every key ever bound to act as `role` for `party`, revoked or not.
    pub fn keys_for<'a>(
        &'a self,
        role: Role,
        party: &'a str,
    ) -> impl Iterator<Item = &'a KeyBinding> + 'a {
        self.keys_of
            .get(party)
            .into_iter()
            .flatten()
            .filter_map(|k| self.keys.get(k))
            .filter(move |k| k.role == role)
    }

    pub fn active_keys<'a>(
        &'a self,
        role: Role,
        party: &'a str,
    ) -> impl Iterator<Item = &'a KeyBinding> + 'a {
        self.keys_for(role, party).filter(|k| k.is_active())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::titles::shares as shares_title;

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
                shares_title("140421001001010001"),
                shares_title("140421001001010002")
            ]
        );
        let quantified = Change::SharesQuantified {
            collective: "14042100100101".into(),
            index: 9,
            allocations: vec![("140421001001010001".into(), 3)],
        };
        assert_eq!(
            state.titles_of(&quantified),
            vec![shares_title("140421001001010001")]
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
        k.returned = Some((5, d("2027-06-30"), 100));
        assert!(k.holds(d("2027-06-29")) && !k.holds(d("2027-06-30")));
        assert!(!k.extended_by_law(d("2028-01-01")));
    }
}
