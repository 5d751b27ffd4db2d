//! The exchange (农村产权流转交易): listings, their notice on the county's
//! working-day calendar, intents with deposits, bids, award, the signed
//! contract, title verification, escrow and settlement (X2), and the derived
//! rights a settlement creates (G2). A listing is kept whole, as one document
//! per listing, so that its full history reads in one place.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::shares::Fen;
use super::titles::Title;

mod contract;
mod refusal;
mod rights;

pub use contract::*;
pub use refusal::*;
pub use rights::*;

/// What a listing transfers (M2, H3). Each mode creates a derived right at
/// settlement; none changes a base right (G2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// 出租: lease of the land management right.
    Lease,
    /// 转包: sub-contract of the management right to a household of the collective.
    Subcontract,
    /// 入股: the management right contributed as equity.
    Equity,
    /// 再流转: a transferee passes on its management right, with the
    /// household's written consent (M2).
    Onward,
    /// Lease of the house on the household's homestead (H3).
    HouseLease,
    /// 转让: assignment of the contract right to a household of the same
    /// collective, with the 发包方's consent; the old contract ends on those
    /// parcels and a new one begins (M2).
    Assignment,
    /// 互换: two households of one collective swap contracted parcels (M2).
    Swap,
    /// Shares (份额) transferred to a household of the same collective (S2).
    Shares,
    /// Lease of a collective operating asset, or of the collective's own
    /// land, after the members decided it (X5, D1, D2).
    AssetLease,
    /// The homestead use right with its house, to a household of the same
    /// collective that holds none (H1, H3).
    Homestead,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Lease => "lease",
            Mode::Subcontract => "subcontract",
            Mode::Equity => "equity",
            Mode::Onward => "onward",
            Mode::HouseLease => "house_lease",
            Mode::Assignment => "assignment",
            Mode::Swap => "swap",
            Mode::Shares => "shares",
            Mode::AssetLease => "asset_lease",
            Mode::Homestead => "homestead",
        }
    }

    /// Settles into a change of the household's own base right, which the
    /// household registers itself (`transfer.register`, G1), rather than
    /// into a derived right (G2).
    pub fn moves_base_right(self) -> bool {
        matches!(
            self,
            Mode::Assignment | Mode::Swap | Mode::Shares | Mode::Homestead
        )
    }

    /// What the transfer is called, as the documents name it.
    pub fn words(self) -> &'static str {
        match self {
            Mode::Lease => "土地经营权出租",
            Mode::Subcontract => "土地经营权转包",
            Mode::Equity => "土地经营权入股",
            Mode::Onward => "土地经营权再流转",
            Mode::HouseLease => "农房出租",
            Mode::Assignment => "土地承包经营权转让",
            Mode::Swap => "土地承包经营权互换",
            Mode::Shares => "集体收益分配权份额转让",
            Mode::AssetLease => "集体经营性资产租赁",
            Mode::Homestead => "宅基地使用权及住房转让",
        }
    }

    /// Goes only to households of the listing's collective (M2, S2).
    pub fn members_only(self) -> Option<super::refusal::Why> {
        match self {
            Mode::Subcontract => Some(("a sub-contract", "转包")),
            Mode::Assignment => Some(("an assignment", "转让")),
            Mode::Swap => Some(("a swap", "互换")),
            Mode::Shares => Some(("a share transfer", "份额转让")),
            Mode::Homestead => Some(("a homestead", "宅基地")),
            _ => None,
        }
    }

    /// The Chinese contract (`contracts/`, template 2) a deal of this mode
    /// is written on, after the Ministry's model contracts (M5).
    pub fn template(self) -> &'static str {
        match self {
            Mode::Lease => include_str!("../../../contracts/lease.txt"),
            Mode::Subcontract => include_str!("../../../contracts/subcontract.txt"),
            Mode::Onward => include_str!("../../../contracts/onward.txt"),
            Mode::Equity => include_str!("../../../contracts/equity.txt"),
            Mode::HouseLease => include_str!("../../../contracts/house-lease.txt"),
            Mode::Assignment => include_str!("../../../contracts/assignment.txt"),
            Mode::Swap => include_str!("../../../contracts/swap.txt"),
            Mode::Shares => include_str!("../../../contracts/shares.txt"),
            Mode::AssetLease => include_str!("../../../contracts/asset-lease.txt"),
            Mode::Homestead => include_str!("../../../contracts/homestead.txt"),
        }
    }

    /// The English text (`contracts/v1/`, template 1) deals awarded before
    /// the Chinese contracts were written on: they keep the text they
    /// signed.
    pub fn template_v1(self) -> &'static str {
        match self {
            Mode::Lease | Mode::Subcontract | Mode::Onward => {
                include_str!("../../../contracts/v1/lease.txt")
            }
            Mode::Equity => include_str!("../../../contracts/v1/equity.txt"),
            Mode::HouseLease => include_str!("../../../contracts/v1/house-lease.txt"),
            Mode::Assignment | Mode::Swap | Mode::Shares | Mode::Homestead => {
                include_str!("../../../contracts/v1/assignment.txt")
            }
            Mode::AssetLease => include_str!("../../../contracts/v1/asset-lease.txt"),
        }
    }

    /// Every mode, for the lists that cover them all.
    pub const ALL: [Mode; 10] = [
        Mode::Lease,
        Mode::Subcontract,
        Mode::Equity,
        Mode::Onward,
        Mode::HouseLease,
        Mode::Assignment,
        Mode::Swap,
        Mode::Shares,
        Mode::AssetLease,
        Mode::Homestead,
    ];
}

