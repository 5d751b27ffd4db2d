//! Codes of parties (P1, GB/T 35958 and NY/T 2539), resident ID numbers (P2,
//! GB 11643) and unified social credit codes (GB 32100).

use chrono::{Datelike, NaiveDate};

use super::refusal::Why;

/// 6-digit county code: the log is the county's (`sanquan/<county>`).
pub fn check_county(code: &str) -> Result<(), Why> {
    digits(code, 6)
}

/// 14-digit 发包方编码: village 12 + group 2 (P1).
pub fn check_collective(code: &str) -> Result<(), Why> {
    digits(code, 14)
}

/// The 发包方编码 a household, parcel or contract code begins with (P1); a
/// code too short to hold one is its own, so a comparison with it fails
/// instead of panicking.
pub fn collective_of(code: &str) -> &str {
    code.get(..14).unwrap_or(code)
}

/// The 6-digit county (GB/T 2260) a collective, household, parcel or
/// contract code begins with; a shorter code is its own.
pub fn county_of(code: &str) -> &str {
    code.get(..6).unwrap_or(code)
}

/// The 9-digit township (乡镇) a collective, household, parcel or contract
/// code begins with; a shorter code is its own.
pub fn township_of(code: &str) -> &str {
    code.get(..9).unwrap_or(code)
}

/// Whether `code` is an 18-digit household code of `collective` (P1).
pub fn household_of_collective(code: &str, collective: &str) -> bool {
    code.len() == 18 && collective_of(code) == collective
}

/// 18-digit 承包方编码: 发包方编码 + 4-digit sequence, never 0000 (P1).
pub fn check_household(code: &str) -> Result<(), Why> {
    digits(code, 18)?;
    if code.get(14..) == Some("0000") {
        return Err(("sequence 0000 is not a household", "顺序码 0000 不是承包方"));
    }
    Ok(())
}

fn digits(code: &str, len: usize) -> Result<(), Why> {
    if code.len() != len {
        return Err(match len {
            6 => ("must be 6 digits", "须为 6 位数字"),
            14 => ("must be 14 digits", "须为 14 位数字"),
            18 => ("must be 18 digits", "须为 18 位数字"),
            19 => (
                "a parcel code is 19 digits: 发包方编码 + 5",
                "地块编码为 19 位：发包方编码加 5 位顺序码",
            ),
            _ => ("wrong length", "长度不对"),
        });
    }
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(("must be digits only", "只能是数字"));
    }
    Ok(())
}

/// Checks a resident ID number (P2) and returns it normalised: a lower-case
/// check character `x` is accepted and upper-cased, because clerks type on
/// phones; everything else that is wrong is refused.
pub fn check_resident_id(id: &str, today: NaiveDate) -> Result<String, Why> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    if id.len() != 18 || !id.is_ascii() {
        return Err(("must be 18 characters", "须为 18 个字符"));
    }
    let id = id.to_ascii_uppercase();
    let b = id.as_bytes();
    if !b[..17].iter().all(u8::is_ascii_digit) {
        return Err(("the first 17 characters must be digits", "前 17 位须为数字"));
    }
    let year: i32 = id[6..10]
        .parse()
        .map_err(|_| ("bad birth year", "出生年份无效"))?;
    let month: u32 = id[10..12]
        .parse()
        .map_err(|_| ("bad birth month", "出生月份无效"))?;
    let day: u32 = id[12..14]
        .parse()
        .map_err(|_| ("bad birth day", "出生日无效"))?;
    let born = NaiveDate::from_ymd_opt(year, month, day)
        .ok_or(("impossible birth date", "出生日期不存在"))?;
    if born > today || born.year() < 1880 {
        return Err(("birth date out of range", "出生日期超出范围"));
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    if b[17] != CHECK[(sum % 11) as usize] {
        return Err(("wrong check character", "校验码错误"));
    }
    Ok(id)
}

/// Checks an 18-character unified social credit code (GB 32100), the code of a
/// company or cooperative that acts as transferee.
pub fn check_social_credit(code: &str) -> Result<(), Why> {
    const CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    if code.len() != 18 {
        return Err(("must be 18 characters", "须为 18 个字符"));
    }
    let value = |c: u8| CHARS.iter().position(|&x| x == c).map(|p| p as u32);
    let mut sum = 0;
    for (c, w) in code.bytes().take(17).zip(WEIGHTS) {
        sum += value(c).ok_or(("invalid character", "含有无效字符"))? * w;
    }
    let check = (31 - sum % 31) % 31;
    if value(code.as_bytes()[17]) != Some(check) {
        return Err(("wrong check character", "校验码错误"));
    }
    Ok(())
}

/// The province abbreviations that begin a court's code (法院代字).
const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼兵";

