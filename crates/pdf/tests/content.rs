#![allow(clippy::unwrap_used, clippy::expect_used)]
//! What a reader finds on the invoice, read back from the real PDF with pdftotext.

mod common;

use common::*;
use counterfoil_pdf::{render, InvoiceDocument, PdfError};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn squeezed(doc: &InvoiceDocument) -> String {
    squeeze(&text(&render(doc).unwrap()))
}

fn assert_has(text: &str, expected: &[&str]) {
    for phrase in expected {
        assert!(text.contains(phrase), "missing {phrase:?} in:\n{text}");
    }
}

fn assert_lacks(text: &str, unexpected: &[&str]) {
    for phrase in unexpected {
        assert!(!text.contains(phrase), "unexpected {phrase:?} in:\n{text}");
    }
}

#[test]
fn the_reference_invoice_reads_back_completely() {
    let text = squeezed(&reference_invoice());
    assert_has(
        &text,
        &[
            "Invoice for November 2026",
            "Invoice ID 2026-11-00000042",
            "Issued on 1 December 2026",
            "Billing period start 1 November 2026",
            "Billing period end 30 November 2026",
            "Due on 3 December 2026",
            // The two party blocks, side by side.
            "Issued by For",
            "Northwind APIs B.V. Hofmann Logistik GmbH",
            "Keizersgracht 221 Speicherstadt, Am Sandtorkai 48",
            "1016 DV Amsterdam 3. Etage",
            "Netherlands 20457 Hamburg",
            "Fiscal code: KvK 81234567 Germany",
            "VAT code: NL862123456B01 Fiscal code: HRB 154321",
            "VAT code: DE298765432",
            "PO number: PO-2026-0457",
            // The table.
            "Amounts in EUR",
            "Name Quantity Cost Charged",
            "Pro plan (monthly fee) 1 249.00 249.00",
            "API calls: hits (graduated, first 100,000 included) 1,843,200 371.64 371.64",
            "API calls: search 215,000 53.75 53.75",
            "Webhooks delivered 48,210 9.642 9.64",
            "Data export storage (GB-month) 12.5 3.125 3.13",
            "Setup fee: EU region 1 150.00 150.00",
            "Courtesy credit 1 -25.00 -25.00",
            // The totals (VAT 21) and the amount due.
            "Total cost (without VAT) 2,012.16",
            "Total VAT Amount 422.55",
            "Total cost (VAT 21% included) 2,434.71",
            "AMOUNT DUE: EUR 2,434.71",
            // The footnote, both of its lines.
            "Please pay by bank transfer to IBAN NL91 ABNA 0417 1643 00 (BIC ABNANL2A), quoting the invoice ID.",
            "Northwind APIs B.V. · Chamber of Commerce 81234567 · Keizersgracht 221, 1016 DV Amsterdam",
            "Invoice 2026-11-00000042 Page 1 of 1",
        ],
    );
    // The buyer's address at the top, on lines of its own (before the title).
    let top = text.split("Invoice for November 2026").next().unwrap();
    let top_lines: Vec<&str> = top.lines().map(str::trim).collect();
    for line in [
        "Hofmann Logistik GmbH",
        "Speicherstadt, Am Sandtorkai 48",
        "3. Etage",
        "20457 Hamburg",
        "Germany",
    ] {
        assert!(
            top_lines.contains(&line),
            "buyer address line {line:?} missing above the title:\n{top}"
        );
    }
    // Empty rows are left out: the provider has no PO number, so only the buyer's shows.
    assert_eq!(text.matches("PO number:").count(), 1);
    // The zero-VAT text belongs to a rate of 0 only.
    assert_lacks(&text, &["VAT exempt"]);
}

#[test]
fn details_not_set_yet_show_a_dash() {
    let mut doc = reference_invoice();
    doc.issued_on = None;
    doc.due_on = None;
    doc.period_start = None;
    let text = squeezed(&doc);
    assert_has(
        &text,
        &[
            "Issued on -",
            "Billing period start -",
            "Billing period end 30 November 2026",
            "Due on -",
        ],
    );
}

