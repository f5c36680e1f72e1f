//! Durable state: a data directory holding the mock's state in SQLite
//! (`state.sqlite3`, WAL mode) and its signing keys (`keys/`, mode 0600).
//!
//! The state stays in memory and is served from there; the database is
//! its copy on disk. Each entity (a pool, a user, an identity, a refresh
//! token, …) is one row of `state(id, kind, key, value)`, its value JSON;
//! [`rows`] says why rows are found by an id rather than by their key.
//! Changes reach the database through [`DataDir::commit`] before the
//! request is answered: what was acknowledged is stored, and a multi-row
//! change (an identity merge, a user deleted with its sessions) is stored
//! whole or not at all. Requests that finish together share one
//! transaction ([`commits`], group commit).
//!
//! With `synchronous = NORMAL`, WAL mode makes a committed transaction
//! survive the process being killed (the case the crash test covers); a
//! power cut may lose the last transactions, never corrupt the file.
//!
//! One owner: the directory's `lock` file is locked for as long as the
//! server runs, so a second server on the same directory refuses to start.

mod checkpoint;
pub(crate) mod commits;
pub(crate) mod keys;
mod rows;
pub(crate) mod tracked;

use std::collections::BTreeSet;

use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags, params};

pub use tracked::Tracked;

/// The schema this build writes. An older data dir is migrated on open, a
/// newer one refused.
pub const SCHEMA_VERSION: i64 = 2;

const DATABASE: &str = "state.sqlite3";
const LOCK: &str = "lock";

/// Why a data dir could not be opened or written.
#[derive(Debug, Clone)]
pub struct StoreError(String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

impl StoreError {
    fn new(message: impl Into<String>) -> Self {
        StoreError(message.into())
    }

    /// Stored data this build cannot read back.
    pub(crate) fn damaged(message: impl Into<String>) -> Self {
        StoreError(message.into())
    }
}

/// One change to the stored state.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// The entity `(kind, key)` is now `value`.
    Put {
        /// Its kind (`user`, `identity`, …).
        kind: &'static str,
        /// Its key within the kind.
        key: String,
        /// Its JSON.
        value: String,
    },
    /// The entity `(kind, key)` is gone.
    Delete {
        /// Its kind.
        kind: &'static str,
        /// Its key.
        key: String,
    },
    /// Every entity of `kind` whose key starts with `prefix` is gone (a
    /// deleted pool's users, clients, …).
    DeletePrefix {
        /// Their kind.
        kind: &'static str,
        /// The key prefix.
        prefix: String,
    },
}

/// The key of an entity that belongs to another: `parent` and `child`
/// joined by a separator no id or name contains, so a parent's children
/// are one key range.
pub fn child_key(parent: &str, child: &str) -> String {
    format!("{parent}\u{1f}{child}")
}

/// The prefix every child key of `parent` starts with.
pub fn children_of(parent: &str) -> String {
    format!("{parent}\u{1f}")
}

/// The keys changed since the last take, remembered only when tracking
/// (with a data dir): in memory-only mode nothing accumulates. Shared by
/// [`Tracked`] and [`crate::expiring::ExpiringMap`].
#[derive(Debug, Clone)]
pub struct ChangedKeys<K> {
    keys: BTreeSet<K>,
    tracking: bool,
}

impl<K> Default for ChangedKeys<K> {
    fn default() -> Self {
        ChangedKeys {
            keys: BTreeSet::new(),
            tracking: false,
        }
    }
}

impl<K: Ord + Clone> ChangedKeys<K> {
    /// Remembering changes if `tracking`.
    pub fn new(tracking: bool) -> Self {
        ChangedKeys {
            keys: BTreeSet::new(),
            tracking,
        }
    }

    /// Whether changes are remembered.
    pub fn is_tracking(&self) -> bool {
        self.tracking
    }

    /// Remembers that `key` changed.
    pub fn mark(&mut self, key: &K) {
        if self.tracking {
            commits::note_change();
            if !self.keys.contains(key) {
                self.keys.insert(key.clone());
            }
        }
    }

    /// Remembers that each of `keys` changed.
    pub fn mark_all<'a>(&mut self, keys: impl Iterator<Item = &'a K>)
    where
        K: 'a,
    {
        if self.tracking {
            commits::note_change();
            self.keys.extend(keys.cloned());
        }
    }

    /// The keys changed since the last call.
    pub fn take(&mut self) -> BTreeSet<K> {
        std::mem::take(&mut self.keys)
    }

    /// Whether any key changed since the last [`ChangedKeys::take`].
    pub fn any(&self) -> bool {
        !self.keys.is_empty()
    }
}

