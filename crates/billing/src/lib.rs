//! Counterfoil's billing rules, pure: no IO, no SQL, no clock.
//!
//! See docs/billing-rules.md for the rules these functions implement.

pub mod money;
pub mod pricing;

pub use money::{round2, round4, scale_check, MoneyError};
pub use pricing::{graduated_cost, Overlap, PricingRule};
