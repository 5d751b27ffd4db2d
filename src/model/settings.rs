//! The county's settings: where DOMAIN.md lets local practice differ, a value
//! with a default. They live on the log (`county.settings`), so that a replay
//! applies each rule with the value in force when the entry was admitted.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::shares::Fen;
use super::units::Area;

/// The settings in force. Written as JSON with areas in m² and money in yuan
/// as decimal strings, like every amount on the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// How far a parcel may overlap another, or leave its boundary (C7/spatial).
    #[serde(with = "m2_text")]
    pub overlap_tolerance_m2: Area,
    /// H1: the provincial homestead area limit by terrain.
    pub homestead_limit_m2: HomesteadLimits,
    /// S2: the most shares one holder may reach by transfer, as a percentage
    /// of all its collective's shares; `null` for no cap.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub share_cap_percent: Option<Decimal>,
    /// S1: shares do not follow people into or out of a household.
    pub static_shares: bool,
    /// H3: the longest lease of a homestead house, in years.
    pub house_lease_max_years: u32,
    /// X3: the notice period of a listing, in working days.
    pub notice_working_days: u32,
    /// X3: deals at or above this are flagged for county-level publication.
    #[serde(with = "yuan_text")]
    pub large_deal_yuan: Fen,
    /// G4: how long a household may withdraw a surrender, in days.
    pub cooling_off_days: u32,
    /// X6: the ages natural persons must have to take a transfer.
    pub transferee_min_age: u32,
    pub transferee_max_age: u32,
    /// X4: a bid in the last minutes of an auction extends it by as much.
    pub anti_sniping_minutes: u32,
    /// X3: the county's holidays and make-up working days, for notices.
    pub calendar: super::calendar::Calendar,
    /// How far an entry's own `time` may lie from the server's, in minutes:
    /// a signed envelope is good for so long and no longer.
    #[serde(default = "defaults::entry_time_window_minutes")]
    pub entry_time_window_minutes: u32,
    /// The most positions a parcel's or homestead's geometry may have (real
    /// parcels have hundreds).
    #[serde(default = "defaults::max_vertices")]
    pub max_vertices: u32,
    /// The largest amount of money an entry may state (a price, a deposit, a
    /// compensation, a distribution), in yuan.
    #[serde(with = "yuan_text", default = "defaults::max_amount_yuan")]
    pub max_amount_yuan: Fen,
    /// X2: the working days the winner has to pay after the award; after
    /// them the exchange may cancel the award.
    #[serde(default = "defaults::payment_working_days")]
    pub payment_working_days: u32,
    /// R2: the most objections one signer may have open at once.
    #[serde(default = "defaults::max_open_objections")]
    pub max_open_objections: u32,
    /// The version of the rules in force: 1 for logs begun before the
    /// authority rules (DOMAIN.md A1–A7, L1), 2 from then on. Set at genesis
    /// for a new county, raised (never lowered) by `county.settings`;
    /// `verify` replays each entry under the version in force when it was
    /// written.
    #[serde(default = "defaults::rules")]
    pub rules: u32,
    /// M5: the contract texts awards are written on: 1, the English texts
    /// of logs begun before the Chinese contracts; 2 (`CONTRACTS`), the
    /// Chinese ones after the Ministry's model contracts. Set at genesis for
    /// a new county, raised (never lowered) by `county.settings`; `verify`
    /// replays each award on the texts in force when it was made.
    #[serde(default = "defaults::contracts")]
    pub contracts: u32,
    /// A3: the protective notice of an act over a household, in days: it
    /// takes effect only after so many days with no objection.
    #[serde(default = "defaults::act_notice_days")]
    pub act_notice_days: u32,
    /// E3: the county's published land prices (区片综合地价), in yuan per
    /// 亩, each for the zone a code names — a township (9 digits) or one
    /// collective (14 digits). Under rules 2 an expropriation is announced
    /// only on land a price covers, and its plan pays at least that price
    /// times the area taken.
    #[serde(
        default,
        skip_serializing_if = "std::collections::BTreeMap::is_empty",
        with = "yuan_map"
    )]
    pub zone_prices: std::collections::BTreeMap<String, Fen>,
    /// P5: the log keys of other counties (by 6-digit county code, each a
    /// `sanquan/<county>` verifier key), whose logs this county takes as
    /// the record of an admission elsewhere. Pinned by the county root, as
    /// witnesses are; a key is replaced by setting it again.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub other_logs: std::collections::BTreeMap<String, String>,
}

