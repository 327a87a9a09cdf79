//! What needs a finance user's attention.

use super::*;

/// What needs a finance user's attention, for the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Dashboard {
    /// Today by the book's clock, YYYY-MM-DD.
    #[ts(type = "string")]
    pub today: NaiveDate,
    /// Open and finalized invoices: still editable, not issued yet.
    pub to_review: AttentionGroup,
    /// The first of them, the ones issued soonest first.
    pub to_review_items: Vec<ReviewInvoice>,
    /// Pending (issued, not paid) and past their due date.
    pub past_due: AttentionGroup,
    /// Unpaid: a charge failed and is being retried.
    pub overdue: AttentionGroup,
    pub failed: AttentionGroup,
    /// Issued invoices with a negative total: money owed to buyers.
    pub credits_due: AttentionGroup,
    pub last_run: Option<BillingJobSummary>,
    /// When the next daily job runs (in the past when a catch-up is due).
    #[ts(type = "string")]
    pub next_run: DateTime<Utc>,
}

/// How many invoices and their amount due, VAT included (negative for credits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AttentionGroup {
    pub count: u32,
    #[ts(type = "string")]
    pub total: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ReviewInvoice {
    pub id: Id,
    pub friendly_id: String,
    pub account_name: String,
    #[ts(type = "string")]
    pub period: Period,
    pub state: InvoiceState,
    pub creation_type: CreationType,
    #[ts(type = "string")]
    pub total: Decimal,
    /// The day the billing run will issue it, YYYY-MM-DD; none when only a person will (a
    /// manual invoice, or a buyer whose monthly billing is off).
    #[ts(type = "string | null")]
    pub issues_on: Option<NaiveDate>,
    /// The due date it gets then, by the payment terms in the settings today (`net_terms`).
    #[ts(type = "string | null")]
    pub due_on: Option<NaiveDate>,
}

/// The latest daily billing job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BillingJobSummary {
    /// YYYY-MM-DD.
    #[ts(type = "string")]
    pub date: NaiveDate,
    #[ts(type = "string")]
    pub finished_at: DateTime<Utc>,
    pub invoices_created: u32,
    pub lines_added: u32,
    pub invoices_finalized: u32,
    pub invoices_issued: u32,
}
