//! People who sign in to the UI served over HTTP (docs/access.md): a username, an argon2id
//! password hash and the same scopes and permission as a token. Managed by operations of the
//! list (Settings → Access, `counterfoil user …`); signing in is the server's, through
//! [`start_sign_in`] and [`finish_sign_in`], which make an account wait after five failed
//! sign-ins in a row. A password never reaches the audit log or any log.

use crate::book::{Actor, Book, Write};
use crate::error::{ApiError, Reason, Result};
use crate::model::{AddUser, ById, ChangePassword, Id, NoInput, Permission, Scope, User};
use crate::store;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::Serialize;
use std::sync::OnceLock;

/// Shorter passwords are refused.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longer ones too: hashing cost should not be up to the caller.
const MAX_PASSWORD_CHARS: usize = 1024;
const MAX_USERNAME_CHARS: usize = 64;

/// Failed sign-ins in a row after which an account waits before the next one.
pub const FAILED_SIGN_INS_BEFORE_WAITING: u32 = 5;
/// The first wait; each further failed sign-in doubles it, up to [`LONGEST_SIGN_IN_WAIT`].
pub const FIRST_SIGN_IN_WAIT: Duration = Duration::seconds(1);
pub const LONGEST_SIGN_IN_WAIT: Duration = Duration::minutes(15);

/// How long an account waits after the sign-in that made `failed` failed ones in a row: none
/// before the fifth, then 1 s, 2 s, 4 s … (doubling), never more than 15 minutes.
pub fn sign_in_wait(failed: u32) -> Option<Duration> {
    let beyond = failed.checked_sub(FAILED_SIGN_INS_BEFORE_WAITING)?;
    // 2^10 s is already past the cap; larger shifts would overflow.
    let doubled = FIRST_SIGN_IN_WAIT * (1 << beyond.min(10));
    Some(doubled.min(LONGEST_SIGN_IN_WAIT))
}

pub(crate) fn list_users(book: &Book, _: NoInput) -> Result<Vec<User>> {
    Ok(store::users::list(book.reader())?)
}

/// Adds a user; the password is hashed (argon2id, default parameters, random salt) before
/// the transaction, the audit record names the user but never the password or its hash.
pub(crate) fn add_user(book: &mut Book, actor: &Actor, input: AddUser) -> Result<User> {
    let username = input.username.trim().to_owned();
    if username.is_empty() {
        return Err(
            ApiError::validation("username", "Username can't be blank.").because(Reason::Blank)
        );
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
    check_password(&input.password)?;
    if input.scopes.is_empty() {
        return Err(ApiError::validation(
            "scopes",
            "Choose at least one scope: account_management or finance.",
        ));
    }
    if let Some(scope) = input
        .scopes
        .iter()
        .find(|scope| !matches!(scope, Scope::AccountManagement | Scope::Finance))
    {
        let name = serde_json::to_value(scope)?;
        return Err(ApiError::validation(
            "scopes",
            format!(
                "People have the account_management and finance scopes only; {} is for tokens.",
                name.as_str().unwrap_or("that scope")
            ),
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
            disabled: false,
            failed_sign_ins: 0,
            locked_until: None,
        };
        user.id = store::users::insert(write.tx, &user, &hash)?;
        write.audit("user", Some(user.id.0), None::<&User>, Some(&user))?;
        Ok(user)
    })
}

/// Removes a user: they can no longer sign in and their sessions end at their next request.
pub(crate) fn remove_user(write: &mut Write<'_>, input: ById) -> Result<User> {
    let user = existing(write, input.id)?;
    keep_someone_who_manages_people(write, &user, "remove")?;
    store::users::delete(write.tx, user.id)?;
    write.audit("user", Some(user.id.0), Some(&user), None::<&User>)?;
    Ok(user)
}

/// Disables a user: they cannot sign in, and their sessions end, until they are enabled.
pub(crate) fn disable_user(write: &mut Write<'_>, input: ById) -> Result<User> {
    let before = existing(write, input.id)?;
    if before.disabled {
        return Ok(before);
    }
    keep_someone_who_manages_people(write, &before, "disable")?;
    store::users::set_disabled(write.tx, before.id, true)?;
    changed(write, before)
}

pub(crate) fn enable_user(write: &mut Write<'_>, input: ById) -> Result<User> {
    let before = existing(write, input.id)?;
    if !before.disabled {
        return Ok(before);
    }
    store::users::set_disabled(write.tx, before.id, false)?;
    changed(write, before)
}

/// Sets a user's password (hashed before the transaction); their sessions end, and a wait
/// after failed sign-ins is lifted. The audit records that it changed, never what to.
pub(crate) fn change_password(
    book: &mut Book,
    actor: &Actor,
    input: ChangePassword,
) -> Result<User> {
    check_password(&input.password)?;
    // Unknown users are refused before the slow hash.
    store::users::get(book.reader(), input.id)?.ok_or_else(|| not_found(input.id))?;
    let hash = hash_password(&input.password)?;
    book.write(actor, "change_password", move |write| {
        let before = existing(write, input.id)?;
        store::users::set_password(write.tx, before.id, &hash)?;
        let after = existing(write, input.id)?;
        #[derive(Serialize)]
        struct PasswordChanged<'a> {
            #[serde(flatten)]
            user: &'a User,
            password: &'static str,
        }
        write.audit(
            "user",
            Some(after.id.0),
            Some(&before),
            Some(&PasswordChanged {
                user: &after,
                password: "changed",
            }),
        )?;
        Ok(after)
    })
}

