//! One Orb API request as a handler sees it: the Bearer token (a Counterfoil access token with
//! the finance scope; `rw` for anything but a read), its JSON body, and Orb's error bodies.

use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use counterfoil_engine::model::{AccessToken, Permission, Scope};
use counterfoil_engine::{authenticate_token, Actor, ApiError, ErrorCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// Orb's error body: an RFC 7807 problem with the reasons of a refused request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrbError {
    pub status: u16,
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub detail: String,
    /// Every bad field of a refused request, as `field: why`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub validation_errors: Vec<String>,
}

const DOCS: &str = "https://docs.withorb.com/reference/error-responses";

impl OrbError {
    fn new(status: StatusCode, anchor: &str, title: &str, detail: impl Into<String>) -> OrbError {
        OrbError {
            status: status.as_u16(),
            kind: format!("{DOCS}#{anchor}"),
            title: title.to_owned(),
            detail: detail.into(),
            validation_errors: Vec::new(),
        }
    }

    pub fn unauthorized(detail: impl Into<String>) -> OrbError {
        OrbError::new(
            StatusCode::UNAUTHORIZED,
            "401-authentication-error",
            "Authentication error",
            detail,
        )
    }

    pub fn forbidden(detail: impl Into<String>) -> OrbError {
        OrbError::new(StatusCode::FORBIDDEN, "403-forbidden", "Forbidden", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> OrbError {
        OrbError::new(
            StatusCode::NOT_FOUND,
            "404-resource-not-found",
            "Resource not found",
            detail,
        )
    }

    pub fn method_not_allowed() -> OrbError {
        OrbError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "405-method-not-allowed",
            "Method not allowed",
            "This path does not take this method.",
        )
    }

    pub fn bad_request(detail: impl Into<String>, errors: Vec<String>) -> OrbError {
        OrbError {
            validation_errors: errors,
            ..OrbError::new(
                StatusCode::BAD_REQUEST,
                "400-request-validation-error",
                "Request validation error",
                detail,
            )
        }
    }

    pub fn internal(error: &dyn std::fmt::Display) -> OrbError {
        tracing::error!(%error, "an Orb API request failed");
        OrbError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "500-internal-server-error",
            "Internal server error",
            "The request could not be completed; it is in the server's log.",
        )
    }
}

impl From<ApiError> for OrbError {
    /// The engine's refusal in Orb's words: every bad field of a validation error listed.
    fn from(error: ApiError) -> OrbError {
        match error.code {
            ErrorCode::NotFound => OrbError::not_found(error.message),
            ErrorCode::Forbidden => OrbError::forbidden(error.message),
            ErrorCode::Unauthorized => OrbError::unauthorized(error.message),
            ErrorCode::Validation => {
                let errors = error
                    .field_errors()
                    .into_iter()
                    .map(|bad| format!("{}: {}", bad.field, bad.message))
                    .collect();
                OrbError::bad_request(error.message, errors)
            }
            ErrorCode::Conflict | ErrorCode::InvalidState => OrbError::new(
                StatusCode::CONFLICT,
                "409-resource-conflict",
                "Resource conflict",
                error.message,
            ),
            _ => OrbError::internal(&error.message),
        }
    }
}

impl IntoResponse for OrbError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self)).into_response()
    }
}

/// An authenticated Orb request and its body.
pub struct OrbCall {
    pub token: AccessToken,
    pub body: Bytes,
    pub state: AppState,
}

impl OrbCall {
    /// Who the audit log names: the token's id, never its value.
    pub fn actor(&self) -> Actor {
        Actor::new(format!("orb api token {}", self.token.id))
    }

    /// The body as `T`; an empty body is `{}`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, OrbError> {
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &self.body
        };
        serde_json::from_slice(body).map_err(|e| {
            OrbError::bad_request(
                "The request body is not what this path takes.",
                vec![format!("body: {e}")],
            )
        })
    }

    /// Runs a typed write operation (`counterfoil_engine::op::*`), as this token: the way for
    /// a hot path, without the name's JSON round trip.
    pub async fn write<I: Send + 'static, T: Send + 'static>(
        &self,
        operation: fn(&mut counterfoil_engine::Book, &Actor, I) -> Result<T, ApiError>,
        input: I,
    ) -> Result<T, OrbError> {
        let actor = self.actor();
        Ok(self
            .state
            .with_book(move |book| operation(book, &actor, input))
            .await
            .map_err(|e| OrbError::internal(&e))??)
    }

    /// Runs operation `name` of the list with `input`, as this token.
    pub async fn run(&self, name: &'static str, input: Value) -> Result<Value, OrbError> {
        let actor = self.actor();
        let read = counterfoil_engine::is_read_operation(name);
        let answer = if read {
            self.state
                .with_reader(move |book| {
                    counterfoil_engine::dispatch_read(book, &actor, name, input)
                })
                .await
        } else {
            self.state
                .with_book(move |book| counterfoil_engine::dispatch(book, &actor, name, input))
                .await
        };
        Ok(answer.map_err(|e| OrbError::internal(&e))??)
    }
}

impl FromRequest<AppState> for OrbCall {
    type Rejection = OrbError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let method = request.method().clone();
        let value = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|v| v.trim().to_owned())
            .ok_or_else(|| {
                OrbError::unauthorized("Send an access token as Authorization: Bearer <token>.")
            })?;
        let body = Bytes::from_request(request, state).await.map_err(|e| {
            OrbError::bad_request(
                "The request body could not be read.",
                vec![format!("body: {e}")],
            )
        })?;
        let found = state
            .with_reader(move |book| authenticate_token(book, &value))
            .await
            .map_err(|e| OrbError::internal(&e))?
            .map_err(OrbError::from)?;
        let Some(token) = found else {
            return Err(OrbError::unauthorized(
                "This access token is unknown, revoked or expired.",
            ));
        };
        if !token.scopes.contains(&Scope::Finance) {
            return Err(OrbError::forbidden(
                "Orb's API needs a token with the finance scope.",
            ));
        }
        if method != Method::GET && token.permission != Permission::Rw {
            return Err(OrbError::forbidden("This token may only read (ro)."));
        }
        Ok(OrbCall {
            token,
            body,
            state: state.clone(),
        })
    }
}
