//! `counterfoil`: the command line of the Counterfoil billing back office.

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use counterfoil_engine::{paths, Book, Clock};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "counterfoil",
    version,
    about = "Counterfoil: a billing back office for API providers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the UI and its operations (POST /rpc/<operation>) over HTTP.
    Serve(ServeArgs),
}

#[derive(clap::Args)]
struct BookArg {
    /// The book (SQLite file) to work on; created when missing. Defaults to the desktop app's
    /// book in the per-user data directory.
    #[arg(long, value_name = "FILE")]
    book: Option<PathBuf>,
}

impl BookArg {
    fn path(&self) -> anyhow::Result<PathBuf> {
        match &self.book {
            Some(path) => Ok(path.clone()),
            None => paths::default_book_path()
                .context("no per-user data directory found; pass --book FILE"),
        }
    }

    fn open(&self) -> anyhow::Result<Book> {
        let path = self.path()?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("could not create {}", parent.display()))?;
        }
        // The shells are the only place that reads the system clock.
        Ok(Book::open(&path, Clock::from_fn(chrono::Utc::now))?)
    }
}

#[derive(clap::Args)]
struct ServeArgs {
    #[command(flatten)]
    book: BookArg,
    /// Address to listen on. Only loopback addresses are allowed until sign-in exists.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// The built UI to serve at / (default: ui/dist of this source tree, when present).
    #[arg(long, value_name = "DIR")]
    ui: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve(args) => serve(args),
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    if !args.listen.ip().is_loopback() {
        bail!(
            "refusing to listen on {}: Counterfoil has no sign-in yet, so it only serves \
             loopback addresses such as 127.0.0.1",
            args.listen
        );
    }
    let book = args.book.open()?;
    let ui_dir = args.ui.or_else(|| {
        let built = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist");
        built.join("index.html").exists().then_some(built)
    });
    if ui_dir.is_none() {
        tracing::warn!(
            "no built UI found (run `npm run build` in ui/ or pass --ui DIR); serving /rpc only"
        );
    }
    let book_path = book.path().display().to_string();
    let router = counterfoil_server::app(counterfoil_server::AppState::new(book, ui_dir));
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("could not listen on {}", args.listen))?;
        let address = listener.local_addr()?;
        tracing::info!(book = %book_path, "Counterfoil is serving http://{address}/");
        counterfoil_server::serve(listener, router).await?;
        Ok(())
    })
}
