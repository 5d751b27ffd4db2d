//! The documents of `docs/` the code makes.

/// A document of `docs/` made from the code: the file must be `made`, or,
/// with `SANQUAN_BLESS=1`, is written anew. `part` names the markers the
/// made text stands between, where the rest of the file is written by hand.
pub fn made_doc(file: &str, part: Option<(&str, &str)>, made: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let kept = std::fs::read_to_string(&path).unwrap_or_default();
    let (before, after) = match part {
        None => (String::new(), String::new()),
        Some((start, end)) => {
            let from = kept
                .find(start)
                .unwrap_or_else(|| panic!("{file} has no {start}"))
                + start.len();
            let to = kept[from..]
                .find(end)
                .unwrap_or_else(|| panic!("{file} has no {end}"))
                + from;
            (kept[..from].to_owned(), kept[to..].to_owned())
        }
    };
    let whole = format!("{before}{made}{after}");
    if std::env::var_os("SANQUAN_BLESS").is_some() {
        std::fs::write(&path, &whole).unwrap();
        return;
    }
    assert!(
        kept == whole,
        "{file} is not what the code makes: run `SANQUAN_BLESS=1 cargo test --test it doc`"
    );
}
