//! Line costs and invoice totals (billing-rules.md §1).

use rust_decimal::Decimal;

use crate::money::{round2, round4};

/// A line item's cost as stored: the line's total, to 4 decimal places.
pub fn line_cost(amount: Decimal) -> Decimal {
    round4(amount)
}

/// An invoice's amounts. The exact values are kept so a view can show where the charged
/// cents come from; only `total` is ever charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoiceTotals {
    /// Σ line costs, unrounded (4 dp).
    pub exact_net: Decimal,
    /// rate/100 × exact net, unrounded; 0 without a VAT rate.
    pub exact_vat: Decimal,
    pub charged_net: Decimal,
    pub charged_vat: Decimal,
    /// charged_net + charged_vat: the amount due.
    pub total: Decimal,
}

/// Totals of an invoice from its stored line costs and its VAT rate in percent.
///
/// Net and VAT are rounded separately and then added (not the other way round), so the
/// printed rows always add up to the amount due.
pub fn invoice_totals(line_costs: &[Decimal], vat_rate: Option<Decimal>) -> InvoiceTotals {
    let exact_net: Decimal = line_costs.iter().copied().sum();
    let exact_vat = vat_rate.map_or(Decimal::ZERO, |rate| {
        rate * exact_net / Decimal::ONE_HUNDRED
    });
    let charged_net = round2(exact_net);
    let charged_vat = round2(exact_vat);
    InvoiceTotals {
        exact_net,
        exact_vat,
        charged_net,
        charged_vat,
        total: charged_net + charged_vat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    struct Case {
        reason: &'static str,
        lines: Vec<Decimal>,
        vat_rate: Option<Decimal>,
        exact_net: Decimal,
        exact_vat: Decimal,
        charged_net: Decimal,
        charged_vat: Decimal,
        total: Decimal,
    }

    #[test]
    fn totals_table() {
        let cases = [
            Case {
                reason: "§1 example: net and VAT rounded separately",
                lines: vec![dec!(1.233), dec!(0.0001)],
                vat_rate: Some(dec!(10)),
                exact_net: dec!(1.2331),
                exact_vat: dec!(0.12331),
                charged_net: dec!(1.23),
                charged_vat: dec!(0.12),
                total: dec!(1.35),
            },
            Case {
                reason: "§1 example: two stored 0.0001 lines charge nothing",
                lines: vec![dec!(0.0001), dec!(0.0001)],
                vat_rate: None,
                exact_net: dec!(0.0002),
                exact_vat: dec!(0),
                charged_net: dec!(0),
                charged_vat: dec!(0),
                total: dec!(0.00),
            },
            Case {
                reason: "VAT 0 is shown but adds nothing",
                lines: vec![dec!(42)],
                vat_rate: Some(dec!(0)),
                exact_net: dec!(42),
                exact_vat: dec!(0),
                charged_net: dec!(42),
                charged_vat: dec!(0),
                total: dec!(42),
            },
            Case {
                reason: "half a cent rounds away from zero, in net and in VAT",
                lines: vec![dec!(10.005)],
                vat_rate: Some(dec!(50)),
                exact_net: dec!(10.005),
                exact_vat: dec!(5.0025),
                charged_net: dec!(10.01),
                charged_vat: dec!(5.00),
                total: dec!(15.01),
            },
            Case {
                reason: "a refund larger than the fee gives a negative total (a credit)",
                lines: vec![dec!(27), dec!(-30.005)],
                vat_rate: Some(dec!(21)),
                exact_net: dec!(-3.005),
                exact_vat: dec!(-0.63105),
                charged_net: dec!(-3.01),
                charged_vat: dec!(-0.63),
                total: dec!(-3.64),
            },
            Case {
                reason: "no lines: everything is zero",
                lines: vec![],
                vat_rate: Some(dec!(20)),
                exact_net: dec!(0),
                exact_vat: dec!(0),
                charged_net: dec!(0),
                charged_vat: dec!(0),
                total: dec!(0),
            },
        ];
        for case in cases {
            let got = invoice_totals(&case.lines, case.vat_rate);
            let expected = InvoiceTotals {
                exact_net: case.exact_net,
                exact_vat: case.exact_vat,
                charged_net: case.charged_net,
                charged_vat: case.charged_vat,
                total: case.total,
            };
            assert_eq!(got, expected, "{}", case.reason);
        }
    }

    #[test]
    fn line_cost_keeps_four_decimals_half_up() {
        let cases = [
            (dec!(0.00009), dec!(0.0001)),
            (dec!(0.00014), dec!(0.0001)),
            (dec!(0.00015), dec!(0.0002)),
            (dec!(-0.00015), dec!(-0.0002)),
            (dec!(171.43), dec!(171.43)),
        ];
        for (amount, expected) in cases {
            assert_eq!(line_cost(amount), expected, "line_cost({amount})");
        }
    }

    fn four_dp_line() -> impl Strategy<Value = Decimal> {
        (-10_000_000_000_000i64..=10_000_000_000_000).prop_map(|n| Decimal::new(n, 4))
    }

    fn vat_rate() -> impl Strategy<Value = Option<Decimal>> {
        proptest::option::of((0i64..=10_000).prop_map(|n| Decimal::new(n, 2)))
    }

    proptest! {
        /// The total is the sum of the separately rounded net and VAT, has at most 2 decimals,
        /// and is within a cent of the exact amount (half a cent per rounding).
        #[test]
        fn total_is_rounded_net_plus_rounded_vat(
            lines in proptest::collection::vec(four_dp_line(), 0..20),
            rate in vat_rate(),
        ) {
            let totals = invoice_totals(&lines, rate);
            let net: Decimal = lines.iter().copied().sum();
            let vat = rate.map_or(Decimal::ZERO, |r| r * net / dec!(100));
            prop_assert_eq!(totals.total, round2(net) + round2(vat));
            prop_assert_eq!(totals.total, totals.charged_net + totals.charged_vat);
            prop_assert!(totals.total.scale() <= 2, "total {} has more than 2 decimals", totals.total);
            prop_assert!((totals.total - (net + vat)).abs() <= dec!(0.01));
        }
    }
}
