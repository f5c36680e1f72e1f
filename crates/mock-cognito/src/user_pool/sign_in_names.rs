//! The names a user can sign in with, indexed: a pool that signs in by
//! email, phone number or preferred_username, or ignores the username's
//! case, finds the user in O(log n) instead of scanning every user.
//!
//! The index holds every user's username and the values of the attributes
//! that can become sign-in names, whatever the pool's settings today: which
//! of them may be used (and whether an alias must be verified first) is
//! decided at look-up, so settings never have to re-index.

use std::collections::{BTreeMap, BTreeSet};

/// The attributes that can be sign-in names (UsernameAttributes or
/// AliasAttributes), and the username itself.
pub(super) const INDEXED: [&str; 4] = ["username", "email", "phone_number", "preferred_username"];

/// (attribute, folded value) → the internal usernames carrying it.
#[derive(Debug, Default)]
pub(super) struct SignInNames {
    /// Values are folded to ASCII lower case when the pool's usernames are
    /// case-insensitive, as a look-up then is.
    case_sensitive: bool,
    entries: BTreeMap<(&'static str, String), BTreeSet<String>>,
}

impl SignInNames {
    /// An empty index for a pool whose sign-in names are (or are not)
    /// case-sensitive: a pool's UsernameConfiguration never changes.
    pub(super) fn new(case_sensitive: bool) -> Self {
        SignInNames {
            case_sensitive,
            entries: BTreeMap::new(),
        }
    }

    fn fold(&self, value: &str) -> String {
        if self.case_sensitive {
            value.to_owned()
        } else {
            value.to_ascii_lowercase()
        }
    }

    /// The (attribute, value) pairs of a user that go into the index.
    fn names<'a>(
        username: &'a str,
        attributes: &'a BTreeMap<String, String>,
    ) -> impl Iterator<Item = (&'static str, &'a str)> {
        INDEXED.into_iter().filter_map(move |attribute| {
            let value = if attribute == "username" {
                username
            } else {
                attributes.get(attribute)?.as_str()
            };
            (!value.is_empty()).then_some((attribute, value))
        })
    }

    /// Adds a user's names.
    pub(super) fn add(&mut self, username: &str, attributes: &BTreeMap<String, String>) {
        for (attribute, value) in Self::names(username, attributes) {
            let key = (attribute, self.fold(value));
            self.entries
                .entry(key)
                .or_default()
                .insert(username.to_owned());
        }
    }

    /// Removes a user's names (as they were when added).
    pub(super) fn remove(&mut self, username: &str, attributes: &BTreeMap<String, String>) {
        for (attribute, value) in Self::names(username, attributes) {
            let key = (attribute, self.fold(value));
            if let Some(users) = self.entries.get_mut(&key) {
                users.remove(username);
                if users.is_empty() {
                    self.entries.remove(&key);
                }
            }
        }
    }

    /// The users whose `attribute` is `value` (folded as the pool folds).
    pub(super) fn find<'a>(
        &'a self,
        attribute: &str,
        value: &str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        let attribute = INDEXED.into_iter().find(|a| *a == attribute);
        let users = attribute.and_then(|a| self.entries.get(&(a, self.fold(value))));
        users.into_iter().flatten().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn finds_by_each_indexed_name_and_forgets_removed_ones() {
        let mut index = SignInNames::new(false);
        let alice = attrs(&[("email", "Alice@Example.com"), ("name", "Alice")]);
        index.add("u-1", &alice);
        assert_eq!(
            index.find("email", "alice@example.COM").collect::<Vec<_>>(),
            ["u-1"]
        );
        assert_eq!(index.find("username", "U-1").collect::<Vec<_>>(), ["u-1"]);
        // Not a sign-in attribute: never indexed.
        assert_eq!(index.find("name", "Alice").count(), 0);
        index.remove("u-1", &alice);
        assert_eq!(index.find("email", "alice@example.com").count(), 0);
        assert!(index.entries.is_empty());
    }

    #[test]
    fn case_sensitive_pools_match_exactly_and_keep_duplicates_apart() {
        let mut index = SignInNames::new(true);
        index.add("a", &attrs(&[("email", "x@example.com")]));
        index.add("b", &attrs(&[("email", "x@example.com")]));
        assert_eq!(
            index.find("email", "x@example.com").collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(index.find("email", "X@example.com").count(), 0);
        index.remove("a", &attrs(&[("email", "x@example.com")]));
        assert_eq!(
            index.find("email", "x@example.com").collect::<Vec<_>>(),
            ["b"]
        );
    }
}
