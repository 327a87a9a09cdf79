//! What an invoice PDF shows: plain data, already decided by the engine. The renderer formats
//! it and lays it out; it never computes money, reads the clock or looks anything up.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// The paper size: A4 unless the provider chose US Letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

/// One invoice, as it is printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDocument {
    pub paper: Paper,
    /// The provider's logo: PNG or JPEG bytes.
    pub logo: Option<Vec<u8>>,
    /// The invoice ID people see ("2026-11-00000001").
    pub friendly_id: String,
    /// Any day of the billing month; only its year and month are printed, in the title.
    pub period: NaiveDate,
    pub issued_on: Option<NaiveDate>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    /// The provider ("Issued by").
    pub issued_by: Party,
    /// The buyer ("For", and the address at the top).
    pub issued_to: Party,
    pub lines: Vec<Line>,
    /// ISO 4217 code, printed before the amount due ("EUR").
    pub currency: String,
    /// The VAT rate in percent; `None` (no VAT rows at all) differs from 0 (billing-rules §1).
    pub vat_rate: Option<Decimal>,
    /// round2(Σ line costs), as the engine computed it.
    pub charged_without_vat: Decimal,
    /// round2(VAT), as the engine computed it.
    pub charged_vat: Decimal,
    /// The amount due.
    pub total: Decimal,
    /// The provider's text for a VAT rate of 0 ("VAT exempt under Art. 138"); printed only then.
    pub zero_vat_text: String,
    /// The provider's invoice footnote; may hold several lines and paragraphs.
    pub footnote: String,
}

/// A provider or a buyer. Empty strings are not printed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Party {
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub country: String,
    pub fiscal_code: String,
    pub vat_code: String,
    pub po_number: String,
}

/// A line item. Its cost is the line's total (4 decimals stored); the quantity is informational.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub name: String,
    pub quantity: Decimal,
    pub cost: Decimal,
}

impl Party {
    /// The postal address lines under the name: street lines, "zip city[, state]", country.
    pub(crate) fn address_lines(&self) -> Vec<String> {
        let place = [self.zip.trim(), self.city.trim()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let place = match (place.is_empty(), self.state.trim()) {
            (_, "") => place,
            (true, state) => state.to_string(),
            (false, state) => format!("{place}, {state}"),
        };
        [
            self.line1.trim(),
            self.line2.trim(),
            place.as_str(),
            self.country.trim(),
        ]
        .into_iter()
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
    }

    /// The "Fiscal code: …" style rows that are present, in print order.
    pub(crate) fn code_rows(&self) -> Vec<(&'static str, &str)> {
        [
            ("Fiscal code", self.fiscal_code.trim()),
            ("VAT code", self.vat_code.trim()),
            ("PO number", self.po_number.trim()),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_lines_skip_what_is_empty() {
        let cases = [
            (
                (
                    "Keizersgracht 1",
                    "",
                    "Amsterdam",
                    "",
                    "1015 CJ",
                    "Netherlands",
                ),
                vec!["Keizersgracht 1", "1015 CJ Amsterdam", "Netherlands"],
            ),
            (
                ("1 Main St", "Suite 2", "Springfield", "IL", "62701", ""),
                vec!["1 Main St", "Suite 2", "62701 Springfield, IL"],
            ),
            (
                ("", "", "", "Bavaria", "", "Germany"),
                vec!["Bavaria", "Germany"],
            ),
            (("", "", "", "", "", ""), vec![]),
        ];
        for ((line1, line2, city, state, zip, country), expected) in cases {
            let party = Party {
                line1: line1.into(),
                line2: line2.into(),
                city: city.into(),
                state: state.into(),
                zip: zip.into(),
                country: country.into(),
                ..Party::default()
            };
            assert_eq!(party.address_lines(), expected);
        }
    }

    #[test]
    fn code_rows_omit_empty_ones() {
        let party = Party {
            vat_code: "NL123".into(),
            po_number: " ".into(),
            ..Party::default()
        };
        assert_eq!(party.code_rows(), vec![("VAT code", "NL123")]);
    }
}
