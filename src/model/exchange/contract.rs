//! The contract the parties of an award sign (M5): written in Chinese on the
//! mode's template (`contracts/`, after the Ministry's model contracts), in
//! two parts — the 正文, which the rules render from the log and anyone may
//! read, and the 当事人信息及签署页 with the parties' names, masked ID
//! numbers and a random 核验码, kept off the log — and the SHA-256 the
//! parties sign over both.

use super::*;
use crate::model::words;

/// The contract texts new awards are written on: 2, the Chinese ones.
/// Template 1 (`contracts/v1/`, English) stays for deals awarded on it.
pub const CONTRACT_TEMPLATE: u32 = 2;

/// The heading that opens the 当事人信息及签署页, where a full contract's
/// text divides into its two parts.
pub const SCHEDULE_HEADING: &str = "当事人信息及签署页";

/// What a template-2 contract says of its parties and places, as the log
/// had them on the day of the award (so the 正文 renders again the same).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Written {
    /// 合同编号 (P1's transfer contract code).
    pub contract_no: String,
    pub county: String,
    /// The exchange, by the county's name.
    pub exchange: String,
    /// 发包方, by name with its code.
    pub collective: String,
    pub transferor: String,
    pub transferee: String,
    pub household: String,
    /// The land's area in 亩, to two places.
    pub area_mu: String,
    /// The term in words: 10年, 2年6个月.
    pub years: String,
    /// The price per 亩 and year, to the fen; "—" where it has no meaning.
    pub per_mu_year: String,
}

/// Chinese numerals for the articles: 一 to 九十九.
fn numeral(n: usize) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => D[n].to_owned(),
        10..=19 => format!("十{}", D[n - 10]),
        20..=99 => format!("{}十{}", D[n / 10], D[n % 10]),
        _ => n.to_string(),
    }
}

/// Numbers the articles in order: each `第〇条` becomes 第一条, 第二条, ….
fn numbered(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for (i, part) in text.split("第〇条").enumerate() {
        if i > 0 {
            out.push_str(&format!("第{}条", numeral(i)));
        }
        out.push_str(part);
    }
    out
}

/// Renders the contract of an award as the rules keep it: template 1's
/// whole English text, or template 2's Chinese 正文.
pub fn render_contract(listing: &Listing, award: &Award) -> String {
    match (&award.written, award.template) {
        (Some(w), 2..) => render_v2(listing, award, w),
        _ => render_v1(listing, award),
    }
}

fn render_v2(l: &Listing, award: &Award, w: &Written) -> String {
    let text = l
        .mode
        .template()
        .replace("{general}", include_str!("../../../contracts/general.txt"));
    let decision = l.decision.map_or_else(|| "—".to_owned(), |d| d.to_string());
    let consent = l.consent.map_or_else(|| "—".to_owned(), |d| d.to_string());
    let swap_for = if l.swap_for.is_empty() {
        "—".to_owned()
    } else {
        l.swap_for.join("、")
    };
    numbered(
        &text
            .replace("{contract_no}", &w.contract_no)
            .replace("{listing}", &l.id.to_string())
            .replace("{transferor}", &w.transferor)
            .replace("{transferee}", &w.transferee)
            .replace("{household}", &w.household)
            .replace("{collective}", &w.collective)
            .replace("{contract}", l.contract.as_deref().unwrap_or("—"))
            .replace("{exchange}", &w.exchange)
            .replace("{county}", &w.county)
            .replace("{parcels}", award.parcels.trim_end())
            .replace("{area_mu}", &w.area_mu)
            .replace("{start}", &words::day(&l.start))
            .replace("{end}", &words::day(&l.end))
            .replace("{years}", &w.years)
            .replace("{land_use}", words::land_use(&l.land_use))
            .replace("{price}", &words::grouped(&award.price.to_string()))
            .replace("{per_mu_year}", &w.per_mu_year)
            .replace("{price_per_mu_year}", &w.per_mu_year)
            .replace("{swap_for}", &swap_for)
            .replace("{shares}", &l.shares.to_string())
            .replace("{decision}", &decision)
            .replace("{consent}", &consent),
    )
    .trim_end()
    .to_owned()
}

