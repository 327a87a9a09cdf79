#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
//! The fixture every engine test file shares: a fresh book on a simulated clock, called
//! through the engine's typed operations (`op::…`) as Rust callers call it. The builders
//! below make the inputs tests repeat, so that a change to an input type is made here.
//! `dispatch` (operation name + JSON) is only for tests of the JSON transport itself.

#![allow(dead_code)] // each test file uses a different part of it

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use counterfoil_engine::model::*;
use counterfoil_engine::{dispatch, op, Actor, ApiError, Book, Clock, ErrorCode};
use rust_decimal::Decimal;
use serde_json::Value;
use std::fmt::Debug;

pub struct Fixture {
    pub book: Book,
    pub clock: Clock,
    pub actor: Actor,
    _dir: tempfile::TempDir,
}

/// An operation of `op::`: a read (`fn(&Book, input)`) or a write or `book` operation
/// (`fn(&mut Book, &Actor, input)`), so that `ok`, `call` and `refused` take either. `Kind`
/// only tells the two impls apart.
pub trait Operation<Kind, I, O> {
    fn run(self, book: &mut Book, actor: &Actor, input: I) -> Result<O, ApiError>;
}

pub struct Reads;
pub struct Writes;

impl<F, I, O> Operation<Reads, I, O> for F
where
    F: FnOnce(&Book, I) -> Result<O, ApiError>,
{
    fn run(self, book: &mut Book, _actor: &Actor, input: I) -> Result<O, ApiError> {
        self(book, input)
    }
}

impl<F, I, O> Operation<Writes, I, O> for F
where
    F: FnOnce(&mut Book, &Actor, I) -> Result<O, ApiError>,
{
    fn run(self, book: &mut Book, actor: &Actor, input: I) -> Result<O, ApiError> {
        self(book, actor, input)
    }
}