/// The rows of changed entities: each key of `changed` stored as
/// `stored_key(key)` with the row `row(key)` returns, or deleted if the
/// entity is gone.
pub fn changes<'a>(
    kind: &'static str,
    changed: BTreeSet<String>,
    stored_key: impl Fn(&str) -> String + 'a,
    row: impl Fn(&str) -> Option<String> + 'a,
) -> impl Iterator<Item = Change> + 'a {
    changed.into_iter().map(move |key| {
        let stored = stored_key(&key);
        match row(&key) {
            Some(value) => Change::Put {
                kind,
                key: stored,
                value,
            },
            None => Change::Delete { kind, key: stored },
        }
    })
}

/// An open data directory, owned by this process until dropped.
pub struct DataDir {
    path: PathBuf,
    /// Stopped before `database` closes, so that the last connection to
    /// close is the writer's (which then folds the log into the file).
    _checkpointer: checkpoint::Checkpointer,
    database: Mutex<Database>,
    /// Held locked for the data dir's lifetime.
    _owner: File,
}

impl fmt::Debug for DataDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataDir")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl DataDir {
    /// Opens (or creates) the data dir at `path`: takes ownership of it,
    /// checks the database is whole and of a schema this build knows, and
    /// migrates an older one.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(path)
            .map_err(|e| StoreError::new(format!("cannot create {}: {e}", path.display())))?;
        let owner = take_ownership(path)?;
        let file = path.join(DATABASE);
        let mut connection = Connection::open_with_flags(
            &file,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )
        .map_err(|e| corrupt(&file, e))?;
        prepare(&connection, &file)?;
        let rows = row_ids(&connection).map_err(|e| corrupt(&file, e))?;
        let checkpointer = checkpoint::Checkpointer::start(&file, &mut connection)?;
        Ok(DataDir {
            path: path.to_owned(),
            _checkpointer: checkpointer,
            database: Mutex::new(Database { connection, rows }),
            _owner: owner,
        })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn database(&self) -> std::sync::MutexGuard<'_, Database> {
        self.database.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Checks the database is whole, sets it up and brings its schema up to
/// date.
fn prepare(db: &Connection, file: &Path) -> Result<(), StoreError> {
    // A file that is not SQLite (or truncated) fails here, not later.
    let check: String = db
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| corrupt(file, e))?;
    if check != "ok" {
        return Err(StoreError::new(format!(
            "{} is damaged ({check}); restore it from a backup (cogkit mock backup) or move it away",
            file.display()
        )));
    }
    db.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| corrupt(file, e))?;
    db.pragma_update(None, "synchronous", "NORMAL")
        .map_err(|e| corrupt(file, e))?;
    let version: i64 = db
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| corrupt(file, e))?;
    let tables: i64 = db
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(|e| corrupt(file, e))?;
    match version {
        0 if tables == 0 => create_schema(db).map_err(|e| corrupt(file, e)),
        0 => Err(StoreError::new(format!(
            "{} is a SQLite database but not a cogkit data dir (no schema version)",
            file.display()
        ))),
        v if v > SCHEMA_VERSION => Err(StoreError::new(format!(
            "{} has schema version {v}, newer than this cogkit's {SCHEMA_VERSION}: use a newer cogkit",
            file.display()
        ))),
        v => migrate(db, v).map_err(|e| corrupt(file, e)),
    }?;
    Ok(())
}

