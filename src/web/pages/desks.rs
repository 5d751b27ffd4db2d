//! The exchange's and the county's desks: what waits for each.

use super::*;

// ---- the exchange's desk ----

#[derive(Template)]
#[template(path = "desk_exchange.html")]
pub(super) struct ExchangeDesk {
    c: Chrome,
    review: Vec<ListingView>,
    deposits: Vec<(ListingView, IntentView)>,
    to_award: Vec<ListingView>,
    to_pay: Vec<ListingView>,
    to_settle: Vec<ListingView>,
    to_pay_out: Vec<ListingView>,
    objections: Vec<(ListingView, crate::model::exchange::Objection)>,
}

pub(super) async fn exchange_desk(
    req: HttpRequest,
    reg: web::Data<Registry>,
) -> Result<HttpResponse, PageError> {
    let page = read(&reg, &req, "desk-exchange", |reg, c| {
        let all = reg.listings(None, None, None)?.listings;
        let now = reg.now();
        let of = |f: &dyn Fn(&ListingView) -> bool| all.iter().filter(|l| f(l)).cloned().collect();
        let mut deposits = Vec::new();
        let mut objections = Vec::new();
        for l in &all {
            if matches!(l.status, Status::Notice | Status::Trading) {
                for i in l.intents.iter().filter(|i| i.confirmed_at.is_none()) {
                    deposits.push((l.clone(), i.clone()));
                }
            }
            for o in l.objections.iter().filter(|o| o.resolved.is_none()) {
                objections.push((l.clone(), o.clone()));
            }
        }
        Ok(ExchangeDesk {
            review: of(&|l| l.status == Status::Review),
            to_award: of(&|l| {
                l.status == Status::Trading
                    && !l.bids.is_empty()
                    && l.deadline.is_none_or(|d| d <= now)
            }),
            to_pay: of(&|l| {
                l.status == Status::Awarded && l.verified_at.is_some() && l.paid_at.is_none()
            }),
            to_settle: of(&|l| l.status == Status::Awarded && l.paid_at.is_some()),
            to_pay_out: of(&|l| l.status == Status::Settled && l.paid_out_at.is_none()),
            deposits,
            objections,
            c,
        })
    })
    .await?;
    html(&page)
}

// ---- the county's desk ----

#[derive(Deserialize)]
pub(super) struct CountyQuery {
    household: Option<String>,
}

#[derive(Template)]
#[template(path = "desk_county.html")]
pub(super) struct CountyDesk {
    c: Chrome,
    to_verify: Vec<ListingView>,
    household: Option<String>,
    rights: Option<String>,
    /// The attestation's statement as it will print (G3), beside the form
    /// that signs it.
    preview: Option<String>,
    members: Vec<MemberView>,
    settings: Vec<SettingField>,
    today: String,
}

pub(super) async fn county_desk(
    req: HttpRequest,
    reg: web::Data<Registry>,
    q: web::Query<CountyQuery>,
) -> Result<HttpResponse, PageError> {
    let household = q.into_inner().household.filter(|h| !h.is_empty());
    let page = read(&reg, &req, "desk-county", move |reg, c| {
        let all = reg.listings(Some("awarded"), None, None)?.listings;
        let (rights, preview, members) = match &household {
            Some(h) => {
                let rights = reg.base_rights(h)?;
                let preview = crate::registry::views::retention_statement(
                    &crate::model::state::Attestation {
                        index: 0,
                        household: h.clone(),
                        day: reg.today(),
                        rights: rights.clone(),
                    },
                    true,
                );
                (
                    Some(serde_json::to_string(&rights).unwrap_or_default()),
                    Some(preview),
                    reg.household(h, None)?.members,
                )
            }
            None => (None, None, Vec::new()),
        };
        Ok(CountyDesk {
            to_verify: all
                .into_iter()
                .filter(|l| l.verified_at.is_none() && l.signed_by.len() >= 2)
                .collect(),
            settings: setting_fields(&reg.settings()?, &c.l),
            today: reg.today().to_string(),
            household,
            rights,
            preview,
            members,
            c,
        })
    })
    .await?;
    html(&page)
}

// ---- the county's settings, as a form ----

/// How a setting is typed into the form, and read back for the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SettingKind {
    /// A whole number.
    Count,
    /// A decimal written as text (m², yuan, a percentage; empty for none).
    Decimal,
    Yes,
    /// Days, one a line.
    Days,
    /// Zone prices: a code and 元/亩 a line.
    Prices,
}

