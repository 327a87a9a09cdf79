//! `counterfoil sync`: link a book to a server, one round, its status, unlink (docs/sync.md).
//! The engine does the work; this reads arguments, moves the snapshot file and prints.

use crate::BookArg;
use anyhow::{anyhow, bail, Context};
use counterfoil_engine::sync::desktop::{self, LinkSettings, RoundError};
use counterfoil_engine::sync::Role;
use counterfoil_engine::{Actor, ApiError, Book, Clock, SyncClass};
use counterfoil_server::sync_client::{computer_name, HttpTransport};

#[derive(clap::Args)]
pub(crate) struct SyncArgs {
    #[command(subcommand)]
    command: Option<SyncCommand>,
    #[command(flatten)]
    book: BookArg,
}

#[derive(clap::Subcommand)]
enum SyncCommand {
    /// Make the book a linked copy of a server's book. A new or empty book starts from the
    /// server's copy; one with data is refused unless --replace (the server's copy replaces
    /// it, the old file kept beside it) or --publish (it becomes an empty server's book).
    Link(LinkArgs),
    /// Make a linked book standalone again: it keeps what it holds and bills itself.
    Unlink(BookOnly),
    /// The server, the last sync, the changes waiting and those the server refused.
    Status(StatusArgs),
}

#[derive(clap::Args)]
struct LinkArgs {
    #[command(flatten)]
    book: BookArg,
    /// The server's address, e.g. https://books.example.com:8443/ (http only on loopback).
    #[arg(long)]
    server: String,
    /// A token made on the server with `counterfoil token create --scopes sync` (one per
    /// desktop).
    #[arg(
        long,
        required_unless_present = "username",
        conflicts_with = "username"
    )]
    token: Option<String>,
    /// Sign in on the server as this user instead of giving a token (the password from
    /// COUNTERFOIL_PASSWORD, else asked): the server makes this desktop's sync token.
    #[arg(long)]
    username: Option<String>,
    /// The SHA-256 fingerprint of the server's certificate, as `serve` prints it (https).
    #[arg(long)]
    fingerprint: Option<String>,
    /// Replace a book that has data of its own by the server's copy (kept as a backup).
    #[arg(long)]
    replace: bool,
    /// Publish a book with data to an empty server: the server takes it as its book and this
    /// book stays as it is, linked.
    #[arg(long, conflicts_with = "replace")]
    publish: bool,
}

#[derive(clap::Args)]
struct BookOnly {
    #[command(flatten)]
    book: BookArg,
}

#[derive(clap::Args)]
struct StatusArgs {
    #[command(flatten)]
    book: BookArg,
    /// Print the status as JSON.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: SyncArgs) -> anyhow::Result<()> {
    match args.command {
        None => round(&args.book),
        Some(SyncCommand::Link(link)) => self::link(link),
        Some(SyncCommand::Unlink(only)) => {
            let mut book = only.book.open()?;
            desktop::unlink(&mut book, &Actor::new("cli")).map_err(|e| anyhow!(e.message))?;
            println!("{} is standalone again", book.path().display());
            Ok(())
        }
        Some(SyncCommand::Status(status)) => self::status(status),
    }
}

fn link(args: LinkArgs) -> anyhow::Result<()> {
    let path = args.book.path()?;
    // What this book allows is settled before the server is asked for anything (a sign-in
    // makes a token there).
    let publishing = if args.publish {
        Some(PublishCopy::of(&path)?)
    } else {
        desktop::check_linkable(&path, args.replace, Clock::from_fn(chrono::Utc::now))
            .map_err(|e| anyhow!(e.message))?;
        None
    };
    let device = desktop::new_device_id().map_err(|e| anyhow!(e.message))?;
    let mut settings = LinkSettings {
        server_url: args.server,
        fingerprint: args.fingerprint,
        token: args.token.unwrap_or_default(),
        device_id: device,
    };
    if let Some(username) = &args.username {
        let password = match std::env::var("COUNTERFOIL_PASSWORD") {
            Ok(password) => password,
            Err(_) => rpassword::prompt_password(format!("Password of {username}: "))?,
        };
        settings.token = HttpTransport::new(&settings)?.token_for_person(
            username,
            &password,
            &computer_name(),
        )?;
    }
    if let Some(publishing) = publishing {
        return publishing.send(&settings);
    }
    let transport = HttpTransport::new(&settings)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    // Beside the book, so that putting it in place is one rename on the same disk.
    let snapshot = tempfile::Builder::new()
        .prefix(".counterfoil-snapshot")
        .tempfile_in(dir)?
        .into_temp_path();
    let cursor = transport.snapshot(&snapshot)?;
    let backup = desktop::link_from_snapshot(
        &path,
        &snapshot,
        &settings,
        args.replace,
        Clock::from_fn(chrono::Utc::now),
    )
    .map_err(|e| anyhow!(e.message))?;
    // The snapshot file is now the book: nothing left to remove.
    let _ = snapshot.keep();
    if let Some(backup) = backup {
        println!("the book that was here is kept as {}", backup.display());
    }
    println!(
        "{} is linked to {} (server feed position {cursor})",
        path.display(),
        settings.server_url
    );
    Ok(())
}

