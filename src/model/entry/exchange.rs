//! The exchange: listings, their review and objections, intents, deposits, bids, awards, contracts, verification, payment, settlement, and the derived rights.

use super::*;

/// `listing.submit`: a household (or, for `onward`, a transferee) lists a
/// voluntary, compensated transfer on the exchange (X1, M2, M3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingSubmit {
    pub mode: crate::model::exchange::Mode,
    /// The parcels, under the household's contract (none for a house lease).
    #[serde(rename = "DKBM", default, skip_serializing_if = "Vec::is_empty")]
    pub parcels: Vec<ParcelCode>,
    /// For `onward`: the derived right (its settlement's log index) passed on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right: Option<u64>,
    /// First and last day of the term, YYYY-MM-DD. An assignment or swap
    /// runs to its contract's end and shares pass for good, so for those
    /// `end` may be left out.
    pub start: Day,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub end: String,
    /// 土地用途 the transferee keeps: agricultural (1–4) for land.
    #[serde(rename = "TDYT", default, skip_serializing_if = "Option::is_none")]
    pub land_use: Option<String>,
    /// Yuan for the whole term, decimal strings.
    pub reserve: Yuan,
    /// The auction's rules — the least raise, the deposit, how long it runs
    /// once it opens — are the exchange's to set when it approves the
    /// listing (X2: `listing.review`); a listing may propose them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<Yuan>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposit: Option<Yuan>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auction_minutes: Option<u32>,
    /// For `onward`: SHA-256 (hex) of the household's written consent (M2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_sha256: Option<Sha256>,
    /// For `swap`: the other household's parcels taken in return.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub swap_for: Vec<String>,
    /// For `shares`: how many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares: Option<u64>,
    /// For `asset_lease`: what is let, and the log index of the members'
    /// decision to let it (X5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<u64>,
}

/// `assignment.consent`: the 发包方 consents to the assignment a listing
/// offers (M2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentConsent {
    pub listing: u64,
    pub document_sha256: Sha256,
}

/// `listing.object`: an objection to a listing under notice (X2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingObject {
    pub listing: u64,
    pub reason: Text,
    pub document_sha256: Sha256,
}

/// `listing.withdraw`: the party that listed takes its listing back before
/// an award (M3: no one may force a transfer); deposits go back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingWithdraw {
    pub listing: u64,
    pub reason: Text,
}

/// `award.cancel`: the exchange cancels an award the winner did not pay
/// within the payment period (X2); the winner's deposit is forfeited as
/// announced, and the listing goes to the next bidder or is withdrawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardCancel {
    pub listing: u64,
    pub reason: Text,
}

/// `objection.resolve`: the exchange answers an objection; one upheld
/// withdraws the listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionResolve {
    pub listing: u64,
    /// The log index of the objection.
    pub objection: u64,
    pub upheld: bool,
    pub reason: Text,
}

/// `transfer.register`: a household registers the change a settled
/// assignment, swap or share transfer makes to its own base right (X2's
/// change of registration; G1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRegister {
    pub listing: u64,
}

/// `transferee.qualify`: the county's review of a transferee: for an
/// organisation its qualification, project and risk (M8); for a natural
/// person the month of birth the age limits are checked against (X6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransfereeQualify {
    pub party: String,
    /// `person` or `organisation`.
    pub kind: String,
    /// For a person: YYYY-MM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub born: Option<String>,
    /// For an organisation: SHA-256 of the project plan and of the risk
    /// review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_sha256: Option<Sha256>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_sha256: Option<Sha256>,
    pub approved: bool,
}

/// `listing.review`: the exchange admits a listing to notice, or rejects it
/// with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingReview {
    pub listing: u64,
    pub approve: bool,
    pub reason: Text,
    /// X2: approving, the exchange sets the auction's rules — the least
    /// raise and the deposit (yuan), how long the auction runs once it opens
    /// (minutes) — in place of any the listing proposed; a listing that
    /// proposed none is approved only with them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<Yuan>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposit: Option<Yuan>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auction_minutes: Option<u32>,
}

/// `intent.register`: a would-be transferee registers its intent during the
/// notice, with the deposit the listing asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntentRegister {
    pub listing: u64,
    pub deposit: Yuan,
}

/// `deposit.confirm`: the exchange confirms a deposit arrived in escrow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DepositConfirm {
    pub listing: u64,
    pub party: String,
}

/// `bid.place`: a qualified bidder bids, for the whole term (X4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BidPlace {
    pub listing: u64,
    pub amount: Yuan,
}

/// `bid.match`: a member of the collective matches the best bid of an
/// outsider before the award, and wins on equal terms (M3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BidMatch {
    pub listing: u64,
}

/// `listing.award`: the exchange awards the deal (X4); the contract is then
/// rendered from its template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingAward {
    pub listing: u64,
}

/// `contract.sign`: a party signs the contract of an award (M5). On the
/// Chinese contracts (template 2) it names the SHA-256 of the
/// 当事人信息及签署页 it read, and `contract_sha256` is what covers both
/// parts (`exchange::signed_sha256`); on template 1, the text's SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractSign {
    pub listing: u64,
    pub contract_sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_sha256: Option<Sha256>,
}

/// `title.verify`: the county verifies that the title is current and
/// unencumbered, at this entry's log index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TitleVerify {
    pub listing: u64,
}

/// `payment.release`: the exchange pays the price held in escrow out to the
/// transferor (M4), once the deal is settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRelease {
    pub listing: u64,
    /// The price paid out, yuan: all of it.
    pub amount: Yuan,
}

/// `payment.confirm`: the exchange confirms the price is in escrow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentConfirm {
    pub listing: u64,
    pub amount: Yuan,
}

/// `deal.settle`: the exchange settles: the derived right is created, the
/// losing deposits go back, the 交易鉴证书 is recorded (X2, G2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DealSettle {
    pub listing: u64,
    pub certificate_no: String,
}

/// `right.certify`: the county issues the 土地经营权证 of a registered right
/// (M6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RightCertify {
    /// The log index of the settlement that made the right.
    pub right: u64,
    /// The certificate's number, as printed.
    pub certificate_no: Text,
}

/// `right.end`: the household ends a derived right early, only on M7's
/// grounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RightEnd {
    pub right: u64,
    /// use_changed, abandoned, damaged.
    pub ground: String,
    pub document_sha256: Sha256,
}
