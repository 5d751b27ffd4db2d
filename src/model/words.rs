//! The plain Chinese words for what the log keeps as codes: 土地用途, 地块类别,
//! 地力等级, dates as 年月日, amounts grouped in thousands, areas in 亩 — one
//! table each, shared by the documents the rules render (the contract, M5)
//! and the pages.

use chrono::Datelike;

use super::units::Area;

/// 土地用途 (NY/T 2539, C7) in words.
pub fn land_use(code: &str) -> &'static str {
    match code {
        "1" => "种植业",
        "2" => "林业",
        "3" => "畜牧业",
        "4" => "渔业",
        "5" => "非农业用途",
        _ => "其他",
    }
}

/// 地块类别 (NY/T 2539, C7) in words.
pub fn land_class(code: &str) -> &'static str {
    match code {
        "10" => "承包地块",
        "21" => "自留地",
        "22" => "机动地",
        "23" => "开荒地",
        _ => "其他集体土地",
    }
}

/// 地力等级 01–10 (C7) in words: 五等地; a code out of range stays as it is.
pub fn grade(code: &str) -> String {
    const ZH: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    match code.parse::<usize>() {
        Ok(n @ 1..=10) => format!("{}等地", ZH[n - 1]),
        _ => code.to_owned(),
    }
}

/// A member's relation to the head of the household (GB/T 4761) in words.
pub fn relation(code: &str) -> &'static str {
    match code.parse::<u8>() {
        Ok(2) | Ok(1) => "户主",
        Ok(10..=19) => "配偶",
        Ok(20..=29) => "儿子",
        Ok(30..=39) => "女儿",
        Ok(40..=49) => "孙子女",
        Ok(50..=59) => "父母",
        Ok(60..=69) => "祖父母",
        Ok(70..=79) => "兄弟姐妹",
        _ => "其他",
    }
}

/// A day as a Chinese document writes it: 2027年1月1日.
pub fn day(day: &chrono::NaiveDate) -> String {
    format!("{}年{}月{}日", day.year(), day.month(), day.day())
}

/// A plain decimal with its whole part in groups of three: 22500.00 →
/// 22,500.00; a text that is not one stays as it is.
pub fn grouped(decimal: &str) -> String {
    let (whole, part) = decimal.split_once('.').unwrap_or((decimal, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return decimal.to_owned();
    }
    let mut out = String::with_capacity(decimal.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if !part.is_empty() {
        out.push('.');
        out.push_str(part);
    }
    out
}

/// An area in 亩 to two places, as the market states it: 2.40.
pub fn mu(area: Area) -> String {
    let mut d = area.mu().round_dp(2);
    d.rescale(2);
    grouped(&d.to_string())
}

/// A household as everyone may name it, without its members' names:
/// 第1村第一组 · 第2户 (its collective's name and its sequence, P1; an
/// individual or organisation contracting has 8001 and up).
pub fn household(collective_name: &str, code: &str) -> String {
    match code.get(14..).and_then(|s| s.parse::<u32>().ok()) {
        Some(_) => format!("{collective_name} · {}", household_number(code)),
        None => code.to_owned(),
    }
}

/// A household within its collective: 第2户 (or 第8001号承包方).
pub fn household_number(code: &str) -> String {
    match code.get(14..).and_then(|s| s.parse::<u32>().ok()) {
        Some(n @ 1..=8000) => format!("第{n}户"),
        Some(n) => format!("第{n}号承包方"),
        None => code.to_owned(),
    }
}

/// The last four characters of an ID number kept, the rest starred after
/// the first four (1404**********9135), as a document shows it.
pub fn masked(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_words_and_numbers_as_the_market_writes_them() {
        assert_eq!(land_use("1"), "种植业");
        assert_eq!(land_class("22"), "机动地");
        assert_eq!(grade("04"), "四等地");
        assert_eq!(grade("11"), "11");
        assert_eq!(
            (relation("02"), relation("10"), relation("31")),
            ("户主", "配偶", "女儿")
        );
        let d = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert_eq!(day(&d), "2027年1月1日");
        assert_eq!(grouped("22500.00"), "22,500.00");
        assert_eq!(grouped("1234567"), "1,234,567");
        assert_eq!(grouped("500"), "500");
        assert_eq!(grouped("abc"), "abc");
        assert_eq!(mu(Area::parse_m2("1600").unwrap()), "2.40");
        assert_eq!(masked("140421198001019135"), "1404**********9135");
        assert_eq!(masked("1234"), "****");
        assert_eq!(
            household("第1村第一组", "140421001001010002"),
            "第1村第一组 · 第2户"
        );
    }
}
