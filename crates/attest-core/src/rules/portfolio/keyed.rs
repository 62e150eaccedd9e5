//! [`Keyed`]: the small maps of an evidence instance (range items by list, attribute values by id).
//!
//! An instance holds a handful of these, each with one to three keys. A `BTreeMap` allocates a whole
//! node (eleven key and value slots, about 550 bytes here) for its first entry; a large portfolio
//! keeps tens of thousands of them while it is evaluated (heaptrack: about 30 of 53 MB for 12,500
//! observations). A vector sorted by key holds exactly its entries, iterates in the same order and
//! serialises to the same map, so the portfolio format does not change.

use std::borrow::Borrow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A map kept as a vector of entries sorted by key, one entry per key.
#[derive(Clone, PartialEq, Eq)]
pub struct Keyed<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for Keyed<K, V> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
        }
    }
}

impl<K: Ord, V> Keyed<K, V> {
    /// An empty map (allocates nothing).
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The value under `key`.
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.position(key).ok().map(|at| &self.entries[at].1)
    }

    /// Sets the value under `key`, returning the one it replaces.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.position(&key) {
            Ok(at) => Some(std::mem::replace(&mut self.entries[at].1, value)),
            Err(at) => {
                self.entries.insert(at, (key, value));
                None
            }
        }
    }

    /// The value under `key`, to change it.
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.position(key).ok().map(|at| &mut self.entries[at].1)
    }

    /// Takes the entry under `key` out, returning its value.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.position(key).ok().map(|at| self.entries.remove(at).1)
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&K, &V)> + DoubleEndedIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &K> + DoubleEndedIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &V> + DoubleEndedIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The values in key order, to change them.
    pub fn values_mut(&mut self) -> impl ExactSizeIterator<Item = &mut V> + DoubleEndedIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    fn position<Q>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }
}

impl<K, V, Q> std::ops::Index<&Q> for Keyed<K, V>
where
    K: Ord + Borrow<Q>,
    Q: Ord + ?Sized,
{
    type Output = V;

    /// The value under `key`; panics when there is none, as a `BTreeMap` does.
    fn index(&self, key: &Q) -> &V {
        match self.get(key) {
            Some(value) => value,
            None => panic!("no entry for the key"),
        }
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for Keyed<K, V> {
    /// Like a `BTreeMap` collected from the same pairs: sorted, and the last value of a repeated
    /// key wins.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let mut entries: Vec<(K, V)> = pairs.into_iter().collect();
        // Stable, so equal keys keep their order and the last of them is the one kept below.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut kept: Vec<(K, V)> = Vec::with_capacity(entries.len());
        for entry in entries {
            match kept.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => kept.push(entry),
            }
        }
        kept.shrink_to_fit();
        Self { entries: kept }
    }
}

impl<K: Ord, V> From<std::collections::BTreeMap<K, V>> for Keyed<K, V> {
    fn from(map: std::collections::BTreeMap<K, V>) -> Self {
        // Already sorted and unique.
        Self {
            entries: map.into_iter().collect(),
        }
    }
}

impl<K, V> IntoIterator for Keyed<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a Keyed<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Keyed<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.entries.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}

impl<K: Serialize, V: Serialize> Serialize for Keyed<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de, K, V> Deserialize<'de> for Keyed<K, V>
where
    K: Deserialize<'de> + Ord + fmt::Display,
    V: Deserialize<'de>,
{
    /// Reads a map; a key written twice is refused rather than one value silently dropped.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyedVisitor<K, V>(PhantomData<(K, V)>);
        impl<'de, K, V> Visitor<'de> for KeyedVisitor<K, V>
        where
            K: Deserialize<'de> + Ord + fmt::Display,
            V: Deserialize<'de>,
        {
            type Value = Keyed<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut map = Keyed {
                    entries: Vec::with_capacity(access.size_hint().unwrap_or(0).min(16)),
                };
                while let Some((key, value)) = access.next_entry::<K, V>()? {
                    match map.position(&key) {
                        Ok(_) => {
                            return Err(de::Error::custom(format_args!(
                                "the key {key} is written twice"
                            )));
                        }
                        Err(at) => map.entries.insert(at, (key, value)),
                    }
                }
                Ok(map)
            }
        }
        deserializer.deserialize_map(KeyedVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn pairs() -> Vec<(String, u32)> {
        ["c", "a", "b", "a"]
            .iter()
            .enumerate()
            .map(|(n, k)| (k.to_string(), n as u32))
            .collect()
    }

    #[test]
    fn collects_like_a_btree_map() {
        let keyed: Keyed<String, u32> = pairs().into_iter().collect();
        let btree: BTreeMap<String, u32> = pairs().into_iter().collect();
        assert_eq!(
            keyed.iter().collect::<Vec<_>>(),
            btree.iter().collect::<Vec<_>>()
        );
        assert_eq!(keyed.get("a"), Some(&3));
        assert_eq!(keyed.get("z"), None);
        assert_eq!(Keyed::from(btree.clone()), keyed);
    }

    #[test]
    fn inserts_in_order_and_replaces() {
        let mut keyed = Keyed::new();
        assert_eq!(keyed.insert("b", 1), None);
        assert_eq!(keyed.insert("a", 2), None);
        assert_eq!(keyed.insert("b", 3), Some(1));
        assert_eq!(keyed.keys().copied().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(keyed.values().copied().collect::<Vec<_>>(), [2, 3]);
        *keyed.get_mut("a").unwrap() += 10;
        assert_eq!(keyed["a"], 12);
        assert_eq!(keyed.remove("a"), Some(12));
        assert_eq!(keyed.remove("a"), None);
        assert_eq!(keyed.len(), 1);
        keyed.clear();
        assert!(keyed.is_empty());
    }

    #[test]
    fn reads_and_writes_the_same_json_as_a_btree_map() {
        let text = r#"{"b":[1],"a":[2,3]}"#;
        let keyed: Keyed<String, Vec<u32>> = serde_json::from_str(text).unwrap();
        let btree: BTreeMap<String, Vec<u32>> = serde_json::from_str(text).unwrap();
        assert_eq!(
            serde_json::to_string(&keyed).unwrap(),
            serde_json::to_string(&btree).unwrap()
        );
    }

    #[test]
    fn refuses_a_key_written_twice() {
        let error = serde_json::from_str::<Keyed<String, u32>>(r#"{"a":1,"a":2}"#).unwrap_err();
        assert!(
            error.to_string().contains("the key a is written twice"),
            "{error}"
        );
        let error = serde_yaml::from_str::<Keyed<String, u32>>("[1, 2]").unwrap_err();
        assert!(error.to_string().contains("expected a map"), "{error}");
    }
}
