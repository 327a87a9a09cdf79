//! `counterfoil invoice pdf`: an invoice's PDF, or a month's or the whole book's, as files.
//!
//! The file written is the PDF the book keeps; an invoice without one gets one made with the
//! current settings and stored first (as "Generate PDF" does in the app).

use anyhow::{bail, Context};
use counterfoil_engine::model::Id;
use counterfoil_engine::{dispatch, stored_or_new_invoice_pdf, Actor, Book};
use serde_json::{json, Value};
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
    pub(crate) month: Option<String>,
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
        let id = resolve(&mut book, &actor, reference)?;
        let (name, bytes) = pdf(&mut book, &actor, id)?;
        let path = args.output.clone().unwrap_or_else(|| PathBuf::from(&name));
        write(&path, &bytes)?;
        println!("{}", path.display());
        return Ok(());
    }
    let Some(dir) = &args.out else {
        bail!("--out DIR is needed with --month and --all");
    };
    let ids = batch(&mut book, &actor, args.month.as_deref())?;
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

fn call(book: &mut Book, actor: &Actor, op: &str, input: Value) -> anyhow::Result<Value> {
    dispatch(book, actor, op, input).map_err(|error| anyhow::anyhow!("{}", error.message))
}

/// A friendly ID (which must name one invoice) or a numeric id.
fn resolve(book: &mut Book, actor: &Actor, reference: &str) -> anyhow::Result<Id> {
    let reference = reference.trim();
    let found = call(
        book,
        actor,
        "list_invoices",
        json!({"friendly_id": reference}),
    )?;
    let matches: Vec<i64> = found["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|item| item["friendly_id"] == reference)
                .filter_map(|item| item["id"].as_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    match matches.as_slice() {
        [id] => Ok(Id(*id)),
        [] => match reference.parse::<i64>() {
            Ok(id) => {
                call(book, actor, "get_invoice", json!({"id": id.to_string()}))?;
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
fn batch(book: &mut Book, actor: &Actor, month: Option<&str>) -> anyhow::Result<Vec<Id>> {
    let mut ids = Vec::new();
    for page in 1.. {
        let mut filter = json!({"page": page, "per_page": 500});
        if let Some(month) = month {
            filter["period"] = json!(month);
        }
        let found = call(book, actor, "list_invoices", filter)?;
        let items = found["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            break;
        }
        ids.extend(
            items
                .iter()
                .filter_map(|item| item["id"].as_str()?.parse().ok())
                .map(Id),
        );
    }
    ids.sort();
    Ok(ids)
}
