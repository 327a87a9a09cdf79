//! One page being drawn: text, rules and the logo, placed in points from the top-left corner
//! (how the layout thinks) and emitted as printpdf operations (PDF counts from the bottom).

use printpdf::{
    Color, FontId, Line as PdfLine, LinePoint, Op, PdfFontHandle, Point, Pt, Rgb, TextItem,
    TextMatrix, XObjectId, XObjectTransform,
};

use crate::fonts::{Fonts, Weight};
use crate::layout::Page;

/// Where the baseline sits in a line box, as a fraction of the line height. The same fraction
/// for every size puts a small label and a larger value that share a line box on one baseline.
const BASELINE: f32 = 0.75;

/// The resource names of the two faces; their first six letters also become the subset tag.
pub const REGULAR_FONT_ID: &str = "CFDVSR";
pub const BOLD_FONT_ID: &str = "CFDVSB";
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
        self.fonts.face(style.weight).width(text, style.size)
    }

    /// Draws one line of text whose line box starts at `top`, its left edge at `x`.
    pub fn text(&mut self, x: f32, top: f32, style: Style, text: &str) {
        if text.is_empty() {
            return;
        }
        let baseline = top + BASELINE * style.lead;
        let font_id = match style.weight {
            Weight::Regular => REGULAR_FONT_ID,
            Weight::Bold => BOLD_FONT_ID,
        };
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
                matrix: TextMatrix::Translate(Pt(x), Pt(self.page.height - baseline)),
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_string())],
            },
            Op::EndTextSection,
        ]);
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