/// `sync link --publish`: the standalone book at `path` becomes the (empty) server's book and
/// stays here, linked.
struct PublishCopy {
    book: Book,
    copy: tempfile::TempPath,
}

impl PublishCopy {
    /// The copy to send, written beside the book (refused when there is nothing to publish).
    fn of(path: &std::path::Path) -> anyhow::Result<PublishCopy> {
        if !path.exists() {
            bail!(
                "{} does not exist: there is nothing to publish",
                path.display()
            );
        }
        let book = Book::open(path, Clock::from_fn(chrono::Utc::now))
            .with_context(|| format!("could not open {}", path.display()))?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        let copy = tempfile::Builder::new()
            .prefix(".counterfoil-publish")
            .tempfile_in(dir)?
            .into_temp_path();
        desktop::publish_copy(&book, &copy).map_err(|e| anyhow!(e.message))?;
        Ok(PublishCopy { book, copy })
    }

    fn send(mut self, settings: &LinkSettings) -> anyhow::Result<()> {
        let cursor = HttpTransport::new(settings)?.publish(&self.copy)?;
        desktop::linked_after_publish(&mut self.book, settings, cursor).map_err(|e| {
            anyhow!(
                "the server took the book, but this copy could not be marked linked ({}): \
                 link it again with --replace to start from the server's copy, which is \
                 this book",
                e.message
            )
        })?;
        println!(
            "{} is published to {} and linked to it",
            self.book.path().display(),
            settings.server_url
        );
        Ok(())
    }
}

fn open_linked(book: &BookArg) -> anyhow::Result<(Book, LinkSettings)> {
    let book = book.open()?;
    let link = desktop::link_settings(&book)
        .map_err(|e| anyhow!(e.message))?
        .ok_or_else(|| {
            anyhow!(
                "{} is not linked to a server (counterfoil sync link)",
                book.path().display()
            )
        })?;
    Ok((book, link))
}

/// Whether `operation` is one only the server runs, asked of a linked book.
pub(crate) fn is_for_the_server(book: &Book, operation: &str) -> bool {
    book.sync_role() == Role::Linked
        && counterfoil_engine::operation_sync_class(operation) == Some(SyncClass::ServerOnly)
}

/// Runs such an operation on the server (`counterfoil op` on a linked book): its answer, or its
/// refusal, or why the server could not be asked.
pub(crate) fn on_the_server(
    book: &mut Book,
    actor: &Actor,
    operation: &str,
    input: serde_json::Value,
) -> Result<serde_json::Value, ApiError> {
    let link = desktop::link_settings(book)?
        .ok_or_else(|| ApiError::invalid_state("This book is not linked to a server."))?;
    let mut transport =
        HttpTransport::new(&link).map_err(|e| ApiError::invalid_state(e.to_string()))?;
    desktop::send_to_server(book, &mut transport, actor, operation, input)
}

fn round(book: &BookArg) -> anyhow::Result<()> {
    let (mut book, link) = open_linked(book)?;
    let mut transport = HttpTransport::new(&link)?;
    match desktop::round(&mut book, &mut transport) {
        Ok(report) => {
            println!(
                "synced: {} sent ({} applied, {} not applied), {} rows received, {} waiting",
                report.pushed, report.applied, report.refused, report.rows, report.waiting
            );
            Ok(())
        }
        Err(RoundError::Transport(error)) => {
            bail!("{error}; the changes made here wait for the next sync")
        }
        Err(RoundError::Book(error)) => bail!("{}", error.message),
    }
}

fn status(args: StatusArgs) -> anyhow::Result<()> {
    let book = args.book.open()?;
    let status = desktop::status(&book).map_err(|e| anyhow!(e.message))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&status)?);
        return Ok(());
    }
    println!("book:    {}", book.path().display());
    println!("role:    {:?}", status.role);
    if let Some(server) = &status.server_url {
        println!("server:  {server}");
    }
    match (status.last_synced_at, status.offline_since) {
        (_, Some(since)) => println!("offline since {since}"),
        (Some(at), None) => println!("last synced {at}"),
        (None, None) => {}
    }
    println!("waiting: {} changes", status.waiting);
    for refused in &status.refused {
        println!(
            "not applied: {} ({}) at {}: {} [{}{}]",
            refused.operation,
            refused.op_id,
            refused.performed_at,
            refused.message,
            refused.code,
            refused
                .field
                .as_deref()
                .map(|f| format!(", {f}"))
                .unwrap_or_default()
        );
    }
    Ok(())
}
