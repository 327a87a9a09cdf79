//! Who may use the book over HTTP (docs/access.md): access tokens made, listed, expired and
//! revoked; people added, disabled, enabled, given a new password and removed; and the wait
//! after five failed sign-ins in a row, on the book's simulated clock. Neither a token's value
//! nor a password ever reaches the audit log.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{audit_list, by_id, instant, Fixture};
use counterfoil_engine::model::*;
use counterfoil_engine::{
    authenticate_token, finish_sign_in, op, session_user, start_sign_in, ErrorCode, SignIn,
    SignInStart,
};

const PASSWORD: &str = "correct horse battery staple";

fn token(name: &str, expires_at: Option<DateTime<Utc>>) -> CreateAccessToken {
    CreateAccessToken {
        name: name.into(),
        scopes: vec![Scope::Finance, Scope::AccountManagement],
        permission: Permission::Rw,
        expires_at,
    }
}

fn person(username: &str, scopes: Vec<Scope>, permission: Permission) -> AddUser {
    AddUser {
        username: username.into(),
        password: PASSWORD.into(),
        scopes,
        permission,
    }
}

fn admin(username: &str) -> AddUser {
    person(
        username,
        vec![Scope::AccountManagement, Scope::Finance],
        Permission::Rw,
    )
}

/// A whole sign-in as the server makes it: start (counted, or refused while the account
/// waits), the password checked, the end.
fn sign_in(f: &mut Fixture, username: &str, password: &str) -> SignIn {
    match start_sign_in(&mut f.book, &f.actor, username).unwrap() {
        SignInStart::Wait { until } => SignIn::Wait { until },
        SignInStart::Check(check) => {
            finish_sign_in(&mut f.book, &f.actor, check.verify(password)).unwrap()
        }
    }
}

fn signed_in_version(outcome: SignIn) -> i64 {
    match outcome {
        SignIn::SignedIn {
            credentials_version,
            ..
        } => credentials_version,
        other => panic!("not signed in: {other:?}"),
    }
}

/// Every audit record as JSON text, to look for what must never be in it.
fn audit_text(f: &mut Fixture) -> String {
    let audit = f.ok(
        op::list_audit,
        ListAudit {
            per_page: 500,
            ..audit_list()
        },
    );
    serde_json::to_string(&audit.items).unwrap()
}

#[test]
fn tokens_are_made_listed_expire_and_are_revoked() {
    let mut f = Fixture::at(instant("2025-01-15T10:00:00Z"));
    let forever = f.ok(op::create_access_token, token("Reports", None));
    let soon = f.ok(
        op::create_access_token,
        token("Month end", Some(instant("2025-01-16T10:00:00Z"))),
    );
    assert_eq!(forever.value.len(), 96, "48 random bytes as hex");
    assert_ne!(forever.value, soon.value);
    assert_eq!(
        forever.token.scopes,
        vec![Scope::AccountManagement, Scope::Finance]
    );

    let listed = f.ok(op::list_access_tokens, ListAccessTokens::default());
    let names: Vec<(&str, bool)> = listed
        .iter()
        .map(|t| (t.name.as_str(), t.expired))
        .collect();
    assert_eq!(names, [("Reports", false), ("Month end", false)]);
    assert!(authenticate_token(&f.book, &soon.value).unwrap().is_some());

    // Past its expiry by the book's clock: refused, still listed as expired.
    f.clock.set(instant("2025-01-16T10:00:00Z"));
    assert_eq!(authenticate_token(&f.book, &soon.value).unwrap(), None);
    let listed = f.ok(op::list_access_tokens, ListAccessTokens::default());
    assert!(listed[1].expired, "{listed:?}");
    assert!(!listed[0].expired);

    // An expiry in the past is refused by name.
    let past = token("Late", Some(instant("2025-01-01T00:00:00Z")));
    f.refused(
        op::create_access_token,
        past,
        ErrorCode::Validation,
        Some("expires_at"),
    );

    // Revoked: refused at once, gone from the list.
    let revoked = f.ok(op::delete_access_token, by_id(forever.token.id));
    assert_eq!(revoked.name, "Reports");
    assert_eq!(authenticate_token(&f.book, &forever.value).unwrap(), None);
    let listed = f.ok(op::list_access_tokens, ListAccessTokens::default());
    assert_eq!(listed.len(), 1);
    f.refused(
        op::delete_access_token,
        by_id(forever.token.id),
        ErrorCode::NotFound,
        None,
    );

    let audit = audit_text(&mut f);
    assert!(audit.contains("Reports"), "the audit names the token");
    for value in [&forever.value, &soon.value] {
        assert!(
            !audit.contains(value.as_str()),
            "a token's value in the audit"
        );
    }
}

