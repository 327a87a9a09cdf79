//! Turning the drawn pages into PDF bytes, the same bytes for the same invoice every time:
//! fixed resource names instead of printpdf's random ones, a trailer ID derived from the
//! invoice instead of a per-process counter, and the issue date (not the clock) as the
//! document's date.

use std::io::Write as _;

use chrono::NaiveDate;
use lopdf::{Object, StringFormat};
use printpdf::{
    FontId, ImageCompression, ImageOptimizationOptions, Op, PdfDocument, PdfFont, PdfFontHandle,
    PdfPage, PdfSaveOptions, Pt, Rect, XObject, XObjectId,
};

use crate::canvas::{BOLD_FONT_ID, FALLBACK_FONT_ID, LOGO_ID, REGULAR_FONT_ID};
use crate::fonts::Fonts;
use crate::layout::Page;
use crate::logo::Logo;
use crate::{format, InvoiceDocument, Party, PdfError};

/// zlib's level. Measured on a 12-line invoice: 9 (lopdf's) spends half the render compressing;
/// 6 renders 1.3x as fast, 3 another 1.2x for 2% more bytes, 1 is faster still but 24% larger.
const COMPRESSION_LEVEL: u32 = 3;

pub fn pdf_bytes(
    doc: &InvoiceDocument,
    fonts: &Fonts,
    logo: Option<Logo>,
    pages: Vec<(Page, Vec<Op>)>,
) -> Result<Vec<u8>, PdfError> {
    let mut pdf = PdfDocument::new(&format!("Invoice {}", doc.friendly_id.trim()));
    let info = &mut pdf.metadata.info;
    info.author = doc.issued_by.name.trim().to_string();
    info.subject = format!("Invoice for {}", format::month_year(doc.period));
    info.creator = "Counterfoil".to_string();
    info.producer = "Counterfoil (printpdf)".to_string();

    for (id, face) in [
        (REGULAR_FONT_ID, &fonts.regular),
        (BOLD_FONT_ID, &fonts.bold),
    ] {
        let font = PdfFont::new(face.parsed.clone());
        pdf.resources.fonts.map.insert(FontId(id.to_string()), font);
    }
    // The fallback only when a page draws with it: a Latin invoice's bytes stay as they were,
    // and the 3.4 MB face is not even cloned for it.
    if uses_font(&pages, FALLBACK_FONT_ID) {
        let font = PdfFont::new(fonts.fallback()?.parsed.clone());
        pdf.resources
            .fonts
            .map
            .insert(FontId(FALLBACK_FONT_ID.to_string()), font);
    }
    if let Some(logo) = logo {
        pdf.resources
            .xobjects
            .map
            .insert(XObjectId(LOGO_ID.to_string()), XObject::Image(logo.image));
    }
    pdf.pages = pages
        .into_iter()
        .map(|(page, ops)| {
            let area = Rect::from_wh(Pt(page.width), Pt(page.height));
            PdfPage {
                media_box: area.clone(),
                trim_box: area.clone(),
                crop_box: area,
                ops,
            }
        })
        .collect();

    let options = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        // Lossless: printpdf would re-encode a colour logo as JPEG, smudging its edges and text.
        image_optimization: Some(ImageOptimizationOptions {
            format: Some(ImageCompression::Flate),
            ..ImageOptimizationOptions::default()
        }),
    };
    let mut document = pdf.to_lopdf_document(&options, &mut Vec::new());
    stamp(&mut document, doc)?;
    compress(&mut document)?;
    let mut bytes = Vec::new();
    document
        .save_to(&mut bytes)
        .map_err(|error| PdfError::Write(error.to_string()))?;
    Ok(bytes)
}

/// Whether any page sets text in the font named `id`.
fn uses_font(pages: &[(Page, Vec<Op>)], id: &str) -> bool {
    pages.iter().flat_map(|(_, ops)| ops).any(|op| {
        matches!(
            op,
            Op::SetFont { font: PdfFontHandle::External(FontId(font)), .. } if font == id
        )
    })
}

/// Deflates every stream that may be compressed, as `lopdf::Document::compress` does but at
/// [`COMPRESSION_LEVEL`] instead of its fixed "best", which took half of a render's time.
fn compress(document: &mut lopdf::Document) -> Result<(), PdfError> {
    let level = flate2::Compression::new(COMPRESSION_LEVEL);
    for object in document.objects.values_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), level);
        encoder
            .write_all(&stream.content)
            .and_then(|()| encoder.finish())
            .map(|compressed| {
                if compressed.len() < stream.content.len() {
                    stream.dict.set("Filter", "FlateDecode");
                    stream.set_content(compressed);
                }
            })
            .map_err(|error| PdfError::Write(error.to_string()))?;
    }
    Ok(())
}

