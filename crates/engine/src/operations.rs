//! The one list of operations. The desktop's `call` command and the server's
//! `POST /rpc/<operation>` both go through [`dispatch`], and the TypeScript `Operations` map is
//! generated from the same list, so no transport can drift from the engine.

use crate::book::{Actor, Book};
use crate::error::{ApiError, Result};
use crate::model::*;
use crate::ops;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Declares every operation once: its kind, its sync class, and the scope group a signed-in
/// user needs for it.
/// - kind: `read` operations get the book to read (on one snapshot, even while other
///   processes write), `write` operations run inside [`Book::write`] (one transaction with its
///   audit records), `book` operations run several such transactions themselves;
/// - sync class (docs/sync.md): `queued` (a linked desktop applies it at once and queues it
///   for the server), `server` (only the server may: refused offline), `local` (never sent:
///   reads);
/// - group (docs/access.md): `any`, `finance`, `accounts` for account_management, `access`
///   for both.
macro_rules! operations {
    ($( $kind:ident $class:ident $group:ident $module:ident :: $name:ident ($input:ty) -> $output:ty; )*) => {
        /// Every operation's name, in declaration order.
        pub const OPERATION_NAMES: &[&str] = &[$(stringify!($name)),*];

        /// Whether operation `name` only reads the book (declared `read`): what a read-only
        /// user or token may call. False for writes and for names that are no operation.
        pub fn is_read_operation(name: &str) -> bool {
            match name {
                $(stringify!($name) => operations!(@is_read $kind),)*
                _ => false,
            }
        }

        /// The scope a signed-in user needs for operation `name` (docs/access.md), as the
        /// list declares it; `None` when `name` is no operation.
        pub fn operation_group(name: &str) -> Option<OperationGroup> {
            match name {
                $(stringify!($name) => Some(operations!(@group $group)),)*
                _ => None,
            }
        }

        /// How operation `name` travels between a linked desktop and its server (docs/sync.md),
        /// as the list declares it; `None` when `name` is no operation.
        pub fn operation_sync_class(name: &str) -> Option<SyncClass> {
            match name {
                $(stringify!($name) => Some(operations!(@class $class)),)*
                _ => None,
            }
        }

        /// Runs operation `name` on the book itself, whatever its sync role: for sync, which
        /// decides first what a linked book may run and records it ([`dispatch`]).
        pub(crate) fn dispatch_unsynced(book: &mut Book, actor: &Actor, name: &str, input: Value) -> Result<Value> {
            match name {
                $(stringify!($name) => {
                    let input: $input = parse_input(input)?;
                    let output: $output = operations!(@call $kind, book, actor, $module::$name, input);
                    Ok(serde_json::to_value(output)?)
                })*
                _ => Err(ApiError::not_found(format!("There is no operation called \"{name}\"."))),
            }
        }

        /// Runs read operation `name` on a book borrowed for reading only (a reader
        /// connection); any other operation is refused.
        pub fn dispatch_read(book: &Book, actor: &Actor, name: &str, input: Value) -> Result<Value> {
            let _ = actor;
            match name {
                $(stringify!($name) => operations!(@read_call $kind, book, $module::$name, input, $input, $output, name),)*
                _ => Err(ApiError::not_found(format!("There is no operation called \"{name}\"."))),
            }
        }

        /// Every operation as a typed function, for Rust callers that have the input as a
        /// Rust value (no operation name, no JSON in between: a mistyped field does not
        /// compile). Reads take `&Book` and run on one snapshot; writes and `book` operations
        /// take `&mut Book` and the actor, exactly as [`dispatch`] runs them. Inputs built in
        /// Rust skip what JSON parsing checks (exact amounts, paging, search length), so
        /// callers pass values they have checked or parsed themselves.
        pub mod op {
            #[allow(unused_imports)]
            use super::*;
            $(operations!(@typed $kind $module::$name($input) -> $output);)*
        }

        /// The TypeScript map from operation name to its input and output types.
        pub fn typescript_operations(cfg: &ts_rs::Config) -> String {
            use ts_rs::TS;
            let mut out = String::from("export type Operations = {\n");
            $(out.push_str(&format!(
                "  {}: {{ input: {}; output: {} }};\n",
                stringify!($name),
                <$input as TS>::name(cfg),
                <$output as TS>::name(cfg),
            ));)*
            out.push_str("};\n");
            out
        }
    };
    (@read_call read, $book:ident, $module:ident :: $name:ident, $value:ident, $input:ty, $output:ty, $op:ident) => {{
        let input: $input = parse_input($value)?;
        let output: $output = $book.snapshot(|book| ops::$module::$name(book, input))?;
        Ok(serde_json::to_value(output)?)
    }};
    (@read_call $kind:ident, $book:ident, $module:ident :: $name:ident, $value:ident, $input:ty, $output:ty, $op:ident) => {{
        let _ = $value;
        Err(ApiError::invalid_state(format!("\"{}\" changes the book; it cannot run on a reader.", $op)))
    }};
    (@typed read $module:ident :: $name:ident ($input:ty) -> $output:ty) => {
        pub fn $name(book: &Book, input: $input) -> Result<$output> {
            book.snapshot(|book| ops::$module::$name(book, input))
        }
    };
    (@typed write $module:ident :: $name:ident ($input:ty) -> $output:ty) => {
        pub fn $name(book: &mut Book, actor: &Actor, input: $input) -> Result<$output> {
            book.write(actor, stringify!($name), |write| ops::$module::$name(write, input))
        }
    };
    (@typed book $module:ident :: $name:ident ($input:ty) -> $output:ty) => {
        pub fn $name(book: &mut Book, actor: &Actor, input: $input) -> Result<$output> {
            ops::$module::$name(book, actor, input)
        }
    };
    (@class queued) => { SyncClass::Queued };
    (@class server) => { SyncClass::ServerOnly };
    (@class local) => { SyncClass::LocalOnly };
    (@group any) => { OperationGroup::Any };
    (@group finance) => { OperationGroup::Finance };
    (@group accounts) => { OperationGroup::AccountManagement };
    (@group access) => { OperationGroup::Access };
    (@is_read read) => { true };
    (@is_read write) => { false };
    (@is_read book) => { false };
    (@call read, $book:ident, $actor:ident, $module:ident :: $name:ident, $input:ident) => {{
        let _ = $actor;
        $book.snapshot(|book| ops::$module::$name(book, $input))?
    }};
    (@call write, $book:ident, $actor:ident, $module:ident :: $name:ident, $input:ident) => {
        $book.write($actor, stringify!($name), |write| ops::$module::$name(write, $input))?
    };
    // Operations that need several transactions (a charge: record the attempt, call the
    // gateway, record the outcome) get the book itself.
    (@call book, $book:ident, $actor:ident, $module:ident :: $name:ident, $input:ident) => {
        ops::$module::$name($book, $actor, $input)?
    };
}

