//! Who may use the UI over HTTP (docs/access.md). On a loopback address nobody signs in: the
//! desktop and a local browser keep working as before. Anywhere else (or with sign-in forced
//! on) `/rpc/*` and the UI need a user signed in with `POST /session`, who then calls the
//! operations their scopes and permission allow, by the same rules as tokens.
//!
//! Sessions live in memory: a random 32-byte id in an HttpOnly, SameSite=Strict cookie, ended
//! by `DELETE /session`, by 12 hours without a request, or by a restart.

use crate::{error_response, AppState};
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use counterfoil_engine::model::{Permission, Scope, User};
use counterfoil_engine::{is_read_operation, operation_group, ApiError, OperationGroup};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The cookie that carries the session id.
pub const COOKIE_NAME: &str = "counterfoil_session";

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(12 * 60 * 60);

/// The same answer for an unknown username and a wrong password.
const WRONG_CREDENTIALS: &str = "Wrong username or password.";

/// The signed-in user as a session keeps them (a snapshot taken at sign-in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignedIn {
    pub username: String,
    pub scopes: Vec<Scope>,
    pub permission: Permission,
}

impl From<User> for SignedIn {
    fn from(user: User) -> SignedIn {
        SignedIn {
            username: user.username,
            scopes: user.scopes,
            permission: user.permission,
        }
    }
}

struct Session {
    user: SignedIn,
    last_seen: Instant,
}

/// Every open session, by id.
#[derive(Default)]
pub(crate) struct Sessions(Mutex<HashMap<String, Session>>);

impl Sessions {
    /// Opens a session for `user` and returns its id; drops sessions that have expired.
    pub(crate) fn open(&self, user: SignedIn, now: Instant) -> Result<String, ApiError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|error| ApiError::internal(&error))?;
        let id = hex::encode(bytes);
        let mut sessions = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        sessions.retain(|_, session| !expired(session, now));
        sessions.insert(
            id.clone(),
            Session {
                user,
                last_seen: now,
            },
        );
        Ok(id)
    }

    /// The user of session `id`, unless it is unknown or idle too long; a hit keeps it alive.
    pub(crate) fn current(&self, id: &str, now: Instant) -> Option<SignedIn> {
        let mut sessions = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let session = sessions.get_mut(id)?;
        if expired(session, now) {
            sessions.remove(id);
            return None;
        }
        session.last_seen = now;
        Some(session.user.clone())
    }

    pub(crate) fn close(&self, id: &str) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id);
    }
}

fn expired(session: &Session, now: Instant) -> bool {
    now.saturating_duration_since(session.last_seen) >= IDLE_TIMEOUT
}

/// The session id the request's cookies carry.
fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

impl AppState {
    /// The user signed in with this request's cookie, if any.
    pub(crate) fn signed_in(&self, headers: &HeaderMap) -> Option<SignedIn> {
        let id = session_id(headers)?;
        self.sessions.current(&id, Instant::now())
    }
}

/// A 401 or 403, its body an engine error (`code`, `message`, `field`).
#[derive(Debug)]
pub(crate) struct Refusal {
    status: StatusCode,
    error: ApiError,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.status, Json(self.error)).into_response()
    }
}

/// 401 (`unauthorized`) about `field`.
fn unauthorized(field: &str, message: impl Into<String>) -> Refusal {
    Refusal {
        status: StatusCode::UNAUTHORIZED,
        error: ApiError::unauthorized(message).about(field),
    }
}

/// 403 (`forbidden`) about `field`.
fn forbidden(field: &str, message: impl Into<String>) -> Refusal {
    Refusal {
        status: StatusCode::FORBIDDEN,
        error: ApiError::forbidden(message).about(field),
    }
}

/// 401: nobody (or nobody any more) is signed in.
pub(crate) fn not_signed_in() -> Response {
    unauthorized(
        "session",
        "Sign in to use Counterfoil: reload the page to see the sign-in form.",
    )
    .into_response()
}

