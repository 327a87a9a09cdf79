//! Sync in the desktop (docs/sync.md): Settings → Sync links the open book to a server, and a
//! linked book syncs in the background. The engine does the work
//! (`counterfoil_engine::sync::desktop`), the server crate's HTTP transport talks to the server;
//! this decides when, keeps one round at a time and tells the window.
//!
//! When a round runs: when the app starts and when another book is opened; soon after each
//! change made here while the server is reachable; every minute; and, after a round that
//! failed, again after 5 s, doubling up to the minute, so that a server back online is noticed
//! soon without asking a server that is down every few seconds for hours.
//!
//! A round runs on a connection of its own to the book's file (as `counterfoil sync` beside a
//! running app would), not on the open book: a round can wait up to a minute on the network,
//! and the window's calls must not wait with it. The engine keeps the two apart (a change made
//! during a round is kept and sent by the next one).
//!
//! Linking replaces the open book's file by the server's copy (a book with data of its own only
//! when the person ticked "replace", and then kept beside it as a backup): the book is closed,
//! linked by the engine and opened again, with no call running meanwhile.

use crate::{lock, with_open_book, Desktop, Shared};
use counterfoil_engine::sync::desktop::{
    self, LinkSettings, RoundError, RoundReport, SyncStatus, TransportError,
};
use counterfoil_engine::sync::Role;
use counterfoil_engine::{
    dispatch_read, operation_sync_class, Actor, ApiError, Book, Clock, OperationGroup, SyncClass,
};
use counterfoil_server::sync_client::{computer_name, HttpTransport};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tauri::{Emitter, Runtime, State};
use tokio::sync::Notify;

/// The event the window listens to for [`SyncView`].
pub const STATUS_EVENT: &str = "sync-status";

/// How often a linked book syncs when nothing else asks for a round.
pub(crate) const EVERY: Duration = Duration::from_secs(60);

/// The first wait after a failed round; it doubles after each failure, up to [`EVERY`].
pub(crate) const FIRST_RETRY: Duration = Duration::from_secs(5);

/// Where sync stands, as the window shows it: the engine's status and what only the app knows.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SyncView {
    #[serde(flatten)]
    pub status: SyncStatus,
    /// A round is running now.
    pub syncing: bool,
    /// Why the last round failed; none after one that completed.
    pub problem: Option<SyncProblem>,
}

/// Why a round failed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SyncProblem {
    pub kind: ProblemKind,
    /// One sentence for the person.
    pub message: String,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// No answer (refused connection, time-out, cut): the changes wait; tried again on its own.
    Unreachable,
    /// The server answered no (the token, the app's version): the person must act.
    Refused,
    /// This copy could not be brought up to date (the engine's refusal).
    Book,
}

/// Tells the window each change of the sync status.
pub(crate) type Report = Arc<dyn Fn(&SyncView) + Send + Sync>;

/// What the commands, the calls and the background rounds share about sync.
#[derive(Default)]
pub(crate) struct SyncState {
    /// Held for a whole round, and while linking: one at a time.
    round: tokio::sync::Mutex<()>,
    /// A round is running now.
    running: AtomicBool,
    /// Why the last round failed.
    problem: Mutex<Option<SyncProblem>>,
    /// Asks the background task for a round now (a change was queued, a book opened).
    wake: Notify,
    /// Where the status goes (the window); none until the app is set up, and in tests.
    report: Mutex<Option<Report>>,
    /// When the last round ended (the background task's or "Sync now"'s): the minute counts
    /// from there.
    last_round: Mutex<Option<Instant>>,
}

impl SyncState {
    /// Where the status goes from now on.
    pub(crate) fn set_report(&self, report: Report) {
        *lock(&self.report) = Some(report);
    }

