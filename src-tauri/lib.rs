//! The desktop shell: opens a book and exposes the engine's operation list to the UI through
//! one Tauri command, `call`, the same dispatcher the server's `/rpc` uses; the two things a
//! web page cannot do, open an invoice PDF in the system's viewer and save it where the user
//! chooses; and the choice of book (the welcome screen's demo or empty book, File → Open
//! book… / New book…), remembered for the next start; and the daily billing, with the
//! progress of a catch-up (billing.rs); and sync with a server: linking the book, rounds in
//! the background and the changes the server refused (sync.rs).

mod billing;
mod book_choice;
mod rendering;
mod sync;

use billing::BillingProgress;

use book_choice::{book_argument, with_book_extension, Places, Start};
use counterfoil_engine::model::Id;
use counterfoil_engine::{dispatch, stored_or_new_invoice_pdf, Actor, ApiError, Book, Clock};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tauri::{Manager, Runtime, State};
use tokio::sync::Notify;

/// Shows a file in the system's viewer for its type.
pub type Viewer = fn(&Path) -> Result<(), String>;

/// The desktop app's state, shared by every command invocation.
pub struct Desktop {
    shared: Arc<Shared>,
    viewer: Viewer,
    /// One change of book at a time (two clicks on "Open the demo book" build it once).
    switching: tokio::sync::Mutex<()>,
}

/// What the commands and the daily billing task share.
struct Shared {
    /// The open book; none until the user chose one on the welcome screen.
    book: Mutex<Option<Book>>,
    /// The open book's path, readable while a long call holds the book.
    path: Mutex<Option<PathBuf>>,
    /// Why the remembered book did not open, or why the choice could not be remembered.
    problem: Mutex<Option<String>>,
    /// Where the choice is remembered and new books go; none in tests that pass a book.
    places: Option<Places>,
    /// Wakes the daily billing task when the book changes, so that it bills the new one.
    switched: Notify,
    /// Where the billing catch-up stands, for the window.
    billing: Mutex<BillingProgress>,
    /// The user asked to stop the catch-up after the current day.
    cancel_billing: AtomicBool,
    /// The user asked to go on with a paused catch-up.
    resume_billing: Notify,
    /// Sync of a linked book: one round at a time, the last round's problem, the window.
    sync: sync::SyncState,
}

/// Which book is open, as the UI asks for it (`book_choice`) and gets it after a change.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BookChoice {
    /// The open book's file; `null` shows the welcome screen.
    pub path: Option<String>,
    /// A problem to show: the remembered book could not be opened, or the choice not saved.
    pub problem: Option<String>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Desktop {
    /// The app with `book` open, or with none (the UI then shows its welcome screen).
    pub fn new(book: Option<Book>, places: Option<Places>, viewer: Viewer) -> Desktop {
        let path = book.as_ref().map(|book| book.path().to_path_buf());
        Desktop {
            shared: Arc::new(Shared {
                book: Mutex::new(book),
                path: Mutex::new(path),
                problem: Mutex::new(None),
                places,
                switched: Notify::new(),
                billing: Mutex::new(BillingProgress::default()),
                cancel_billing: AtomicBool::new(false),
                resume_billing: Notify::new(),
                sync: sync::SyncState::default(),
            }),
            viewer,
            switching: tokio::sync::Mutex::new(()),
        }
    }

    /// The app as a start without `--book` finds it: the remembered book (or the per-user
    /// default book when one exists), else none.
    pub fn starting(places: Places, viewer: Viewer) -> Desktop {
        let (book, problem) = match places.start() {
            Start::Welcome => (None, None),
            Start::Missing(path) => (
                None,
                Some(format!(
                    "The book you used last, {}, is no longer there. Open it from where it \
                     is now, or choose another.",
                    path.display()
                )),
            ),
            Start::Book(path) => match open_book_file(&path) {
                Ok(book) => (Some(book), None),
                Err(error) => (
                    None,
                    Some(format!(
                        "The book you used last could not be opened: {}",
                        error.message
                    )),
                ),
            },
        };
        if let Some(problem) = &problem {
            tracing::warn!(%problem, "no book opened at start");
        }
        let desktop = Desktop::new(book, Some(places), viewer);
        *lock(&desktop.shared.problem) = problem;
        desktop
    }

    fn choice(&self) -> BookChoice {
        self.shared.choice()
    }

    fn places(&self) -> Result<&Places, ApiError> {
        self.shared
            .places
            .as_ref()
            .ok_or_else(|| ApiError::invalid_state("This window cannot change its book."))
    }

    /// Opens (or creates) the book at `path` with `open` off the async threads, makes it the
    /// open book and remembers it.
    async fn switch_to(
        &self,
        path: PathBuf,
        open: fn(&Path) -> Result<Book, ApiError>,
    ) -> Result<BookChoice, ApiError> {
        let _one_at_a_time = self.switching.lock().await;
        let shared = Arc::clone(&self.shared);
        tauri::async_runtime::spawn_blocking(move || {
            let book = open(&path)?;
            Ok(shared.switch(book))
        })
        .await
        .map_err(|join_error| ApiError::internal(&join_error))?
    }
}

impl Shared {
    fn choice(&self) -> BookChoice {
        BookChoice {
            path: lock(&self.path).as_ref().map(|p| p.display().to_string()),
            problem: lock(&self.problem).clone(),
        }
    }

    /// Replaces the open book (waiting for a call in progress to finish; the old book closes
    /// here) and remembers the new one for the next start.
    fn switch(&self, book: Book) -> BookChoice {
        let path = book.path().to_path_buf();
        tracing::info!(book = %path.display(), "opened the book");
        *lock(&self.book) = Some(book);
        *lock(&self.path) = Some(path.clone());
        let problem = self
            .places
            .as_ref()
            .and_then(|places| places.remember(&path).err());
        *lock(&self.problem) = problem;
        self.switched.notify_one();
        self.sync.wake();
        self.choice()
    }
}

/// The system's viewer (xdg-open on Linux).
fn system_viewer(path: &Path) -> Result<(), String> {
    tauri_plugin_opener::open_path(path, None::<&str>).map_err(|error| error.to_string())
}

fn no_book() -> ApiError {
    ApiError::invalid_state("No book is open. Open the demo book or start an empty one.")
}