/// The operation's name for failure messages: `op::create_plan` → `create_plan`.
fn name_of<F>() -> &'static str {
    let path = std::any::type_name::<F>();
    path.rsplit("::").next().unwrap_or(path)
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::at(Utc.with_ymd_and_hms(2025, 3, 10, 12, 0, 0).unwrap())
    }

    pub fn at(start: DateTime<Utc>) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let clock = Clock::simulated(start);
        let book = Book::open(&dir.path().join("test.book"), clock.clone()).unwrap();
        Fixture {
            book,
            clock,
            actor: Actor::new("test"),
            _dir: dir,
        }
    }

    pub fn call<K, I, O>(&mut self, op: impl Operation<K, I, O>, input: I) -> Result<O, ApiError> {
        op.run(&mut self.book, &self.actor, input)
    }

    pub fn ok<K, I: Debug + Clone, O, F: Operation<K, I, O>>(&mut self, op: F, input: I) -> O {
        self.call(op, input.clone())
            .unwrap_or_else(|e| panic!("{} {input:?}: {e:?}", name_of::<F>()))
    }

    /// Calls `op`, expects a refusal with `code` (and `field` for validation), and checks that
    /// nothing was written.
    pub fn refused<K, I: Debug + Clone, O: Debug, F: Operation<K, I, O>>(
        &mut self,
        op: F,
        input: I,
        code: ErrorCode,
        field: Option<&str>,
    ) -> ApiError {
        let what = format!("{} {input:?}", name_of::<F>());
        self.refusal(&what, |f| f.call(op, input), code, field)
    }

    /// Operation `name` with a JSON input, as the transports call it: only for tests of what
    /// JSON parsing accepts or refuses.
    pub fn call_json(&mut self, name: &str, input: Value) -> Result<Value, ApiError> {
        dispatch(&mut self.book, &self.actor, name, input)
    }

    pub fn ok_json(&mut self, name: &str, input: Value) -> Value {
        self.call_json(name, input.clone())
            .unwrap_or_else(|e| panic!("{name} {input}: {e:?}"))
    }

    /// `refused` for operation `name` with a JSON input.
    pub fn refused_json(
        &mut self,
        name: &str,
        input: Value,
        code: ErrorCode,
        field: Option<&str>,
    ) -> ApiError {
        let what = format!("{name} {input}");
        self.refusal(&what, |f| f.call_json(name, input), code, field)
    }

    fn refusal<O: Debug>(
        &mut self,
        what: &str,
        run: impl FnOnce(&mut Fixture) -> Result<O, ApiError>,
        code: ErrorCode,
        field: Option<&str>,
    ) -> ApiError {
        let audit_before = self.audit_total();
        let error = match run(self) {
            Ok(output) => panic!("{what} should have been refused, gave {output:?}"),
            Err(error) => error,
        };
        assert_eq!(error.code, code, "{what}: {error:?}");
        assert_eq!(error.field.as_deref(), field, "{what}: {error:?}");
        assert!(!error.message.is_empty());
        assert_eq!(
            self.audit_total(),
            audit_before,
            "{what} wrote despite failing"
        );
        error
    }

    /// The earnings summary the store keeps (`keeping_share`) equals summing the issued
    /// invoices themselves.
    pub fn assert_earnings_summary_matches_invoices(&self) {
        let conn = rusqlite::Connection::open(self.book.path()).unwrap();
        let read = |sql: &str| -> Vec<(String, i64, i64, i64, i64)> {
            let mut statement = conn.prepare(sql).unwrap();
            let rows = statement
                .query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .unwrap();
            rows.map(Result::unwrap).collect()
        };
        let kept = read(
            "SELECT period, bucket, vat_rate, net, invoices FROM earnings_by_period
             WHERE invoices != 0 ORDER BY 1, 2, 3",
        );
        let summed = read(
            "SELECT period,
                    CASE WHEN state IN ('unpaid', 'failed') THEN 1
                         WHEN state = 'paid' THEN 2 ELSE 0 END,
                    coalesce(vat_rate, -1), sum(net), count(*)
             FROM invoices WHERE issued_on IS NOT NULL AND state != 'cancelled'
             GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        );
        assert_eq!(
            kept, summed,
            "the earnings summary drifted from the invoices"
        );
    }

    pub fn audit_total(&mut self) -> i64 {
        self.ok(op::list_audit, audit_list()).total
    }

    /// Makes the book a test book: it charges through the built-in test gateway.
    pub fn use_test_gateway(&mut self) {
        self.book.use_test_gateway(&self.actor).unwrap();
    }

    /// The provider settings, changed by `change` and saved; returns what was saved.
    pub fn change_settings(&mut self, change: impl FnOnce(&mut Settings)) -> Settings {
        let mut settings = self.ok(op::get_settings, NoInput {});
        change(&mut settings);
        self.ok(op::update_settings, settings)
    }

    /// The service called `name`: a new one, or the book's own default service when `name` is
    /// its name ("API"), as a new tenant uses the service it starts with.
    pub fn service(&mut self, name: &str) -> Service {
        let services = self.ok(op::list_services, Paging::default()).items;
        if let Some(existing) = services.into_iter().find(|s| s.name == name) {
            return existing;
        }
        self.ok(op::create_service, CreateService::named(name))
    }

    pub fn hits(&mut self, service: &Service) -> Metric {
        self.ok(
            op::list_metrics,
            ListMetrics {
                service_id: service.id,
            },
        )[0]
        .clone()
    }

    pub fn plan(&mut self, service: &Service, name: &str, trial_days: u32) -> Plan {
        self.priced_plan(service, name, "10", "99.50", trial_days)
    }

    /// A published plan with these fees (decimal strings) and trial.
    pub fn priced_plan(
        &mut self,
        service: &Service,
        name: &str,
        setup: &str,
        monthly: &str,
        trial_days: u32,
    ) -> Plan {
        let input = CreatePlan {
            setup_fee: amount(setup),
            cost_per_month: amount(monthly),
            trial_period_days: trial_days,
            ..new_plan(service, name)
        };
        self.ok(op::create_plan, input)
    }

    pub fn account(&mut self, name: &str) -> Account {
        self.ok(op::create_account, account_fields(name))
    }

    /// Every invoice of the book in full, newest first (as the list gives them).
    pub fn all_invoices(&mut self) -> Vec<InvoiceDetail> {
        let every = ListInvoices {
            per_page: 500,
            ..invoice_list()
        };
        let page = self.ok(op::list_invoices, every);
        page.items
            .iter()
            .map(|invoice| self.ok(op::get_invoice, by_id(invoice.id)))
            .collect()
    }

    /// A manual invoice of `month` for `account` with one line of `cost` (before VAT), moved
    /// through `states`.
    pub fn invoice_of(
        &mut self,
        account: &Account,
        month: &str,
        cost: &str,
        states: &[InvoiceState],
    ) -> Id {
        let id = self
            .ok(op::create_invoice, new_invoice(account, Some(month)))
            .invoice
            .id;
        self.ok(op::add_line_item, line(id, "Fee", cost));
        for state in states {
            self.ok(op::transition_invoice, transition(id, *state));
        }
        id
    }
}

// --- inputs ----------------------------------------------------------------------------------

/// An amount exactly as written ("12.50" keeps its two decimals), as the transports read it.
pub fn amount(text: &str) -> Decimal {
    counterfoil_billing::parse_exact(text).unwrap()
}

/// An instant in RFC 3339, e.g. "2025-03-10T12:00:00Z".
pub fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().into()
}

/// A month, written YYYY-MM (a malformed one is refused by JSON parsing: see `refused_json`).
pub fn period(text: &str) -> Period {
    Period::parse(text).unwrap_or_else(|_| panic!("{text:?} is not a month"))
}

/// A day, written YYYY-MM-DD.
pub fn day(text: &str) -> NaiveDate {
    text.parse()
        .unwrap_or_else(|_| panic!("{text:?} is not a day"))
}

