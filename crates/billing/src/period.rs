//! Billing periods: calendar months in UTC (billing-rules.md §5).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc};

pub const SECONDS_PER_DAY: i64 = 86_400;

const MIN_YEAR: i32 = 1000;
const MAX_YEAR: i32 = 9999;

/// English month names, January first: how invoices and their line descriptions name months.
pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A calendar month in UTC.
///
/// Invariant: year 1000..=9999 and month 1..=12, so every period prints as `YYYY-MM`, parses
/// back, and has a first and last second that chrono can represent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    // Field order matters: the derived Ord compares year first.
    year: i32,
    month: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("Period must be a month written YYYY-MM, e.g. 2025-01")]
    Malformed,
    #[error(
        "Period must be a month written YYYY-MM, e.g. 2025-01 \
         (year 1000 to 9999, month 1 to 12); got year {year}, month {month}"
    )]
    OutOfRange { year: i32, month: u32 },
}

impl Period {
    pub const FIRST: Period = Period {
        year: MIN_YEAR,
        month: 1,
    };
    pub const LAST: Period = Period {
        year: MAX_YEAR,
        month: 12,
    };

    pub fn new(year: i32, month: u32) -> Result<Period, PeriodError> {
        if (MIN_YEAR..=MAX_YEAR).contains(&year) && (1..=12).contains(&month) {
            Ok(Period { year, month })
        } else {
            Err(PeriodError::OutOfRange { year, month })
        }
    }

    /// Parses exactly `YYYY-MM` (ASCII digits, no surrounding spaces, month 01..=12).
    pub fn parse(text: &str) -> Result<Period, PeriodError> {
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 7
            && bytes[4] == b'-'
            && bytes[..4].iter().all(u8::is_ascii_digit)
            && bytes[5..].iter().all(u8::is_ascii_digit);
        if !shape_ok {
            return Err(PeriodError::Malformed);
        }
        let year = digits_value(&bytes[..4]);
        let month = digits_value(&bytes[5..]);
        // A well-shaped text with month 13 or year 0999 is still not a period the user can
        // mean; report it like any other malformed input.
        i32::try_from(year)
            .ok()
            .and_then(|year| Period::new(year, month).ok())
            .ok_or(PeriodError::Malformed)
    }

    /// The month containing `instant`.
    ///
    /// Instants before year 1000 or after 9999 give the first or last period: no billing date
    /// lies there, and a total function keeps callers free of an impossible error path.
    pub fn of(instant: DateTime<Utc>) -> Period {
        let year = instant.year();
        if year < MIN_YEAR {
            Period::FIRST
        } else if year > MAX_YEAR {
            Period::LAST
        } else {
            Period {
                year,
                month: instant.month(),
            }
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    /// English month name, e.g. "January" (for "Invoice for January 2025").
    pub fn month_name(self) -> &'static str {
        month_name(self.month)
    }

    /// The following month; saturates at 9999-12 (see [`Period::of`]).
    pub fn next(self) -> Period {
        match self.month {
            12 if self.year == MAX_YEAR => self,
            12 => Period {
                year: self.year + 1,
                month: 1,
            },
            month => Period {
                year: self.year,
                month: month + 1,
            },
        }
    }

    /// The preceding month; saturates at 1000-01 (see [`Period::of`]).
    pub fn previous(self) -> Period {
        match self.month {
            1 if self.year == MIN_YEAR => self,
            1 => Period {
                year: self.year - 1,
                month: 12,
            },
            month => Period {
                year: self.year,
                month: month - 1,
            },
        }
    }

    /// The first second of the month: day 1, 00:00:00 UTC.
    pub fn start(self) -> DateTime<Utc> {
        self.first_day().and_time(NaiveTime::MIN).and_utc()
    }

    /// The last second of the month: its last day, 23:59:59 UTC. Billed ranges are inclusive
    /// of this second, so [start, end] is exactly `days() × 86 400` seconds.
    pub fn end(self) -> DateTime<Utc> {
        self.start() + TimeDelta::seconds(self.seconds() - 1)
    }

    pub fn days(self) -> u32 {
        match self.month {
            4 | 6 | 9 | 11 => 30,
            2 if is_leap_year(self.year) => 29,
            2 => 28,
            _ => 31,
        }
    }

    /// The month's length in seconds (no leap seconds: UTC days are 86 400 s here).
    pub fn seconds(self) -> i64 {
        i64::from(self.days()) * SECONDS_PER_DAY
    }

    /// Whether `instant` falls in this month.
    pub fn contains(self, instant: DateTime<Utc>) -> bool {
        self.start() <= instant && instant < self.start() + TimeDelta::seconds(self.seconds())
    }

    /// How many months `self` is after `other` (negative when before): 2025-03 is 2 months
    /// after 2025-01.
    pub fn months_after(self, other: Period) -> i32 {
        // Months are 1..=12, so the casts are lossless.
        (self.year - other.year) * 12 + (self.month as i32 - other.month as i32)
    }

    #[allow(
        clippy::expect_used,
        reason = "the invariant keeps year in 1000..=9999 and month in 1..=12, \
                  all inside chrono's range, so day 1 always exists"
    )]
    fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
            .expect("day 1 of a month in years 1000..=9999 exists")
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A period equals its written form: `period == "2025-01"`.
impl PartialEq<&str> for Period {
    fn eq(&self, text: &&str) -> bool {
        Period::parse(text).is_ok_and(|other| other == *self)
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<Period, PeriodError> {
        Period::parse(text)
    }
}

/// Written `YYYY-MM`, as the book stores a period and every transport shows it.
impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Read from `YYYY-MM` (surrounding spaces allowed, as a form may send them); anything else is
/// refused with the sentence a user is shown after the field's name.
impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Period, D::Error> {
        struct Month;
        impl serde::de::Visitor<'_> for Month {
            type Value = Period;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Period, E> {
                Period::parse(text.trim())
                    .map_err(|_| E::custom(format_args!("{EXPECTED} (got \"{text}\")")))
            }
        }
        deserializer.deserialize_str(Month)
    }
}