impl DataDir {
    /// Applies `changes` in one transaction: all of them, or (on any
    /// failure, a full disk say) none.
    pub fn commit(&self, changes: &[Change]) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        let mut database = self.database();
        let Database { connection, rows } = &mut *database;
        let failed =
            |e: rusqlite::Error| StoreError::new(format!("the data dir refused a write: {e}"));
        let tx = connection.transaction().map_err(failed)?;
        let mut pending = rows::Pending::new(rows);
        {
            // Cached: each statement is parsed once per connection, not
            // once per drain.
            let mut insert = tx
                .prepare_cached("INSERT INTO state (kind, key, value) VALUES (?1, ?2, ?3)")
                .map_err(failed)?;
            let mut update = tx
                .prepare_cached("UPDATE state SET value = ?2 WHERE id = ?1")
                .map_err(failed)?;
            let mut delete = tx
                .prepare_cached("DELETE FROM state WHERE id = ?1")
                .map_err(failed)?;
            for change in changes {
                match change {
                    Change::Put { kind, key, value } => match pending.get(kind, key) {
                        Some(id) => {
                            update.execute(params![id, value]).map_err(failed)?;
                        }
                        None => {
                            insert.execute(params![kind, key, value]).map_err(failed)?;
                            pending.set(kind, key, Some(tx.last_insert_rowid()));
                        }
                    },
                    Change::Delete { kind, key } => {
                        if let Some(id) = pending.get(kind, key) {
                            delete.execute(params![id]).map_err(failed)?;
                            pending.set(kind, key, None);
                        }
                    }
                    Change::DeletePrefix { kind, prefix } => {
                        for (key, id) in pending.with_prefix(kind, prefix) {
                            delete.execute(params![id]).map_err(failed)?;
                            pending.set(kind, &key, None);
                        }
                    }
                }
            }
        }
        tx.commit().map_err(failed)?;
        let edits = pending.into_edits();
        rows.apply(edits);
        Ok(())
    }

    /// Every stored entity of `kind`, as (key, JSON), in key order.
    pub fn load(&self, kind: &str) -> Result<Vec<(String, String)>, StoreError> {
        let database = self.database();
        let read = |e: rusqlite::Error| StoreError::new(format!("cannot read the data dir: {e}"));
        let mut statement = database
            .connection
            .prepare("SELECT key, value FROM state WHERE kind = ?1 ORDER BY key")
            .map_err(read)?;
        let rows = statement
            .query_map(params![kind], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(read)?;
        rows.collect::<Result<_, _>>().map_err(read)
    }

    /// Caps the database at `pages` pages (at least its current size):
    /// writes past it fail as on a full disk. For tests.
    pub fn limit_pages(&self, pages: u64) {
        let _ = self
            .database()
            .connection
            .pragma_update(None, "max_page_count", pages as i64);
    }

    /// Whether nothing is stored yet (a new data dir).
    #[cfg(test)]
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        let count: i64 = self
            .database()
            .connection
            .query_row("SELECT count(*) FROM state", [], |r| r.get(0))
            .map_err(|e| StoreError::new(format!("cannot read the data dir: {e}")))?;
        Ok(count == 0)
    }
}

/// Copies the data dir `from` to the new directory `to` while its server
/// runs: the database through SQLite's online backup (a consistent
/// snapshot, taken without stopping writers), then the signing keys.
/// `--data-dir to` starts from the copy.
pub fn backup(from: &Path, to: &Path) -> Result<(), StoreError> {
    let source_file = from.join(DATABASE);
    if !source_file.exists() {
        return Err(StoreError::new(format!(
            "{} is not a data dir (no {DATABASE})",
            from.display()
        )));
    }
    if to.join(DATABASE).exists() {
        return Err(StoreError::new(format!(
            "{} already holds a data dir; back up to a new directory",
            to.display()
        )));
    }
    std::fs::create_dir_all(to)
        .map_err(|e| StoreError::new(format!("cannot create {}: {e}", to.display())))?;
    // Read-only and without the owner lock: the running server keeps it.
    let source = Connection::open_with_flags(&source_file, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| corrupt(&source_file, e))?;
    let target_file = to.join(DATABASE);
    let mut target = Connection::open(&target_file)
        .map_err(|e| StoreError::new(format!("cannot create {}: {e}", target_file.display())))?;
    rusqlite::backup::Backup::new(&source, &mut target)
        .and_then(|b| b.run_to_completion(256, std::time::Duration::from_millis(5), None))
        .map_err(|e| StoreError::new(format!("backup of {}: {e}", source_file.display())))?;
    drop(target);
    keys::copy(from, to).map_err(|e| StoreError::new(format!("copying the signing keys: {e}")))
}

fn corrupt(file: &Path, e: rusqlite::Error) -> StoreError {
    StoreError::new(format!(
        "{} cannot be used as a cogkit data dir database: {e}",
        file.display()
    ))
}

/// Locks `DIR/lock` for this process, or says who has it.
fn take_ownership(dir: &Path) -> Result<File, StoreError> {
    let path = dir.join(LOCK);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| StoreError::new(format!("cannot open {}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::new(format!(
            "{} is in use by another cogkit mock server; stop it first, or use another --data-dir",
            dir.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(StoreError::new(format!(
            "cannot lock {}: {e}",
            path.display()
        ))),
    }
}

/// The writer's connection and where each entity's row is.
struct Database {
    connection: Connection,
    rows: rows::RowIds,
}

/// Version 2's table: rows keyed by an id that only grows ([`rows`]), and
/// an index by kind for loading (kept in id order within a kind, so new
/// rows append there too).
const STATE_TABLE: &str = "CREATE TABLE state (
         id INTEGER PRIMARY KEY,
         kind TEXT NOT NULL,
         key TEXT NOT NULL,
         value TEXT NOT NULL
     );
     CREATE INDEX state_by_kind ON state (kind);";

