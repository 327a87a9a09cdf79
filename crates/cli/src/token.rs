//! `counterfoil token create`: a personal access token for the 3scale-compatible API.

use crate::BookArg;
use counterfoil_engine::model::{CreateAccessToken, Permission, Scope};
use counterfoil_engine::{op, Actor};

#[derive(clap::Args)]
pub(crate) struct CreateArgs {
    #[command(flatten)]
    book: BookArg,
    /// What the token is for (shown in lists and logs).
    #[arg(long)]
    name: String,
    /// Comma-separated: account_management (/admin/api), finance (/api), cms, stats,
    /// policy_registry.
    #[arg(long, value_delimiter = ',', required = true)]
    scopes: Vec<ScopeArg>,
    /// ro: read only; rw: read and write.
    #[arg(long, value_enum, default_value = "ro")]
    permission: PermissionArg,
    /// When the token stops working (RFC 3339); never by default.
    #[arg(long, value_name = "INSTANT")]
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
enum ScopeArg {
    AccountManagement,
    Finance,
    Cms,
    Stats,
    PolicyRegistry,
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
    let scopes: Vec<String> = token
        .scopes
        .iter()
        .filter_map(|scope| serde_json::to_value(scope).ok())
        .filter_map(|value| value.as_str().map(str::to_owned))
        .collect();
    eprintln!(
        "token {} \"{}\": scopes {}, {}; keep the value below, it is not shown again:",
        token.id,
        token.name,
        scopes.join(","),
        if token.permission == Permission::Rw {
            "read and write"
        } else {
            "read only"
        },
    );
    println!("{}", created.value);
    Ok(())
}
