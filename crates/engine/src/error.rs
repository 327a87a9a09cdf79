//! The errors that cross the boundary to the UI and HTTP clients: `{code, message}` (plus the
//! field for validation errors), with a small closed set of codes the UI branches on.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Validation,
    NotFound,
    Conflict,
    InvalidState,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: ErrorCode,
    /// One plain sentence for the user.
    pub message: String,
    /// For validation errors: the input field at fault, e.g. `legal_address.country`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
}

impl ApiError {
    pub fn validation(field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            code: ErrorCode::Validation,
            message: message.into(),
            field: Some(field.into()),
        }
    }
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            code: ErrorCode::NotFound,
            message: message.into(),
            field: None,
        }
    }
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError {
            code: ErrorCode::Conflict,
            message: message.into(),
            field: None,
        }
    }
    pub fn invalid_state(message: impl Into<String>) -> ApiError {
        ApiError {
            code: ErrorCode::InvalidState,
            message: message.into(),
            field: None,
        }
    }
    /// Logs the full cause and gives the user one plain sentence.
    pub fn internal(cause: &dyn std::error::Error) -> ApiError {
        tracing::error!(error = %cause, source = ?cause.source(), "internal error");
        ApiError {
            code: ErrorCode::Internal,
            message: "Something went wrong inside Counterfoil; nothing was changed. \
                      The details are in the log."
                .into(),
            field: None,
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> ApiError {
        match error.sqlite_error_code() {
            // Another connection (most often another process: a server, a billing run from
            // cron, a desktop) held the write lock for longer than the busy timeout.
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                tracing::warn!(%error, "the book stayed busy");
                ApiError::conflict(format!(
                    "The book is busy: another program has been writing to it for {} seconds. \
                     Nothing was changed; try again in a moment.",
                    crate::book::BUSY_TIMEOUT.as_secs()
                ))
            }
            _ => ApiError::internal(&error),
        }
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(error: serde_json::Error) -> ApiError {
        ApiError::internal(&error)
    }
}

pub type Result<T, E = ApiError> = std::result::Result<T, E>;