operations! {
    read  local  any      book::book_info(NoInput) -> BookInfo;
    read  local  accounts audit::list_audit(ListAudit) -> Page<AuditRecord>;

    read  local  accounts settings::get_settings(NoInput) -> Settings;
    write queued accounts settings::update_settings(Settings) -> Settings;
    read  local  accounts settings::get_invoice_logo(NoInput) -> Option<InvoiceLogo>;

    read  local  accounts services::list_services(Paging) -> Page<Service>;
    read  local  accounts services::get_service(ById) -> Service;
    write queued accounts services::create_service(CreateService) -> Service;
    write queued accounts services::update_service(UpdateService) -> Service;
    write queued accounts services::delete_service(ById) -> Service;

    read  local  accounts services::list_metrics(ListMetrics) -> Vec<Metric>;
    write queued accounts services::create_metric(CreateMetric) -> Metric;
    write queued accounts services::update_metric(UpdateMetric) -> Metric;
    write queued accounts services::delete_metric(ById) -> Metric;

    read  local  accounts plans::list_plans(ListPlans) -> Page<Plan>;
    read  local  accounts plans::get_plan(ById) -> Plan;
    write queued accounts plans::create_plan(CreatePlan) -> Plan;
    write queued accounts plans::update_plan(UpdatePlan) -> Plan;
    write queued accounts plans::delete_plan(ById) -> Plan;
    write queued accounts plans::make_default_plan(ById) -> Plan;
    write queued accounts plans::copy_plan(ById) -> Plan;

    read  local  accounts plans::list_pricing_rules(ListPricingRules) -> Vec<PricingRule>;
    write queued accounts plans::create_pricing_rule(CreatePricingRule) -> PricingRule;
    write queued accounts plans::update_pricing_rule(UpdatePricingRule) -> PricingRule;
    write queued accounts plans::delete_pricing_rule(ById) -> PricingRule;

    read  local  accounts accounts::list_accounts(ListAccounts) -> Page<Account>;
    read  local  accounts accounts::get_account(ById) -> Account;
    write queued accounts accounts::create_account(AccountFields) -> Account;
    write queued accounts accounts::update_account(UpdateAccount) -> Account;
    write queued accounts accounts::delete_account(ById) -> Account;
    write queued accounts accounts::sign_up(SignUp) -> Account;
    read  local  accounts accounts::find_account(FindAccount) -> Account;
    write queued accounts accounts::change_account_state(ChangeAccountState) -> Account;
    read  local  accounts accounts::list_account_users(ById) -> Vec<AccountUser>;
    write queued accounts accounts::create_account_user(CreateAccountUser) -> AccountUser;

    read  local  accounts applications::list_applications(ListApplications) -> Page<Application>;
    read  local  accounts applications::get_application(ById) -> ApplicationDetail;
    write queued accounts applications::subscribe(Subscribe) -> Application;
    write queued accounts applications::change_plan(ChangePlan) -> Application;
    read  local  accounts applications::preview_change_plan(ChangePlan) -> PlanChangePreview;
    write queued accounts applications::cancel_application(ById) -> Application;
    write queued accounts applications::update_application(UpdateApplication) -> Application;
    write queued accounts applications::suspend_application(SuspendApplication) -> Application;
    write queued accounts applications::customize_plan(CustomizePlan) -> Plan;
    write queued accounts applications::decustomize_plan(CustomizePlan) -> Plan;

    read  local  accounts applications::list_usage(ListUsage) -> Page<UsageRecord>;
    write queued accounts applications::record_usage(RecordUsage) -> UsageRecord;
    write queued accounts usage_import::import_usage(ImportUsage) -> UsageImportReport;

    write queued finance  events::ingest_events(IngestEvents) -> IngestReport;
    write queued finance  events::amend_event(AmendEvent) -> Event;
    write queued finance  events::deprecate_event(ByEventId) -> Event;
    read  local  finance  events::get_event(ByEventId) -> Event;
    read  local  finance  events::search_events(SearchEvents) -> Vec<Event>;
    read  local  finance  events::event_volume(EventVolume) -> Vec<VolumeBucket>;
    write queued accounts events::set_external_customer_id(SetExternalCustomerId) -> Option<String>;
    write queued finance  metrics::create_billable_metric(CreateBillableMetric) -> BillableMetric;
    read  local  finance  metrics::get_billable_metric(ById) -> BillableMetric;
    read  local  finance  metrics::list_billable_metrics(NoInput) -> Vec<BillableMetric>;
    read  local  finance  metrics::metric_quantity(MetricQuantity) -> Quantity;

    read  local  finance  invoices::list_invoices(ListInvoices) -> Page<Invoice>;
    read  local  finance  invoices::get_invoice(ById) -> InvoiceDetail;
    read  local  finance  invoices::list_invoices_with_lines(ListInvoices) -> Page<InvoiceWithLines>;
    write queued finance  invoices::create_invoice(CreateInvoice) -> InvoiceDetail;
    write queued finance  invoices::update_invoice(UpdateInvoice) -> InvoiceDetail;
    write queued finance  invoices::add_line_item(AddLineItem) -> InvoiceDetail;
    write queued finance  invoices::delete_line_item(ById) -> InvoiceDetail;
    write server finance  invoices::transition_invoice(TransitionInvoice) -> InvoiceDetail;
    book  server finance  charging::charge_invoice(ById) -> InvoiceDetail;
    write queued finance  charging::mark_invoice_paid(MarkInvoicePaid) -> InvoiceDetail;

    write queued finance  pdfs::generate_invoice_pdf(ById) -> InvoiceDetail;
    write queued finance  pdfs::regenerate_invoice_pdf(ById) -> InvoiceDetail;
    read  local  finance  pdfs::get_invoice_pdf(ById) -> InvoicePdfFile;
    read  local  finance  pdfs::invoice_pdf_statuses(InvoicePdfStatuses) -> Vec<InvoicePdfState>;
    write queued finance  pdfs::set_invoice_logo(SetInvoiceLogo) -> Settings;

    read  local  finance  earnings::earnings(EarningsByMonth) -> Earnings;
    read  local  finance  earnings::earnings_by_month(EarningsByMonth) -> Vec<MonthEarnings>;
    read  local  finance  dashboard::dashboard(NoInput) -> Dashboard;
    book  server finance  billing_run::advance_clock(AdvanceClock) -> crate::ops::billing_run::BillingRunReport;

    read  server access   tokens::list_access_tokens(ListAccessTokens) -> Vec<AccessToken>;
    read  server access   tokens::get_access_token(ById) -> AccessToken;
    write server access   tokens::create_access_token(CreateAccessToken) -> CreatedAccessToken;
    write server access   tokens::delete_access_token(ById) -> AccessToken;

    read  server access   users::list_users(NoInput) -> Vec<User>;
    book  server access   users::add_user(AddUser) -> User;
    write server access   users::remove_user(ById) -> User;
    write server access   users::disable_user(ById) -> User;
    write server access   users::enable_user(ById) -> User;
    book  server access   users::change_password(ChangePassword) -> User;
}

