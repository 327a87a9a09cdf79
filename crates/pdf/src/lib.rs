//! Invoice PDFs (billing-rules.md §11).
//!
//! A pure renderer: [`render`] turns an [`InvoiceDocument`] (plain data the engine filled in)
//! into PDF bytes; [`check_logo`] tells whether a logo upload can be drawn. No SQL, no clock,
//! no IO, no dependency on the engine; the only rule it borrows is the rounding of
//! `counterfoil-billing` (half away from zero), for the Charged column.
//!
//! ```no_run
//! # fn example(doc: &counterfoil_pdf::InvoiceDocument) -> Result<(), counterfoil_pdf::PdfError> {
//! let bytes: Vec<u8> = counterfoil_pdf::render(doc)?;
//! # Ok(()) }
//! ```
//!
//! # What the invoice looks like
//!
//! A4 portrait (US Letter when [`Paper::Letter`]), 20 mm side margins, DejaVu Sans at 9 pt for
//! the body. The first page opens with the provider's logo top left (fitted into 170 × 52 pt
//! with its proportions; an upload larger than 680 × 208 px is downsized first) or, without a
//! logo, the provider's name set as a wordmark; the details block top right (Invoice ID,
//! Issued on, Billing period start and end, Due on; "-" when not set), the buyer's postal
//! address below the logo, near where a window envelope shows it, the title "Invoice for November 2026", and the "Issued by" / "For"
//! blocks (name, address, country, then "Fiscal code:", "VAT code:", "PO number:" rows, each
//! only when not empty). Then the line-item table (Name, Quantity, Cost, Charged, with
//! "Amounts in EUR" above it), the totals block on the right, "AMOUNT DUE: EUR 1,234.50" under
//! a thin accent rule, the zero-VAT text when the rate is 0, and the provider's footnote at the
//! bottom of the last page. Colour is near-black text, grey labels, light grey rules and one
//! dark slate accent for the amount due.
//!
//! # Numbers and dates
//!
//! - Every figure is formatted from its exact `Decimal` (never a float), with "," between
//!   thousands and "." before decimals, everywhere: "1,234.50", quantities "1,500".
//! - **Quantity**: exact, without trailing zeros ("2.5", "1,500").
//! - Quantity, Cost and Charged are right-aligned columns whose figures line up on the decimal
//!   point (a cost of "9.642" and one of "249.00" share the point's position).
//! - **Cost**: the line's exact cost (stored with 4 decimals) with at least 2 and at most 4
//!   decimals ("12.50", "0.0025"); a value with more than 4 decimals (never from the book) is
//!   shown rounded half-up to 4.
//! - **Charged**: the cost rounded half away from zero to 2 decimals ("0.0025" → "0.00"), as
//!   the book rounds (`counterfoil_billing::money::round2`). The totals are *not* recomputed:
//!   "Total cost (without VAT)", "Total VAT Amount" and the amount due print the
//!   `charged_without_vat`, `charged_vat` and `total` the engine passes in.
//! - **Totals rows**: without a VAT rate one "Total cost" row; with a rate r the three VAT rows,
//!   r printed without trailing zeros ("VAT 21.5% included", "VAT 0% included").
//! - **Dates**: "21 November 2026" (day, English month name, year): unambiguous in every
//!   European country, unlike 11/21/2026 or 21/11/2026.
//!
//! # Pagination
//!
//! Line names wrap within the Name column (at spaces; a single word too long for the column is
//! cut after a hyphen, else between characters, which is how a CJK name without spaces wraps,
//! though without the Japanese rules that keep "、" or "ー" off the start of a line), so
//! nothing ever runs into the number columns; a row is as tall as its name. Rows fill the pages in order, and the table header repeats on every page that has
//! rows. The totals, amount due and zero-VAT text come once, right after the last row and kept
//! together; when they do not fit under it, the last row moves to a new page with them (a page
//! with totals and no line item reads like a loose sheet). The footnote is anchored to the
//! bottom of the last page; a footnote too long for that continues on further pages. Every page
//! has a footer with "Invoice 2026-11-00000042" (its ID) and "Page N of M".
//!
//! # Fonts
//!
//! DejaVu Sans regular and bold (`assets/fonts/`, Bitstream Vera / Arev licence in
//! `LICENSE-DejaVu.txt`) are compiled in, parsed once per process and subset into each PDF
//! (a one-page invoice is about 33 KB, most of it the two font subsets, which keep DejaVu's
//! hinting). They cover Latin (ß ł ő ç …), Greek and Cyrillic.
//!
//! What DejaVu cannot draw comes from a fallback face, Droid Sans Fallback (Apache 2.0,
//! `LICENSE-DroidSansFallback.txt`; `assets/fonts/README.md` says which file and why): CJK
//! ideographs (U+4E00–U+9FFF), hiragana and katakana, Hangul syllables, CJK punctuation and
//! full-width forms, so "株式会社サンプル", "北京数据科技有限公司" and "한빛소프트 주식회사"
//! print. Each character is set in DejaVu when DejaVu has it and in the fallback otherwise, so
//! "Acme 株式会社 GmbH" is three runs in two fonts on one baseline, measured (for wrapping and
//! right alignment) with each face's own advances. The fallback has no bold: bold text (names,
//! the wordmark) draws those characters with its regular glyphs, filled and outlined (a
//! synthetic bold, as browsers do). The face is 3.4 MB, so it is parsed only the first time a
//! text needs it (about 11 ms, once per process) and added to a PDF only when a page uses it,
//! subset like the others (an invoice with a Japanese buyer is about 40 KB): a Latin invoice
//! costs and weighs what it did before there was a fallback, to the byte.
//!
//! Before anything is laid out, every printed text is checked against the faces' character
//! maps: a character neither DejaVu (in both weights) nor the fallback can draw (Thai,
//! Devanagari, most emoji, the rare ideographs of CJK Extension A, …) is refused with
//! [`PdfError::UnsupportedCharacter`] naming it and its field, never dropped or printed as a
//! box. Right-to-left and joining scripts (Hebrew, Arabic, …) and Hangul as conjoining jamo
//! are refused the same way although the faces have some of their glyphs: text is set left to
//! right, glyph by glyph, without shaping, so they would print reversed, unjoined or as loose
//! letters. Text is real text: it can be selected, searched and read back with `pdftotext`.
//!
//! # Determinism
//!
//! The same document gives byte-identical PDFs, in one process or in many: font and image
//! resources have fixed names (printpdf would draw them from a process-wide counter), the
//! trailer ID is a hash of the invoice (its ID and provider, then everything printed), and the
//! document's creation date is the issue date at midnight UTC (none when not issued). Nothing
//! reads the clock. Streams are deflated at zlib level 3 rather than lopdf's "best" (level 9
//! took half of a render's time; level 3 costs 2% in size).
//!
//! To look at sample invoices: `cargo run -p counterfoil-pdf --example preview -- DIR` writes
//! the reference invoice, a 300-line one, a Letter one with VAT 0, one with a logo and one with
//! Japanese, Chinese and Korean text to DIR.

mod canvas;
mod check;
mod document;
mod error;
mod fonts;
mod format;
mod layout;
mod logo;
mod render;
mod wrap;
mod write;

pub use document::{InvoiceDocument, Line, Paper, Party};
pub use error::PdfError;

/// Renders `doc` as a PDF.
///
/// Fails with [`PdfError::UnsupportedCharacter`] when printed text holds a character no embedded
/// face can draw (see "Fonts" in the crate documentation), and with [`PdfError::BadLogo`] when the logo is not a
/// readable PNG or JPEG.
pub fn render(doc: &InvoiceDocument) -> Result<Vec<u8>, PdfError> {
    let fonts = fonts::fonts()?;
    check::printable(doc, fonts)?;
    let logo = doc.logo.as_deref().map(logo::Logo::decode).transpose()?;
    let pages = render::pages(doc, fonts, logo.as_ref());
    write::pdf_bytes(doc, fonts, logo, pages)
}

/// Checks that `logo` is a PNG or JPEG image [`render`] can draw (for example when a provider
/// uploads it), with the same [`PdfError::BadLogo`] that rendering would give.
pub fn check_logo(logo: &[u8]) -> Result<(), PdfError> {
    logo::Logo::decode(logo).map(|_| ())
}
