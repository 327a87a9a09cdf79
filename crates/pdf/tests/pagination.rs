#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A long invoice paginates: the table header on every page, every line exactly once, the
//! totals once at the end, and "Page N of M" with the invoice ID on every page.

mod common;

use common::*;
use counterfoil_pdf::render;

/// Rows per page, from the layout constants (src/layout.rs, src/render.rs), in points:
/// A4 is 841.89 high; content ends 60 above the bottom edge (781.89).
/// A single-line row is 12.5 (line) + 2 × 3.5 (padding) = 19.5 high.
/// Next pages: content starts at 44, the table header takes 27, so rows run from 71 to 781.89:
/// 710.89 / 19.5 = 36 rows.
/// First page, for the reference parties: details end at 44 + 5 × 12.5 = 106.5; the buyer
/// address starts at 104 and takes 5 lines (166.5); the title starts 26 lower (192.5) and is
/// 24 high, the parties 12 lower (228.5): caption 10.5 + 3, then 8 lines of the buyer (342);
/// the table 20 lower (362), its rows from 389: 392.89 / 19.5 = 20 rows.
const FIRST_PAGE_ROWS: usize = 20;
const NEXT_PAGE_ROWS: usize = 36;

fn expected_pages(lines: usize) -> usize {
    // The totals (about 112 high with VAT) and the footnote (18 + 2 × 10.5) fit under the
    // last page's rows as long as that page is not nearly full; 300 lines leave 28 rows there.
    1 + (lines - FIRST_PAGE_ROWS).div_ceil(NEXT_PAGE_ROWS)
}

#[test]
fn a_300_line_invoice_paginates() {
    let lines = 300;
    let pdf = render(&invoice_with_lines(lines)).unwrap();
    let pages = page_count(&pdf);
    assert_eq!(pages, expected_pages(lines));
    assert!(pages >= 2);

    let texts = page_texts(&pdf);
    assert_eq!(texts.len(), pages);
    let all = squeeze(&texts.concat());
    for n in 1..=lines {
        let name = format!("Usage item {n:03} ");
        assert_eq!(
            all.matches(&name).count(),
            1,
            "{name:?} should appear exactly once"
        );
    }
    for (index, page) in texts.iter().enumerate() {
        let number = index + 1;
        let page = squeeze(page);
        assert!(
            page.contains(&format!("Page {number} of {pages}")),
            "page {number}:\n{page}"
        );
        assert!(
            page.contains("Invoice 2026-11-00000042"),
            "page {number} lacks the invoice ID"
        );
        assert_eq!(
            page.matches("Name Quantity Cost Charged").count(),
            1,
            "page {number}: table header"
        );
        let last = number == pages;
        for closing in [
            "Total cost (without VAT)",
            "Total VAT Amount",
            "AMOUNT DUE: EUR",
            "IBAN NL91",
        ] {
            assert_eq!(
                page.contains(closing),
                last,
                "page {number}: {closing:?} only on the last page"
            );
        }
        // Rows fill the pages in order.
        let rows = page.matches("Usage item ").count();
        let expected_rows = match number {
            1 => FIRST_PAGE_ROWS,
            n if n == pages => lines - FIRST_PAGE_ROWS - (pages - 2) * NEXT_PAGE_ROWS,
            _ => NEXT_PAGE_ROWS,
        };
        assert_eq!(rows, expected_rows, "rows on page {number}");
    }
    // The letterhead is on the first page only.
    assert!(squeeze(&texts[0]).contains("Invoice for November 2026"));
    assert!(!squeeze(&texts[1]).contains("Invoice for November 2026"));
}

#[test]
fn totals_that_do_not_fit_bring_the_last_line_to_the_next_page() {
    // The first page holds 20 rows; the totals and footnote do not fit under 20 of them.
    let pdf = render(&invoice_with_lines(FIRST_PAGE_ROWS)).unwrap();
    let texts = page_texts(&pdf);
    assert_eq!(texts.len(), 2);
    let (first, second) = (squeeze(&texts[0]), squeeze(&texts[1]));
    assert_eq!(first.matches("Usage item ").count(), FIRST_PAGE_ROWS - 1);
    assert!(!first.contains("AMOUNT DUE"));
    assert!(second.contains("Name Quantity Cost Charged"));
    assert!(second.contains(&format!("Usage item {FIRST_PAGE_ROWS:03} ")));
    assert!(second.contains("AMOUNT DUE: EUR"));
    assert!(second.contains("Page 2 of 2"));
}

#[test]
fn a_short_invoice_is_one_page() {
    for lines in [0, 1, 12] {
        let pdf = render(&invoice_with_lines(lines)).unwrap();
        assert_eq!(page_count(&pdf), 1, "{lines} lines");
        let text = squeeze(&text(&pdf));
        assert!(
            text.contains("Page 1 of 1") && text.contains("AMOUNT DUE"),
            "{lines} lines"
        );
    }
}