/// What a period must look like, as the sentence after a field's name.
const EXPECTED: &str = "must be a month written YYYY-MM, e.g. 2025-01";

/// English name of month 1..=12; "" for anything else.
pub(crate) fn month_name(month: u32) -> &'static str {
    month
        .checked_sub(1)
        .and_then(|index| MONTH_NAMES.get(index as usize))
        .copied()
        .unwrap_or("")
}

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Value of a run of ASCII digits already checked by the caller (at most 4 here).
fn digits_value(digits: &[u8]) -> u32 {
    digits
        .iter()
        .fold(0, |value, digit| value * 10 + u32::from(digit - b'0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn period(year: i32, month: u32) -> Period {
        Period::new(year, month).unwrap()
    }

    #[test]
    fn a_period_is_written_and_read_as_yyyy_mm() {
        let text = serde_json::to_string(&period(2025, 3)).unwrap();
        assert_eq!(text, "\"2025-03\"");
        let read: Period = serde_json::from_str(" \" 2025-03 \"").unwrap();
        assert_eq!(read, period(2025, 3));
        for bad in ["\"2025-13\"", "\"March 2025\"", "\"\"", "202503"] {
            let error = serde_json::from_str::<Period>(bad).unwrap_err().to_string();
            assert!(
                error.contains("must be a month written YYYY-MM"),
                "{bad}: {error}"
            );
        }
    }

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    #[test]
    fn parse_table() {
        let cases: [(&str, Result<Period, PeriodError>, &str); 13] = [
            ("2025-01", Ok(period(2025, 1)), "the usual form"),
            ("1984-12", Ok(period(1984, 12)), "December"),
            ("1000-01", Ok(period(1000, 1)), "first writable year"),
            ("9999-12", Ok(period(9999, 12)), "last writable year"),
            ("2025-13", Err(PeriodError::Malformed), "no month 13"),
            ("2025-00", Err(PeriodError::Malformed), "no month 0"),
            ("0999-01", Err(PeriodError::Malformed), "year below 1000"),
            (
                "2025-1",
                Err(PeriodError::Malformed),
                "month needs 2 digits",
            ),
            ("2025/01", Err(PeriodError::Malformed), "wrong separator"),
            (" 2025-01", Err(PeriodError::Malformed), "no trimming"),
            (
                "2025-01-01",
                Err(PeriodError::Malformed),
                "a date is not a month",
            ),
            (
                "２０２５-01",
                Err(PeriodError::Malformed),
                "ASCII digits only",
            ),
            ("", Err(PeriodError::Malformed), "empty"),
        ];
        for (text, expected, reason) in cases {
            assert_eq!(Period::parse(text), expected, "{text:?}: {reason}");
        }
    }

    #[test]
    fn display_round_trips_and_error_reads_well() {
        for text in ["2025-01", "1000-09", "9999-12"] {
            assert_eq!(Period::parse(text).unwrap().to_string(), text);
            assert_eq!(text.parse::<Period>().unwrap().to_string(), text);
        }
        assert_eq!(
            Period::parse("Jan 2025").unwrap_err().to_string(),
            "Period must be a month written YYYY-MM, e.g. 2025-01"
        );
    }

    #[test]
    fn new_rejects_out_of_range() {
        let cases = [(2025, 0), (2025, 13), (999, 1), (10_000, 1), (-1, 6)];
        for (year, month) in cases {
            assert_eq!(
                Period::new(year, month),
                Err(PeriodError::OutOfRange { year, month }),
                "{year}-{month}"
            );
        }
    }

    #[test]
    fn calendar_facts() {
        // (period, days, start, end, reason)
        let cases = [
            (
                period(2025, 1),
                31,
                at(2025, 1, 1, 0, 0, 0),
                at(2025, 1, 31, 23, 59, 59),
                "January",
            ),
            (
                period(2025, 2),
                28,
                at(2025, 2, 1, 0, 0, 0),
                at(2025, 2, 28, 23, 59, 59),
                "common February",
            ),
            (
                period(2024, 2),
                29,
                at(2024, 2, 1, 0, 0, 0),
                at(2024, 2, 29, 23, 59, 59),
                "leap year",
            ),
            (
                period(1900, 2),
                28,
                at(1900, 2, 1, 0, 0, 0),
                at(1900, 2, 28, 23, 59, 59),
                "century, not leap",
            ),
            (
                period(2000, 2),
                29,
                at(2000, 2, 1, 0, 0, 0),
                at(2000, 2, 29, 23, 59, 59),
                "400th year, leap",
            ),
            (
                period(2025, 4),
                30,
                at(2025, 4, 1, 0, 0, 0),
                at(2025, 4, 30, 23, 59, 59),
                "30-day month",
            ),
            (
                period(2025, 12),
                31,
                at(2025, 12, 1, 0, 0, 0),
                at(2025, 12, 31, 23, 59, 59),
                "year end",
            ),
        ];
        for (p, days, start, end, reason) in cases {
            assert_eq!(p.days(), days, "{p} days: {reason}");
            assert_eq!(p.start(), start, "{p} start: {reason}");
            assert_eq!(p.end(), end, "{p} end: {reason}");
            assert_eq!(
                (p.end() - p.start()).num_seconds() + 1,
                p.seconds(),
                "{p}: {reason}"
            );
            assert_eq!(Period::of(start), p);
            assert_eq!(Period::of(end), p);
            assert!(
                p.contains(start) && p.contains(end) && !p.contains(end + TimeDelta::seconds(1))
            );
        }
    }

    #[test]
    fn stepping_and_ordering() {
        assert_eq!(period(2024, 12).next(), period(2025, 1));
        assert_eq!(period(2025, 1).previous(), period(2024, 12));
        assert_eq!(period(2025, 6).next(), period(2025, 7));
        assert_eq!(period(2025, 6).previous(), period(2025, 5));
        assert_eq!(Period::LAST.next(), Period::LAST, "saturates");
        assert_eq!(Period::FIRST.previous(), Period::FIRST, "saturates");
        assert!(period(2024, 12) < period(2025, 1));
        assert!(period(2025, 2) > period(2025, 1));
        assert_eq!(period(2025, 3).months_after(period(2025, 1)), 2);
        assert_eq!(period(2026, 1).months_after(period(2025, 1)), 12);
        assert_eq!(period(2024, 12).months_after(period(2025, 1)), -1);
        assert_eq!(period(2025, 1).months_after(period(2025, 1)), 0);
    }

    #[test]
    fn of_clamps_outside_writable_years() {
        assert_eq!(Period::of(at(999, 12, 31, 23, 59, 59)), Period::FIRST);
        assert_eq!(Period::of(at(10_000, 1, 1, 0, 0, 0)), Period::LAST);
    }

    #[test]
    fn month_names() {
        assert_eq!(period(2025, 1).month_name(), "January");
        assert_eq!(period(2025, 12).month_name(), "December");
        assert_eq!(month_name(0), "");
        assert_eq!(month_name(13), "");
    }
}