    /// Asks for a round as soon as the one running (if any) is over.
    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }

    fn view(&self, book: &Book) -> Result<SyncView, ApiError> {
        Ok(SyncView {
            status: desktop::status(book)?,
            syncing: self.running.load(Ordering::SeqCst),
            problem: lock(&self.problem).clone(),
        })
    }

    fn tell(&self, view: &SyncView) {
        let report = lock(&self.report).clone();
        if let Some(report) = report {
            report(view);
        }
    }
}

/// The [`Report`] that sends [`STATUS_EVENT`] to the app's windows.
pub(crate) fn to_windows<R: Runtime>(app: tauri::AppHandle<R>) -> Report {
    Arc::new(move |view| {
        if let Err(error) = app.emit(STATUS_EVENT, view) {
            tracing::warn!(%error, "could not tell the window the sync status");
        }
    })
}

/// Tells the window where sync stands on the open book now (nothing without a book).
fn tell_current(shared: &Shared) {
    let view = {
        let slot = lock(&shared.book);
        slot.as_ref().map(|book| shared.sync.view(book))
    };
    match view {
        Some(Ok(view)) => shared.sync.tell(&view),
        Some(Err(error)) => tracing::warn!(%error, "could not read the sync status"),
        None => {}
    }
}

/// After an operation the window ran on `book`: a change queued for the server is told to the
/// window ("1 change waiting") and, while the server is reachable, sent by a round at once.
pub(crate) fn after_call(shared: &Shared, book: &Book, operation: &str) {
    if book.sync_role() != Role::Linked
        || operation_sync_class(operation) != Some(SyncClass::Queued)
    {
        return;
    }
    match shared.sync.view(book) {
        Ok(view) => {
            let online = view.status.offline_since.is_none();
            shared.sync.tell(&view);
            if online {
                shared.sync.wake();
            }
        }
        Err(error) => tracing::warn!(%error, "could not read the sync status"),
    }
}

// ---- rounds --------------------------------------------------------------------------------

fn book_problem(error: &ApiError) -> SyncProblem {
    SyncProblem {
        kind: ProblemKind::Book,
        message: error.message.clone(),
    }
}

fn transport_problem(error: &TransportError) -> SyncProblem {
    match error {
        TransportError::Unreachable(why) => SyncProblem {
            kind: ProblemKind::Unreachable,
            message: format!(
                "The server could not be reached ({why}). Changes made here wait and are sent \
                 when it answers again."
            ),
        },
        TransportError::Refused(why) => SyncProblem {
            kind: ProblemKind::Refused,
            message: format!("The server refused to sync: {why}"),
        },
    }
}

/// Opens the book's file again for a round (never creates one: the file may have moved).
fn open_for_round(path: &Path) -> Result<Book, SyncProblem> {
    if !path.is_file() {
        return Err(SyncProblem {
            kind: ProblemKind::Book,
            message: format!("{} is not there any more.", path.display()),
        });
    }
    // The shells are the only place that reads the system clock.
    Book::open(path, Clock::from_fn(chrono::Utc::now)).map_err(|error| SyncProblem {
        kind: ProblemKind::Book,
        message: error.to_string(),
    })
}

