//! `docs/rules.md`, made from the code: every rule id of `docs/domain.md`,
//! the kinds that check it, the source files that enforce it and the test
//! files that assert it — found by the id cited in each. The file in the
//! repository must be what this test makes; `SANQUAN_BLESS=1 cargo test
//! rules_doc` writes it anew after a change.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Whether `text` cites rule `id` as a word: `C1` is not `C10` nor `AC1`.
fn cites(text: &str, id: &str) -> bool {
    text.match_indices(id).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + id.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// A source file's code and its unit tests: a file that is all tests
/// (`#![cfg(test)]`) is all tests; otherwise what follows `mod tests`.
fn split_tests(text: &str) -> (&str, &str) {
    if text.contains("#![cfg(test)]") {
        return ("", text);
    }
    match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => (&text[..at], &text[at..]),
        None => (text, ""),
    }
}

/// The rule ids of `docs/domain.md`, in order, each with its first line.
fn rules(domain: &str) -> Vec<(String, String)> {
    domain
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("- ")?;
            let (id, text) = rest.split_once(' ')?;
            let valid = id.len() >= 2
                && id.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && id[1..].chars().all(|c| c.is_ascii_digit());
            valid.then(|| (id.to_owned(), text.trim_start_matches("**").to_owned()))
        })
        .collect()
}

fn make() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let domain = std::fs::read_to_string(root.join("docs/domain.md")).unwrap();
    let mut sources = Vec::new();
    files(&root.join("src"), &mut sources);
    sources.sort();
    let mut tests = Vec::new();
    files(&root.join("tests/it"), &mut tests);
    tests.sort();
    let read = |p: &PathBuf| {
        (
            p.strip_prefix(root).unwrap().display().to_string(),
            std::fs::read_to_string(p).unwrap(),
        )
    };
    let sources: Vec<(String, String)> = sources.iter().map(read).collect();
    // Files declared as test modules: `#[cfg(test)] mod roundtrip;`.
    let test_only: BTreeSet<String> = sources
        .iter()
        .filter(|(name, _)| name.ends_with("mod.rs"))
        .flat_map(|(name, text)| {
            let dir = name.trim_end_matches("mod.rs").to_owned();
            text.match_indices("#[cfg(test)]\nmod ")
                .filter_map(move |(at, m)| {
                    let rest = &text[at + m.len()..];
                    let stem = rest.split(';').next()?;
                    Some(format!("{dir}{stem}.rs"))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let tests: Vec<(String, String)> = tests.iter().map(read).collect();
    let mut out = String::from(
        "# Rules: where each is enforced and tested\n\n\
         Made by `tests/it/rules_doc.rs` from the rule ids cited in the code \
         (`SANQUAN_BLESS=1 cargo test rules_doc` writes it anew); the rules \
         themselves are in [domain.md](domain.md). A rule with no test file \
         shows —.\n\n\
         | id | rule | kinds | enforced in | tested in |\n|---|---|---|---|---|\n",
    );
    for (id, text) in rules(&domain) {
        let kinds: Vec<&str> = sanquan::model::kinds::KINDS
            .iter()
            .copied()
            .filter(|k| sanquan::model::kinds::rule_ids(k).contains(&id.as_str()))
            .collect();
        let mut enforced = BTreeSet::new();
        let mut tested = BTreeSet::new();
        for (name, text) in &sources {
            let (code, unit) = if test_only.contains(name) {
                ("", text.as_str())
            } else {
                split_tests(text)
            };
            if cites(code, &id) {
                enforced.insert(format!("`{name}`"));
            }
            if cites(unit, &id) {
                tested.insert(format!("`{name}`"));
            }
        }
        for (name, text) in &tests {
            if name != "tests/it/rules_doc.rs" && cites(text, &id) {
                tested.insert(format!("`{name}`"));
            }
        }
        let short: String = text.chars().take(70).collect();
        let short = short.replace('|', "\\|");
        let list = |s: &BTreeSet<String>| {
            if s.is_empty() {
                "—".to_owned()
            } else {
                s.iter().cloned().collect::<Vec<_>>().join(", ")
            }
        };
        let kinds = if kinds.is_empty() {
            "—".to_owned()
        } else {
            kinds
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!(
            "| {id} | {short}… | {kinds} | {} | {} |\n",
            list(&enforced),
            list(&tested)
        ));
    }
    out
}

#[test]
fn rules_doc_is_current() {
    let made = make();
    assert!(made.lines().count() > 60, "too few rules found");
    crate::common::made_doc("docs/rules.md", None, &made);
}

#[test]
fn a_rule_is_cited_as_a_word() {
    assert!(cites("checks C1 and", "C1"));
    assert!(!cites("checks C10", "C1"));
    assert!(!cites("ABC1", "C1"));
    assert!(cites("[\"C1\", \"C2\"]", "C1"));
}