/// Runs operation `name` with its JSON `input` and returns its JSON output. On a linked
/// desktop a change is applied to its copy and queued for the server, and one only the server
/// may make is refused (docs/sync.md).
pub fn dispatch(book: &mut Book, actor: &Actor, name: &str, input: Value) -> Result<Value> {
    if book.sync_role() == crate::sync::Role::Linked {
        return crate::sync::desktop::perform(book, actor, name, input);
    }
    dispatch_unsynced(book, actor, name, input)
}

/// How an operation travels between a linked desktop and its server (docs/sync.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncClass {
    /// Applied on the desktop at once and queued for the server, which applies it again (or
    /// refuses it, and the desktop shows why).
    Queued,
    /// Only the server may: issuing and charging (what the buyer receives and pays), people
    /// and tokens, the clock. A linked desktop sends it straight to the server and refuses it
    /// offline, saying why.
    ServerOnly,
    /// Never sent: reads of the desktop's own copy.
    LocalOnly,
}

/// Which scope an operation needs when a signed-in user calls it over HTTP: the same scopes
/// as tokens (threescale-api.md §1.2), grouped by what the operations are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationGroup {
    /// Any signed-in user: the book's name and version.
    Any,
    /// `finance`: invoices, charging, PDFs, earnings, billing runs.
    Finance,
    /// `account_management`: accounts, services, metrics, plans, pricing rules, applications,
    /// usage, settings and the audit log.
    AccountManagement,
    /// Both `account_management` and `finance`: the people who may sign in and the access
    /// tokens. Whoever manages them could give anyone any right, so only a user who has every
    /// right may (and `rw` to change them, as for every write).
    Access,
}

