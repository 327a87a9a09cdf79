//! Every text the invoice prints is checked against the fonts before anything is laid out:
//! a character without a glyph would otherwise vanish or print as a box.

use crate::fonts::Fonts;
use crate::wrap::is_layout_whitespace;
use crate::{InvoiceDocument, Party, PdfError};

/// The first character of the printed text that the fonts cannot draw, named with its field.
/// Fails with [`PdfError::Font`] only if the fallback face, needed for a character DejaVu
/// lacks, does not parse (a broken build).
pub fn printable(doc: &InvoiceDocument, fonts: &Fonts) -> Result<(), PdfError> {
    let drawable = |character: char| -> Result<bool, PdfError> {
        if is_layout_whitespace(character) {
            return Ok(true);
        }
        if needs_shaping(character) {
            return Ok(false);
        }
        fonts.covers(character)
    };
    let check = |text: &str, field: &dyn Fn() -> String| -> Result<(), PdfError> {
        for character in text.chars() {
            if !drawable(character)? {
                return Err(PdfError::UnsupportedCharacter {
                    character,
                    field: field(),
                });
            }
        }
        Ok(())
    };
    check(&doc.friendly_id, &|| "invoice ID".into())?;
    check(&doc.currency, &|| "currency".into())?;
    party(&doc.issued_by, "provider", &check)?;
    party(&doc.issued_to, "buyer", &check)?;
    for (index, line) in doc.lines.iter().enumerate() {
        check(&line.name, &|| format!("line {} name", index + 1))?;
    }
    if doc.vat_rate.is_some_and(|rate| rate.is_zero()) {
        // Printed only with a VAT rate of 0; otherwise it is not the invoice's text.
        check(&doc.zero_vat_text, &|| "zero-VAT text".into())?;
    }
    check(&doc.footnote, &|| "footnote".into())
}

/// Scripts written right to left or with joined letters (Hebrew, Arabic, Syriac, Thaana, N'Ko),
/// the bidirectional controls, and Hangul's conjoining jamo (decomposed syllables). The fonts
/// have glyphs for some of them, but the renderer sets text left to right, glyph by glyph,
/// without shaping: they would print reversed, unjoined or as loose letters, which is no
/// better than not at all, so they are refused like missing glyphs. Korean typed as usual
/// (precomposed syllables, "한빛") and the compatibility jamo ("ㄱ") print.
fn needs_shaping(character: char) -> bool {
    matches!(
        u32::from(character),
        0x0590..=0x08FF
            | 0x1100..=0x11FF
            | 0xA960..=0xA97F
            | 0xD7B0..=0xD7FF
            | 0xFB1D..=0xFDFF
            | 0xFE70..=0xFEFF
            | 0x200E..=0x200F
            | 0x202A..=0x202E
            | 0x2066..=0x2069
            | 0x10800..=0x10FFF
            | 0x1E800..=0x1EFFF
    )
}

type Check<'a> = dyn Fn(&str, &dyn Fn() -> String) -> Result<(), PdfError> + 'a;

fn party(party: &Party, who: &str, check: &Check<'_>) -> Result<(), PdfError> {
    let fields = [
        (&party.name, "name"),
        (&party.line1, "address line 1"),
        (&party.line2, "address line 2"),
        (&party.city, "city"),
        (&party.state, "state"),
        (&party.zip, "ZIP code"),
        (&party.country, "country"),
        (&party.fiscal_code, "fiscal code"),
        (&party.vat_code, "VAT code"),
        (&party.po_number, "PO number"),
    ];
    for (text, field) in fields {
        check(text, &|| format!("{who} {field}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::needs_shaping;

    #[test]
    fn right_to_left_and_joining_scripts_need_shaping() {
        for character in [
            'ש', 'د', 'ﻻ', '\u{200F}', '\u{202E}', '\u{1100}', '\u{1161}',
        ] {
            assert!(needs_shaping(character), "{character:?}");
        }
        for character in ['a', 'Ω', 'Ж', 'Ő', '€', 'Ա', 'ა', '株', 'サ', '한', 'ㄱ'] {
            assert!(!needs_shaping(character), "{character:?}");
        }
    }
}