fn han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// A4: a case number (案号) in its official form. A court's, as the
/// Supreme People's Court prescribes: （year）, the court's code (a province
/// abbreviation and 0, 2 or 4 digits), the case type (1 to 4 characters),
/// the number, 号 — e.g. （2026）晋0421民初123号 (half-width brackets read
/// too). An arbitration committee's: its abbreviation and type (Chinese),
/// the year in brackets, the number, 号 — e.g. 平农仲字〔2026〕第12号.
pub fn check_case_no(court: bool, text: &str) -> Result<(), Why> {
    let bad: Why = if court {
        (
            "a court's case number is in the official form, e.g. （2026）晋0421民初123号",
            "法院案号须为规范格式，如（2026）晋0421民初123号",
        )
    } else {
        (
            "an arbitration case number names the committee, the year in brackets and the number, e.g. 平农仲字〔2026〕第12号",
            "仲裁案号须写明仲裁委员会简称、括号内的年度和案件编号，如平农仲字〔2026〕第12号",
        )
    };
    let chars: Vec<char> = text.chars().collect();
    if chars.len() > 40 || chars.last() != Some(&'号') {
        return Err(bad);
    }
    let open = |c: char| matches!(c, '（' | '(' | '〔' | '[');
    let close = |c: char| matches!(c, '）' | ')' | '〕' | ']');
    // The year in brackets, wherever it stands.
    let Some(at) = chars.iter().position(|c| open(*c)) else {
        return Err(bad);
    };
    let year: String = chars.iter().skip(at + 1).take(4).collect();
    let year_ok = year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && ("1990".."2200").contains(&year.as_str())
        && chars.get(at + 5).copied().is_some_and(close);
    if !year_ok {
        return Err(bad);
    }
    let rest = &chars[at + 6..chars.len() - 1];
    if court {
        // （year）province[digits]type number号
        let ok = at == 0 && {
            let mut i = 0;
            let province = rest.first().is_some_and(|c| PROVINCES.contains(*c));
            i += 1;
            let court_digits = rest[i.min(rest.len())..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            i += court_digits;
            let kind = rest[i.min(rest.len())..]
                .iter()
                .take_while(|c| han(**c))
                .count();
            i += kind;
            let number = &rest[i.min(rest.len())..];
            province
                && matches!(court_digits, 0 | 2 | 4)
                && (1..=4).contains(&kind)
                && (1..=6).contains(&number.len())
                && number.iter().all(|c| c.is_ascii_digit())
                && number.first() != Some(&'0')
        };
        return if ok { Ok(()) } else { Err(bad) };
    }
    // committee+type〔year〕第?number号
    let before = &chars[..at];
    let number: &[char] = match rest.first() {
        Some('第') => &rest[1..],
        _ => rest,
    };
    let ok = !before.is_empty()
        && before.iter().all(|c| han(*c))
        && (1..=6).contains(&number.len())
        && number.iter().all(|c| c.is_ascii_digit())
        && number.first() != Some(&'0');
    if ok {
        Ok(())
    } else {
        Err(bad)
    }
}

/// 19-digit 地块编码: 发包方编码 + 5-digit sequence (P1).
pub fn check_parcel(code: &str) -> Result<(), Why> {
    digits(code, 19)
}

/// 承包合同编码: the household's 承包方编码 + `J`, family contracting (P1).
pub fn check_contract(code: &str) -> Result<(), Why> {
    match code.strip_suffix('J') {
        Some(household) if check_household(household).is_ok() => Ok(()),
        _ => Err((
            "a contract code is the household's 18-digit code followed by J",
            "承包合同编码为 18 位承包方编码加 J",
        )),
    }
}

/// Codes as the text the state keys its collections by.
pub fn texts<C: std::ops::Deref<Target = str>>(codes: &[C]) -> Vec<String> {
    codes.iter().map(|c| c.to_string()).collect()
}

/// A code type: the code, checked once where it is read (a body, a path),
/// and then only passed on. It reads as a `str` (`Deref`, `Borrow`), so maps
/// keyed by code text find it.
macro_rules! code_types {
    ($($(#[$doc:meta])* $name:ident => $check:ident, $pattern:literal, $describe:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn parse(code: &str) -> Result<$name, Why> {
                $check(code)?;
                Ok($name(code.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The 发包方编码 it begins with (for a collective, itself).
            pub fn collective(&self) -> &str {
                collective_of(&self.0)
            }

            /// The county it begins with.
            pub fn county(&self) -> &str {
                county_of(&self.0)
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl From<$name> for String {
            fn from(code: $name) -> String {
                code.0
            }
        }

        super::fields::text_fields! {
            $name => |c| c.as_str().into(), {
                "type": "string",
                "description": $describe,
                "pattern": $pattern
            };
        }
    )*};
}

impl HouseholdCode {
    /// Its 4-digit sequence within the collective (0001–8000 for a family, P1).
    pub fn sequence(&self) -> u32 {
        self.0.get(14..).and_then(|s| s.parse().ok()).unwrap_or(0)
    }
}

code_types! {
    /// A county's 6-digit code (县级行政区划代码, GB/T 2260).
    CountyCode => check_county, "^[0-9]{6}$", "a county's code: 6 digits (GB/T 2260)";
    /// A collective's 14-digit 发包方编码 (P1).
    CollectiveCode => check_collective, "^[0-9]{14}$",
        "发包方编码: 14 digits — county 6, township 3, village 3, group 2 (P1)";
    /// A household's 18-digit 承包方编码 (P1).
    HouseholdCode => check_household, "^[0-9]{18}$",
        "承包方编码: 18 digits — the 发包方编码 and a 4-digit sequence, never 0000 (P1)";
    /// A parcel's 19-digit 地块编码 (P1).
    ParcelCode => check_parcel, "^[0-9]{19}$",
        "地块编码: 19 digits — the 发包方编码 and a 5-digit sequence (P1)";
    /// A contract's 承包合同编码 (P1).
    ContractCode => check_contract, "^[0-9]{18}J$",
        "承包合同编码: the 承包方编码 followed by J (family contracting, P1)";
}

#[cfg(test)]
mod tests {
    use super::*;

    /// P1: each code type reads only a code of its form, and reads as its
    /// text (so maps keyed by code text find it).
    #[test]
    fn p1_code_types_read_only_their_form() {
        let read = |ty: &str, code: &str| -> bool {
            let v = serde_json::json!(code);
            match ty {
                "county" => serde_json::from_value::<CountyCode>(v).is_ok(),
                "collective" => serde_json::from_value::<CollectiveCode>(v).is_ok(),
                "household" => serde_json::from_value::<HouseholdCode>(v).is_ok(),
                "parcel" => serde_json::from_value::<ParcelCode>(v).is_ok(),
                _ => serde_json::from_value::<ContractCode>(v).is_ok(),
            }
        };
        assert!(read("county", "140421") && !read("county", "14042"));
        assert!(read("collective", "14042100100101") && !read("collective", "1404210010010a"));
        assert!(read("household", "140421001001010001"));
        assert!(!read("household", "140421001001010000"));
        assert!(read("parcel", "1404210010010100001") && !read("parcel", "ZJD140421001001010001"));
        assert!(read("contract", "140421001001010001J"));
        assert!(
            !read("contract", "140421001001010001") && !read("contract", "140421001001010000J")
        );
        let h = HouseholdCode::parse("140421001001010007").unwrap();
        assert_eq!(
            (h.collective(), h.county(), h.sequence()),
            ("14042100100101", "140421", 7)
        );
        let map: std::collections::HashMap<String, u8> = [(h.to_string(), 1)].into();
        assert_eq!(map.get(h.as_str()), Some(&1));
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn resident_id_vectors() {
        let v: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(crate::vectors_dir().join("id-numbers.json")).unwrap(),
        )
        .unwrap();
        for id in v["valid"].as_array().unwrap() {
            let id = id.as_str().unwrap();
            assert_eq!(check_resident_id(id, today()).as_deref(), Ok(id), "{id}");
        }
        for case in v["invalid"].as_array().unwrap() {
            let id = case["id"].as_str().unwrap();
            let r = check_resident_id(id, today());
            if id.ends_with('x') {
                // P2: we accept the lower-case check character and normalise it.
                assert_eq!(r, Ok(id.to_ascii_uppercase()));
            } else {
                assert!(r.is_err(), "{id} ({}) accepted", case["why"]);
            }
        }
    }

    #[test]
    fn party_codes() {
        assert!(check_county("140421").is_ok());
        assert!(check_county("14042").is_err());
        assert!(check_collective("14042100100101").is_ok());
        assert!(check_collective("1404210010010A").is_err());
        assert!(check_household("140421001001010001").is_ok());
        assert!(check_household("140421001001010000").is_err());
    }

    #[test]
    fn social_credit_codes() {
        assert!(check_social_credit("91350100M000100Y43").is_ok());
        assert!(check_social_credit("91350100M000100Y44").is_err());
        assert!(check_social_credit("91350100M000100Y4").is_err());
        assert!(check_social_credit("91350100I000100Y43").is_err());
    }

    /// A4: case numbers in their official forms, and what is not one.
    #[test]
    fn case_numbers_are_in_the_official_form() {
        for good in [
            "（2026）晋0421民初123号",
            "(2026)晋0421民初123号",
            "（2025）晋04民终7号",
            "（2026）晋执保1号",
        ] {
            assert!(check_case_no(true, good).is_ok(), "{good}");
        }
        for bad in [
            "2026-1",
            "（2026）晋0421民初0123号",
            "（2026）XX0421民初123号",
            "（26）晋0421民初123号",
            "（2026）晋042民初123号",
            "（2026）晋0421民初123",
            "平仲 2026-1",
            "",
        ] {
            assert!(check_case_no(true, bad).is_err(), "{bad}");
        }
        assert!(check_case_no(false, "平农仲字〔2026〕第12号").is_ok());
        assert!(check_case_no(false, "平仲（2026）3号").is_ok());
        assert!(check_case_no(false, "〔2026〕第12号").is_err());
        assert!(check_case_no(false, "平仲 2026-1").is_err());
    }
}
