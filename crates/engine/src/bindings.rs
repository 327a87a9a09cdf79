//! TypeScript bindings of the engine's API, generated from the Rust types (ts-rs) into
//! ui/src/lib/api/types.ts. A test fails when the committed file is stale; run
//! `UPDATE_BINDINGS=1 cargo test -p counterfoil-engine bindings` to refresh it.

use crate::error::{ApiError, ErrorCode, FieldError};
use crate::model::*;
use crate::operations::typescript_operations;
use ts_rs::{Config, TS};

macro_rules! declarations {
    ($cfg:ident; $($ty:ty),* $(,)?) => {{
        let mut out = String::new();
        $(
            out.push_str("export ");
            out.push_str(&<$ty as TS>::decl($cfg));
            out.push_str("\n\n");
        )*
        out
    }};
}

/// The whole generated file.
pub fn typescript() -> String {
    let cfg = &Config::default();
    let mut out = String::from(
        "// Generated from the engine's Rust types by crates/engine/src/bindings.rs.\n\
         // Do not edit: run `UPDATE_BINDINGS=1 cargo test -p counterfoil-engine bindings`.\n\n",
    );
    out.push_str(&declarations!(cfg;
        ErrorCode, ApiError, FieldError, Id, NoInput, ById, Paging, Page<()>,
        BillingMode, Numbering, Address, AddressUpdate, PaperSize, Settings,
        Service, BackendVersion, CreateService, UpdateService, Metric, ListMetrics, CreateMetric,
        UpdateMetric, PlanState, Plan, CustomPlan, PlanFields, CreatePlan, UpdatePlan, ListPlans,
        PricingRule, ListPricingRules, CreatePricingRule, UpdatePricingRule, CustomizePlan,
        Card, Account, AccountState, AccountEvent, ChangeAccountState, SignUp, FindAccount,
        AccountFields, UpdateAccount, ListAccounts, AccountUser, AccountUserRole, CreateAccountUser,
        ApplicationState, Application, PlanChange, ApplicationDetail, ListApplications,
        Subscribe, UpdateApplication, SuspendApplication, ChangePlan, PlanChangePreview, PlanChangeLine,
        UsageRecord, RecordUsage, ListUsage,
        ListAudit, AuditRecord, BookInfo, PaymentGatewayInfo,
        InvoiceState, CreationType, LineItemType, Totals, Invoice, LineItem, PaymentTransaction,
        Party, InvoiceDetail, InvoiceWithLines, CreateInvoice, ListInvoices, InvoiceSort, UpdateInvoice,
        AddLineItem, InvoiceLine,
        TransitionInvoice, MarkInvoicePaid, EarningsByMonth, MonthEarnings,
        Earnings, EarningsTotals,
        PdfStatus, PdfSettings, SetInvoiceLogo, InvoiceLogo, InvoicePdfFile, InvoicePdfStatuses,
        InvoicePdfState,
        UsageRow, ImportUsage, RowError, UsageImportReport,
        EventInput, IngestEvents, RefusedEvent, IngestReport, Event, AmendEvent, ByEventId,
        SearchEvents, EventVolume, VolumeBucket, SetExternalCustomerId,
        Aggregation, BillableMetric, CreateBillableMetric, MetricQuantity, Quantity,
        Scope, Permission, AccessToken, CreateAccessToken, CreatedAccessToken, ListAccessTokens,
        User, AddUser, ChangePassword,
        AdvanceClock, Dashboard, AttentionGroup, ReviewInvoice, BillingJobSummary,
        crate::ops::billing_run::BillingCounts, crate::ops::billing_run::JobReport,
        crate::ops::billing_run::BillingRunReport,
        crate::sync::desktop::SyncStatus, crate::sync::desktop::RefusedChange,
    ));
    out.push_str(&error_codes());
    out.push_str(&server_only_operations());
    out.push_str(&typescript_operations(cfg));
    out
}

/// The operations only a server may run (docs/sync.md), for the desktop to disable them on a
/// linked book with the reason instead of offering what the engine refuses.
fn server_only_operations() -> String {
    let names: Vec<String> = crate::OPERATION_NAMES
        .iter()
        .filter(|name| crate::operation_sync_class(name) == Some(crate::SyncClass::ServerOnly))
        .map(|name| format!("\"{name}\""))
        .collect();
    format!(
        "export const SERVER_ONLY_OPERATIONS: readonly (keyof Operations)[] = [{}];\n\n",
        names.join(", ")
    )
}

/// Every error code as a value, for the UI to tell an engine error from anything else.
fn error_codes() -> String {
    let codes: Vec<String> = ErrorCode::ALL
        .iter()
        .map(|code| serde_json::to_string(code).unwrap_or_default())
        .collect();
    format!(
        "export const ERROR_CODES: readonly ErrorCode[] = [{}];\n\n",
        codes.join(", ")
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::disallowed_methods)] // the generated TypeScript file, never a book
    use std::path::PathBuf;

    #[test]
    fn bindings_are_fresh() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/api/types.ts");
        let generated = super::typescript();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "ui/src/lib/api/types.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p \
             counterfoil-engine bindings` and commit the result"
        );
    }
}