/// A published plan of `service` without fees or trial.
pub fn new_plan(service: &Service, name: &str) -> CreatePlan {
    CreatePlan {
        service_id: service.id,
        system_name: None,
        name: name.into(),
        setup_fee: amount("0"),
        cost_per_month: amount("0"),
        trial_period_days: 0,
        state: PlanState::Published,
        description: String::new(),
        approval_required: false,
    }
}

pub fn pricing_rule(
    plan: &Plan,
    metric: &Metric,
    min: i64,
    max: Option<i64>,
    cost_per_unit: &str,
) -> CreatePricingRule {
    CreatePricingRule {
        plan_id: plan.id,
        metric_id: metric.id,
        min,
        max,
        cost_per_unit: amount(cost_per_unit),
    }
}

/// An account's fields with only its name given: what `{"org_name": name}` reads as (billing
/// and charging on, no VAT rate, no card).
pub fn account_fields(name: &str) -> AccountFields {
    AccountFields::named(name)
}

/// An update of account `id` that sets every field to `fields`.
pub fn account_update(id: Id, fields: AccountFields) -> UpdateAccount {
    let AccountFields {
        org_name,
        legal_address,
        billing_address,
        vat_code,
        fiscal_code,
        po_number,
        vat_rate,
        monthly_billing_enabled,
        monthly_charging_enabled,
        card,
    } = fields;
    UpdateAccount {
        id,
        org_name: Some(org_name),
        legal_address: Some(legal_address.into()),
        billing_address: Some(billing_address.map(AddressUpdate::from)),
        vat_code: Some(vat_code),
        fiscal_code: Some(fiscal_code),
        po_number: Some(po_number),
        vat_rate: Some(vat_rate),
        monthly_billing_enabled: Some(monthly_billing_enabled),
        monthly_charging_enabled: Some(monthly_charging_enabled),
        card: Some(card),
    }
}

/// A card of the built-in test gateway.
pub fn card(last4: &str, expiry_month: u32, expiry_year: u32, gateway_reference: &str) -> Card {
    Card {
        last4: last4.into(),
        expiry_month,
        expiry_year,
        gateway_reference: gateway_reference.into(),
    }
}

pub fn subscription(account: &Account, plan: &Plan, name: &str) -> Subscribe {
    Subscribe {
        account_id: account.id,
        plan_id: plan.id,
        name: name.into(),
        description: String::new(),
        user_key: None,
    }
}

pub fn plan_change(application: &Application, plan: &Plan) -> ChangePlan {
    ChangePlan {
        application_id: application.id,
        plan_id: plan.id,
    }
}

/// Usage of `metric` by `application`; without `at`, now.
pub fn usage(
    application: &Application,
    metric: &Metric,
    at: Option<DateTime<Utc>>,
    value: i64,
) -> RecordUsage {
    RecordUsage {
        application_id: application.id,
        metric_id: metric.id,
        timestamp: at,
        value,
        idempotency_key: None,
    }
}

/// A manual invoice for `account`; without `period`, the current month.
pub fn new_invoice(account: &Account, month: Option<&str>) -> CreateInvoice {
    CreateInvoice {
        account_id: account.id,
        lines: Vec::new(),
        period: month.map(period),
    }
}

/// A manual line of `cost` without quantity or description.
pub fn line(invoice_id: Id, name: &str, cost: &str) -> AddLineItem {
    AddLineItem {
        invoice_id,
        name: name.into(),
        description: String::new(),
        quantity: None,
        cost: amount(cost),
    }
}

pub fn transition(id: Id, state: InvoiceState) -> TransitionInvoice {
    TransitionInvoice { id, state }
}

pub fn by_id(id: Id) -> ById {
    ById { id }
}

/// The first page of a list with no filter, as `{}` reads: the filters' derived `Default` has
/// `page` and `per_page` 0, which no transport lets through.
macro_rules! first_page {
    ($($name:ident -> $filter:ident),* $(,)?) => {$(
        pub fn $name() -> $filter {
            let Paging { page, per_page } = Paging::default();
            $filter {
                page,
                per_page,
                ..$filter::default()
            }
        }
    )*};
}

first_page!(
    invoice_list -> ListInvoices,
    account_list -> ListAccounts,
    plan_list -> ListPlans,
    application_list -> ListApplications,
);

/// Every usage record of `application`, first page.
pub fn usage_list(application: &Application) -> ListUsage {
    let Paging { page, per_page } = Paging::default();
    ListUsage {
        application_id: application.id,
        metric_id: None,
        from: None,
        to: None,
        page,
        per_page,
    }
}

/// The whole audit log, first page (what `{}` reads as).
pub fn audit_list() -> ListAudit {
    let Paging { page, per_page } = Paging::default();
    ListAudit {
        entity: None,
        entity_id: None,
        page,
        per_page,
    }
}

/// Earnings from month `from` to month `to` (YYYY-MM; the defaults when absent), with VAT.
pub fn earnings_months(from: Option<&str>, to: Option<&str>) -> EarningsByMonth {
    EarningsByMonth {
        from: from.map(period),
        to: to.map(period),
        include_vat: true,
    }
}