fn existing(write: &Write<'_>, id: Id) -> Result<User> {
    store::users::get(write.tx, id)?.ok_or_else(|| not_found(id))
}

fn changed(write: &mut Write<'_>, before: User) -> Result<User> {
    let after = existing(write, before.id)?;
    write.audit("user", Some(after.id.0), Some(&before), Some(&after))?;
    Ok(after)
}

/// Whether `user` may manage people and tokens over HTTP: enabled, read-write, with both
/// scopes (docs/access.md).
fn manages_people(user: &User) -> bool {
    !user.disabled
        && user.permission == Permission::Rw
        && [Scope::AccountManagement, Scope::Finance]
            .iter()
            .all(|scope| user.scopes.contains(scope))
}

/// Refuses to remove or disable the last person who may manage people: nobody signed in could
/// then add anyone again (only the desktop or the command line could).
fn keep_someone_who_manages_people(write: &Write<'_>, user: &User, verb: &str) -> Result<()> {
    if !manages_people(user) {
        return Ok(());
    }
    let others = store::users::list(write.tx)?
        .into_iter()
        .any(|other| other.id != user.id && manages_people(&other));
    if others {
        return Ok(());
    }
    Err(ApiError::invalid_state(format!(
        "{} is the last person who may manage people (read-write, with the account_management \
         and finance scopes); add another before you {verb} them.",
        user.username
    )))
}

fn check_password(password: &str) -> Result<()> {
    let length = password.chars().count();
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
    Ok(())
}

// --- signing in ---------------------------------------------------------------------------

/// The first step of a sign-in.
#[derive(Debug)]
pub enum SignInStart {
    /// The account waits after failed sign-ins: refused without the password being checked.
    Wait { until: DateTime<Utc> },
    /// Check the password (slow: off the book's lock), then [`finish_sign_in`].
    Check(PasswordCheck),
}

/// How a sign-in ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// The password is right: `credentials_version` is what the session keeps
    /// ([`session_user`]).
    SignedIn {
        user: User,
        credentials_version: i64,
    },
    /// A wrong password or an unknown username (the same answer for both).
    Refused,
    /// The password is right, and the user is disabled.
    Disabled,
    /// The account waits after failed sign-ins (another attempt locked it meanwhile).
    Wait { until: DateTime<Utc> },
}

/// What the sign-in attempts of a user look like in the audit log.
#[derive(Serialize)]
struct Attempts {
    failed_sign_ins: u32,
    locked_until: Option<DateTime<Utc>>,
}

/// Starts a sign-in as `username`. A known user's attempt is counted now, as failed until
/// [`finish_sign_in`] says otherwise, so that parallel attempts cannot all be checked before
/// the first failure is recorded; from the fifth in a row on, the account waits
/// ([`sign_in_wait`]) and attempts are refused unchecked until the wait is over. An unknown
/// username is checked against a dummy hash, so that both take as long.
pub fn start_sign_in(book: &mut Book, actor: &Actor, username: &str) -> Result<SignInStart> {
    let username = username.trim().to_owned();
    book.write(actor, "sign_in", |write| {
        let Some(found) = store::users::by_username(write.tx, &username)? else {
            return Ok(SignInStart::Check(PasswordCheck {
                user: None,
                hash: dummy_hash().to_owned(),
            }));
        };
        let user = found.user;
        if let Some(until) = user.locked_until.filter(|until| *until > write.now) {
            return Ok(SignInStart::Wait { until });
        }
        let failed = user.failed_sign_ins.saturating_add(1);
        let locked_until = sign_in_wait(failed).map(|wait| whole_second_after(write.now + wait));
        store::users::set_sign_in_attempts(write.tx, user.id, failed, locked_until)?;
        write.audit(
            "user",
            Some(user.id.0),
            Some(&Attempts {
                failed_sign_ins: user.failed_sign_ins,
                locked_until: user.locked_until,
            }),
            Some(&Attempts {
                failed_sign_ins: failed,
                locked_until,
            }),
        )?;
        Ok(SignInStart::Check(PasswordCheck {
            user: Some(user.id),
            hash: found.password_hash,
        }))
    })
}

