//! The HTTP shell: the UI's operations as `POST /rpc/<operation>`, the 3scale-compatible
//! Account Management and Billing APIs under `/admin/api` and `/api` (see [`api`]), its
//! OpenAPI document at `/api/openapi.json`, the built UI at `/`, and signing in at `/session`
//! when the UI is served beyond loopback (see [`session`]).
//!
//! [`app`] builds the router apart from any socket so tests can drive it directly; [`serve`]
//! binds it and shuts down gracefully on Ctrl-C or SIGTERM, finishing in-flight requests.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use counterfoil_engine::{dispatch, Actor, ApiError, Book, CatchUp, ErrorCode};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

pub mod api;
mod endpoint;
pub mod guard;
pub mod orb;
pub mod session;
mod sync;
pub mod sync_client;
pub mod tls;

/// Largest request body accepted (the UI's inputs are small; imports come in a later issue).
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The same policy as the desktop window's CSP (tauri.conf.json), for the browser.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; \
    connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; \
    frame-ancestors 'none'";

/// How many extra connections serve read operations side by side (the machine's cores);
/// writes stay serialized on the one writer.
const READERS: usize = 2;

#[derive(Clone)]
pub struct AppState {
    book: Arc<Mutex<Book>>,
    /// The same book opened again, for reads only: WAL lets them read while the writer
    /// writes, each seeing the last commit.
    readers: Arc<Vec<Mutex<Book>>>,
    ui_dir: Option<PathBuf>,
    sign_in_required: bool,
    /// Served over TLS by this process (`serve_tls`): session cookies are `Secure`.
    tls: bool,
    sessions: Arc<session::Sessions>,
}

impl AppState {
    /// `ui_dir` is the built UI (ui/dist); without it only /rpc is served. Nobody needs to
    /// sign in (a loopback server): see [`AppState::require_sign_in`].
    pub fn new(book: Book, ui_dir: Option<PathBuf>) -> AppState {
        let readers = (0..READERS)
            .map_while(|_| match Book::open(book.path(), book.clock().clone()) {
                Ok(reader) => Some(Mutex::new(reader)),
                Err(error) => {
                    tracing::warn!(%error, "reads will share the writer's connection");
                    None
                }
            })
            .collect();
        AppState {
            book: Arc::new(Mutex::new(book)),
            readers: Arc::new(readers),
            ui_dir,
            sign_in_required: false,
            tls: false,
            sessions: Arc::default(),
        }
    }

    /// Runs read-only `work` on a free reader (or waits for one), off the async threads.
    pub(crate) async fn with_reader<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Book) -> T + Send + 'static,
    ) -> Result<T, tokio::task::JoinError> {
        if self.readers.is_empty() {
            return self.with_book(move |book| work(book)).await;
        }
        let readers = Arc::clone(&self.readers);
        tokio::task::spawn_blocking(move || {
            let free = readers.iter().find_map(|reader| reader.try_lock().ok());
            let reader = match free {
                Some(reader) => reader,
                None => readers[0].lock().unwrap_or_else(PoisonError::into_inner),
            };
            work(&reader)
        })
        .await
    }

    /// Whether `/rpc/*` and the UI need a signed-in user: on for any address but loopback
    /// (the CLI decides), and for tests that exercise sign-in on 127.0.0.1.
    pub fn require_sign_in(mut self, required: bool) -> AppState {
        self.sign_in_required = required;
        self
    }

    pub fn sign_in_required(&self) -> bool {
        self.sign_in_required
    }

    /// Whether this process terminates TLS itself (see [`tls`]).
    pub fn served_over_tls(mut self, tls: bool) -> AppState {
        self.tls = tls;
        self
    }

    /// Runs `work` on the book on a blocking thread; one caller at a time.
    pub(crate) async fn with_book<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Book) -> T + Send + 'static,
    ) -> Result<T, tokio::task::JoinError> {
        let book = Arc::clone(&self.book);
        tokio::task::spawn_blocking(move || {
            let mut book = book.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut book)
        })
        .await
    }
}

pub fn app(state: AppState) -> Router {
    let mut router = Router::new()
        .route("/rpc/{operation}", post(rpc))
        // Anything else under /rpc is no operation (never the UI's page).
        .route("/rpc", any(no_operation))
        .route("/rpc/", any(no_operation))
        .route("/rpc/{operation}/{*rest}", any(no_operation))
        .route(
            "/session",
            get(session::current)
                .post(session::sign_in)
                .delete(session::sign_out),
        )
        .route(session::SCRIPT_PATH, get(session::script))
        .merge(api::router())
        .merge(orb::router())
        .merge(sync::router())
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // A request still running after this long is answered 408 (and made JSON below);
        // the engine work it started finishes or rolls back on its own thread.
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ));
    if let Some(dir) = &state.ui_dir {
        let index = dir.join("index.html");
        router = router.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)));
    }
    router
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::gate,
        ))
        // Outside the routes and the UI's files, so that every refusal of ours is JSON.
        .layer(axum::middleware::from_fn(json_errors))
        .layer(axum::middleware::from_fn(guard::uri_too_long))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // Pages never tell other sites where the user came from (a URL may hold an id).
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        // Answers about the book (accounts, invoices, tokens) are never kept by a browser or a
        // proxy; the UI's files may be.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            |response: &Response| is_json(response).then(|| HeaderValue::from_static("no-store")),
        ))
        .with_state(state)
}

