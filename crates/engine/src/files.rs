//! Files that are not books (PDFs, CSV imports, scenarios, settings), read and written so that
//! no book open in this process ever loses its locks.
//!
//! SQLite's locks on a book are POSIX advisory locks, and POSIX drops *every* lock a process
//! holds on a file when the process closes *any* descriptor of that file (SQLite's "How To
//! Corrupt An SQLite Database File", §2.2). A PDF saved over the book, a CSV import pointed at
//! it, a header check that opens it with `std::fs::File`: each would leave the book unlocked,
//! and the next foreign SQLite client to close would checkpoint and delete its live
//! write-ahead log. So every book [`Book::open`](crate::Book::open)s is registered here, and
//! the shells read and write other files only through these functions, which refuse a book
//! that is open (or its `-wal`, `-shm` or `-journal`). Clippy's `disallowed_methods`
//! (clippy.toml) keeps the direct `std::fs` calls out of the product's code.

#![allow(clippy::disallowed_methods)] // the one place that may open files directly

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// What identifies a file whatever path reaches it (hard links, `..`, symlinks).
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileId {
    #[cfg(unix)]
    dev_ino: (u64, u64),
    #[cfg(not(unix))]
    canonical: PathBuf,
}

impl FileId {
    /// `None` when nothing is at `path`. Only `stat`s the file: it opens no descriptor.
    fn of(path: &Path) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let meta = std::fs::metadata(path).ok()?;
            Some(FileId {
                dev_ino: (meta.dev(), meta.ino()),
            })
        }
        #[cfg(not(unix))]
        {
            Some(FileId {
                canonical: std::fs::canonicalize(path).ok()?,
            })
        }
    }
}

/// The books open in this process, once per open [`Book`](crate::Book).
static OPEN_BOOKS: Mutex<Vec<(FileId, PathBuf)>> = Mutex::new(Vec::new());

/// A book's entry in the registry, for as long as the book is open.
#[derive(Debug)]
pub(crate) struct OpenBook(Option<FileId>);

impl OpenBook {
    pub(crate) fn register(path: &Path) -> OpenBook {
        let id = FileId::of(path);
        if let Some(id) = &id {
            lock().push((id.clone(), path.to_owned()));
        }
        OpenBook(id)
    }
}

impl Drop for OpenBook {
    fn drop(&mut self) {
        if let Some(id) = &self.0 {
            let mut books = lock();
            if let Some(at) = books.iter().position(|(open, _)| open == id) {
                books.swap_remove(at);
            }
        }
    }
}

fn lock() -> std::sync::MutexGuard<'static, Vec<(FileId, PathBuf)>> {
    OPEN_BOOKS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The open book `path` is, or is a `-wal`, `-shm` or `-journal` file of.
pub fn open_book_at(path: &Path) -> Option<PathBuf> {
    let mut candidates = vec![path.to_path_buf()];
    if let Some(name) = path.file_name().and_then(|name| name.to_str()) {
        for suffix in ["-wal", "-shm", "-journal"] {
            if let Some(base) = name.strip_suffix(suffix) {
                candidates.push(path.with_file_name(base));
            }
        }
    }
    let books = lock();
    candidates.iter().find_map(|candidate| {
        let id = FileId::of(candidate)?;
        books
            .iter()
            .find(|(open, _)| *open == id)
            .map(|(_, book)| book.clone())
    })
}

fn refuse_open_book(path: &Path) -> io::Result<()> {
    match open_book_at(path) {
        None => Ok(()),
        Some(book) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} is the book {} open in Counterfoil (or one of its files); choose another \
                 file",
                path.display(),
                book.display()
            ),
        )),
    }
}

/// Opens `path` for reading, unless it is an open book.
pub fn open(path: &Path) -> io::Result<File> {
    refuse_open_book(path)?;
    File::open(path)
}

/// Creates (or truncates) `path` for writing, unless it is an open book.
pub fn create(path: &Path) -> io::Result<File> {
    refuse_open_book(path)?;
    File::create(path)
}

/// The whole of `path`, unless it is an open book.
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    refuse_open_book(path)?;
    std::fs::read(path)
}

/// The whole of `path` as text, unless it is an open book.
pub fn read_to_string(path: &Path) -> io::Result<String> {
    refuse_open_book(path)?;
    std::fs::read_to_string(path)
}

/// Writes `bytes` to `path` (created or replaced), unless it is an open book.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> io::Result<()> {
    refuse_open_book(path)?;
    std::fs::write(path, bytes)
}

/// Writes `bytes` to a new file `path` that only its owner may read (a private key), unless
/// it is an open book; an existing file is left alone and refused.
pub fn write_new_private(path: &Path, bytes: impl AsRef<[u8]>) -> io::Result<()> {
    use std::io::Write;
    refuse_open_book(path)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes.as_ref())
}

/// Moves `from` to `to` (replacing it), unless either is an open book: a copy made beside a
/// book takes its place in one step.
pub fn rename(from: &Path, to: &Path) -> io::Result<()> {
    refuse_open_book(from)?;
    refuse_open_book(to)?;
    std::fs::rename(from, to)
}

/// Removes `path`, unless it is an open book.
pub fn remove(path: &Path) -> io::Result<()> {
    refuse_open_book(path)?;
    std::fs::remove_file(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_book_open_in_the_process_and_its_side_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("open.book");
        std::fs::write(&path, b"").unwrap();
        let other = dir.path().join("other.pdf");
        let registration = OpenBook::register(&path);
        for refused in [
            path.clone(),
            dir.path().join("open.book-wal"),
            dir.path().join("open.book-shm"),
            dir.path().join(".").join("open.book"),
        ] {
            let error = write(&refused, b"%PDF").unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{refused:?}");
            assert!(error.to_string().contains("open in Counterfoil"), "{error}");
        }
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"",
            "the book was not written"
        );
        write(&other, b"%PDF").unwrap();
        assert_eq!(read(&other).unwrap(), b"%PDF");
        drop(registration);
        write(&path, b"closed").unwrap();
    }
}
