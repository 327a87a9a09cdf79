//! Earnings by month (billing-rules.md §10).

use super::*;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EarningsByMonth {
    /// First month, YYYY-MM; 11 months before `to` when absent (a 12-month window).
    #[serde(default, deserialize_with = "blank_is_none")]
    #[ts(optional, type = "string | null")]
    pub from: Option<Period>,
    /// Last month, YYYY-MM; the current month by the book's clock when absent. Paging to an
    /// earlier 12-month window is `to` 12 months back, with `from` left out.
    #[serde(default, deserialize_with = "blank_is_none")]
    #[ts(optional, type = "string | null")]
    pub to: Option<Period>,
    /// Amounts with VAT (the default) or without.
    #[serde(default = "yes")]
    #[ts(optional, as = "Option<bool>")]
    pub include_vat: bool,
}

/// One month of earnings (billing-rules.md §10), over every invoice but cancelled ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MonthEarnings {
    #[ts(type = "string")]
    pub period: Period,
    #[ts(type = "string")]
    pub total: Decimal,
    /// Open, finalized and pending.
    #[ts(type = "string")]
    pub in_process: Decimal,
    /// Unpaid and failed.
    #[ts(type = "string")]
    pub overdue: Decimal,
    #[ts(type = "string")]
    pub paid: Decimal,
}

/// The earnings table of a window of months: each month's figures and the total row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Earnings {
    /// The first month shown, YYYY-MM.
    #[ts(type = "string")]
    pub from: Period,
    /// The last month shown, YYYY-MM.
    #[ts(type = "string")]
    pub to: Period,
    /// The book's current month, YYYY-MM: where the latest window ends.
    #[ts(type = "string")]
    pub current_month: Period,
    /// Whether the amounts include VAT.
    pub include_vat: bool,
    /// Every month from `from` to `to`, oldest first.
    pub months: Vec<MonthEarnings>,
    /// The total row: each column is the exact sum of the month figures shown above it, so it
    /// foots to the cent (the row's total, like a month's, may differ by cents from the sum of
    /// its three parts).
    pub totals: EarningsTotals,
}

/// The total row of an earnings table, over every month of its window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EarningsTotals {
    #[ts(type = "string")]
    pub total: Decimal,
    /// Open, finalized and pending.
    #[ts(type = "string")]
    pub in_process: Decimal,
    /// Unpaid and failed.
    #[ts(type = "string")]
    pub overdue: Decimal,
    #[ts(type = "string")]
    pub paid: Decimal,
}
