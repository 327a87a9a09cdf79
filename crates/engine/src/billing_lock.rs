//! One billing run at a time per book, across processes.
//!
//! `counterfoil serve`, a desktop and `counterfoil bill` from cron may all bill one book. Each
//! day's job is one transaction that refuses a day already done, so two runs could never bill
//! a day twice; but two runs side by side would trip over each other's days and charges. So a
//! run holds an exclusive advisory lock on `<book>.billing-lock` for as long as it bills: the
//! others wait for it or say who is billing. The operating system releases the lock when the
//! holder dies, even by SIGKILL, so a crashed run never blocks the next one.
//!
//! The lock is taken on a file of its own, never on the book: closing a descriptor of the book
//! itself would drop SQLite's locks on it (see [`crate::files`]).

use crate::error::{ApiError, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Seek, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What to do when another process is billing the book.
pub enum LockWait<'a> {
    /// Refuse at once, naming who bills.
    Refuse,
    /// Wait up to this long, then refuse.
    For(Duration),
    /// Wait as long as it takes; `waiting` hears once who is billing.
    Always(&'a mut dyn FnMut(&str)),
}

/// The lock, held until dropped.
#[derive(Debug)]
pub(crate) struct BillingLock {
    _file: File,
}

/// The lock file of the book at `book`: `<book>.billing-lock`.
pub fn lock_path(book: &Path) -> PathBuf {
    let mut name = book.as_os_str().to_owned();
    name.push(".billing-lock");
    PathBuf::from(name)
}

/// How long billing that a person or a shell's timer starts waits for a run in another
/// process before it is refused (a desktop's catch-up holds the lock a day at a time).
pub(crate) const SHORT_WAIT: Duration = Duration::from_secs(5);

/// How often a waiting run looks again.
const POLL: Duration = Duration::from_millis(50);

impl BillingLock {
    pub(crate) fn acquire(book: &Path, wait: LockWait<'_>) -> Result<BillingLock> {
        let path = lock_path(book);
        #[allow(clippy::disallowed_methods)] // the lock file is never a book
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|error| {
                ApiError::invalid_state(format!(
                    "Could not open the billing lock {}: {error}",
                    path.display()
                ))
            })?;
        let started = Instant::now();
        let mut wait = wait;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(error)) => return Err(ApiError::internal(&error)),
            }
            let holder = holder(&path);
            match &mut wait {
                LockWait::Refuse => return Err(busy(&holder)),
                LockWait::For(limit) if started.elapsed() >= *limit => return Err(busy(&holder)),
                LockWait::For(_) => std::thread::sleep(POLL),
                LockWait::Always(waiting) => {
                    waiting(&holder);
                    file.lock().map_err(|error| ApiError::internal(&error))?;
                    break;
                }
            }
        }
        describe_holder(&mut file);
        Ok(BillingLock { _file: file })
    }
}

/// Writes who holds the lock into the lock file, for the messages of those who wait.
fn describe_holder(file: &mut File) {
    let program = std::env::args()
        .next()
        .map(|arg0| {
            Path::new(&arg0)
                .file_name()
                .map_or(arg0.clone(), |name| name.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "counterfoil".to_owned());
    let text = format!("{program} (process {})", std::process::id());
    // Best effort: the text only improves a message.
    let _ = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(text.as_bytes()));
}

/// Who holds the lock at `path`, as its holder described itself.
fn holder(path: &Path) -> String {
    crate::files::read_to_string(path)
        .ok()
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty() && text.len() < 200)
        .unwrap_or_else(|| "another process".to_owned())
}

fn busy(holder: &str) -> ApiError {
    ApiError::conflict(format!(
        "The book is being billed by {holder} right now; nothing was changed. Try again when \
         it has finished."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_is_refused_naming_the_first_then_gets_the_lock_once_it_is_released() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("b.book");
        let first = BillingLock::acquire(&book, LockWait::Refuse).unwrap();
        let refused = BillingLock::acquire(&book, LockWait::Refuse).unwrap_err();
        assert_eq!(refused.code, crate::ErrorCode::Conflict);
        assert!(
            refused
                .message
                .contains(&format!("(process {})", std::process::id())),
            "{}",
            refused.message
        );
        let timed_out =
            BillingLock::acquire(&book, LockWait::For(Duration::from_millis(120))).unwrap_err();
        assert_eq!(timed_out.code, crate::ErrorCode::Conflict);
        drop(first);
        BillingLock::acquire(&book, LockWait::Refuse).unwrap();
    }

    #[test]
    fn a_waiting_run_hears_who_bills_and_goes_on_when_the_lock_is_released() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("b.book");
        let first = BillingLock::acquire(&book, LockWait::Refuse).unwrap();
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            drop(first);
        });
        let mut heard = Vec::new();
        let mut waiting = |holder: &str| heard.push(holder.to_owned());
        BillingLock::acquire(&book, LockWait::Always(&mut waiting)).unwrap();
        releaser.join().unwrap();
        assert_eq!(heard.len(), 1);
        assert!(heard[0].contains("process"), "{heard:?}");
    }
}
