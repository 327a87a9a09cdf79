//! Personal access tokens (threescale-api.md §11): list, create, read (by id or by value) and
//! delete, over the engine's token operations. JSON only: `.xml` is 406.

use super::call::{lenient, ApiCall};
use super::reply::{timestamp, Failure, Reply};
use super::schema;
use super::ThreeScale;
use crate::endpoint::{endpoints, Endpoints};
use axum::extract::Path;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use counterfoil_engine::model::{
    AccessToken, ById, CreateAccessToken, Id, ListAccessTokens, Permission, Scope,
};
use counterfoil_engine::op;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

const COLLECTION: &str = "/admin/api/personal/access_tokens";

pub(super) fn endpoints() -> Endpoints {
    endpoints!(
        ThreeScale;
        list_tokens,
        create_token,
        read_token,
        delete_token,
    )
    .route(
        "/admin/api/personal/access_tokens.xml",
        axum::routing::any(not_acceptable),
    )
}

// --- JSON ------------------------------------------------------------------------------------

/// A personal access token as 3scale writes it; `value` only in the answer to a create.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessTokenJson {
    pub id: i64,
    pub name: String,
    /// From account_management, finance, cms, stats, policy_registry.
    pub scopes: Vec<String>,
    /// `ro` or `rw`.
    pub permission: String,
    /// Omitted when the token never expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// The token itself (96 hex characters): only in the answer to a create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl AccessTokenJson {
    fn of(token: &AccessToken) -> AccessTokenJson {
        AccessTokenJson {
            id: token.id.0,
            name: token.name.clone(),
            scopes: token
                .scopes
                .iter()
                .map(|s| scope_name(*s).to_owned())
                .collect(),
            permission: match token.permission {
                Permission::Ro => "ro",
                Permission::Rw => "rw",
            }
            .to_owned(),
            expires_at: token.expires_at.map(timestamp),
            value: None,
        }
    }
}

fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::AccountManagement => "account_management",
        Scope::Finance => "finance",
        Scope::Cms => "cms",
        Scope::Stats => "stats",
        Scope::PolicyRegistry => "policy_registry",
        Scope::Sync => "sync",
    }
}

fn parse_scope(text: &str) -> Option<Scope> {
    Some(match text.trim() {
        "account_management" => Scope::AccountManagement,
        "finance" => Scope::Finance,
        "cms" => Scope::Cms,
        "stats" => Scope::Stats,
        "policy_registry" => Scope::PolicyRegistry,
        _ => return None,
    })
}

schema::envelope!(AccessTokenEnvelope, access_token, AccessTokenJson);
schema::list!(
    AccessTokenList,
    AccessTokenItem,
    access_tokens,
    access_token,
    AccessTokenJson
);

/// The body of a create (flat, or under `token`). Every field is checked and all problems
/// are answered at once.
#[derive(Deserialize, ToSchema)]
struct CreateTokenBody {
    #[serde(default, deserialize_with = "lenient::text")]
    #[schema(value_type = String, required)]
    name: Option<String>,
    /// `ro` or `rw`.
    #[serde(default, deserialize_with = "lenient::text")]
    #[schema(value_type = String, required)]
    permission: Option<String>,
    /// One or more of account_management, finance, cms, stats, policy_registry (and none the
    /// calling token lacks).
    #[serde(default)]
    #[schema(value_type = Vec<String>, required)]
    scopes: Option<Value>,
    /// ISO-8601, in the future; the token never expires without it.
    #[serde(default, deserialize_with = "lenient::text")]
    expires_at: Option<String>,
}

// --- handlers --------------------------------------------------------------------------------

async fn not_acceptable() -> Failure {
    Failure::NotAcceptable
}

/// The token in a path's last segment: an id, or the token's value (§11).
async fn find(call: &ApiCall, segment: &str) -> Result<AccessToken, Failure> {
    if segment.ends_with(".xml") {
        return Err(Failure::NotAcceptable);
    }
    let key = segment.strip_suffix(".json").unwrap_or(segment).to_owned();
    if let Ok(id) = key.parse::<i64>() {
        return call.read(op::get_access_token, ById { id: Id(id) }).await;
    }
    call.book(move |book, _| {
        counterfoil_engine::token_by_value(book, &key)?.ok_or(Failure::NotFound)
    })
    .await
}

/// List personal access tokens, by id; `name` keeps those whose name contains it.
#[utoipa::path(
    get, path = "/admin/api/personal/access_tokens.json", tag = "Personal access tokens",
    params(NameFilter),
    responses(
        (status = 200, body = AccessTokenList),
        (status = 406, body = schema::ErrorBody),
    )
)]
async fn list_tokens(call: ApiCall) -> Result<Reply, Failure> {
    let name = call.params.text("name").filter(|n| !n.trim().is_empty());
    let tokens = call
        .read(op::list_access_tokens, ListAccessTokens { name })
        .await?;
    let items: Vec<AccessTokenJson> = tokens.iter().map(AccessTokenJson::of).collect();
    Reply::list("access_tokens", "access_token", &items, None)
}

/// The filter of a token list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the query string; read through Params
struct NameFilter {
    /// Only tokens whose name contains this (case-insensitive).
    name: Option<String>,
}

