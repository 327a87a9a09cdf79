//! `counterfoil`: the command line of the Counterfoil billing back office.

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use counterfoil_engine::{paths, Book, Clock};
use std::net::SocketAddr;
use std::path::PathBuf;

mod invoice_pdf;
mod sync;
mod token;
mod user;

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
    /// Run the daily billing: every job (08:00 UTC) not yet done up to now, or to --until.
    /// Safe to run from cron as often as you like: a done day is never billed twice.
    Bill(BillArgs),
    /// Billing scenarios (docs/scenario-format.md).
    #[command(subcommand)]
    Scenario(ScenarioCommand),
    /// Invoices.
    #[command(subcommand)]
    Invoice(InvoiceCommand),
    /// Build a demo book: a provider, two dozen buyers and the six months of usage, invoices and
    /// payments up to today, made by the real engine on a simulated clock (the same book for
    /// the same day).
    Demo(DemoArgs),
    /// Personal access tokens for the 3scale-compatible API (/admin/api, /api).
    #[command(subcommand)]
    Token(TokenCommand),
    /// People who may sign in to the UI when it is served beyond loopback (docs/access.md).
    #[command(subcommand)]
    User(UserCommand),
    /// Run one operation of the list on a book and print its JSON answer (the operations and
    /// their inputs are those of ui/src/lib/api/types.ts). A refusal prints
    /// {"code", "message", "field"} and exits with status 1.
    Op(OpArgs),
    /// Share a book between desktops through a server (docs/sync.md): with a subcommand, link,
    /// unlink or show the status; alone, one round (push the changes made here, then pull
    /// until current).
    Sync(sync::SyncArgs),
    /// For tests and demos: make a new book (one without invoices) a test book, which charges
    /// through the built-in test gateway. No money moves, and the book says so on its screens,
    /// PDFs and payments. There is no way back.
    TestBook(TestBookArgs),
}

#[derive(clap::Args)]
struct OpArgs {
    /// The operation's name, e.g. list_accounts or create_invoice.
    operation: String,
    /// Its input as JSON (`{}` when left out; `-` reads it from standard input).
    input: Option<String>,
    #[command(flatten)]
    book: BookArg,
}

#[derive(clap::Args)]
struct TestBookArgs {
    #[command(flatten)]
    book: BookArg,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password comes from COUNTERFOIL_PASSWORD, else it is asked twice.
    Add(user::AddArgs),
    /// List the users (never their passwords).
    List(user::ListArgs),
    /// Remove a user; their sessions end.
    Remove(user::UserArgs),
    /// Disable a user: they cannot sign in, and their sessions end, until enabled again.
    Disable(user::UserArgs),
    /// Enable a disabled user.
    Enable(user::UserArgs),
    /// Set a user's password (from COUNTERFOIL_PASSWORD, else asked twice); their sessions
    /// end and a wait after failed sign-ins is lifted.
    Password(user::UserArgs),
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Make a token; its value is printed once, on the last line of the output.
    Create(token::CreateArgs),
    /// List the tokens (never their values).
    List(token::ListArgs),
    /// Revoke a token: it is refused from the next request on.
    Revoke(token::RevokeArgs),
}

#[derive(Subcommand)]
enum InvoiceCommand {
    /// Write an invoice's PDF, or one per invoice of a month (--month) or of the book (--all).
    Pdf(invoice_pdf::PdfArgs),
}

#[derive(clap::Args)]
struct DemoArgs {
    /// Where to write the demo book. An existing file is never overwritten without --force.
    #[arg(long, value_name = "FILE")]
    book: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    force: bool,
    /// The instant the demo's six months end at (RFC 3339); the start of today when left out.
    /// The same instant always gives the same book.
    #[arg(long, value_name = "INSTANT")]
    as_of: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(clap::Args)]
struct BillArgs {
    #[command(flatten)]
    book: BookArg,
    /// Bill up to this instant (RFC 3339, e.g. 2025-02-01T09:00:00Z); not in the future.
    #[arg(long, value_name = "INSTANT")]
    until: Option<chrono::DateTime<chrono::Utc>>,
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
pub(crate) struct BookArg {
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

    pub(crate) fn open(&self) -> anyhow::Result<Book> {
        // The shells are the only place that reads the system clock.
        self.open_with(Clock::from_fn(chrono::Utc::now))
    }

    fn open_with(&self, clock: Clock) -> anyhow::Result<Book> {
        let path = self.path()?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("could not create {}", parent.display()))?;
        }
        Ok(Book::open(&path, clock)?)
    }
}

