//! The layers of the crate, lowest first, as a checked fact: a module uses
//! only the modules below it (`crate::…` paths and `use` lines, comments
//! aside). A new module is one line in `LAYERS`; a reach upward fails here
//! with the file and the line.

use std::path::{Path, PathBuf};

/// Each top-level module of `src/` and the modules it may use. Those with no
/// I/O (`model`, `ledger`, `spatial`) use nothing that does; the two faces
/// (`api`, `web`) sit side by side on `http` and never use each other; the
/// server mounts both; the command line is the top.
const LAYERS: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("ledger", &["model"]),
    ("spatial", &["model"]),
    ("store", &["model", "ledger", "spatial"]),
    ("registry", &["model", "ledger", "spatial", "store"]),
    ("http", &["model", "ledger", "spatial", "registry"]),
    ("api", &["model", "ledger", "spatial", "registry", "http"]),
    ("web", &["model", "ledger", "spatial", "registry", "http"]),
    ("server", &["model", "registry", "http", "api", "web"]),
    (
        "cli",
        &[
            "model", "ledger", "spatial", "store", "registry", "http", "api", "web", "server",
        ],
    ),
];

/// Items of the crate root that every layer may use: the test vectors'
/// directory, for the unit tests, and `refusals!` (exported from the bottom
/// of `model`, where `#[macro_export]` puts it at the root).
const ROOT_ITEMS: &[&str] = &["vectors_dir", "refusals"];

/// Uses that cross a layer on purpose, each with its reason.
const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "src/model/rules/guarantee.rs",
        "ledger",
        "a test module: the property tests sign with real keys",
    ),
    (
        "src/model/rules/world.rs",
        "ledger",
        "the rules' test world: its actors sign with real keys",
    ),
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to.
fn module_of(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// The top-level modules a line names with `crate::`.
fn named(line: &str) -> Vec<&str> {
    line.match_indices("crate::")
        .filter_map(|(at, _)| {
            let rest = &line[at + "crate::".len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (end > 0).then(|| &rest[..end])
        })
        .collect()
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut reaches = Vec::new();
    let mut checked = 0;
    for file in &files {
        let module = module_of(&root, file);
        let Some((_, below)) = LAYERS.iter().find(|(m, _)| *m == module) else {
            // lib.rs and main.rs stand above every layer.
            assert!(
                matches!(module.as_str(), "lib" | "main"),
                "{}: module `{module}` is in no layer; add it to LAYERS",
                file.display()
            );
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        let rel = file.strip_prefix(root.parent().unwrap()).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            assert!(
                !code.contains("crate::{") && !code.contains("super::super::super"),
                "{}:{}: name each module by its own `crate::` path, which this check reads",
                rel.display(),
                n + 1
            );
            for used in named(code) {
                checked += 1;
                let allowed = used == module
                    || below.contains(&used)
                    || ROOT_ITEMS.contains(&used)
                    || ALLOWED
                        .iter()
                        .any(|(f, m, _)| Path::new(f) == rel && *m == used);
                if !allowed {
                    reaches.push(format!("{}:{}: {module} uses {used}", rel.display(), n + 1));
                }
            }
        }
    }
    assert!(
        checked > 400,
        "only {checked} uses found: the scan is broken"
    );
    assert!(
        reaches.is_empty(),
        "reaches upward:\n{}",
        reaches.join("\n")
    );
}

/// The check itself: a use of a higher layer is found.
#[test]
fn a_reach_upward_is_found() {
    assert_eq!(
        named("use crate::api::routes; let x = crate::web::X;"),
        ["api", "web"]
    );
    let (_, below) = LAYERS.iter().find(|(m, _)| *m == "api").unwrap();
    assert!(!below.contains(&"web") && !below.contains(&"server"));
}

/// A code is cut into its parts — county, township, collective — only in
/// `model::codes` (`county_of`, `township_of`, `collective_of`), never by a
/// hand slice elsewhere.
#[test]
fn codes_are_cut_only_in_the_codes_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let cuts = ["..6]", "..6)", "..9]", "..9)", "..14]", "..14)"];
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !f.ends_with("model/codes.rs")) {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if cuts
                .iter()
                .any(|c| code.contains(&format!("[{c}")) || code.contains(&format!("get({c}")))
            {
                found.push(format!("{}:{}", file.display(), n + 1));
            }
        }
    }
    assert!(found.is_empty(), "codes cut by hand:\n{}", found.join("\n"));
}

