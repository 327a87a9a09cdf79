#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The PDF as a file: deterministic bytes, small size, paper sizes, subset fonts, the logo.
#![allow(clippy::disallowed_methods)] // fixture files only; no book's own file is opened

mod common;

use std::io::Cursor;
use std::process::Command;

use chrono::Datelike;
use common::*;
use counterfoil_pdf::{check_logo, render, Paper, PdfError};

/// The environment variable under which this test binary, started again by
/// `same_bytes_in_another_process`, writes its rendering of the reference invoice.
const WRITE_TO: &str = "COUNTERFOIL_PDF_REFERENCE_OUT";

#[test]
fn the_same_invoice_gives_the_same_bytes() {
    let doc = reference_invoice();
    let first = render(&doc).unwrap();
    // Other renders in between must not change anything (printpdf's ids come from a counter).
    render(&invoice_with_lines(40)).unwrap();
    let second = render(&doc).unwrap();
    assert!(first == second, "two renders of the same invoice differ");

    let mut changed = doc.clone();
    changed.footnote.push_str(" Thank you.");
    assert_ne!(render(&changed).unwrap(), first);
}

#[test]
fn same_bytes_in_another_process() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.pdf");
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "render_the_reference_for_another_process",
            "--test-threads=1",
        ])
        .env(WRITE_TO, &other)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let here = render(&reference_invoice()).unwrap();
    assert!(
        std::fs::read(&other).unwrap() == here,
        "another process rendered different bytes"
    );
    // Also with the fallback face, parsed and subset in each process on its own.
    let here = render(&cjk_invoice()).unwrap();
    assert!(
        std::fs::read(cjk_path(&other)).unwrap() == here,
        "another process rendered different bytes for the CJK invoice"
    );
}

/// Where the other process writes its rendering of the CJK invoice, next to the reference.
fn cjk_path(reference: &std::path::Path) -> std::path::PathBuf {
    reference.with_extension("cjk.pdf")
}

/// Renders the reference invoice and the CJK one; when started by
/// `same_bytes_in_another_process`, writes them where that test reads them.
#[test]
fn render_the_reference_for_another_process() {
    let pdf = render(&reference_invoice()).unwrap();
    let cjk = render(&cjk_invoice()).unwrap();
    assert!(pdf.starts_with(b"%PDF-") && cjk.starts_with(b"%PDF-"));
    if let Some(path) = std::env::var_os(WRITE_TO) {
        let path = std::path::PathBuf::from(path);
        std::fs::write(cjk_path(&path), cjk).unwrap();
        std::fs::write(path, pdf).unwrap();
    }
}

#[test]
fn no_clock_in_the_output() {
    let today = chrono::Utc::now().date_naive();
    let mut doc = reference_invoice();
    doc.issued_on = None;
    let pdf = render(&doc).unwrap();
    let info = poppler("pdfinfo", &[], &pdf);
    assert!(!info.contains("CreationDate"), "{info}");
    // No PDF date of today's month (D:YYYYMM…) and no XMP date (YYYY-MM-…) anywhere.
    let bytes = String::from_utf8_lossy(&pdf);
    for stamp in [
        format!("D:{}{:02}", today.year(), today.month()),
        format!("{}-{:02}-", today.year(), today.month()),
    ] {
        assert!(!bytes.contains(&stamp), "the PDF holds {stamp:?}");
    }
    // An issued invoice is dated by its issue date.
    let info = poppler("pdfinfo", &[], &render(&reference_invoice()).unwrap());
    assert_eq!(
        info_field(&info, "CreationDate"),
        "Tue Dec  1 00:00:00 2026 UTC"
    );
}

#[test]
fn a_one_page_invoice_is_small_and_its_fonts_are_subset() {
    let pdf = render(&invoice_with_lines(12)).unwrap();
    assert_eq!(page_count(&pdf), 1);
    assert!(
        pdf.len() <= 60 * 1024,
        "a one-page invoice takes {} bytes",
        pdf.len()
    );

    let fonts = poppler("pdffonts", &[], &pdf);
    let faces: Vec<&str> = fonts.lines().skip(2).collect();
    assert_eq!(faces.len(), 2, "{fonts}");
    for face in faces {
        // Embedded, subset, with a Unicode map (selectable text); the tag is a fixed one.
        assert!(face.contains("yes yes yes"), "{face}");
        assert!(face.starts_with("CFDVS"), "{face}");
    }
}

/// The rows of `pdffonts`: one per font, after its two header lines.
fn font_rows(pdf: &[u8]) -> Vec<String> {
    let fonts = poppler("pdffonts", &[], pdf);
    fonts.lines().skip(2).map(str::to_string).collect()
}

