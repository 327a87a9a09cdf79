//! The errors that cross the boundary to the UI and HTTP clients: `{code, message}` (plus the
//! field for validation errors), with a small closed set of codes the UI branches on, and for
//! some refusals a closed [`Reason`] that API dialects map to their own words.

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
    /// Only the HTTP server says these: no session or token where sign-in is required
    /// (401), or a session or token without the scope or permission the call needs (403).
    Unauthorized,
    Forbidden,
}

impl ErrorCode {
    /// Every code, in declaration order (the UI's generated list of the codes it knows).
    pub const ALL: [ErrorCode; 7] = [
        ErrorCode::Validation,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::InvalidState,
        ErrorCode::Internal,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
    ];
}

/// Why a refusal was made, where a transport words it its own way: 3scale's API says "has
/// already been taken" and "can't be blank" where the engine says a whole sentence. Closed, so
/// a dialect matches reasons, never message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A required text is empty or only spaces.
    Blank,
    /// A name that must be unique is used by another record.
    Taken,
    /// A charge asked of a book without a payment gateway.
    NoPaymentGateway,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: ErrorCode,
    /// One plain sentence for the user.
    pub message: String,
    /// For validation errors: the input field at fault, e.g. `legal_address.country` (with
    /// several, the first).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
    /// Every field at fault when an input has several (then `message` says them all, and
    /// `field` names the first); absent with one, so a single refusal keeps its shape.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<FieldError>>")]
    pub errors: Vec<FieldError>,
    /// For the transports' own wording; not part of the JSON (the message says it).
    #[serde(skip)]
    #[ts(skip)]
    pub reason: Option<Reason>,
}

/// One field's refusal among several (see [`ApiError::errors`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    /// For the transports' own wording, as [`ApiError::reason`].
    #[serde(skip)]
    #[ts(skip)]
    pub reason: Option<Reason>,
}

impl ApiError {
    /// The same refusal, naming the input field it is about.
    pub fn with_field(mut self, field: &str) -> ApiError {
        self.field = Some(field.to_owned());
        self
    }

    pub fn validation(field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            code: ErrorCode::Validation,
            message: message.into(),
            field: Some(field.into()),
            errors: Vec::new(),
            reason: None,
        }
    }
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            code: ErrorCode::NotFound,
            message: message.into(),
            field: None,
            errors: Vec::new(),
            reason: None,
        }
    }
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError {
            code: ErrorCode::Conflict,
            message: message.into(),
            field: None,
            errors: Vec::new(),
            reason: None,
        }
    }
    pub fn invalid_state(message: impl Into<String>) -> ApiError {
        ApiError {
            code: ErrorCode::InvalidState,
            message: message.into(),
            field: None,
            errors: Vec::new(),
            reason: None,
        }
    }
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError {
            code: ErrorCode::Unauthorized,
            message: message.into(),
            field: None,
            errors: Vec::new(),
            reason: None,
        }
    }
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError {
            code: ErrorCode::Forbidden,
            message: message.into(),
            field: None,
            errors: Vec::new(),
            reason: None,
        }
    }
    /// The validation errors of one input, answered together: one stays as it is; several
    /// become one validation error listing each field (`errors`), whose message says them all
    /// and whose `field` is the first. Any error that is not a validation error wins alone.
    pub fn all(errors: Vec<ApiError>) -> Option<ApiError> {
        if let Some(other) = errors.iter().find(|e| e.code != ErrorCode::Validation) {
            return Some(other.clone());
        }
        let mut fields: Vec<FieldError> = Vec::new();
        for error in errors {
            if error.errors.is_empty() {
                fields.push(FieldError {
                    field: error.field.unwrap_or_else(|| "input".to_owned()),
                    message: error.message,
                    reason: error.reason,
                });
            } else {
                fields.extend(error.errors);
            }
        }
        let first = fields.first()?.clone();
        if fields.len() == 1 {
            return Some(
                ApiError::validation(&first.field, first.message).with_reason(first.reason),
            );
        }
        Some(ApiError {
            code: ErrorCode::Validation,
            message: fields
                .iter()
                .map(|error| error.message.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            field: Some(first.field),
            errors: fields,
            reason: None,
        })
    }

    /// Every field at fault: `errors` when there are several, else this one's field.
    pub fn field_errors(&self) -> Vec<FieldError> {
        if !self.errors.is_empty() {
            return self.errors.clone();
        }
        self.field
            .iter()
            .map(|field| FieldError {
                field: field.clone(),
                message: self.message.clone(),
                reason: self.reason,
            })
            .collect()
    }

    fn with_reason(mut self, reason: Option<Reason>) -> ApiError {
        self.reason = reason;
        self
    }

    /// The same refusal, naming the input `field` it is about.
    pub fn about(mut self, field: &str) -> ApiError {
        self.field = Some(field.into());
        self
    }
    /// The same refusal, saying why in closed words (see [`Reason`]).
    pub fn because(mut self, reason: Reason) -> ApiError {
        self.reason = Some(reason);
        self
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
            errors: Vec::new(),
            reason: None,
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
