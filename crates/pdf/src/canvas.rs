//! One page being drawn: text, rules and the logo, placed in points from the top-left corner
//! (how the layout thinks) and emitted as printpdf operations (PDF counts from the bottom).

use printpdf::{
    Color, FontId, Line as PdfLine, LineJoinStyle, LinePoint, Op, PdfFontHandle, Point, Pt, Rgb,
    TextItem, TextMatrix, TextRenderingMode, XObjectId, XObjectTransform,
};

use crate::fonts::{Fonts, Source, Weight};
use crate::layout::Page;

/// Where the baseline sits in a line box, as a fraction of the line height. The same fraction
/// for every size puts a small label and a larger value that share a line box on one baseline.
const BASELINE: f32 = 0.75;
/// The outline that emboldens fallback glyphs, as a share of the type size (1/24 em: FreeType's
/// and Skia's synthetic bold at text sizes).
const EMBOLDEN_STROKE: f32 = 1.0 / 24.0;

/// The resource names of the faces; their first six letters also become the subset tag.
pub const REGULAR_FONT_ID: &str = "CFDVSR";
pub const BOLD_FONT_ID: &str = "CFDVSB";
/// Droid Sans Fallback, for the characters DejaVu lacks (in either weight).
pub const FALLBACK_FONT_ID: &str = "CFDRSF";
pub const LOGO_ID: &str = "CFLOGO";

/// The few colours: near-black text, grey for labels and secondary text, light rules and one
/// restrained accent (a dark slate blue) for the amount due.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ink {
    Text,
    Muted,
    Rule,
    Accent,
}

impl Ink {
    fn color(self) -> Color {
        let (r, g, b) = match self {
            Ink::Text => (0.12, 0.13, 0.14),
            Ink::Muted => (0.40, 0.42, 0.45),
            Ink::Rule => (0.78, 0.79, 0.81),
            Ink::Accent => (0.11, 0.29, 0.43),
        };
        Color::Rgb(Rgb::new(r, g, b, None))
    }
}

/// How a piece of text is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub weight: Weight,
    pub size: f32,
    /// The height of one line.
    pub lead: f32,
    pub ink: Ink,
}

pub struct Canvas<'f> {
    pub fonts: &'f Fonts,
    pub page: Page,
    ops: Vec<Op>,
}

impl<'f> Canvas<'f> {
    pub fn new(fonts: &'f Fonts, page: Page) -> Self {
        Canvas {
            fonts,
            page,
            ops: Vec::new(),
        }
    }

    pub fn into_ops(self) -> Vec<Op> {
        self.ops
    }

    pub fn width(&self, text: &str, style: Style) -> f32 {
        self.fonts.width(text, style.weight, style.size)
    }

    /// Draws one line of text whose line box starts at `top`, its left edge at `x`. Each run
    /// of characters drawn by one face (DejaVu in the style's weight, or the fallback) is a
    /// text section of its own, starting where the runs before it end, measured as
    /// [`Canvas::width`] measures: "Acme 株式会社 GmbH" is three sections.
    pub fn text(&mut self, x: f32, top: f32, style: Style, text: &str) {
        let baseline = top + BASELINE * style.lead;
        let fonts = self.fonts;
        let mut runs = fonts.runs(text, style.weight).peekable();
        let mut x = x;
        while let Some((source, run)) = runs.next() {
            let origin = Point {
                x: Pt(x),
                y: Pt(self.page.height - baseline),
            };
            match (source, style.weight) {
                (Source::Primary, Weight::Regular) => {
                    self.section(REGULAR_FONT_ID, origin, style, run);
                }
                (Source::Primary, Weight::Bold) => self.section(BOLD_FONT_ID, origin, style, run),
                (Source::Fallback, Weight::Regular) => {
                    self.section(FALLBACK_FONT_ID, origin, style, run);
                }
                (Source::Fallback, Weight::Bold) => self.emboldened(origin, style, run),
            }
            if runs.peek().is_some() {
                x += fonts.width(run, style.weight, style.size);
            }
        }
    }

