//! The desktop shell: opens a book and exposes the engine's operation list to the UI through
//! one Tauri command, `call`, the same dispatcher the server's `/rpc` uses; and the two things a
//! web page cannot do, open an invoice PDF in the system's viewer and save it where the user
//! chooses.

use counterfoil_engine::model::Id;
use counterfoil_engine::{
    dispatch, paths, stored_or_new_invoice_pdf, Actor, ApiError, Book, Clock,
};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use tauri::{Manager, Runtime, State};

/// Shows a file in the system's viewer for its type.
pub type Viewer = fn(&Path) -> Result<(), String>;

/// The open book, shared by every command invocation, and how files are shown.
pub struct Desktop {
    book: Arc<Mutex<Book>>,
    viewer: Viewer,
}

impl Desktop {
    pub fn new(book: Book, viewer: Viewer) -> Desktop {
        Desktop {
            book: Arc::new(Mutex::new(book)),
            viewer,
        }
    }
}

/// The system's viewer (xdg-open on Linux).
fn system_viewer(path: &Path) -> Result<(), String> {
    tauri_plugin_opener::open_path(path, None::<&str>).map_err(|error| error.to_string())
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

/// An invoice's PDF (made and stored first when it has none), with its file name.
async fn invoice_pdf(desktop: &Desktop, id: Id) -> Result<(String, Vec<u8>), ApiError> {
    let book = Arc::clone(&desktop.book);
    tauri::async_runtime::spawn_blocking(move || {
        let mut book = book.lock().unwrap_or_else(PoisonError::into_inner);
        stored_or_new_invoice_pdf(&mut book, &Actor::new("desktop"), id)
    })
    .await
    .map_err(|join_error| ApiError::internal(&join_error))?
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ApiError> {
    std::fs::write(path, bytes).map_err(|error| {
        ApiError::invalid_state(format!("Could not write {}: {error}", path.display()))
    })
}

/// Opens an invoice's PDF in the system's PDF viewer (from a copy in the app's cache folder);
/// returns the copy's path.
#[tauri::command]
async fn open_invoice_pdf<R: Runtime>(
    app: tauri::AppHandle<R>,
    desktop: State<'_, Desktop>,
    id: Id,
) -> Result<String, ApiError> {
    let (name, bytes) = invoice_pdf(&desktop, id).await?;
    let dir = app
        .path()
        .app_cache_dir()
        .map_err(|error| ApiError::internal(&error))?
        .join("invoices");
    std::fs::create_dir_all(&dir).map_err(|error| ApiError::internal(&error))?;
    let path = dir.join(name);
    write_file(&path, &bytes)?;
    (desktop.viewer)(&path).map_err(|error| {
        ApiError::invalid_state(format!(
            "The PDF was saved as {}, but no PDF viewer could open it: {error}",
            path.display()
        ))
    })?;
    Ok(path.display().to_string())
}

/// Saves an invoice's PDF where the user chooses (a save dialog proposing
/// `invoice-<friendly id>.pdf`); returns the path, or nothing when the user cancelled.
#[tauri::command]
async fn save_invoice_pdf<R: Runtime>(
    app: tauri::AppHandle<R>,
    desktop: State<'_, Desktop>,
    id: Id,
) -> Result<Option<String>, ApiError> {
    use tauri_plugin_dialog::DialogExt;
    let (name, bytes) = invoice_pdf(&desktop, id).await?;
    let chosen = app
        .dialog()
        .file()
        .set_title("Save invoice PDF")
        .set_file_name(&name)
        .add_filter("PDF", &["pdf"])
        .blocking_save_file();
    let Some(chosen) = chosen else {
        return Ok(None);
    };
    let path = chosen
        .into_path()
        .map_err(|error| ApiError::internal(&error))?;
    write_file(&path, &bytes)?;
    Ok(Some(path.display().to_string()))
}

/// The app's commands and state on any runtime (the real one, or Tauri's mock in tests).
pub fn with_book<R: Runtime>(
    builder: tauri::Builder<R>,
    book: Book,
    viewer: Viewer,
) -> tauri::Builder<R> {
    builder
        .manage(Desktop::new(book, viewer))
        .invoke_handler(tauri::generate_handler![
            call,
            open_invoice_pdf,
            save_invoice_pdf
        ])
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
    let result = with_book(tauri::Builder::default(), book, system_viewer)
        .setup(|app| {
            let book = Arc::clone(&app.state::<Desktop>().book);
            tauri::async_runtime::spawn(bill_daily(book));
            Ok(())
        })
        .plugin(tauri_plugin_updater::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
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