#[test]
fn totals_rows_follow_the_vat_rate() {
    struct Case {
        id: &'static str,
        vat_rate: Option<Decimal>,
        expected: &'static [&'static str],
        absent: &'static [&'static str],
    }
    let cases = [
        Case {
            id: "no VAT rate: one Total cost row",
            vat_rate: None,
            expected: &["Total cost 2,012.16", "AMOUNT DUE: EUR 2,012.16"],
            absent: &[
                "Total VAT Amount",
                "without VAT",
                "% included",
                "VAT exempt",
            ],
        },
        Case {
            id: "VAT 0: the three rows and the zero-VAT text",
            vat_rate: Some(dec!(0)),
            expected: &[
                "Total cost (without VAT) 2,012.16",
                "Total VAT Amount 0.00",
                "Total cost (VAT 0% included) 2,012.16",
                "AMOUNT DUE: EUR 2,012.16",
                "VAT exempt under Art. 138 of Directive 2006/112/EC",
            ],
            absent: &[],
        },
        Case {
            id: "VAT 21.5: the rate without trailing zeros",
            vat_rate: Some(dec!(21.500)),
            expected: &[
                "Total cost (without VAT) 2,012.16",
                "Total VAT Amount 432.61",
                "Total cost (VAT 21.5% included) 2,444.77",
                "AMOUNT DUE: EUR 2,444.77",
            ],
            absent: &["VAT exempt"],
        },
    ];
    for case in cases {
        let mut doc = reference_invoice();
        doc.vat_rate = case.vat_rate;
        let text = squeezed(&with_totals(doc));
        for phrase in case.expected {
            assert!(
                text.contains(phrase),
                "{}: missing {phrase:?} in:\n{text}",
                case.id
            );
        }
        for phrase in case.absent {
            assert!(
                !text.contains(phrase),
                "{}: unexpected {phrase:?} in:\n{text}",
                case.id
            );
        }
        // Totals are the figures passed in, never recomputed: one "Total cost" phrase per row.
        assert_eq!(text.matches("AMOUNT DUE").count(), 1, "{}", case.id);
    }
}

#[test]
fn names_in_several_scripts_come_back_intact() {
    let names = [
        "Müller & Søn GmbH",
        "Łódź Sp. z o.o.",
        "Ελληνική Α.Ε.",
        "ООО Ромашка",
        "Façade Őrség ß",
    ];
    let mut doc = reference_invoice();
    doc.issued_to.name = names[2].into();
    doc.issued_to.city = "Αθήνα".into();
    doc.issued_by.name = names[0].into();
    doc.lines = names
        .iter()
        .map(|name| line(name, dec!(1), dec!(10)))
        .collect();
    doc.footnote = "Zahlbar ohne Abzug – Ελληνικά – Спасибо – €".into();
    let text = squeezed(&with_totals(doc));
    for name in names {
        assert!(
            text.contains(&format!("{name} 1 10.00 10.00")),
            "line {name:?} missing in:\n{text}"
        );
    }
    assert_has(
        &text,
        &[
            "Müller & Søn GmbH Ελληνική Α.Ε.",
            "Αθήνα",
            "Zahlbar ohne Abzug – Ελληνικά – Спасибо – €",
        ],
    );
}

#[test]
fn chinese_japanese_and_korean_names_come_back_intact() {
    let text = squeezed(&cjk_invoice());
    assert_has(
        &text,
        &[
            // The buyer in the address block and in "For" (bold: the fallback emboldened).
            "株式会社サンプル",
            "Northwind APIs B.V. 株式会社サンプル",
            "千代田区丸の内1-1-1",
            "100-0005 東京都",
            "PO number: 発注-2026-0457",
            // Line names: Korean, Chinese, and Latin around Japanese, each with its figures.
            "한빛소프트 주식회사 1,843,200 371.64 371.64",
            "北京数据科技有限公司 215,000 53.75 53.75",
            "Acme 株式会社 GmbH 48,210 9.642 9.64",
            "AMOUNT DUE: EUR 2,434.71",
        ],
    );
    // The buyer's address at the top, on lines of its own.
    let top = text.split("Invoice for November 2026").next().unwrap();
    let top_lines: Vec<&str> = top.lines().map(str::trim).collect();
    for line in ["株式会社サンプル", "千代田区丸の内1-1-1", "100-0005 東京都"] {
        assert!(top_lines.contains(&line), "{line:?} missing in:\n{top}");
    }
}

