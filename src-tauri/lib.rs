//! The desktop shell: opens a book and exposes the engine's operation list to the UI through
//! one Tauri command, `call`, the same dispatcher the server's `/rpc` uses.

use counterfoil_engine::{dispatch, paths, Actor, ApiError, Book, Clock};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use tauri::{Manager, Runtime, State};

/// The open book, shared by every command invocation.
pub struct Desktop {
    book: Arc<Mutex<Book>>,
}

impl Desktop {
    pub fn new(book: Book) -> Desktop {
        Desktop {
            book: Arc::new(Mutex::new(book)),
        }
    }
}

/// Runs one engine operation for the UI.
#[tauri::command]
async fn call(
    desktop: State<'_, Desktop>,
    operation: String,
    input: Value,
) -> Result<Value, ApiError> {
    tracing::debug!(%operation, "call");
    let book = Arc::clone(&desktop.book);
    tauri::async_runtime::spawn_blocking(move || {
        let mut book = book.lock().unwrap_or_else(PoisonError::into_inner);
        dispatch(&mut book, &Actor::new("desktop"), &operation, input)
    })
    .await
    .map_err(|join_error| ApiError::internal(&join_error))?
}

/// The app's commands and state on any runtime (the real one, or Tauri's mock in tests).
pub fn with_book<R: Runtime>(builder: tauri::Builder<R>, book: Book) -> tauri::Builder<R> {
    builder
        .manage(Desktop::new(book))
        .invoke_handler(tauri::generate_handler![call])
}

/// Bills every day not yet billed now (the app may have been closed for weeks), then again at
/// every 08:00 UTC while the app is open.
async fn bill_daily(book: Arc<Mutex<Book>>) {
    loop {
        let book = Arc::clone(&book);
        let wait = tauri::async_runtime::spawn_blocking(move || {
            let mut book = book.lock().unwrap_or_else(PoisonError::into_inner);
            let next = counterfoil_engine::catch_up(&mut book, &Actor::new("daily billing"));
            (next - book.now()).to_std().unwrap_or_default()
        })
        .await;
        match wait {
            Ok(wait) => tokio::time::sleep(wait.max(std::time::Duration::from_secs(1))).await,
            Err(error) => {
                tracing::error!(%error, "the daily billing task failed");
                return;
            }
        }
    }
}

/// The app's configuration, capabilities and built UI, compiled in from tauri.conf.json.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// `--book FILE` or `--book=FILE` from the command line, else the per-user default book.
fn book_path(args: impl Iterator<Item = String>) -> Option<PathBuf> {
    let mut args = args.skip(1);
    while let Some(arg) = args.next() {
        if arg == "--book" {
            return args.next().map(PathBuf::from);
        }
        if let Some(path) = arg.strip_prefix("--book=") {
            return Some(PathBuf::from(path));
        }
    }
    paths::default_book_path()
}

fn open_book() -> Result<Book, String> {
    let path = book_path(std::env::args()).ok_or("no per-user data directory; pass --book FILE")?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("could not create {}: {e}", parent.display()))?;
    }
    // The shells are the only place that reads the system clock.
    Book::open(&path, Clock::from_fn(chrono::Utc::now)).map_err(|e| e.to_string())
}

pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let book = match open_book() {
        Ok(book) => book,
        Err(message) => {
            eprintln!("counterfoil-desktop: {message}");
            std::process::exit(1);
        }
    };
    tracing::info!(book = %book.path().display(), "opened the book");
    let result = with_book(tauri::Builder::default(), book)
        .setup(|app| {
            let book = Arc::clone(&app.state::<Desktop>().book);
            tauri::async_runtime::spawn(bill_daily(book));
            Ok(())
        })
        .plugin(tauri_plugin_updater::Builder::new().build())
        .run(context());
    if let Err(error) = result {
        eprintln!("counterfoil-desktop: {error}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::book_path;
    use std::path::PathBuf;

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn book_flag_forms() {
        assert_eq!(
            book_path(args(&["app", "--book", "/tmp/a.book"])),
            Some(PathBuf::from("/tmp/a.book"))
        );
        assert_eq!(
            book_path(args(&["app", "--book=/tmp/b.book"])),
            Some(PathBuf::from("/tmp/b.book"))
        );
        let default = book_path(args(&["app"])).unwrap();
        assert!(
            default.ends_with("app.counterfoil.desktop/counterfoil.book"),
            "{default:?}"
        );
    }
}
