//! Writes sample invoices to look at: the reference invoice (tests/common), a 300-line one, a
//! US Letter one with VAT 0 and unset dates, one with a logo, and one with Japanese, Korean and
//! Chinese text (the fallback face).
//!
//!   cargo run -p counterfoil-pdf --example preview -- /tmp/invoices
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::disallowed_methods)] // fixture files only; no book's own file is opened
#[path = "../tests/common/mod.rs"]
mod common;

fn write(path: std::path::PathBuf, doc: &counterfoil_pdf::InvoiceDocument) {
    std::fs::write(path, counterfoil_pdf::render(doc).unwrap()).unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = std::path::Path::new(&args[1]);
    std::fs::create_dir_all(out).unwrap();
    write(out.join("reference.pdf"), &common::reference_invoice());
    write(out.join("long.pdf"), &common::invoice_with_lines(300));
    write(out.join("cjk.pdf"), &common::cjk_invoice());
    let mut zero = common::reference_invoice();
    zero.vat_rate = Some(rust_decimal::Decimal::ZERO);
    zero.issued_on = None;
    zero.due_on = None;
    zero.paper = counterfoil_pdf::Paper::Letter;
    write(out.join("zero.pdf"), &common::with_totals(zero));
    let logo = image::RgbaImage::from_fn(360, 120, |x, y| {
        let (dx, dy) = (x as f32 - 60.0, y as f32 - 60.0);
        if dx * dx + dy * dy < 55.0 * 55.0 || (x > 130 && x < 350 && y > 40 && y < 80) {
            image::Rgba([28, 74, 110, 255])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    logo.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    let mut with_logo = common::reference_invoice();
    with_logo.logo = Some(bytes.into_inner());
    write(out.join("logo.pdf"), &with_logo);
}