/// Make a token. Its value is in this answer only: the book keeps a digest.
#[utoipa::path(
    post, path = "/admin/api/personal/access_tokens.json", tag = "Personal access tokens",
    request_body(content = CreateTokenBody),
    responses((status = 201, body = AccessTokenEnvelope))
)]
async fn create_token(call: ApiCall) -> Result<Reply, Failure> {
    let body: CreateTokenBody = call.params.rooted("token").parse()?;
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut refuse = |field: &str, message: &str| {
        errors
            .entry(field.to_owned())
            .or_default()
            .push(message.to_owned())
    };

    let name = body.name.unwrap_or_default();
    if name.trim().is_empty() {
        refuse("name", "can't be blank");
    }
    let permission = match body.permission.as_deref().map(str::trim) {
        Some("ro") => Some(Permission::Ro),
        Some("rw") => Some(Permission::Rw),
        None | Some("") => {
            refuse("permission", "can't be blank");
            None
        }
        Some(_) => {
            refuse("permission", "is not included in the list");
            None
        }
    };
    let scopes = read_scopes(body.scopes.as_ref());
    match &scopes {
        Err(message) => refuse("scopes", message),
        Ok(scopes) if scopes.iter().any(|s| !call.token.scopes.contains(s)) => refuse(
            "scopes",
            "can't include a scope the calling access token does not have",
        ),
        Ok(_) => {}
    }
    let expires_at = match body.expires_at.filter(|t| !t.trim().is_empty()) {
        None => None,
        Some(text) => match parse_instant(&text) {
            Some(at) => Some(at),
            None => {
                refuse("expires_at", "is not a valid ISO-8601 date and time");
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(Failure::Errors(StatusCode::UNPROCESSABLE_ENTITY, errors));
    }
    let input = CreateAccessToken {
        name,
        scopes: scopes.unwrap_or_default(),
        permission: permission.unwrap_or(Permission::Ro),
        expires_at,
    };
    let created =
        call.write(op::create_access_token, input)
            .await
            .map_err(|failure| match failure {
                // The engine's only refusal left is an expiry not in the future.
                Failure::Errors(status, errors) if errors.contains_key("expires_at") => {
                    Failure::Errors(
                        status,
                        BTreeMap::from([(
                            "expires_at".to_owned(),
                            vec!["must be in the future".into()],
                        )]),
                    )
                }
                other => other,
            })?;
    let mut token = AccessTokenJson::of(&created.token);
    token.value = Some(created.value);
    let location = format!("{COLLECTION}/{}.json", token.id);
    Reply::created("access_token", &token, location)
}

/// `scopes`: a non-empty array of known scope names (a lone string is taken as one scope).
fn read_scopes(value: Option<&Value>) -> Result<Vec<Scope>, &'static str> {
    let names: Vec<&str> = match value {
        None => return Err("can't be blank"),
        Some(Value::String(name)) => vec![name.as_str()],
        Some(Value::Array(items)) => {
            let mut names = Vec::new();
            for item in items {
                names.push(item.as_str().ok_or("is invalid")?);
            }
            names
        }
        Some(_) => return Err("is invalid"),
    };
    if names.iter().all(|name| name.trim().is_empty()) {
        return Err("can't be blank");
    }
    names
        .iter()
        .filter(|name| !name.trim().is_empty())
        .map(|name| parse_scope(name).ok_or("is invalid"))
        .collect()
}

/// ISO-8601: with an offset (`2030-01-01T10:00:00+02:00`), without one (taken as UTC, the
/// provider's time zone), or a date alone (its midnight, UTC).
fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Some(at.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
}

/// Read one token, by id or by its value.
#[utoipa::path(
    get, path = "/admin/api/personal/access_tokens/{id}.json", tag = "Personal access tokens",
    params(("id" = String, Path, description = "The token's id, or its value")),
    responses((status = 200, body = AccessTokenEnvelope))
)]
async fn read_token(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let token = find(&call, &id).await?;
    Reply::entity("access_token", &AccessTokenJson::of(&token))
}

/// Delete a token (by id or by its value); it stops working at once.
#[utoipa::path(
    delete, path = "/admin/api/personal/access_tokens/{id}.json", tag = "Personal access tokens",
    params(("id" = String, Path, description = "The token's id, or its value")),
    responses(
        (status = 200, description = "Deleted; empty body"),
        (status = 403, body = schema::ErrorBody, description = "No token, the wrong scope, read-only, or the token to revoke has a scope the caller lacks"),
    )
)]
async fn delete_token(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let token = find(&call, &id).await?;
    // As with creating, a token reaches no further than its own scopes: an
    // account_management token cannot take away a finance token.
    if token
        .scopes
        .iter()
        .any(|scope| !call.token.scopes.contains(scope))
    {
        return Err(Failure::Forbidden(
            "This access token cannot revoke a token with a scope it does not have itself.".into(),
        ));
    }
    call.write(op::delete_access_token, ById { id: token.id })
        .await?;
    Ok(Reply::deleted())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn instants_in_iso_8601() {
        let at = |text| parse_instant(text).map(timestamp);
        assert_eq!(
            at("2030-01-01T10:00:00+02:00").as_deref(),
            Some("2030-01-01T08:00:00Z")
        );
        assert_eq!(
            at("2030-01-01T10:00:00").as_deref(),
            Some("2030-01-01T10:00:00Z")
        );
        assert_eq!(at("2030-01-01").as_deref(), Some("2030-01-01T00:00:00Z"));
        assert_eq!(at("next tuesday"), None);
    }

    #[test]
    fn scopes_must_be_known_and_not_empty() {
        assert_eq!(
            read_scopes(Some(&json!(["finance", "cms"]))),
            Ok(vec![Scope::Finance, Scope::Cms])
        );
        assert_eq!(read_scopes(Some(&json!("stats"))), Ok(vec![Scope::Stats]));
        assert_eq!(read_scopes(Some(&json!([]))), Err("can't be blank"));
        assert_eq!(read_scopes(None), Err("can't be blank"));
        assert_eq!(read_scopes(Some(&json!(["root"]))), Err("is invalid"));
        assert_eq!(read_scopes(Some(&json!([1]))), Err("is invalid"));
    }
}