/// One round on the open book, when it is linked: `Ok(None)` when it is not (or no book is
/// open). Waits for a round or a link in progress first.
pub(crate) async fn run_round(shared: &Arc<Shared>) -> Result<Option<RoundReport>, SyncProblem> {
    let _one_at_a_time = shared.sync.round.lock().await;
    let linked = {
        let slot = lock(&shared.book);
        match slot.as_ref() {
            None => None,
            Some(book) => desktop::link_settings(book)
                .map_err(|error| book_problem(&error))?
                .map(|link| (book.path().to_path_buf(), link)),
        }
    };
    let Some((path, link)) = linked else {
        return Ok(None);
    };
    shared.sync.running.store(true, Ordering::SeqCst);
    tell_current(shared);
    let result = tauri::async_runtime::spawn_blocking(move || {
        let mut transport = HttpTransport::new(&link).map_err(|e| transport_problem(&e))?;
        let mut book = open_for_round(&path)?;
        desktop::round(&mut book, &mut transport).map_err(|error| match error {
            RoundError::Transport(error) => transport_problem(&error),
            RoundError::Book(error) => book_problem(&error),
        })
    })
    .await
    .unwrap_or_else(|join_error| {
        Err(SyncProblem {
            kind: ProblemKind::Book,
            message: format!("The sync stopped unexpectedly: {join_error}"),
        })
    });
    shared.sync.running.store(false, Ordering::SeqCst);
    *lock(&shared.sync.last_round) = Some(Instant::now());
    let before = std::mem::replace(
        &mut *lock(&shared.sync.problem),
        result.as_ref().err().cloned(),
    );
    match &result {
        Ok(report) if report.pushed > 0 || report.rows > 0 => tracing::info!(
            sent = report.pushed,
            applied = report.applied,
            refused = report.refused,
            rows = report.rows,
            waiting = report.waiting,
            "synced"
        ),
        Ok(_) => tracing::debug!("synced: nothing new"),
        // Said once, not at every retry while the server is away.
        Err(problem) if before.as_ref() != Some(problem) => {
            tracing::warn!(problem = %problem.message, "the sync round failed");
        }
        Err(_) => {}
    }
    tell_current(shared);
    result.map(Some)
}

/// Whether `operation`, asked of the open book, is one a linked desktop asks of the server:
/// issuing and charging (people, tokens and the clock are managed on the server itself).
pub(crate) fn asked_of_the_server(book: &Book, operation: &str) -> bool {
    book.sync_role() == Role::Linked
        && operation_sync_class(operation) == Some(SyncClass::ServerOnly)
        && counterfoil_engine::operation_group(operation) == Some(OperationGroup::Finance)
        && operation != "advance_clock"
}

/// Runs such an operation on the server (`desktop::send_to_server`), on the round's own
/// connection and one round at a time, so the window's book is never held on the network.
pub(crate) async fn on_the_server(
    shared: &Arc<Shared>,
    operation: String,
    input: Value,
) -> Result<Value, ApiError> {
    let _one_at_a_time = shared.sync.round.lock().await;
    let (path, link) = {
        let slot = lock(&shared.book);
        let book = slot
            .as_ref()
            .ok_or_else(|| ApiError::invalid_state("No book is open."))?;
        let link = desktop::link_settings(book)?
            .ok_or_else(|| ApiError::invalid_state("This book is not linked to a server."))?;
        (book.path().to_path_buf(), link)
    };
    let answer = tauri::async_runtime::spawn_blocking(move || {
        let mut transport =
            HttpTransport::new(&link).map_err(|e| ApiError::invalid_state(e.to_string()))?;
        let mut book = open_for_round(&path).map_err(|p| ApiError::invalid_state(p.message))?;
        desktop::send_to_server(
            &mut book,
            &mut transport,
            &Actor::new("desktop"),
            &operation,
            input,
        )
    })
    .await
    .map_err(|join_error| ApiError::internal(&join_error))?;
    tell_current(shared);
    answer
}

/// Keeps the open book in sync while it is linked (see the module's comment for when). Runs
/// as long as the app.
pub(crate) async fn keep_in_sync(shared: Arc<Shared>) {
    let mut retry = FIRST_RETRY;
    loop {
        let wait = match run_round(&shared).await {
            Ok(None) => None,
            Ok(Some(_)) => {
                retry = FIRST_RETRY;
                Some(EVERY)
            }
            Err(_) => {
                let wait = retry;
                retry = (retry * 2).min(EVERY);
                Some(wait)
            }
        };
        match wait {
            Some(wait) => {
                // Counted from the last round, which may have been a "Sync now" meanwhile.
                loop {
                    let since = lock(&shared.sync.last_round).map_or(wait, |at| at.elapsed());
                    let Some(left) = wait.checked_sub(since).filter(|left| !left.is_zero()) else {
                        break;
                    };
                    tokio::select! {
                        () = tokio::time::sleep(left) => {}
                        () = shared.sync.wake.notified() => break,
                    }
                }
            }
            None => shared.sync.wake.notified().await,
        }
    }
}

