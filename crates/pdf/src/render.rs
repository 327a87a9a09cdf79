//! Laying out and drawing the invoice: the first page's letterhead (logo, buyer address,
//! details, title, parties), the line-item table on as many pages as it needs, the totals and
//! the footnote once at the end, and a footer on every page.

use printpdf::Op;

use crate::canvas::{Canvas, Ink, Style};
use crate::fonts::{Fonts, Weight};
use crate::layout::{
    lines_height, paginate, row_height, Flow, Page, PagePlan, BODY_LEAD, BODY_SIZE,
    FOOTER_BOTTOM_GAP, MARGIN_TOP, ROW_PADDING, SMALL_LEAD, SMALL_SIZE, TABLE_HEADER_HEIGHT,
    TITLE_SIZE, TOTALS_WIDTH,
};
use crate::logo::Logo;
use crate::wrap::wrap;
use crate::{format, InvoiceDocument, Party};

const BODY: Style = Style {
    weight: Weight::Regular,
    size: BODY_SIZE,
    lead: BODY_LEAD,
    ink: Ink::Text,
};
const BODY_BOLD: Style = Style {
    weight: Weight::Bold,
    ..BODY
};
const LABEL: Style = Style {
    weight: Weight::Regular,
    size: SMALL_SIZE,
    lead: BODY_LEAD,
    ink: Ink::Muted,
};
const CAPTION: Style = Style {
    weight: Weight::Bold,
    size: SMALL_SIZE,
    lead: SMALL_LEAD,
    ink: Ink::Muted,
};
const NOTE: Style = Style {
    weight: Weight::Regular,
    size: SMALL_SIZE,
    lead: SMALL_LEAD,
    ink: Ink::Muted,
};
const COLUMN_HEAD: Style = Style {
    weight: Weight::Bold,
    size: 8.0,
    lead: 12.0,
    ink: Ink::Text,
};
const TITLE: Style = Style {
    weight: Weight::Bold,
    size: TITLE_SIZE,
    lead: 24.0,
    ink: Ink::Text,
};
const WORDMARK: Style = Style {
    weight: Weight::Bold,
    size: 15.0,
    lead: 19.0,
    ink: Ink::Text,
};
const AMOUNT_DUE: Style = Style {
    weight: Weight::Bold,
    size: 12.0,
    lead: 18.0,
    ink: Ink::Accent,
};

/// The logo fits in this box (points), keeping its proportions.
const LOGO_MAX: (f32, f32) = (170.0, 52.0);
/// The details block (Invoice ID, dates) on the right of the letterhead.
const DETAILS_WIDTH: f32 = 215.0;
const DETAILS_LABEL_WIDTH: f32 = 92.0;
/// The buyer's address starts no higher than this (about where a window envelope shows it).
const ADDRESS_MIN_TOP: f32 = 104.0;
/// Totals: space above, a row's height, the amount due's block.
const TOTALS_GAP: f32 = 14.0;
const TOTAL_ROW: f32 = 17.0;
const AMOUNT_DUE_GAP: f32 = 8.0;
const ZERO_VAT_GAP: f32 = 6.0;
const FOOTNOTE_GAP: f32 = 18.0;

/// The content, formatted and wrapped once, before pagination decides where it goes.
struct Prepared {
    /// Each row's name lines and its Quantity, Cost and Charged figures.
    rows: Vec<(Vec<String>, [String; 3])>,
    /// The most decimals a figure has in each number column: figures align on the point.
    decimals: [usize; 3],
    totals: Vec<(String, String)>,
    amount_due: String,
    zero_vat_lines: Vec<String>,
    footnote_lines: Vec<String>,
    /// "Amounts in EUR", above the table.
    currency_note: String,
}

