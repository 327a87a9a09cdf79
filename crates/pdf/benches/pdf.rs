#![allow(clippy::unwrap_used, clippy::expect_used)]
//! How fast invoices become PDFs, and the same invoices printed by headless Chromium (what web
//! billing tools do) side by side:
//!
//!   CARGO_TARGET_DIR=target/pdf-helper cargo bench -p counterfoil-pdf
//!
//! Prints figures; asserts nothing (timings belong here, not in tests).
#![allow(clippy::disallowed_methods)] // fixture files only; no book's own file is opened

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use counterfoil_billing::money::{for_display, round2, round4};
use counterfoil_pdf::{render, InvoiceDocument, Party};
use rust_decimal::Decimal;

const WARM_UP: usize = 50;
const TYPICAL_RENDERS: usize = 500;
const BATCH: usize = 1_000;
const CHROMIUM_INVOICES: usize = 100;
const CJK_RENDERS: usize = 200;

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let typical = common::invoice_with_lines(12);
    let batch: Vec<InvoiceDocument> = (0..BATCH).map(distinct_invoice).collect();
    let our_size = render(&typical).unwrap().len();

    for _ in 0..WARM_UP {
        render(&typical).unwrap();
    }
    let cpu = cpu_seconds();
    let started = Instant::now();
    for _ in 0..TYPICAL_RENDERS {
        std::hint::black_box(render(std::hint::black_box(&typical)).unwrap());
    }
    let typical_time = started.elapsed();
    let typical_cpu = cpu_seconds() - cpu;

    let dir = tempfile::tempdir().unwrap();
    let cpu = cpu_seconds();
    let single_time = render_to_files(&batch, &dir.path().join("one-thread"), 1);
    let single_cpu = cpu_seconds() - cpu;
    let cpu = cpu_seconds();
    let parallel_time = render_to_files(&batch, &dir.path().join("all-cores"), cores);
    let parallel_cpu = cpu_seconds() - cpu;

    // Only now a text DejaVu cannot draw: every figure above is for a process that never
    // parsed the fallback face. The first CJK render parses it; the difference to a later
    // render is what parsing it costs.
    let cjk = common::cjk_invoice();
    let started = Instant::now();
    let cjk_size = render(&cjk).unwrap().len();
    let first_cjk_time = started.elapsed();
    let cpu = cpu_seconds();
    let started = Instant::now();
    for _ in 0..CJK_RENDERS {
        std::hint::black_box(render(std::hint::black_box(&cjk)).unwrap());
    }
    let cjk_time = started.elapsed();
    let cjk_cpu = cpu_seconds() - cpu;

    println!();
    println!("Invoice PDFs: counterfoil-pdf (printpdf, subset DejaVu Sans) vs headless Chromium");
    println!("machine: {cores} cores; all renders to bytes in memory unless written to files");
    println!("PDFs/CPU-s: per second of CPU time this process used (unaffected by other load)");
    println!();
    println!(
        "{:<58} {:>6} {:>9} {:>9} {:>11} {:>10}",
        "what", "PDFs", "seconds", "PDFs/s", "PDFs/s/core", "PDFs/CPU-s"
    );
    let row = |what: &str, count: usize, time: Duration, threads: usize, cpu: Option<f64>| {
        let per_second = count as f64 / time.as_secs_f64();
        let per_cpu_second = cpu
            .filter(|cpu| *cpu > 0.0)
            .map_or("-".to_string(), |cpu| format!("{:.1}", count as f64 / cpu));
        println!(
            "{what:<58} {count:>6} {:>9.3} {per_second:>9.1} {:>11.1} {per_cpu_second:>10}",
            time.as_secs_f64(),
            per_second / threads as f64
        );
        per_second
    };
    let ours = row(
        "counterfoil-pdf: typical 12-line invoice, 1 thread",
        TYPICAL_RENDERS,
        typical_time,
        1,
        Some(typical_cpu),
    );
    row(
        "counterfoil-pdf: 8-line invoice with CJK text, 1 thread",
        CJK_RENDERS,
        cjk_time,
        1,
        Some(cjk_cpu),
    );
    row(
        "counterfoil-pdf: 1,000 distinct invoices to files, 1 thread",
        BATCH,
        single_time,
        1,
        Some(single_cpu),
    );
    row(
        &format!("counterfoil-pdf: 1,000 distinct invoices to files, {cores} threads"),
        BATCH,
        parallel_time,
        cores,
        Some(parallel_cpu),
    );

    let chromium = chromium(&batch[..CHROMIUM_INVOICES], dir.path());
    match &chromium {
        Ok((count, time, _)) => {
            // Chromium spreads its work over its own processes, i.e. over every core.
            let theirs = row(
                &format!("Chromium headless (playwright page.pdf), {count} invoices"),
                *count,
                *time,
                cores,
                None,
            );
            println!();
            println!(
                "counterfoil-pdf renders {:.0}x as many PDFs per second as Chromium",
                ours / theirs
            );
        }
        Err(reason) => {
            println!();
            println!("Chromium comparison skipped: {reason}");
        }
    }
    println!();
    let cjk_render = cjk_time / CJK_RENDERS as u32;
    println!(
        "fallback face (Droid Sans Fallback): first CJK render {:.1} ms, later ones {:.1} ms: \
         parsing it takes about {:.1} ms, once per process",
        first_cjk_time.as_secs_f64() * 1e3,
        cjk_render.as_secs_f64() * 1e3,
        first_cjk_time.saturating_sub(cjk_render).as_secs_f64() * 1e3
    );
    println!();
    println!("one-page PDF size: counterfoil-pdf {our_size} bytes (12-line invoice)");
    println!("                   counterfoil-pdf {cjk_size} bytes (8-line invoice with CJK text)");
    if let Ok((_, _, size)) = chromium {
        println!("                   Chromium        {size} bytes (first invoice of the batch)");
    }
}