#[derive(clap::Args)]
struct ServeArgs {
    #[command(flatten)]
    book: BookArg,
    /// Address to listen on. Anything but loopback needs sign-in, so at least one user
    /// (`counterfoil user add`).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Require sign-in on a loopback address too (e.g. behind a reverse proxy on the host).
    #[arg(long)]
    require_sign_in: bool,
    /// Speak TLS on a loopback address too (beyond loopback it always does). Without
    /// --tls-cert, with a self-signed certificate made on first start and kept beside the
    /// book (FILE.tls-cert.pem, FILE.tls-key.pem); its fingerprint is printed at every start.
    #[arg(long)]
    tls: bool,
    /// The certificate chain to present, PEM (with --tls-key).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert, PEM.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// The built UI to serve at / (default: ui/dist of this source tree, when present).
    #[arg(long, value_name = "DIR")]
    ui: Option<PathBuf>,
    /// For tests and demos: run the book on a simulated clock starting at this instant
    /// (RFC 3339, e.g. 2025-01-01T00:00:00Z). Only then may the `advance_clock` operation move
    /// it forward, billing every day on the way.
    #[arg(long, value_name = "INSTANT")]
    clock: Option<chrono::DateTime<chrono::Utc>>,
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
        Command::Bill(args) => bill(args),
        Command::Demo(args) => {
            // The shells are the only place that reads the system clock.
            let as_of = args
                .as_of
                .unwrap_or_else(|| counterfoil_demo::as_of_day(chrono::Utc::now()));
            println!(
                "{}",
                counterfoil_demo::build(&args.book, args.force, as_of)?
            );
            Ok(())
        }
        Command::Invoice(InvoiceCommand::Pdf(args)) => invoice_pdf::run(args),
        Command::Token(TokenCommand::Create(args)) => token::create(args),
        Command::Token(TokenCommand::List(args)) => token::list(args),
        Command::Token(TokenCommand::Revoke(args)) => token::revoke(args),
        Command::TestBook(args) => {
            let mut book = args.book.open()?;
            book.use_test_gateway(&counterfoil_engine::Actor::new("cli"))
                .map_err(|error| anyhow::anyhow!("{}", error.message))?;
            println!(
                "{} is a test book: charges go through the test gateway, and no money moves",
                book.path().display()
            );
            Ok(())
        }
        Command::User(UserCommand::Add(args)) => user::add(args),
        Command::User(UserCommand::List(args)) => user::list(args),
        Command::User(UserCommand::Remove(args)) => user::change(args, user::Change::Remove),
        Command::User(UserCommand::Disable(args)) => user::change(args, user::Change::Disable),
        Command::User(UserCommand::Enable(args)) => user::change(args, user::Change::Enable),
        Command::User(UserCommand::Password(args)) => user::change(args, user::Change::Password),
        Command::Op(args) => run_operation(args),
        Command::Sync(args) => sync::run(args),
    }
}