/// Draws every page of `doc`; the logo, when there is one, is already decoded.
pub fn pages(doc: &InvoiceDocument, fonts: &Fonts, logo: Option<&Logo>) -> Vec<(Page, Vec<Op>)> {
    let page = Page::of(doc.paper);
    let prepared = prepare(doc, fonts, page);

    let mut first = Canvas::new(fonts, page);
    let first_table_top = letterhead(&mut first, doc, logo);

    let plans = paginate(&Flow {
        first_table_top,
        next_page_top: MARGIN_TOP,
        table_header_height: TABLE_HEADER_HEIGHT,
        bottom: page.content_bottom(),
        row_heights: prepared
            .rows
            .iter()
            .map(|(name, _)| row_height(name.len()))
            .collect(),
        totals_height: totals_height(&prepared),
        footnote_gap: FOOTNOTE_GAP,
        footnote_lines: prepared.footnote_lines.len(),
        footnote_lead: NOTE.lead,
    });
    let page_count = plans.len();
    let mut drawn = Vec::with_capacity(page_count);
    let mut first = Some(first);
    for (index, plan) in plans.iter().enumerate() {
        let (mut canvas, table_top) = match first.take() {
            Some(canvas) => (canvas, first_table_top),
            None => (Canvas::new(fonts, page), MARGIN_TOP),
        };
        draw_plan(&mut canvas, &prepared, plan, index == 0, table_top);
        footer(&mut canvas, doc, index + 1, page_count);
        drawn.push((page, canvas.into_ops()));
    }
    drawn
}

fn prepare(doc: &InvoiceDocument, fonts: &Fonts, page: Page) -> Prepared {
    let name_width = page.name_width();
    let rows: Vec<_> = doc
        .lines
        .iter()
        .map(|line| {
            let name = wrap(&line.name, name_width, |text| {
                fonts.width(text, BODY.weight, BODY.size)
            });
            let figures = [
                format::quantity(line.quantity),
                format::cost(line.cost),
                format::charged(line.cost),
            ];
            (name, figures)
        })
        .collect();

    let mut decimals = [0; 3];
    for (_, figures) in &rows {
        for (most, figure) in decimals.iter_mut().zip(figures) {
            *most = (*most).max(fraction_digits(figure));
        }
    }

    let totals = match doc.vat_rate {
        None => vec![(
            "Total cost".to_string(),
            format::amount(doc.charged_without_vat),
        )],
        Some(rate) => vec![
            (
                "Total cost (without VAT)".to_string(),
                format::amount(doc.charged_without_vat),
            ),
            (
                "Total VAT Amount".to_string(),
                format::amount(doc.charged_vat),
            ),
            (
                format!("Total cost (VAT {}% included)", format::vat_rate(rate)),
                format::amount(doc.total),
            ),
        ],
    };
    let note_width = |text: &str, width: f32| {
        wrap(text, width, |line| {
            fonts.width(line, NOTE.weight, NOTE.size)
        })
    };
    let zero_vat_lines = match doc.vat_rate {
        Some(rate) if rate.is_zero() && !doc.zero_vat_text.trim().is_empty() => {
            note_width(doc.zero_vat_text.trim(), TOTALS_WIDTH)
        }
        _ => Vec::new(),
    };
    let footnote = doc.footnote.trim();
    let footnote_lines = if footnote.is_empty() {
        Vec::new()
    } else {
        note_width(footnote, page.content_width())
    };

    Prepared {
        rows,
        decimals,
        totals,
        amount_due: format!(
            "AMOUNT DUE: {} {}",
            doc.currency.trim(),
            format::amount(doc.total)
        ),
        zero_vat_lines,
        footnote_lines,
        currency_note: format!("Amounts in {}", doc.currency.trim()),
    }
}

