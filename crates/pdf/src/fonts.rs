//! The two embedded faces (DejaVu Sans regular and bold), parsed once per process, and the
//! glyph advances that text measuring and wrapping use, so what is measured is what is drawn.

use std::sync::OnceLock;

use printpdf::ParsedFont;

use crate::PdfError;

const REGULAR_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// Code points below this have their advance in a table (Latin, Greek, Cyrillic, general
/// punctuation, currency signs); the rest are looked up in the font when met.
const TABLE_END: u32 = 0x3000;
/// Marks a code point the face has no glyph for.
const MISSING: u16 = u16::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

pub struct Face {
    pub parsed: ParsedFont,
    units_per_em: f32,
    /// Advance in font units by code point, below `TABLE_END`.
    advances: Vec<u16>,
}

pub struct Fonts {
    pub regular: Face,
    pub bold: Face,
}

static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();

/// The faces, parsed on first use and shared by every render in the process.
pub fn fonts() -> Result<&'static Fonts, PdfError> {
    FONTS
        .get_or_init(|| {
            Ok(Fonts {
                regular: Face::parse(REGULAR_TTF, "DejaVu Sans")?,
                bold: Face::parse(BOLD_TTF, "DejaVu Sans Bold")?,
            })
        })
        .as_ref()
        .map_err(|message| PdfError::Font(message.clone()))
}

impl Fonts {
    pub fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// Whether both faces can draw `character`: any text may be set in either weight.
    pub fn covers(&self, character: char) -> bool {
        self.regular.advance_units(character).is_some()
            && self.bold.advance_units(character).is_some()
    }
}

impl Face {
    fn parse(bytes: &[u8], name: &str) -> Result<Face, String> {
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut Vec::new())
            .ok_or_else(|| format!("{name} did not parse"))?;
        let units_per_em = f32::from(parsed.pdf_font_metrics.units_per_em.max(1));
        let advances = (0..TABLE_END)
            .map(|code| {
                char::from_u32(code)
                    .and_then(|character| lookup(&parsed, character))
                    .unwrap_or(MISSING)
            })
            .collect();
        Ok(Face {
            parsed,
            units_per_em,
            advances,
        })
    }

    /// The advance of `character` in font units, or `None` when the face has no glyph for it.
    fn advance_units(&self, character: char) -> Option<u16> {
        match self.advances.get(character as usize) {
            Some(&MISSING) => None,
            Some(&advance) => Some(advance),
            None => lookup(&self.parsed, character),
        }
    }

    /// The width of `text` set at `size` points, in points. Characters without a glyph
    /// count as nothing; they are refused before any layout happens.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .filter_map(|character| self.advance_units(character))
            .map(u32::from)
            .sum();
        // Layout coordinates are points as f32 (what printpdf takes); money never is.
        #[allow(clippy::cast_precision_loss)]
        let units = units as f32;
        units * size / self.units_per_em
    }
}

/// The glyph's advance, if the font maps the character to a real glyph (not .notdef).
fn lookup(parsed: &ParsedFont, character: char) -> Option<u16> {
    match parsed.lookup_glyph_index(u32::from(character)) {
        Some(0) | None => None,
        Some(glyph) => Some(parsed.get_horizontal_advance(glyph)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_latin_greek_cyrillic_but_not_cjk() {
        let fonts = fonts().unwrap();
        for character in "aZß ł ő ç Ø € – ΑλΩ ЖщЯ ".chars() {
            assert!(fonts.covers(character), "{character:?} should be covered");
        }
        for character in ['日', '株', '\n', '\u{7}'] {
            assert!(
                !fonts.covers(character),
                "{character:?} should not be covered"
            );
        }
    }

    #[test]
    fn widths_grow_with_text_and_size_and_bold_is_wider() {
        let fonts = fonts().unwrap();
        let regular = fonts.face(Weight::Regular);
        let bold = fonts.face(Weight::Bold);
        assert_eq!(regular.width("", 10.0), 0.0);
        let word = regular.width("Invoice", 10.0);
        assert!(word > 20.0 && word < 60.0, "{word}");
        assert!((regular.width("Invoice", 20.0) - 2.0 * word).abs() < 0.01);
        assert!(bold.width("Invoice", 10.0) > word);
        assert!(regular.width("Invoice Invoice", 10.0) > 2.0 * word);
    }
}