/// CPU time (user + system) this process has used, from /proc/self/stat (Linux; 0 elsewhere).
/// /proc counts in USER_HZ ticks, which are 1/100 s on Linux.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at field 3 (state);
    // utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|field| field.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Renders `docs` and writes each to a file under `dir`, spread over `threads` threads.
fn render_to_files(docs: &[InvoiceDocument], dir: &Path, threads: usize) -> Duration {
    std::fs::create_dir_all(dir).unwrap();
    let chunk = docs.len().div_ceil(threads);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for (part, docs) in docs.chunks(chunk).enumerate() {
            scope.spawn(move || {
                for (index, doc) in docs.iter().enumerate() {
                    let path = dir.join(format!("invoice-{part}-{index:04}.pdf"));
                    std::fs::write(path, render(doc).unwrap()).unwrap();
                }
            });
        }
    });
    started.elapsed()
}

/// A realistic, different invoice for each `n`: buyer, ID, 5 to 20 lines, amounts.
fn distinct_invoice(n: usize) -> InvoiceDocument {
    const BUYERS: [&str; 6] = [
        "Hofmann Logistik GmbH",
        "Müller & Søn GmbH",
        "Łódź Sp. z o.o.",
        "Ελληνική Α.Ε.",
        "ООО Ромашка",
        "Façade Őrség Kft.",
    ];
    let mut doc = common::reference_invoice();
    doc.friendly_id = format!("2026-11-{:08}", n + 1);
    doc.issued_to.name = format!("{} ({})", BUYERS[n % BUYERS.len()], n + 1);
    doc.lines = (0..5 + n % 16)
        .map(|k| {
            let quantity = Decimal::from((n * 37 + k * 1_013) % 250_000);
            let cost = Decimal::new(((n * 7_919 + k * 104_729) % 5_000_000) as i64, 4);
            common::line(
                &format!("Metered usage: metric {k} of application {}", n % 97),
                quantity,
                cost,
            )
        })
        .collect();
    common::with_totals(doc)
}

/// Prints `docs` as HTML with headless Chromium through playwright-core; returns how many, how
/// long the printing took and the first PDF's size, or why it could not run.
fn chromium(docs: &[InvoiceDocument], scratch: &Path) -> Result<(usize, Duration, usize), String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap();
    if !Path::new("/usr/bin/chromium").exists() {
        return Err("/usr/bin/chromium is not installed".into());
    }
    if !repo.join("tests/node_modules/playwright-core").exists() {
        return Err(
            "tests/node_modules/playwright-core is missing (cd tests && npm install)".into(),
        );
    }
    let html_dir = scratch.join("html");
    let pdf_dir = scratch.join("chromium");
    std::fs::create_dir_all(&html_dir).unwrap();
    std::fs::create_dir_all(&pdf_dir).unwrap();
    for (index, doc) in docs.iter().enumerate() {
        std::fs::write(html_dir.join(format!("invoice-{index:04}.html")), html(doc)).unwrap();
    }
    let script: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/chromium_print.mjs");
    let output = Command::new("node")
        .arg(script)
        .args([&html_dir, &pdf_dir, &repo])
        .output()
        .map_err(|error| format!("node could not run: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "the Chromium script failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let report = String::from_utf8_lossy(&output.stdout);
    let field = |name: &str| -> Result<f64, String> {
        let start = report
            .find(&format!("\"{name}\":"))
            .ok_or(format!("no {name} in {report}"))?;
        let rest = &report[start + name.len() + 3..];
        let end = rest.find([',', '}']).unwrap_or(rest.len());
        rest[..end]
            .trim()
            .parse::<f64>()
            .map_err(|error| format!("{name}: {error}"))
    };
    Ok((
        field("count")? as usize,
        Duration::from_secs_f64(field("elapsed_ms")? / 1_000.0),
        field("first_pdf_bytes")? as usize,
    ))
}

/// The same invoice as simple HTML and CSS: what a web billing tool would print.
fn html(doc: &InvoiceDocument) -> String {
    let party = |who: &Party| {
        let mut lines = vec![format!("<strong>{}</strong>", escape(&who.name))];
        for line in [&who.line1, &who.line2] {
            if !line.is_empty() {
                lines.push(escape(line));
            }
        }
        lines.push(escape(&format!("{} {}", who.zip, who.city)));
        lines.push(escape(&who.country));
        for (label, value) in [
            ("Fiscal code", &who.fiscal_code),
            ("VAT code", &who.vat_code),
            ("PO number", &who.po_number),
        ] {
            if !value.is_empty() {
                lines.push(format!(
                    "<span class=muted>{label}:</span> {}",
                    escape(value)
                ));
            }
        }
        lines.join("<br>")
    };
    let date = |day: Option<chrono::NaiveDate>| {
        day.map_or("-".to_string(), |d| d.format("%-d %B %Y").to_string())
    };
    let rows: String = doc
        .lines
        .iter()
        .map(|line| {
            format!(
                "<tr><td>{}</td><td class=num>{}</td><td class=num>{}</td><td class=num>{}</td></tr>",
                escape(&line.name),
                group(&line.quantity.normalize().to_string()),
                group(&for_display(round4(line.cost)).to_string()),
                group(&for_display(round2(line.cost)).to_string()),
            )
        })
        .collect();
    let rate = doc
        .vat_rate
        .map(|rate| rate.normalize().to_string())
        .unwrap_or_default();
    let amount = |value: Decimal| group(&for_display(value).to_string());
    format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 16mm 20mm 20mm; }}