/// Runs `work` on the open book, off the async threads.
async fn with_open_book<T: Send + 'static>(
    desktop: &Desktop,
    work: impl FnOnce(&mut Book) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let shared = Arc::clone(&desktop.shared);
    tauri::async_runtime::spawn_blocking(move || {
        let mut slot = lock(&shared.book);
        let book = slot.as_mut().ok_or_else(no_book)?;
        work(book)
    })
    .await
    .map_err(|join_error| ApiError::internal(&join_error))?
}

/// Runs one engine operation for the UI.
#[tauri::command]
async fn call(
    desktop: State<'_, Desktop>,
    operation: String,
    input: Value,
) -> Result<Value, ApiError> {
    tracing::debug!(%operation, "call");
    let shared = Arc::clone(&desktop.shared);
    let asked = operation.clone();
    if with_open_book(&desktop, move |book| {
        Ok(sync::asked_of_the_server(book, &asked))
    })
    .await?
    {
        return sync::on_the_server(&shared, operation, input).await;
    }
    with_open_book(&desktop, move |book| {
        let output = dispatch(book, &Actor::new("desktop"), &operation, input)?;
        // On a linked book a change waits for the server: the window hears of it, and a round
        // sends it.
        sync::after_call(&shared, book, &operation);
        Ok(output)
    })
    .await
}

/// An invoice's PDF (made and stored first when it has none), with its file name.
async fn invoice_pdf(desktop: &Desktop, id: Id) -> Result<(String, Vec<u8>), ApiError> {
    with_open_book(desktop, move |book| {
        stored_or_new_invoice_pdf(book, &Actor::new("desktop"), id)
    })
    .await
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ApiError> {
    counterfoil_engine::files::write(path, bytes).map_err(|error| {
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

// ---- the choice of book --------------------------------------------------------------------

/// An engine refusal to open a file, as one sentence for the UI.
fn open_error(error: counterfoil_engine::OpenError) -> ApiError {
    let text = error.to_string();
    let mut chars = text.chars();
    let sentence = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
        None => text,
    };
    ApiError::invalid_state(sentence)
}

/// Opens the book at `path` on the system clock, creating it (and its folder) when missing.
fn open_book_file(path: &Path) -> Result<Book, ApiError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|error| {
            ApiError::invalid_state(format!("Could not create {}: {error}", parent.display()))
        })?;
    }
    // The shells are the only place that reads the system clock.
    Book::open(path, Clock::from_fn(chrono::Utc::now)).map_err(open_error)
}

/// File → Open book…: the file must be there (opening never makes a new book by accident).
fn open_existing_book(path: &Path) -> Result<Book, ApiError> {
    if !path.is_file() {
        return Err(ApiError::invalid_state(format!(
            "{} is not there any more.",
            path.display()
        )));
    }
    open_book_file(path)
}

/// A new, empty book at `path`, which must not be taken.
fn create_new_book(path: &Path) -> Result<Book, ApiError> {
    if path.symlink_metadata().is_ok() {
        return Err(ApiError::invalid_state(format!(
            "{} already exists. To work in it, choose File → Open book….",
            path.display()
        )));
    }
    open_book_file(path)
}

/// The demo book at `path`, built there first (as `counterfoil demo` builds it) unless it is
/// already there, with whatever the user did in it since.
fn demo_book(path: &Path) -> Result<Book, ApiError> {
    if path.symlink_metadata().is_err() {
        // Alive up to today: the shells are the only place that reads the system clock.
        let as_of = counterfoil_demo::as_of_day(chrono::Utc::now());
        let summary = counterfoil_demo::build(path, false, as_of).map_err(|error| {
            tracing::error!(
                error = format!("{error:#}"),
                "building the demo book failed"
            );
            ApiError::invalid_state(format!("The demo book could not be built: {error}"))
        })?;
        tracing::info!("{summary}");
    }
    open_existing_book(path)
}

/// Where the billing catch-up stands (the window also gets each change as an event).
#[tauri::command]
fn billing_progress(desktop: State<'_, Desktop>) -> BillingProgress {
    lock(&desktop.shared.billing).clone()
}

/// Stops the running catch-up after the day it is billing; the rest waits for `resume_billing`.
#[tauri::command]
fn cancel_billing(desktop: State<'_, Desktop>) {
    if lock(&desktop.shared.billing).running {
        desktop.shared.cancel_billing.store(true, Ordering::SeqCst);
    }
}

/// Goes on with a paused catch-up.
#[tauri::command]
fn resume_billing(desktop: State<'_, Desktop>) {
    desktop.shared.resume_billing.notify_one();
}

/// Which book is open (`path` null: the UI shows its welcome screen).
#[tauri::command]
fn book_choice(desktop: State<'_, Desktop>) -> BookChoice {
    desktop.choice()
}

/// Opens the demo book (building it on first use) and remembers it.
#[tauri::command]
async fn open_demo_book(desktop: State<'_, Desktop>) -> Result<BookChoice, ApiError> {
    let path = desktop.places()?.demo_book();
    desktop.switch_to(path, demo_book).await
}

/// Starts an empty book in the app's data folder and remembers it.
#[tauri::command]
async fn create_book(desktop: State<'_, Desktop>) -> Result<BookChoice, ApiError> {
    let path = desktop.places()?.free_empty_book();
    desktop.switch_to(path, create_new_book).await
}

/// File → Open book…: a book file chosen in the system's open dialog; nothing when cancelled.
#[tauri::command]
async fn open_book<R: Runtime>(
    app: tauri::AppHandle<R>,
    desktop: State<'_, Desktop>,
) -> Result<Option<BookChoice>, ApiError> {
    choose_and_open(&app, &desktop).await
}

/// File → New book…: a new book where the user chooses in the save dialog; nothing when
/// cancelled.
#[tauri::command]
async fn new_book<R: Runtime>(
    app: tauri::AppHandle<R>,
    desktop: State<'_, Desktop>,
) -> Result<Option<BookChoice>, ApiError> {
    choose_and_create(&app, &desktop).await
}

/// Where the file dialogs start: the open book's folder, else the app's data folder.
fn dialog_folder(desktop: &Desktop) -> Option<PathBuf> {
    let open = lock(&desktop.shared.path)
        .as_ref()
        .and_then(|path| path.parent().map(Path::to_path_buf));
    open.or_else(|| {
        desktop
            .shared
            .places
            .as_ref()
            .map(|places| places.data_dir().to_path_buf())
    })
    .filter(|folder| folder.is_dir())
}