    /// One text section: `text` in the font named `font_id`, its baseline starting at `origin`.
    fn section(&mut self, font_id: &str, origin: Point, style: Style, text: &str) {
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(FontId(font_id.to_string())),
                size: Pt(style.size),
            },
            Op::SetFillColor {
                col: style.ink.color(),
            },
            Op::SetTextMatrix {
                matrix: TextMatrix::Translate(origin.x, origin.y),
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_string())],
            },
            Op::EndTextSection,
        ]);
    }

    /// Bold text in the fallback, which has no bold face: its regular glyphs, filled and
    /// outlined in the same ink (what browsers and FreeType do for a missing bold), so a
    /// Japanese buyer's name still stands out from its address. The stroke, its width and
    /// the rendering mode are graphics state, kept to this section by save and restore.
    fn emboldened(&mut self, origin: Point, style: Style, text: &str) {
        self.ops.extend([
            Op::SaveGraphicsState,
            Op::SetOutlineColor {
                col: style.ink.color(),
            },
            Op::SetOutlineThickness {
                pt: Pt(style.size * EMBOLDEN_STROKE),
            },
            Op::SetLineJoinStyle {
                join: LineJoinStyle::Round,
            },
            Op::SetTextRenderingMode {
                mode: TextRenderingMode::FillStroke,
            },
        ]);
        self.section(FALLBACK_FONT_ID, origin, style, text);
        self.ops.push(Op::RestoreGraphicsState);
    }

    /// Draws one line of text ending at `right`.
    pub fn text_right(&mut self, right: f32, top: f32, style: Style, text: &str) {
        let width = self.width(text, style);
        self.text(right - width, top, style, text);
    }

    /// Draws lines of text one under the other; returns where the last one ends.
    pub fn lines(&mut self, x: f32, top: f32, style: Style, lines: &[String]) -> f32 {
        let mut y = top;
        for line in lines {
            self.text(x, y, style, line);
            y += style.lead;
        }
        y
    }

    /// Like [`Canvas::lines`], each line ending at `right`.
    pub fn lines_right(&mut self, right: f32, top: f32, style: Style, lines: &[String]) -> f32 {
        let mut y = top;
        for line in lines {
            self.text_right(right, y, style, line);
            y += style.lead;
        }
        y
    }

    /// A horizontal rule at `y`, from `left` to `right`.
    pub fn rule(&mut self, left: f32, right: f32, y: f32, thickness: f32, ink: Ink) {
        let y = self.page.height - y;
        let point = |x: f32| LinePoint {
            p: Point { x: Pt(x), y: Pt(y) },
            bezier: false,
        };
        self.ops.extend([
            Op::SetOutlineColor { col: ink.color() },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine {
                line: PdfLine {
                    points: vec![point(left), point(right)],
                    is_closed: false,
                },
            },
        ]);
    }

    /// Places the logo (an image of `pixels` width × height) in the box at `left`, `top`, scaled
    /// to `width` × `height` points.
    pub fn logo(&mut self, left: f32, top: f32, pixels: (usize, usize), size: (f32, f32)) {
        let (pixel_width, pixel_height) = pixels;
        let (width, height) = size;
        // Image sizes in pixels fit an f32 exactly far beyond any logo.
        #[allow(clippy::cast_precision_loss)]
        let (pixel_width, pixel_height) = (pixel_width.max(1) as f32, pixel_height.max(1) as f32);
        self.ops.push(Op::UseXobject {
            id: XObjectId(LOGO_ID.to_string()),
            transform: XObjectTransform {
                translate_x: Some(Pt(left)),
                translate_y: Some(Pt(self.page.height - top - height)),
                // At 72 dpi one pixel is one point; the scale then gives the wanted size.
                dpi: Some(72.0),
                scale_x: Some(width / pixel_width),
                scale_y: Some(height / pixel_height),
                ..XObjectTransform::default()
            },
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::fonts;
    use crate::Paper;

    const BODY: Style = Style {
        weight: Weight::Bold,
        size: 9.0,
        lead: 12.5,
        ink: Ink::Text,
    };

    /// Each text section drawn: its font, its left edge, its baseline and its text.
    fn sections(ops: &[Op]) -> Vec<(String, f32, f32, String)> {
        let mut sections = Vec::new();
        let mut font = String::new();
        let mut origin = (0.0, 0.0);
        for op in ops {
            match op {
                Op::SetFont {
                    font: PdfFontHandle::External(FontId(id)),
                    ..
                } => font.clone_from(id),
                Op::SetTextMatrix {
                    matrix: TextMatrix::Translate(x, y),
                } => origin = (x.0, y.0),
                Op::ShowText { items } => {
                    let [TextItem::Text(text)] = items.as_slice() else {
                        panic!("{items:?}");
                    };
                    sections.push((font.clone(), origin.0, origin.1, text.clone()));
                }
                _ => {}
            }
        }
        sections
    }

    #[test]
    fn mixed_text_is_one_section_per_face_end_to_end_on_one_baseline() {
        let fonts = fonts().unwrap();
        let mut canvas = Canvas::new(fonts, Page::of(Paper::A4));
        let text = "Acme 株式会社 GmbH";
        let right = 500.0;
        canvas.text_right(right, 100.0, BODY, text);
        let width = canvas.width(text, BODY);
        let drawn = sections(&canvas.into_ops());
        let fonts_and_texts: Vec<(&str, &str)> = drawn
            .iter()
            .map(|(font, _, _, text)| (font.as_str(), text.as_str()))
            .collect();
        assert_eq!(
            fonts_and_texts,
            [
                (BOLD_FONT_ID, "Acme "),
                (FALLBACK_FONT_ID, "株式会社"),
                (BOLD_FONT_ID, " GmbH"),
            ]
        );
        // Each run starts where the one before it ends, all on one baseline, and the last
        // ends at the right edge.
        let mut x = right - width;
        for (_, left, baseline, run) in &drawn {
            assert!((left - x).abs() < 0.001, "{run:?} at {left}, expected {x}");
            assert_eq!(*baseline, drawn[0].2);
            x += fonts.width(run, BODY.weight, BODY.size);
        }
        assert!((x - right).abs() < 0.001, "ends at {x}");
    }

    #[test]
    fn latin_text_is_one_section_in_dejavu() {
        let mut canvas = Canvas::new(fonts().unwrap(), Page::of(Paper::A4));
        canvas.text(56.7, 100.0, BODY, "Hofmann Logistik GmbH");
        let ops = canvas.into_ops();
        // No graphics state around it: only emboldened fallback text needs one.
        assert!(!ops.iter().any(|op| matches!(op, Op::SaveGraphicsState)));
        let drawn = sections(&ops);
        assert_eq!(drawn.len(), 1);
        assert_eq!(drawn[0].0, BOLD_FONT_ID);
        assert_eq!(drawn[0].1, 56.7);
    }
}
