//! Who may use the UI over HTTP (docs/access.md). On a loopback address nobody signs in: the
//! desktop and a local browser keep working as before. Anywhere else (or with sign-in forced
//! on) `/rpc/*` and the UI need a user signed in with `POST /session`, who then calls the
//! operations their scopes and permission allow, by the same rules as tokens.
//!
//! Sessions live in memory: a random 32-byte id in an HttpOnly, SameSite=Strict cookie, ended
//! by `DELETE /session`, by 12 hours without a request, or by a restart; and at the next
//! request once the user is removed, disabled or given a new password (each request to /rpc
//! reads the user again, so a session also follows changes to their scopes).
//!
//! After five failed sign-ins in a row an account waits (1 s, doubling to at most 15 minutes,
//! by the book's clock: `counterfoil_engine::sign_in_wait`); meanwhile sign-ins are refused
//! with 429 without their password being checked.

use crate::{error_response, AppState};
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use counterfoil_engine::model::{Id, Permission, Scope, User};
use counterfoil_engine::{
    is_read_operation, operation_group, Actor, ApiError, OperationGroup, SignIn, SignInStart,
};
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

/// Who a session was opened for: the user as they signed in, and what finds them in the book
/// again (their id, and the version of their credentials then).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Holder {
    pub(crate) user: SignedIn,
    pub(crate) user_id: Id,
    pub(crate) credentials_version: i64,
}

struct Session {
    holder: Holder,
    last_seen: Instant,
}

/// Every open session, by id.
#[derive(Default)]
pub(crate) struct Sessions(Mutex<HashMap<String, Session>>);

