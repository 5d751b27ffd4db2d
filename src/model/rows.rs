//! [`Rows`]: one collection of the state, which remembers the rows that
//! changed so that the store's projection, its reload and `verify` all follow
//! from `State::apply` — the one place a change is defined.

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::ops::Deref;

/// A collection of the state kept by the store as one table, keyed as the
/// table is. Reads go through `Deref` to the map; every write marks its key,
/// and the store writes (or deletes) the marked rows when it commits.
#[derive(Debug, Clone)]
pub struct Rows<K, V> {
    map: HashMap<K, V>,
    changed: HashSet<K>,
}

impl<K, V> Default for Rows<K, V> {
    fn default() -> Self {
        Rows {
            map: HashMap::new(),
            changed: HashSet::new(),
        }
    }
}

/// Two collections are equal when their rows are: what changed since the
/// last commit is bookkeeping, not state.
impl<K: Hash + Eq, V: PartialEq> PartialEq for Rows<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.map == other.map
    }
}

impl<K, V> Deref for Rows<K, V> {
    type Target = HashMap<K, V>;
    fn deref(&self) -> &HashMap<K, V> {
        &self.map
    }
}

impl<K: Hash + Eq + Clone, V> Rows<K, V> {
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.changed.insert(key.clone());
        self.map.insert(key, value)
    }

    /// The row to change in place, marked changed if it exists.
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (k, _) = self.map.get_key_value(key)?;
        self.changed.insert(k.clone());
        self.map.get_mut(key)
    }

    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (k, v) = self.map.remove_entry(key)?;
        self.changed.insert(k);
        Some(v)
    }

    /// The row under `key`, made with its default if there is none.
    pub fn get_or_default(&mut self, key: K) -> &mut V
    where
        V: Default,
    {
        self.changed.insert(key.clone());
        self.map.entry(key).or_default()
    }

    /// The keys written since the last call: the rows the store must write,
    /// or delete where the key is no longer in the map.
    pub fn take_changed(&mut self) -> Vec<K> {
        self.changed.drain().collect()
    }
}

impl<K: Hash + Eq, V> FromIterator<(K, V)> for Rows<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Rows {
            map: iter.into_iter().collect(),
            changed: HashSet::new(),
        }
    }
}

impl<K: Hash + Eq, V> From<HashMap<K, V>> for Rows<K, V> {
    fn from(map: HashMap<K, V>) -> Self {
        Rows {
            map,
            changed: HashSet::new(),
        }
    }
}

/// A value of the state kept by the store as one row (the county, its
/// settings), which remembers whether it changed, as [`Rows`] does.
#[derive(Debug, Clone, Default)]
pub struct Single<T> {
    value: T,
    changed: bool,
}

impl<T: PartialEq> PartialEq for Single<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T> Deref for Single<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> Single<T> {
    pub fn new(value: T) -> Single<T> {
        Single {
            value,
            changed: false,
        }
    }

    pub fn set(&mut self, value: T) {
        self.value = value;
        self.changed = true;
    }

    /// Whether it changed since the last call.
    pub fn take_changed(&mut self) -> bool {
        std::mem::take(&mut self.changed)
    }
}

/// How a row's key is named in `verify`'s report.
pub trait RowKey {
    fn name(&self) -> String;
}

impl RowKey for String {
    fn name(&self) -> String {
        self.clone()
    }
}

impl RowKey for compact_str::CompactString {
    fn name(&self) -> String {
        self.to_string()
    }
}

/// Rows named by the log index of the entry that made them.
impl RowKey for u64 {
    fn name(&self) -> String {
        format!("log index {self}")
    }
}

/// Keys, by their public key in hex.
impl RowKey for [u8; 32] {
    fn name(&self) -> String {
        self.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The first row (in key order) where two collections differ, and how.
pub fn first_difference<K, V>(
    replayed: &Rows<K, V>,
    stored: &Rows<K, V>,
) -> Option<(String, String)>
where
    K: Ord + Hash + Eq + RowKey,
    V: PartialEq + std::fmt::Debug,
{
    let mut differing: Vec<&K> = replayed
        .iter()
        .filter(|(k, a)| stored.get(*k) != Some(*a))
        .map(|(k, _)| k)
        .collect();
    if stored.len() != replayed.len() || !differing.is_empty() {
        differing.extend(stored.keys().filter(|k| !replayed.contains_key(*k)));
    }
    let k = differing.into_iter().min()?;
    let what = match (replayed.get(k), stored.get(k)) {
        (Some(_), None) => "missing".to_string(),
        (None, Some(_)) => "not made by any entry".to_string(),
        (Some(a), Some(b)) => format!("stored {b:?}, the log says {a:?}"),
        (None, None) => unreachable!("a key of one of the two"),
    };
    Some((k.name(), what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_write_marks_its_row_and_reads_do_not() {
        let mut rows: Rows<String, u32> = Rows::default();
        rows.insert("a".into(), 1);
        *rows.get_or_default("b".into()) += 2;
        assert!(rows.get_mut("z").is_none());
        let mut changed = rows.take_changed();
        changed.sort();
        assert_eq!(changed, ["a", "b"]);
        assert_eq!(rows.get("a"), Some(&1));
        assert!(rows.take_changed().is_empty(), "a read marks nothing");
        *rows.get_mut("a").unwrap() = 5;
        rows.remove("b");
        let mut changed = rows.take_changed();
        changed.sort();
        assert_eq!(changed, ["a", "b"]);
        assert!(!rows.contains_key("b"), "a removed key is a row to delete");
    }

    #[test]
    fn the_first_difference_is_named_in_key_order() {
        let a: Rows<u64, &str> = [(1, "x"), (2, "y"), (3, "z")].into_iter().collect();
        let mut b = a.clone();
        assert_eq!(first_difference(&a, &b), None);
        b.insert(3, "w");
        b.remove(&2);
        b.insert(9, "extra");
        assert_eq!(
            first_difference(&a, &b),
            Some(("log index 2".into(), "missing".into()))
        );
        b.insert(2, "y");
        b.remove(&9);
        assert_eq!(
            first_difference(&a, &b).unwrap().1,
            "stored \"w\", the log says \"z\""
        );
    }
}
