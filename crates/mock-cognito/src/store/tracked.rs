//! A map that remembers which keys changed, so a request's changes can be
//! written to the data dir without the code that made them naming them.
//!
//! Every way to change an entry (`get_mut`, `insert`, `remove`,
//! `values_mut`, `iter_mut`, `retain`) marks its key; reads mark nothing.
//! In memory-only mode tracking is off and nothing is remembered, so the
//! dirty set never grows.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

use super::ChangedKeys;

/// A `BTreeMap` with a set of the keys changed since the last
/// [`Tracked::take_changed`].
#[derive(Debug, Clone)]
pub struct Tracked<K: Ord, V> {
    map: BTreeMap<K, V>,
    changed: ChangedKeys<K>,
}

impl<K: Ord, V> Default for Tracked<K, V> {
    fn default() -> Self {
        Tracked {
            map: BTreeMap::new(),
            changed: ChangedKeys::default(),
        }
    }
}

impl<K: Ord + Clone, V> Tracked<K, V> {
    /// An empty map, remembering changes if `tracking`.
    pub fn new(tracking: bool) -> Self {
        Tracked {
            map: BTreeMap::new(),
            changed: ChangedKeys::new(tracking),
        }
    }

    /// Whether changes are remembered.
    pub fn is_tracking(&self) -> bool {
        self.changed.is_tracking()
    }

    fn mark(&mut self, key: &K) {
        self.changed.mark(key);
    }

    /// The keys changed since the last call (present or removed since).
    pub fn take_changed(&mut self) -> BTreeSet<K> {
        self.changed.take()
    }

    /// Whether any key changed since the last [`Tracked::take_changed`].
    pub fn has_changes(&self) -> bool {
        self.changed.any()
    }

    /// Inserts without marking: for loading what is already stored.
    pub fn load(&mut self, key: K, value: V) {
        self.map.insert(key, value);
    }

    /// The entry of `key`, to change (marks it).
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (k, _) = self.map.get_key_value(key)?;
        let k = k.clone();
        self.mark(&k);
        self.map.get_mut(key)
    }

    /// The entry of `key`, to change without marking it: only for putting
    /// back what is stored (loading) and for reading what changed
    /// (draining), never for a request's own changes.
    pub fn get_unmarked<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.map.get_mut(key)
    }

    /// Adds or replaces an entry (marks it).
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.mark(&key);
        self.map.insert(key, value)
    }

    /// Removes an entry (marks it).
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (k, v) = self.map.remove_entry(key)?;
        self.mark(&k);
        Some(v)
    }

    /// Every value, to change (marks every key).
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.iter_mut().map(|(_, v)| v)
    }

    /// Every entry, to change (marks every key).
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&K, &mut V)> {
        self.changed.mark_all(self.map.keys());
        self.map.iter_mut()
    }

    /// Keeps the entries `keep` accepts (marks those it drops).
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        let changed = &mut self.changed;
        self.map.retain(|k, v| {
            let kept = keep(k, v);
            if !kept {
                changed.mark(k);
            }
            kept
        });
    }
}

impl<K: Ord, V> std::ops::Deref for Tracked<K, V> {
    type Target = BTreeMap<K, V>;

    /// Reading is the map's own API.
    fn deref(&self) -> &BTreeMap<K, V> {
        &self.map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_is_remembered_and_reads_are_not() {
        let mut m: Tracked<String, u32> = Tracked::new(true);
        m.load("loaded".into(), 0);
        m.insert("a".into(), 1);
        m.insert("b".into(), 2);
        assert_eq!(m.take_changed().len(), 2);
        assert_eq!(m.get("a"), Some(&1));
        assert!(m.values().count() == 3 && !m.has_changes());
        *m.get_mut("a").unwrap() += 1;
        m.remove("b");
        m.remove("absent");
        assert_eq!(m.take_changed().into_iter().collect::<Vec<_>>(), ["a", "b"]);
        m.retain(|k, _| k != "loaded");
        assert_eq!(m.take_changed().into_iter().collect::<Vec<_>>(), ["loaded"]);
        m.values_mut().for_each(|v| *v += 1);
        assert_eq!(m.take_changed().into_iter().collect::<Vec<_>>(), ["a"]);
    }

    #[test]
    fn without_tracking_nothing_accumulates() {
        let mut m: Tracked<u32, u32> = Tracked::new(false);
        for i in 0..1000 {
            m.insert(i, i);
            m.get_mut(&i);
        }
        assert!(!m.has_changes());
    }
}
