//! The embedded faces and the glyph advances that text measuring and wrapping use, so what is
//! measured is what is drawn.
//!
//! DejaVu Sans regular and bold are the primary faces, parsed once per process. Droid Sans
//! Fallback draws what DejaVu cannot (CJK ideographs, kana, Hangul); it is a 3.4 MB face, so it
//! is parsed only the first time some text needs it, and a Latin invoice never pays for it.
//! There is no bold fallback face: bold text uses the fallback's regular glyphs for the
//! characters DejaVu lacks (the canvas outlines them, a synthetic bold), with their regular
//! advances.

use std::sync::OnceLock;

use printpdf::ParsedFont;

use crate::PdfError;

const REGULAR_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");
const FALLBACK_TTF: &[u8] = include_bytes!("../../../assets/fonts/DroidSansFallback.ttf");

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

/// Which face draws a character: DejaVu in the text's weight, or the fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Primary,
    Fallback,
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
    /// Droid Sans Fallback, parsed the first time a character DejaVu lacks is met.
    fallback: OnceLock<Result<Face, String>>,
}

static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();

/// The faces, parsed on first use and shared by every render in the process (the fallback
/// only when some text needs it).
pub fn fonts() -> Result<&'static Fonts, PdfError> {
    FONTS
        .get_or_init(|| {
            Ok(Fonts {
                regular: Face::parse(REGULAR_TTF, "DejaVu Sans")?,
                bold: Face::parse(BOLD_TTF, "DejaVu Sans Bold")?,
                fallback: OnceLock::new(),
            })
        })
        .as_ref()
        .map_err(|message| PdfError::Font(message.clone()))
}

impl Fonts {
    /// The primary (DejaVu) face of `weight`.
    pub fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// The fallback face, parsed on the first call.
    pub fn fallback(&self) -> Result<&Face, PdfError> {
        self.fallback
            .get_or_init(|| Face::parse(FALLBACK_TTF, "Droid Sans Fallback"))
            .as_ref()
            .map_err(|message| PdfError::Font(message.clone()))
    }

    /// Whether `character` can be drawn in either weight: both DejaVu faces have it, or the
    /// fallback does (which then draws it for the weight that lacks it). Asks the fallback,
    /// parsing it, only for characters DejaVu lacks.
    pub fn covers(&self, character: char) -> Result<bool, PdfError> {
        if self.regular.advance_units(character).is_some()
            && self.bold.advance_units(character).is_some()
        {
            return Ok(true);
        }
        Ok(self.fallback()?.advance_units(character).is_some())
    }

    /// The face that draws `character` in `weight`: DejaVu when it has the glyph, else the
    /// fallback. A character neither has (refused before layout) counts as the primary's.
    pub fn source(&self, character: char, weight: Weight) -> Source {
        let in_primary = self.face(weight).advance_units(character).is_some();
        if in_primary || self.fallback_advance(character).is_none() {
            Source::Primary
        } else {
            Source::Fallback
        }
    }

    /// The fallback's advance for `character`, parsing the fallback on first use. Only asked
    /// for characters DejaVu lacks: a Latin text never parses it.
    fn fallback_advance(&self, character: char) -> Option<u16> {
        self.fallback().ok()?.advance_units(character)
    }

    /// The width of `text` set in `weight` at `size` points, in points: each character
    /// measured in the face that draws it. Characters no face has count as nothing; they are
    /// refused before any layout happens.
    pub fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        let primary = self.face(weight);
        let mut primary_units = 0u32;
        let mut fallback_units = 0u32;
        for character in text.chars() {
            match primary.advance_units(character) {
                Some(advance) => primary_units += u32::from(advance),
                None => {
                    fallback_units += self.fallback_advance(character).map_or(0, u32::from);
                }
            }
        }
        let width = primary.points(primary_units, size);
        // Not even `+ 0.0` for text without fallback characters: its width is the very
        // number it was before there was a fallback, so Latin layouts do not move.
        match self.fallback.get() {
            Some(Ok(fallback)) if fallback_units > 0 => {
                width + fallback.points(fallback_units, size)
            }
            _ => width,
        }
    }

    /// `text` cut into runs of characters drawn by the same face, in order.
    pub fn runs<'t>(&self, text: &'t str, weight: Weight) -> Runs<'_, 't> {
        Runs {
            fonts: self,
            weight,
            rest: text,
        }
    }
}