/// A file dialog's answer, off the async threads (the dialogs block until answered).
async fn ask<R: Runtime>(
    app: &tauri::AppHandle<R>,
    desktop: &Desktop,
    dialog: fn(tauri_plugin_dialog::FileDialogBuilder<R>) -> Option<tauri_plugin_dialog::FilePath>,
) -> Result<Option<PathBuf>, ApiError> {
    use tauri_plugin_dialog::DialogExt;
    let mut builder = app.dialog().file();
    if let Some(folder) = dialog_folder(desktop) {
        builder = builder.set_directory(folder);
    }
    let chosen = tauri::async_runtime::spawn_blocking(move || dialog(builder))
        .await
        .map_err(|join_error| ApiError::internal(&join_error))?;
    chosen
        .map(|chosen| {
            chosen
                .into_path()
                .map_err(|error| ApiError::internal(&error))
        })
        .transpose()
}

async fn choose_and_open<R: Runtime>(
    app: &tauri::AppHandle<R>,
    desktop: &Desktop,
) -> Result<Option<BookChoice>, ApiError> {
    desktop.places()?;
    let chosen = ask(app, desktop, |dialog| {
        dialog
            .set_title("Open book")
            .add_filter("Counterfoil books", &["book", "sqlite", "db"])
            .add_filter("All files", &["*"])
            .blocking_pick_file()
    })
    .await?;
    match chosen {
        Some(path) => desktop.switch_to(path, open_existing_book).await.map(Some),
        None => Ok(None),
    }
}

async fn choose_and_create<R: Runtime>(
    app: &tauri::AppHandle<R>,
    desktop: &Desktop,
) -> Result<Option<BookChoice>, ApiError> {
    desktop.places()?;
    let chosen = ask(app, desktop, |dialog| {
        dialog
            .set_title("New book")
            .set_file_name("counterfoil.book")
            .add_filter("Counterfoil books", &["book"])
            .blocking_save_file()
    })
    .await?;
    match chosen {
        Some(path) => {
            let path = with_book_extension(path);
            desktop.switch_to(path, create_new_book).await.map(Some)
        }
        None => Ok(None),
    }
}

// ---- the File menu -------------------------------------------------------------------------

const MENU_OPEN_BOOK: &str = "open_book";
const MENU_NEW_BOOK: &str = "new_book";
const MENU_QUIT: &str = "quit";

/// File: Open book… (Ctrl+O), New book… (Ctrl+N), Quit (Ctrl+Q).
fn menu<R: Runtime>(app: &tauri::AppHandle<R>) -> tauri::Result<tauri::menu::Menu<R>> {
    use tauri::menu::{MenuBuilder, MenuItemBuilder, SubmenuBuilder};
    let file = SubmenuBuilder::new(app, "File")
        .item(
            &MenuItemBuilder::with_id(MENU_OPEN_BOOK, "Open book…")
                .accelerator("CmdOrCtrl+O")
                .build(app)?,
        )
        .item(
            &MenuItemBuilder::with_id(MENU_NEW_BOOK, "New book…")
                .accelerator("CmdOrCtrl+N")
                .build(app)?,
        )
        .separator()
        .item(
            &MenuItemBuilder::with_id(MENU_QUIT, "Quit")
                .accelerator("CmdOrCtrl+Q")
                .build(app)?,
        )
        .build()?;
    let menu = MenuBuilder::new(app).item(&file);
    // macOS gives text fields copy and paste through the Edit menu only; GTK and WebView2 do
    // without one.
    #[cfg(target_os = "macos")]
    let menu = menu.item(
        &SubmenuBuilder::new(app, "Edit")
            .cut()
            .copy()
            .paste()
            .select_all()
            .build()?,
    );
    menu.build()
}

/// A book chosen from the menu replaces the open one and the UI starts again on it; a refusal
/// is shown in a message box (the page may be the welcome screen or any other).
fn on_menu<R: Runtime>(app: &tauri::AppHandle<R>, event: tauri::menu::MenuEvent) {
    let id = event.id().as_ref().to_string();
    if id == MENU_QUIT {
        app.exit(0);
        return;
    }
    if id != MENU_OPEN_BOOK && id != MENU_NEW_BOOK {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let desktop = app.state::<Desktop>();
        let result = if id == MENU_OPEN_BOOK {
            choose_and_open(&app, &desktop).await
        } else {
            choose_and_create(&app, &desktop).await
        };
        match result {
            Ok(Some(_)) => {
                if let Some(window) = app.get_webview_window("main") {
                    let restart = "window.location.hash = '#/dashboard'; window.location.reload();";
                    if let Err(error) = window.eval(restart) {
                        tracing::error!(%error, "could not reload the UI on the new book");
                    }
                }
            }
            Ok(None) => {}
            Err(error) => {
                use tauri_plugin_dialog::{DialogExt, MessageDialogKind};
                app.dialog()
                    .message(error.message)
                    .title("Counterfoil")
                    .kind(MessageDialogKind::Error)
                    .show(|_| {});
            }
        }
    });
}

// ---- the app -------------------------------------------------------------------------------

/// The commands the UI may call (capabilities/default.json grants each by name).
fn commands<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        call,
        open_invoice_pdf,
        save_invoice_pdf,
        book_choice,
        open_demo_book,
        create_book,
        open_book,
        new_book,
        billing_progress,
        cancel_billing,
        resume_billing,
        sync::sync_status,
        sync::sync_link,
        sync::sync_unlink,
        sync::sync_now,
        sync::sync_dismiss,
        sync::sync_server_id
    ])
}

/// The app's commands and `desktop` on any runtime (the real one, or Tauri's mock in tests).
pub fn with_desktop<R: Runtime>(builder: tauri::Builder<R>, desktop: Desktop) -> tauri::Builder<R> {
    commands(builder.manage(desktop))
}

/// The app with `book` open and no choice of another (tests that pass a book).
pub fn with_book<R: Runtime>(
    builder: tauri::Builder<R>,
    book: Book,
    viewer: Viewer,
) -> tauri::Builder<R> {
    with_desktop(builder, Desktop::new(Some(book), None, viewer))
}

/// The app's configuration, capabilities and built UI, compiled in from tauri.conf.json.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

