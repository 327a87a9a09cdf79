//! The sync protocol (docs/sync.md) over HTTP: `POST /sync/v1/push`, `POST /sync/v1/pull`,
//! `GET /sync/v1/snapshot` and `POST /sync/v1/publish`, for desktops with a token of scope
//! `sync` (one per desktop: the token is the device). A person links a desktop by signing in
//! once: `POST /sync/v1/device` checks their password as `/session` does and answers a new
//! sync token for that desktop. The engine does the work
//! ([`counterfoil_engine::sync::server`]); this only authenticates, moves JSON and files, and
//! maps refusals to statuses.

use crate::{error_response, AppState};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use counterfoil_engine::model::{Permission, Scope};
use counterfoil_engine::sync::protocol::{PullRequest, PushRequest};
use counterfoil_engine::sync::{server, Role};
use counterfoil_engine::{authenticate_token, Actor, ApiError, ErrorCode};

/// The largest push body the server reads: four times what a desktop puts in one push.
const PUSH_BODY_LIMIT: usize = 4 * counterfoil_engine::sync::desktop::PUSH_BYTES;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        // A push carries up to about PUSH_BYTES of entries (one larger entry alone), more
        // than the 1 MiB every other request may send.
        .route(
            "/sync/v1/push",
            post(push).layer(axum::extract::DefaultBodyLimit::max(PUSH_BODY_LIMIT)),
        )
        .route("/sync/v1/pull", post(pull))
        .route("/sync/v1/snapshot", get(snapshot))
        .route("/sync/v1/publish", post(publish))
        .route("/sync/v1/device", post(device_for_person))
        // Row images and snapshots are JSON and SQLite pages: gzip takes them to a fraction
        // for a desktop far from its server. Fastest level: on a near network the time to
        // compress would be the cost.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .gzip(true)
                .quality(tower_http::CompressionLevel::Fastest),
        )
        .layer(tower_http::decompression::RequestDecompressionLayer::new().gzip(true))
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

/// `POST /sync/v1/publish`: a desktop's book (a SQLite file, as
/// [`counterfoil_engine::sync::desktop::publish_copy`] writes it) becomes this server's, if
/// the server is still empty. Answers `{"cursor"}`: where the desktop pulls from.
async fn publish(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let published = async {
        let device = device(&state, &headers).await?;
        served(&state).await?;
        let dir = tempfile::Builder::new()
            .prefix("counterfoil-publish")
            .tempdir()
            .map_err(|e| ApiError::internal(&e))?;
        let file = dir.path().join("published.book");
        received_to_file(body, &file).await?;
        let cursor = state
            .with_book(move |book| {
                server::receive_published(book, &Actor::new(format!("sync {device}")), &file)
            })
            .await
            .map_err(|e| ApiError::internal(&e))??;
        tracing::info!(%cursor, "a desktop published its book to this server");
        Ok(serde_json::json!({ "cursor": cursor }))
    }
    .await;
    answer(published)
}

/// Writes a request's body to `file` as it arrives (a book can be larger than memory should
/// hold at once).
async fn received_to_file(body: Body, file: &std::path::Path) -> Result<(), ApiError> {
    use http_body_util::BodyExt as _;
    use tokio::io::AsyncWriteExt as _;
    let mut out = tokio::fs::File::create(file)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            ApiError::validation("body", format!("The book did not arrive whole: {e}."))
        })?;
        if let Ok(data) = frame.into_data() {
            out.write_all(&data)
                .await
                .map_err(|e| ApiError::internal(&e))?;
        }
    }
    out.sync_all().await.map_err(|e| ApiError::internal(&e))?;
    Ok(())
}

#[derive(serde::Deserialize, Default)]
struct DeviceRequest {
    #[serde(default)]
    device_name: Option<String>,
}

/// `POST /sync/v1/device` with `{"username", "password", "device_name"?}`: a person links a
/// desktop by signing in. A linked desktop may do, offline, everything the book allows, so
/// the person needs read and write with both the account_management and finance scopes.
/// Answers `{"token"}`, a new sync token named for the person and the desktop, listed (and
/// revocable) in Settings → Access like any other.
async fn device_for_person(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (user, _) = match crate::session::checked_credentials(&state, &headers, &body).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let may_link = user.permission == Permission::Rw
        && user.scopes.contains(&Scope::AccountManagement)
        && user.scopes.contains(&Scope::Finance);
    if !may_link {
        return error_response(
            ApiError::forbidden(
                "Linking a desktop needs a user who may read and write with both the \
                 account_management and the finance scope: a linked desktop can do everything \
                 the book allows.",
            )
            .about("username"),
        );
    }
    let request: DeviceRequest = serde_json::from_slice(&body).unwrap_or_default();
    let device_name = request
        .device_name
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "a desktop".to_owned());
    let username = user.username.clone();
    let made = state
        .with_book(move |book| {
            counterfoil_engine::dispatch(
                book,
                &Actor::new(format!("user {username}")),
                "create_access_token",
                serde_json::json!({
                    "name": format!("Sync: {username} on {device_name}"),
                    "scopes": ["sync"],
                    "permission": "rw",
                }),
            )
        })
        .await
        .map_err(|e| ApiError::internal(&e))
        .and_then(|made| made);
    match made {
        Ok(created) => {
            tracing::info!(username = %user.username, "a desktop was linked by signing in");
            let token = created.get("value").cloned().unwrap_or_default();
            (StatusCode::OK, Json(serde_json::json!({ "token": token }))).into_response()
        }
        Err(error) => error_response(error),
    }
}