/// Defaults of the settings added after the first logs were written: a
/// settings document stored before them reads with these.
mod defaults {
    use super::Fen;
    pub fn entry_time_window_minutes() -> u32 {
        10
    }
    pub fn max_vertices() -> u32 {
        20_000
    }
    pub fn max_amount_yuan() -> Fen {
        // 1,000,000,000.00 yuan.
        Fen(100_000_000_000)
    }
    pub fn payment_working_days() -> u32 {
        10
    }
    pub fn max_open_objections() -> u32 {
        5
    }
    pub fn rules() -> u32 {
        1
    }
    pub fn contracts() -> u32 {
        1
    }
    pub fn act_notice_days() -> u32 {
        30
    }
}

/// H1's limit per terrain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HomesteadLimits {
    #[serde(with = "m2_text")]
    pub plain: Area,
    #[serde(with = "m2_text")]
    pub hill: Area,
    #[serde(with = "m2_text")]
    pub mountain: Area,
}

impl Default for Settings {
    /// The defaults DOMAIN.md names (浙江's homestead limits and share cap).
    fn default() -> Self {
        Settings {
            overlap_tolerance_m2: Area(100),
            homestead_limit_m2: HomesteadLimits {
                plain: Area(12_500),
                hill: Area(14_000),
                mountain: Area(16_000),
            },
            share_cap_percent: Some(Decimal::from(3)),
            static_shares: true,
            house_lease_max_years: 20,
            notice_working_days: 10,
            large_deal_yuan: Fen(30_000_000),
            cooling_off_days: 30,
            transferee_min_age: 18,
            transferee_max_age: 70,
            anti_sniping_minutes: 5,
            calendar: Default::default(),
            entry_time_window_minutes: defaults::entry_time_window_minutes(),
            max_vertices: defaults::max_vertices(),
            max_amount_yuan: defaults::max_amount_yuan(),
            payment_working_days: defaults::payment_working_days(),
            max_open_objections: defaults::max_open_objections(),
            rules: defaults::rules(),
            contracts: defaults::contracts(),
            act_notice_days: defaults::act_notice_days(),
            zone_prices: Default::default(),
            other_logs: Default::default(),
        }
    }
}

/// The newest contract texts (see [`Settings::contracts`]).
pub const CONTRACTS: u32 = super::exchange::CONTRACT_TEMPLATE;

/// The newest version of the rules (see [`Settings::rules`]).
pub const RULES: u32 = 2;

impl Settings {
    /// Whether the authority rules (DOMAIN.md A1–A7) are in force.
    pub fn authority(&self) -> bool {
        self.rules >= 2
    }

    /// E3: the price per 亩 (in fen) of the zone `collective`'s land lies
    /// in: its own, else its township's.
    pub fn zone_price(&self, collective: &str) -> Option<Fen> {
        self.zone_prices
            .get(collective)
            .or_else(|| {
                self.zone_prices
                    .get(crate::model::codes::township_of(collective))
            })
            .copied()
    }
}

/// Why a settings change is refused: the setting, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    pub field: String,
    pub reason: String,
    pub reason_zh: String,
}

/// The most positions any geometry may have, whatever the settings say: the
/// stage before the writer refuses more before it validates anything.
pub const MAX_VERTICES: u32 = 100_000;

/// The most other counties' logs a county pins (the nation has about 2,800
/// counties).
pub const MAX_OTHER_LOGS: usize = 3_000;

