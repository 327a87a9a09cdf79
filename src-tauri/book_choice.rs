//! Which book the desktop app opens: the `--book FILE` of this run, else the book the user
//! chose last time (remembered in `settings.json` in the app's config folder), else the
//! per-user default book when an older version or the CLI made one; with none of these the UI
//! shows its welcome screen (the demo book or an empty one). Everything here works on paths
//! and files; opening a `Book` is the caller's part.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The app's own folders (Tauri's `app_config_dir` and `app_data_dir`).
#[derive(Debug, Clone)]
pub struct Places {
    config_dir: PathBuf,
    data_dir: PathBuf,
}

/// The file the choice is remembered in, as written: `{"book": "/abs/path.book"}`.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Remembered {
    #[serde(default)]
    book: Option<PathBuf>,
}

/// Where to start, before any book is opened.
#[derive(Debug, PartialEq, Eq)]
pub enum Start {
    /// Open this book.
    Book(PathBuf),
    /// The remembered book is gone: the welcome screen says so.
    Missing(PathBuf),
    /// Nothing chosen yet: the welcome screen.
    Welcome,
}

impl Places {
    pub fn new(config_dir: PathBuf, data_dir: PathBuf) -> Places {
        Places {
            config_dir,
            data_dir,
        }
    }

    fn settings_file(&self) -> PathBuf {
        self.config_dir.join("settings.json")
    }

    /// `<app data>/demo.book`: where "Open the demo book" builds it (once; later it opens the
    /// one there, with whatever the user did in it). `cargo xtask app` uses the same file.
    pub fn demo_book(&self) -> PathBuf {
        self.data_dir.join("demo.book")
    }

    /// `<app data>/counterfoil.book` (the CLI's default book too), or `counterfoil-2.book`, …
    /// when that name is taken: "Start an empty book" never opens a book that has contents.
    pub fn free_empty_book(&self) -> PathBuf {
        let first = self.data_dir.join("counterfoil.book");
        if !taken(&first) {
            return first;
        }
        (2..)
            .map(|n| self.data_dir.join(format!("counterfoil-{n}.book")))
            .find(|path| !taken(path))
            .unwrap_or(first) // the range is endless: `find` returns or never ends
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The remembered book (an unreadable or foreign settings file counts as none).
    pub fn remembered(&self) -> Option<PathBuf> {
        let text = counterfoil_engine::files::read_to_string(&self.settings_file()).ok()?;
        match serde_json::from_str::<Remembered>(&text) {
            Ok(remembered) => remembered.book,
            Err(error) => {
                tracing::warn!(%error, "ignoring an unreadable settings.json");
                None
            }
        }
    }

    /// Remembers `book` for the next start (written beside and renamed over, so a crash
    /// leaves the old choice or the new one).
    pub fn remember(&self, book: &Path) -> Result<(), String> {
        let fail = |error: std::io::Error| {
            format!(
                "Could not remember the book in {}: {error}",
                self.settings_file().display()
            )
        };
        std::fs::create_dir_all(&self.config_dir).map_err(fail)?;
        let remembered = Remembered {
            book: Some(book.to_path_buf()),
        };
        let text = serde_json::to_string_pretty(&remembered).map_err(|e| e.to_string())?;
        let temp = self.config_dir.join(".settings.json.new");
        counterfoil_engine::files::write(&temp, text + "\n").map_err(fail)?;
        std::fs::rename(&temp, self.settings_file()).map_err(fail)
    }

    /// Where to start when no `--book` was given.
    pub fn start(&self) -> Start {
        if let Some(book) = self.remembered() {
            return if book.is_file() {
                Start::Book(book)
            } else {
                Start::Missing(book)
            };
        }
        let default = self.data_dir.join("counterfoil.book");
        if default.is_file() {
            Start::Book(default)
        } else {
            Start::Welcome
        }
    }
}

/// A file (or one of SQLite's companions) is already there.
fn taken(path: &Path) -> bool {
    ["", "-wal", "-shm", "-journal"].iter().any(|suffix| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name).symlink_metadata().is_ok()
    })
}