#[test]
fn cjk_text_is_set_in_every_place_text_goes() {
    // The provider's wordmark (bold, 15 pt), a footnote and the zero-VAT text (small, grey),
    // a CJK name long enough to wrap in the Name column (no spaces: cut between characters).
    let long_name = "クラウドストレージ利用料金東京リージョンデータ転送量バックアップ保管料およびサポート費用一式";
    let mut doc = cjk_invoice();
    doc.issued_by.name = "Acme 株式会社 한빛소프트".into();
    doc.lines[0].name = long_name.into();
    doc.footnote = "お振込手数料はお客様のご負担となります。Thank you.".into();
    doc.vat_rate = Some(dec!(0));
    doc.zero_vat_text = "免税取引 (Art. 138)".into();
    let layout = text(&render(&with_totals(doc)).unwrap());
    let text = squeeze(&layout);
    assert_has(
        &text,
        &[
            "Acme 株式会社 한빛소프트",
            "お振込手数料はお客様のご負担となります。Thank you.",
            "免税取引 (Art. 138)",
        ],
    );
    // The long name wraps onto more than one line and every character comes back, in order.
    let start = layout.find("クラウド").unwrap();
    let pieces: Vec<&str> = layout[start..]
        .lines()
        .map(|line| line.split("  ").next().unwrap().trim())
        .take_while(|piece| !piece.is_empty())
        .collect();
    assert!(pieces.len() >= 2, "{pieces:?}");
    assert_eq!(pieces.concat(), long_name);
}

#[test]
fn characters_the_fonts_cannot_draw_are_refused_with_their_field() {
    /// (case, the change, the character refused, the field named)
    type Case = (&'static str, fn(&mut InvoiceDocument), char, &'static str);
    let cases: [Case; 9] = [
        (
            "Thai buyer name",
            |doc| doc.issued_to.name = "บริษัท ตัวอย่าง จำกัด".into(),
            'บ',
            "buyer name",
        ),
        (
            "emoji in a line",
            |doc| doc.lines[2].name = "API calls 🚀".into(),
            '🚀',
            "line 3 name",
        ),
        (
            "an emoji after CJK text that prints",
            |doc| doc.issued_to.name = "株式会社サンプル 🍣".into(),
            '🍣',
            "buyer name",
        ),
        (
            "Devanagari in the provider VAT code",
            |doc| doc.issued_by.vat_code = "IN क123".into(),
            'क',
            "provider VAT code",
        ),
        (
            "CJK Extension A (not in the fallback face)",
            |doc| doc.issued_to.city = "\u{3400}市".into(),
            '\u{3400}',
            "buyer city",
        ),
        (
            "control character in the footnote",
            |doc| doc.footnote = "Bell\u{7}".into(),
            '\u{7}',
            "footnote",
        ),
        // DejaVu has Arabic and Hebrew glyphs, but set left to right and unjoined they would
        // print wrong: refused as well.
        (
            "Arabic in the buyer city",
            |doc| doc.issued_to.city = "دبي".into(),
            'د',
            "buyer city",
        ),
        (
            "Hebrew in the provider name",
            |doc| doc.issued_by.name = "שלום Ltd".into(),
            'ש',
            "provider name",
        ),
        // Korean as conjoining jamo (decomposed "한") would print as loose letters.
        (
            "decomposed Hangul in a line",
            |doc| doc.lines[0].name = "\u{1112}\u{1161}\u{11AB}".into(),
            '\u{1112}',
            "line 1 name",
        ),
    ];
    for (id, change, character, field) in cases {
        let mut doc = reference_invoice();
        change(&mut doc);
        assert_eq!(
            render(&doc),
            Err(PdfError::UnsupportedCharacter {
                character,
                field: field.into()
            }),
            "{id}"
        );
    }
    let mut doc = reference_invoice();
    doc.issued_to.name = "บริษัท".into();
    assert_eq!(
        render(&doc).unwrap_err().to_string(),
        "the invoice font cannot draw 'บ' (U+0E1A) in the buyer name"
    );
    // Text that is not printed is not checked: the zero-VAT text only shows at a rate of 0.
    let mut doc = reference_invoice();
    doc.zero_vat_text = "ยกเว้นภาษี".into();
    assert!(render(&doc).is_ok());
    doc.vat_rate = Some(dec!(0));
    assert_eq!(
        render(&doc),
        Err(PdfError::UnsupportedCharacter {
            character: 'ย',
            field: "zero-VAT text".into()
        })
    );
}

