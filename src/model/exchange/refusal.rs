//! Why the exchange's rules refuse an entry, each refusal in one row.

use super::*;

crate::refusals! {
    /// Why the exchange's rules refused an entry.
    /// (`EnumIter`: one of each, with empty details, for the error catalogue.)
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::EnumIter, Default)]
    pub enum ExchangeRefusal {
        #[error("no listing was submitted at log index {id}")]
        UnknownListing { id: u64 }
            => UnknownListing { id, .. } => Class::Refused, "entry.body.listing",
            format!("日志序号 {id} 处没有挂牌项目");
        #[error("listing {id} is {status}; this needs it {}", .needed.0)]
        WrongStage {
            id: u64,
            status: &'static str,
            needed: crate::model::refusal::Why,
        }
            => WrongStage { id, status, needed: (_, needed), .. } => Class::Refused, "entry.body.listing",
            format!(
                "挂牌项目 {id} 当前处于{}阶段，此操作需要{needed}",
                Status::zh(status)
            );
        #[error("the term ends {end}, after the contract's term ({contract_end}) (M3)")]
        TermBeyondContract { end: String, contract_end: String }
            => TermBeyondContract { end, contract_end, .. } => Class::Refused, "entry.body.end",
            format!("流转期限至 {end}，超过承包期剩余期限（{contract_end}）（M3）");
        #[error("a transfer keeps the land in agricultural use (M3); use {land_use} is not")]
        NonAgriculturalUse { land_use: String }
            => NonAgriculturalUse { land_use, .. } => Class::Refused, "entry.body.TDYT",
            format!("流转不得改变土地农业用途（M3），用途 {land_use} 不符合");
        #[error("parcel {parcel} is already listed (listing {listing})")]
        AlreadyListed { parcel: String, listing: u64 }
            => AlreadyListed { parcel, listing, .. } => Class::Refused, "entry.body.DKBM",
            format!("地块 {parcel} 已挂牌（项目 {listing}）");
        #[error(
            "parcel {parcel}'s management right is already transferred for that time (right {right})"
        )]
        AlreadyTransferred { parcel: String, right: u64 }
            => AlreadyTransferred { parcel, right, .. } => Class::Refused, "entry.body.DKBM",
            format!("地块 {parcel} 的经营权在该期间已流转（权利 {right}）");
        #[error("{}: a household of collective {collective} only", .what.0)]
        OutsideCollective {
            what: crate::model::refusal::Why,
            collective: String,
        }
            => OutsideCollective { what: (_, what), collective, .. } => Class::Refused, "entry.signer",
            format!("{what}：仅限集体经济组织 {collective} 的农户");
        #[error("the house lease is {years} years, over the county's limit of {limit} (H3)")]
        HouseLeaseTooLong { years: i64, limit: u32 }
            => HouseLeaseTooLong { years, limit, .. } => Class::Refused, "entry.body.end",
            format!("住房租期 {years} 年，超过县定上限 {limit} 年（H3）");
        #[error("{party} has no deposit confirmed for listing {listing}")]
        NoDeposit { party: String, listing: u64 }
            => NoDeposit { party, listing, .. } => Class::Refused, "entry.signer",
            format!("{party} 在项目 {listing} 中没有已确认的保证金");
        #[error("the bid is below the least acceptable, {least} yuan")]
        BidTooLow { least: String }
            => BidTooLow { least, .. } => Class::Refused, "entry.body.amount",
            format!("报价低于最低可接受价 {least} 元");
        #[error("the auction closed at {deadline}")]
        AuctionClosed { deadline: String }
            => AuctionClosed { deadline, .. } => Class::Refused, "entry.body.amount",
            format!("竞价已于 {deadline} 截止");
        #[error("only a member may match an outsider's best bid (M3), or the last transferee renew (M9); a match is not matched")]
        #[default]
        NothingToMatch
            => NothingToMatch => Class::Refused, "entry.body.listing",
            "只有本集体成员可以跟外部竞买人的最高价（M3），或原受让方续期时跟价（M9）；已跟价的不可再跟";
        #[error("{}", .0.0)]
        NotReady(crate::model::refusal::Why)
            => NotReady((_, what)) => Class::Refused, "entry.body.listing",
            format!("尚不能办理：{what}");
        #[error("the SHA-256 signed is not that of the contract rendered for this award ({expected})")]
        ContractMismatch { expected: String }
            => ContractMismatch { expected, .. } => Class::Refused, "entry.body.contract_sha256",
            format!("所签 SHA-256 与本次成交生成的合同（{expected}）不符");
        #[error(
            "the title of {parcel} changed at log index {at}, after its verification at {verified}"
        )]
        TitleChanged {
            parcel: String,
            at: u64,
            verified: u64,
        }
            => TitleChanged { parcel, at, verified, .. } => Class::Refused, "entry.body.listing",
            format!("地块 {parcel} 的权属在核验（日志序号 {verified}）之后于 {at} 发生变化");
        #[error(
            "`{ground}` is not a ground to end a transfer early (M7: use_changed, abandoned, damaged)"
        )]
        NotAGround { ground: String }
            => NotAGround { ground, .. } => Class::Refused, "entry.body.ground",
            format!("“{ground}”不是提前解除流转的法定事由（M7：改变用途、弃耕两年、严重损害）");
        #[error("the attestation does not state the rights the household holds")]
        AttestationUntrue
            => AttestationUntrue => Class::Refused, "entry.body.rights",
            "证明所列权利与该户实际持有的不符";
        #[error("an assignment needs the consent of the 发包方, collective {collective} (M2)")]
        NoConsent { collective: String }
            => NoConsent { collective, .. } => Class::Refused, "entry.body.listing",
            format!("承包经营权转让须经发包方（集体经济组织 {collective}）同意（M2）");
        #[error("{party} may not acquire here: {why}")]
        NotQualified {
            party: String,
            why: String,
            why_zh: String,
        }
            => NotQualified { party, why_zh, .. } => Class::Refused, "entry.signer",
            format!("{party} 不具备受让资格：{why_zh}"), code "transferee_not_qualified";
        #[error("objection {objection} to listing {listing} is not yet answered (X3)")]
        ObjectionPending { listing: u64, objection: u64 }
            => ObjectionPending { listing, objection, .. } => Class::Refused, "entry.body.listing",
            format!("对挂牌项目 {listing} 的异议（{objection}）尚未答复（X3）");
    }
}