body {{ font-family: 'DejaVu Sans', sans-serif; font-size: 9pt; color: #1f2124; }}
.head {{ display: flex; justify-content: space-between; }}
.mark {{ font-size: 15pt; font-weight: bold; }}
.details td {{ padding: 0 0 0 24pt; }} .muted {{ color: #666b73; font-size: 7.5pt; }}
h1 {{ font-size: 18pt; margin: 24pt 0 12pt; }}
.parties {{ display: flex; gap: 24pt; }} .parties > div {{ flex: 1; }}
table.items {{ width: 100%; border-collapse: collapse; margin-top: 20pt; }}
.items th {{ text-align: left; border-bottom: 0.8pt solid #1f2124; font-size: 8pt; }}
.items td {{ border-bottom: 0.4pt solid #c7c9ce; padding: 3.5pt 0; vertical-align: top; }}
.num {{ text-align: right; white-space: nowrap; padding-left: 12pt; }}
.totals {{ width: 250pt; margin-left: auto; margin-top: 14pt; }}
.due {{ text-align: right; font-size: 12pt; font-weight: bold; color: #1c4a6e; border-top: 1pt solid #1c4a6e; padding-top: 4pt; }}
.foot {{ margin-top: 24pt; color: #666b73; font-size: 7.5pt; white-space: pre-line; }}
</style></head><body>
<div class=head><div class=mark>{provider}</div><table class=details>
<tr><td class=muted>Invoice ID</td><td class=num>{id}</td></tr>
<tr><td class=muted>Issued on</td><td class=num>{issued}</td></tr>
<tr><td class=muted>Billing period start</td><td class=num>{start}</td></tr>
<tr><td class=muted>Billing period end</td><td class=num>{end}</td></tr>
<tr><td class=muted>Due on</td><td class=num>{due}</td></tr></table></div>
<p style="margin-top:24pt">{buyer_address}</p>
<h1>Invoice for {month}</h1>
<div class=parties><div><div class=muted><b>Issued by</b></div>{issued_by}</div><div><div class=muted><b>For</b></div>{issued_to}</div></div>
<table class=items><tr><th>Name</th><th class=num>Quantity</th><th class=num>Cost</th><th class=num>Charged</th></tr>{rows}</table>
<table class=totals>
<tr><td>Total cost (without VAT)</td><td class=num>{net}</td></tr>
<tr><td>Total VAT Amount</td><td class=num>{vat}</td></tr>
<tr><td>Total cost (VAT {rate}% included)</td><td class=num>{total}</td></tr>
<tr><td colspan=2 class=due>AMOUNT DUE: {currency} {total}</td></tr></table>
<div class=foot>{footnote}</div>
</body></html>"#,
        provider = escape(&doc.issued_by.name),
        id = escape(&doc.friendly_id),
        issued = date(doc.issued_on),
        start = date(doc.period_start),
        end = date(doc.period_end),
        due = date(doc.due_on),
        buyer_address = party(&Party {
            fiscal_code: String::new(),
            vat_code: String::new(),
            po_number: String::new(),
            ..doc.issued_to.clone()
        }),
        month = doc.period.format("%B %Y"),
        issued_by = party(&doc.issued_by),
        issued_to = party(&doc.issued_to),
        net = amount(doc.charged_without_vat),
        vat = amount(doc.charged_vat),
        total = amount(doc.total),
        currency = escape(&doc.currency),
        footnote = escape(&doc.footnote),
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// "1234567.5" → "1,234,567.5".
fn group(plain: &str) -> String {
    let (sign, digits) = plain
        .strip_prefix('-')
        .map_or(("", plain), |rest| ("-", rest));
    let (integer, fraction) = digits
        .split_once('.')
        .map_or((digits, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::from(sign);
    for (index, digit) in integer.chars().enumerate() {
        if index > 0 && (integer.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if let Some(fraction) = fraction {
        grouped.push('.');
        grouped.push_str(fraction);
    }
    grouped
}
