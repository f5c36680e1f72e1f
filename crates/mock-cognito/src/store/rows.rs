//! Where each entity is stored: `(kind, key)` → the id of its row.
//!
//! The table is keyed by a row id that only grows, so the rows a
//! transaction adds land together at the end of the B-tree: a drain of
//! thirty new identities writes two or three pages to the log. Keyed by
//! `(kind, key)` instead (random ids), each row landed on a page of its
//! own, and each of those pages was written to the log and later copied
//! back by a checkpoint. Finding an entity's row is a lookup here, in
//! memory, read from the table when the data dir opens.

use std::collections::BTreeMap;
use std::ops::Bound;

/// The row id of every stored entity.
#[derive(Debug, Default)]
pub struct RowIds {
    by_kind: BTreeMap<String, BTreeMap<String, i64>>,
}

impl RowIds {
    /// The row of `(kind, key)`.
    pub fn get(&self, kind: &str, key: &str) -> Option<i64> {
        self.by_kind.get(kind)?.get(key).copied()
    }

    /// Remembers the row of `(kind, key)`; returns the one it replaces.
    pub fn insert(&mut self, kind: &str, key: &str, id: i64) -> Option<i64> {
        self.by_kind
            .entry(kind.to_owned())
            .or_default()
            .insert(key.to_owned(), id)
    }

    /// The entities of `kind` whose key starts with `prefix`.
    fn with_prefix<'a>(
        &'a self,
        kind: &str,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a String, i64)> + 'a {
        self.by_kind
            .get(kind)
            .into_iter()
            .flat_map(move |keys| keys.range::<str, _>((Bound::Included(prefix), Bound::Unbounded)))
            .take_while(move |(key, _)| key.starts_with(prefix))
            .map(|(key, id)| (key, *id))
    }

    /// Applies what a committed transaction changed.
    pub fn apply(&mut self, edits: Edits) {
        for (kind, keys) in edits.0 {
            let stored = self.by_kind.entry(kind).or_default();
            for (key, id) in keys {
                match id {
                    Some(id) => stored.insert(key, id),
                    None => stored.remove(&key),
                };
            }
        }
    }
}

/// The row ids one transaction changed, by kind and key (None: the row
/// was deleted).
#[derive(Debug, Default)]
pub struct Edits(BTreeMap<String, BTreeMap<String, Option<i64>>>);

/// The row ids as a transaction in progress sees them: the stored ones
/// with its own changes on top, which reach [`RowIds`] only once it
/// commits (a failed write changes nothing, here either).
#[derive(Debug)]
pub struct Pending<'a> {
    stored: &'a RowIds,
    edits: Edits,
}

impl<'a> Pending<'a> {
    /// A transaction that changed nothing yet.
    pub fn new(stored: &'a RowIds) -> Self {
        Pending {
            stored,
            edits: Edits::default(),
        }
    }

    /// The row of `(kind, key)`, if it is stored.
    pub fn get(&self, kind: &str, key: &str) -> Option<i64> {
        match self.edits.0.get(kind).and_then(|keys| keys.get(key)) {
            Some(edited) => *edited,
            None => self.stored.get(kind, key),
        }
    }

    /// `(kind, key)` is now row `id` (None: deleted).
    pub fn set(&mut self, kind: &str, key: &str, id: Option<i64>) {
        self.edits
            .0
            .entry(kind.to_owned())
            .or_default()
            .insert(key.to_owned(), id);
    }

    /// The stored entities of `kind` whose key starts with `prefix`, as
    /// (key, row id).
    pub fn with_prefix(&self, kind: &str, prefix: &str) -> Vec<(String, i64)> {
        let mut found: BTreeMap<String, i64> = self
            .stored
            .with_prefix(kind, prefix)
            .map(|(key, id)| (key.clone(), id))
            .collect();
        let edited = self.edits.0.get(kind).into_iter().flatten();
        for (key, id) in edited.filter(|(key, _)| key.starts_with(prefix)) {
            match id {
                Some(id) => found.insert(key.clone(), *id),
                None => found.remove(key),
            };
        }
        found.into_iter().collect()
    }

    /// What the transaction changed, to apply once it committed.
    pub fn into_edits(self) -> Edits {
        self.edits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transaction_sees_its_own_changes_and_the_store_only_after_commit() {
        let mut stored = RowIds::default();
        stored.insert("user", "p\u{1f}alice", 1);
        stored.insert("user", "p\u{1f}bob", 2);
        stored.insert("user", "q\u{1f}carol", 3);
        let mut tx = Pending::new(&stored);
        tx.set("user", "p\u{1f}dave", Some(4));
        tx.set("user", "p\u{1f}alice", None);
        assert_eq!(tx.get("user", "p\u{1f}dave"), Some(4));
        assert_eq!(tx.get("user", "p\u{1f}alice"), None);
        assert_eq!(tx.get("user", "p\u{1f}bob"), Some(2));
        assert_eq!(
            tx.with_prefix("user", "p\u{1f}"),
            vec![("p\u{1f}bob".to_owned(), 2), ("p\u{1f}dave".to_owned(), 4)]
        );
        assert!(tx.with_prefix("identity", "p").is_empty());
        let edits = tx.into_edits();
        // Not applied (a failed write): the store is as it was.
        assert_eq!(stored.get("user", "p\u{1f}alice"), Some(1));
        stored.apply(edits);
        assert_eq!(stored.get("user", "p\u{1f}alice"), None);
        assert_eq!(stored.get("user", "p\u{1f}dave"), Some(4));
        assert_eq!(stored.get("user", "q\u{1f}carol"), Some(3));
    }
}