#[test]
fn people_are_added_disabled_enabled_given_a_password_and_removed() {
    let mut f = Fixture::new();
    let ana = f.ok(op::add_user, admin("ana"));
    let bob = f.ok(
        op::add_user,
        person("bob", vec![Scope::Finance], Permission::Ro),
    );
    assert_eq!(
        f.ok(op::list_users, NoInput {})
            .iter()
            .map(|u| (u.username.as_str(), u.disabled))
            .collect::<Vec<_>>(),
        [("ana", false), ("bob", false)]
    );

    // Refused by name: a taken username (any case), a short password, a token-only scope.
    f.refused(
        op::add_user,
        admin("ANA"),
        ErrorCode::Validation,
        Some("username"),
    );
    let short = AddUser {
        password: "short".into(),
        ..admin("carol")
    };
    f.refused(op::add_user, short, ErrorCode::Validation, Some("password"));
    let cms = person("carol", vec![Scope::Cms], Permission::Ro);
    f.refused(op::add_user, cms, ErrorCode::Validation, Some("scopes"));

    // Bob signs in; disabled, his session ends and his right password no longer signs in.
    let version = signed_in_version(sign_in(&mut f, "bob", PASSWORD));
    assert!(session_user(&f.book, bob.id, version).unwrap().is_some());
    let disabled = f.ok(op::disable_user, by_id(bob.id));
    assert!(disabled.disabled);
    assert_eq!(session_user(&f.book, bob.id, version).unwrap(), None);
    assert_eq!(sign_in(&mut f, "bob", PASSWORD), SignIn::Disabled);
    assert_eq!(
        sign_in(&mut f, "bob", "a wrong password!"),
        SignIn::Refused,
        "a wrong password says nothing about the user being disabled"
    );

    // Enabled again: he signs in; the session from before stays ended.
    f.ok(op::enable_user, by_id(bob.id));
    let version_after = signed_in_version(sign_in(&mut f, "bob", PASSWORD));
    assert_eq!(session_user(&f.book, bob.id, version).unwrap(), None);
    assert!(session_user(&f.book, bob.id, version_after)
        .unwrap()
        .is_some());

    // A new password: the old one is refused and the sessions end.
    let new_password = "a much better passphrase";
    f.ok(
        op::change_password,
        ChangePassword {
            id: bob.id,
            password: new_password.into(),
        },
    );
    assert_eq!(session_user(&f.book, bob.id, version_after).unwrap(), None);
    assert_eq!(sign_in(&mut f, "bob", PASSWORD), SignIn::Refused);
    signed_in_version(sign_in(&mut f, "bob", new_password));
    f.refused(
        op::change_password,
        ChangePassword {
            id: bob.id,
            password: "short".into(),
        },
        ErrorCode::Validation,
        Some("password"),
    );

    // Ana is the only one who may manage people: she can be neither removed nor disabled.
    let last = f.refused(
        op::remove_user,
        by_id(ana.id),
        ErrorCode::InvalidState,
        None,
    );
    assert!(
        last.message.contains("last person who may manage people"),
        "{last:?}"
    );
    f.refused(
        op::disable_user,
        by_id(ana.id),
        ErrorCode::InvalidState,
        None,
    );
    let dora = f.ok(op::add_user, admin("dora"));
    f.ok(op::remove_user, by_id(ana.id));
    f.ok(op::remove_user, by_id(bob.id));
    assert_eq!(sign_in(&mut f, "bob", new_password), SignIn::Refused);
    assert_eq!(
        f.ok(op::list_users, NoInput {})
            .iter()
            .map(|u| u.id)
            .collect::<Vec<_>>(),
        [dora.id]
    );
    f.refused(op::remove_user, by_id(bob.id), ErrorCode::NotFound, None);

    let audit = audit_text(&mut f);
    for secret in [PASSWORD, new_password, "$argon2"] {
        assert!(!audit.contains(secret), "{secret} in the audit");
    }
    assert!(audit.contains(r#""password":"changed""#), "{audit}");
}

#[test]
fn after_five_failed_sign_ins_in_a_row_an_account_waits_longer_each_time() {
    let start = instant("2025-01-15T10:00:00Z");
    let mut f = Fixture::at(start);
    f.ok(op::add_user, admin("ana"));
    let wrong = "not the password at all";

    for attempt in 1..=5 {
        assert_eq!(
            sign_in(&mut f, "ana", wrong),
            SignIn::Refused,
            "attempt {attempt}"
        );
    }
    let ana = &f.ok(op::list_users, NoInput {})[0];
    assert_eq!(ana.failed_sign_ins, 5);
    assert_eq!(ana.locked_until, Some(start + Duration::seconds(1)));

    // During the wait even the right password is refused, unchecked and uncounted.
    let waits = SignIn::Wait {
        until: start + Duration::seconds(1),
    };
    assert_eq!(sign_in(&mut f, "ana", PASSWORD), waits);
    assert_eq!(f.ok(op::list_users, NoInput {})[0].failed_sign_ins, 5);

    // Each further failure doubles the wait: 2 s, then 4 s.
    f.clock.set(start + Duration::seconds(1));
    assert_eq!(sign_in(&mut f, "ana", wrong), SignIn::Refused);
    let second = start + Duration::seconds(1 + 2);
    assert_eq!(
        sign_in(&mut f, "ana", PASSWORD),
        SignIn::Wait { until: second }
    );
    f.clock.set(second - Duration::milliseconds(500));
    assert_eq!(
        sign_in(&mut f, "ana", PASSWORD),
        SignIn::Wait { until: second },
        "not over half a second early"
    );
    f.clock.set(second);
    assert_eq!(sign_in(&mut f, "ana", wrong), SignIn::Refused);
    assert_eq!(
        f.ok(op::list_users, NoInput {})[0].locked_until,
        Some(second + Duration::seconds(4))
    );

    // After the wait the right password signs in and clears the count.
    f.clock.set(second + Duration::seconds(4));
    signed_in_version(sign_in(&mut f, "ana", PASSWORD));
    let ana = &f.ok(op::list_users, NoInput {})[0];
    assert_eq!((ana.failed_sign_ins, ana.locked_until), (0, None));

    // In a row: four failures and a success start the count again.
    for _ in 0..4 {
        sign_in(&mut f, "ana", wrong);
    }
    signed_in_version(sign_in(&mut f, "ana", PASSWORD));
    for _ in 0..4 {
        assert_eq!(sign_in(&mut f, "ana", wrong), SignIn::Refused);
    }
    assert_eq!(f.ok(op::list_users, NoInput {})[0].locked_until, None);

    // A new password set by someone who manages people lifts a wait.
    sign_in(&mut f, "ana", wrong);
    assert!(matches!(
        sign_in(&mut f, "ana", PASSWORD),
        SignIn::Wait { .. }
    ));
    let id = f.ok(op::list_users, NoInput {})[0].id;
    f.ok(
        op::change_password,
        ChangePassword {
            id,
            password: PASSWORD.into(),
        },
    );
    signed_in_version(sign_in(&mut f, "ana", PASSWORD));

    // Unknown usernames are refused like wrong passwords, and never wait.
    for _ in 0..7 {
        assert_eq!(sign_in(&mut f, "nobody", wrong), SignIn::Refused);
    }
    let audit = audit_text(&mut f);
    assert!(!audit.contains(wrong) && !audit.contains(PASSWORD));
}
