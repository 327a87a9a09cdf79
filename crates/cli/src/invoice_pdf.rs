//! `counterfoil invoice pdf`: an invoice's PDF, or a month's or the whole book's, as files.
//!
//! The file written is the PDF the book keeps; an invoice without one gets one made with the
//! current settings and stored first (as "Generate PDF" does in the app).

use anyhow::{bail, Context};
use counterfoil_engine::model::{ById, Id, ListInvoices, Paging, Period, MAX_SEARCH};
use counterfoil_engine::{op, stored_or_new_invoice_pdf, Actor, Book};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["invoice", "month", "all"])))]
pub(crate) struct PdfArgs {
    #[command(flatten)]
    pub(crate) book: crate::BookArg,
    /// The invoice: its friendly ID (e.g. 2025-01-00000003) or its numeric id.
    pub(crate) invoice: Option<String>,
    /// Where to write the single invoice's PDF (default: ./invoice-<friendly id>.pdf).
    #[arg(short = 'o', long = "output", value_name = "FILE", conflicts_with_all = ["month", "all"])]
    pub(crate) output: Option<PathBuf>,
    /// Every invoice of this month (YYYY-MM), one file each, into --out.
    #[arg(long, value_name = "YYYY-MM", requires = "out")]
    pub(crate) month: Option<Period>,
    /// Every invoice of the book, one file each, into --out.
    #[arg(long, requires = "out")]
    pub(crate) all: bool,
    /// The directory for --month and --all (created when missing).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
}

pub(crate) fn run(args: PdfArgs) -> anyhow::Result<()> {
    let mut book = args.book.open()?;
    let actor = Actor::new("cli");
    if let Some(reference) = &args.invoice {
        let id = resolve(&book, reference)?;
        let (name, bytes) = pdf(&mut book, &actor, id)?;
        let path = args.output.clone().unwrap_or_else(|| PathBuf::from(&name));
        write(&path, &bytes)?;
        println!("{}", path.display());
        return Ok(());
    }
    let Some(dir) = &args.out else {
        bail!("--out DIR is needed with --month and --all");
    };
    let ids = batch(&book, args.month)?;
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    let bar = indicatif::ProgressBar::new(ids.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("invoice PDFs {pos}/{len} {wide_bar} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut names = HashSet::new();
    let mut failed = Vec::new();
    for id in &ids {
        match pdf(&mut book, &actor, *id) {
            Ok((name, bytes)) => {
                // Hand-set friendly IDs may repeat (§6): the second file gets the id too.
                let name = if names.insert(name.clone()) {
                    name
                } else {
                    name.replace(".pdf", &format!("-id{id}.pdf"))
                };
                write(&dir.join(&name), &bytes)?;
            }
            Err(error) => failed.push(format!("invoice {id}: {error}")),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    println!(
        "wrote {} PDF(s) to {}",
        ids.len() - failed.len(),
        dir.display()
    );
    if !failed.is_empty() {
        for failure in &failed {
            eprintln!("{failure}");
        }
        bail!("{} invoice(s) have no PDF", failed.len());
    }
    Ok(())
}

fn pdf(book: &mut Book, actor: &Actor, id: Id) -> anyhow::Result<(String, Vec<u8>)> {
    stored_or_new_invoice_pdf(book, actor, id).map_err(|error| anyhow::anyhow!("{}", error.message))
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    counterfoil_engine::files::write(path, bytes)
        .with_context(|| format!("could not write {}", path.display()))
}

/// An operation's refusal as the command says it: its plain sentence.
fn refusal(error: counterfoil_engine::ApiError) -> anyhow::Error {
    anyhow::anyhow!("{}", error.message)
}

/// A page of the invoice list, filtered by `friendly_id` and `period`.
fn invoice_page(
    book: &Book,
    page: u32,
    per_page: u32,
    friendly_id: Option<&str>,
    period: Option<Period>,
) -> anyhow::Result<Vec<counterfoil_engine::model::Invoice>> {
    let filter = ListInvoices {
        friendly_id: friendly_id.map(str::to_owned),
        period,
        page,
        per_page,
        ..ListInvoices::default()
    };
    Ok(op::list_invoices(book, filter).map_err(refusal)?.items)
}

/// A friendly ID (which must name one invoice) or a numeric id.
fn resolve(book: &Book, reference: &str) -> anyhow::Result<Id> {
    let reference = reference.trim();
    // What the transports refuse before searching (model::MAX_SEARCH).
    if reference.chars().count() > MAX_SEARCH {
        bail!("friendly_id must be at most {MAX_SEARCH} characters.");
    }
    let Paging { page, per_page } = Paging::default();
    let matches: Vec<i64> = invoice_page(book, page, per_page, Some(reference), None)?
        .iter()
        .filter(|item| item.friendly_id == reference)
        .map(|item| item.id.0)
        .collect();
    match matches.as_slice() {
        [id] => Ok(Id(*id)),
        [] => match reference.parse::<i64>() {
            Ok(id) => {
                op::get_invoice(book, ById { id: Id(id) }).map_err(refusal)?;
                Ok(Id(id))
            }
            Err(_) => bail!("there is no invoice {reference}"),
        },
        several => bail!(
            "{} invoices have the ID {reference} (ids {}); name one by its id",
            several.len(),
            several
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The ids of a month's invoices, or of every invoice, oldest first.
fn batch(book: &Book, month: Option<Period>) -> anyhow::Result<Vec<Id>> {
    let mut ids = Vec::new();
    for page in 1.. {
        let items = invoice_page(book, page, 500, None, month)?;
        if items.is_empty() {
            break;
        }
        ids.extend(items.iter().map(|item| item.id));
    }
    ids.sort();
    Ok(ids)
}
