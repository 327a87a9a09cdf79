//! The book itself: what the UI needs to know about it, and its simulated clock.

use super::*;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct BookInfo {
    pub path: String,
    pub schema_version: u32,
    #[ts(type = "string")]
    pub now: DateTime<Utc>,
    pub simulated_clock: bool,
    /// The gateway charges go through; none: "No payment gateway: charging is off", and
    /// nothing is marked paid by charging (billing-rules.md §9).
    pub payment_gateway: Option<PaymentGatewayInfo>,
}

/// A payment gateway as the screens name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PaymentGatewayInfo {
    pub name: String,
    /// A test gateway: charges are simulated and no money moves (a test or demo book).
    pub test: bool,
}

/// Moves a simulated clock forward and runs every billing job on the way (`serve --clock`).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AdvanceClock {
    #[ts(type = "string")]
    pub to: DateTime<Utc>,
}
