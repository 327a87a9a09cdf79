//! Exact money (billing-rules.md §1). Every rounding goes through [`round_half_up`].

use rust_decimal::{Decimal, RoundingStrategy};

/// Rounds half away from zero ("half up", as 3scale's Ruby does) to `dp` decimal places.
/// rust_decimal's plain `round_dp` is banker's rounding, which is why nothing else may round.
pub fn round_half_up(amount: Decimal, dp: u32) -> Decimal {
    amount.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

/// An amount as charged: 2 decimal places.
pub fn round2(amount: Decimal) -> Decimal {
    round_half_up(amount, 2)
}

/// A line item's cost as stored: 4 decimal places.
pub fn round4(amount: Decimal) -> Decimal {
    round_half_up(amount, 4)
}

/// An amount as shown to people and on the wire: exact, without trailing zeros beyond the
/// second decimal ("42.00", "99.50", "0.0025"). Never rounds.
pub fn for_display(amount: Decimal) -> Decimal {
    let mut shown = amount.normalize();
    if shown.scale() < 2 {
        shown.rescale(2);
    }
    shown
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("must not be negative")]
    Negative,
    #[error("must have at most {max_dp} decimal places")]
    TooManyDecimals { max_dp: u32 },
}

/// Checks that an amount has at most `max_dp` significant decimal places and, when
/// `allow_negative` is false, is not negative. Trailing zeros do not count ("1.50000" is fine).
pub fn scale_check(amount: Decimal, max_dp: u32, allow_negative: bool) -> Result<(), MoneyError> {
    if !allow_negative && amount.is_sign_negative() && !amount.is_zero() {
        return Err(MoneyError::Negative);
    }
    if amount.normalize().scale() > max_dp {
        return Err(MoneyError::TooManyDecimals { max_dp });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rounds_half_away_from_zero_not_to_even() {
        let cases = [
            (dec!(0.00014), dec!(0.0001)),
            (dec!(0.00015), dec!(0.0002)),
            (dec!(0.00025), dec!(0.0003)),
            (dec!(-0.00025), dec!(-0.0003)),
        ];
        for (input, expected) in cases {
            assert_eq!(round4(input), expected, "round4({input})");
        }
        assert_eq!(round2(dec!(2.345)), dec!(2.35));
        assert_eq!(round2(dec!(2.355)), dec!(2.36));
        assert_eq!(round2(dec!(-2.345)), dec!(-2.35));
    }

    #[test]
    fn display_keeps_every_digit_and_at_least_two_decimals() {
        for (amount, shown) in [
            (dec!(42), "42.00"),
            (dec!(99.5000), "99.50"),
            (dec!(0.0025), "0.0025"),
            (dec!(0.12331), "0.12331"),
            (dec!(-3.1), "-3.10"),
            (dec!(0), "0.00"),
        ] {
            assert_eq!(for_display(amount).to_string(), shown);
        }
    }

    #[test]
    fn scale_check_counts_significant_decimals_only() {
        assert_eq!(scale_check(dec!(1.2345), 4, false), Ok(()));
        assert_eq!(scale_check(dec!(1.234500), 4, false), Ok(()));
        assert_eq!(
            scale_check(dec!(1.23456), 4, false),
            Err(MoneyError::TooManyDecimals { max_dp: 4 })
        );
        assert_eq!(scale_check(dec!(-1), 4, false), Err(MoneyError::Negative));
        assert_eq!(scale_check(dec!(-1), 4, true), Ok(()));
        assert_eq!(scale_check(dec!(0), 4, false), Ok(()));
    }
}