// ---- linking -------------------------------------------------------------------------------

/// The link as the person typed it, checked: every field at fault at once.
pub(crate) fn link_settings(
    server: &str,
    sign_in: &SignInWith,
    fingerprint: Option<&str>,
    device_id: String,
) -> Result<LinkSettings, ApiError> {
    let server = server.trim();
    let token = match sign_in {
        SignInWith::Token(token) => token.trim(),
        SignInWith::Person { .. } => "",
    };
    let fingerprint = fingerprint.map(str::trim).filter(|f| !f.is_empty());
    let lower = server.to_ascii_lowercase();
    let https = lower.starts_with("https://");
    let mut errors = Vec::new();
    if server.is_empty() {
        errors.push(ApiError::validation(
            "server",
            "Enter the server's address, e.g. https://books.example.com:8443/.",
        ));
    } else if !https && !lower.starts_with("http://") {
        errors.push(ApiError::validation(
            "server",
            "The server's address starts with https:// (or http:// for a server on this \
             computer), e.g. https://books.example.com:8443/.",
        ));
    }
    match sign_in {
        SignInWith::Token(_) if token.is_empty() => errors.push(ApiError::validation(
            "token",
            "Paste the token made for this desktop on the server (counterfoil token create \
             --scopes sync), or sign in with your username and password there.",
        )),
        SignInWith::Person { password, .. } if password.is_empty() => errors.push(
            ApiError::validation("password", "Enter your password on the server."),
        ),
        _ => {}
    }
    match fingerprint {
        None if https => errors.push(ApiError::validation(
            "fingerprint",
            "An https server is recognised by its certificate's fingerprint: paste the one \
             counterfoil serve printed when it started.",
        )),
        Some(fingerprint)
            if counterfoil_server::tls::pinned_client_config(fingerprint).is_err() =>
        {
            errors.push(ApiError::validation(
                "fingerprint",
                "A fingerprint is 64 hexadecimal digits, in pairs separated by colons \
                 (AB:CD:…), as counterfoil serve prints it.",
            ));
        }
        _ => {}
    }
    if let Some(error) = ApiError::all(errors) {
        return Err(error);
    }
    // The sync paths are joined to the address: without a last slash its last part would be
    // replaced rather than kept.
    let server_url = if server.ends_with('/') {
        server.to_owned()
    } else {
        format!("{server}/")
    };
    Ok(LinkSettings {
        server_url,
        fingerprint: fingerprint.map(str::to_owned),
        token: token.to_owned(),
        device_id,
    })
}

/// How this desktop proves itself to the server when it links: a sync token made there, or
/// a person's username and password, for which the server makes this desktop's token.
#[derive(Debug, Clone)]
pub(crate) enum SignInWith {
    Token(String),
    Person { username: String, password: String },
}

impl SignInWith {
    fn from_form(token: String, username: Option<String>, password: Option<String>) -> SignInWith {
        match username.map(|name| name.trim().to_owned()) {
            Some(username) if !username.is_empty() => SignInWith::Person {
                username,
                password: password.unwrap_or_default(),
            },
            _ => SignInWith::Token(token),
        }
    }
}

