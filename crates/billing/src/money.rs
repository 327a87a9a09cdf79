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

/// Why a text is not an amount the book can keep exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("must be a number such as 12.50")]
    NotADecimal,
    #[error("has more digits than the book can keep exactly (at most {MAX_DIGITS})")]
    TooManyDigits,
}

/// Significant digits a [`Decimal`] keeps exactly, whatever the magnitude.
pub const MAX_DIGITS: usize = 28;

/// Parses an amount typed by a person or sent by a client, exactly or not at all:
/// `-12.50`, `0.0025`, `1e3`, `5E-7`. Unlike `Decimal::from_str` it never rounds (more than
/// 28 significant digits are refused) and refuses `1_000`, `1,000`, `.5.`, `NaN` and the like;
/// surrounding spaces are ignored. The decimals are kept as written ("12.50" has two).
pub fn parse_exact(text: &str) -> Result<Decimal, ParseError> {
    let text = text.trim();
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (number, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => {
            let exponent = &unsigned[at + 1..];
            let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(ParseError::NotADecimal);
            }
            let exponent: i64 = exponent.parse().map_err(|_| ParseError::NotADecimal)?;
            (&unsigned[..at], exponent)
        }
        None => (unsigned, 0),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let well_formed = !(whole.is_empty() && fraction.is_empty())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit());
    if !well_formed {
        return Err(ParseError::NotADecimal);
    }
    let digits = format!("{whole}{fraction}");
    let significant = digits.trim_start_matches('0');
    // Trailing zeros of the fraction are kept ("12.50"), so they count towards the limit; the
    // 96-bit mantissa below has the last word on a 29th digit.
    if significant.len() > MAX_DIGITS + 1 {
        return Err(ParseError::TooManyDigits);
    }
    let mut mantissa: i128 = if significant.is_empty() {
        0
    } else {
        significant.parse().map_err(|_| ParseError::NotADecimal)?
    };
    let mut scale = fraction.len() as i64 - exponent;
    if scale < 0 {
        // 12e3: make the mantissa whole, within the 96 bits a Decimal holds.
        for _ in 0..-scale {
            mantissa = mantissa.checked_mul(10).ok_or(ParseError::TooManyDigits)?;
        }
        scale = 0;
    }
    if scale > i64::from(Decimal::MAX_SCALE) {
        // Only zeros can be this small and still be kept (0e-40 is 0).
        if mantissa != 0 {
            return Err(ParseError::TooManyDigits);
        }
        scale = i64::from(Decimal::MAX_SCALE);
    }
    let mut value = Decimal::try_from_i128_with_scale(mantissa, scale as u32)
        .map_err(|_| ParseError::TooManyDigits)?;
    value.set_sign_negative(negative && !value.is_zero());
    Ok(value)
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

    #[test]
    fn parse_exact_keeps_what_is_written_or_refuses_it() {
        for (text, value) in [
            ("12.50", dec!(12.50)),
            ("-3", dec!(-3)),
            ("0.0025", dec!(0.0025)),
            (" 7 ", dec!(7)),
            ("1e3", dec!(1000)),
            ("5E-7", dec!(0.0000005)),
            (".5", dec!(0.5)),
            ("5.", dec!(5)),
            ("+1.25", dec!(1.25)),
            ("-0", dec!(0)),
        ] {
            assert_eq!(parse_exact(text), Ok(value), "{text:?}");
        }
        assert_eq!(parse_exact("12.50").unwrap().scale(), 2);
        for text in [
            "", "-", ".", "1_000", "1,000", "1.2.3", "NaN", "inf", "0x10", "1e", "1e+", "12 34",
            "--1", "1e99999",
        ] {
            assert_eq!(parse_exact(text), Err(ParseError::NotADecimal), "{text:?}");
        }
        for text in [
            "12.3456789012345678901234567890",
            "1e40",
            "1e-40",
            "79228162514264337593543950336",
        ] {
            assert_eq!(
                parse_exact(text),
                Err(ParseError::TooManyDigits),
                "{text:?}"
            );
        }
        assert_eq!(parse_exact("0e-40"), Ok(Decimal::ZERO));
    }

    proptest::proptest! {
        /// Whatever is typed either comes back exactly as the same number or is refused.
        #[test]
        fn an_amount_round_trips_exactly_or_is_refused(
            whole in "[0-9]{0,20}",
            fraction in proptest::option::of("[0-9]{0,20}"),
            exponent in proptest::option::of(-40i32..40),
            negative in proptest::bool::ANY,
        ) {
            let mut text = String::new();
            if negative { text.push('-'); }
            text.push_str(&whole);
            if let Some(fraction) = &fraction { text.push('.'); text.push_str(fraction); }
            if let Some(exponent) = exponent { text.push_str(&format!("e{exponent}")); }
            match parse_exact(&text) {
                Ok(value) => {
                    // The decimal's own text, read back by the same rule, is the same number,
                    // and it equals the typed digits shifted by the exponent.
                    proptest::prop_assert_eq!(parse_exact(&value.to_string()), Ok(value));
                    let digits = format!("{whole}{}", fraction.clone().unwrap_or_default());
                    let shift = fraction.as_ref().map_or(0, |f| f.len() as i32) - exponent.unwrap_or(0);
                    let typed = digits.trim_start_matches('0');
                    let shown = value.abs().mantissa().to_string();
                    let shown = shown.trim_start_matches('0');
                    proptest::prop_assert_eq!(typed.trim_end_matches('0'), shown.trim_end_matches('0'));
                    if !typed.is_empty() {
                        // Same digits, and the same position of the decimal point.
                        let typed_point = typed.len() as i32 - shift;
                        let shown_point = shown.len() as i32 - value.scale() as i32;
                        proptest::prop_assert_eq!(typed_point, shown_point);
                        proptest::prop_assert_eq!(value.is_sign_negative(), negative);
                    }
                }
                Err(ParseError::NotADecimal) => {
                    proptest::prop_assert!(whole.is_empty() && fraction.as_deref().unwrap_or("").is_empty());
                }
                Err(ParseError::TooManyDigits) => {
                    let digits = format!("{whole}{}", fraction.clone().unwrap_or_default());
                    let significant = digits.trim_start_matches('0');
                    let scale = fraction.as_ref().map_or(0, |f| f.len() as i32) - exponent.unwrap_or(0);
                    proptest::prop_assert!(
                        significant.len() > MAX_DIGITS || !(0..=28).contains(&scale),
                        "{} refused", text
                    );
                }
            }
        }
    }
}