/// Where a listing is in the process of X2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Submitted, waiting for the exchange's review.
    Review,
    Rejected,
    /// Under public notice (X3); intents may be registered.
    Notice,
    /// Notice over: negotiation (one bidder) or auction (two or more, X4).
    Trading,
    Awarded,
    Settled,
    /// Taken back by the party that listed it, or left without a bidder
    /// after an award was cancelled.
    Withdrawn,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Review => "review",
            Status::Rejected => "rejected",
            Status::Notice => "notice",
            Status::Trading => "trading",
            Status::Awarded => "awarded",
            Status::Settled => "settled",
            Status::Withdrawn => "withdrawn",
        }
    }

    /// A stage's name in Chinese, as the messages say it.
    pub fn zh(status: &str) -> &'static str {
        match status {
            "review" => "审核",
            "rejected" => "已驳回",
            "notice" => "公示",
            "trading" => "交易",
            "awarded" => "成交",
            "settled" => "已结算",
            "withdrawn" => "已撤回",
            _ => "该",
        }
    }

    /// Whether the listing still holds what it lists (no second listing of it).
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Rejected | Status::Settled | Status::Withdrawn)
    }
}

/// An intended transferee (意向受让方) and its deposit (保证金).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    pub party: String,
    /// A household of the listing's collective: it has priority on equal
    /// terms (M3).
    pub member: bool,
    pub deposit: Fen,
    pub registered_at: u64,
    /// When the exchange confirmed the deposit in its account.
    pub confirmed_at: Option<u64>,
    /// When the deposit went back (a losing bidder, at settlement).
    pub released_at: Option<u64>,
    /// When the exchange kept the deposit of a winner who did not pay
    /// (`award.cancel`); that party bids no more on this listing.
    #[serde(default)]
    pub forfeited_at: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bid {
    pub index: u64,
    pub party: String,
    pub amount: Fen,
    pub at: DateTime<Utc>,
    /// A member matching the best bid of an outsider (M3).
    pub matched: bool,
}

/// An objection to a listing during its notice (X2, X3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Objection {
    pub index: u64,
    pub party: String,
    pub reason: String,
    pub document_sha256: String,
    /// The exchange's answer: log index and whether it upheld it.
    pub resolved: Option<(u64, bool)>,
}

/// The award: who won, at what price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    pub index: u64,
    pub party: String,
    pub price: Fen,
    /// SHA-256 (hex) of the contract as the rules render it: for template 1
    /// the whole text both parties sign; for template 2 its 正文, to which
    /// the parties' signatures add the 当事人信息及签署页 (`signed_sha256`).
    pub contract_sha256: String,
    /// The day of the award, from which the payment period runs.
    #[serde(default)]
    pub day: Option<NaiveDate>,
    /// The land (or shares, house, asset) as the contract describes it on
    /// the day of the award: with the listing, what renders the contract
    /// again, so the text the parties signed can be served (M5).
    #[serde(default)]
    pub parcels: String,
    /// Which contract texts it is written on (`CONTRACT_TEMPLATE`): deals
    /// awarded on the English texts of template 1 keep them.
    #[serde(default = "template_v1")]
    pub template: u32,
    /// Template 2: the parties and places as the contract names them on the
    /// day of the award.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written: Option<Written>,
    /// Template 2: SHA-256 of the 当事人信息及签署页 (names, masked ID
    /// numbers and the random 核验码, kept off the log) the first party
    /// signed; the other signs the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_sha256: Option<String>,
}

