//! Invoice friendly IDs (billing-rules.md §6): `YYYY-MM-NNNNNNNN` or `YYYY-NNNNNNNN`.

use std::fmt;
use std::str::FromStr;

use crate::period::Period;

/// The highest number that fits the 8-digit counter.
pub const MAX_NUMBER: u32 = 99_999_999;

/// The provider's numbering period setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Numbering {
    #[default]
    Monthly,
    Yearly,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Numbering must be monthly or yearly.")]
pub struct UnknownNumbering;

impl Numbering {
    pub fn as_str(self) -> &'static str {
        match self {
            Numbering::Monthly => "monthly",
            Numbering::Yearly => "yearly",
        }
    }
}

impl FromStr for Numbering {
    type Err = UnknownNumbering;

    fn from_str(text: &str) -> Result<Numbering, UnknownNumbering> {
        match text {
            "monthly" => Ok(Numbering::Monthly),
            "yearly" => Ok(Numbering::Yearly),
            _ => Err(UnknownNumbering),
        }
    }
}

/// The counter prefix of an invoice of `period`: "2025-01" (monthly) or "2025" (yearly).
pub fn prefix_for(numbering: Numbering, period: Period) -> String {
    match numbering {
        Numbering::Monthly => period.to_string(),
        Numbering::Yearly => format!("{:04}", period.year()),
    }
}

/// An invoice ID. Invariant: the prefix is `YYYY` or `YYYY-MM` (month 01..=12) and the
/// number is at most [`MAX_NUMBER`], so it always prints as an ID that parses back.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FriendlyId {
    prefix: String,
    number: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FriendlyIdError {
    #[error("Invoice ID must look like 2025-01-00000001 (monthly) or 2025-00000001 (yearly).")]
    Malformed,
    #[error(
        "Invoice number {number} for {prefix} does not fit in 8 digits (the highest is 99999999)."
    )]
    NumberTooLarge { prefix: String, number: u32 },
}

impl FriendlyId {
    /// Parses `^\d{4}(-\d{2})?-\d{8}$` (ASCII digits; the month, when present, 01..=12).
    /// Year 0000 passes, as the pattern allows it.
    pub fn parse(text: &str) -> Result<FriendlyId, FriendlyIdError> {
        let (prefix, digits) = text.rsplit_once('-').ok_or(FriendlyIdError::Malformed)?;
        if digits.len() != 8 || !all_ascii_digits(digits) || !is_prefix(prefix) {
            return Err(FriendlyIdError::Malformed);
        }
        let number = digits.parse().map_err(|_| FriendlyIdError::Malformed)?;
        Ok(FriendlyId {
            prefix: prefix.to_owned(),
            number,
        })
    }

    /// The ID numbered `number` under `prefix` (from [`prefix_for`] or an existing ID's
    /// [`FriendlyId::prefix`]).
    pub fn new(prefix: &str, number: u32) -> Result<FriendlyId, FriendlyIdError> {
        if !is_prefix(prefix) {
            return Err(FriendlyIdError::Malformed);
        }
        if number > MAX_NUMBER {
            return Err(FriendlyIdError::NumberTooLarge {
                prefix: prefix.to_owned(),
                number,
            });
        }
        Ok(FriendlyId {
            prefix: prefix.to_owned(),
            number,
        })
    }

    /// The counter this ID belongs to: "2025-01" or "2025".
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn number(&self) -> u32 {
        self.number
    }

    /// Which numbering the prefix follows.
    pub fn numbering(&self) -> Numbering {
        if self.prefix.len() == 4 {
            Numbering::Yearly
        } else {
            Numbering::Monthly
        }
    }
}

impl fmt::Display for FriendlyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:08}", self.prefix, self.number)
    }
}

impl FromStr for FriendlyId {
    type Err = FriendlyIdError;

    fn from_str(text: &str) -> Result<FriendlyId, FriendlyIdError> {
        FriendlyId::parse(text)
    }
}

fn all_ascii_digits(text: &str) -> bool {
    text.bytes().all(|byte| byte.is_ascii_digit())
}

