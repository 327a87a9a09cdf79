//! `counterfoil user add` / `user list`: the people who may sign in to the UI served over
//! HTTP (docs/access.md).

use crate::BookArg;
use anyhow::bail;
use counterfoil_engine::model::{AddUser, Permission, Scope};
use counterfoil_engine::{Actor, MIN_PASSWORD_CHARS};

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

/// Adds a user; the password comes from COUNTERFOIL_PASSWORD or is asked twice, unechoed.
pub(crate) fn add(args: AddArgs) -> anyhow::Result<()> {
    let password = match std::env::var(PASSWORD_VAR) {
        Ok(password) => password,
        Err(std::env::VarError::NotUnicode(_)) => bail!("{PASSWORD_VAR} is not valid UTF-8"),
        Err(std::env::VarError::NotPresent) => prompt_twice(&args.username)?,
    };
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
    let user = counterfoil_engine::add_user(&mut book, &Actor::new("cli"), input)
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

/// One line per user: id, username, scopes, permission.
pub(crate) fn list(args: ListArgs) -> anyhow::Result<()> {
    let book = args.book.open()?;
    let users = counterfoil_engine::list_users(&book)
        .map_err(|error| anyhow::anyhow!("{}", error.message))?;
    if users.is_empty() {
        println!("no users: add one with `counterfoil user add`");
    }
    for user in users {
        println!(
            "{}\t{}\t{}",
            user.id,
            user.username,
            describe(&user.scopes, user.permission)
        );
    }
    Ok(())
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