/// How long a request may take before it is answered 408.
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Every error answer of the API, /rpc and /session is a JSON object: refusals made by layers
/// (a body over the limit, a timeout, a malformed path) come as plain text or empty, and are
/// rewritten here to `{"error": "<reason>"}` with their status.
async fn json_errors(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = request.uri().path();
    let ours = ["/api/", "/admin/api/", "/rpc/", "/session", "/sync/"]
        .iter()
        .any(|prefix| path.starts_with(prefix));
    let response = next.run(request).await;
    let status = response.status();
    if !ours || !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    let reason = status.canonical_reason().unwrap_or("Request refused");
    let mut json = (status, Json(serde_json::json!({ "error": reason }))).into_response();
    // Keep what the refusal said besides its body (Allow, Retry-After...).
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            json.headers_mut().insert(name.clone(), value.clone());
        }
    }
    json
}

/// Calls one engine operation. Only `application/json` bodies are accepted: a browser cannot
/// send those cross-site without a CORS preflight, which this server never grants. When
/// sign-in is required, the caller's session must allow the operation (see [`session`]).
async fn rpc(
    State(state): State<AppState>,
    Path(operation): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // Beyond loopback, only a signed-in user gets further, with the rights the book gives
    // them now.
    let user = if state.sign_in_required {
        match state.signed_in_now(&headers).await {
            Ok(Some(user)) => Some(user),
            Ok(None) => return session::not_signed_in(),
            Err(error) => return error_response(error),
        }
    } else {
        None
    };
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !is_json {
        let error = ApiError::validation(
            "content-type",
            "Send the operation's input as JSON with Content-Type: application/json.",
        );
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, Json(error)).into_response();
    }
    let input = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        match api::call::exact_json(&body) {
            Ok(input) => input,
            Err(e) => {
                let error = ApiError::validation(
                    "body",
                    format!("The request body is not valid JSON: {e}."),
                );
                return error_response(error);
            }
        }
    };
    let actor = match &user {
        Some(user) => {
            if let Err(refusal) = session::may_call(user, &operation, &input) {
                tracing::info!(username = %user.username, %operation, "refused: scope or permission");
                return refusal.into_response();
            }
            Actor::new(format!("user {}", user.username))
        }
        None => Actor::new("http"),
    };
    let result = if counterfoil_engine::is_read_operation(&operation) {
        state
            .with_reader(move |book| {
                counterfoil_engine::dispatch_read(book, &actor, &operation, input)
            })
            .await
    } else {
        state
            .with_book(move |book| dispatch(book, &actor, &operation, input))
            .await
    };
    match result {
        Ok(Ok(output)) => (StatusCode::OK, Json(output)).into_response(),
        Ok(Err(error)) => error_response(error),
        Err(join_error) => error_response(ApiError::internal(&join_error)),
    }
}

pub(crate) fn error_response(error: ApiError) -> Response {
    let status = match error.code {
        ErrorCode::Validation => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Conflict | ErrorCode::InvalidState => StatusCode::CONFLICT,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
    };
    (status, Json(error)).into_response()
}

/// Bills every day not yet billed now, then again at every 08:00 UTC while the server runs.
/// The book is taken one day at a time, so requests are answered during a long catch-up.
pub async fn bill_daily(state: AppState) {
    let mut billed = 0;
    loop {
        let book = Arc::clone(&state.book);
        let step = tokio::task::spawn_blocking(move || {
            let mut book = book.lock().unwrap_or_else(PoisonError::into_inner);
            match counterfoil_engine::catch_up_step(&mut book, &Actor::new("daily billing")) {
                CatchUp::Billed(_) => None,
                CatchUp::WaitUntil(next) => Some((next - book.now()).to_std().unwrap_or_default()),
            }
        })
        .await;
        match step {
            Ok(None) => billed += 1,
            Ok(Some(wait)) => {
                if billed > 0 {
                    tracing::info!(days = billed, "billed");
                    billed = 0;
                }
                tokio::time::sleep(wait.max(std::time::Duration::from_secs(1))).await;
            }
            Err(error) => {
                tracing::error!(%error, "the daily billing task failed");
                return;
            }
        }
    }
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Answers a path under /rpc that names no operation.
async fn no_operation() -> Response {
    error_response(ApiError::not_found(
        "There is no operation here: call POST /rpc/<operation> with a JSON body.",
    ))
}

/// Serves `router` on `listener` until Ctrl-C or SIGTERM, then lets in-flight requests finish.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    axum::serve(guard::GuardedListener(listener), router)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

/// [`serve`] over TLS, presenting `identity`.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    identity: &tls::TlsIdentity,
    router: Router,
) -> std::io::Result<()> {
    axum::serve(tls::TlsListener::new(listener, identity)?, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