fn bill(args: BillArgs) -> anyhow::Result<()> {
    let mut book = args.book.open()?;
    let until = args.until.unwrap_or_else(|| book.now());
    let actor = counterfoil_engine::Actor::new("cli");
    let bar = indicatif::ProgressBar::hidden();
    let mut progress = |done: usize, total: usize| {
        // Only a catch-up of more than a few days is worth a bar.
        if total > 3 && bar.is_hidden() {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "billing {pos}/{len} days {wide_bar} {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
        }
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    // A second `counterfoil bill` (or a server's billing job) on this book waits its turn.
    let mut waiting = |holder: &str| {
        eprintln!("waiting: the book is being billed by {holder}; this run starts when it is done")
    };
    let report = book
        .with_billing_lock(counterfoil_engine::LockWait::Always(&mut waiting), |book| {
            counterfoil_engine::run_billing_until_with_progress(book, &actor, until, &mut progress)
        })
        .map_err(|error| anyhow::anyhow!("{}", error.message))?;
    bar.finish_and_clear();
    let totals = &report.totals;
    match (report.jobs.first(), report.jobs.last()) {
        (Some(first), Some(last)) => println!(
            "billed {} day(s), {} to {}: {} invoice(s) created, {} line(s) added, {} finalized, {} issued, {} paid",
            report.jobs.len(),
            first.date,
            last.date,
            totals.invoices_created,
            totals.lines_added,
            totals.invoices_finalized,
            totals.invoices_issued,
            totals.invoices_paid
        ),
        _ => println!("nothing to bill: every day up to {until} is done"),
    }
    Ok(())
}

/// `counterfoil op`: the answer (or the refusal) as JSON on standard output, for scripts.
fn run_operation(args: OpArgs) -> anyhow::Result<()> {
    let text = match args.input.as_deref() {
        None => "{}".to_owned(),
        Some("-") => {
            std::io::read_to_string(std::io::stdin()).context("could not read the input")?
        }
        Some(text) => text.to_owned(),
    };
    let input: serde_json::Value = match serde_json::from_str(&text) {
        Ok(input) => input,
        Err(error) => {
            let refusal = counterfoil_engine::ApiError::validation(
                "input",
                format!("The input is not JSON: {error}."),
            );
            println!("{}", serde_json::to_string_pretty(&refusal)?);
            std::process::exit(1);
        }
    };
    let mut book = args.book.open()?;
    let actor = counterfoil_engine::Actor::new("cli");
    // On a linked book, what only the server may do is done there (docs/sync.md).
    let answer = if sync::is_for_the_server(&book, &args.operation) {
        sync::on_the_server(&mut book, &actor, &args.operation, input)
    } else {
        counterfoil_engine::dispatch(&mut book, &actor, &args.operation, input)
    };
    match answer {
        Ok(answer) => {
            println!("{}", serde_json::to_string_pretty(&answer)?);
            Ok(())
        }
        Err(refusal) => {
            println!("{}", serde_json::to_string_pretty(&refusal)?);
            std::process::exit(1);
        }
    }
}

fn run_scenario(file: &std::path::Path) -> anyhow::Result<()> {
    let text = counterfoil_engine::files::read_to_string(file)
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

/// A CSV row as written; the engine parses and checks the values. `idempotency_key` is an
/// optional column: a row whose key was imported before is not recorded again.
#[derive(serde::Deserialize, serde::Serialize)]
struct CsvRow {
    application: String,
    metric: String,
    timestamp: String,
    value: String,
    #[serde(default)]
    idempotency_key: Option<String>,
}

/// The separator of a CSV file, from its header line: `;` as European spreadsheets save it
/// (where `,` is the decimal comma), else `,`.
fn separator_of(header: &str) -> u8 {
    if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    }
}

fn import_usage(args: ImportArgs) -> anyhow::Result<()> {
    let mut book = args.book.open()?;
    // Opened after the book, through `files`: a CSV path that is the book itself is refused
    // rather than opened and closed beside SQLite's connection (which would drop its locks).
    let file = counterfoil_engine::files::open(&args.file)
        .with_context(|| format!("could not read {}", args.file.display()))?;
    let mut file = std::io::BufReader::new(file);
    let mut header = String::new();
    std::io::BufRead::read_line(&mut file, &mut header)
        .with_context(|| format!("could not read {}", args.file.display()))?;
    // The csv reader skips a byte-order mark; the header line goes back in front of the rest.
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .delimiter(separator_of(&header))
        .from_reader(std::io::Read::chain(
            std::io::Cursor::new(header.clone()),
            file,
        ));
    // Column names as a spreadsheet may write them ("Value", "Idempotency key").
    let names: csv::StringRecord = reader
        .headers()
        .with_context(|| format!("could not read the header of {}", args.file.display()))?
        .iter()
        .map(|name| name.trim().to_lowercase().replace(' ', "_"))
        .collect();
    reader.set_headers(names);
    let file = args.file.display().to_string();
    // Rows stream from the file into the engine's transaction: a file of millions of rows is
    // never held in memory.
    let mut rows_read = 0usize;
    let rows = reader
        .deserialize::<CsvRow>()
        .enumerate()
        .map(|(index, record)| {
            rows_read = index + 1;
            record
                .map(|row| counterfoil_engine::model::UsageRow {
                    application: row.application,
                    metric: row.metric,
                    timestamp: row.timestamp,
                    value: row.value,
                    idempotency_key: row.idempotency_key.filter(|key| !key.is_empty()),
                })
                .map_err(|_| {
                    counterfoil_engine::ApiError::validation(
                        &format!("rows[{index}]"),
                        format!(
                            "Row {} of {file} is not application,metric,timestamp,value \
                             [,idempotency_key]. Nothing was imported.",
                            index + 1
                        ),
                    )
                })
        });
    let actor = counterfoil_engine::Actor::new("cli");
    let report = counterfoil_engine::import_usage_rows(&mut book, &actor, rows, args.dry_run)
        .map_err(|error| anyhow::anyhow!("{}", error.message))?;
    for error in &report.errors {
        eprintln!("row {}: {}: {}", error.row, error.field, error.message);
    }
    if args.dry_run {
        println!(
            "{rows_read} rows checked, {} with problems; nothing imported (dry run)",
            report.errors.len()
        );
        if !report.errors.is_empty() {
            bail!("the file has problems");
        }
    } else {
        println!("imported {} usage records", report.imported);
    }
    if !report.duplicates.is_empty() {
        println!(
            "{} rows were imported before (their idempotency key is taken) and were not recorded again",
            report.duplicates.len()
        );
    }
    Ok(())
}

/// What `serve` presents: the certificate given; else, with --tls or beyond loopback, the
/// book's own self-signed one; else nothing (plain http, loopback only).
fn tls_identity(
    args: &ServeArgs,
    book: &std::path::Path,
) -> anyhow::Result<Option<counterfoil_server::tls::TlsIdentity>> {
    use counterfoil_server::tls::TlsIdentity;
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        return Ok(Some(TlsIdentity::from_files(cert, key)?));
    }
    if !args.tls && args.listen.ip().is_loopback() {
        return Ok(None);
    }
    let beside = |suffix: &str| {
        let mut name = book.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let (cert, key) = (beside(".tls-cert.pem"), beside(".tls-key.pem"));
    let (identity, made) = TlsIdentity::self_signed(&cert, &key)?;
    if made {
        tracing::info!(
            "made a self-signed certificate, {} (its key: {}); desktops pin its fingerprint",
            cert.display(),
            key.display()
        );
    }
    Ok(Some(identity))
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let sign_in_required = args.require_sign_in || !args.listen.ip().is_loopback();
    let book_path = args.book.path()?;
    // A missing book has no users: say so without creating it.
    let users = if book_path.exists() {
        let book = args.book.open()?;
        counterfoil_engine::op::list_users(&book, counterfoil_engine::model::NoInput {})
            .map_err(|error| anyhow::anyhow!("{}", error.message))?
            .iter()
            .filter(|user| !user.disabled)
            .count()
    } else {
        0
    };
    if sign_in_required && users == 0 {
        bail!(
            "refusing to listen on {}: beyond loopback everyone must sign in, and this book \
             has no user who may (none, or all disabled). Add one with `counterfoil user add \
             --book {} --username NAME --scopes account_management,finance --permission rw`, \
             then start again.",
            args.listen,
            book_path.display()
        );
    }
    let mut book = match args.clock {
        Some(start) => {
            tracing::warn!(%start, "simulated clock: time stands still until advance_clock");
            args.book.open_with(Clock::simulated(start))?
        }
        None => args.book.open()?,
    };
    // A served book keeps the feed of its changes that linked desktops pull (docs/sync.md).
    book.become_server(&counterfoil_engine::Actor::new("serve"))
        .map_err(|error| anyhow::anyhow!("{}", error.message))?;
    let ui_dir = args.ui.clone().or_else(|| {
        let built = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist");
        built.join("index.html").exists().then_some(built)
    });
    if let Some(dir) = &ui_dir {
        // Files under the UI folder are served by opening them: the book's file among them
        // would be opened and closed beside SQLite's connection, which drops its locks.
        let inside = |path: &std::path::Path| std::fs::canonicalize(path).ok();
        if let (Some(book_file), Some(dir)) = (inside(book.path()), inside(dir)) {
            if book_file.starts_with(&dir) {
                bail!(
                    "refusing to serve {} as the UI: the book {} is inside it",
                    dir.display(),
                    book_file.display()
                );
            }
        }
    } else {
        tracing::warn!(
            "no built UI found (run `npm run build` in ui/ or pass --ui DIR); serving /rpc only"
        );
    }
    let tls = tls_identity(&args, book.path())?;
    let book_path = book.path().display().to_string();
    let state = counterfoil_server::AppState::new(book, ui_dir)
        .require_sign_in(sign_in_required)
        .served_over_tls(tls.is_some());
    let router = counterfoil_server::app(state.clone());
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("could not listen on {}", args.listen))?;
        let address = listener.local_addr()?;
        if sign_in_required {
            tracing::info!("sign-in required: {users} user(s) may sign in");
        }
        // The catch-up runs beside the first requests; they wait for the book while it bills.
        tokio::spawn(counterfoil_server::bill_daily(state));
        match &tls {
            Some(identity) => {
                tracing::info!(
                    book = %book_path,
                    "Counterfoil is serving https://{address}/ (certificate SHA-256 fingerprint {})",
                    identity.fingerprint()
                );
                counterfoil_server::serve_tls(listener, identity, router).await?;
            }
            None => {
                tracing::info!(book = %book_path, "Counterfoil is serving http://{address}/");
                counterfoil_server::serve(listener, router).await?;
            }
        }
        Ok(())
    })
}
