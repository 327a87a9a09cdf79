//! `counterfoil token create|list|revoke`: personal access tokens for the 3scale-compatible
//! API, through the same operations as Settings → Access.

use crate::BookArg;
use counterfoil_engine::model::{ById, CreateAccessToken, Id, ListAccessTokens, Permission, Scope};
use counterfoil_engine::{op, Actor};

#[derive(clap::Args)]
pub(crate) struct CreateArgs {
    #[command(flatten)]
    book: BookArg,
    /// What the token is for (shown in lists and logs).
    #[arg(long)]
    name: String,
    /// Comma-separated: account_management (/admin/api), finance (/api), cms, stats,
    /// policy_registry, sync (a desktop linked to this book: docs/sync.md).
    #[arg(long, value_delimiter = ',', required = true)]
    scopes: Vec<ScopeArg>,
    /// ro: read only; rw: read and write.
    #[arg(long, value_enum, default_value = "ro")]
    permission: PermissionArg,
    /// When the token stops working (RFC 3339); never by default.
    #[arg(long, value_name = "INSTANT")]
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(clap::Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    book: BookArg,
}

#[derive(clap::Args)]
pub(crate) struct RevokeArgs {
    #[command(flatten)]
    book: BookArg,
    /// The token's id (see `counterfoil token list`).
    #[arg(long)]
    id: i64,
}

#[derive(Clone, Copy, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
enum ScopeArg {
    AccountManagement,
    Finance,
    Cms,
    Stats,
    PolicyRegistry,
    Sync,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PermissionArg {
    Ro,
    Rw,
}

/// Prints what the token may do, then its value alone on the last line (the only time it is
/// shown: the book keeps a digest).
pub(crate) fn create(args: CreateArgs) -> anyhow::Result<()> {
    let mut book = args.book.open()?;
    let input = CreateAccessToken {
        name: args.name,
        scopes: args
            .scopes
            .iter()
            .map(|scope| match scope {
                ScopeArg::AccountManagement => Scope::AccountManagement,
                ScopeArg::Finance => Scope::Finance,
                ScopeArg::Cms => Scope::Cms,
                ScopeArg::Stats => Scope::Stats,
                ScopeArg::PolicyRegistry => Scope::PolicyRegistry,
                ScopeArg::Sync => Scope::Sync,
            })
            .collect(),
        permission: match args.permission {
            PermissionArg::Ro => Permission::Ro,
            PermissionArg::Rw => Permission::Rw,
        },
        expires_at: args.expires_at,
    };
    let created = op::create_access_token(&mut book, &Actor::new("cli"), input)
        .map_err(|error| anyhow::anyhow!("{}", error.message))?;
    let token = &created.token;
    eprintln!(
        "token {} \"{}\": {}; keep the value below, it is not shown again:",
        token.id,
        token.name,
        describe(&token.scopes, token.permission),
    );
    println!("{}", created.value);
    Ok(())
}

/// One line per token: id, name, scopes, permission, expiry (never its value: only a digest
/// is kept).
pub(crate) fn list(args: ListArgs) -> anyhow::Result<()> {
    let book = args.book.open()?;
    let tokens = op::list_access_tokens(&book, ListAccessTokens::default())
        .map_err(|error| anyhow::anyhow!("{}", error.message))?;
    if tokens.is_empty() {
        println!("no tokens: make one with `counterfoil token create`");
    }
    for token in tokens {
        let expiry = match token.expires_at {
            None => "never expires".to_owned(),
            Some(at) => format!(
                "{} {}",
                if token.expired { "expired" } else { "expires" },
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        };
        println!(
            "{}\t{}\t{}\t{expiry}",
            token.id,
            token.name,
            describe(&token.scopes, token.permission)
        );
    }
    Ok(())
}

/// Revokes a token: it is refused from the next request on.
pub(crate) fn revoke(args: RevokeArgs) -> anyhow::Result<()> {
    let mut book = args.book.open()?;
    let token = op::delete_access_token(&mut book, &Actor::new("cli"), ById { id: Id(args.id) })
        .map_err(|error| anyhow::anyhow!("{}", error.message))?;
    println!("token {} \"{}\" revoked", token.id, token.name);
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