impl OperationGroup {
    /// Whether a user or token with `scopes` may call operations of this group.
    pub fn allows(self, scopes: &[Scope]) -> bool {
        match self {
            OperationGroup::Any => true,
            OperationGroup::Finance => scopes.contains(&Scope::Finance),
            OperationGroup::AccountManagement => scopes.contains(&Scope::AccountManagement),
            OperationGroup::Access => {
                scopes.contains(&Scope::AccountManagement) && scopes.contains(&Scope::Finance)
            }
        }
    }
}

/// Parses an operation's input; `null` stands for `{}`. A bad input is a validation error
/// naming each field at fault in a plain sentence, all of them at once
/// ([`crate::input::parse_each_field`]). The scenario player reads the operation fields a
/// scenario file gives with it too, so that they are refused as the transports refuse them.
pub(crate) fn parse_input<T: DeserializeOwned>(input: Value) -> Result<T> {
    let input = if input.is_null() {
        Value::Object(Default::default())
    } else {
        input
    };
    crate::input::parse_each_field(input).map_err(|bad| {
        let errors = bad
            .into_iter()
            .map(|bad| {
                let field = bad.field();
                if bad.missing.is_some() {
                    return ApiError::validation(&field, format!("{field} is required."));
                }
                let field = if field == "." {
                    "input".to_owned()
                } else {
                    field
                };
                let message = format!("{field} {}.", plain_expectation(&bad.message));
                ApiError::validation(&field, message)
            })
            .collect();
        ApiError::all(errors)
            .unwrap_or_else(|| ApiError::validation("input", "input is not valid."))
    })
}

