//! The titles a settlement rests on and an entry touches (X2, 权属): a
//! parcel, a household's homestead, a household's shares. A leaf of `model`.

/// A title (权属): what a listing or a derived right rests on, and what an
/// entry that changes it touches, so that a settlement verified before is
/// refused (X2).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Title {
    /// A parcel (地块), by its code (DKBM).
    Parcel(String),
    /// A household's homestead (宅基地), by the household's code.
    Homestead(String),
    /// A household's shares (份额) in its collective, by the household's code.
    Shares(String),
}

impl Title {
    /// Its key where titles are kept by text (the stored `touched` map, the
    /// spatial index): a parcel's code, `ZJD` + household, `FE` + household.
    pub fn key(&self) -> String {
        self.to_string()
    }

    /// The title a key names (the inverse of [`Title::key`]).
    pub fn of_key(key: &str) -> Title {
        if let Some(h) = key.strip_prefix("ZJD") {
            Title::Homestead(h.to_owned())
        } else if let Some(h) = key.strip_prefix("FE") {
            Title::Shares(h.to_owned())
        } else {
            Title::Parcel(key.to_owned())
        }
    }

    /// A key as a stranger sends it (a URL, a QR): a parcel's 19 digits,
    /// `ZJD` and a household's 18, or `FE` and a household's 18 (or a
    /// collective's 14, for shares it bought back); `None` otherwise.
    pub fn parse(key: &str) -> Option<Title> {
        let digits = |s: &str, lens: &[usize]| {
            lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
        };
        let title = Title::of_key(key);
        let ok = match &title {
            Title::Parcel(code) => digits(code, &[19]),
            Title::Homestead(h) => digits(h, &[18]),
            Title::Shares(h) => digits(h, &[14, 18]),
        };
        ok.then_some(title)
    }

    /// Whether a key names a parcel (not a homestead or shares), without
    /// reading it into a title.
    pub fn names_a_parcel(key: &str) -> bool {
        !(key.starts_with("ZJD") || key.starts_with("FE"))
    }
}

impl std::fmt::Display for Title {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Title::Parcel(code) => f.write_str(code),
            Title::Homestead(household) => write!(f, "ZJD{household}"),
            Title::Shares(household) => write!(f, "FE{household}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Title;

    #[test]
    fn a_title_is_its_key_and_back() {
        for t in [
            Title::Parcel("1404210010010100001".into()),
            Title::Homestead("140421001001010001".into()),
            Title::Shares("140421001001010001".into()),
        ] {
            assert_eq!(Title::of_key(&t.key()), t);
            assert_eq!(Title::parse(&t.key()), Some(t));
        }
        for bad in [
            "",
            "ZJD",
            "FE1",
            "140421001001010001",
            "ZJD1404210010010100001",
            "1404210010010100001 ",
            "x404210010010100001",
        ] {
            assert_eq!(Title::parse(bad), None, "{bad}");
        }
        assert_eq!(
            Title::Homestead("140421001001010001".into()).key(),
            "ZJD140421001001010001"
        );
    }
}