pub fn run() {
    rendering::choose_compositing();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    // `--book FILE` opens that book for this run (and is not remembered); it must open.
    let given = match book_argument(std::env::args()).map(|path| open_book_file(&path)) {
        Some(Ok(book)) => Some(book),
        Some(Err(error)) => {
            eprintln!("counterfoil-desktop: {}", error.message);
            std::process::exit(1);
        }
        None => None,
    };
    let builder = tauri::Builder::default()
        .setup(move |app| {
            let places = Places::new(app.path().app_config_dir()?, app.path().app_data_dir()?);
            let desktop = match given {
                Some(book) => Desktop::new(Some(book), Some(places), system_viewer),
                None => Desktop::starting(places, system_viewer),
            };
            if let Some(path) = lock(&desktop.shared.path).as_ref() {
                tracing::info!(book = %path.display(), "opened the book");
            }
            tauri::async_runtime::spawn(billing::bill_daily(
                Arc::clone(&desktop.shared),
                billing::to_windows(app.handle().clone()),
            ));
            desktop
                .shared
                .sync
                .set_report(sync::to_windows(app.handle().clone()));
            tauri::async_runtime::spawn(sync::keep_in_sync(Arc::clone(&desktop.shared)));
            app.manage(desktop);
            Ok(())
        })
        .menu(menu)
        .on_menu_event(on_menu)
        .plugin(tauri_plugin_updater::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init());
    if let Err(error) = commands(builder).run(context()) {
        eprintln!("counterfoil-desktop: {error}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
    #![allow(clippy::disallowed_methods)] // fixture files only

    use super::*;
    use chrono::TimeZone;
    use counterfoil_engine::model::{AccountFields, CreateInvoice, NoInput};
    use counterfoil_engine::op;
    use serde_json::json;
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
    use tauri::webview::InvokeRequest;

    fn no_viewer(_: &Path) -> Result<(), String> {
        Ok(())
    }

    /// The app on Tauri's mock runtime with the real capabilities, as the UI reaches it.
    struct Window {
        _app: tauri::App<MockRuntime>,
        webview: tauri::WebviewWindow<MockRuntime>,
    }

    impl Window {
        fn start(desktop: Desktop) -> Window {
            let app = with_desktop(mock_builder(), desktop)
                .build(context())
                .unwrap();
            let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
                .build()
                .unwrap();
            Window { _app: app, webview }
        }

        fn command(&self, command: &str, body: Value) -> Result<Value, Value> {
            let request = InvokeRequest {
                cmd: command.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(body),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            };
            get_ipc_response(&self.webview, request)
                .map(|body| body.deserialize::<Value>().unwrap())
        }

        fn call(&self, operation: &str, input: Value) -> Result<Value, Value> {
            self.command("call", json!({"operation": operation, "input": input}))
        }
    }

    include!("commands.rs");

    #[test]
    fn the_capability_grants_exactly_the_declared_commands() {
        let capability: Value =
            serde_json::from_str(include_str!("../capabilities/default.json")).unwrap();
        let granted: std::collections::BTreeSet<String> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .filter_map(|permission| permission.strip_prefix("allow-"))
            .map(|command| command.replace('-', "_"))
            .collect();
        let declared: std::collections::BTreeSet<String> = COMMANDS
            .iter()
            .map(|command| (*command).to_owned())
            .collect();
        assert_eq!(granted, declared);
        // Each declared command answers through the real capability (a command without a
        // handler would answer that it was not found).
        let dir = tempfile::tempdir().unwrap();
        let window = Window::start(Desktop::starting(places(&dir), no_viewer));
        for command in ["book_choice", "billing_progress"] {
            assert!(window.command(command, json!({})).is_ok(), "{command}");
        }
        // Without a book the sync commands answer the engine's refusal, not "not found".
        for command in ["sync_status", "sync_now", "sync_unlink"] {
            let refused = window.command(command, json!({})).unwrap_err();
            assert_eq!(refused["code"], "invalid_state", "{command}: {refused}");
        }
    }

    fn places(dir: &tempfile::TempDir) -> Places {
        Places::new(dir.path().join("config"), dir.path().join("data"))
    }

    #[test]
    fn without_a_book_the_ui_shows_the_welcome_and_operations_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let window = Window::start(Desktop::starting(places(&dir), no_viewer));
        assert_eq!(
            window.command("book_choice", json!({})).unwrap(),
            json!({"path": null, "problem": null})
        );
        let refused = window.call("list_accounts", json!({})).unwrap_err();
        assert_eq!(refused["code"], "invalid_state");
        assert_eq!(
            refused["message"],
            "No book is open. Open the demo book or start an empty one."
        );
    }

    #[test]
    fn an_empty_book_is_started_remembered_and_opened_directly_next_time() {
        let dir = tempfile::tempdir().unwrap();
        let expected = dir.path().join("data/counterfoil.book");
        {
            let window = Window::start(Desktop::starting(places(&dir), no_viewer));
            let choice = window.command("create_book", json!({})).unwrap();
            assert_eq!(
                choice,
                json!({"path": expected.display().to_string(), "problem": null})
            );
            let account = window
                .call("create_account", json!({"org_name": "Acme"}))
                .unwrap();
            assert_eq!(account["org_name"], "Acme");
        }
        let remembered = std::fs::read_to_string(dir.path().join("config/settings.json")).unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&remembered).unwrap()["book"],
            expected.display().to_string()
        );

        // The next start: the same book, at once.
        let window = Window::start(Desktop::starting(places(&dir), no_viewer));
        assert_eq!(
            window.command("book_choice", json!({})).unwrap()["path"],
            expected.display().to_string()
        );
        let accounts = window.call("list_accounts", json!({})).unwrap();
        assert_eq!(accounts["total"], 1);

        // "Start an empty book" again never reuses a book with contents.
        let second = window.command("create_book", json!({})).unwrap();
        assert_eq!(
            second["path"],
            dir.path()
                .join("data/counterfoil-2.book")
                .display()
                .to_string()
        );
        assert_eq!(window.call("list_accounts", json!({})).unwrap()["total"], 0);
    }

    #[test]
    fn the_demo_book_is_built_once_and_reopened_with_what_the_user_did_in_it() {
        let dir = tempfile::tempdir().unwrap();
        let demo = dir.path().join("data/demo.book");
        let window = Window::start(Desktop::starting(places(&dir), no_viewer));
        let choice = window.command("open_demo_book", json!({})).unwrap();
        assert_eq!(choice["path"], demo.display().to_string());
        let settings = window.call("get_settings", json!({})).unwrap();
        assert_eq!(settings["org_name"], "Northwind APIs B.V.");
        let accounts = window.call("list_accounts", json!({})).unwrap()["total"]
            .as_i64()
            .unwrap();
        // The buyers `counterfoil demo` makes today.
        let cli_demo = dir.path().join("cli-demo.book");
        counterfoil_demo::build(
            &cli_demo,
            false,
            counterfoil_demo::as_of_day(chrono::Utc::now()),
        )
        .unwrap();
        let cli_book = Book::open(&cli_demo, Clock::from_fn(chrono::Utc::now)).unwrap();
        let expected = op::list_accounts(&cli_book, Default::default())
            .unwrap()
            .total;
        assert!(expected > 20, "{expected} buyers");
        assert_eq!(accounts, expected, "the buyers `counterfoil demo` makes");
        window
            .call("create_account", json!({"org_name": "Mine"}))
            .unwrap();

        window.command("create_book", json!({})).unwrap();
        window.command("open_demo_book", json!({})).unwrap();
        assert_eq!(
            window.call("list_accounts", json!({})).unwrap()["total"],
            accounts + 1,
            "the demo book the user changed, not a new one"
        );
    }

    #[test]
    fn a_remembered_book_that_is_gone_is_named_on_the_welcome_screen() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("moved.book");
        places(&dir).remember(&gone).unwrap();
        let window = Window::start(Desktop::starting(places(&dir), no_viewer));
        let choice = window.command("book_choice", json!({})).unwrap();
        assert_eq!(choice["path"], Value::Null);
        let problem = choice["problem"].as_str().unwrap();
        assert!(
            problem.contains(&gone.display().to_string()) && problem.contains("no longer there"),
            "{problem}"
        );
        assert!(!gone.exists(), "no book was made in its place");
    }

    #[test]
    fn a_file_that_is_not_a_book_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let notes = dir.path().join("notes.book");
        std::fs::write(&notes, "not a book").unwrap();
        let error = open_existing_book(&notes).err().unwrap();
        assert_eq!(error.code, counterfoil_engine::ErrorCode::InvalidState);
        assert!(
            error
                .message
                .starts_with(&format!("{} is not a Counterfoil book", notes.display())),
            "{}",
            error.message
        );
        assert_eq!(std::fs::read_to_string(&notes).unwrap(), "not a book");
        let taken = create_new_book(&notes).err().unwrap();
        assert!(
            taken.message.contains("already exists"),
            "{}",
            taken.message
        );
    }

    /// A book whose first invoice was made on 1 May 2025, opened on 10 June: 41 days to bill.
    fn book_behind(path: &Path) -> Book {
        let clock = Clock::simulated(chrono::Utc.with_ymd_and_hms(2025, 5, 1, 10, 0, 0).unwrap());
        let mut book = Book::open(path, clock.clone()).unwrap();
        let actor = Actor::new("test");
        let account = op::create_account(&mut book, &actor, AccountFields::named("Acme")).unwrap();
        op::create_invoice(
            &mut book,
            &actor,
            CreateInvoice {
                account_id: account.id,
                lines: Vec::new(),
                period: Some(counterfoil_engine::model::Period::new(2025, 5).expect("a month")),
            },
        )
        .unwrap();
        clock.set(chrono::Utc.with_ymd_and_hms(2025, 6, 10, 10, 0, 0).unwrap());
        book
    }

    fn days_due(shared: &Shared) -> usize {
        let slot = lock(&shared.book);
        let book = slot.as_ref().unwrap();
        counterfoil_engine::billing_days_due(book, book.now())
            .unwrap()
            .len()
    }

    #[test]
    fn the_window_can_cancel_the_billing_catch_up_between_days_and_resume_it() {
        let dir = tempfile::tempdir().unwrap();
        let desktop = Desktop::new(
            Some(book_behind(&dir.path().join("behind.book"))),
            None,
            no_viewer,
        );
        let shared = Arc::clone(&desktop.shared);
        let window = Window::start(desktop);
        let progress = |window: &Window| window.command("billing_progress", json!({})).unwrap();
        assert_eq!(progress(&window)["total"], 0, "nothing runs yet");
        // A cancel while nothing runs is not kept for the next catch-up.
        window.command("cancel_billing", json!({})).unwrap();

        let seen = Mutex::new(Vec::new());
        let every_day = std::time::Duration::ZERO;
        let outcome = billing::catch_up(
            &shared,
            &|step| {
                seen.lock().unwrap().push(step.done);
                if step.done == 3 {
                    window.command("cancel_billing", json!({})).unwrap();
                }
            },
            every_day,
        );
        assert_eq!(outcome, billing::Outcome::Paused);
        assert_eq!(
            *seen.lock().unwrap(),
            vec![0, 1, 2, 3, 3],
            "day by day, then paused"
        );
        assert_eq!(
            progress(&window),
            json!({"running": false, "done": 3, "total": 41, "day": "2025-05-03",
                   "paused": true, "error": null})
        );
        assert_eq!(days_due(&shared), 38, "the rest is postponed, not skipped");

        // Resumed: the rest, to the last day.
        let outcome = billing::catch_up(&shared, &|_| {}, every_day);
        assert!(
            matches!(outcome, billing::Outcome::UpToDate(_)),
            "{outcome:?}"
        );
        assert_eq!(
            progress(&window),
            json!({"running": false, "done": 38, "total": 38, "day": "2025-06-10",
                   "paused": false, "error": null})
        );
        assert_eq!(days_due(&shared), 0);
    }

    #[test]
    fn the_window_hears_of_days_billed_at_most_once_per_interval_but_always_of_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let desktop = Desktop::new(
            Some(book_behind(&dir.path().join("behind.book"))),
            None,
            no_viewer,
        );
        let seen = Mutex::new(Vec::new());
        let hour = std::time::Duration::from_secs(3600);
        let outcome = billing::catch_up(
            &desktop.shared,
            &|step| seen.lock().unwrap().push((step.done, step.running)),
            hour,
        );
        assert!(
            matches!(outcome, billing::Outcome::UpToDate(_)),
            "{outcome:?}"
        );
        assert_eq!(*seen.lock().unwrap(), vec![(0, true), (41, false)]);
        // What the window asks for is current even between reports.
        assert_eq!(lock(&desktop.shared.billing).done, 41);
    }

    // ---- sync ----------------------------------------------------------------------------

    /// `counterfoil serve` on 127.0.0.1 in this process: a server book with a sync token.
    struct Server {
        runtime: Option<tokio::runtime::Runtime>,
        path: PathBuf,
        address: std::net::SocketAddr,
        token: String,
    }

    impl Server {
        fn start(path: &Path) -> Server {
            let mut book = Book::open(path, Clock::from_fn(chrono::Utc::now)).unwrap();
            book.become_server(&Actor::new("serve")).unwrap();
            let made = dispatch(
                &mut book,
                &Actor::new("admin"),
                "create_access_token",
                json!({"name": "desk", "scopes": ["sync"], "permission": "rw"}),
            )
            .unwrap();
            let token = made["value"].as_str().unwrap().to_owned();
            drop(book);
            let mut server = Server {
                runtime: None,
                path: path.to_path_buf(),
                address: "127.0.0.1:0".parse().unwrap(),
                token,
            };
            server.resume();
            server
        }

        fn url(&self) -> String {
            format!("http://{}/", self.address)
        }

        /// Serves the book (again, on the same address).
        fn resume(&mut self) {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            let listener = runtime
                .block_on(tokio::net::TcpListener::bind(self.address))
                .unwrap();
            self.address = listener.local_addr().unwrap();
            let book = Book::open(&self.path, Clock::from_fn(chrono::Utc::now)).unwrap();
            let router = counterfoil_server::app(counterfoil_server::AppState::new(book, None));
            runtime.spawn(counterfoil_server::serve(listener, router));
            self.runtime = Some(runtime);
        }

        /// Stops answering: the address refuses connections.
        fn stop(&mut self) {
            if let Some(runtime) = self.runtime.take() {
                runtime.shutdown_timeout(std::time::Duration::from_secs(5));
            }
        }

        /// The server's book through a connection of its own (as a second process would).
        fn book(&self) -> Book {
            Book::open(&self.path, Clock::from_fn(chrono::Utc::now)).unwrap()
        }

        fn account_names(&self) -> Vec<String> {
            let book = self.book();
            op::list_accounts(&book, serde_json::from_value(json!({})).unwrap())
                .unwrap()
                .items
                .into_iter()
                .map(|account| account.fields.org_name)
                .collect()
        }
    }

    impl Drop for Server {
        fn drop(&mut self) {
            self.stop();
        }
    }

    /// The desktop on a fresh book beside `dir`, with its shared state for the background task.
    fn desktop_on_new_book(dir: &tempfile::TempDir) -> (Window, Arc<Shared>) {
        let book = Book::open(
            &dir.path().join("desk.book"),
            Clock::from_fn(chrono::Utc::now),
        )
        .unwrap();
        let desktop = Desktop::new(Some(book), None, no_viewer);
        let shared = Arc::clone(&desktop.shared);
        (Window::start(desktop), shared)
    }

    /// A row's id as the transports give it (a string).
    fn id_of(row: &Value) -> i64 {
        row["id"].as_str().unwrap().parse().unwrap()
    }

    fn link(window: &Window, server: &Server, replace: bool) -> Result<Value, Value> {
        window.command(
            "sync_link",
            json!({"link": {"server": server.url(), "token": server.token, "fingerprint": null,
                   "replace": replace}}),
        )
    }

    #[test]
    fn a_linked_desktop_sends_its_changes_waits_offline_and_lists_what_the_server_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut server = Server::start(&dir.path().join("server.book"));
        let (window, _) = desktop_on_new_book(&dir);
        assert_eq!(
            window.command("sync_status", json!({})).unwrap()["role"],
            "standalone"
        );

        let linked = link(&window, &server, false).unwrap();
        assert_eq!(
            linked["backup"],
            Value::Null,
            "an empty book needs no backup"
        );
        assert_eq!(linked["sync"]["role"], "linked");
        assert_eq!(linked["sync"]["server_url"], server.url());

        // Online: a change is applied here at once and reaches the server with a round.
        let account = window
            .call("create_account", json!({"org_name": "Acme"}))
            .unwrap();
        assert!(id_of(&account) < 0, "a provisional id");
        assert_eq!(
            window.command("sync_status", json!({})).unwrap()["waiting"],
            1
        );
        let synced = window.command("sync_now", json!({})).unwrap();
        assert_eq!(synced["waiting"], 0);
        assert_eq!(synced["problem"], Value::Null);
        assert!(synced["last_synced_at"].is_string());
        assert_eq!(server.account_names(), vec!["Acme"]);
        let acme = window.call("list_accounts", json!({})).unwrap()["items"][0].clone();
        assert!(id_of(&acme) > 0, "the server's id came back");

        // Offline: the change waits, and the round says why.
        server.stop();
        window
            .call("create_account", json!({"org_name": "Offline Ltd"}))
            .unwrap();
        let offline = window.command("sync_now", json!({})).unwrap();
        assert_eq!(offline["waiting"], 1);
        assert_eq!(offline["problem"]["kind"], "unreachable");
        assert!(offline["offline_since"].is_string());
        // Only the server issues invoices: refused here, saying so.
        let refused = window
            .call("transition_invoice", json!({"id": 1, "state": "pending"}))
            .unwrap_err();
        assert!(
            refused["message"]
                .as_str()
                .unwrap()
                .starts_with("Only the server can do this"),
            "{refused}"
        );

        // Back online: sent.
        server.resume();
        let back = window.command("sync_now", json!({})).unwrap();
        assert_eq!(back["waiting"], 0);
        assert_eq!(back["offline_since"], Value::Null);
        assert_eq!(back["problem"], Value::Null);
        assert_eq!(server.account_names(), vec!["Acme", "Offline Ltd"]);

        // Online, issuing is asked of the server: done there, under the server's id.
        let made = window
            .call(
                "create_invoice",
                json!({"account_id": acme["id"], "lines": [{"name": "Setup", "cost": "50.00"}]}),
            )
            .unwrap();
        let finalized = window
            .call(
                "transition_invoice",
                json!({"id": made["invoice"]["id"], "state": "finalized"}),
            )
            .unwrap();
        assert_eq!(finalized["invoice"]["state"], "finalized", "{finalized}");
        let real = finalized["invoice"]["id"].clone();
        assert!(id_of(&finalized["invoice"]) > 0, "the server's id: {real}");
        let here = window.call("get_invoice", json!({"id": real})).unwrap();
        assert_eq!(
            here["invoice"]["state"], "finalized",
            "the window sees it at once"
        );

        // Renamed on the server, then here from the old name: the server refuses this one.
        let id = acme["id"].clone();
        {
            let mut on_server = server.book();
            dispatch(
                &mut on_server,
                &Actor::new("someone"),
                "update_account",
                json!({"id": id, "org_name": "Acme (server)"}),
            )
            .unwrap();
        }
        window
            .call(
                "update_account",
                json!({"id": id, "org_name": "Acme (desk)"}),
            )
            .unwrap();
        let after = window.command("sync_now", json!({})).unwrap();
        let refused = &after["refused"];
        assert_eq!(refused.as_array().unwrap().len(), 1, "{after}");
        assert_eq!(refused[0]["operation"], "update_account");
        assert_eq!(refused[0]["code"], "conflict");
        assert_eq!(refused[0]["field"], "org_name");
        assert_eq!(refused[0]["input"]["org_name"], "Acme (desk)");
        assert_eq!(
            window.call("get_account", json!({"id": id})).unwrap()["org_name"],
            "Acme (server)",
            "the server's name is shown here"
        );

        // Redo (the same operation again) over the server's name, then dismiss.
        let op_id = refused[0]["op_id"].clone();
        window
            .call("update_account", refused[0]["input"].clone())
            .unwrap();
        window.command("sync_now", json!({})).unwrap();
        assert_eq!(server.account_names(), vec!["Acme (desk)", "Offline Ltd"]);
        let dismissed = window
            .command("sync_dismiss", json!({"op_id": op_id}))
            .unwrap();
        assert_eq!(dismissed["refused"], json!([]));

        // Unlinked: standalone again, with everything it holds.
        let unlinked = window.command("sync_unlink", json!({})).unwrap();
        assert_eq!(unlinked["role"], "standalone");
        assert_eq!(window.call("list_accounts", json!({})).unwrap()["total"], 2);
    }

    #[test]
    fn the_background_task_sends_a_change_and_retries_after_the_server_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut server = Server::start(&dir.path().join("server.book"));
        let (window, shared) = desktop_on_new_book(&dir);
        link(&window, &server, false).unwrap();
        let heard = Arc::new(Mutex::new(Vec::<sync::SyncView>::new()));
        let hearing = Arc::clone(&heard);
        shared.sync.set_report(Arc::new(move |view| {
            hearing.lock().unwrap().push(view.clone())
        }));
        tauri::async_runtime::spawn(sync::keep_in_sync(Arc::clone(&shared)));
        let waiting = |window: &Window| {
            window.command("sync_status", json!({})).unwrap()["waiting"]
                .as_i64()
                .unwrap()
        };
        let until = |what: &str, done: &dyn Fn() -> bool| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            while !done() {
                assert!(std::time::Instant::now() < deadline, "{what}");
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        };

        window
            .call("create_account", json!({"org_name": "Acme"}))
            .unwrap();
        until("the change sent after it was made", &|| {
            waiting(&window) == 0
        });
        assert_eq!(server.account_names(), vec!["Acme"]);
        assert!(
            heard
                .lock()
                .unwrap()
                .iter()
                .any(|view| view.status.waiting == 1),
            "the window heard of the change waiting"
        );

        server.stop();
        window
            .call("create_account", json!({"org_name": "Later"}))
            .unwrap();
        until("the round to fail", &|| {
            window.command("sync_status", json!({})).unwrap()["offline_since"].is_string()
        });
        assert_eq!(waiting(&window), 1);
        server.resume();
        // The first retry comes 5 s after the failure.
        until("the retry to send it", &|| waiting(&window) == 0);
        assert_eq!(server.account_names(), vec!["Acme", "Later"]);
        let last = heard.lock().unwrap().last().cloned().unwrap();
        assert_eq!(last.status.waiting, 0);
        assert_eq!(last.problem, None);
    }

    #[test]
    fn a_book_with_data_of_its_own_is_replaced_only_when_asked_and_kept_as_a_backup() {
        let dir = tempfile::tempdir().unwrap();
        let server = Server::start(&dir.path().join("server.book"));
        {
            let mut book = server.book();
            dispatch(
                &mut book,
                &Actor::new("admin"),
                "create_account",
                json!({"org_name": "On the server"}),
            )
            .unwrap();
        }
        let (window, _) = desktop_on_new_book(&dir);
        window
            .call("create_account", json!({"org_name": "Mine"}))
            .unwrap();

        let refused = link(&window, &server, false).unwrap_err();
        assert_eq!(refused["code"], "validation");
        assert_eq!(refused["field"], "replace");
        assert_eq!(
            window.command("sync_status", json!({})).unwrap()["role"],
            "standalone"
        );
        assert_eq!(
            window.call("list_accounts", json!({})).unwrap()["items"][0]["org_name"],
            "Mine",
            "nothing changed"
        );

        let linked = link(&window, &server, true).unwrap();
        let backup = PathBuf::from(linked["backup"].as_str().unwrap());
        let kept = Book::open(&backup, Clock::from_fn(chrono::Utc::now)).unwrap();
        assert_eq!(
            op::list_accounts(&kept, serde_json::from_value(json!({})).unwrap())
                .unwrap()
                .items[0]
                .fields
                .org_name,
            "Mine"
        );
        let accounts = window.call("list_accounts", json!({})).unwrap();
        assert_eq!(accounts["items"][0]["org_name"], "On the server");
        assert_eq!(accounts["total"], 1);

        let again = link(&window, &server, true).unwrap_err();
        assert!(
            again["message"]
                .as_str()
                .unwrap()
                .contains("already linked"),
            "{again}"
        );
    }

    #[test]
    fn a_person_links_a_desktop_by_signing_in_and_the_server_lists_its_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.book");
        {
            let mut book = Book::open(&path, Clock::from_fn(chrono::Utc::now)).unwrap();
            dispatch(
                &mut book,
                &Actor::new("admin"),
                "add_user",
                json!({"username": "ann", "password": "correct horse battery",
                       "scopes": ["account_management", "finance"], "permission": "rw"}),
            )
            .unwrap();
        }
        let server = Server::start(&path);
        let (window, _) = desktop_on_new_book(&dir);
        let sign_in = |password: &str| {
            window.command(
                "sync_link",
                json!({"link": {"server": server.url(), "token": "", "username": "ann",
                       "password": password, "replace": false}}),
            )
        };
        let wrong = sign_in("wrong").unwrap_err();
        assert_eq!(wrong["field"], "password", "{wrong}");
        assert!(
            wrong["message"]
                .as_str()
                .unwrap()
                .contains("Wrong username or password"),
            "{wrong}"
        );
        assert_eq!(
            window.command("sync_status", json!({})).unwrap()["role"],
            "standalone"
        );

        let linked = sign_in("correct horse battery").unwrap();
        assert_eq!(linked["sync"]["role"], "linked");
        let account = window
            .call("create_account", json!({"org_name": "Signed In Ltd"}))
            .unwrap();
        assert!(account["id"].as_str().unwrap().starts_with('-'));
        window.command("sync_now", json!({})).unwrap();
        let on_server = Book::open(&path, Clock::from_fn(chrono::Utc::now)).unwrap();
        let names: Vec<String> =
            op::list_accounts(&on_server, serde_json::from_value(json!({})).unwrap())
                .unwrap()
                .items
                .into_iter()
                .map(|a| a.fields.org_name)
                .collect();
        assert_eq!(names, vec!["Signed In Ltd".to_owned()]);
        let tokens = dispatch(
            &mut Book::open(&path, Clock::from_fn(chrono::Utc::now)).unwrap(),
            &Actor::new("admin"),
            "list_access_tokens",
            json!({}),
        )
        .unwrap();
        assert!(
            tokens.to_string().contains("Sync: ann on "),
            "the desktop's own token, revocable on the server: {tokens}"
        );
    }

    #[test]
    fn a_desktop_with_books_of_its_own_publishes_them_to_an_empty_server() {
        let dir = tempfile::tempdir().unwrap();
        let server = Server::start(&dir.path().join("server.book"));
        let (window, _) = desktop_on_new_book(&dir);
        window
            .call("create_account", json!({"org_name": "Kept Here"}))
            .unwrap();
        let publish = |replace: bool| {
            window.command(
                "sync_link",
                json!({"link": {"server": server.url(), "token": server.token, "fingerprint": null,
                       "replace": replace, "publish": true}}),
            )
        };
        let both = publish(true).unwrap_err();
        assert_eq!(both["field"], "publish", "{both}");

        let linked = publish(false).unwrap();
        assert_eq!(linked["sync"]["role"], "linked");
        assert_eq!(linked["backup"], Value::Null, "nothing was replaced");
        let accounts = window.call("list_accounts", json!({})).unwrap();
        assert_eq!(accounts["items"][0]["org_name"], "Kept Here");
        assert!(
            !accounts["items"][0]["id"]
                .as_str()
                .unwrap()
                .starts_with('-'),
            "the book's own rows are the server's now, with their ids"
        );
        let on_server = Book::open(&server.path, Clock::from_fn(chrono::Utc::now)).unwrap();
        let names: Vec<String> =
            op::list_accounts(&on_server, serde_json::from_value(json!({})).unwrap())
                .unwrap()
                .items
                .into_iter()
                .map(|a| a.fields.org_name)
                .collect();
        assert_eq!(names, vec!["Kept Here".to_owned()]);
        drop(on_server);

        // A second desktop with books of its own cannot publish over them.
        let other_dir = tempfile::tempdir().unwrap();
        let (other, _) = desktop_on_new_book(&other_dir);
        other
            .call("create_account", json!({"org_name": "Not Mine To Publish"}))
            .unwrap();
        let refused = other
            .command(
                "sync_link",
                json!({"link": {"server": server.url(), "token": server.token, "fingerprint": null,
                       "replace": false, "publish": true}}),
            )
            .unwrap_err();
        assert!(
            refused["message"]
                .as_str()
                .unwrap()
                .contains("already holds a book"),
            "{refused}"
        );
        assert_eq!(
            other.command("sync_status", json!({})).unwrap()["role"],
            "standalone"
        );
        let leftovers: Vec<_> = std::fs::read_dir(other_dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.contains("publish"))
            .collect();
        assert_eq!(leftovers, Vec::<String>::new(), "no copy left behind");
    }

    #[test]
    fn a_server_that_cannot_be_reached_or_refuses_the_token_leaves_the_book_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let mut server = Server::start(&dir.path().join("server.book"));
        let (window, _) = desktop_on_new_book(&dir);
        let wrong_token = window
            .command(
                "sync_link",
                json!({"link": {"server": server.url(), "token": "not-a-token", "replace": false}}),
            )
            .unwrap_err();
        assert_eq!(wrong_token["code"], "invalid_state");
        assert!(
            wrong_token["message"]
                .as_str()
                .unwrap()
                .starts_with("The server refused to link this desktop"),
            "{wrong_token}"
        );
        server.stop();
        let unreachable = link(&window, &server, false).unwrap_err();
        assert_eq!(unreachable["field"], "server", "{unreachable}");
        assert_eq!(
            window.command("sync_status", json!({})).unwrap()["role"],
            "standalone"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.contains("download"))
            .collect();
        assert_eq!(leftovers, Vec::<String>::new(), "no download left behind");
    }

    #[test]
    fn the_daily_billing_follows_the_book_that_is_opened() {
        let dir = tempfile::tempdir().unwrap();
        let desktop = Desktop::new(None, None, no_viewer);
        let shared = Arc::clone(&desktop.shared);
        tauri::async_runtime::spawn(billing::bill_daily(Arc::clone(&shared), Arc::new(|_| {})));
        let last_run = |shared: &Shared| {
            let slot = lock(&shared.book);
            let book = slot.as_ref().unwrap();
            op::dashboard(book, NoInput {}).unwrap().last_run
        };
        for name in ["first.book", "second.book"] {
            let book = book_behind(&dir.path().join(name));
            shared.switch(book);
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
            while last_run(&shared).is_none() {
                assert!(
                    std::time::Instant::now() < deadline,
                    "{name} was not billed after it was opened"
                );
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        }
    }
}
