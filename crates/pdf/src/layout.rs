//! Page geometry and pagination: which rows, totals and footnote lines go on which page.
//! Distances are PDF points (1/72 inch) measured from the top of the page; the drawing code
//! turns them into PDF's bottom-up coordinates.

use std::ops::Range;

use crate::Paper;

/// Left and right margin (20 mm).
pub const MARGIN_X: f32 = 56.7;
/// Where the content of every page starts.
pub const MARGIN_TOP: f32 = 44.0;
/// Content ends this far above the bottom edge; the footer ("Invoice …", "Page N of M") sits
/// below that line.
pub const CONTENT_BOTTOM_GAP: f32 = 60.0;
/// The footer's line ends this far above the bottom edge.
pub const FOOTER_BOTTOM_GAP: f32 = 36.0;

/// Type sizes (points) and line heights.
pub const BODY_SIZE: f32 = 9.0;
pub const BODY_LEAD: f32 = 12.5;
pub const SMALL_SIZE: f32 = 7.5;
pub const SMALL_LEAD: f32 = 10.5;
pub const TITLE_SIZE: f32 = 18.0;

/// The line-item table: the header row's height and a row's padding above and below its text.
pub const TABLE_HEADER_HEIGHT: f32 = 27.0;
pub const ROW_PADDING: f32 = 3.5;
/// Widths of the right-aligned number columns and the gap that keeps the Name column clear.
pub const QUANTITY_WIDTH: f32 = 78.0;
pub const COST_WIDTH: f32 = 78.0;
pub const CHARGED_WIDTH: f32 = 78.0;
pub const NAME_GAP: f32 = 14.0;

/// The totals block is right-aligned and this wide.
pub const TOTALS_WIDTH: f32 = 250.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Page {
    pub width: f32,
    pub height: f32,
}

impl Page {
    pub fn of(paper: Paper) -> Page {
        match paper {
            // 210 × 297 mm.
            Paper::A4 => Page {
                width: 595.2756,
                height: 841.8898,
            },
            // 8.5 × 11 in.
            Paper::Letter => Page {
                width: 612.0,
                height: 792.0,
            },
        }
    }

    pub fn content_left(&self) -> f32 {
        MARGIN_X
    }

    pub fn content_right(&self) -> f32 {
        self.width - MARGIN_X
    }

    pub fn content_width(&self) -> f32 {
        self.content_right() - self.content_left()
    }

    /// The lowest point content may reach.
    pub fn content_bottom(&self) -> f32 {
        self.height - CONTENT_BOTTOM_GAP
    }

    /// Right edges of the Quantity, Cost and Charged columns.
    pub fn number_columns(&self) -> [f32; 3] {
        let charged = self.content_right();
        let cost = charged - CHARGED_WIDTH;
        let quantity = cost - COST_WIDTH;
        [quantity, cost, charged]
    }

    /// The width a line name may use before it would reach the Quantity column's widest number.
    pub fn name_width(&self) -> f32 {
        self.number_columns()[0] - QUANTITY_WIDTH - NAME_GAP - self.content_left()
    }
}

/// The height of a table row whose name wraps onto `name_lines` lines.
pub fn row_height(name_lines: usize) -> f32 {
    lines_height(name_lines.max(1), BODY_LEAD) + 2.0 * ROW_PADDING
}

pub fn lines_height(lines: usize, lead: f32) -> f32 {
    // Line counts on an invoice are small; the conversion is exact far beyond them.
    #[allow(clippy::cast_precision_loss)]
    let lines = lines as f32;
    lines * lead
}

/// What pagination needs to know about the content, in points.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    /// Where the table header starts on the first page (below the title, details, parties).
    pub first_table_top: f32,
    /// Where content starts on the following pages (the table header, when rows follow).
    pub next_page_top: f32,
    pub table_header_height: f32,
    /// The lowest point content may reach.
    pub bottom: f32,
    pub row_heights: Vec<f32>,
    /// Totals, amount due and zero-VAT text, with the space above them: kept together.
    pub totals_height: f32,
    /// Space between the totals and the footnote.
    pub footnote_gap: f32,
    pub footnote_lines: usize,
    pub footnote_lead: f32,
}

