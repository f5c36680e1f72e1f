//! A map whose entries end at a time of the mock's clock.
//!
//! Everything short-lived the mock keeps (pending challenges, sessions,
//! refresh tokens, authorization codes, issued credentials, delivered
//! codes) lives in one of these, so memory follows what is still valid
//! rather than everything ever issued. Expired entries leave in order of
//! expiry from a heap: each insert first drops what has expired, at
//! O(log n) per dropped entry, so no request pays for a sweep of the whole
//! map, and a lookup never returns an expired entry.

use std::borrow::Borrow;
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};

use crate::store::ChangedKeys;
use std::hash::Hash;

/// A map from `K` to `V` where each entry has an expiry (seconds since the
/// epoch, by the mock's clock) and is gone once `now >= expiry`.
#[derive(Debug, Clone)]
pub struct ExpiringMap<K, V> {
    entries: HashMap<K, (V, i64)>,
    /// (expiry, key): the next entry to expire on top. An entry replaced or
    /// removed early leaves a stale heap item, skipped when it surfaces.
    by_expiry: BinaryHeap<Reverse<(i64, K)>>,
    /// With a data dir: the keys changed (inserted, changed, removed,
    /// expired) since the last [`ExpiringMap::take_changed`].
    changed: ChangedKeys<K>,
}

impl<K, V> Default for ExpiringMap<K, V>
where
    K: Hash + Eq + Ord,
{
    fn default() -> Self {
        ExpiringMap {
            entries: HashMap::new(),
            by_expiry: BinaryHeap::new(),
            changed: ChangedKeys::default(),
        }
    }
}

