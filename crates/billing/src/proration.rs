//! Prorated fixed fees (billing-rules.md §4).
//!
//! Ranges are inclusive to the second: `to` is the last second billed, so a whole month is
//! [`Period::start`, `Period::end`] and lasts exactly `days × 86 400` seconds. Sub-second
//! parts of the bounds are dropped.

use chrono::{DateTime, Datelike, NaiveTime, SubsecRound, Timelike, Utc};
use rust_decimal::Decimal;

use crate::money::round2;
use crate::period::{month_name, Period};

/// The part of a fixed fee that falls in one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProratedPiece {
    pub period: Period,
    /// First second billed.
    pub from: DateTime<Utc>,
    /// Last second billed (inclusive).
    pub to: DateTime<Utc>,
    pub cost: Decimal,
}

/// `cost_per_month` prorated over [from, to] inclusive to the second, split per month; each
/// piece is `round2(cost_per_month × seconds / seconds_in_its_month)`.
///
/// `from > to` is an empty range and gives no pieces; `from == to` is one second. Pieces
/// with a zero cost are returned too: dropping zero lines is the caller's rule (§7).
pub fn prorate_seconds(
    cost_per_month: Decimal,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<ProratedPiece> {
    let from = from.trunc_subsecs(0);
    let to = to.trunc_subsecs(0);
    let mut pieces = Vec::new();
    if from > to {
        return pieces;
    }
    let mut period = Period::of(from);
    loop {
        let piece_from = from.max(period.start());
        let piece_to = to.min(period.end());
        // Only false for instants outside the years 1000..=9999, which Period clamps.
        if piece_from <= piece_to {
            let seconds = (piece_to - piece_from).num_seconds() + 1;
            pieces.push(ProratedPiece {
                period,
                from: piece_from,
                to: piece_to,
                cost: prorated_cost(cost_per_month, seconds, period),
            });
        }
        let next = period.next();
        if to <= period.end() || next == period {
            return pieces;
        }
        period = next;
    }
}

/// `cost_per_month` billed in whole days: from 00:00 of `from`'s day to `to` (normally a
/// month's last second), split per month. Used for signups and trial ends.
///
/// The range is empty (no pieces) when `from > to`, checked before `from` is moved back to
/// midnight.
pub fn prorate_days(
    cost_per_month: Decimal,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<ProratedPiece> {
    if from > to {
        return Vec::new();
    }
    let midnight = from.date_naive().and_time(NaiveTime::MIN).and_utc();
    prorate_seconds(cost_per_month, midnight, to)
}

fn prorated_cost(cost_per_month: Decimal, seconds: i64, period: Period) -> Decimal {
    let seconds = Decimal::from(seconds);
    let month_seconds = Decimal::from(period.seconds());
    // Multiply first so the quotient is exact whenever the result has few decimals
    // (17/31 × 31 must be 17, not 16.99…). Only absurd costs overflow the product.
    let exact = match cost_per_month.checked_mul(seconds) {
        Some(product) => product / month_seconds,
        None => cost_per_month * (seconds / month_seconds),
    };
    round2(exact)
}

/// A fixed fee's description of the range it bills, e.g.
/// "January 1, 2025 (0:00) - January 31, 2025 (23:59)".
pub fn describe_range(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    format!("{} - {}", describe_instant(from), describe_instant(to))
}

fn describe_instant(instant: DateTime<Utc>) -> String {
    format!(
        "{} {}, {} ({}:{:02})",
        month_name(instant.month()),
        instant.day(),
        instant.year(),
        instant.hour(),
        instant.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::SECONDS_PER_DAY;
    use chrono::{TimeDelta, TimeZone};
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn seconds(n: i64) -> TimeDelta {
        TimeDelta::seconds(n)
    }

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    fn period(year: i32, month: u32) -> Period {
        Period::new(year, month).unwrap()
    }

    fn costs(pieces: &[ProratedPiece]) -> Vec<Decimal> {
        pieces.iter().map(|piece| piece.cost).collect()
    }

    #[test]
    fn signup_billed_in_whole_days() {
        // §4: signup 5 Feb 2025 (28 days), plan 200 → 24/28 × 200.
        let pieces = prorate_days(dec!(200), at(2025, 2, 5, 13, 47, 12), period(2025, 2).end());
        assert_eq!(
            pieces,
            vec![ProratedPiece {
                period: period(2025, 2),
                from: at(2025, 2, 5, 0, 0, 0),
                to: at(2025, 2, 28, 23, 59, 59),
                cost: dec!(171.43),
            }]
        );
    }

    #[test]
    fn plan_change_example_from_section_8() {
        // Plan 31 → 3100 on 15 May 2025 00:00, signup 5 May, postpaid: 27.00, −17.00, 1 700.00.
        let may_end = period(2025, 5).end();
        let change = at(2025, 5, 15, 0, 0, 0);
        let fixed_fee_old = prorate_days(dec!(31), at(2025, 5, 5, 9, 0, 0), may_end);
        let refund_old = prorate_seconds(dec!(31), change, may_end);
        let fixed_fee_new = prorate_seconds(dec!(3100), change, may_end);
        assert_eq!(costs(&fixed_fee_old), [dec!(27.00)]);
        assert_eq!(costs(&refund_old), [dec!(17.00)]);
        assert_eq!(costs(&fixed_fee_new), [dec!(1700.00)]);
        let invoice = fixed_fee_old[0].cost - refund_old[0].cost + fixed_fee_new[0].cost;
        assert_eq!(invoice, dec!(1710.00));
    }

    /// (reason, cost per month, from, to, expected piece costs)
    type Case = (
        &'static str,
        Decimal,
        DateTime<Utc>,
        DateTime<Utc>,
        Vec<Decimal>,
    );

    #[test]
    fn proration_table() {
        let cases: [Case; 9] = [
            (
                "whole month costs the monthly fee",
                dec!(200),
                at(2025, 1, 1, 0, 0, 0),
                at(2025, 1, 31, 23, 59, 59),
                vec![dec!(200)],
            ),
            (
                "free plan",
                dec!(0),
                at(2025, 1, 10, 0, 0, 0),
                at(2025, 1, 31, 23, 59, 59),
                vec![dec!(0)],
            ),
            (
                "half of a 30-day month",
                dec!(100),
                at(2025, 4, 16, 0, 0, 0),
                at(2025, 4, 30, 23, 59, 59),
                vec![dec!(50)],
            ),
            (
                "one second of a 31-day month rounds to nothing",
                dec!(100),
                at(2025, 1, 31, 23, 59, 59),
                at(2025, 1, 31, 23, 59, 59),
                vec![dec!(0)],
            ),
            (
                "exact half cent rounds up: 0.01 for half of a 30-day month",
                dec!(0.01),
                at(2025, 4, 16, 0, 0, 0),
                at(2025, 4, 30, 23, 59, 59),
                vec![dec!(0.01)],
            ),
            (
                "to the second: 12 h of a 31-day month",
                dec!(31),
                at(2025, 1, 10, 12, 0, 0),
                at(2025, 1, 10, 23, 59, 59),
                vec![dec!(0.50)],
            ),
            (
                "crossing a month boundary splits it (3scale refuses)",
                dec!(31),
                at(2025, 1, 17, 0, 0, 0),
                at(2025, 2, 14, 23, 59, 59),
                vec![dec!(15), dec!(15.50)],
            ),
            (
                "leap February",
                dec!(29),
                at(2024, 2, 1, 0, 0, 0),
                at(2024, 3, 1, 23, 59, 59),
                vec![dec!(29), dec!(0.94)],
            ),
            (
                "inverted range bills nothing",
                dec!(100),
                at(2025, 1, 2, 0, 0, 0),
                at(2025, 1, 1, 23, 59, 59),
                vec![],
            ),
        ];
        for (reason, cost, from, to, expected) in cases {
            assert_eq!(
                costs(&prorate_seconds(cost, from, to)),
                expected,
                "{reason}"
            );
        }
    }

    #[test]
    fn days_variant_edges() {
        // Inverted within one day stays empty even though midnight precedes `to`.
        assert!(
            prorate_days(dec!(100), at(2025, 1, 5, 10, 0, 0), at(2025, 1, 5, 9, 0, 0)).is_empty()
        );
        // A trial ending on the last day bills that whole day.
        let last_day = prorate_days(dec!(31), at(2025, 1, 31, 18, 0, 0), period(2025, 1).end());
        assert_eq!(costs(&last_day), [dec!(1)]);
        assert_eq!(last_day[0].from, at(2025, 1, 31, 0, 0, 0));
    }

    #[test]
    fn sub_second_parts_are_dropped() {
        let from = at(2025, 1, 1, 0, 0, 0) + TimeDelta::milliseconds(700);
        let to = period(2025, 1).end() + TimeDelta::milliseconds(999);
        let pieces = prorate_seconds(dec!(200), from, to);
        assert_eq!(pieces[0].from, at(2025, 1, 1, 0, 0, 0));
        assert_eq!(pieces[0].to, period(2025, 1).end());
        assert_eq!(pieces[0].cost, dec!(200));
    }

    #[test]
    fn describe_range_table() {
        let cases = [
            (
                at(2025, 1, 1, 0, 0, 0),
                at(2025, 1, 31, 23, 59, 59),
                "January 1, 2025 (0:00) - January 31, 2025 (23:59)",
            ),
            (
                at(2025, 5, 15, 9, 5, 0),
                at(2025, 5, 31, 23, 59, 59),
                "May 15, 2025 (9:05) - May 31, 2025 (23:59)",
            ),
            (
                at(2024, 12, 9, 14, 30, 59),
                at(2025, 2, 28, 0, 0, 0),
                "December 9, 2024 (14:30) - February 28, 2025 (0:00)",
            ),
        ];
        for (from, to, expected) in cases {
            assert_eq!(describe_range(from, to), expected);
        }
    }

    fn any_period() -> impl Strategy<Value = Period> {
        (1970i32..=2100, 1u32..=12).prop_map(|(year, month)| period(year, month))
    }

    fn four_dp_cost() -> impl Strategy<Value = Decimal> {
        (0i64..=100_000_000_000).prop_map(|n| Decimal::new(n, 4))
    }

    proptest! {
        /// A whole month, by either function, is one piece costing the monthly fee rounded to
        /// the cent (exactly the fee when it has at most 2 decimals).
        #[test]
        fn whole_month_costs_the_monthly_fee(p in any_period(), cost in four_dp_cost(), signup_second in 0i64..86_400) {
            let by_seconds = prorate_seconds(cost, p.start(), p.end());
            let by_days = prorate_days(cost, p.start() + seconds(signup_second), p.end());
            let whole = vec![ProratedPiece { period: p, from: p.start(), to: p.end(), cost: round2(cost) }];
            prop_assert_eq!(&by_seconds, &whole);
            prop_assert_eq!(&by_days, &whole);
            let cents = round2(cost);
            prop_assert_eq!(costs(&prorate_seconds(cents, p.start(), p.end())), vec![cents]);
        }

        /// Splitting a month at any second gives two adjacent pieces that add up to the monthly
        /// fee within half a cent of rounding per piece.
        #[test]
        fn split_month_adds_up(
            (p, last_of_first) in any_period().prop_flat_map(|p| (Just(p), 0..p.seconds() - 1)),
            cost in four_dp_cost(),
        ) {
            let cut = p.start() + seconds(last_of_first);
            let first = prorate_seconds(cost, p.start(), cut);
            let second = prorate_seconds(cost, cut + seconds(1), p.end());
            prop_assert_eq!(first.len(), 1);
            prop_assert_eq!(second.len(), 1);
            prop_assert_eq!(first[0].to + seconds(1), second[0].from);
            let sum = first[0].cost + second[0].cost;
            prop_assert!((sum - cost).abs() <= dec!(0.01), "{} + {} vs {}", first[0].cost, second[0].cost, cost);
        }

        /// A range over several months gives one piece per month, in order and contiguous,
        /// covering exactly [from, to].
        #[test]
        fn multi_month_range_is_one_piece_per_month(
            from_offset in 0i64..(130 * 365 * SECONDS_PER_DAY),
            length in 0i64..(3 * 366 * SECONDS_PER_DAY),
            cost in four_dp_cost(),
        ) {
            let from = at(1970, 1, 1, 0, 0, 0) + seconds(from_offset);
            let to = from + seconds(length);
            let pieces = prorate_seconds(cost, from, to);
            let months = Period::of(to).months_after(Period::of(from)) + 1;
            prop_assert_eq!(pieces.len(), months as usize);
            prop_assert_eq!(pieces[0].from, from);
            prop_assert_eq!(pieces[pieces.len() - 1].to, to);
            for pair in pieces.windows(2) {
                prop_assert_eq!(pair[0].period.next(), pair[1].period);
                prop_assert_eq!(pair[0].to + seconds(1), pair[1].from);
            }
            for piece in &pieces {
                prop_assert!(piece.period.contains(piece.from) && piece.period.contains(piece.to));
                prop_assert!(piece.cost >= Decimal::ZERO && piece.cost <= round2(cost));
            }
        }
    }
}
