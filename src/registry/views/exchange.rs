//! The exchange: listings with their history, the derived rights' certificates, the printable contract.

use super::*;

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
    /// SHA-256 of the contract as the rules render it (template 2: its 正文).
    pub contract_sha256: String,
    pub day: Option<NaiveDate>,
    /// The contract texts it is written on: 1 English, 2 Chinese (M5).
    pub template: u32,
    /// Template 2: the parties and places as the contract names them, and
    /// its 合同编号.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written: Option<crate::model::exchange::Written>,
    /// What both parties sign, once the first has (template 1: at once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_sha256: Option<String>,
}

/// One step of a listing: the entry's log index and kind.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HistoryStep {
    pub index: u64,
    pub kind: String,
}

pub fn listing(l: &crate::model::exchange::Listing) -> ListingView {
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
        reserve: l.reserve.to_string(),
        increment: l.increment.to_string(),
        deposit: l.deposit.to_string(),
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
                deposit: i.deposit.to_string(),
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
                amount: b.amount.to_string(),
                at: b.at,
                matched: b.matched,
            })
            .collect(),
        deadline: l.deadline,
        award: l.award.as_ref().map(|a| AwardView {
            index: a.index,
            party: a.party.clone(),
            price: a.price.to_string(),
            contract_sha256: a.contract_sha256.clone(),
            day: a.day,
            template: a.template,
            written: a.written.clone(),
            signed_sha256: a.signed(),
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