/// Whether `user` may call `operation` with `input`: its scope group, `rw` for anything but
/// a read, and no token with a scope the user lacks. `Err` is the 403 to answer. An unknown
/// operation passes, for the engine to answer 404.
pub(crate) fn may_call(user: &SignedIn, operation: &str, input: &Value) -> Result<(), Refusal> {
    let Some(group) = operation_group(operation) else {
        return Ok(());
    };
    if !group.allows(&user.scopes) {
        let scope = match group {
            OperationGroup::Finance => "finance",
            OperationGroup::AccountManagement | OperationGroup::Any => "account_management",
        };
        return Err(forbidden(
            "operation",
            format!("{operation} needs the {scope} scope, which your user does not have."),
        ));
    }
    if !is_read_operation(operation) && user.permission != Permission::Rw {
        return Err(forbidden(
            "operation",
            format!("Your user may only read, and {operation} changes the book."),
        ));
    }
    if operation == "create_access_token" {
        let asked: Vec<Scope> = input
            .get("scopes")
            .and_then(|scopes| serde_json::from_value(scopes.clone()).ok())
            .unwrap_or_default();
        if asked.iter().any(|scope| !user.scopes.contains(scope)) {
            return Err(forbidden(
                "scopes",
                "A token cannot have a scope your user does not have.",
            ));
        }
    }
    Ok(())
}

/// `GET /session`: who is signed in; else 401, or 204 on a server where nobody needs to sign
/// in (the UI asks on every load, and a browser logs each 401 as an error).
pub(crate) async fn current(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match state.signed_in(&headers) {
        Some(user) => (StatusCode::OK, Json(user)).into_response(),
        None if !state.sign_in_required => StatusCode::NO_CONTENT.into_response(),
        None => unauthorized("session", "Nobody is signed in.").into_response(),
    }
}

#[derive(serde::Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

/// `POST /session` with `{"username", "password"}` as JSON: signs in and sets the cookie.
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !is_json {
        let error = ApiError::validation(
            "content-type",
            "Send the username and password as JSON with Content-Type: application/json.",
        );
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, Json(error)).into_response();
    }
    let credentials: Credentials = match serde_json::from_slice::<Value>(&body) {
        Ok(value) => {
            for field in ["username", "password"] {
                if !value.get(field).is_some_and(Value::is_string) {
                    return error_response(ApiError::validation(
                        field,
                        format!("{field} is required."),
                    ));
                }
            }
            match serde_json::from_value(value) {
                Ok(credentials) => credentials,
                Err(error) => return error_response(ApiError::internal(&error)),
            }
        }
        Err(e) => {
            return error_response(ApiError::validation(
                "body",
                format!("The request body is not valid JSON: {e}."),
            ))
        }
    };
    let username = credentials.username.clone();
    let check = state
        .with_book(move |book| counterfoil_engine::password_check(book, &credentials.username))
        .await;
    let check = match check {
        Ok(Ok(check)) => check,
        Ok(Err(error)) => return error_response(error),
        Err(join) => return error_response(ApiError::internal(&join)),
    };
    // The slow hash is checked with the book free for other requests.
    let password = credentials.password;
    let user = match tokio::task::spawn_blocking(move || check.verify(&password)).await {
        Ok(user) => user,
        Err(join) => return error_response(ApiError::internal(&join)),
    };
    let Some(user) = user else {
        tracing::warn!(%username, "sign-in refused");
        return unauthorized("password", WRONG_CREDENTIALS).into_response();
    };
    let user = SignedIn::from(user);
    let id = match state.sessions.open(user.clone(), Instant::now()) {
        Ok(id) => id,
        Err(error) => return error_response(error),
    };
    tracing::info!(username = %user.username, "signed in");
    let mut cookie = format!("{COOKIE_NAME}={id}; Path=/; HttpOnly; SameSite=Strict");
    if state.tls || behind_https(&headers) {
        cookie.push_str("; Secure");
    }
    let mut response = (StatusCode::OK, Json(user)).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// `DELETE /session`: signs out (and clears the cookie) whether or not anyone was signed in.
pub(crate) async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(id) = session_id(&headers) {
        state.sessions.close(&id);
    }
    let mut response = (StatusCode::OK, Json(json!({}))).into_response();
    let cookie = format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// A TLS-terminating proxy in front says so; the cookie then never travels in clear text.
fn behind_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

/// Paths that answer for themselves: /rpc checks the session per operation, the 3scale APIs
/// take tokens, and signing in must be reachable without a session.
fn answers_for_itself(path: &str) -> bool {
    path.starts_with("/rpc/")
        || path.starts_with("/api/")
        || path.starts_with("/admin/api/")
        || path == "/session"
        || path == SCRIPT_PATH
}