fn template_v1() -> u32 {
    1
}

impl Award {
    /// What the parties sign with a 当事人信息及签署页 of this SHA-256:
    /// template 1's text hash as it is; template 2's `signed_sha256`.
    pub fn sha256_with(&self, schedule_sha256: &str) -> String {
        if self.template == 1 {
            self.contract_sha256.clone()
        } else {
            signed_sha256(&self.contract_sha256, schedule_sha256)
        }
    }

    /// What both parties signed, once the first did (template 1: from the
    /// award on).
    pub fn signed(&self) -> Option<String> {
        match (&self.schedule_sha256, self.template) {
            (_, 1) => Some(self.contract_sha256.clone()),
            (Some(s), _) => Some(self.sha256_with(s)),
            (None, _) => None,
        }
    }
}

impl Listing {
    /// The contract rendered for the award as the rules keep it — template
    /// 1's whole text, template 2's 正文 — `None` before an award, or if
    /// the template changed since.
    pub fn contract_text(&self) -> Option<String> {
        let award = self.award.as_ref()?;
        let text = render_contract(self, award);
        (sha256_hex(&text) == award.contract_sha256).then_some(text)
    }
}

/// A listing and everything that happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    /// The log index of `listing.submit`.
    pub id: u64,
    pub mode: Mode,
    /// The party that transfers: a household, or for `onward` a transferee.
    pub transferor: String,
    /// The household whose contract or homestead it rests on.
    pub household: String,
    pub collective: String,
    pub contract: Option<String>,
    pub parcels: Vec<String>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// 土地用途 the transferee must keep (M3: agricultural).
    pub land_use: String,
    /// Reserve price (底价), for the whole term, in fen.
    pub reserve: Fen,
    pub increment: Fen,
    pub deposit: Fen,
    pub auction_minutes: u32,
    pub status: Status,
    pub notice_from: Option<NaiveDate>,
    pub notice_to: Option<NaiveDate>,
    /// Flagged for county-level publication (X3: at or above the threshold).
    pub county_level: bool,
    pub intents: Vec<Intent>,
    pub bids: Vec<Bid>,
    /// The auction's end, once it opened; later bids in the last minutes
    /// push it back (anti-sniping, X4).
    pub deadline: Option<DateTime<Utc>>,
    pub award: Option<Award>,
    /// Parties that signed the contract's SHA-256.
    pub signed_by: Vec<String>,
    /// The log index at which the county verified the title.
    pub verified_at: Option<u64>,
    pub paid_at: Option<u64>,
    /// M4: the log index at which the exchange paid the price out of escrow
    /// to the transferor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_out_at: Option<u64>,
    /// 交易鉴证书 number and the settlement's log index.
    pub certificate_no: Option<String>,
    pub settled_at: Option<u64>,
    /// Template 2's 合同编号 (P1: 发包方编码 and a 4-digit sequence), given
    /// at the first award and kept if it is cancelled and made again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_no: Option<String>,
    /// Every entry about the listing: (log index, kind).
    pub history: Vec<(u64, String)>,
    /// For a swap: the parcels the other household gives in return.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub swap_for: Vec<String>,
    /// For a swap: the household that holds `swap_for`, the only one that
    /// may take part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterparty: Option<String>,
    /// For shares: how many.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub shares: u64,
    /// For an asset lease: what is let, and the decision that let it (X5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<u64>,
    /// For an assignment: the log index of the 发包方's consent (M2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objections: Vec<Objection>,
    /// For a mode that moves a base right: who registered its side of the
    /// change, at which log index.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub registered: Vec<(u64, String)>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Listing {
    /// The titles it rests on: its parcels, or for a house lease the
    /// household's homestead.
    pub fn titles(&self) -> Vec<Title> {
        self.titles_of(&self.household)
    }

    /// The same, were it `household`'s (a listing being submitted does not
    /// know its household until its basis is checked).
    pub fn titles_of(&self, household: &str) -> Vec<Title> {
        let parcels = match self.mode {
            Mode::HouseLease | Mode::Homestead => {
                return vec![Title::Homestead(household.to_owned())]
            }
            Mode::Shares => return vec![Title::Shares(household.to_owned())],
            Mode::Swap => self.parcels.iter().chain(&self.swap_for).cloned().collect(),
            _ => self.parcels.clone(),
        };
        parcels.into_iter().map(Title::Parcel).collect()
    }

    /// Its stage on `day`: a notice that has run out is trading, whether or
    /// not a step has stored that yet.
    pub fn status_on(&self, day: NaiveDate) -> Status {
        match (self.status, self.notice_to) {
            (Status::Notice, Some(to)) if day > to => Status::Trading,
            (status, _) => status,
        }
    }

    /// An objection the exchange has not yet answered.
    pub fn open_objection(&self) -> Option<&Objection> {
        self.objections.iter().find(|o| o.resolved.is_none())
    }

    pub fn intent(&self, party: &str) -> Option<&Intent> {
        self.intents.iter().find(|i| i.party == party)
    }

    /// Intents whose deposit the exchange confirmed: the qualified bidders.
    pub fn qualified(&self) -> impl Iterator<Item = &Intent> {
        self.intents.iter().filter(|i| i.confirmed_at.is_some())
    }

    /// The highest bid so far, of a party that has not forfeited its
    /// deposit here.
    pub fn best(&self) -> Option<&Bid> {
        self.bids
            .iter()
            .filter(|b| {
                self.intent(&b.party)
                    .is_none_or(|i| i.forfeited_at.is_none())
            })
            .max_by_key(|b| (b.amount, b.matched, std::cmp::Reverse(b.index)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// X6: a person's review qualifies them from the day they turn the least
    /// age to the last day of the greatest — the same days, checked for
    /// every day of ninety years, as counting whole years of age.
    #[test]
    fn a_persons_qualification_runs_from_the_least_age_to_the_last_day_of_the_greatest() {
        let review = |born: Option<NaiveDate>, approved| Review {
            index: 1,
            party: "p".into(),
            kind: "person".into(),
            born,
            approved,
        };
        let person = review(Some(d("1990-05-01")), true);
        assert_eq!(
            person.qualifies(18, 70),
            Some((Some(d("2008-05-01")), Some(d("2061-04-30"))))
        );
        let mut day = d("1990-05-01");
        while day < d("2080-01-01") {
            let age = day.years_since(d("1990-05-01")).unwrap();
            assert_eq!(
                person.qualifies_on(day, 18, 70),
                (18..=70).contains(&age),
                "{day}"
            );
            day = day.succ_opt().unwrap();
        }
        let company = review(None, true);
        assert_eq!(company.qualifies(18, 70), Some((None, None)));
        assert!(company.qualifies_on(d("2199-12-31"), 18, 70));
        assert_eq!(review(None, false).qualifies(18, 70), None);
        assert!(!review(Some(d("1990-05-01")), false).qualifies_on(d("2020-01-01"), 18, 70));
    }

    /// X2: trading opens when the notice has run, whatever step comes next.
    #[test]
    fn a_listing_whose_notice_ran_out_is_trading() {
        let l: Listing = serde_json::from_value(serde_json::json!({
            "id": 7, "mode": "lease", "transferor": "h", "household": "h", "collective": "c",
            "contract": null, "parcels": [], "start": "2027-01-01", "end": "2030-12-31",
            "land_use": "1", "reserve": 100, "increment": 1, "deposit": 1, "auction_minutes": 60,
            "status": "notice", "notice_from": "2026-11-24", "notice_to": "2026-12-07",
            "county_level": false, "intents": [], "bids": [], "deadline": null, "award": null,
            "signed_by": [], "verified_at": null, "paid_at": null, "certificate_no": null,
            "settled_at": null, "history": []
        }))
        .unwrap();
        assert_eq!(l.status_on(d("2026-12-07")), Status::Notice);
        assert_eq!(l.status_on(d("2026-12-08")), Status::Trading);
        let settled = Listing {
            status: Status::Settled,
            ..l
        };
        assert_eq!(settled.status_on(d("2027-06-01")), Status::Settled);
    }
}
