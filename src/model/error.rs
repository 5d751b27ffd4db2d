//! Refusals by the rules of law. Every variant carries a stable code, an
//! English message (its `Display`), a Chinese message and the field at fault.

pub use super::refusal::{Class, Refusal, Why};

crate::refusals! {
    /// Why a rule refused an entry.
    /// (`EnumIter`: one of each, with empty details, for the error catalogue.)
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::EnumIter, Default)]
    pub enum RuleError {
        #[error("unknown entry kind `{0}`")]
        UnknownKind(String)
            => UnknownKind(k) => Class::Malformed, "entry.kind",
            format!("未知的条目类型“{k}”");
        #[error("invalid body: {reason}")]
        BadBody {
            field: String,
            reason: String,
            reason_zh: String,
        }
            => BadBody { reason_zh, field, .. } => Class::Malformed, field.clone(),
            format!("条目内容无效：{reason_zh}");
        #[error("the signer's key is not registered on this log")]
        #[default]
        UnknownSigner
            => UnknownSigner => Class::Forbidden, "entry.signer",
            "签名者的密钥未在本日志登记";
        #[error("the signer's key was revoked at log index {at}")]
        RevokedSigner { at: u64 }
            => RevokedSigner { at, .. } => Class::Forbidden, "entry.signer",
            format!("签名者的密钥已于日志序号 {at} 注销");
        #[error("the county's {} key does not sign {kind}: {} (A2)", .who.0, .why.0)]
        OutsideRemit {
            who: Why,
            kind: &'static str,
            why: Why,
        }
            => OutsideRemit { who, kind, why, .. } => Class::Forbidden, "entry.signer",
            format!("{}无权签署“{kind}”条目：{}（A2）", who.1, why.1);
        #[error("a {role} key may not sign `{kind}` entries")]
        KindNotAllowed {
            role: &'static str,
            kind: &'static str,
        }
            => KindNotAllowed { role, kind, .. } => Class::Forbidden, "entry.signer",
            format!("{}密钥无权签署“{kind}”条目", role_zh(role));
        // The thing the signer may not act on names the field.
        #[error("a {signer_role} key for {signer_party} may not act for {role} {party}")]
        PartyNotAllowed {
            signer_role: &'static str,
            signer_party: String,
            role: &'static str,
            party: String,
        }
            => PartyNotAllowed { signer_role, signer_party, role, party, .. } => Class::Forbidden, Some(
                        match *role {
                            "parcel" => "entry.body.DKBM",
                            "encumbrance on parcel" => "entry.body.encumbrance",
                            "listing" => "entry.body.listing",
                            ACT_PARTY => "entry.body.act",
                            _ => "entry.body.party",
                        }
                        .into(),
                    ),
            format!(
                "{}（{signer_party}）的密钥无权代表{} {party} 行事",
                role_zh(signer_role),
                role_zh(role)
            );
        #[error("invalid party code `{code}` for role {role}: {}", .reason.0)]
        BadPartyCode {
            role: &'static str,
            code: String,
            reason: Why,
        }
            => BadPartyCode { role, code, reason: (_, reason), .. } => Class::Refused, "entry.body.party",
            format!("{}编码“{code}”无效：{reason}", role_zh(role));
        #[error("this key is already registered (at log index {at})")]
        KeyAlreadyRegistered { at: u64 }
            => KeyAlreadyRegistered { at, .. } => Class::Conflict, "entry.body.vkey",
            format!("该密钥已于日志序号 {at} 登记");
        #[error("this key is not registered on this log")]
        KeyNotRegistered
            => KeyNotRegistered => Class::Refused, "entry.body.vkey",
            "该密钥未在本日志登记";
        #[error("this key was already revoked at log index {at}")]
        KeyAlreadyRevoked { at: u64 }
            => KeyAlreadyRevoked { at, .. } => Class::Conflict, "entry.body.vkey",
            format!("该密钥已于日志序号 {at} 注销");
        #[error("the last active county key cannot be revoked; register another first")]
        LastCountyKey
            => LastCountyKey => Class::Refused, "entry.body.vkey",
            "不能注销最后一个有效的县级密钥，请先登记另一个";
        #[error("the genesis entry must be the first entry of the log and only that")]
        GenesisMisplaced
            => GenesisMisplaced => Class::Conflict, "entry.kind",
            "创世条目必须且只能是日志的第一条";
        #[error("genesis: {}", .0.0)]
        BadGenesis(Why)
            => BadGenesis((_, r)) => Class::Refused, "entry.body",
            format!("创世条目无效：{r}");
        #[error("invalid {field}: {reason}")]
        BadAttribute {
            field: std::borrow::Cow<'static, str>,
            reason: String,
            reason_zh: String,
        }
            => BadAttribute { field, reason_zh, .. } => Class::Refused, format!("entry.body.{field}"),
            format!("{field} 无效：{reason_zh}");
        #[error("collective {code} is already registered (log index {at})")]
        CollectiveExists { code: String, at: u64 }
            => CollectiveExists { code, at, .. } => Class::Refused, "entry.body.FBFBM",
            format!("集体经济组织 {code} 已于日志序号 {at} 登记");
        #[error("collective {code} is not registered")]
        UnknownCollective { code: String }
            => UnknownCollective { code, .. } => Class::Refused, "entry.body.DKBM",
            format!("集体经济组织 {code} 未登记");
        #[error("parcel code {code} is not a code of collective {collective} (P1)")]
        ParcelOutsideCollective { code: String, collective: String }
            => ParcelOutsideCollective { code, collective, .. } => Class::Refused, "entry.body.DKBM",
            format!("地块编码 {code} 不属于发包方 {collective}（P1）"), code "parcel_code_outside_collective";
        #[error("parcel {code} is already registered (log index {at})")]
        ParcelExists { code: String, at: u64 }
            => ParcelExists { code, at, .. } => Class::Refused, "entry.body.DKBM",
            format!("地块 {code} 已于日志序号 {at} 登记");
        #[error("parcel {code} is not registered")]
        UnknownParcel { code: String }
            => UnknownParcel { code, .. } => Class::Refused, "entry.body.DKBM",
            format!("地块 {code} 未登记");
        #[error("parcel {code} was retired at log index {at}")]
        ParcelRetired { code: String, at: u64 }
            => ParcelRetired { code, at, .. } => Class::Refused, "entry.body.DKBM",
            format!("地块 {code} 已于日志序号 {at} 注销");
        #[error("the parcel overlaps active parcel(s) {} by {overlap} (tolerance {tolerance})", .parcels.join(", "))]
        ParcelOverlap {
            parcels: Vec<String>,
            overlap: super::Area,
            tolerance: super::Area,
        }
            => ParcelOverlap { parcels, overlap, tolerance, .. } => Class::Refused, "entry.body.geometry",
            format!(
                "该地块与现有地块 {} 重叠 {overlap}（容差 {tolerance}）",
                parcels.join("、")
            );
        #[error("{outside} of the parcel lies outside the boundary of collective {collective} (tolerance {tolerance})")]
        OutsideBoundary {
            collective: String,
            outside: super::Area,
            tolerance: super::Area,
        }
            => OutsideBoundary { collective, outside, tolerance, .. } => Class::Refused, "entry.body.geometry",
            format!(
                "该地块有 {outside} 位于集体经济组织 {collective} 的界线之外（容差 {tolerance}）"
            );
        #[error("the geometry was not prepared before the rules ran")]
        GeometryNotPrepared
            => GeometryNotPrepared => Class::Refused, "entry.body.geometry",
            "几何图形未经预处理";
        #[error("parcel {code} is encumbered ({kinds}); release that first")]
        ParcelEncumbered { code: String, kinds: String }
            => ParcelEncumbered { code, kinds, .. } => Class::Refused, "entry.body.DKBM",
            {
                let kinds: Vec<&str> = kinds
                    .split(", ")
                    .map(|k| match k {
                        "seizure" => "查封",
                        "objection" => "异议",
                        "pledge" => "融资担保",
                        _ => "其他",
                    })
                    .collect();
                let kinds = kinds.join("、");
                format!("地块 {code} 存在权利限制（{kinds}），须先解除")
            };
        #[error("no encumbrance was made at log index {index}")]
        UnknownEncumbrance { index: u64 }
            => UnknownEncumbrance { index, .. } => Class::Refused, "entry.body.encumbrance",
            format!("日志序号 {index} 处没有权利限制登记");
        #[error("the encumbrance made at log index {index} was released at {at}")]
        EncumbranceReleased { index: u64, at: u64 }
            => EncumbranceReleased { index, at, .. } => Class::Refused, "entry.body.encumbrance",
            format!("日志序号 {index} 处的权利限制已于 {at} 解除");
        #[error("a representatives' assembly may not decide {subject} (D1)")]
        ReservedToMembers { subject: &'static str }
            => ReservedToMembers { subject, .. } => Class::Refused, "entry.body.subject",
            format!("成员代表大会不得决定 `{subject}` 事项（D1）");
        #[error("household code {code} is not a code of collective {collective} (P1)")]
        HouseholdOutsideCollective { code: String, collective: String }
            => HouseholdOutsideCollective { code, collective, .. } => Class::Refused, "entry.body.CBFBM",
            format!("承包方编码 {code} 不属于发包方 {collective}（P1）"), code "household_code_outside_collective";
        #[error("household {code} is already registered (log index {at})")]
        HouseholdExists { code: String, at: u64 }
            => HouseholdExists { code, at, .. } => Class::Refused, "entry.body.CBFBM",
            format!("承包方 {code} 已于日志序号 {at} 登记");
        #[error("a person listed already belongs to household {household}")]
        PersonInHousehold { household: String }
            => PersonInHousehold { household, .. } => Class::Refused, "entry.body.members",
            format!("所列人员已属于承包方 {household}");
        #[error("household {code} is not registered")]
        UnknownHousehold { code: String }
            => UnknownHousehold { code, .. } => Class::Refused, "entry.body.CBFBM",
            format!("承包方 {code} 未登记");
        #[error("contract {code} is already registered (log index {at})")]
        ContractExists { code: String, at: u64 }
            => ContractExists { code, at, .. } => Class::Refused, "entry.body.CBHTBM",
            format!("承包合同 {code} 已于日志序号 {at} 登记");
        #[error("parcel {parcel} is already under contract {contract} (C4)")]
        ParcelContracted { parcel: String, contract: String }
            => ParcelContracted { parcel, contract, .. } => Class::Refused, "entry.body.DKBM",
            format!("地块 {parcel} 已在承包合同 {contract} 之下（C4）");
        #[error(
            "the shares of collective {collective} were quantified at log index {at} (S1: static)"
        )]
        SharesAlreadyQuantified { collective: String, at: u64 }
            => SharesAlreadyQuantified { collective, at, .. } => Class::Refused, "entry.body.decision",
            format!("集体经济组织 {collective} 的份额已于日志序号 {at} 量化（S1：静态管理）");
        #[error("log index {index} is not a decision that allows this: {}", .reason.0)]
        DecisionNotPassed { index: u64, reason: Why }
            => DecisionNotPassed { index, reason: (_, reason), .. } => Class::Refused, "entry.body.decision",
            format!("日志序号 {index} 不是允许此事项的决议：{reason}");
        #[error("{held} shares held, {asked} asked")]
        NotEnoughShares { held: u64, asked: u64 }
            => NotEnoughShares { held, asked, .. } => Class::Refused, "entry.body.shares",
            format!("持有 {held} 份，申请 {asked} 份");
        #[error("household {household} gave up or leased out its house (log index {at}): no new homestead (H2)")]
        HouseGivenUp { household: String, at: u64 }
            => HouseGivenUp { household, at, .. } => Class::Refused, "entry.body.CBFBM",
            format!("农户 {household} 已退出或出租住宅（日志序号 {at}），不再批准宅基地（H2）");
        #[error("the cooling-off window ended {until}; the surrender stands (G4)")]
        CoolingOffOver { until: String }
            => CoolingOffOver { until, .. } => Class::Refused, "entry.body.surrender",
            format!("冷静期已于 {until} 结束，退出不可撤回（G4）");
        #[error("the land is household {household}'s exited homestead, which it may take back until {until} (G4)")]
        HomesteadInCoolingOff { household: String, until: String }
            => HomesteadInCoolingOff { household, until, .. } => Class::Refused, "entry.body.geometry",
            format!("该地块是农户 {household} 已退出的宅基地，其在 {until} 前仍可撤回（G4）");
        #[error("shares go only to households of the same collective (S2); {to} is not one")]
        SharesToNonMember { to: String }
            => SharesToNonMember { to, .. } => Class::Refused, "entry.body.to",
            format!("份额只能转让给本集体的农户（S2），{to} 不是");
        #[error("reserve and welfare funds exceed the total distributed (S3)")]
        DistributionDoesNotAddUp
            => DistributionDoesNotAddUp => Class::Refused, "entry.body.total",
            "公积公益金超过分配总额（S3）";
        #[error("household {household} already holds a homestead (log index {at}): one household, one homestead (H1)")]
        SecondHomestead { household: String, at: u64 }
            => SecondHomestead { household, at, .. } => Class::Refused, "entry.body.CBFBM",
            format!("承包方 {household} 已有宅基地（日志序号 {at}）：一户只能拥有一处宅基地（H1）");
        #[error("the homestead is {area}, over the limit of {limit} for {terrain} land (H1)")]
        HomesteadOverLimit {
            area: super::Area,
            limit: super::Area,
            terrain: &'static str,
        }
            => HomesteadOverLimit { area, limit, terrain, .. } => Class::Refused, "entry.body.geometry",
            {
                let terrain = match *terrain {
                    "plain" => "平原",
                    "hill" => "丘陵",
                    "mountain" => "山区",
                    _ => "该",
                };
                format!("宅基地面积 {area} 超过{terrain}地区 {limit} 的限额（H1）")
            };
        #[error("household {household} returned its land; it gets no new land before {until} (C6)")]
        NoNewLandAfterReturn { household: String, until: String }
            => NoNewLandAfterReturn { household, until, .. } => Class::Refused, "entry.body.CBFBM",
            format!("承包方 {household} 已交回承包地，{until} 前不得再承包土地（C6）");
        #[error(
            "the notice at log index {notice} is open until {to}: no certificate before it closes"
        )]
        NoticeOpen { notice: u64, to: String }
            => NoticeOpen { notice, to, .. } => Class::Refused, "entry.body.notice",
            format!("日志序号 {notice} 的公示期至 {to}，期满前不得颁证");
        #[error("an objection (log index {objection}) is open on parcel {parcel}: no certificate while it is")]
        ObjectionOpen { parcel: String, objection: u64 }
            => ObjectionOpen { parcel, objection, .. } => Class::Refused, "entry.body.CBHTBM",
            format!("地块 {parcel} 上有未解决的异议（日志序号 {objection}），不得颁证");
        #[error("the certificate of contract {contract} was issued at log index {at}")]
        CertificateIssued { contract: String, at: u64 }
            => CertificateIssued { contract, at, .. } => Class::Refused, "entry.body.CBHTBM",
            format!("承包合同 {contract} 已于日志序号 {at} 颁证");
        #[error("contract {code} is not in force")]
        ContractNotInForce { code: String }
            => ContractNotInForce { code, .. } => Class::Refused, "entry.body.CBHTBM",
            format!("承包合同 {code} 不在有效期内");
        #[error("household {household} holds no homestead")]
        NoHomestead { household: String }
            => NoHomestead { household, .. } => Class::Refused, "entry.signer",
            format!("承包方 {household} 没有宅基地");
        #[error("the person is not in a household of collective {collective}")]
        PersonNotInCollective { collective: String }
            => PersonNotInCollective { collective, .. } => Class::Refused, "entry.body.persons",
            format!("该人员不属于集体经济组织 {collective} 的农户");
        #[error("the person is already a member (since log index {at})")]
        AlreadyMember { at: u64 }
            => AlreadyMember { at, .. } => Class::Refused, "entry.body.persons",
            format!("该人员已是成员（自日志序号 {at}）");
        #[error("the person is not a member of collective {collective}")]
        NotAMember { collective: String }
            => NotAMember { collective, .. } => Class::Refused, "entry.body.person",
            format!("该人员不是集体经济组织 {collective} 的成员");
        #[error("`{reason}` does not end membership (P4, C5, S5): study, military service, migrant work, business, divorce, imprisonment and settling in a town never do")]
        NotAnEndOfMembership { reason: String }
            => NotAnEndOfMembership { reason, .. } => Class::Refused, "entry.body.reason",
            format!(
                "“{reason}”不导致成员身份丧失（P4、C5、S5）：就学、服兵役、外出务工经商、离婚、服刑及进城落户均不影响成员身份"
            );
        #[error("setting {field}: {reason}")]
        BadSetting {
            field: String,
            reason: String,
            reason_zh: String,
        }
            => BadSetting { field, reason_zh, .. } => Class::Refused, format!("entry.body.settings.{field}"),
            format!("设置项 {field} 无效：{reason_zh}");
        #[error("household {to} would hold {held} of {total} shares, over the cap of {cap}% (S2)")]
        OverShareCap {
            to: String,
            held: u64,
            total: u64,
            cap: String,
        }
            => OverShareCap { to, held, total, cap, .. } => Class::Refused, "entry.body.shares",
            format!("承包方 {to} 将持有 {held}/{total} 份，超过 {cap}% 的上限（S2）");
        #[error("part {part} has {outside} outside parcel {whole}")]
        PartOutside {
            part: String,
            whole: String,
            outside: super::Area,
        }
            => PartOutside { part, whole, outside, .. } => Class::Refused, "entry.body.parts",
            format!("分割后的地块 {part} 有 {outside} 位于原地块 {whole} 之外"), code "part_outside_parcel";
        #[error("parts {a} and {b} overlap by {overlap}")]
        PartsOverlap {
            a: String,
            b: String,
            overlap: super::Area,
        }
            => PartsOverlap { a, b, overlap, .. } => Class::Refused, "entry.body.parts",
            format!("地块 {a} 与 {b} 相互重叠 {overlap}");
        #[error("the parts measure {parts} together, the whole {whole}: they must match within the tolerance")]
        PartsAreaMismatch {
            parts: super::Area,
            whole: super::Area,
        }
            => PartsAreaMismatch { parts, whole, .. } => Class::Refused, "entry.body.parts",
            format!("各部分面积合计 {parts}，整体面积 {whole}：须在容差内一致");
        #[error("parcel {code} is not split or merged while {} (log index {at}) lasts (C9)", .held.0)]
        ParcelHeld { code: String, held: Why, at: u64 }
            => ParcelHeld { code, held, at, .. } => Class::Refused, "entry.body.DKBM",
            format!("地块 {code} 上{}（日志序号 {at}），在此期间不得分割或合并（C9）", held.1);
        #[error("parcels {a} and {b} differ in {what}: only parcels of one collective, one contract and one use merge")]
        ParcelsDiffer {
            a: String,
            b: String,
            what: &'static str,
        }
            => ParcelsDiffer { a, b, what, .. } => Class::Refused, "entry.body.parts",
            format!("地块 {a} 与 {b} 的{}不同，不能合并", what_zh(what));
        #[error("{what} {item} is not household {household}'s")]
        NotOfHousehold {
            what: &'static str,
            item: String,
            household: String,
        }
            => NotOfHousehold { what, item, household, .. } => Class::Refused, Some(match *what {
                        "parcels" => "entry.body.DKBM".into(),
                        w => format!("entry.body.{w}"),
                    }),
            format!("{} {item} 不属于承包方 {household}", what_zh(what));
        #[error("household {code} merged into {into} at log index {at}; that household acts for it now (P3)")]
        HouseholdMerged { code: String, into: String, at: u64 }
            => HouseholdMerged { code, into, at, .. } => Class::Refused, "entry.signer",
            format!("承包方 {code} 已于日志序号 {at} 并入 {into}，由该户办理（P3）");
        #[error("households {a} and {b} both hold a homestead: one household, one homestead (H1)")]
        TwoHomesteads { a: String, b: String }
            => TwoHomesteads { a, b, .. } => Class::Refused, "entry.body.into",
            format!("承包方 {a} 与 {b} 都有宅基地：一户只能拥有一处宅基地（H1）");
        #[error(
            "the entry was signed for {time}, more than {minutes} minutes from the server's time {now}"
        )]
        TimeOutsideWindow {
            time: String,
            now: String,
            minutes: u32,
        }
            => TimeOutsideWindow { time, now, minutes, .. } => Class::Malformed, "entry.time",
            format!("条目签署时间 {time} 与服务器时间 {now} 相差超过 {minutes} 分钟");
        #[error("household {party} must cosign this {act} (G1: a right moves only by its holder's own signature)")]
        ConsentMissing { party: String, act: &'static str }
            => ConsentMissing { party, act, .. } => Class::Refused, "cosigs",
            format!("{act}须由承包方 {party} 共同签署（G1：权利只能由权利人本人签署处分）");
        #[error("no expropriation was announced at log index {index}")]
        UnknownExpropriation { index: u64 }
            => UnknownExpropriation { index, .. } => Class::Refused, "entry.body.expropriation",
            format!("日志序号 {index} 处没有征收预公告");
        #[error("the rights on the land may not end yet (E1): {}", .reason.0)]
        ExpropriationNotReady { reason: Why }
            => ExpropriationNotReady { reason, .. } => Class::Refused, "entry.body.expropriation",
            format!("尚不能终止土地上的权利（E1）：{}", reason.1);
        #[error("the plan compensates no one for the right {party} holds on the land (E1, E2)")]
        CompensationMissing { party: String }
            => CompensationMissing { party, .. } => Class::Refused, "entry.body.compensation",
            format!("补偿安置方案没有补偿 {party} 在该土地上的权利（E1、E2）");
        #[error("this party already has an objection open here (log index {open}); repeated objections are refused (R2)")]
        ObjectionRepeated { open: u64 }
            => ObjectionRepeated { open, .. } => Class::Refused, "entry.body",
            format!("该方已在此提出异议且尚未了结（日志序号 {open}），重复异议不予受理（R2）");
        #[error("this party has {cap} objections open, the most the county allows (R2)")]
        TooManyObjections { cap: u32 }
            => TooManyObjections { cap, .. } => Class::Refused, "entry.signer",
            format!("该方未了结的异议已达县里规定的上限 {cap} 件（R2）");
        #[error("the geometry has {vertices} positions; the county allows at most {max}")]
        TooManyVertices { vertices: usize, max: usize }
            => TooManyVertices { vertices, max, .. } => Class::Malformed, "entry.body.geometry",
            format!("图形有 {vertices} 个坐标，县里规定至多 {max} 个");
        #[error("household {household} has a key already: another one is a recovery, which the county cosigns")]
        RecoveryNeedsCounty { household: String }
            => RecoveryNeedsCounty { household, .. } => Class::Refused, "cosigs",
            format!("承包方 {household} 已有密钥：再登记密钥属于密钥恢复，须由县级机构共同签署");
        #[error("this {act} acts over {party} without its signature: a second authority within its remit cosigns it (A2: {})", .needs.0)]
        SecondHandMissing {
            act: &'static str,
            party: String,
            /// Who may cosign, in English and Chinese.
            needs: (String, String),
        }
            => SecondHandMissing { party, needs, .. } => Class::Refused, "cosigs",
            format!("此项未经 {party} 本人签署而处分其权利，须由另一有权机关在其职权内共同签署（A2：{}）", needs.1);
        #[error("no act over a party is open at log index {index}: {}", .why.0)]
        ActNotOpen {
            index: u64,
            why: Why,
            /// The body field that names the act (`act`, or an award's `effect`).
            field: &'static str,
        }
            => ActNotOpen { index, why, field, .. } => Class::Refused, format!("entry.body.{field}"),
            format!("日志序号 {index} 处没有尚未了结的处分行为：{}", why.1);
        #[error("a key acting for {party} changes only by its own rotation or by a recovery with the notice its current key may cancel; no one else revokes it (A6)")]
        NotOwnKey { party: String }
            => NotOwnKey { party, .. } => Class::Refused, "entry.body.vkey",
            format!("{party} 的密钥只能由其本人轮换，或经密钥恢复（公示期内现有密钥可以撤销恢复）更换；他人不得吊销（A6）");
        #[error(transparent)]
        Exchange(#[from] super::exchange::ExchangeRefusal)
            => Exchange(e) => e.class(), e.field(),
            e.message_zh(), code e.code();
        #[error("{} does not fit land use {land_use} of parcel {parcel} (C2: {allowed})", match .years {
            Some(y) => format!("a term of {y} years"),
            None => "a term not of whole years".to_owned(),
            })]
        BadTerm {
            parcel: String,
            land_use: String,
            /// The term in whole years, if it is whole years.
            years: Option<u32>,
            allowed: &'static str,
        }
            => BadTerm { parcel, land_use, years, allowed, .. } => Class::Refused, "entry.body.end",
            format!(
                "{}不符合地块 {parcel} 的土地用途 {land_use}（C2：{}）",
                match years {
                    Some(y) => format!("{y} 年的承包期"),
                    None => "不是整年的承包期".to_owned(),
                },
                match *allowed {
                    "arable land: 30 years" => "耕地 30 年",
                    "grassland: 30 to 50 years" => "草地 30 至 50 年",
                    "forest land: 30 to 70 years" => "林地 30 至 70 年",
                    _ => "期限不符",
                }
            );
    }
}