/// serde's "invalid type: string \"abc\", expected u32" as a user would say it.
fn plain_expectation(message: &str) -> String {
    let expected = message.rsplit("expected ").next().unwrap_or(message);
    if message.starts_with("must ") || message.starts_with("has ") {
        // Already a plain sentence (the exact-amount reader's).
        message.to_owned()
    } else if message.starts_with("invalid type: floating point") && expected.contains("decimal") {
        "must be written as text, e.g. \"12.50\", so that it is kept exactly".into()
    } else if expected.starts_with("must ") {
        // The reader's own expectation (paging) is the plain sentence.
        expected.to_owned()
    } else if expected.contains("Decimal") || expected.starts_with("a decimal") {
        "must be a number such as 12.50".into()
    } else if expected.starts_with("u32") || expected.starts_with("u64") {
        "must be a whole number of 0 or more".into()
    } else if expected.starts_with("i64") || expected.starts_with("i32") {
        "must be a whole number".into()
    } else if expected.starts_with("a boolean") {
        "must be true or false".into()
    } else if expected.contains("is not an id") || message.contains("is not an id") {
        "must be an id".into()
    } else if message.starts_with("unknown variant") {
        format!(
            "must be one of: {}",
            expected.trim_start_matches("one of ").replace('`', "")
        )
    } else {
        format!("is not valid ({message})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_groups() {
        assert!(is_read_operation("list_invoices"));
        assert!(!is_read_operation("create_invoice"));
        assert!(!is_read_operation("charge_invoice"));
        assert!(!is_read_operation("no_such_operation"));
        assert_eq!(
            operation_group("list_invoices"),
            Some(OperationGroup::Finance)
        );
        assert_eq!(
            operation_group("earnings_by_month"),
            Some(OperationGroup::Finance)
        );
        assert_eq!(operation_group("earnings"), Some(OperationGroup::Finance));
        assert_eq!(
            operation_group("create_account"),
            Some(OperationGroup::AccountManagement)
        );
        assert_eq!(operation_group("book_info"), Some(OperationGroup::Any));
        assert_eq!(operation_group("no_such_operation"), None);
        for name in OPERATION_NAMES {
            assert!(operation_group(name).is_some(), "{name}");
        }
        assert!(OperationGroup::Finance.allows(&[Scope::Finance]));
        assert!(!OperationGroup::Finance.allows(&[Scope::AccountManagement]));
        assert_eq!(operation_group("add_user"), Some(OperationGroup::Access));
        assert_eq!(
            operation_group("create_access_token"),
            Some(OperationGroup::Access)
        );
        assert!(!OperationGroup::Access.allows(&[Scope::AccountManagement]));
        assert!(!OperationGroup::Access.allows(&[Scope::Finance]));
        assert!(OperationGroup::Access.allows(&[Scope::Finance, Scope::AccountManagement]));
    }

    /// Every operation has a sync class (the list's column makes one required), and the class
    /// fits what it does: a read never changes the book, so it is local or, for what only the
    /// server keeps (people, tokens), asked of the server; a change is queued or server-only,
    /// never local (a local-only change would leave the desktop's copy different from the
    /// server's for good). Operations that take several transactions (a charge, a password's
    /// hashing) cannot be replayed as one, so they are the server's.
    #[test]
    fn every_operation_syncs_by_a_class_that_fits_it() {
        for name in OPERATION_NAMES {
            let class = operation_sync_class(name).unwrap_or_else(|| panic!("{name}: no class"));
            if is_read_operation(name) {
                assert_ne!(class, SyncClass::Queued, "{name} only reads");
            } else {
                assert_ne!(class, SyncClass::LocalOnly, "{name} changes the book");
            }
        }
        for name in [
            "charge_invoice",
            "advance_clock",
            "add_user",
            "change_password",
        ] {
            assert_eq!(
                operation_sync_class(name),
                Some(SyncClass::ServerOnly),
                "{name}"
            );
        }
        for name in ["transition_invoice", "create_access_token", "list_users"] {
            assert_eq!(
                operation_sync_class(name),
                Some(SyncClass::ServerOnly),
                "{name}"
            );
        }
        for name in [
            "create_invoice",
            "add_line_item",
            "record_usage",
            "mark_invoice_paid",
        ] {
            assert_eq!(
                operation_sync_class(name),
                Some(SyncClass::Queued),
                "{name}"
            );
        }
        assert_eq!(operation_sync_class("no_such_operation"), None);
    }
}
