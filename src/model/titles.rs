//! The titles a settlement rests on and an entry touches (X2), each named by
//! a key: a parcel by its code, a household's homestead and its shares by
//! the household's. A leaf of `model`.

/// The title of a household's homestead (宅基地).
pub fn homestead(household: &str) -> String {
    format!("ZJD{household}")
}

/// The title a share listing rests on: the household's shares.
pub fn shares(household: &str) -> String {
    format!("FE{household}")
}