/// The README is a map: every relative link in it and in `docs/` leads to a
/// file of the repository, and nothing points outside it.
#[test]
fn the_maps_links_lead_somewhere() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "md") {
            pages.push(entry.path());
        }
    }
    let mut links = 0;
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        assert!(
            // Spelled in two parts so CI's own grep for it finds no match here.
            !text.contains(concat!("..", "/shared")),
            "{}: points outside the repository",
            page.display()
        );
        for (at, _) in text.match_indices("](") {
            let target = &text[at + 2..];
            let target = &target[..target.find(')').unwrap_or(0)];
            if target.is_empty() || target.contains("://") || target.starts_with('#') {
                continue;
            }
            links += 1;
            let path = page
                .parent()
                .unwrap()
                .join(target.split('#').next().unwrap());
            assert!(path.exists(), "{}: {target} leads nowhere", page.display());
        }
    }
    assert!(links >= 10, "{links}");
}

/// The first segment of each path a `use` or an expression names after
/// `prefix` (`super::`, `crate::model::`): `super::{a, b::C}` names `a` and
/// `b`.
fn segments_after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices(prefix) {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let rest = &code[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.push(group[start..i].trim());
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(group[start..i].trim());
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.push(rest);
        }
    }
    out.into_iter()
        .map(|s| {
            let end = s
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(s.len());
            &s[..end]
        })
        .filter(|s| !s.is_empty() && *s != "super" && *s != "self")
        .collect()
}

/// `src/model` one-directional: its modules (a directory counts as one)
/// form no import circle, so that each can be read from the bottom up. An
/// item `model/mod.rs` re-exports counts as its own module's.
#[test]
fn the_model_has_no_import_circle() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/model");
    let mod_rs = std::fs::read_to_string(model.join("mod.rs")).unwrap();
    // `pub use error::{Refusal, RuleError};` → Refusal and RuleError are error's.
    let mut owner = std::collections::HashMap::new();
    for line in mod_rs.lines().filter(|l| l.starts_with("pub use ")) {
        let path = line.trim_start_matches("pub use ").trim_end_matches(';');
        if let Some((module, items)) = path.split_once("::") {
            for item in items.trim_matches(|c| c == '{' || c == '}').split(',') {
                owner.insert(item.trim().to_owned(), module.to_owned());
            }
        }
    }
    let mut modules: Vec<String> = std::fs::read_dir(&model)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n != "mod.rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    modules.sort();
    let mut files = Vec::new();
    sources(&model, &mut files);
    let mut edges: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for file in &files {
        let rel = file.strip_prefix(&model).unwrap();
        let node = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        let text = std::fs::read_to_string(file).unwrap();
        if text.contains("#![cfg(test)]") {
            continue;
        }
        let code: String = text
            .split("#[cfg(test)]\nmod tests")
            .next()
            .unwrap()
            .lines()
            .map(|l| l.split("//").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        // How many `super`s reach `model` from this file.
        let depth = rel.components().count() - usize::from(rel.ends_with("mod.rs"));
        let up = "super::".repeat(depth);
        let mut named = segments_after(&code, "crate::model::");
        if depth > 0 {
            named.extend(segments_after(&code, &up));
        }
        for name in named {
            let target = if modules.iter().any(|m| m == name) {
                name.to_owned()
            } else {
                owner.get(name).cloned().unwrap_or_else(|| "mod".to_owned())
            };
            if target != node {
                edges.entry(node.clone()).or_default().insert(target);
            }
        }
    }
    // Depth-first: a module met again on the path closes a circle.
    fn visit(
        node: &str,
        edges: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
        circles: &mut Vec<String>,
    ) {
        if let Some(at) = path.iter().position(|p| p == node) {
            circles.push(format!("{} → {node}", path[at..].join(" → ")));
            return;
        }
        if !done.insert(node.to_owned()) {
            return;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            visit(next, edges, path, done, circles);
        }
        path.pop();
    }
    let mut circles = Vec::new();
    let mut done = Default::default();
    for node in edges.keys() {
        visit(node, &edges, &mut Vec::new(), &mut done, &mut circles);
    }
    assert!(edges.len() > 10, "{edges:?}");
    assert!(
        circles.is_empty(),
        "import circles in src/model:\n{}",
        circles.join("\n")
    );
}

/// The table files (`src/store/tables/`) are declared by a macro from the
/// state's list of collections, where `cargo fmt` does not look: they are
/// held to rustfmt here.
#[test]
fn the_table_files_are_formatted() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store/tables");
    let mut files = Vec::new();
    sources(&dir, &mut files);
    assert!(files.len() > 20, "{}", files.len());
    let out = std::process::Command::new("rustfmt")
        .args(["--check", "--edition", "2021"])
        .args(&files)
        .output()
        .expect("rustfmt runs");
    assert!(
        out.status.success(),
        "run `rustfmt --edition 2021 src/store/tables/*.rs`:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