fn render_v1(listing: &Listing, award: &Award) -> String {
    listing
        .mode
        .template_v1()
        .replace("{listing}", &listing.id.to_string())
        .replace("{transferor}", &listing.transferor)
        .replace("{household}", &listing.household)
        .replace("{transferee}", &award.party)
        .replace("{collective}", &listing.collective)
        .replace("{contract}", listing.contract.as_deref().unwrap_or("-"))
        .replace("{parcels}", &award.parcels)
        .replace("{start}", &listing.start.to_string())
        .replace("{end}", &listing.end.to_string())
        .replace("{land_use}", &listing.land_use)
        .replace("{price}", &award.price.to_string())
        .replace("{mode}", listing.mode.as_str())
        .replace(
            "{swap_for}",
            &if listing.swap_for.is_empty() {
                "-".to_owned()
            } else {
                listing.swap_for.join(", ")
            },
        )
        .replace(
            "{decision}",
            &listing
                .decision
                .map_or_else(|| "-".to_owned(), |d| d.to_string()),
        )
}

/// A party of a contract as its 当事人信息及签署页 names it: by name and
/// the number of its papers as they are shown (masked for a person).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signatory {
    pub name: String,
    pub papers: String,
}

impl Signatory {
    /// The same line on the public copy: nothing of the person.
    pub fn withheld() -> Self {
        Signatory {
            name: "（不公开）".to_owned(),
            papers: "（不公开）".to_owned(),
        }
    }
}

/// Renders the 当事人信息及签署页 of a template-2 contract: the parties'
/// names and papers, the 核验码 and the signature blocks.
pub fn render_schedule(
    award: &Award,
    transferor: &Signatory,
    transferee: &Signatory,
    code: &str,
) -> String {
    let w = award.written.clone().unwrap_or_default();
    include_str!("../../../contracts/signatures.txt")
        .replace("{contract_no}", &w.contract_no)
        .replace("{body_sha256}", &award.contract_sha256)
        .replace("{transferor_name}", &transferor.name)
        .replace("{transferor_id}", &transferor.papers)
        .replace("{transferee_name}", &transferee.name)
        .replace("{transferee_id}", &transferee.papers)
        .replace("{county}", &w.county)
        .replace("{code}", code)
}

/// What the parties of a template-2 contract sign: the SHA-256 over the
/// SHA-256 of its 正文 and of its 当事人信息及签署页, so the 正文 can be
/// checked by anyone against the log and the whole only by who holds the
/// second part (whose 核验码 no one can guess).
pub fn signed_sha256(body_sha256: &str, schedule_sha256: &str) -> String {
    sha256_hex(&format!(
        "sanquan contract v2\n{body_sha256}\n{schedule_sha256}\n"
    ))
}

