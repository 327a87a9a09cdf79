//! The sync protocol (docs/sync.md) over HTTP: `POST /sync/v1/push`, `POST /sync/v1/pull`
//! and `GET /sync/v1/snapshot`, for desktops with a token of scope `sync` (one per desktop:
//! the token is the device). The engine does the work ([`counterfoil_engine::sync::server`]);
//! this only authenticates, moves JSON and files, and maps refusals to statuses.

use crate::{error_response, AppState};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use counterfoil_engine::model::Scope;
use counterfoil_engine::sync::protocol::{PullRequest, PushRequest};
use counterfoil_engine::sync::{server, Role};
use counterfoil_engine::{authenticate_token, Actor, ApiError, ErrorCode};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/sync/v1/push", post(push))
        .route("/sync/v1/pull", post(pull))
        .route("/sync/v1/snapshot", get(snapshot))
}

/// The device a request comes from: its token's, which must have the `sync` scope.
async fn device(state: &AppState, headers: &HeaderMap) -> Result<String, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|v| v.trim().to_owned())
        .ok_or_else(|| {
            ApiError::unauthorized(
                "Sync needs a token: Authorization: Bearer <token> (counterfoil token create \
                 --scopes sync).",
            )
        })?;
    let found = state
        .with_reader(move |book| authenticate_token(book, &value))
        .await
        .map_err(|e| ApiError::internal(&e))??;
    match found {
        Some(token) if token.scopes.contains(&Scope::Sync) => Ok(format!("token-{}", token.id.0)),
        Some(_) => Err(ApiError::forbidden(
            "This token has no sync scope; make one with counterfoil token create --scopes sync.",
        )),
        None => Err(ApiError::unauthorized(
            "This token is unknown, revoked or expired.",
        )),
    }
}

/// A refusal as sync's clients read it: another protocol or schema is 426 (update first).
fn refusal(error: ApiError) -> Response {
    if error.code == ErrorCode::InvalidState && error.field.as_deref() == Some("schema") {
        return (StatusCode::UPGRADE_REQUIRED, Json(error)).into_response();
    }
    error_response(error)
}

fn parsed<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::validation(
            "body",
            format!("The request body is not a sync request: {e}."),
        )
    })
}

/// The server's book is one from its first sync request on (`serve` makes it one on start).
async fn served(state: &AppState) -> Result<(), ApiError> {
    state
        .with_book(|book| match book.sync_role() {
            Role::Server => Ok(()),
            _ => book.become_server(&Actor::new("sync")),
        })
        .await
        .map_err(|e| ApiError::internal(&e))?
}

fn answer<T: serde::Serialize>(result: Result<T, ApiError>) -> Response {
    match result {
        Ok(body) => (StatusCode::OK, Json(body)).into_response(),
        Err(error) => refusal(error),
    }
}

async fn push(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    answer(
        async {
            let device = device(&state, &headers).await?;
            let request: PushRequest = parsed(&body)?;
            served(&state).await?;
            state
                .with_book(move |book| server::push(book, &device, request))
                .await
                .map_err(|e| ApiError::internal(&e))?
        }
        .await,
    )
}

async fn pull(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    answer(
        async {
            device(&state, &headers).await?;
            let request: PullRequest = parsed(&body)?;
            served(&state).await?;
            state
                .with_reader(move |book| server::pull(book, request))
                .await
                .map_err(|e| ApiError::internal(&e))?
        }
        .await,
    )
}

/// The server's book as a desktop starts from it (a SQLite file), with the feed position it
/// holds in `X-Sync-Cursor`.
async fn snapshot(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let made = async {
        device(&state, &headers).await?;
        served(&state).await?;
        state
            .with_reader(|book| -> Result<(i64, Vec<u8>), ApiError> {
                let dir = tempfile::Builder::new()
                    .prefix("counterfoil-snapshot")
                    .tempdir()
                    .map_err(|e| ApiError::internal(&e))?;
                let file = dir.path().join("snapshot.book");
                let cursor = server::snapshot(book, &file)?;
                let bytes =
                    counterfoil_engine::files::read(&file).map_err(|e| ApiError::internal(&e))?;
                Ok((cursor, bytes))
            })
            .await
            .map_err(|e| ApiError::internal(&e))?
    }
    .await;
    match made {
        Ok((cursor, bytes)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/vnd.sqlite3".to_owned()),
                (
                    header::HeaderName::from_static("x-sync-cursor"),
                    cursor.to_string(),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => refusal(error),
    }
}
