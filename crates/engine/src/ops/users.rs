//! People who sign in to the UI served over HTTP (docs/access.md): a username, an argon2id
//! password hash and the same scopes and permission as a token. Not operations of the
//! operation list: only the CLI adds users, and the server checks passwords.

use crate::book::{Actor, Book};
use crate::error::{ApiError, Reason, Result};
use crate::model::{AddUser, Id, User};
use crate::store;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::OnceLock;

/// Shorter passwords are refused.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longer ones too: hashing cost should not be up to the caller.
const MAX_PASSWORD_CHARS: usize = 1024;
const MAX_USERNAME_CHARS: usize = 64;

/// Adds a user; the password is hashed (argon2id, default parameters, random salt) before
/// the transaction, the audit record names the user but never the hash.
pub fn add_user(book: &mut Book, actor: &Actor, input: AddUser) -> Result<User> {
    let username = input.username.trim().to_owned();
    if username.is_empty() {
        return Err(ApiError::validation("username", "Username can't be blank."));
    }
    if username.chars().count() > MAX_USERNAME_CHARS
        || username
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(ApiError::validation(
            "username",
            format!("Username must be at most {MAX_USERNAME_CHARS} characters, without spaces."),
        ));
    }
    let length = input.password.chars().count();
    if length < MIN_PASSWORD_CHARS {
        return Err(ApiError::validation(
            "password",
            format!("The password must be at least {MIN_PASSWORD_CHARS} characters long."),
        ));
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(ApiError::validation(
            "password",
            format!("The password must be at most {MAX_PASSWORD_CHARS} characters long."),
        ));
    }
    if input.scopes.is_empty() {
        return Err(ApiError::validation(
            "scopes",
            "Choose at least one scope: account_management or finance.",
        ));
    }
    if store::users::by_username(book.reader(), &username)?.is_some() {
        return Err(taken(&username));
    }
    let hash = hash_password(&input.password)?;
    let mut scopes = input.scopes;
    scopes.sort();
    scopes.dedup();
    book.write(actor, "add_user", move |write| {
        // Checked again inside the transaction: another process may have added it meanwhile.
        if store::users::by_username(write.tx, &username)?.is_some() {
            return Err(taken(&username));
        }
        let mut user = User {
            id: Id(0),
            username,
            scopes,
            permission: input.permission,
            created_at: write.now,
        };
        user.id = store::users::insert(write.tx, &user, &hash)?;
        write.audit("user", Some(user.id.0), None::<&User>, Some(&user))?;
        Ok(user)
    })
}

/// The user when `password` is theirs; `None` for a wrong password or an unknown username,
/// which costs the same (a hash is checked either way), so timing does not tell which.
pub fn verify_password(book: &Book, username: &str, password: &str) -> Result<Option<User>> {
    Ok(password_check(book, username)?.verify(password))
}

/// What checking a sign-in needs from the book, so the slow hash can be checked after the
/// book is free for other callers: the user (if any) and the hash to check against.
pub fn password_check(book: &Book, username: &str) -> Result<PasswordCheck> {
    Ok(
        match store::users::by_username(book.reader(), username.trim())? {
            Some((user, hash)) => PasswordCheck {
                user: Some(user),
                hash,
            },
            None => PasswordCheck {
                user: None,
                hash: dummy_hash().to_owned(),
            },
        },
    )
}

/// A user's stored hash, or a dummy one for an unknown username (checked all the same).
pub struct PasswordCheck {
    user: Option<User>,
    hash: String,
}

impl PasswordCheck {
    /// The user when `password` matches (never for an unknown username).
    pub fn verify(self, password: &str) -> Option<User> {
        let matches = PasswordHash::new(&self.hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        self.user.filter(|_| matches)
    }
}

impl std::fmt::Debug for PasswordCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordCheck")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// Every user, by id.
pub fn list_users(book: &Book) -> Result<Vec<User>> {
    Ok(store::users::list(book.reader())?)
}

/// How many users may sign in (the server refuses other than loopback addresses without one).
pub fn count_users(book: &Book) -> Result<i64> {
    Ok(store::users::count(book.reader())?)
}

fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| ApiError::internal(&error))
}

/// A hash of no one's password, with the same parameters as real ones.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no user has this password").unwrap_or_default())
}

fn taken(username: &str) -> ApiError {
    ApiError::validation(
        "username",
        format!("The username \"{username}\" has already been taken."),
    )
    .because(Reason::Taken)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::{Permission, Scope};
    use crate::Clock;

    fn book() -> (Book, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let clock = Clock::simulated(chrono::DateTime::from_timestamp(1_736_935_200, 0).unwrap());
        (
            Book::open(&dir.path().join("users.book"), clock).unwrap(),
            dir,
        )
    }

    fn input(username: &str, password: &str) -> AddUser {
        AddUser {
            username: username.into(),
            password: password.into(),
            scopes: vec![Scope::Finance, Scope::AccountManagement, Scope::Finance],
            permission: Permission::Ro,
        }
    }

    #[test]
    fn users_are_added_checked_and_listed() {
        let (mut book, _dir) = book();
        let actor = Actor::new("test");
        assert_eq!(count_users(&book).unwrap(), 0);
        let ana = add_user(&mut book, &actor, input("ana", "correct horse battery")).unwrap();
        assert_eq!(ana.scopes, vec![Scope::AccountManagement, Scope::Finance]);
        assert_eq!(count_users(&book).unwrap(), 1);
        assert_eq!(list_users(&book).unwrap(), vec![ana.clone()]);

        assert_eq!(
            verify_password(&book, "ANA", "correct horse battery").unwrap(),
            Some(ana)
        );
        assert_eq!(
            verify_password(&book, "ana", "wrong horse battery").unwrap(),
            None
        );
        assert_eq!(
            verify_password(&book, "bob", "correct horse battery").unwrap(),
            None
        );

        let again = add_user(&mut book, &actor, input("Ana", "another long password"));
        assert_eq!(again.unwrap_err().field.as_deref(), Some("username"));
        let short = add_user(&mut book, &actor, input("bob", "short"));
        assert_eq!(short.unwrap_err().field.as_deref(), Some("password"));
        let spaced = add_user(&mut book, &actor, input("bo b", "long enough password"));
        assert_eq!(spaced.unwrap_err().field.as_deref(), Some("username"));
        let mut none = input("bob", "long enough password");
        none.scopes.clear();
        assert_eq!(
            add_user(&mut book, &actor, none)
                .unwrap_err()
                .field
                .as_deref(),
            Some("scopes")
        );
        assert_eq!(count_users(&book).unwrap(), 1);
    }

    #[test]
    fn the_stored_hash_is_argon2id_and_never_the_password() {
        let (mut book, _dir) = book();
        add_user(
            &mut book,
            &Actor::new("test"),
            input("ana", "correct horse battery"),
        )
        .unwrap();
        let (_, hash) = store::users::by_username(book.reader(), "ana")
            .unwrap()
            .unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("correct horse"));
    }
}