/// SHA-256 of a text, as 64 lower-case hex digits.
pub fn sha256_hex(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The whole months from `start` to `end` (inclusive), if the term is
/// whole months (2027-01-01 to 2036-12-31: 120).
fn whole_months(start: NaiveDate, end: NaiveDate) -> Option<u32> {
    use chrono::Datelike;
    let after = end.succ_opt()?;
    let months = (after.year() - start.year()) * 12 + after.month() as i32 - start.month() as i32;
    let months = u32::try_from(months).ok().filter(|m| *m > 0)?;
    (start.checked_add_months(chrono::Months::new(months)) == Some(after)).then_some(months)
}

/// A term from `start` to `end` (inclusive) in words: 10年, 2年6个月, 45天.
pub fn term_words(start: NaiveDate, end: NaiveDate) -> String {
    match whole_months(start, end) {
        Some(m) if m % 12 == 0 => format!("{}年", m / 12),
        Some(m) if m > 12 => format!("{}年{}个月", m / 12, m % 12),
        Some(m) => format!("{m}个月"),
        None => format!("{}天", (end - start).num_days() + 1),
    }
}

/// A whole-term price per 亩 and year, to the fen: `None` without land or
/// with no term. A term of whole months counts them; another counts days
/// of 365 to the year.
pub fn per_mu_year(
    price: Fen,
    area: crate::model::Area,
    start: NaiveDate,
    end: NaiveDate,
) -> Option<String> {
    use rust_decimal::Decimal;
    let mu = area.mu();
    let years = match whole_months(start, end) {
        Some(m) => Decimal::from(m) / Decimal::from(12),
        None => Decimal::from((end - start).num_days() + 1) / Decimal::from(365),
    };
    if years <= Decimal::ZERO || mu <= Decimal::ZERO {
        return None;
    }
    let mut per = (Decimal::new(price.0, 2) / mu / years).round_dp(2);
    per.rescale(2);
    Some(words::grouped(&per.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// A listing of `mode`, awarded on template 2, as the rules keep it.
    fn awarded(mode: Mode) -> (Listing, Award) {
        let mut l: Listing = serde_json::from_value(serde_json::json!({
            "id": 1432, "mode": mode, "transferor": "140421001001010002",
            "household": "140421001001010002", "collective": "14042100100101",
            "contract": "140421001001010002J", "parcels": ["1404210010010100006"],
            "start": "2027-01-01", "end": "2036-12-31", "land_use": "1",
            "reserve": 2_530_000, "increment": 10_000, "deposit": 100_000,
            "auction_minutes": 60, "status": "awarded", "notice_from": null,
            "notice_to": null, "county_level": false, "intents": [], "bids": [],
            "deadline": null, "award": null, "signed_by": [], "verified_at": null,
            "paid_at": null, "certificate_no": null, "settled_at": null,
            "history": [], "shares": 3, "decision": 1200, "consent": 1300,
            "swap_for": ["1404210010010100009"]
        }))
        .unwrap();
        l.contract_no = Some("140421001001010001".to_owned());
        let mut award = Award {
            index: 1500,
            party: "91350100M000100Y43".to_owned(),
            price: Fen(2_530_000),
            contract_sha256: String::new(),
            day: Some(day(2026, 12, 1)),
            parcels: "1. 大块地6号（地块编码 1404210010010100006）：坐落于第1村第一组；四至：东至大块地7号".to_owned(),
            template: CONTRACT_TEMPLATE,
            written: Some(Written {
                contract_no: "140421001001010001".to_owned(),
                county: "平顺县".to_owned(),
                exchange: "平顺县农村产权交易中心".to_owned(),
                collective: "第1村第一组（发包方编码 14042100100101）".to_owned(),
                transferor: "承包方 第1村第一组 · 第2户".to_owned(),
                transferee: "单位受让方（统一社会信用代码 91350100M000100Y43）".to_owned(),
                household: "承包方 第1村第一组 · 第2户".to_owned(),
                area_mu: "10.00".to_owned(),
                years: "10年".to_owned(),
                per_mu_year: "253.00".to_owned(),
            }),
            schedule_sha256: None,
        };
        award.contract_sha256 = sha256_hex(&render_contract(&l, &award));
        l.award = Some(award.clone());
        (l, award)
    }

    /// The share of Chinese characters among a text's letters, leaving out
    /// codes and numbers (a run of Latin letters with digits, or of
    /// capitals — a credit code, a hash, a 核验码, SHA-256 — is Latin by its
    /// standard; a lower-case word is English).
    fn cjk_share(text: &str) -> f64 {
        let code = |w: &str| {
            w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-*.".contains(c))
                && (w.chars().any(|c| c.is_ascii_digit())
                    || w.chars().all(|c| !c.is_ascii_lowercase()))
        };
        let letters: Vec<char> = text
            .split(|c: char| {
                !(c.is_alphanumeric() || "-*.".contains(c))
                    || ('\u{3000}'..='\u{303f}').contains(&c)
                    || ('\u{ff00}'..='\u{ffef}').contains(&c)
            })
            .filter(|w| !code(w))
            .flat_map(|w| w.chars())
            .filter(|c| c.is_alphabetic())
            .collect();
        let cjk = letters
            .iter()
            .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(*c))
            .count();
        cjk as f64 / letters.len().max(1) as f64
    }

    /// M5 (issue 18): every mode's contract is Chinese, whole, with the
    /// clauses a contract of the Ministry's model has, and nothing left
    /// unfilled; the page of the parties has the signature blocks.
    #[test]
    fn m5_every_contract_is_chinese_with_the_model_contracts_clauses() {
        let every = [
            "合同编号",
            "甲方",
            "乙方",
            "资金监管账户",
            "违约责任",
            "争议解决",
            "调解",
            "仲裁",
            "人民法院",
            "不因本合同而丧失",
        ];
        for mode in Mode::ALL {
            let (l, award) = awarded(mode);
            let text = render_contract(&l, &award);
            assert!(
                !text.contains('{') && !text.contains('}') && !text.contains("第〇条"),
                "{mode:?} left a field unfilled:\n{text}"
            );
            let share = cjk_share(&text);
            assert!(
                share > 0.97,
                "{mode:?}: only {share:.2} of its letters are Chinese"
            );
            let missing: Vec<_> = every.iter().filter(|c| !text.contains(**c)).collect();
            assert!(missing.is_empty(), "{mode:?} lacks {missing:?}");
            let land = !matches!(mode, Mode::Shares | Mode::AssetLease);
            assert_eq!(
                text.contains("征收"),
                land,
                "{mode:?}: who is paid on expropriation"
            );
            let term = !matches!(mode, Mode::Shares | Mode::Homestead);
            assert_eq!(
                text.contains("2036年12月31日"),
                term,
                "{mode:?}: the term in 年月日"
            );
            if matches!(
                mode,
                Mode::Lease | Mode::Subcontract | Mode::Onward | Mode::Equity
            ) {
                for c in [
                    "四至",
                    "每亩每年 253.00 元",
                    "非农",
                    "2027年1月1日",
                    "25,300.00 元",
                    "用于种植业",
                ] {
                    assert!(text.contains(c), "{mode:?} lacks {c}");
                }
            }
            assert!(
                text.starts_with("农村") || text.starts_with("宅基地"),
                "{mode:?}"
            );
        }
        let page = render_schedule(
            &awarded(Mode::Lease).1,
            &Signatory {
                name: "王建国".into(),
                papers: "居民身份证 1404**********9135".into(),
            },
            &Signatory::withheld(),
            "ABCD-EFGH",
        );
        assert!(page.starts_with(SCHEDULE_HEADING));
        for c in [
            "甲方（签字/盖章）",
            "乙方（签字/盖章）",
            "年　　月　　日",
            "核验码：ABCD-EFGH",
            "王建国",
            "1404**********9135",
            "140421001001010001",
        ] {
            assert!(page.contains(c), "the page of the parties lacks {c}");
        }
        assert!(cjk_share(&page) > 0.97, "{:.2}: {page}", cjk_share(&page));
    }

    #[test]
    fn m5_deals_awarded_on_the_english_texts_keep_them() {
        let (mut l, mut award) = awarded(Mode::Lease);
        award.template = 1;
        award.written = None;
        award.contract_sha256 = sha256_hex(&render_contract(&l, &award));
        l.award = Some(award.clone());
        let text = l.contract_text().unwrap();
        assert!(text.contains("Contract for the transfer of the land management right"));
        assert_eq!(
            award.signed().as_deref(),
            Some(award.contract_sha256.as_str())
        );
        assert_eq!(award.sha256_with("anything"), award.contract_sha256);
    }

    #[test]
    fn m5_articles_are_numbered_in_chinese_in_order() {
        assert_eq!(numbered("第〇条 甲\n第〇条 乙"), "第一条 甲\n第二条 乙");
        assert_eq!(numeral(12), "十二");
        assert_eq!(numeral(20), "二十");
        assert_eq!(numeral(21), "二十一");
    }

    #[test]
    fn m5_a_term_reads_in_years_and_a_price_per_mu_and_year() {
        assert_eq!(term_words(day(2027, 1, 1), day(2036, 12, 31)), "10年");
        assert_eq!(term_words(day(2027, 1, 1), day(2029, 6, 30)), "2年6个月");
        assert_eq!(term_words(day(2027, 1, 1), day(2027, 3, 31)), "3个月");
        assert_eq!(term_words(day(2027, 1, 1), day(2027, 1, 10)), "10天");
        // 10 亩 for 10 years at 25,300 元: 253 元/亩/年.
        let area = crate::model::Area::parse_m2("6666.67").unwrap();
        let price = Fen::parse_yuan("25300").unwrap();
        assert_eq!(
            per_mu_year(price, area, day(2027, 1, 1), day(2036, 12, 31)).as_deref(),
            Some("253.00")
        );
        assert_eq!(
            per_mu_year(
                price,
                crate::model::Area::ZERO,
                day(2027, 1, 1),
                day(2036, 12, 31)
            ),
            None
        );
    }

    #[test]
    fn m5_what_is_signed_covers_both_parts() {
        let a = signed_sha256(&"a".repeat(64), &"b".repeat(64));
        assert_ne!(a, signed_sha256(&"a".repeat(64), &"c".repeat(64)));
        assert_ne!(a, signed_sha256(&"c".repeat(64), &"b".repeat(64)));
        assert_eq!(a.len(), 64);
    }
}