/// `--book FILE` or `--book=FILE` from the command line.
pub fn book_argument(args: impl Iterator<Item = String>) -> Option<PathBuf> {
    let mut args = args.skip(1);
    while let Some(arg) = args.next() {
        if arg == "--book" {
            return args.next().map(PathBuf::from);
        }
        if let Some(path) = arg.strip_prefix("--book=") {
            return Some(PathBuf::from(path));
        }
    }
    None
}

/// A new book's file name as chosen in a save dialog, with `.book` added when it has no
/// extension.
pub fn with_book_extension(path: PathBuf) -> PathBuf {
    if path.extension().is_some() {
        path
    } else {
        path.with_extension("book")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    #![allow(clippy::disallowed_methods)] // fixture files only
    use super::*;

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .into_iter()
    }

    fn places(dir: &tempfile::TempDir) -> Places {
        Places::new(dir.path().join("config"), dir.path().join("data"))
    }

    #[test]
    fn book_flag_forms() {
        for (given, expected) in [
            (&["app", "--book", "/tmp/a.book"][..], Some("/tmp/a.book")),
            (&["app", "--book=/tmp/b.book"][..], Some("/tmp/b.book")),
            (&["app", "--book"][..], None),
            (&["app"][..], None),
        ] {
            assert_eq!(
                book_argument(args(given)),
                expected.map(PathBuf::from),
                "{given:?}"
            );
        }
    }

    #[test]
    fn a_first_start_shows_the_welcome_and_the_choice_is_used_next_time() {
        let dir = tempfile::tempdir().unwrap();
        let places = places(&dir);
        assert_eq!(places.start(), Start::Welcome);

        let book = dir.path().join("chosen.book");
        std::fs::write(&book, b"").unwrap();
        places.remember(&book).unwrap();
        assert_eq!(places.start(), Start::Book(book.clone()));

        std::fs::remove_file(&book).unwrap();
        assert_eq!(places.start(), Start::Missing(book));
    }

    #[test]
    fn the_default_book_of_an_older_version_or_the_cli_opens_without_a_choice() {
        let dir = tempfile::tempdir().unwrap();
        let places = places(&dir);
        std::fs::create_dir_all(places.data_dir()).unwrap();
        let default = places.data_dir().join("counterfoil.book");
        std::fs::write(&default, b"").unwrap();
        assert_eq!(places.start(), Start::Book(default));
    }

    #[test]
    fn an_unreadable_settings_file_counts_as_no_choice() {
        let dir = tempfile::tempdir().unwrap();
        let places = places(&dir);
        std::fs::create_dir_all(dir.path().join("config")).unwrap();
        std::fs::write(dir.path().join("config/settings.json"), "{not json").unwrap();
        assert_eq!(places.start(), Start::Welcome);
    }

    #[test]
    fn an_empty_book_never_takes_a_used_name() {
        let dir = tempfile::tempdir().unwrap();
        let places = places(&dir);
        let data = places.data_dir().to_path_buf();
        assert_eq!(places.free_empty_book(), data.join("counterfoil.book"));
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(data.join("counterfoil.book"), b"").unwrap();
        std::fs::write(data.join("counterfoil-2.book-wal"), b"").unwrap();
        assert_eq!(places.free_empty_book(), data.join("counterfoil-3.book"));
    }

    #[test]
    fn a_new_book_gets_the_book_extension_when_it_has_none() {
        assert_eq!(
            with_book_extension(PathBuf::from("/tmp/acme")),
            PathBuf::from("/tmp/acme.book")
        );
        assert_eq!(
            with_book_extension(PathBuf::from("/tmp/acme.sqlite")),
            PathBuf::from("/tmp/acme.sqlite")
        );
    }
}
