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
    /// Usage records.
    #[command(subcommand)]
    Usage(UsageCommand),
    /// Billing scenarios (docs/scenario-format.md).
    #[command(subcommand)]
    Scenario(ScenarioCommand),
}

#[derive(Subcommand)]
enum ScenarioCommand {
    /// Play a scenario on a fresh temporary book and print what the book holds at the end as
    /// JSON. Exits 2 when the file is not a valid scenario.
    Run {
        /// The scenario (JSON).
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum UsageCommand {
    /// Import usage from a CSV file with the header `application,metric,timestamp,value`.
    /// All rows are imported, or none: the first bad row is named.
    Import(ImportArgs),
}

#[derive(clap::Args)]
struct ImportArgs {
    #[command(flatten)]
    book: BookArg,
    /// The CSV file.
    file: PathBuf,
    /// Check every row and list the problems without importing anything.
    #[arg(long)]
    dry_run: bool,
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
        Command::Usage(UsageCommand::Import(args)) => import_usage(args),
        Command::Scenario(ScenarioCommand::Run { file }) => run_scenario(&file),
    }
}

fn run_scenario(file: &std::path::Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("could not read {}", file.display()))?;
    let dir = tempfile::tempdir()?;
    match counterfoil_engine::scenario::run_scenario(&text, &dir.path().join("scenario.book")) {
        Ok(output) => {
            println!("{}", serde_json::to_string_pretty(&output)?);
            Ok(())
        }
        Err(error) => {
            eprintln!("counterfoil: {}: {error}", file.display());
            std::process::exit(2);
        }
    }
}

/// A CSV row as written; the engine parses and checks the values.
#[derive(serde::Deserialize, serde::Serialize)]
struct CsvRow {
    application: String,
    metric: String,
    timestamp: String,
    value: String,
}

fn import_usage(args: ImportArgs) -> anyhow::Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(&args.file)
        .with_context(|| format!("could not read {}", args.file.display()))?;
    let mut rows = Vec::new();
    for (index, record) in reader.deserialize::<CsvRow>().enumerate() {
        let row = record.with_context(|| {
            format!(
                "row {} of {} is not application,metric,timestamp,value",
                index + 1,
                args.file.display()
            )
        })?;
        rows.push(row);
    }
    let mut book = args.book.open()?;
    let input = serde_json::json!({"rows": rows, "dry_run": args.dry_run});
    let actor = counterfoil_engine::Actor::new("cli");
    let report = counterfoil_engine::dispatch(&mut book, &actor, "import_usage", input)
        .map_err(|error| anyhow::anyhow!("{}", error.message))?;
    let errors = report["errors"].as_array().cloned().unwrap_or_default();
    for error in &errors {
        eprintln!(
            "row {}: {}: {}",
            error["row"],
            error["field"].as_str().unwrap_or(""),
            error["message"].as_str().unwrap_or("")
        );
    }
    if args.dry_run {
        println!(
            "{} rows checked, {} with problems; nothing imported (dry run)",
            rows.len(),
            errors.len()
        );
        if !errors.is_empty() {
            bail!("the file has problems");
        }
    } else {
        println!("imported {} usage records", report["imported"]);
    }
    Ok(())
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
