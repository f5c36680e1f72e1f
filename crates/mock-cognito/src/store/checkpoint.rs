//! WAL checkpoints off the request path.
//!
//! SQLite copies the write-ahead log back into the database file (a
//! checkpoint, with an fsync) by default on the connection that commits,
//! once the log passes 1,000 pages: the request whose commit crossed the
//! line then waited tens of milliseconds. Here the committing connection
//! only signals; a thread with its own connection runs a `PASSIVE`
//! checkpoint, which never blocks the writer.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use rusqlite::{Connection, OpenFlags};

use super::StoreError;

/// How long the log grows before it is checkpointed (SQLite's default).
const CHECKPOINT_PAGES: i32 = 1000;

/// The checkpoint thread of one data dir; stopped and joined on drop.
#[derive(Debug)]
pub struct Checkpointer {
    wake: SyncSender<()>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread, and has `writer` signal it (instead of
    /// checkpointing itself) whenever a commit leaves the log long.
    pub fn start(file: &Path, writer: &mut Connection) -> Result<Self, StoreError> {
        let failed =
            |e: rusqlite::Error| StoreError::new(format!("cannot open {}: {e}", file.display()));
        let own =
            Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_WRITE).map_err(failed)?;
        own.pragma_update(None, "synchronous", "NORMAL")
            .map_err(failed)?;
        let (wake, woken) = sync_channel::<()>(1);
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new()
            .name("data-dir-checkpoint".into())
            .spawn({
                let stop = stop.clone();
                move || {
                    while woken.recv().is_ok() && !stop.load(Ordering::Acquire) {
                        // Busy (a backup reading) or failing: the log just
                        // grows until the next try; commits go on.
                        if let Err(e) =
                            own.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                        {
                            tracing::warn!(error = %e, "a WAL checkpoint failed");
                        }
                    }
                }
            })
            .map_err(|e| StoreError::new(format!("cannot start the checkpoint thread: {e}")))?;
        let signal = wake.clone();
        // Replaces SQLite's automatic checkpoint, which is itself a WAL hook.
        writer
            .wal_hook(Some(move |_: &mut rusqlite::hooks::Wal, pages: i32| {
                if pages >= CHECKPOINT_PAGES {
                    // Full: a wake-up is already pending.
                    let _ = signal.try_send(());
                }
                Ok(())
            }))
            .map_err(failed)?;
        Ok(Checkpointer {
            wake,
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        // Full: the thread wakes for the pending signal and sees `stop`.
        let _ = self.wake.try_send(());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
