use std::fmt;

/// Why an invoice could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// A character no embedded face (DejaVu Sans, then Droid Sans Fallback) has a glyph for,
    /// or one of a script the renderer cannot set (right to left, joined, conjoining jamo).
    /// Such text is refused rather than printed as blanks or boxes: an invoice must show what
    /// the book says.
    #[error("the invoice font cannot draw {} in the {field}", Shown(*character))]
    UnsupportedCharacter {
        character: char,
        /// Which text held it: "buyer name", "line 3 name", "footnote", …
        field: String,
    },
    /// The logo is not a PNG or JPEG image that can be decoded.
    #[error("the logo is not a readable PNG or JPEG image: {0}")]
    BadLogo(String),
    /// An embedded font did not parse (a broken build, never the document's fault).
    #[error("the embedded invoice font could not be read: {0}")]
    Font(String),
    /// The PDF writer failed (never expected: it writes into memory).
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

/// `'บ' (U+0E1A)`; control characters are escaped so the message stays on one line.
struct Shown(char);

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Shown(character) = *self;
        if character.is_control() {
            write!(
                f,
                "'{}' (U+{:04X})",
                character.escape_default(),
                u32::from(character)
            )
        } else {
            write!(f, "'{character}' (U+{:04X})", u32::from(character))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_character_its_code_point_and_the_field() {
        let cases = [
            (
                'บ',
                "buyer name",
                "the invoice font cannot draw 'บ' (U+0E1A) in the buyer name",
            ),
            (
                '\u{7}',
                "footnote",
                "the invoice font cannot draw '\\u{7}' (U+0007) in the footnote",
            ),
            (
                '\u{1F600}',
                "line 3 name",
                "the invoice font cannot draw '\u{1F600}' (U+1F600) in the line 3 name",
            ),
        ];
        for (character, field, expected) in cases {
            let error = PdfError::UnsupportedCharacter {
                character,
                field: field.into(),
            };
            assert_eq!(error.to_string(), expected);
        }
    }
}
