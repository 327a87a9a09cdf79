//! How numbers and dates read on the invoice. Every figure comes from exact `Decimal`
//! formatting (never a float), with "," between thousands and "." before decimals.

use chrono::{Datelike, NaiveDate};
use counterfoil_billing::money::{for_display, round2, round4};
use counterfoil_billing::period::MONTH_NAMES;
use rust_decimal::Decimal;

/// An amount with at least 2 decimals and every further digit it has: "1,234.50", "0.0025".
pub fn amount(value: Decimal) -> String {
    group_thousands(&for_display(value).to_string())
}

/// A line's cost: its exact value, with 2 to 4 decimals ("12.50", "0.0025"). Costs are
/// stored with 4 decimals; a value with more is shown rounded half-up to 4, as the book would
/// store it.
pub fn cost(value: Decimal) -> String {
    amount(round4(value))
}

/// What a line charges: its cost rounded half away from zero to 2 decimals ("0.0025" → "0.00").
pub fn charged(value: Decimal) -> String {
    amount(round2(value))
}

/// A quantity: exact, without trailing zeros ("1,500", "2.5", "0").
pub fn quantity(value: Decimal) -> String {
    group_thousands(&plain(value))
}

/// A VAT rate: exact, without trailing zeros or grouping ("21.5", "0", "10").
pub fn vat_rate(value: Decimal) -> String {
    plain(value)
}

/// "21 November 2026": day, English month name, year; unambiguous in every European country.
pub fn date(value: NaiveDate) -> String {
    format!("{} {} {}", value.day(), month_name(value), value.year())
}

/// A date, or "-" when the invoice does not have it yet.
pub fn optional_date(value: Option<NaiveDate>) -> String {
    value.map_or_else(|| "-".to_string(), date)
}

/// "November 2026", for the title.
pub fn month_year(value: NaiveDate) -> String {
    format!("{} {}", month_name(value), value.year())
}

fn month_name(value: NaiveDate) -> &'static str {
    // month0() is 0..=11 by chrono's contract, so the index is always in range.
    MONTH_NAMES[value.month0() as usize % 12]
}

/// The value without trailing zeros, and "0" (never "-0") for zero.
fn plain(value: Decimal) -> String {
    let mut shown = value.normalize();
    if shown.is_zero() {
        shown.set_sign_positive(true);
    }
    shown.to_string()
}

/// Puts "," between groups of three digits of the integer part of a plain decimal string.
fn group_thousands(plain: &str) -> String {
    let (sign, unsigned) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain),
    };
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (unsigned, None),
    };
    let mut grouped = String::with_capacity(plain.len() + integer.len() / 3);
    grouped.push_str(sign);
    for (index, digit) in integer.chars().enumerate() {
        if index > 0 && (integer.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if let Some(fraction) = fraction {
        grouped.push('.');
        grouped.push_str(fraction);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn day(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn amounts_keep_two_decimals_and_group_thousands() {
        for (value, shown) in [
            (dec!(0), "0.00"),
            (dec!(1234.5), "1,234.50"),
            (dec!(1234567.891), "1,234,567.891"),
            (dec!(999.99), "999.99"),
            (dec!(100000), "100,000.00"),
            (dec!(-1234.5), "-1,234.50"),
            (dec!(0.0025), "0.0025"),
        ] {
            assert_eq!(amount(value), shown, "amount({value})");
        }
    }

    #[test]
    fn costs_show_two_to_four_decimals() {
        for (value, shown) in [
            (dec!(12.5000), "12.50"),
            (dec!(0.0025), "0.0025"),
            (dec!(1.2330), "1.233"),
            (dec!(7), "7.00"),
            (dec!(12345.6789), "12,345.6789"),
            // More than 4 decimals never comes from the book; shown as the book would store it.
            (dec!(0.00015), "0.0002"),
        ] {
            assert_eq!(cost(value), shown, "cost({value})");
        }
    }

    #[test]
    fn charged_rounds_half_away_from_zero() {
        for (value, shown) in [
            (dec!(0.0025), "0.00"),
            (dec!(2.345), "2.35"),
            (dec!(2.355), "2.36"),
            (dec!(-2.345), "-2.35"),
            (dec!(0.005), "0.01"),
            (dec!(1999.9950), "2,000.00"),
        ] {
            assert_eq!(charged(value), shown, "charged({value})");
        }
    }

    #[test]
    fn quantities_and_rates_drop_trailing_zeros() {
        for (value, shown) in [
            (dec!(1500), "1,500"),
            (dec!(2.50), "2.5"),
            (dec!(0.000), "0"),
            (dec!(-0), "0"),
            (dec!(1000000.25), "1,000,000.25"),
        ] {
            assert_eq!(quantity(value), shown, "quantity({value})");
        }
        for (value, shown) in [(dec!(21.50), "21.5"), (dec!(0.00), "0"), (dec!(10), "10")] {
            assert_eq!(vat_rate(value), shown, "vat_rate({value})");
        }
    }

    #[test]
    fn dates_read_day_month_year() {
        assert_eq!(date(day(2026, 11, 21)), "21 November 2026");
        assert_eq!(date(day(2027, 1, 3)), "3 January 2027");
        assert_eq!(optional_date(None), "-");
        assert_eq!(month_year(day(2026, 12, 31)), "December 2026");
    }
}
