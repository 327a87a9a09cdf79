//! Shared by the integration tests: the reference invoice, invoices of any length, and the
//! poppler tools (pdftotext, pdfinfo, pdfimages, pdftoppm) run on files in a temp dir.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)] // PDFs in a temporary folder; no book is involved

use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use counterfoil_billing::money::round2;
use counterfoil_pdf::{InvoiceDocument, Line, Paper, Party};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

pub fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

pub fn provider() -> Party {
    Party {
        name: "Northwind APIs B.V.".into(),
        line1: "Keizersgracht 221".into(),
        line2: "".into(),
        city: "Amsterdam".into(),
        state: "".into(),
        zip: "1016 DV".into(),
        country: "Netherlands".into(),
        fiscal_code: "KvK 81234567".into(),
        vat_code: "NL862123456B01".into(),
        po_number: "".into(),
    }
}

pub fn buyer() -> Party {
    Party {
        name: "Hofmann Logistik GmbH".into(),
        line1: "Speicherstadt, Am Sandtorkai 48".into(),
        line2: "3. Etage".into(),
        city: "Hamburg".into(),
        state: "".into(),
        zip: "20457".into(),
        country: "Germany".into(),
        fiscal_code: "HRB 154321".into(),
        vat_code: "DE298765432".into(),
        po_number: "PO-2026-0457".into(),
    }
}

pub const LONG_NAME: &str = "Premium support retainer including a dedicated integration engineer, \
     quarterly architecture reviews and priority incident response (November 2026)";

/// The reference invoice: a Dutch provider, a German buyer, 8 lines (one long name), VAT 21.
pub fn reference_invoice() -> InvoiceDocument {
    let lines = vec![
        line("Pro plan (monthly fee)", dec!(1), dec!(249.0000)),
        line(
            "API calls: hits (graduated, first 100,000 included)",
            dec!(1843200),
            dec!(371.6400),
        ),
        line("API calls: search", dec!(215000), dec!(53.7500)),
        line("Webhooks delivered", dec!(48210), dec!(9.6420)),
        line("Data export storage (GB-month)", dec!(12.5), dec!(3.1250)),
        line(LONG_NAME, dec!(1), dec!(1200.0000)),
        line("Setup fee: EU region", dec!(1), dec!(150.0000)),
        line("Courtesy credit", dec!(1), dec!(-25.0000)),
    ];
    with_totals(InvoiceDocument {
        paper: Paper::A4,
        logo: None,
        friendly_id: "2026-11-00000042".into(),
        period: day(2026, 11, 1),
        issued_on: Some(day(2026, 12, 1)),
        period_start: Some(day(2026, 11, 1)),
        period_end: Some(day(2026, 11, 30)),
        due_on: Some(day(2026, 12, 3)),
        issued_by: provider(),
        issued_to: buyer(),
        lines,
        currency: "EUR".into(),
        vat_rate: Some(dec!(21)),
        charged_without_vat: Decimal::ZERO,
        charged_vat: Decimal::ZERO,
        total: Decimal::ZERO,
        zero_vat_text: "VAT exempt under Art. 138 of Directive 2006/112/EC".into(),
        footnote: "Please pay by bank transfer to IBAN NL91 ABNA 0417 1643 00 (BIC ABNANL2A), \
                   quoting the invoice ID.\nNorthwind APIs B.V. · Chamber of Commerce 81234567 · \
                   Keizersgracht 221, 1016 DV Amsterdam"
            .into(),
    })
}

/// The reference invoice billed to a Japanese buyer, with line names in Korean, Chinese and
/// mixed scripts: text DejaVu cannot draw, set with the fallback face.
pub fn cjk_invoice() -> InvoiceDocument {
    let mut doc = reference_invoice();
    doc.issued_to = Party {
        name: "株式会社サンプル".into(),
        line1: "千代田区丸の内1-1-1".into(),
        line2: "".into(),
        city: "東京都".into(),
        state: "".into(),
        zip: "100-0005".into(),
        country: "Japan".into(),
        fiscal_code: "".into(),
        vat_code: "T1234567890123".into(),
        po_number: "発注-2026-0457".into(),
    };
    doc.lines[1].name = "한빛소프트 주식회사".into();
    doc.lines[2].name = "北京数据科技有限公司".into();
    doc.lines[3].name = "Acme 株式会社 GmbH".into();
    doc
}

/// An invoice with `count` lines named "Usage item 001", "Usage item 002", …
pub fn invoice_with_lines(count: usize) -> InvoiceDocument {
    let mut doc = reference_invoice();
    doc.lines = (1..=count)
        .map(|n| {
            let cost = Decimal::from(n as u64) * dec!(1.2345);
            line(
                &format!("Usage item {n:03}"),
                Decimal::from(n as u64 * 10),
                cost,
            )
        })
        .collect();
    with_totals(doc)
}

pub fn line(name: &str, quantity: Decimal, cost: Decimal) -> Line {
    Line {
        name: name.into(),
        quantity,
        cost,
    }
}

/// Fills in the totals as the engine does (billing-rules §1): round2(Σ) + round2(VAT).
pub fn with_totals(mut doc: InvoiceDocument) -> InvoiceDocument {
    let net: Decimal = doc.lines.iter().map(|line| line.cost).sum();
    let vat = doc
        .vat_rate
        .map_or(Decimal::ZERO, |rate| net * rate / dec!(100));
    doc.charged_without_vat = round2(net);
    doc.charged_vat = round2(vat);
    doc.total = round2(net) + round2(vat);
    doc
}

/// Runs a poppler tool on `pdf` written into a temp dir; returns its standard output.
pub fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invoice.pdf");
    std::fs::write(&path, pdf).unwrap();
    run(tool, args, &path)
}

pub fn run(tool: &str, args: &[&str], pdf: &Path) -> String {
    let output = Command::new(tool)
        .args(args)
        .arg(pdf)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|error| panic!("{tool} could not run (poppler-utils installed?): {error}"));
    assert!(
        output.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The text of the whole PDF, laid out as on the page.
pub fn text(pdf: &[u8]) -> String {
    poppler("pdftotext", &["-layout", "-enc", "UTF-8"], pdf)
}

/// The text of each page, laid out as on the page.
pub fn page_texts(pdf: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invoice.pdf");
    std::fs::write(&path, pdf).unwrap();
    let pages = page_count_of(&run("pdfinfo", &[], &path));
    (1..=pages)
        .map(|page| {
            let page = page.to_string();
            run(
                "pdftotext",
                &["-layout", "-enc", "UTF-8", "-f", &page, "-l", &page],
                &path,
            )
        })
        .collect()
}

pub fn page_count(pdf: &[u8]) -> usize {
    page_count_of(&poppler("pdfinfo", &[], pdf))
}

fn page_count_of(info: &str) -> usize {
    info_field(info, "Pages").parse().unwrap()
}

/// A field of pdfinfo's output ("Pages", "Page size", …).
pub fn info_field(info: &str, field: &str) -> String {
    info.lines()
        .find_map(|line| line.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("pdfinfo printed no {field}: {info}"))
        .trim()
        .to_string()
}

/// Collapses runs of spaces, so phrases can be found in `-layout` text whatever the columns.
pub fn squeeze(text: &str) -> String {
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}
