//! Personal access tokens (threescale-api.md §1.2, §11): made with a random value shown once,
//! kept as a SHA-384 digest, looked up by that digest on every request.

use super::required_text;
use crate::book::{Book, Write};
use crate::error::{ApiError, Result};
use crate::model::{
    AccessToken, ById, CreateAccessToken, CreatedAccessToken, Id, ListAccessTokens,
};
use crate::store;
use sha2::{Digest, Sha384};

/// 48 random bytes: 96 hex characters, as 3scale's tokens.
const VALUE_BYTES: usize = 48;

pub(crate) fn list_access_tokens(book: &Book, input: ListAccessTokens) -> Result<Vec<AccessToken>> {
    let name = input
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let now = book.now();
    Ok(store::tokens::list(book.reader(), name)?
        .into_iter()
        .map(|token| dated(token, now))
        .collect())
}

pub(crate) fn get_access_token(book: &Book, input: ById) -> Result<AccessToken> {
    let token = store::tokens::get(book.reader(), input.id)?.ok_or_else(|| not_found(input.id))?;
    Ok(dated(token, book.now()))
}

/// The token with `expired` as the book's clock says now.
fn dated(token: AccessToken, now: chrono::DateTime<chrono::Utc>) -> AccessToken {
    AccessToken {
        expired: store::tokens::is_expired(&token, now),
        ..token
    }
}

pub(crate) fn create_access_token(
    write: &mut Write<'_>,
    input: CreateAccessToken,
) -> Result<CreatedAccessToken> {
    let name = required_text("name", "Name", &input.name)?;
    if input.scopes.is_empty() {
        return Err(ApiError::validation(
            "scopes",
            "Choose at least one scope: account_management, finance, cms, stats, policy_registry or sync.",
        ));
    }
    if input.expires_at.is_some_and(|at| at <= write.now) {
        return Err(ApiError::validation(
            "expires_at",
            "The expiry date must be in the future.",
        ));
    }
    let mut scopes = input.scopes;
    scopes.sort();
    scopes.dedup();
    let mut bytes = [0u8; VALUE_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(&e))?;
    let value = hex::encode(bytes);
    let mut token = AccessToken {
        id: Id(0),
        name,
        scopes,
        permission: input.permission,
        expires_at: input.expires_at,
        created_at: write.now,
        expired: false,
    };
    token.id = store::tokens::insert(write.tx, &token, &digest(&value))?;
    // The audit keeps the token as listed: never its value.
    write.audit(
        "access_token",
        Some(token.id.0),
        None::<&AccessToken>,
        Some(&token),
    )?;
    Ok(CreatedAccessToken { token, value })
}

/// Revokes a token: it is deleted, and refused from the next request on.
pub(crate) fn delete_access_token(write: &mut Write<'_>, input: ById) -> Result<AccessToken> {
    let token = store::tokens::get(write.tx, input.id)?.ok_or_else(|| not_found(input.id))?;
    let token = dated(token, write.now);
    store::tokens::delete(write.tx, input.id)?;
    write.audit(
        "access_token",
        Some(token.id.0),
        Some(&token),
        None::<&AccessToken>,
    )?;
    Ok(token)
}

/// The token whose value this is, unless there is none or it has expired.
pub fn authenticate_token(book: &Book, value: &str) -> Result<Option<AccessToken>> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let token = store::tokens::by_digest(book.reader(), &digest(value))?;
    Ok(token.filter(|token| !store::tokens::is_expired(token, book.now())))
}

/// The token with this value, for reading a token "by id or value" (§11).
pub fn token_by_value(book: &Book, value: &str) -> Result<Option<AccessToken>> {
    Ok(
        store::tokens::by_digest(book.reader(), &digest(value.trim()))?
            .map(|token| dated(token, book.now())),
    )
}

fn digest(value: &str) -> String {
    hex::encode(Sha384::digest(value.as_bytes()))
}

fn not_found(id: Id) -> ApiError {
    ApiError::not_found(format!("There is no access token {id}."))
}