/// The first page's top: logo (or the provider's name), details, the buyer's address, the
/// title and the two parties. Returns where the table starts.
fn letterhead(canvas: &mut Canvas<'_>, doc: &InvoiceDocument, logo: Option<&Logo>) -> f32 {
    let page = canvas.page;
    let left = page.content_left();
    let right = page.content_right();
    let details_left = right - DETAILS_WIDTH;

    // Top left: the provider's logo, or its name set as a wordmark.
    let mark_bottom = match logo {
        Some(logo) => {
            let size = logo.fit(LOGO_MAX);
            canvas.logo(left, MARGIN_TOP, logo.pixels(), size);
            MARGIN_TOP + size.1
        }
        None => {
            let width = details_left - left - 24.0;
            let lines = wrap_style(canvas, &doc.issued_by.name, width, WORDMARK);
            // Raised a little, so its capitals start level with the details' first line.
            canvas.lines(left, MARGIN_TOP - 3.0, WORDMARK, &lines)
        }
    };

    // Top right: the invoice's details; "-" for what is not set yet.
    let details = [
        ("Invoice ID", doc.friendly_id.trim().to_string()),
        ("Issued on", format::optional_date(doc.issued_on)),
        (
            "Billing period start",
            format::optional_date(doc.period_start),
        ),
        ("Billing period end", format::optional_date(doc.period_end)),
        ("Due on", format::optional_date(doc.due_on)),
    ];
    let mut details_bottom = MARGIN_TOP;
    for (label, value) in details {
        canvas.text(details_left, details_bottom, LABEL, label);
        let value_width = DETAILS_WIDTH - DETAILS_LABEL_WIDTH;
        let lines = wrap_style(canvas, &value, value_width, BODY);
        details_bottom = canvas.lines_right(right, details_bottom, BODY, &lines);
    }

    // The buyer's postal address, where a window envelope shows it.
    let address_top = (mark_bottom + 24.0).max(ADDRESS_MIN_TOP);
    let address_width = details_left - left - 24.0;
    let buyer = &doc.issued_to;
    let mut y = address_top;
    let name = wrap_style(canvas, &buyer.name, address_width, BODY_BOLD);
    y = canvas.lines(left, y, BODY_BOLD, &name);
    for line in buyer.address_lines() {
        let lines = wrap_style(canvas, &line, address_width, BODY);
        y = canvas.lines(left, y, BODY, &lines);
    }

    let title_top = y.max(details_bottom) + 26.0;
    let title = format!("Invoice for {}", format::month_year(doc.period));
    canvas.text(left, title_top, TITLE, &title);

    // "Issued by" and "For", side by side.
    let parties_top = title_top + TITLE.lead + 12.0;
    let gutter = 24.0;
    let column = (page.content_width() - gutter) / 2.0;
    let issued_by = party(
        canvas,
        left,
        parties_top,
        column,
        "Issued by",
        &doc.issued_by,
    );
    let issued_to = party(
        canvas,
        left + column + gutter,
        parties_top,
        column,
        "For",
        buyer,
    );
    issued_by.max(issued_to) + 20.0
}

/// A party block: caption, name, address, then its codes; returns where it ends.
fn party(
    canvas: &mut Canvas<'_>,
    left: f32,
    top: f32,
    width: f32,
    caption: &str,
    who: &Party,
) -> f32 {
    canvas.text(left, top, CAPTION, caption);
    let mut y = top + CAPTION.lead + 3.0;
    let name = wrap_style(canvas, &who.name, width, BODY_BOLD);
    y = canvas.lines(left, y, BODY_BOLD, &name);
    for line in who.address_lines() {
        let lines = wrap_style(canvas, &line, width, BODY);
        y = canvas.lines(left, y, BODY, &lines);
    }
    for (label, value) in who.code_rows() {
        let label = format!("{label}:");
        let label_width = canvas.width(&label, BODY) + canvas.width(" ", BODY);
        canvas.text(
            left,
            y,
            Style {
                ink: Ink::Muted,
                ..BODY
            },
            &label,
        );
        let lines = wrap_style(canvas, value, width - label_width, BODY);
        y = canvas.lines(left + label_width, y, BODY, &lines);
    }
    y
}

fn draw_plan(canvas: &mut Canvas<'_>, prepared: &Prepared, plan: &PagePlan, first: bool, top: f32) {
    let mut y = top;
    if first || !plan.rows.is_empty() {
        table_header(canvas, y, &prepared.currency_note);
        y += TABLE_HEADER_HEIGHT;
    }
    let columns = canvas.page.number_columns();
    let left = canvas.page.content_left();
    let right = canvas.page.content_right();
    for (name, figures) in &prepared.rows[plan.rows.clone()] {
        // Half a point higher than centred: capitals and digits then look centred.
        let text_top = y + ROW_PADDING - 0.5;
        canvas.lines(left, text_top, BODY, name);
        for ((figure, column_right), decimals) in figures.iter().zip(columns).zip(prepared.decimals)
        {
            let x = decimal_aligned(canvas, figure, column_right, decimals);
            canvas.text(x, text_top, BODY, figure);
        }
        y += row_height(name.len());
        canvas.rule(left, right, y, 0.4, Ink::Rule);
    }
    if let Some(totals_top) = plan.totals_top {
        totals(canvas, prepared, totals_top);
    }
    if !plan.footnote.is_empty() {
        let lines = &prepared.footnote_lines[plan.footnote.clone()];
        canvas.lines(left, plan.footnote_top, NOTE, lines);
    }
}