/// Each setting of `model::settings::Settings` by its key in the settings
/// document (a nested one by its path), in the county's words.
const SETTING_WORDS: &[(&str, &str, &str, SettingKind)] = {
    use SettingKind::*;
    &[
        (
            "notice_working_days",
            "挂牌公示期（工作日）",
            "A listing's notice (working days)",
            Count,
        ),
        (
            "payment_working_days",
            "成交后付款期限（工作日）",
            "Days to pay after an award (working days)",
            Count,
        ),
        (
            "anti_sniping_minutes",
            "竞价最后几分钟内有人出价，就顺延几分钟",
            "A late bid extends the auction by (minutes)",
            Count,
        ),
        (
            "large_deal_yuan",
            "大额交易起点（元；达到的报县级公开）",
            "A large deal from (yuan)",
            Decimal,
        ),
        (
            "max_amount_yuan",
            "单笔金额上限（元）",
            "The largest amount an entry states (yuan)",
            Decimal,
        ),
        (
            "transferee_min_age",
            "个人受让方最低年龄",
            "A person taking a transfer: youngest age",
            Count,
        ),
        (
            "transferee_max_age",
            "个人受让方最高年龄",
            "A person taking a transfer: oldest age",
            Count,
        ),
        (
            "house_lease_max_years",
            "农房出租最长年限（年）",
            "Longest lease of a homestead house (years)",
            Count,
        ),
        (
            "homestead_limit_m2.plain",
            "宅基地面积上限：平原（平方米）",
            "Homestead limit: plain (m²)",
            Decimal,
        ),
        (
            "homestead_limit_m2.hill",
            "宅基地面积上限：丘陵（平方米）",
            "Homestead limit: hills (m²)",
            Decimal,
        ),
        (
            "homestead_limit_m2.mountain",
            "宅基地面积上限：山区（平方米）",
            "Homestead limit: mountains (m²)",
            Decimal,
        ),
        (
            "share_cap_percent",
            "一户最多持有本集体股份的百分比（空着为不设上限）",
            "Most shares one holder may reach, % (empty: no cap)",
            Decimal,
        ),
        (
            "static_shares",
            "股份静态管理（生不增、死不减）",
            "Static shares",
            Yes,
        ),
        (
            "cooling_off_days",
            "自愿退出后可以反悔的天数",
            "Days to withdraw a surrender",
            Count,
        ),
        (
            "act_notice_days",
            "处分行为的公示期（天；期满无异议才生效）",
            "Notice of an act over a household (days)",
            Count,
        ),
        (
            "max_open_objections",
            "一人同时最多未了结的异议",
            "Most open objections of one signer",
            Count,
        ),
        (
            "calendar.holidays",
            "放假的工作日（每行一个日期，如 2027-10-01）",
            "Weekdays off (one date a line)",
            Days,
        ),
        (
            "calendar.workdays",
            "调休上班的周末（每行一个日期）",
            "Weekend days worked (one date a line)",
            Days,
        ),
        (
            "zone_prices",
            "区片综合地价（每行：乡镇9位或村14位编码、空格、元/亩）",
            "Zone land prices (a line each: code, space, yuan per mu)",
            Prices,
        ),
        (
            "overlap_tolerance_m2",
            "地块之间允许的重叠（平方米）",
            "Overlap allowed between parcels (m²)",
            Decimal,
        ),
        (
            "max_vertices",
            "一块地边界最多的点数",
            "Most positions of a parcel's boundary",
            Count,
        ),
        (
            "entry_time_window_minutes",
            "签名的有效时间（分钟）",
            "How long a signature is good for (minutes)",
            Count,
        ),
        (
            "rules",
            "规则版本（只能调高）",
            "Rules version (raised only)",
            Count,
        ),
        (
            "contracts",
            "合同文本版本（只能调高）",
            "Contract texts version (raised only)",
            Count,
        ),
    ]
};

/// A setting as the form shows it: its field's name (`settings.` and its
/// path), its words, how it is typed and what it is now.
pub(super) struct SettingField {
    pub name: String,
    /// The top-level setting it belongs to: a form sends a setting whole,
    /// and only if one of its fields changed.
    pub group: &'static str,
    pub label: &'static str,
    pub kind: SettingKind,
    pub value: String,
}

/// The settings in force as the fields of the county's form, in
/// `SETTING_WORDS`' order.
fn setting_fields(
    settings: &crate::model::settings::Settings,
    l: &crate::web::Lang,
) -> Vec<SettingField> {
    let doc = serde_json::to_value(settings).unwrap_or_default();
    SETTING_WORDS
        .iter()
        .map(|&(path, zh, en, kind)| {
            let value = path.split('.').fold(&doc, |v, k| &v[k]);
            let text = match (kind, value) {
                (_, serde_json::Value::Null) => String::new(),
                (SettingKind::Days, serde_json::Value::Array(days)) => days
                    .iter()
                    .filter_map(|d| d.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
                (SettingKind::Prices, serde_json::Value::Object(zones)) => zones
                    .iter()
                    .map(|(code, yuan)| format!("{code} {}", yuan.as_str().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join("\n"),
                (_, serde_json::Value::String(s)) => s.clone(),
                (_, v) => v.to_string(),
            };
            SettingField {
                name: format!("settings.{path}"),
                group: path.split('.').next().unwrap_or(path),
                label: l.t(zh, en),
                kind,
                value: text,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every setting the county may change has its words on the form, and
    /// the form names no setting that is not one (a new setting is a line
    /// of `SETTING_WORDS`).
    #[test]
    fn every_setting_has_its_field() {
        let doc = serde_json::to_value(crate::model::settings::Settings::default()).unwrap();
        let mut paths = Vec::new();
        for (key, v) in doc.as_object().unwrap() {
            match (key.as_str(), v) {
                ("homestead_limit_m2" | "calendar", serde_json::Value::Object(inner)) => {
                    paths.extend(inner.keys().map(|k| format!("{key}.{k}")))
                }
                _ => paths.push(key.clone()),
            }
        }
        if !paths.contains(&"zone_prices".to_owned()) {
            paths.push("zone_prices".to_owned());
        }
        let mut named: Vec<String> = SETTING_WORDS.iter().map(|w| w.0.to_owned()).collect();
        paths.sort();
        named.sort();
        assert_eq!(paths, named);
        let fields = setting_fields(
            &crate::model::settings::Settings::default(),
            &crate::web::Lang { en: false },
        );
        let plain = fields
            .iter()
            .find(|f| f.name == "settings.homestead_limit_m2.plain")
            .unwrap();
        assert_eq!(
            (plain.group, plain.value.as_str()),
            ("homestead_limit_m2", "125")
        );
        let cap = fields
            .iter()
            .find(|f| f.name == "settings.share_cap_percent")
            .unwrap();
        assert!(
            !cap.value.is_empty() && cap.value.parse::<f64>().is_ok(),
            "{}",
            cap.value
        );
    }
}