impl Settings {
    /// These settings with the fields of `update` (a partial settings object)
    /// replaced. Names the field at fault: unknown, mistyped, out of range,
    /// or the rules version lowered.
    pub fn updated(
        &self,
        update: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Settings, SettingError> {
        let mut merged = serde_json::to_value(self).expect("settings serialise");
        for (k, v) in update {
            match (merged.get_mut(k), v) {
                (Some(serde_json::Value::Object(inner)), serde_json::Value::Object(part)) => {
                    for (k2, v2) in part {
                        inner.insert(k2.clone(), v2.clone());
                    }
                }
                _ => {
                    merged[k] = v.clone();
                }
            }
        }
        let next: Settings = serde_path_to_error::deserialize(&merged).map_err(|e| {
            let reason = e.inner().to_string();
            let named = reason
                .strip_prefix("unknown field `")
                .and_then(|r| r.split('`').next())
                .map(str::to_owned);
            SettingError {
                field: named.unwrap_or_else(|| e.path().to_string()),
                reason_zh: super::error::serde_reason_zh(&reason),
                reason,
            }
        })?;
        next.check()?;
        if next.rules < self.rules {
            return Err(SettingError {
                field: "rules".into(),
                reason: "the rules in force are never lowered".into(),
                reason_zh: "已施行的规则版本不能降低".into(),
            });
        }
        if next.contracts < self.contracts {
            return Err(SettingError {
                field: "contracts".into(),
                reason: "the contract texts in force are never taken back".into(),
                reason_zh: "已启用的合同文本版本不能退回".into(),
            });
        }
        Ok(next)
    }

    fn check(&self) -> Result<(), SettingError> {
        let bad = |f: &str, (reason, reason_zh): super::error::Why| {
            Err(SettingError {
                field: f.to_owned(),
                reason: reason.to_owned(),
                reason_zh: reason_zh.to_owned(),
            })
        };
        if self.overlap_tolerance_m2 > Area(10_000) {
            return bad(
                "overlap_tolerance_m2",
                ("at most 100 m²", "至多 100 平方米"),
            );
        }
        let h = self.homestead_limit_m2;
        if [h.plain, h.hill, h.mountain].contains(&Area::ZERO) {
            return bad(
                "homestead_limit_m2",
                (
                    "a limit above zero for each terrain",
                    "每种地形的上限都须大于零",
                ),
            );
        }
        if let Some(cap) = self.share_cap_percent {
            if cap <= Decimal::ZERO || cap > Decimal::from(100) {
                return bad(
                    "share_cap_percent",
                    ("above 0 and at most 100", "大于 0，至多 100"),
                );
            }
        }
        if !(1..=70).contains(&self.house_lease_max_years) {
            return bad("house_lease_max_years", ("1 to 70 years", "1 至 70 年"));
        }
        if !(5..=60).contains(&self.notice_working_days) {
            return bad(
                "notice_working_days",
                ("5 to 60 working days", "5 至 60 个工作日"),
            );
        }
        if !(1..=365).contains(&self.cooling_off_days) {
            return bad("cooling_off_days", ("1 to 365 days", "1 至 365 天"));
        }
        if self.transferee_min_age < 16 || self.transferee_max_age <= self.transferee_min_age {
            return bad(
                "transferee_min_age",
                (
                    "at least 16, and below transferee_max_age",
                    "至少 16 岁，且低于 transferee_max_age",
                ),
            );
        }
        if self.anti_sniping_minutes > 60 {
            return bad("anti_sniping_minutes", ("at most 60", "至多 60"));
        }
        if !(1..=1440).contains(&self.entry_time_window_minutes) {
            return bad(
                "entry_time_window_minutes",
                ("1 to 1440 minutes", "1 至 1440 分钟"),
            );
        }
        if !(1..=RULES).contains(&self.rules) {
            return bad("rules", ("1 or 2", "1 或 2"));
        }
        if !(1..=CONTRACTS).contains(&self.contracts) {
            return bad(
                "contracts",
                ("1 (English) or 2 (Chinese)", "1（英文）或 2（中文）"),
            );
        }
        if !(15..=365).contains(&self.act_notice_days) {
            return bad(
                "act_notice_days",
                ("15 to 365 days (A3)", "15 至 365 天（A3）"),
            );
        }
        if !(4..=MAX_VERTICES).contains(&self.max_vertices) {
            return bad(
                "max_vertices",
                ("4 to 100000 positions", "4 至 100000 个坐标"),
            );
        }
        if self.max_amount_yuan <= Fen::ZERO || self.max_amount_yuan > Fen(100_000_000_000_000) {
            return bad(
                "max_amount_yuan",
                (
                    "above 0 and at most 1000000000000 yuan",
                    "大于 0，至多 1000000000000 元",
                ),
            );
        }
        if !(1..=60).contains(&self.payment_working_days) {
            return bad(
                "payment_working_days",
                ("1 to 60 working days", "1 至 60 个工作日"),
            );
        }
        if !(1..=1000).contains(&self.max_open_objections) {
            return bad("max_open_objections", ("1 to 1000", "1 至 1000"));
        }
        for (zone, &price) in &self.zone_prices {
            if !matches!(zone.len(), 9 | 14) || !zone.bytes().all(|b| b.is_ascii_digit()) {
                return bad(
                    "zone_prices",
                    (
                        "each zone is a township code (9 digits) or a collective's (14 digits)",
                        "每个区片须为乡镇代码（9 位）或集体经济组织代码（14 位）",
                    ),
                );
            }
            if price <= Fen::ZERO || price > self.max_amount_yuan {
                return bad(
                    "zone_prices",
                    (
                        "each price per mu is above 0 and at most max_amount_yuan",
                        "每亩地价须大于 0，且不超过 max_amount_yuan",
                    ),
                );
            }
        }
        if self.other_logs.len() > MAX_OTHER_LOGS {
            return bad("other_logs", ("at most 3000 counties", "至多 3000 个县"));
        }
        for (county, vkey) in &self.other_logs {
            let named =
                super::VerifierKey::parse(vkey).is_ok_and(|k| k.name == super::log_origin(county));
            if super::codes::check_county(county).is_err() || !named {
                return bad(
                    "other_logs",
                    (
                        "each county's 6-digit code names that county's log key, `sanquan/<county>+…` (P5)",
                        "每个县的 6 位代码须对应该县的日志公钥 `sanquan/<县代码>+…`（P5）",
                    ),
                );
            }
        }
        Ok(())
    }

    /// S2: whether a holder with `held` of `total` shares is over the cap.
    pub fn over_share_cap(&self, held: u64, total: u64) -> bool {
        match self.share_cap_percent {
            Some(cap) => Decimal::from(held) * Decimal::from(100) > cap * Decimal::from(total),
            None => false,
        }
    }
}

mod m2_text {
    use super::Area;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(a: &Area, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&a.m2().normalize().to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Area, D::Error> {
        Area::parse_m2(&String::deserialize(d)?).map_err(|(en, _)| D::Error::custom(en))
    }
}

mod yuan_text {
    use super::Fen;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(f: &Fen, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&f.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Fen, D::Error> {
        Fen::parse_yuan(&String::deserialize(d)?).map_err(|(en, _)| D::Error::custom(en))
    }
}

/// A map of zone codes to yuan amounts, each written as a decimal string.
mod yuan_map {
    use super::Fen;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(m: &BTreeMap<String, Fen>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(m.iter().map(|(k, f)| (k, f.to_string())))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Fen>, D::Error> {
        BTreeMap::<String, String>::deserialize(d)?
            .into_iter()
            .map(|(k, v)| {
                Ok((
                    k,
                    Fen::parse_yuan(&v).map_err(|(en, _)| D::Error::custom(en))?,
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn update(v: serde_json::Value) -> Result<Settings, (String, String)> {
        Settings::default()
            .updated(v.as_object().unwrap())
            .map_err(|e| (e.field, e.reason))
    }

    /// The rules version is raised on the log, never lowered; every range
    /// refusal says why in Chinese too.
    #[test]
    fn the_rules_are_never_lowered_and_refusals_say_why_in_chinese() {
        let v2 = update(json!({"rules": 2})).unwrap();
        assert!(v2.authority() && !Settings::default().authority());
        let chinese = update(json!({"contracts": 2})).unwrap();
        let back = chinese
            .updated(json!({"contracts": 1}).as_object().unwrap())
            .unwrap_err();
        assert_eq!(
            (back.field.as_str(), back.reason_zh.as_str()),
            ("contracts", "已启用的合同文本版本不能退回")
        );
        let lowered = v2
            .updated(json!({"rules": 1}).as_object().unwrap())
            .unwrap_err();
        assert_eq!(lowered.field, "rules");
        assert_eq!(lowered.reason_zh, "已施行的规则版本不能降低");
        for bad in [
            json!({"rules": 3}),
            json!({"contracts": 3}),
            json!({"act_notice_days": 14}),
            json!({"cooling_off_days": 0}),
        ] {
            let e = Settings::default()
                .updated(bad.as_object().unwrap())
                .unwrap_err();
            assert!(
                e.reason_zh
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{bad}: {}",
                e.reason_zh
            );
        }
    }

    /// E3: zone prices are added zone by zone, read by a collective's own
    /// zone before its township's, and refused with the field named when a
    /// zone is no code or a price is nothing.
    #[test]
    fn zone_prices_are_added_zone_by_zone_and_checked() {
        let s = update(json!({"zone_prices": {"140421001": "42000.00"}})).unwrap();
        let s = s
            .updated(
                json!({"zone_prices": {"14042100100101": "48000.50"}})
                    .as_object()
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(s.zone_price("14042100100101"), Some(Fen(4_800_050)));
        assert_eq!(s.zone_price("14042100100102"), Some(Fen(4_200_000)));
        assert_eq!(s.zone_price("14042100200101"), None);
        let back: Settings = serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        for bad in [json!({"1404": "1.00"}), json!({"140421001": "0"})] {
            let (field, _) = update(json!({ "zone_prices": bad })).unwrap_err();
            assert_eq!(field, "zone_prices");
        }
    }

    /// P5: another county's log key is pinned under its own code, and
    /// refused under another's, under a bad code or as no key at all.
    #[test]
    fn other_logs_pin_each_county_by_its_own_log_key() {
        let key = |name: &str| {
            let public = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
            crate::model::VerifierKey::new(name, public)
                .unwrap()
                .to_string()
        };
        let s = update(json!({"other_logs": {"140427": key("sanquan/140427")}})).unwrap();
        assert_eq!(s.other_logs["140427"], key("sanquan/140427"));
        let back: Settings = serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        for bad in [
            json!({"140427": key("sanquan/140428")}),
            json!({"14042": key("sanquan/14042")}),
            json!({"140427": "sanquan/140427+00000000+AAAA"}),
        ] {
            let (field, _) = update(json!({ "other_logs": bad })).unwrap_err();
            assert_eq!(field, "other_logs", "{bad}");
        }
    }

    #[test]
    fn defaults_round_trip_and_partial_updates_keep_the_rest() {
        let d = Settings::default();
        let text = serde_json::to_value(&d).unwrap();
        assert_eq!(text["overlap_tolerance_m2"], "1");
        assert_eq!(text["homestead_limit_m2"]["hill"], "140");
        assert_eq!(text["large_deal_yuan"], "300000.00");
        assert_eq!(serde_json::from_value::<Settings>(text).unwrap(), d);

        let s = update(json!({"homestead_limit_m2": {"plain": "80"}, "share_cap_percent": null}))
            .unwrap();
        assert_eq!(s.homestead_limit_m2.plain, Area(8_000));
        assert_eq!(s.homestead_limit_m2.mountain, Area(16_000));
        assert_eq!(s.share_cap_percent, None);
        assert_eq!(s.notice_working_days, 10);
    }

    /// The county's calendar file is a `county.settings` body as it stands.
    #[test]
    fn the_countys_calendar_file_is_a_settings_update() {
        let file: serde_json::Value =
            serde_json::from_str(include_str!("../../calendar/140421.json")).unwrap();
        let s = update(file["settings"].clone()).unwrap();
        let day = |t: &str| t.parse::<chrono::NaiveDate>().unwrap();
        // Posted Monday 2026-09-28: the National Day week is off, Saturday
        // 10 October is worked; ten working days end on Friday 16 October.
        let (from, to) = s.calendar.notice_period(day("2026-09-28"), 10);
        assert_eq!((from, to), (day("2026-09-29"), day("2026-10-16")));
        // Spring Festival 2026: Saturday 14 February is worked, 16–23 are off.
        let (from, to) = s.calendar.notice_period(day("2026-02-12"), 3);
        assert_eq!((from, to), (day("2026-02-13"), day("2026-02-24")));
    }

    #[test]
    fn bad_settings_name_their_field() {
        assert_eq!(update(json!({"color": "red"})).unwrap_err().0, "color");
        assert_eq!(
            update(json!({"notice_working_days": 2})).unwrap_err().0,
            "notice_working_days"
        );
        assert_eq!(
            update(json!({"overlap_tolerance_m2": "1.234"}))
                .unwrap_err()
                .0,
            "overlap_tolerance_m2"
        );
        assert_eq!(
            update(json!({"share_cap_percent": "0"})).unwrap_err().0,
            "share_cap_percent"
        );
    }

    #[test]
    fn share_cap_is_a_share_of_all() {
        let s = Settings::default();
        assert!(!s.over_share_cap(3, 100));
        assert!(s.over_share_cap(4, 100));
        assert!(!update(json!({"share_cap_percent": null}))
            .unwrap()
            .over_share_cap(100, 100));
    }
}