#[test]
fn the_fallback_font_is_embedded_subset_only_when_text_needs_it() {
    let pdf = render(&cjk_invoice()).unwrap();
    let rows = font_rows(&pdf);
    assert_eq!(rows.len(), 3, "{rows:#?}");
    let fallback: Vec<&String> = rows
        .iter()
        .filter(|row| row.starts_with("CFDRSF+DroidSansFallback"))
        .collect();
    assert_eq!(fallback.len(), 1, "{rows:#?}");
    // Embedded, subset, with a Unicode map, like the DejaVu faces.
    for row in &rows {
        assert!(row.contains("yes yes yes"), "{row}");
    }
    // Small although the face is 3.4 MB: only the glyphs used go in.
    assert!(
        pdf.len() <= 120 * 1024,
        "an invoice with a Japanese buyer takes {} bytes",
        pdf.len()
    );

    // Latin only (Greek and Cyrillic too): no fallback font in the file at all.
    let mut latin = reference_invoice();
    latin.issued_to.name = "Ελληνική Α.Ε. / ООО Ромашка".into();
    let rows = font_rows(&render(&latin).unwrap());
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert!(rows.iter().all(|row| row.starts_with("CFDVS")), "{rows:#?}");
}

#[test]
fn the_same_cjk_invoice_gives_the_same_bytes() {
    let first = render(&cjk_invoice()).unwrap();
    render(&reference_invoice()).unwrap();
    let second = render(&cjk_invoice()).unwrap();
    assert!(first == second, "two renders of the CJK invoice differ");
    let mut changed = cjk_invoice();
    changed.lines[2].name.push('社');
    assert_ne!(render(&changed).unwrap(), first);
}

#[test]
fn paper_sizes() {
    let cases = [
        (Paper::A4, "595.276 x 841.89 pts (A4)"),
        (Paper::Letter, "612 x 792 pts (letter)"),
    ];
    for (paper, expected) in cases {
        let mut doc = reference_invoice();
        doc.paper = paper;
        let info = poppler("pdfinfo", &[], &render(&doc).unwrap());
        assert_eq!(info_field(&info, "Page size"), expected, "{paper:?}");
    }
}

fn logo(format: image::ImageFormat) -> Vec<u8> {
    logo_of_size(format, 180, 60)
}

fn logo_of_size(format: image::ImageFormat, width: u32, height: u32) -> Vec<u8> {
    let logo = image::RgbImage::from_fn(width, height, |x, y| {
        let shade = if (x / 20 + y / 20) % 2 == 0 { 40 } else { 200 };
        image::Rgb([shade, 90, 120])
    });
    let mut bytes = Cursor::new(Vec::new());
    logo.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

#[test]
fn png_and_jpeg_logos_are_drawn() {
    for format in [image::ImageFormat::Png, image::ImageFormat::Jpeg] {
        let mut doc = reference_invoice();
        doc.logo = Some(logo(format));
        let pdf = render(&doc).unwrap();
        let images = poppler("pdfimages", &["-list"], &pdf);
        let rows: Vec<&str> = images.lines().skip(2).collect();
        assert_eq!(rows.len(), 1, "{format:?}: {images}");
        let columns: Vec<&str> = rows[0].split_whitespace().collect();
        // page num type width height color comp bpc enc: full size, stored losslessly.
        assert_eq!(&columns[3..5], ["180", "60"], "{format:?}: {images}");
        assert_eq!(columns[8], "image", "{format:?}: stored as {}", columns[8]);
        // With a logo, the provider's name is not repeated as a wordmark above the address.
        let top = squeeze(&text(&pdf));
        let top = top.split("Invoice for").next().unwrap();
        assert!(!top.contains("Northwind"), "{format:?}: {top}");
    }
}

#[test]
fn a_large_logo_is_downsized() {
    let mut doc = reference_invoice();
    doc.logo = Some(logo_of_size(image::ImageFormat::Png, 3000, 1000));
    let pdf = render(&doc).unwrap();
    let images = poppler("pdfimages", &["-list"], &pdf);
    let row: Vec<&str> = images.lines().nth(2).unwrap().split_whitespace().collect();
    // page num type width height …: 3000 × 1000 becomes 624 × 208 (the box is 680 × 208).
    assert_eq!((row[3], row[4]), ("624", "208"), "{images}");
    assert!(pdf.len() < 200 * 1024, "{} bytes", pdf.len());
}

#[test]
fn a_logo_that_is_not_a_png_or_jpeg_is_refused() {
    let png = logo(image::ImageFormat::Png);
    let cases: [(&str, Vec<u8>); 4] = [
        ("garbage", b"definitely not an image".to_vec()),
        ("empty", Vec::new()),
        ("a GIF", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec()),
        ("a truncated PNG", png[..png.len() / 3].to_vec()),
    ];
    for (id, bytes) in cases {
        let mut doc = reference_invoice();
        doc.logo = Some(bytes);
        assert!(
            matches!(render(&doc), Err(PdfError::BadLogo(_))),
            "{id}: {:?}",
            render(&doc).map(|_| ())
        );
        // The same check on its own, e.g. when the logo is uploaded.
        let bytes = doc.logo.unwrap();
        assert!(
            matches!(check_logo(&bytes), Err(PdfError::BadLogo(_))),
            "{id}"
        );
    }
    assert_eq!(check_logo(&png), Ok(()));
    assert_eq!(check_logo(&logo(image::ImageFormat::Jpeg)), Ok(()));
}