/// Keeps the UI behind sign-in when sign-in is required: a page request without a session
/// gets the sign-in form instead, anything else a 401.
pub(crate) async fn gate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !state.sign_in_required
        || answers_for_itself(request.uri().path())
        || state.signed_in(request.headers()).is_some()
    {
        return next.run(request).await;
    }
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        let mut response = (StatusCode::OK, SIGN_IN_PAGE).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return response;
    }
    not_signed_in()
}

pub(crate) const SCRIPT_PATH: &str = "/session/sign-in.js";

/// `GET /session/sign-in.js`: the form's script (a file of its own: the CSP allows no inline
/// script).
pub(crate) async fn script() -> Response {
    let mut response = (StatusCode::OK, SIGN_IN_SCRIPT).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    response
}

const SIGN_IN_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Counterfoil</title>
<style>
  body { font-family: system-ui, sans-serif; display: grid; place-items: center; min-height: 90vh; margin: 0; }
  form { display: grid; gap: 0.75rem; width: min(22rem, 90vw); }
  input, button { font: inherit; padding: 0.5rem; }
  #problem { color: #a40000; min-height: 1.5em; margin: 0; }
</style>
</head>
<body>
<form id="sign-in">
  <h1>Counterfoil</h1>
  <label>Username <input name="username" autocomplete="username" required></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
  <p id="problem" role="alert"></p>
</form>
<script src="/session/sign-in.js"></script>
</body>
</html>
"#;

const SIGN_IN_SCRIPT: &str = r#"document.getElementById('sign-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const problem = document.getElementById('problem');
  problem.textContent = '';
  try {
    const response = await fetch('/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: form.username.value, password: form.password.value }),
    });
    if (response.ok) {
      window.location.reload();
      return;
    }
    const body = await response.json().catch(() => ({}));
    problem.textContent = body.message || 'Signing in failed.';
  } catch {
    problem.textContent = 'Counterfoil could not be reached.';
  }
});
"#;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ana() -> SignedIn {
        SignedIn {
            username: "ana".into(),
            scopes: vec![Scope::Finance],
            permission: Permission::Ro,
        }
    }

    #[test]
    fn a_session_ends_after_twelve_idle_hours_and_a_request_keeps_it_alive() {
        let sessions = Sessions::default();
        let start = Instant::now();
        let id = sessions.open(ana(), start).unwrap();
        assert_eq!(id.len(), 64, "32 random bytes as hex");
        let later = start + IDLE_TIMEOUT - Duration::from_secs(1);
        assert_eq!(sessions.current(&id, later), Some(ana()));
        let still = later + IDLE_TIMEOUT - Duration::from_secs(1);
        assert_eq!(sessions.current(&id, still), Some(ana()), "kept alive");
        assert_eq!(sessions.current(&id, still + IDLE_TIMEOUT), None);
        assert_eq!(sessions.current(&id, still), None, "gone for good");
        assert_eq!(sessions.current("nonsense", start), None);
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; counterfoil_session=abc123 ; x=y"),
        );
        assert_eq!(session_id(&headers).as_deref(), Some("abc123"));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("counterfoil_session="),
        );
        assert_eq!(session_id(&headers), None);
    }

    #[test]
    fn operations_follow_scope_and_permission() {
        let reader = ana();
        assert!(may_call(&reader, "list_invoices", &Value::Null).is_ok());
        assert!(may_call(&reader, "create_invoice", &Value::Null).is_err());
        assert!(may_call(&reader, "list_accounts", &Value::Null).is_err());
        assert!(may_call(&reader, "book_info", &Value::Null).is_ok());
        assert!(may_call(&reader, "no_such_operation", &Value::Null).is_ok());
        let admin = SignedIn {
            username: "root".into(),
            scopes: vec![Scope::AccountManagement],
            permission: Permission::Rw,
        };
        assert!(may_call(&admin, "create_account", &Value::Null).is_ok());
        let own = json!({"scopes": ["account_management"]});
        let wider = json!({"scopes": ["account_management", "finance"]});
        assert!(may_call(&admin, "create_access_token", &own).is_ok());
        assert!(may_call(&admin, "create_access_token", &wider).is_err());
    }
}