fn create_schema(db: &Connection) -> rusqlite::Result<()> {
    db.execute_batch(&format!(
        "BEGIN;
         {STATE_TABLE}
         PRAGMA user_version = {SCHEMA_VERSION};
         COMMIT;"
    ))
}

/// Brings a data dir of schema `from` up to [`SCHEMA_VERSION`], each step
/// in one transaction with its version bump (a failed step leaves the
/// data dir as it was).
fn migrate(db: &Connection, from: i64) -> rusqlite::Result<()> {
    debug_assert!(from >= 1);
    if from < 2 {
        // Version 1 kept each entity under the primary key (kind, key).
        db.execute_batch(&format!(
            "BEGIN;
             {STATE_TABLE}
             INSERT INTO state (kind, key, value)
                 SELECT kind, key, value FROM entity ORDER BY kind, key;
             DROP TABLE entity;
             PRAGMA user_version = 2;
             COMMIT;"
        ))?;
    }
    Ok(())
}

/// Reads where each entity's row is. Should a key have two rows (it cannot,
/// as only [`DataDir::commit`] writes), the later one is the entity and
/// the earlier ones are deleted.
fn row_ids(db: &Connection) -> rusqlite::Result<rows::RowIds> {
    let mut ids = rows::RowIds::default();
    let mut stale = Vec::new();
    {
        let mut statement = db.prepare("SELECT id, kind, key FROM state ORDER BY id")?;
        let mut found = statement.query([])?;
        while let Some(row) = found.next()? {
            let (id, kind, key): (i64, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
            stale.extend(ids.insert(&kind, &key, id));
        }
    }
    if !stale.is_empty() {
        tracing::warn!(
            rows = stale.len(),
            "the data dir held duplicate rows; the older ones are dropped"
        );
        let tx = db.unchecked_transaction()?;
        for id in stale {
            tx.execute("DELETE FROM state WHERE id = ?1", params![id])?;
        }
        tx.commit()?;
    }
    Ok(ids)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn put(kind: &'static str, key: &str, value: &str) -> Change {
        Change::Put {
            kind,
            key: key.to_owned(),
            value: value.to_owned(),
        }
    }

    #[test]
    fn what_is_committed_is_there_after_reopening() {
        let dir = tempdir("reopen");
        {
            let store = DataDir::open(&dir).unwrap();
            assert!(store.is_empty().unwrap());
            store
                .commit(&[put("user", "p\u{1f}a", "1"), put("user", "p\u{1f}b", "2")])
                .unwrap();
            store.commit(&[put("user", "p\u{1f}a", "3")]).unwrap();
        }
        let store = DataDir::open(&dir).unwrap();
        assert_eq!(
            store.load("user").unwrap(),
            [
                ("p\u{1f}a".to_owned(), "3".to_owned()),
                ("p\u{1f}b".to_owned(), "2".to_owned())
            ]
        );
    }

    #[test]
    fn a_prefix_deletes_one_parents_children_only() {
        let dir = tempdir("prefix");
        let store = DataDir::open(&dir).unwrap();
        store
            .commit(&[
                put("user", &child_key("eu-west-1_a", "x"), "1"),
                put("user", &child_key("eu-west-1_ab", "y"), "2"),
                put("client", &child_key("eu-west-1_a", "c"), "3"),
            ])
            .unwrap();
        store
            .commit(&[Change::DeletePrefix {
                kind: "user",
                prefix: children_of("eu-west-1_a"),
            }])
            .unwrap();
        assert_eq!(store.load("user").unwrap().len(), 1);
        assert_eq!(store.load("client").unwrap().len(), 1);
    }

    #[test]
    fn a_second_owner_is_refused() {
        let dir = tempdir("owner");
        let _first = DataDir::open(&dir).unwrap();
        let second = DataDir::open(&dir).unwrap_err().to_string();
        assert!(second.contains("in use by another"), "{second}");
    }

    #[test]
    fn a_version_1_data_dir_is_migrated_whole() {
        let dir = tempdir("v1");
        {
            let db = Connection::open(dir.join(DATABASE)).unwrap();
            db.execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE entity (
                     kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                     PRIMARY KEY (kind, key)
                 ) WITHOUT ROWID;
                 INSERT INTO entity VALUES ('user', 'p\x1falice', '{\"a\":1}');
                 INSERT INTO entity VALUES ('user', 'p\x1fbob', '{\"b\":2}');
                 INSERT INTO entity VALUES ('identity', 'us-east-1:x', '{}');
                 PRAGMA user_version = 1;",
            )
            .unwrap();
        }
        let store = DataDir::open(&dir).unwrap();
        let version: i64 = store
            .database()
            .connection
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        assert_eq!(
            store.load("user").unwrap(),
            vec![
                ("p\x1falice".to_owned(), "{\"a\":1}".to_owned()),
                ("p\x1fbob".to_owned(), "{\"b\":2}".to_owned())
            ]
        );
        // The migrated rows are found to change and delete.
        store
            .commit(&[
                put("user", "p\x1falice", "{\"a\":3}"),
                Change::Delete {
                    kind: "identity",
                    key: "us-east-1:x".to_owned(),
                },
            ])
            .unwrap();
        drop(store);
        let store = DataDir::open(&dir).unwrap();
        assert_eq!(store.load("user").unwrap()[0].1, "{\"a\":3}");
        assert_eq!(store.load("user").unwrap().len(), 2);
        assert!(store.load("identity").unwrap().is_empty());
    }

    #[test]
    fn a_newer_schema_and_a_foreign_or_damaged_file_are_refused() {
        let dir = tempdir("newer");
        drop(DataDir::open(&dir).unwrap());
        Connection::open(dir.join(DATABASE))
            .unwrap()
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let e = DataDir::open(&dir).unwrap_err().to_string();
        assert!(e.contains("newer than this cogkit"), "{e}");

        let dir = tempdir("foreign");
        Connection::open(dir.join(DATABASE))
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        let e = DataDir::open(&dir).unwrap_err().to_string();
        assert!(e.contains("not a cogkit data dir"), "{e}");

        let dir = tempdir("garbage");
        std::fs::write(dir.join(DATABASE), vec![0x5a; 8192]).unwrap();
        let e = DataDir::open(&dir).unwrap_err().to_string();
        assert!(e.contains("cannot be used"), "{e}");

        // A database cut short: the header promises pages that are gone.
        let dir = tempdir("truncated");
        {
            let store = DataDir::open(&dir).unwrap();
            let rows: Vec<Change> = (0..500)
                .map(|i| put("user", &format!("k{i}"), &"v".repeat(200)))
                .collect();
            store.commit(&rows).unwrap();
            store
                .database()
                .connection
                .pragma_update(None, "wal_checkpoint", "TRUNCATE")
                .unwrap();
        }
        let file = dir.join(DATABASE);
        let bytes = std::fs::read(&file).unwrap();
        std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
        assert!(DataDir::open(&dir).is_err());
    }

    #[test]
    fn a_failed_transaction_leaves_nothing() {
        let dir = tempdir("atomic");
        let store = DataDir::open(&dir).unwrap();
        store.commit(&[put("user", "a", "1")]).unwrap();
        // A write the database refuses (the connection made read-only)
        // halfway through: the first change is rolled back too.
        store
            .database()
            .connection
            .pragma_update(None, "query_only", true)
            .unwrap();
        assert!(
            store
                .commit(&[put("user", "a", "2"), put("user", "b", "3")])
                .is_err()
        );
        store
            .database()
            .connection
            .pragma_update(None, "query_only", false)
            .unwrap();
        assert_eq!(
            store.load("user").unwrap(),
            [("a".to_owned(), "1".to_owned())]
        );
    }

    #[test]
    fn a_backup_taken_while_the_owner_runs_opens_as_a_data_dir() {
        let dir = tempdir("backup-from");
        let store = DataDir::open(&dir).unwrap();
        store.commit(&[put("user", "a", "1")]).unwrap();
        std::fs::create_dir_all(dir.join("keys")).unwrap();
        std::fs::write(dir.join("keys").join("k.pk8"), b"key").unwrap();
        let copy = tempdir("backup-to").join("copy");
        backup(&dir, &copy).unwrap();
        // The owner still holds `dir`; the copy is a data dir of its own.
        let restored = DataDir::open(&copy).unwrap();
        assert_eq!(restored.load("user").unwrap().len(), 1);
        assert_eq!(
            std::fs::read(copy.join("keys").join("k.pk8")).unwrap(),
            b"key"
        );
        drop(restored);
        assert!(
            backup(&dir, &copy)
                .unwrap_err()
                .to_string()
                .contains("already holds")
        );
        drop(store);
    }

    pub(crate) fn tempdir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "cogkit-store-{name}-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