/// One page's share of the invoice.
#[derive(Debug, Clone, PartialEq)]
pub struct PagePlan {
    /// The table rows on this page; the table header is drawn when the range is not empty
    /// (and always on the first page).
    pub rows: Range<usize>,
    /// Where the totals start, if they are on this page.
    pub totals_top: Option<f32>,
    /// The footnote lines on this page and where the first of them starts.
    pub footnote: Range<usize>,
    pub footnote_top: f32,
}

/// Pages for a flow. Rows fill pages in order; the totals come once, right after the last row,
/// and never open a page on their own while the last page has another row to bring along (a
/// reader should not find a page with totals and no line item). The footnote sits at the
/// bottom of the last page when it fits there, else it continues on further pages.
pub fn paginate(flow: &Flow) -> Vec<PagePlan> {
    let next_rows_top = flow.next_page_top + flow.table_header_height;
    let mut pages = vec![empty_page(0)];
    let mut y = flow.first_table_top + flow.table_header_height;
    for (index, height) in flow.row_heights.iter().enumerate() {
        let current = pages.len() - 1;
        if y + height > flow.bottom && !pages[current].rows.is_empty() {
            pages.push(empty_page(index));
            y = next_rows_top;
        }
        let current = pages.len() - 1;
        pages[current].rows.end = index + 1;
        y += height;
    }

    let footnote_height = if flow.footnote_lines == 0 {
        0.0
    } else {
        flow.footnote_gap + lines_height(flow.footnote_lines, flow.footnote_lead)
    };
    let closing_height = flow.totals_height + footnote_height;
    let last = pages.len() - 1;
    if y + closing_height > flow.bottom && pages[last].rows.len() >= 2 {
        // Bring the last row along onto a page of its own with the totals, unless that page
        // would have no more room than this one (a footnote longer than a page flows anyway).
        let moved = pages[last].rows.end - 1;
        let moved_height = flow.row_heights[moved];
        if next_rows_top + moved_height < y {
            pages[last].rows.end = moved;
            pages.push(empty_page(moved));
            let current = pages.len() - 1;
            pages[current].rows.end = moved + 1;
            y = next_rows_top + moved_height;
        }
    }
    if y + flow.totals_height > flow.bottom {
        // Only reachable when the page holds a single very tall row: the totals move on.
        pages.push(empty_page(flow.row_heights.len()));
        y = flow.next_page_top;
    }
    let current = pages.len() - 1;
    pages[current].totals_top = Some(y);
    y += flow.totals_height;

    if flow.footnote_lines == 0 {
        return pages;
    }
    if y + footnote_height <= flow.bottom {
        // It fits: anchor it to the bottom, where a letter's footer belongs.
        pages[current].footnote = 0..flow.footnote_lines;
        pages[current].footnote_top =
            flow.bottom - lines_height(flow.footnote_lines, flow.footnote_lead);
        return pages;
    }
    // Too long for what is left: flow it line by line from below the totals onwards.
    let mut line = 0;
    y += flow.footnote_gap;
    let rows_end = flow.row_heights.len();
    loop {
        let current = pages.len() - 1;
        let room = ((flow.bottom - y) / flow.footnote_lead).floor();
        // Truncation is the intent: whole lines that fit in the room left.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let fitting = room.max(0.0) as usize;
        let end = (line + fitting).min(flow.footnote_lines);
        pages[current].footnote = line..end;
        pages[current].footnote_top = y;
        line = end;
        if line >= flow.footnote_lines {
            return pages;
        }
        pages.push(empty_page(rows_end));
        y = flow.next_page_top;
    }
}

