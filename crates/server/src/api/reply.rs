//! What the 3scale-compatible API answers (threescale-api.md §1.4, §1.5): entity and list
//! envelopes, and error bodies that are always JSON objects.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use counterfoil_engine::{ApiError, ErrorCode, Reason};
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use std::collections::BTreeMap;

const JSON: &str = "application/json; charset=utf-8";

/// A successful answer: a body already serialized, its status and, for a create, Location.
pub struct Reply {
    status: StatusCode,
    body: String,
    location: Option<String>,
}

impl Reply {
    /// `{"<entity>": {...}}` with 200.
    pub fn entity<T: Serialize>(name: &str, value: &T) -> Result<Reply, Failure> {
        Ok(Reply {
            status: StatusCode::OK,
            body: wrap(name, value)?,
            location: None,
        })
    }

    /// `{"<entity>": {...}}` with 201 and a Location header.
    pub fn created<T: Serialize>(
        name: &str,
        value: &T,
        location: String,
    ) -> Result<Reply, Failure> {
        Ok(Reply {
            status: StatusCode::CREATED,
            body: wrap(name, value)?,
            location: Some(location),
        })
    }

    /// `{"<collection>": [{"<entity>": {...}}, ...]}`, every item wrapped, plus `metadata` when
    /// the list is one page of several (§1.6).
    pub fn list<T: Serialize>(
        collection: &str,
        entity: &str,
        items: &[T],
        paging: Option<&PageInfo>,
    ) -> Result<Reply, Failure> {
        let metadata = paging
            .filter(|page| i64::from(page.per_page) < page.total_entries)
            .map(|page| Metadata {
                per_page: page.per_page,
                total_entries: page.total_entries,
                total_pages: (page.total_entries + i64::from(page.per_page) - 1)
                    / i64::from(page.per_page),
                current_page: page.page,
            });
        let body = ListBody {
            collection,
            entity,
            items,
            metadata,
        };
        Ok(Reply {
            status: StatusCode::OK,
            body: serde_json::to_string(&body).map_err(Failure::internal)?,
            location: None,
        })
    }

    /// A DELETE: 200 with an empty body.
    pub fn deleted() -> Reply {
        Reply {
            status: StatusCode::OK,
            body: String::new(),
            location: None,
        }
    }
}

/// One page of a paginated list.
pub struct PageInfo {
    pub page: u32,
    pub per_page: u32,
    pub total_entries: i64,
}

#[derive(Serialize)]
struct Metadata {
    per_page: u32,
    total_entries: i64,
    total_pages: i64,
    current_page: u32,
}

/// A list body written straight to JSON (never through `Value`, which would turn exact
/// numbers into floats).
struct ListBody<'a, T> {
    collection: &'a str,
    entity: &'a str,
    items: &'a [T],
    metadata: Option<Metadata>,
}

impl<T: Serialize> Serialize for ListBody<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let wrapped: Vec<BTreeMap<&str, &T>> = self
            .items
            .iter()
            .map(|item| BTreeMap::from([(self.entity, item)]))
            .collect();
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(self.collection, &wrapped)?;
        if let Some(metadata) = &self.metadata {
            map.serialize_entry("metadata", metadata)?;
        }
        map.end()
    }
}

fn wrap<T: Serialize>(name: &str, value: &T) -> Result<String, Failure> {
    serde_json::to_string(&BTreeMap::from([(name, value)])).map_err(Failure::internal)
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
        if let Some(location) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            headers.insert(header::LOCATION, location);
        }
        response
    }
}

/// An amount as a JSON number written from its exact decimal (`12.0`, `0.05`), never through
/// a float: 3scale's clients compare these as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Number(pub Decimal);

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw = RawValue::from_string(decimal_text(self.0)).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// A decimal without trailing zeros but with at least one fractional digit: `20` → `20.0`,
/// `0.0500` → `0.05` (how 3scale writes amounts, and pricing-rule costs as strings).
pub fn decimal_text(value: Decimal) -> String {
    let normalized = value.normalize();
    if normalized.scale() == 0 {
        format!("{normalized}.0")
    } else {
        normalized.to_string()
    }
}

/// Seconds precision, UTC (the provider's time zone: Counterfoil keeps books in UTC).
pub fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `{"rel": ..., "href": ...}`: clients ignore links, but 3scale sends them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Link {
    pub rel: &'static str,
    pub href: String,
}