/// `YYYY` or `YYYY-MM` with month 01..=12.
fn is_prefix(prefix: &str) -> bool {
    match prefix.split_once('-') {
        None => prefix.len() == 4 && all_ascii_digits(prefix),
        Some((year, month)) => {
            year.len() == 4
                && all_ascii_digits(year)
                && month.len() == 2
                && all_ascii_digits(month)
                && matches!(month.parse::<u32>(), Ok(1..=12))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn period(year: i32, month: u32) -> Period {
        Period::new(year, month).unwrap()
    }

    fn id(text: &str) -> FriendlyId {
        FriendlyId::parse(text).unwrap()
    }

    #[test]
    fn numbering_examples_from_section_6() {
        let january = prefix_for(Numbering::Monthly, period(1984, 1));
        let december = prefix_for(Numbering::Monthly, period(1983, 12));
        assert_eq!(january, "1984-01");
        assert_eq!(
            FriendlyId::new(&january, 1).unwrap().to_string(),
            "1984-01-00000001"
        );
        assert_eq!(
            FriendlyId::new(&january, 2).unwrap().to_string(),
            "1984-01-00000002"
        );
        assert_eq!(
            FriendlyId::new(&december, 1).unwrap().to_string(),
            "1983-12-00000001"
        );

        assert_eq!(prefix_for(Numbering::Yearly, period(2018, 7)), "2018");
        let hand_set = id("2018-00000008");
        assert_eq!(hand_set.prefix(), "2018");
        assert_eq!(hand_set.number(), 8);
        assert_eq!(hand_set.numbering(), Numbering::Yearly);
        let next = FriendlyId::new(hand_set.prefix(), hand_set.number() + 1).unwrap();
        assert_eq!(next.to_string(), "2018-00000009");
    }

    #[test]
    fn parse_table() {
        // (text, Some((prefix, number)) when valid, reason)
        let cases = [
            ("2025-01-00000001", Some(("2025-01", 1)), "monthly"),
            ("2025-00000001", Some(("2025", 1)), "yearly"),
            (
                "2025-12-99999999",
                Some(("2025-12", 99_999_999)),
                "largest number",
            ),
            (
                "2025-01-00000000",
                Some(("2025-01", 0)),
                "zero matches the pattern",
            ),
            (
                "0000-00000001",
                Some(("0000", 1)),
                "year 0000 matches the pattern",
            ),
            ("2025-13-00000001", None, "no month 13"),
            ("2025-00-00000001", None, "no month 0"),
            ("2025-1-00000001", None, "month needs 2 digits"),
            ("2025-01-0000001", None, "7-digit number"),
            ("2025-01-000000001", None, "9-digit number"),
            ("25-00000001", None, "2-digit year"),
            ("2025-01-01-00000001", None, "extra part"),
            ("2025_00000001", None, "wrong separator"),
            (" 2025-00000001", None, "no trimming"),
            ("2025-0000000١", None, "ASCII digits only"),
            ("2025-+0000001", None, "no sign"),
            ("", None, "empty"),
        ];
        for (text, expected, reason) in cases {
            let got = FriendlyId::parse(text);
            match expected {
                Some((prefix, number)) => {
                    let parsed = got.unwrap_or_else(|e| panic!("{text:?} ({reason}): {e}"));
                    assert_eq!(
                        (parsed.prefix(), parsed.number()),
                        (prefix, number),
                        "{reason}"
                    );
                    assert_eq!(parsed.to_string(), text, "{reason}");
                }
                None => assert_eq!(got, Err(FriendlyIdError::Malformed), "{text:?}: {reason}"),
            }
        }
    }

    #[test]
    fn new_refuses_bad_prefix_and_overflow() {
        assert_eq!(
            FriendlyId::new("2025-13", 1),
            Err(FriendlyIdError::Malformed)
        );
        assert_eq!(
            FriendlyId::new("January", 1),
            Err(FriendlyIdError::Malformed)
        );
        assert_eq!(
            FriendlyId::new("2025", 100_000_000),
            Err(FriendlyIdError::NumberTooLarge {
                prefix: "2025".to_owned(),
                number: 100_000_000
            })
        );
        assert!(FriendlyId::new("2025", MAX_NUMBER).is_ok());
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            FriendlyId::parse("INV-1").unwrap_err().to_string(),
            "Invoice ID must look like 2025-01-00000001 (monthly) or 2025-00000001 (yearly)."
        );
        assert_eq!(
            FriendlyId::new("2025-01", 100_000_000).unwrap_err().to_string(),
            "Invoice number 100000000 for 2025-01 does not fit in 8 digits (the highest is 99999999)."
        );
    }

    #[test]
    fn numbering_names() {
        assert_eq!(Numbering::default(), Numbering::Monthly);
        for numbering in [Numbering::Monthly, Numbering::Yearly] {
            assert_eq!(numbering.as_str().parse(), Ok(numbering));
        }
        assert_eq!("weekly".parse::<Numbering>(), Err(UnknownNumbering));
    }

    fn any_prefix() -> impl Strategy<Value = String> {
        (
            1000i32..=9999,
            1u32..=12,
            prop_oneof![Just(Numbering::Monthly), Just(Numbering::Yearly)],
        )
            .prop_map(|(year, month, numbering)| prefix_for(numbering, period(year, month)))
    }

    proptest! {
        #[test]
        fn new_round_trips_through_parse(prefix in any_prefix(), number in 0u32..=MAX_NUMBER) {
            let made = FriendlyId::new(&prefix, number).unwrap();
            let parsed = FriendlyId::parse(&made.to_string()).unwrap();
            prop_assert_eq!(parsed.prefix(), prefix.as_str());
            prop_assert_eq!(parsed.number(), number);
            prop_assert_eq!(parsed, made);
        }

        /// Successive counter values never repeat an ID, within a prefix or across the
        /// monthly and yearly counters of the same period.
        #[test]
        fn counter_never_repeats(
            year in 1000i32..=9999,
            month in 1u32..=12,
            start in 0u32..(MAX_NUMBER - 50),
            steps in 1u32..50,
        ) {
            let mut seen = HashSet::new();
            for numbering in [Numbering::Monthly, Numbering::Yearly] {
                let prefix = prefix_for(numbering, period(year, month));
                for number in start..=start + steps {
                    let text = FriendlyId::new(&prefix, number).unwrap().to_string();
                    prop_assert!(seen.insert(text.clone()), "{} repeated", text);
                }
            }
        }
    }
}