fn empty_page(first_row: usize) -> PagePlan {
    PagePlan {
        rows: first_row..first_row,
        totals_top: None,
        footnote: 0..0,
        footnote_top: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// First page: rows from 300 to 700 (20 rows of 20); next pages from 100 (30 rows), or
    /// from 80 when no rows (and so no table header) are on them.
    fn flow(rows: usize, totals_height: f32, footnote_lines: usize) -> Flow {
        Flow {
            first_table_top: 280.0,
            next_page_top: 80.0,
            table_header_height: 20.0,
            bottom: 700.0,
            row_heights: vec![20.0; rows],
            totals_height,
            footnote_gap: 20.0,
            footnote_lines,
            footnote_lead: 10.0,
        }
    }

    fn rows_per_page(pages: &[PagePlan]) -> Vec<usize> {
        pages.iter().map(|page| page.rows.len()).collect()
    }

    #[test]
    fn rows_fill_pages_and_the_totals_follow_the_last_row() {
        let pages = paginate(&flow(5, 100.0, 2));
        assert_eq!(rows_per_page(&pages), vec![5]);
        assert_eq!(pages[0].totals_top, Some(400.0));
        // The footnote is anchored to the bottom.
        assert_eq!(pages[0].footnote, 0..2);
        assert_eq!(pages[0].footnote_top, 680.0);

        let pages = paginate(&flow(100, 100.0, 2));
        assert_eq!(rows_per_page(&pages), vec![20, 30, 30, 20]);
        assert_eq!(
            pages
                .iter()
                .filter(|page| page.totals_top.is_some())
                .count(),
            1
        );
        assert_eq!(pages[3].totals_top, Some(500.0));
        assert_eq!(pages[3].rows, 80..100);
    }

    #[test]
    fn totals_that_do_not_fit_take_the_last_row_along() {
        // 20 rows fill page 1 exactly: the 20th row moves to page 2 with the totals.
        let pages = paginate(&flow(20, 100.0, 0));
        assert_eq!(rows_per_page(&pages), vec![19, 1]);
        assert_eq!(pages[0].totals_top, None);
        assert_eq!(pages[1].totals_top, Some(120.0));
        // Room for the totals but not for the footnote as well: the same.
        let pages = paginate(&flow(14, 100.0, 3));
        assert_eq!(rows_per_page(&pages), vec![13, 1]);
        assert_eq!(pages[1].footnote, 0..3);
    }

    #[test]
    fn a_footnote_longer_than_a_page_flows_on() {
        let pages = paginate(&flow(1, 100.0, 100));
        assert_eq!(rows_per_page(&pages), vec![1, 0, 0]);
        assert_eq!(pages[0].totals_top, Some(320.0));
        // 700 - (420 + 20) = 260 → 26 lines, then 62 per page.
        assert_eq!(pages[0].footnote, 0..26);
        assert_eq!(pages[0].footnote_top, 440.0);
        assert_eq!(pages[1].footnote, 26..88);
        assert_eq!(pages[2].footnote, 88..100);
        assert_eq!(pages[2].footnote_top, 80.0);
    }

    #[test]
    fn an_invoice_without_lines_still_has_its_totals() {
        let pages = paginate(&flow(0, 100.0, 1));
        assert_eq!(rows_per_page(&pages), vec![0]);
        assert_eq!(pages[0].totals_top, Some(300.0));
    }

    #[test]
    fn the_name_column_stops_before_the_quantity_column() {
        for paper in [Paper::A4, Paper::Letter] {
            let page = Page::of(paper);
            let [quantity, cost, charged] = page.number_columns();
            assert!(page.content_left() + page.name_width() < quantity - QUANTITY_WIDTH);
            assert!(quantity < cost && cost < charged && charged == page.content_right());
            assert!(
                page.name_width() > 200.0,
                "{paper:?}: {}",
                page.name_width()
            );
        }
    }
}