/// Every error the API answers, with the bodies of §1.2 and §1.5.
#[derive(Debug)]
pub enum Failure {
    /// 403 `{"error":"Access denied"}`: no token, or an unknown or expired one.
    AccessDenied,
    /// 403: the token lacks the scope, or is read-only and the request writes.
    WrongPermissions,
    /// 403 `{"error":"..."}`: the token may call the path, not do this to that thing.
    Forbidden(String),
    /// 404 `{"status":"Not found"}`.
    NotFound,
    /// 400: a required parameter (or the root key) is missing.
    MissingParameter(&'static str),
    /// 406: only JSON is served.
    NotAcceptable,
    /// 405: the path exists, not with this method.
    MethodNotAllowed,
    /// 413: the body is over the server's limit.
    TooLarge,
    /// 422 (or 403 for refused deletes) `{"errors":{"<field>":["..."]}}`.
    Errors(StatusCode, BTreeMap<String, Vec<String>>),
    /// 409 empty: a uniqueness race.
    Conflict(String),
    /// 500 `{"error":"..."}`; the cause is logged.
    Internal(String),
}

impl Failure {
    /// 422 with one message on one field.
    pub fn field(field: &str, message: impl Into<String>) -> Failure {
        Failure::Errors(
            StatusCode::UNPROCESSABLE_ENTITY,
            BTreeMap::from([(field.to_owned(), vec![message.into()])]),
        )
    }

    /// `{"errors":{"base":[message]}}` with `status` (422, or 403 for a refused delete).
    pub fn base(status: StatusCode, message: impl Into<String>) -> Failure {
        Failure::Errors(
            status,
            BTreeMap::from([("base".to_owned(), vec![message.into()])]),
        )
    }

    pub fn internal(cause: impl std::fmt::Display) -> Failure {
        tracing::error!(error = %cause, "internal error in the 3scale API");
        Failure::Internal(
            "Something went wrong inside Counterfoil; nothing was changed. The details are in \
             the server log."
                .into(),
        )
    }

    /// An engine refusal in 3scale's short words where its clients compare them, by the
    /// refusal's reason: a taken system name "has already been taken", an empty name "can't
    /// be blank".
    pub fn in_short_words(mut error: ApiError) -> Failure {
        match error.reason {
            Some(Reason::Taken) => error.message = "has already been taken".into(),
            Some(Reason::Blank) => error.message = "can't be blank".into(),
            Some(Reason::NoPaymentGateway) | None => {}
        }
        Failure::from_engine(error)
    }

    /// An engine refusal in 3scale's terms: validation → 422 on its field (the engine's
    /// field names are the API's), not found → 404, a refused state → 422 on base.
    pub fn from_engine(error: ApiError) -> Failure {
        match error.code {
            ErrorCode::Validation => {
                let field = error
                    .field
                    .as_deref()
                    .map(|field| field.split('.').next().unwrap_or(field))
                    .filter(|field| !field.is_empty())
                    .unwrap_or("base");
                Failure::field(field, error.message)
            }
            ErrorCode::NotFound => Failure::NotFound,
            ErrorCode::InvalidState => {
                Failure::base(StatusCode::UNPROCESSABLE_ENTITY, error.message)
            }
            ErrorCode::Conflict => Failure::Conflict(error.message),
            ErrorCode::Internal => Failure::Internal(error.message),
            ErrorCode::Unauthorized => Failure::AccessDenied,
            ErrorCode::Forbidden => Failure::Forbidden(error.message),
        }
    }
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Failure {
        Failure::from_engine(error)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Failure::AccessDenied => (
                StatusCode::FORBIDDEN,
                serde_json::json!({"error": "Access denied"}),
            ),
            Failure::WrongPermissions => (
                StatusCode::FORBIDDEN,
                serde_json::json!({
                    "error": "Your access token does not have the correct permissions"
                }),
            ),
            Failure::Forbidden(message) => {
                (StatusCode::FORBIDDEN, serde_json::json!({"error": message}))
            }
            Failure::NotFound => (
                StatusCode::NOT_FOUND,
                serde_json::json!({"status": "Not found"}),
            ),
            Failure::MissingParameter(name) => (
                StatusCode::BAD_REQUEST,
                serde_json::json!({"error": format!("Required parameter missing: {name}")}),
            ),
            Failure::NotAcceptable => (
                StatusCode::NOT_ACCEPTABLE,
                serde_json::json!({"error": "Only JSON is served: use the .json suffix."}),
            ),
            Failure::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                serde_json::json!({"error": "Payload Too Large"}),
            ),
            Failure::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                serde_json::json!({"error": "This path does not take that method."}),
            ),
            Failure::Errors(status, errors) => (status, serde_json::json!({"errors": errors})),
            Failure::Conflict(message) => {
                (StatusCode::CONFLICT, serde_json::json!({"error": message}))
            }
            Failure::Internal(message) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                serde_json::json!({"error": message}),
            ),
        };
        let mut response = (status, body.to_string()).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
        response
    }
}
