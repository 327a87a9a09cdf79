//! Counterfoil's billing rules, pure: no IO, no SQL, no clock (time is passed in).
//!
//! See docs/billing-rules.md for the rules these functions implement.

pub mod friendly_id;
pub mod lifecycle;
pub mod money;
pub mod period;
pub mod pricing;
pub mod proration;
pub mod totals;

pub use friendly_id::{
    prefix_for, FriendlyId, FriendlyIdError, Numbering, UnknownNumbering, MAX_NUMBER,
};
pub use lifecycle::{InvoiceState, TransitionError, UnknownInvoiceState};
pub use money::{
    for_display, parse_exact, round2, round4, round_half_up, scale_check, MoneyError, ParseError,
};
pub use period::{Period, PeriodError, SECONDS_PER_DAY};
pub use pricing::{find_overlap, graduated_cost, Overlap, PricingRule};
pub use proration::{describe_range, prorate_days, prorate_seconds, ProratedPiece};
pub use totals::{invoice_totals, line_cost, InvoiceTotals};