#[test]
fn long_names_wrap_inside_the_name_column() {
    let unbroken =
        "Supercalifragilisticexpialidocious-usage-metric-with-an-absurdly-long-system-name";
    let mut doc = reference_invoice();
    doc.lines = vec![
        line(LONG_NAME, dec!(1), dec!(1200)),
        line(unbroken, dec!(1234567), dec!(12345.6789)),
        line("Short", dec!(1), dec!(1)),
    ];
    let layout = text(&render(&with_totals(doc)).unwrap());
    let lines: Vec<&str> = layout.lines().collect();

    for (name, figures) in [
        (LONG_NAME, "1 1,200.00 1,200.00"),
        (unbroken, "1,234,567 12,345.6789 12,345.68"),
    ] {
        // The row's first line: the start of the name, a gap, then the three figures.
        let first_word = name.split([' ', '-']).next().unwrap();
        let start = lines
            .iter()
            .position(|line| line.trim_start().starts_with(first_word))
            .unwrap();
        let first = lines[start];
        assert!(squeeze(first).ends_with(figures), "{first:?}");
        let mut pieces = vec![first.trim().split("  ").next().unwrap().to_string()];
        let figures_column = columns(first) - columns(first.trim_start())
            + columns(&pieces[0])
            + columns(
                first.trim_start()[pieces[0].len()..]
                    .split(|c: char| c != ' ')
                    .next()
                    .unwrap(),
            );
        // The next lines hold the rest of the name and nothing else, all of it left of where
        // the figures start: nothing runs into the Quantity column.
        for line in &lines[start + 1..] {
            let piece = line.trim();
            if piece.is_empty() {
                break;
            }
            assert!(
                !piece.contains("  "),
                "a continuation line holds more than name text: {line:?}"
            );
            assert!(
                columns(line.trim_end()) < figures_column,
                "{line:?} runs into the Quantity column"
            );
            pieces.push(piece.to_string());
        }
        assert!(
            pieces.len() >= 2,
            "{name:?} should wrap onto several lines: {pieces:?}"
        );
        // Every word is there, in order (a word cut between lines is joined back).
        assert!(
            pieces.join(" ") == name || pieces.concat() == name,
            "{name:?} came back as {pieces:?}"
        );
    }
}

/// Width in characters (pdftotext -layout's columns).
fn columns(text: &str) -> usize {
    text.chars().count()
}

#[test]
fn a_changed_footnote_shows_the_new_footnote() {
    let mut doc = reference_invoice();
    let before = squeezed(&doc);
    doc.footnote =
        "New bank details: IBAN DE89 3704 0044 0532 0130 00.\n\nThank you for your business."
            .into();
    let after = squeezed(&doc);
    assert_has(&before, &["IBAN NL91 ABNA 0417 1643 00"]);
    assert_has(
        &after,
        &[
            "New bank details: IBAN DE89 3704 0044 0532 0130 00.",
            "Thank you for your business.",
        ],
    );
    assert_lacks(&after, &["IBAN NL91"]);
}

#[test]
fn a_long_footnote_wraps_within_the_page() {
    let mut doc = reference_invoice();
    let sentence = "Payment terms: 14 days net; late payments accrue statutory interest under Directive 2011/7/EU.";
    doc.footnote = [sentence; 4].join(" ");
    let layout = text(&render(&doc).unwrap());
    let footnote_lines: Vec<&str> = layout
        .lines()
        .filter(|line| line.contains("Payment terms") || line.contains("Directive"))
        .collect();
    assert!(footnote_lines.len() >= 3, "{footnote_lines:?}");
    assert_eq!(
        squeeze(&layout)
            .matches("Payment terms: 14 days net")
            .count(),
        4
    );
}