impl<K, V> ExpiringMap<K, V>
where
    K: Hash + Eq + Ord + Clone,
{
    /// An empty map that remembers which keys change if `tracking` (with
    /// a data dir).
    pub fn new_tracking(tracking: bool) -> Self {
        ExpiringMap {
            changed: ChangedKeys::new(tracking),
            ..Self::default()
        }
    }

    fn mark(&mut self, key: &K) {
        self.changed.mark(key);
    }

    /// The keys changed since the last call: each now holds its current
    /// entry, or none (removed or expired).
    pub fn take_changed(&mut self) -> BTreeSet<K> {
        self.changed.take()
    }

    /// Whether any key changed since the last [`ExpiringMap::take_changed`].
    pub fn has_changes(&self) -> bool {
        self.changed.any()
    }

    /// The entry of a key and its expiry, expired or not (to store it).
    pub fn entry_of<Q>(&self, key: &Q) -> Option<(&V, i64)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.entries.get(key).map(|(v, e)| (v, *e))
    }

    /// Adds or replaces an entry valid until `expires`, after dropping
    /// whatever has expired by `now`.
    pub fn insert(&mut self, key: K, value: V, expires: i64, now: i64) {
        self.purge(now);
        self.mark(&key);
        if expires <= now {
            self.entries.remove(&key);
            return;
        }
        self.by_expiry.push(Reverse((expires, key.clone())));
        self.entries.insert(key, (value, expires));
        // Stale heap items (replaced or removed entries) are bounded by
        // the live ones: rebuild when they dominate.
        if self.by_expiry.len() > 2 * self.entries.len() + 64 {
            self.by_expiry = self
                .entries
                .iter()
                .map(|(k, (_, e))| Reverse((*e, k.clone())))
                .collect();
        }
    }

    /// Drops every entry that has expired by `now`.
    pub fn purge(&mut self, now: i64) {
        while let Some(Reverse((expires, _))) = self.by_expiry.peek() {
            if *expires > now {
                break;
            }
            let Some(Reverse((expires, key))) = self.by_expiry.pop() else {
                break;
            };
            // Only if the entry is still the one this heap item was for.
            if self.entries.get(&key).is_some_and(|(_, e)| *e == expires) {
                self.entries.remove(&key);
                self.mark(&key);
            }
        }
    }

    /// The entry, if it has not expired by `now`.
    pub fn get<Q>(&self, key: &Q, now: i64) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.entries
            .get(key)
            .filter(|(_, e)| *e > now)
            .map(|(v, _)| v)
    }

    /// The entry for changing, if it has not expired by `now`.
    pub fn get_mut<Q>(&mut self, key: &Q, now: i64) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (k, (_, expires)) = self.entries.get_key_value(key)?;
        if *expires <= now {
            return None;
        }
        let k = k.clone();
        self.mark(&k);
        self.entries.get_mut(key).map(|(v, _)| v)
    }

    /// Takes the entry out, if it has not expired by `now`.
    pub fn remove<Q>(&mut self, key: &Q, now: i64) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (k, (value, expires)) = self.entries.remove_entry(key)?;
        self.mark(&k);
        (expires > now).then_some(value)
    }

    /// Live and not yet purged entries (expired ones go on the next insert
    /// or purge).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entry is held.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries valid at `now`, in no particular order.
    pub fn iter(&self, now: i64) -> impl Iterator<Item = (&K, &V)> {
        self.entries
            .iter()
            .filter(move |(_, (_, e))| *e > now)
            .map(|(k, (v, _))| (k, v))
    }

    /// The entries valid at `now`, for changing.
    pub fn iter_mut(&mut self, now: i64) -> impl Iterator<Item = (&K, &mut V)> {
        let live = self.entries.iter().filter(|(_, (_, e))| *e > now);
        self.changed.mark_all(live.map(|(k, _)| k));
        self.entries
            .iter_mut()
            .filter(move |(_, (_, e))| *e > now)
            .map(|(k, (v, _))| (k, v))
    }

    /// Keeps only the entries for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        let changed = &mut self.changed;
        self.entries.retain(|k, (v, _)| {
            // Whatever `keep` sees it may change: kept or not, mark it.
            changed.mark(k);
            keep(k, v)
        });
    }

    /// Puts back an entry read from the data dir, unmarked.
    pub fn load(&mut self, key: K, value: V, expires: i64) {
        self.by_expiry.push(Reverse((expires, key.clone())));
        self.entries.insert(key, (value, expires));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn entries_end_at_their_expiry() {
        let mut m = ExpiringMap::default();
        m.insert("a", 1, 110, 100);
        m.insert("b", 2, 200, 100);
        assert_eq!(m.get("a", 109), Some(&1));
        assert_eq!(m.get("a", 110), None);
        m.insert("c", 3, 300, 150);
        assert_eq!(m.len(), 2, "a was purged by the insert at 150");
        assert_eq!(m.remove("b", 150), Some(2));
        assert_eq!(m.remove("c", 300), None, "expired: not handed out");
    }

    #[test]
    fn replacing_an_entry_keeps_the_new_expiry() {
        let mut m = ExpiringMap::default();
        m.insert("a", 1, 110, 100);
        m.insert("a", 2, 500, 100);
        m.purge(200);
        assert_eq!(m.get("a", 200), Some(&2));
        m.purge(500);
        assert!(m.is_empty());
    }

    #[test]
    fn the_heap_stays_bounded_by_the_live_entries() {
        let mut m = ExpiringMap::default();
        for i in 0..10_000 {
            m.insert(i % 10, i, 1_000_000 + i, 0);
        }
        assert_eq!(m.len(), 10);
        assert!(m.by_expiry.len() <= 2 * m.len() + 64 + 1);
    }

    proptest! {
        /// Against a plain map filtered by expiry.
        #[test]
        fn behaves_like_a_map_with_expiry(ops in proptest::collection::vec((0u8..8, 0u8..4, 0i64..50, 1i64..30), 0..200)) {
            let mut m = ExpiringMap::default();
            let mut model: HashMap<u8, (u32, i64)> = HashMap::new();
            let mut now = 0i64;
            for (i, (key, op, step, life)) in ops.into_iter().enumerate() {
                now += step / 10;
                match op {
                    0 | 1 => {
                        m.insert(key, i as u32, now + life, now);
                        model.insert(key, (i as u32, now + life));
                    }
                    2 => {
                        let got = m.remove(&key, now);
                        let want = model.remove(&key).filter(|(_, e)| *e > now).map(|(v, _)| v);
                        prop_assert_eq!(got, want);
                    }
                    _ => m.purge(now),
                }
                for k in 0..8u8 {
                    let want = model.get(&k).filter(|(_, e)| *e > now).map(|(v, _)| *v);
                    prop_assert_eq!(m.get(&k, now).copied(), want);
                }
                prop_assert!(m.len() <= model.len());
            }
        }
    }
}