/// The runs of [`Fonts::runs`]: each a piece of the text and the face that draws it.
pub struct Runs<'f, 't> {
    fonts: &'f Fonts,
    weight: Weight,
    rest: &'t str,
}

impl<'t> Iterator for Runs<'_, 't> {
    type Item = (Source, &'t str);

    fn next(&mut self) -> Option<Self::Item> {
        let mut characters = self.rest.char_indices();
        let (_, first) = characters.next()?;
        let source = self.fonts.source(first, self.weight);
        let end = characters
            .find(|&(_, character)| self.fonts.source(character, self.weight) != source)
            .map_or(self.rest.len(), |(index, _)| index);
        let (run, rest) = self.rest.split_at(end);
        self.rest = rest;
        Some((source, run))
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
    #[inline]
    fn advance_units(&self, character: char) -> Option<u16> {
        match self.advances.get(character as usize) {
            Some(&MISSING) => None,
            Some(&advance) => Some(advance),
            None => lookup(&self.parsed, character),
        }
    }

    /// `units` of this face's advances set at `size` points, in points.
    fn points(&self, units: u32, size: f32) -> f32 {
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

    fn covers(character: char) -> bool {
        fonts().unwrap().covers(character).unwrap()
    }

    #[test]
    fn covers_latin_greek_cyrillic_and_cjk_through_the_fallback() {
        for character in "aZß ł ő ç Ø € – ΑλΩ ЖщЯ 日株サン한빛北京、。ー・ＡＧ".chars()
        {
            assert!(covers(character), "{character:?} should be covered");
        }
        // Thai, Devanagari, most emoji (DejaVu has the emoticons, 😀), CJK Extension A,
        // control characters: no face has them.
        for character in ['บ', 'क', '🚀', '🍣', '\u{3400}', '\n', '\u{7}'] {
            assert!(!covers(character), "{character:?} should not be covered");
        }
    }

    #[test]
    fn each_character_is_drawn_by_dejavu_when_it_can_else_by_the_fallback() {
        let fonts = fonts().unwrap();
        for weight in [Weight::Regular, Weight::Bold] {
            for character in "Aß€Ж ".chars() {
                assert_eq!(fonts.source(character, weight), Source::Primary);
            }
            for character in "株サ한".chars() {
                assert_eq!(fonts.source(character, weight), Source::Fallback);
            }
        }
    }

    #[test]
    fn mixed_text_splits_into_runs_by_face() {
        let fonts = fonts().unwrap();
        let runs: Vec<_> = fonts.runs("Acme 株式会社 GmbH", Weight::Bold).collect();
        assert_eq!(
            runs,
            [
                (Source::Primary, "Acme "),
                (Source::Fallback, "株式会社"),
                (Source::Primary, " GmbH"),
            ]
        );
        assert_eq!(
            fonts.runs("Invoice", Weight::Regular).collect::<Vec<_>>(),
            [(Source::Primary, "Invoice")]
        );
        assert_eq!(fonts.runs("", Weight::Regular).count(), 0);
    }

    #[test]
    fn widths_grow_with_text_and_size_and_bold_is_wider() {
        let fonts = fonts().unwrap();
        let width = |text: &str, weight: Weight, size: f32| fonts.width(text, weight, size);
        assert_eq!(width("", Weight::Regular, 10.0), 0.0);
        let word = width("Invoice", Weight::Regular, 10.0);
        assert!(word > 20.0 && word < 60.0, "{word}");
        assert!((width("Invoice", Weight::Regular, 20.0) - 2.0 * word).abs() < 0.01);
        assert!(width("Invoice", Weight::Bold, 10.0) > word);
        assert!(width("Invoice Invoice", Weight::Regular, 10.0) > 2.0 * word);
    }

    #[test]
    fn cjk_is_measured_in_the_fallback_and_adds_up_with_latin() {
        let fonts = fonts().unwrap();
        let width = |text: &str| fonts.width(text, Weight::Regular, 10.0);
        // An ideograph is about one em wide; the same in bold (one fallback face).
        let ideograph = width("株");
        assert!(ideograph > 8.0 && ideograph <= 10.5, "{ideograph}");
        assert_eq!(fonts.width("株", Weight::Bold, 10.0), ideograph);
        let mixed = width("Acme 株式会社 GmbH");
        let parts = width("Acme ") + width("株式会社") + width(" GmbH");
        assert!((mixed - parts).abs() < 0.001, "{mixed} vs {parts}");
        assert!((width("株式会社") - 4.0 * ideograph).abs() < 0.001);
    }
}