/// serde's reason for refusing a body, in Chinese: what kind of mistake it
/// is, with the names it quotes (the request's own words) kept.
pub fn serde_reason_zh(reason: &str) -> String {
    let quoted = |r: &str| r.split('`').nth(1).unwrap_or_default().to_owned();
    if reason.starts_with("unknown field") {
        format!("未知字段 `{}`", quoted(reason))
    } else if reason.starts_with("missing field") {
        format!("缺少字段 `{}`", quoted(reason))
    } else if reason.starts_with("unknown variant") {
        format!("取值 `{}` 不在允许的范围内", quoted(reason))
    } else if reason.starts_with("duplicate field") {
        format!("字段 `{}` 重复", quoted(reason))
    } else if reason.starts_with("invalid type") {
        "类型错误".to_owned()
    } else if reason.starts_with("invalid length") {
        "长度错误".to_owned()
    } else if reason.starts_with("invalid value") {
        "取值无效".to_owned()
    } else {
        "格式不符".to_owned()
    }
}

impl RuleError {
    /// A body field that is malformed or out of range.
    pub fn attribute(
        field: &'static str,
        reason: impl Into<String>,
        reason_zh: impl Into<String>,
    ) -> RuleError {
        RuleError::BadAttribute {
            field: field.into(),
            reason: reason.into(),
            reason_zh: reason_zh.into(),
        }
    }

    /// A body field refused for a reason given in both languages.
    pub fn because(field: &'static str, (reason, reason_zh): Why) -> RuleError {
        RuleError::attribute(field, reason, reason_zh)
    }
}

/// The names of things `ParcelsDiffer` and `NotOfHousehold` speak of.
fn what_zh(what: &str) -> &'static str {
    match what {
        "collective" => "集体经济组织",
        "contract" => "承包合同",
        "land_use" => "土地用途",
        "class" => "地块类别",
        "members" => "成员",
        "parcels" => "地块",
        _ => "项目",
    }
}

/// What `PartyNotAllowed` names when a key objects to an act (A3) that is
/// not over its party.
pub const ACT_PARTY: &str = "the party of the act";

/// A role's name in Chinese.
pub fn role_zh(role: &str) -> &'static str {
    match role {
        "county" => "县级机构",
        "exchange" => "交易中心",
        "collective" => "集体经济组织",
        "household" => "农户",
        "transferee" => "受让方",
        "member" => "成员本人",
        "parcel" => "地块",
        "listing" => "挂牌项目",
        "encumbrance on parcel" => "地块上的权利限制",
        ACT_PARTY => "该处分行为所涉的一方",
        _ => "参与方",
    }
}
