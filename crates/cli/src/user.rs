//! `counterfoil user add|list|remove|disable|enable|password`: the people who may sign in to
//! the UI served over HTTP (docs/access.md), through the same operations as Settings → Access.

use crate::BookArg;
use anyhow::{bail, Context};
use counterfoil_engine::model::{AddUser, ById, ChangePassword, NoInput, Permission, Scope, User};
use counterfoil_engine::{op, Actor, Book, MIN_PASSWORD_CHARS};

/// Where a script puts the password instead of typing it.
const PASSWORD_VAR: &str = "COUNTERFOIL_PASSWORD";

#[derive(clap::Args)]
pub(crate) struct AddArgs {
    #[command(flatten)]
    book: BookArg,
    /// The name to sign in with (unique, case-insensitive).
    #[arg(long)]
    username: String,
    /// Comma-separated: account_management (accounts, services, plans, applications, usage,
    /// settings, tokens) and/or finance (invoices, charging, PDFs, earnings).
    #[arg(long, value_delimiter = ',', required = true)]
    scopes: Vec<ScopeArg>,
    /// ro: read only; rw: read and write.
    #[arg(long, value_enum, default_value = "ro")]
    permission: PermissionArg,
}

#[derive(clap::Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    book: BookArg,
}

/// A command about one user, named by username.
#[derive(clap::Args)]
pub(crate) struct UserArgs {
    #[command(flatten)]
    book: BookArg,
    /// The user's username (case-insensitive).
    #[arg(long)]
    username: String,
}

#[derive(Clone, Copy, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
enum ScopeArg {
    AccountManagement,
    Finance,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PermissionArg {
    Ro,
    Rw,
}

/// The password from COUNTERFOIL_PASSWORD, else asked twice, unechoed.
fn password_for(username: &str) -> anyhow::Result<String> {
    match std::env::var(PASSWORD_VAR) {
        Ok(password) => Ok(password),
        Err(std::env::VarError::NotUnicode(_)) => bail!("{PASSWORD_VAR} is not valid UTF-8"),
        Err(std::env::VarError::NotPresent) => prompt_twice(username),
    }
}

/// Adds a user; the password comes from COUNTERFOIL_PASSWORD or is asked twice, unechoed.
pub(crate) fn add(args: AddArgs) -> anyhow::Result<()> {
    let password = password_for(&args.username)?;
    let mut book = args.book.open()?;
    let input = AddUser {
        username: args.username,
        password,
        scopes: args
            .scopes
            .iter()
            .map(|scope| match scope {
                ScopeArg::AccountManagement => Scope::AccountManagement,
                ScopeArg::Finance => Scope::Finance,
            })
            .collect(),
        permission: match args.permission {
            PermissionArg::Ro => Permission::Ro,
            PermissionArg::Rw => Permission::Rw,
        },
    };
    let user = op::add_user(&mut book, &Actor::new("cli"), input)
        .map_err(|error| anyhow::anyhow!("{}", error.message))?;
    println!(
        "user {} \"{}\" added: {}",
        user.id,
        user.username,
        describe(&user.scopes, user.permission)
    );
    Ok(())
}

fn prompt_twice(username: &str) -> anyhow::Result<String> {
    let first = rpassword::prompt_password(format!(
        "Password for {username} (at least {MIN_PASSWORD_CHARS} characters): "
    ))?;
    let second = rpassword::prompt_password("The same password again: ")?;
    if first != second {
        bail!("the two passwords differ; nothing was changed");
    }
    Ok(first)
}

/// One line per user: id, username, scopes, permission, and "disabled" or a wait.
pub(crate) fn list(args: ListArgs) -> anyhow::Result<()> {
    let book = args.book.open()?;
    let users =
        op::list_users(&book, NoInput {}).map_err(|error| anyhow::anyhow!("{}", error.message))?;
    if users.is_empty() {
        println!("no users: add one with `counterfoil user add`");
    }
    let now = book.now();
    for user in users {
        let mut line = format!(
            "{}\t{}\t{}",
            user.id,
            user.username,
            describe(&user.scopes, user.permission)
        );
        if user.disabled {
            line.push_str("\tdisabled");
        }
        if let Some(until) = user.locked_until.filter(|until| *until > now) {
            line.push_str(&format!(
                "\twaits until {} after {} failed sign-ins",
                until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                user.failed_sign_ins
            ));
        }
        println!("{line}");
    }
    Ok(())
}

/// What one of the one-user commands does.
#[derive(Clone, Copy)]
pub(crate) enum Change {
    Remove,
    Disable,
    Enable,
    Password,
}

/// Removes, disables or enables a user, or sets their password (from COUNTERFOIL_PASSWORD or
/// asked twice); a new password and disabling end the user's sessions.
pub(crate) fn change(args: UserArgs, change: Change) -> anyhow::Result<()> {
    let mut book = args.book.open()?;
    let user = find(&book, &args.username)?;
    let actor = Actor::new("cli");
    let by_id = ById { id: user.id };
    let done = match change {
        Change::Remove => op::remove_user(&mut book, &actor, by_id).map(|_| "removed"),
        Change::Disable => op::disable_user(&mut book, &actor, by_id).map(|_| "disabled"),
        Change::Enable => op::enable_user(&mut book, &actor, by_id).map(|_| "enabled"),
        Change::Password => {
            let password = password_for(&user.username)?;
            let input = ChangePassword {
                id: user.id,
                password,
            };
            op::change_password(&mut book, &actor, input).map(|_| "given a new password")
        }
    }
    .map_err(|error| anyhow::anyhow!("{}", error.message))?;
    println!("user {} \"{}\" {done}", user.id, user.username);
    Ok(())
}

fn find(book: &Book, username: &str) -> anyhow::Result<User> {
    op::list_users(book, NoInput {})
        .map_err(|error| anyhow::anyhow!("{}", error.message))?
        .into_iter()
        .find(|user| user.username.eq_ignore_ascii_case(username.trim()))
        .with_context(|| format!("there is no user \"{username}\" (see `counterfoil user list`)"))
}

fn describe(scopes: &[Scope], permission: Permission) -> String {
    let scopes: Vec<String> = scopes
        .iter()
        .filter_map(|scope| serde_json::to_value(scope).ok())
        .filter_map(|value| value.as_str().map(str::to_owned))
        .collect();
    format!(
        "scopes {}, {}",
        scopes.join(","),
        if permission == Permission::Rw {
            "read and write"
        } else {
            "read only"
        }
    )
}