/// Replaces what printpdf takes from a process-wide counter or the epoch: the trailer ID and
/// the document dates.
fn stamp(document: &mut lopdf::Document, doc: &InvoiceDocument) -> Result<(), PdfError> {
    let id =
        |fingerprint: [u8; 16]| Object::String(fingerprint.to_vec(), StringFormat::Hexadecimal);
    // The first ID names the invoice; the second this rendering of it (ISO 32000-1, 14.4).
    document.trailer.set(
        "ID",
        Object::Array(vec![id(identity(doc)), id(content(doc))]),
    );

    let info = document
        .trailer
        .get(b"Info")
        .and_then(Object::as_reference)
        .map_err(|error| PdfError::Write(error.to_string()))?;
    let info = document
        .get_dictionary_mut(info)
        .map_err(|error| PdfError::Write(error.to_string()))?;
    // printpdf writes a PDF/X version key (empty, but readers then take the file for PDF/X)
    // and empty entries; the invoice claims no standard it was not checked against.
    for key in ["GTS_PDFXVersion", "Trapped", "Identifier", "Keywords"] {
        info.remove(key.as_bytes());
    }
    match doc.issued_on {
        Some(issued_on) => {
            let date = Object::String(pdf_date(issued_on).into_bytes(), StringFormat::Literal);
            info.set("CreationDate", date.clone());
            info.set("ModDate", date);
        }
        None => {
            info.remove(b"CreationDate");
            info.remove(b"ModDate");
        }
    }
    Ok(())
}

/// "D:20261121000000Z": midnight UTC of the issue date.
fn pdf_date(day: NaiveDate) -> String {
    format!("D:{}000000Z", day.format("%Y%m%d"))
}

/// The invoice's identity: its ID and provider, stable when the PDF is regenerated.
fn identity(doc: &InvoiceDocument) -> [u8; 16] {
    let mut hash = Fingerprint::new();
    hash.text(doc.friendly_id.trim());
    hash.text(doc.issued_by.name.trim());
    hash.finish()
}

/// Everything the PDF shows: changes when anything printed changes (a new footnote, say).
fn content(doc: &InvoiceDocument) -> [u8; 16] {
    let mut hash = Fingerprint::new();
    hash.text(&format!("{:?}", doc.paper));
    hash.bytes(doc.logo.as_deref().unwrap_or_default());
    hash.text(&doc.friendly_id);
    for date in [
        Some(doc.period),
        doc.issued_on,
        doc.period_start,
        doc.period_end,
        doc.due_on,
    ] {
        hash.text(&date.map(|day| day.to_string()).unwrap_or_default());
    }
    for party in [&doc.issued_by, &doc.issued_to] {
        party_texts(party)
            .into_iter()
            .for_each(|text| hash.text(text));
    }
    for line in &doc.lines {
        hash.text(&line.name);
        hash.text(&line.quantity.to_string());
        hash.text(&line.cost.to_string());
    }
    hash.text(&doc.currency);
    hash.text(
        &doc.vat_rate
            .map(|rate| rate.to_string())
            .unwrap_or_default(),
    );
    for amount in [doc.charged_without_vat, doc.charged_vat, doc.total] {
        hash.text(&amount.to_string());
    }
    hash.text(&doc.zero_vat_text);
    hash.text(&doc.footnote);
    hash.finish()
}

fn party_texts(party: &Party) -> [&str; 10] {
    [
        &party.name,
        &party.line1,
        &party.line2,
        &party.city,
        &party.state,
        &party.zip,
        &party.country,
        &party.fiscal_code,
        &party.vat_code,
        &party.po_number,
    ]
}

/// Two FNV-1a 64-bit hashes with different starting points: an ID, not a security measure,
/// and the same on every platform and in every process.
struct Fingerprint([u64; 2]);

impl Fingerprint {
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    fn new() -> Self {
        Fingerprint([0xcbf2_9ce4_8422_2325, 0x6c62_272e_07bb_0142])
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for state in &mut self.0 {
            for &byte in bytes.iter().chain(&(bytes.len() as u64).to_le_bytes()) {
                *state = (*state ^ u64::from(byte)).wrapping_mul(Self::PRIME);
            }
        }
    }

    /// A field; its length goes in too, so ("ab", "c") and ("a", "bc") differ.
    fn text(&mut self, text: &str) {
        self.bytes(text.as_bytes());
    }

    fn finish(&self) -> [u8; 16] {
        let mut out = [0; 16];
        out[..8].copy_from_slice(&self.0[0].to_be_bytes());
        out[8..].copy_from_slice(&self.0[1].to_be_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_separate_fields() {
        let of = |parts: &[&str]| {
            let mut hash = Fingerprint::new();
            parts.iter().for_each(|part| hash.text(part));
            hash.finish()
        };
        assert_eq!(of(&["ab", "c"]), of(&["ab", "c"]));
        assert_ne!(of(&["ab", "c"]), of(&["a", "bc"]));
        assert_ne!(of(&[""]), of(&[]));
    }

    #[test]
    fn pdf_dates_are_midnight_utc_of_the_day() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        assert_eq!(pdf_date(day), "D:20261121000000Z");
    }
}
