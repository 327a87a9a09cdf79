//! Graduated pricing rules (billing-rules.md §2).

use rust_decimal::Decimal;

/// One (plan, metric) pricing rule: units `min..=max` cost `cost_per_unit` each.
/// `max == None` means unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PricingRule {
    pub min: i64,
    pub max: Option<i64>,
    pub cost_per_unit: Decimal,
}

impl PricingRule {
    /// Whether two ranges share at least one unit.
    pub fn overlaps(&self, other: &PricingRule) -> bool {
        let self_max = self.max.unwrap_or(i64::MAX);
        let other_max = other.max.unwrap_or(i64::MAX);
        self.min <= other_max && other.min <= self_max
    }

    /// The cost of a month's cumulative usage `usage` under this one rule.
    pub fn cost(&self, usage: i64) -> Decimal {
        if usage < self.min {
            return Decimal::ZERO;
        }
        let top = self.max.map_or(usage, |max| usage.min(max));
        self.cost_per_unit * Decimal::from(top - self.min + 1)
    }
}

/// The first existing rule that `candidate` overlaps, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overlap<'a>(pub &'a PricingRule);

pub fn find_overlap<'a>(
    candidate: &PricingRule,
    existing: &'a [PricingRule],
) -> Option<Overlap<'a>> {
    existing
        .iter()
        .find(|rule| rule.overlaps(candidate))
        .map(Overlap)
}

/// Graduated cost of `usage` under a metric's rules: each unit priced by the rule whose range
/// contains it; units in gaps or below the first `min` are free.
pub fn graduated_cost(rules: &[PricingRule], usage: i64) -> Decimal {
    rules.iter().map(|rule| rule.cost(usage)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn rule(min: i64, max: Option<i64>, cpu: Decimal) -> PricingRule {
        PricingRule {
            min,
            max,
            cost_per_unit: cpu,
        }
    }

    fn tiers() -> Vec<PricingRule> {
        vec![
            rule(1, Some(10), dec!(4)),
            rule(11, Some(20), dec!(3)),
            rule(21, None, dec!(2)),
        ]
    }

    #[test]
    fn graduated_examples_from_the_rules() {
        let cases = [
            (0, dec!(0)),
            (1, dec!(4)),
            (10, dec!(40)),
            (11, dec!(43)),
            (20, dec!(70)),
            (21, dec!(72)),
            (1_000_000_000, dec!(2_000_000_030)),
        ];
        for (usage, expected) in cases {
            assert_eq!(graduated_cost(&tiers(), usage), expected, "usage {usage}");
        }
        assert_eq!(graduated_cost(&[rule(21, None, dec!(2))], 100), dec!(160));
    }

    #[test]
    fn overlap_detection() {
        let existing = tiers();
        assert!(find_overlap(&rule(5, Some(12), dec!(1)), &existing).is_some());
        assert!(find_overlap(&rule(100, None, dec!(1)), &existing).is_some());
        let gap = [rule(1, Some(10), dec!(1)), rule(20, None, dec!(1))];
        assert!(find_overlap(&rule(11, Some(19), dec!(1)), &gap).is_none());
        assert!(find_overlap(&rule(10, Some(10), dec!(1)), &gap).is_some());
    }

    proptest! {
        /// Graduated pricing equals the unit-by-unit sum.
        #[test]
        fn graduated_equals_unit_by_unit(usage in 0i64..200, cuts in proptest::collection::btree_set(1i64..150, 1..5)) {
            let bounds: Vec<i64> = cuts.into_iter().collect();
            let mut rules = Vec::new();
            for (i, &min) in bounds.iter().enumerate() {
                let max = bounds.get(i + 1).map(|next| next - 1);
                rules.push(rule(min, max, Decimal::from(i as i64 + 1)));
            }
            let unit_by_unit: Decimal = (1..=usage)
                .map(|unit| rules.iter().find(|r| r.min <= unit && r.max.is_none_or(|m| unit <= m))
                    .map_or(Decimal::ZERO, |r| r.cost_per_unit))
                .sum();
            prop_assert_eq!(graduated_cost(&rules, usage), unit_by_unit);
        }
    }
}