/// Whether the book holds accounts, plans or invoices: such a book is replaced by the server's
/// copy only when the person says so. (The engine refuses it too; asking first spares the
/// download and says it in the desktop's words.)
fn has_own_data(book: &Book) -> Result<bool, ApiError> {
    let actor = Actor::new("desktop");
    for operation in ["list_accounts", "list_plans", "list_invoices"] {
        let page = dispatch_read(
            book,
            &actor,
            operation,
            serde_json::json!({ "per_page": 1 }),
        )?;
        if page["total"].as_i64().unwrap_or(0) > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Where the server's copy is downloaded: beside the book, so that putting it in place is one
/// rename on the same disk.
fn snapshot_path(book: &Path, device_id: &str) -> PathBuf {
    let name = book
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    book.with_file_name(format!(".{name}.sync-{device_id}.download"))
}

fn link_refusal(error: &TransportError) -> ApiError {
    match error {
        TransportError::Unreachable(why) => {
            ApiError::validation("server", format!("The server could not be reached: {why}."))
        }
        TransportError::Refused(why) => {
            ApiError::invalid_state(format!("The server refused to link this desktop: {why}"))
        }
    }
}

/// What linking answers.
#[derive(Debug, Clone, Serialize)]
pub struct Linked {
    /// Where the book that was replaced is kept; none when it had no data of its own.
    pub backup: Option<String>,
    pub sync: SyncView,
}

/// Asks the server for this desktop's token when a person signs in (only once the book may be
/// linked: signing in makes a token on the server).
async fn token_for(settings: &mut LinkSettings, sign_in: SignInWith) -> Result<(), ApiError> {
    let SignInWith::Person { username, password } = sign_in else {
        return Ok(());
    };
    let asking = settings.clone();
    let made = tauri::async_runtime::spawn_blocking(move || {
        HttpTransport::new(&asking)?.token_for_person(&username, &password, &computer_name())
    })
    .await
    .map_err(|join_error| ApiError::internal(&join_error))?;
    settings.token = match made {
        Ok(token) => token,
        Err(TransportError::Refused(why)) => {
            return Err(ApiError::validation(
                "password",
                format!("The server did not sign you in: {why}"),
            ))
        }
        Err(unreachable) => return Err(link_refusal(&unreachable)),
    };
    Ok(())
}

/// Where the book starts from when it links.
#[derive(Debug, Clone, Copy)]
pub(crate) enum StartFrom {
    /// The server's copy; a book with data of its own only with `replace` (it is then kept
    /// beside as a backup).
    ServersCopy { replace: bool },
    /// This book, published to an empty server, which takes it as its own.
    Publish,
}

/// Links the open book to a server (see [`StartFrom`]).
pub(crate) async fn link(
    desktop: &Desktop,
    settings: LinkSettings,
    sign_in: SignInWith,
    start: StartFrom,
) -> Result<Linked, ApiError> {
    // No other book is opened, and no round runs, until this is done.
    let _no_switch = desktop.switching.lock().await;
    let _no_round = desktop.shared.sync.round.lock().await;
    let backup = match start {
        StartFrom::ServersCopy { replace } => {
            from_servers_copy(desktop, settings, sign_in, replace).await?
        }
        StartFrom::Publish => {
            publish(desktop, settings, sign_in).await?;
            None
        }
    };
    let shared = &desktop.shared;
    if let Some(kept) = &backup {
        tracing::info!(backup = %kept.display(), "the book's own data was kept as a backup");
    }
    *lock(&shared.sync.problem) = None;
    // The daily billing looks again (a linked book is billed by the server), and the first
    // round runs once this is done.
    shared.switched.notify_one();
    shared.sync.wake();
    let sync = {
        let slot = lock(&shared.book);
        let book = slot.as_ref().ok_or_else(crate::no_book)?;
        shared.sync.view(book)?
    };
    tracing::info!(server = %sync.status.server_url.clone().unwrap_or_default(), "linked");
    shared.sync.tell(&sync);
    Ok(Linked {
        backup: backup.map(|kept| kept.display().to_string()),
        sync,
    })
}

/// The open book, which has data of its own, becomes an empty server's book and stays open
/// here, linked to it.
async fn publish(
    desktop: &Desktop,
    mut settings: LinkSettings,
    sign_in: SignInWith,
) -> Result<(), ApiError> {
    let device = settings.device_id.clone();
    let copy = with_open_book(desktop, move |book| {
        if book.sync_role() != Role::Standalone {
            return Err(ApiError::invalid_state(
                "Only a book of its own can be published; this one is already linked or served.",
            ));
        }
        let name = book
            .path()
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let copy = book
            .path()
            .with_file_name(format!(".{name}.sync-{device}.publish"));
        desktop::publish_copy(book, &copy).map_err(|error| {
            let _ = counterfoil_engine::files::remove(&copy);
            ApiError::validation("publish", error.message)
        })?;
        Ok(copy)
    })
    .await?;
    let sent = async {
        token_for(&mut settings, sign_in).await?;
        let sending = (settings.clone(), copy.clone());
        tauri::async_runtime::spawn_blocking(move || {
            HttpTransport::new(&sending.0)?.publish(&sending.1)
        })
        .await
        .map_err(|join_error| ApiError::internal(&join_error))?
        .map_err(|error| link_refusal(&error))
    }
    .await;
    let _ = counterfoil_engine::files::remove(&copy);
    let cursor = sent?;
    with_open_book(desktop, move |book| {
        desktop::linked_after_publish(book, &settings, cursor)
    })
    .await?;
    tracing::info!("published this book to an empty server");
    Ok(())
}

/// The open book is replaced by the server's copy (kept aside when it has data of its own
/// and `replace` says so); where it was kept.
async fn from_servers_copy(
    desktop: &Desktop,
    mut settings: LinkSettings,
    sign_in: SignInWith,
    replace: bool,
) -> Result<Option<PathBuf>, ApiError> {
    let shared = Arc::clone(&desktop.shared);
    let path = with_open_book(desktop, move |book| {
        if book.sync_role() == Role::Linked {
            return Err(ApiError::invalid_state(
                "This book is already linked to a server. Unlink it first to link it to \
                 another.",
            ));
        }
        if !replace && has_own_data(book)? {
            return Err(ApiError::validation(
                "replace",
                "This book has accounts, plans or invoices of its own, and two books are never \
                 merged. Tick “Replace this book” to replace it by the server's copy (this one \
                 is then kept as a backup file beside it), tick “Publish this book” to make it \
                 the book of a server that has none yet, or link a new empty book (File → New \
                 book…).",
            ));
        }
        Ok(book.path().to_path_buf())
    })
    .await?;

    token_for(&mut settings, sign_in).await?;
    let snapshot = snapshot_path(&path, &settings.device_id);
    let download = {
        let settings = settings.clone();
        let snapshot = snapshot.clone();
        tauri::async_runtime::spawn_blocking(move || {
            HttpTransport::new(&settings)?.snapshot(&snapshot)
        })
        .await
        .map_err(|join_error| ApiError::internal(&join_error))?
    };
    if let Err(error) = download {
        let _ = counterfoil_engine::files::remove(&snapshot);
        return Err(link_refusal(&error));
    }

    let swapped = Arc::clone(&shared);
    let backup = tauri::async_runtime::spawn_blocking(move || {
        let mut slot = lock(&swapped.book);
        // Closed before the engine replaces its file; every call waits for the slot meanwhile.
        drop(slot.take());
        let linked = desktop::link_from_snapshot(
            &path,
            &snapshot,
            &settings,
            replace,
            Clock::from_fn(chrono::Utc::now),
        );
        if linked.is_err() {
            let _ = counterfoil_engine::files::remove(&snapshot);
        }
        match open_for_round(&path) {
            Ok(book) => *slot = Some(book),
            Err(problem) => {
                // Nothing to open at the book's place: the window shows the welcome screen
                // with the reason.
                tracing::error!(problem = %problem.message, "the book could not be opened again");
                *lock(&swapped.path) = None;
                *lock(&swapped.problem) = Some(problem.message);
            }
        }
        linked
    })
    .await
    .map_err(|join_error| ApiError::internal(&join_error))??;
    Ok(backup)
}

// ---- commands ------------------------------------------------------------------------------

/// Where sync stands on the open book (`role` is `standalone` for a book that is not linked).
#[tauri::command]
pub async fn sync_status(desktop: State<'_, Desktop>) -> Result<SyncView, ApiError> {
    let shared = Arc::clone(&desktop.shared);
    with_open_book(&desktop, move |book| shared.sync.view(book)).await
}

/// What the link form sends (`sync_link`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct LinkRequest {
    pub server: String,
    /// A sync token made on the server; empty when a person signs in instead.
    #[serde(default)]
    pub token: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// For https: the server's certificate fingerprint, pinned.
    pub fingerprint: Option<String>,
    /// A book with data of its own is replaced by the server's copy (kept as a backup).
    #[serde(default)]
    pub replace: bool,
    /// A book with data of its own becomes the book of an empty server.
    #[serde(default)]
    pub publish: bool,
}

/// Links the open book to the server at `server` with `token`, or by signing in as
/// `username` with `password` (and, for https, the pinned certificate `fingerprint`); a book
/// with data of its own only with `replace` (the server's copy replaces it) or `publish` (it
/// becomes an empty server's book).
#[tauri::command]
pub async fn sync_link(desktop: State<'_, Desktop>, link: LinkRequest) -> Result<Linked, ApiError> {
    let LinkRequest {
        server,
        token,
        username,
        password,
        fingerprint,
        replace,
        publish,
    } = link;
    let device = desktop::new_device_id()?;
    let sign_in = SignInWith::from_form(token, username, password);
    let settings = link_settings(&server, &sign_in, fingerprint.as_deref(), device);
    let start = match (publish, replace) {
        (false, replace) => Ok(StartFrom::ServersCopy { replace }),
        (true, false) => Ok(StartFrom::Publish),
        (true, true) => Err(ApiError::validation(
            "publish",
            "Either replace this book by the server's copy or publish it to the server, not both.",
        )),
    };
    // Every bad field at once.
    let (settings, start) = match (settings, start) {
        (Ok(settings), Ok(start)) => (settings, start),
        (settings, start) => {
            let errors = [settings.err(), start.err()]
                .into_iter()
                .flatten()
                .collect();
            return Err(ApiError::all(errors)
                .unwrap_or_else(|| ApiError::validation("server", "The link could not be read.")));
        }
    };
    self::link(&desktop, settings, sign_in, start).await
}

/// Makes the open book standalone again: it keeps everything it holds and bills itself.
#[tauri::command]
pub async fn sync_unlink(desktop: State<'_, Desktop>) -> Result<SyncView, ApiError> {
    let shared = Arc::clone(&desktop.shared);
    let _no_round = shared.sync.round.lock().await;
    let viewing = Arc::clone(&shared);
    let view = with_open_book(&desktop, move |book| {
        desktop::unlink(book, &Actor::new("desktop"))?;
        *lock(&viewing.sync.problem) = None;
        viewing.sync.view(book)
    })
    .await?;
    tracing::info!("unlinked: the book is standalone again");
    // A standalone book bills itself: the daily billing looks again.
    shared.switched.notify_one();
    shared.sync.tell(&view);
    Ok(view)
}

/// One round now ("Sync now"); where sync stands after it (its problem, if it failed).
#[tauri::command]
pub async fn sync_now(desktop: State<'_, Desktop>) -> Result<SyncView, ApiError> {
    let shared = Arc::clone(&desktop.shared);
    if run_round(&shared)
        .await
        .is_ok_and(|linked| linked.is_none())
    {
        return Err(ApiError::invalid_state(
            "This book is not linked to a server: link it in Settings → Sync first.",
        ));
    }
    sync_status(desktop).await
}

/// Forgets a change the server did not apply (the person has seen it, or made it again).
#[tauri::command(rename_all = "snake_case")]
pub async fn sync_dismiss(
    desktop: State<'_, Desktop>,
    op_id: String,
) -> Result<SyncView, ApiError> {
    let shared = Arc::clone(&desktop.shared);
    let view = with_open_book(&desktop, move |book| {
        desktop::dismiss(book, &op_id)?;
        shared.sync.view(book)
    })
    .await?;
    desktop.shared.sync.tell(&view);
    Ok(view)
}

/// The server's id for a record made here under the provisional `id`, once synced (a screen
/// left open on it goes there); none before, or for any other id.
#[tauri::command]
pub async fn sync_server_id(
    desktop: State<'_, Desktop>,
    id: String,
) -> Result<Option<String>, ApiError> {
    let Ok(provisional) = id.trim().parse::<i64>() else {
        return Ok(None);
    };
    with_open_book(&desktop, move |book| {
        Ok(desktop::server_id(book, provisional)?.map(|found| found.to_string()))
    })
    .await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

    use super::*;

    fn fields(result: Result<LinkSettings, ApiError>) -> Vec<String> {
        match result {
            Ok(_) => Vec::new(),
            Err(error) => error
                .field_errors()
                .into_iter()
                .map(|bad| bad.field)
                .collect(),
        }
    }

    const FINGERPRINT: &str = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:\
                               AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

    #[test]
    fn the_link_is_checked_field_by_field_before_anything_is_asked_of_the_server() {
        let device = || "d1".to_owned();
        // (server, token, fingerprint) -> the fields refused
        let cases: &[(&str, &str, Option<&str>, &[&str])] = &[
            ("http://127.0.0.1:8080/", "t", None, &[]),
            (
                "https://books.example.com:8443",
                "t",
                Some(FINGERPRINT),
                &[],
            ),
            ("", "", None, &["server", "token"]),
            ("books.example.com", "t", None, &["server"]),
            ("ftp://books.example.com/", "t", None, &["server"]),
            ("https://books.example.com/", "t", None, &["fingerprint"]),
            (
                "https://books.example.com/",
                "t",
                Some("AB:CD"),
                &["fingerprint"],
            ),
            (
                "https://books.example.com/",
                " ",
                Some("  "),
                &["token", "fingerprint"],
            ),
        ];
        for (server, token, fingerprint, refused) in cases {
            assert_eq!(
                fields(link_settings(
                    server,
                    &SignInWith::Token((*token).to_owned()),
                    *fingerprint,
                    device()
                )),
                refused.iter().map(|f| (*f).to_owned()).collect::<Vec<_>>(),
                "{server:?} {token:?} {fingerprint:?}"
            );
        }
        let settings = link_settings(
            " http://127.0.0.1:8080/books ",
            &SignInWith::Token(" tok ".into()),
            Some(""),
            device(),
        )
        .unwrap();
        assert_eq!(settings.server_url, "http://127.0.0.1:8080/books/");
        assert_eq!(settings.token, "tok");
        assert_eq!(settings.fingerprint, None);
        assert_eq!(settings.device_id, "d1");
        // Signing in instead of a token: the password is needed, the token field is not.
        let person = |password: &str| {
            SignInWith::from_form(String::new(), Some(" ann ".into()), Some(password.into()))
        };
        assert_eq!(
            fields(link_settings(
                "http://127.0.0.1:8080/",
                &person(""),
                None,
                device()
            )),
            vec!["password".to_owned()]
        );
        let signed_in =
            link_settings("http://127.0.0.1:8080/", &person("secret"), None, device()).unwrap();
        assert_eq!(
            signed_in.token, "",
            "the server makes the token once signed in"
        );
    }

    #[test]
    fn a_failed_round_says_whether_the_changes_just_wait_or_the_person_must_act() {
        let waiting = transport_problem(&TransportError::Unreachable("connection refused".into()));
        assert_eq!(waiting.kind, ProblemKind::Unreachable);
        assert!(waiting.message.contains("wait"), "{}", waiting.message);
        let refused = transport_problem(&TransportError::Refused("This token is unknown.".into()));
        assert_eq!(refused.kind, ProblemKind::Refused);
        assert_eq!(
            refused.message,
            "The server refused to sync: This token is unknown."
        );
    }
}