impl Sessions {
    /// Opens a session for `holder` and returns its id; drops sessions that have expired.
    pub(crate) fn open(&self, holder: Holder, now: Instant) -> Result<String, ApiError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|error| ApiError::internal(&error))?;
        let id = hex::encode(bytes);
        let mut sessions = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        sessions.retain(|_, session| !expired(session, now));
        sessions.insert(
            id.clone(),
            Session {
                holder,
                last_seen: now,
            },
        );
        Ok(id)
    }

    /// Who holds session `id`, unless it is unknown or idle too long; a hit keeps it alive.
    pub(crate) fn current(&self, id: &str, now: Instant) -> Option<Holder> {
        let mut sessions = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let session = sessions.get_mut(id)?;
        if expired(session, now) {
            sessions.remove(id);
            return None;
        }
        session.last_seen = now;
        Some(session.holder.clone())
    }

    /// The session's user as the book has them now.
    fn refresh(&self, id: &str, user: SignedIn) {
        let mut sessions = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(session) = sessions.get_mut(id) {
            session.holder.user = user;
        }
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
    /// The user signed in with this request's cookie, if any, as they signed in (for pages:
    /// what they show comes from /rpc, which asks [`AppState::signed_in_now`]).
    pub(crate) fn signed_in(&self, headers: &HeaderMap) -> Option<SignedIn> {
        let id = session_id(headers)?;
        self.sessions
            .current(&id, Instant::now())
            .map(|holder| holder.user)
    }

    /// The user signed in with this request's cookie as the book has them now: a session whose
    /// user was removed or disabled, or given a new password since, ends here. `Err` when the
    /// book could not be read.
    pub(crate) async fn signed_in_now(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<SignedIn>, ApiError> {
        let Some(id) = session_id(headers) else {
            return Ok(None);
        };
        let Some(holder) = self.sessions.current(&id, Instant::now()) else {
            return Ok(None);
        };
        let (user_id, version) = (holder.user_id, holder.credentials_version);
        let now = self
            .with_reader(move |book| counterfoil_engine::session_user(book, user_id, version))
            .await
            .map_err(|join| ApiError::internal(&join))??;
        match now {
            Some(user) => {
                let user = SignedIn::from(user);
                self.sessions.refresh(&id, user.clone());
                Ok(Some(user))
            }
            None => {
                tracing::info!(username = %holder.user.username, "session ended: user removed, disabled or given a new password");
                self.sessions.close(&id);
                Ok(None)
            }
        }
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
            OperationGroup::Finance => "the finance scope",
            OperationGroup::AccountManagement | OperationGroup::Any => {
                "the account_management scope"
            }
            OperationGroup::Access => "both the account_management and the finance scope",
        };
        return Err(forbidden(
            "operation",
            format!("{operation} needs {scope}, which your user does not have."),
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
    match state.signed_in_now(&headers).await {
        Err(error) => error_response(error),
        Ok(Some(user)) => (StatusCode::OK, Json(user)).into_response(),
        Ok(None) if !state.sign_in_required => StatusCode::NO_CONTENT.into_response(),
        Ok(None) => unauthorized("session", "Nobody is signed in.").into_response(),
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
    let (user, credentials_version) = match checked_credentials(&state, &headers, &body).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let holder = Holder {
        user_id: user.id,
        user: SignedIn::from(user),
        credentials_version,
    };
    let user = holder.user.clone();
    let id = match state.sessions.open(holder, Instant::now()) {
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

/// The user whose `{"username", "password"}` (JSON) `body` names, with the version of their
/// credentials, as sign-in checks them (waits after failures included); `Err` is the answer
/// to give instead. Signing in and linking a desktop by password (`/sync/v1/device`) share it.
pub(crate) async fn checked_credentials(
    state: &AppState,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(User, i64), Response> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !is_json {
        let error = ApiError::validation(
            "content-type",
            "Send the username and password as JSON with Content-Type: application/json.",
        );
        return Err((StatusCode::UNSUPPORTED_MEDIA_TYPE, Json(error)).into_response());
    }
    let credentials: Credentials = match serde_json::from_slice::<Value>(body) {
        Ok(value) => {
            for field in ["username", "password"] {
                if !value.get(field).is_some_and(Value::is_string) {
                    return Err(error_response(ApiError::validation(
                        field,
                        format!("{field} is required."),
                    )));
                }
            }
            match serde_json::from_value(value) {
                Ok(credentials) => credentials,
                Err(error) => return Err(error_response(ApiError::internal(&error))),
            }
        }
        Err(e) => {
            return Err(error_response(ApiError::validation(
                "body",
                format!("The request body is not valid JSON: {e}."),
            )))
        }
    };
    let username = credentials.username.clone();
    let typed = credentials.username;
    let start = state
        .with_book(move |book| {
            let started = counterfoil_engine::start_sign_in(book, &sign_in_actor(), &typed);
            (started, book.now())
        })
        .await;
    let check = match start {
        Ok((Ok(SignInStart::Check(check)), _)) => check,
        Ok((Ok(SignInStart::Wait { until }), now)) => {
            tracing::warn!(%username, %until, "sign-in refused: the account waits");
            return Err(wait_response(until, now));
        }
        Ok((Err(error), _)) => return Err(error_response(error)),
        Err(join) => return Err(error_response(ApiError::internal(&join))),
    };
    // The slow hash is checked with the book free for other requests.
    let password = credentials.password;
    let checked = match tokio::task::spawn_blocking(move || check.verify(&password)).await {
        Ok(checked) => checked,
        Err(join) => return Err(error_response(ApiError::internal(&join))),
    };
    let finished = state
        .with_book(move |book| {
            let finished = counterfoil_engine::finish_sign_in(book, &sign_in_actor(), checked);
            (finished, book.now())
        })
        .await;
    let (user, credentials_version) = match finished {
        Ok((
            Ok(SignIn::SignedIn {
                user,
                credentials_version,
            }),
            _,
        )) => (user, credentials_version),
        Ok((Ok(SignIn::Refused), _)) => {
            tracing::warn!(%username, "sign-in refused");
            return Err(unauthorized("password", WRONG_CREDENTIALS).into_response());
        }
        Ok((Ok(SignIn::Disabled), _)) => {
            tracing::warn!(%username, "sign-in refused: the user is disabled");
            return Err(forbidden(
                "username",
                "This user is disabled. Someone who manages people can enable it in Settings, under Access.",
            )
            .into_response());
        }
        Ok((Ok(SignIn::Wait { until }), now)) => return Err(wait_response(until, now)),
        Ok((Err(error), _)) => return Err(error_response(error)),
        Err(join) => return Err(error_response(ApiError::internal(&join))),
    };
    Ok((user, credentials_version))
}

/// Who the audit log names for the sign-in attempts it records (the user is the record's).
fn sign_in_actor() -> Actor {
    Actor::new("http sign-in")
}

/// 429 while an account waits after failed sign-ins, with `Retry-After` in seconds; the wait
/// is by the book's clock (`now`).
fn wait_response(until: DateTime<Utc>, now: DateTime<Utc>) -> Response {
    let milliseconds = u64::try_from((until - now).num_milliseconds()).unwrap_or(0);
    let seconds = milliseconds.div_ceil(1000).max(1);
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        Json(
            ApiError::unauthorized(format!(
                "Too many failed sign-ins in a row for this user: wait {} and try again.",
                how_long(seconds)
            ))
            .about("password"),
        ),
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// "1 second", "40 seconds", "15 minutes" (whole minutes rounded up past a minute).
fn how_long(seconds: u64) -> String {
    match seconds {
        1 => "1 second".into(),
        2..=60 => format!("{seconds} seconds"),
        _ => format!("{} minutes", seconds.div_ceil(60)),
    }
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
        || path.starts_with("/sync/")
        || path.starts_with("/orb/")
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

    fn held_by_ana() -> Holder {
        Holder {
            user: ana(),
            user_id: Id(7),
            credentials_version: 0,
        }
    }

    #[test]
    fn a_session_ends_after_twelve_idle_hours_and_a_request_keeps_it_alive() {
        let sessions = Sessions::default();
        let start = Instant::now();
        let id = sessions.open(held_by_ana(), start).unwrap();
        assert_eq!(id.len(), 64, "32 random bytes as hex");
        let later = start + IDLE_TIMEOUT - Duration::from_secs(1);
        assert_eq!(sessions.current(&id, later), Some(held_by_ana()));
        let still = later + IDLE_TIMEOUT - Duration::from_secs(1);
        assert_eq!(
            sessions.current(&id, still),
            Some(held_by_ana()),
            "kept alive"
        );
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
        let accounts = SignedIn {
            username: "clerk".into(),
            scopes: vec![Scope::AccountManagement],
            permission: Permission::Rw,
        };
        assert!(may_call(&accounts, "create_account", &Value::Null).is_ok());
        let own = json!({"scopes": ["account_management"]});
        // Tokens and people are managed by a user with every right (docs/access.md).
        assert!(may_call(&accounts, "create_access_token", &own).is_err());
        assert!(may_call(&accounts, "list_users", &Value::Null).is_err());
        let admin = SignedIn {
            username: "root".into(),
            scopes: vec![Scope::AccountManagement, Scope::Finance],
            permission: Permission::Rw,
        };
        let wider = json!({"scopes": ["account_management", "cms"]});
        assert!(may_call(&admin, "create_access_token", &own).is_ok());
        assert!(may_call(&admin, "create_access_token", &wider).is_err());
        assert!(may_call(&admin, "add_user", &Value::Null).is_ok());
        let reading_admin = SignedIn {
            permission: Permission::Ro,
            ..admin
        };
        assert!(may_call(&reading_admin, "list_users", &Value::Null).is_ok());
        assert!(may_call(&reading_admin, "disable_user", &Value::Null).is_err());
    }

    #[test]
    fn a_wait_is_said_in_seconds_then_minutes() {
        assert_eq!(how_long(1), "1 second");
        assert_eq!(how_long(8), "8 seconds");
        assert_eq!(how_long(60), "60 seconds");
        assert_eq!(how_long(61), "2 minutes");
        assert_eq!(how_long(900), "15 minutes");
    }
}