/// Ends a sign-in once its password is checked: a right one clears the failed sign-ins.
pub fn finish_sign_in(book: &mut Book, actor: &Actor, checked: CheckedPassword) -> Result<SignIn> {
    let CheckedPassword::Right(id) = checked else {
        return Ok(SignIn::Refused);
    };
    book.write(actor, "sign_in", |write| {
        // Read again: the user may have been removed, disabled or given a new password while
        // the hash was checked.
        let Some(found) = store::users::credentials_of(write.tx, id)? else {
            return Ok(SignIn::Refused);
        };
        let user = found.user;
        if user.disabled {
            return Ok(SignIn::Disabled);
        }
        if user.failed_sign_ins > 0 || user.locked_until.is_some() {
            store::users::set_sign_in_attempts(write.tx, user.id, 0, None)?;
            write.audit(
                "user",
                Some(user.id.0),
                Some(&Attempts {
                    failed_sign_ins: user.failed_sign_ins,
                    locked_until: user.locked_until,
                }),
                Some(&Attempts {
                    failed_sign_ins: 0,
                    locked_until: None,
                }),
            )?;
        }
        Ok(SignIn::SignedIn {
            user: User {
                failed_sign_ins: 0,
                locked_until: None,
                ..user
            },
            credentials_version: found.version,
        })
    })
}

/// The user a session opened with `credentials_version` belongs to, as they are now; none when
/// they were removed or disabled, or their password changed since.
pub fn session_user(book: &Book, id: Id, credentials_version: i64) -> Result<Option<User>> {
    book.snapshot(|book| {
        Ok(store::users::credentials_of(book.reader(), id)?
            .filter(|found| !found.user.disabled && found.version == credentials_version)
            .map(|found| found.user))
    })
}

/// The end of a wait, rounded up to a whole second (the book keeps instants in seconds).
fn whole_second_after(instant: DateTime<Utc>) -> DateTime<Utc> {
    let floor = instant
        .duration_trunc(Duration::seconds(1))
        .unwrap_or(instant);
    if floor == instant {
        instant
    } else {
        floor + Duration::seconds(1)
    }
}

/// The hash a sign-in checks its password against: a user's, or a dummy one for an unknown
/// username (checked all the same).
pub struct PasswordCheck {
    user: Option<Id>,
    hash: String,
}

/// What checking the password found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckedPassword {
    /// The password of the user with this id.
    Right(Id),
    /// A wrong password, or an unknown username.
    Wrong,
}

impl PasswordCheck {
    /// Checks `password` (slow: argon2id). Never right for an unknown username.
    pub fn verify(self, password: &str) -> CheckedPassword {
        let matches = PasswordHash::new(&self.hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        match self.user {
            Some(id) if matches => CheckedPassword::Right(id),
            _ => CheckedPassword::Wrong,
        }
    }
}

impl std::fmt::Debug for PasswordCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordCheck")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
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

fn not_found(id: Id) -> ApiError {
    ApiError::not_found(format!("There is no user {id}."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_from_the_fifth_failed_sign_in_and_is_capped() {
        let cases = [
            (0, None),
            (4, None),
            (5, Some(1)),
            (6, Some(2)),
            (7, Some(4)),
            (8, Some(8)),
            (14, Some(512)),
            (15, Some(900)),
            (16, Some(900)),
            (u32::MAX, Some(900)),
        ];
        for (failed, seconds) in cases {
            assert_eq!(
                sign_in_wait(failed).map(|wait| wait.num_seconds()),
                seconds,
                "after {failed} failed sign-ins"
            );
        }
    }

    #[test]
    fn a_wait_ends_on_a_whole_second() {
        let at = |text: &str| text.parse::<DateTime<Utc>>().unwrap_or_default();
        assert_eq!(
            whole_second_after(at("2025-01-15T10:00:01.2Z")),
            at("2025-01-15T10:00:02Z")
        );
        assert_eq!(
            whole_second_after(at("2025-01-15T10:00:01Z")),
            at("2025-01-15T10:00:01Z")
        );
    }
}
