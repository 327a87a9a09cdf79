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