/// "Amounts in EUR" and the column names over a rule; drawn on every page with rows.
fn table_header(canvas: &mut Canvas<'_>, top: f32, currency_note: &str) {
    let left = canvas.page.content_left();
    let right = canvas.page.content_right();
    canvas.text_right(right, top, NOTE, currency_note);
    let head_top = top + NOTE.lead + 1.0;
    canvas.text(left, head_top, COLUMN_HEAD, "Name");
    for (label, column_right) in ["Quantity", "Cost", "Charged"]
        .into_iter()
        .zip(canvas.page.number_columns())
    {
        canvas.text_right(column_right, head_top, COLUMN_HEAD, label);
    }
    canvas.rule(
        left,
        right,
        head_top + COLUMN_HEAD.lead + 2.0,
        0.8,
        Ink::Text,
    );
}

fn totals_height(prepared: &Prepared) -> f32 {
    let zero_vat = if prepared.zero_vat_lines.is_empty() {
        0.0
    } else {
        ZERO_VAT_GAP + lines_height(prepared.zero_vat_lines.len(), NOTE.lead)
    };
    TOTALS_GAP
        + lines_height(prepared.totals.len(), TOTAL_ROW)
        + AMOUNT_DUE_GAP
        + AMOUNT_DUE.lead
        + zero_vat
}

/// The totals rows, the amount due under an accent rule, and the zero-VAT text.
fn totals(canvas: &mut Canvas<'_>, prepared: &Prepared, top: f32) {
    let right = canvas.page.content_right();
    let left = right - TOTALS_WIDTH;
    let mut y = top + TOTALS_GAP;
    for (label, value) in &prepared.totals {
        // A row is taller than a line of text; the text sits in its middle.
        let text_top = y + (TOTAL_ROW - BODY.lead) / 2.0;
        canvas.text(left, text_top, BODY, label);
        canvas.text_right(right, text_top, BODY, value);
        y += TOTAL_ROW;
    }
    y += AMOUNT_DUE_GAP / 2.0;
    canvas.rule(left, right, y, 1.0, Ink::Accent);
    y += AMOUNT_DUE_GAP / 2.0;
    canvas.text_right(right, y, AMOUNT_DUE, &prepared.amount_due);
    y += AMOUNT_DUE.lead + ZERO_VAT_GAP;
    canvas.lines(left, y, NOTE, &prepared.zero_vat_lines);
}

/// "Invoice <ID>" and "Page N of M" under a hairline, on every page.
fn footer(canvas: &mut Canvas<'_>, doc: &InvoiceDocument, number: usize, count: usize) {
    let page = canvas.page;
    let left = page.content_left();
    let right = page.content_right();
    let top = page.height - FOOTER_BOTTOM_GAP - SMALL_LEAD;
    canvas.rule(left, right, top - 6.0, 0.4, Ink::Rule);
    canvas.text(
        left,
        top,
        NOTE,
        &format!("Invoice {}", doc.friendly_id.trim()),
    );
    canvas.text_right(right, top, NOTE, &format!("Page {number} of {count}"));
}

fn fraction_digits(figure: &str) -> usize {
    figure
        .split_once('.')
        .map_or(0, |(_, fraction)| fraction.len())
}

/// Where `figure` starts so that its decimal point lines up with the others in a column that
/// ends at `right` and whose longest fraction has `decimals` digits. DejaVu's digits are all
/// equally wide, so the point's place is known from the digit count alone.
fn decimal_aligned(canvas: &Canvas<'_>, figure: &str, right: f32, decimals: usize) -> f32 {
    let integer = figure
        .split_once('.')
        .map_or(figure, |(integer, _)| integer);
    // Small digit counts: the conversion is exact.
    #[allow(clippy::cast_precision_loss)]
    let fraction_room = if decimals == 0 {
        0.0
    } else {
        canvas.width(".", BODY) + decimals as f32 * canvas.width("0", BODY)
    };
    right - fraction_room - canvas.width(integer, BODY)
}

fn wrap_style(canvas: &Canvas<'_>, text: &str, width: f32, style: Style) -> Vec<String> {
    let mut lines = wrap(text.trim(), width, |line| canvas.width(line, style));
    if lines.len() == 1 && lines[0].is_empty() {
        lines.clear();
    }
    lines
}
