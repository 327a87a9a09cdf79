//! Large books for the benchmarks (benches/engine.rs), built fast: the same store calls the
//! operations make, in one transaction instead of one per row. Only with the `bench-support`
//! feature; nothing in the product calls it.

use crate::book::{Actor, Book};
use crate::error::Result;
use crate::model::*;
use crate::store;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

fn instant(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A book as it stands on 31 January 2025 after that day's job: `accounts` buyers with two
/// applications each (signed up 1 January, no trial) on a plan with graduated rules on three
/// metrics, a month of usage (one record per application, metric and day), and each buyer's
/// open January invoice holding its fixed fees. The next job (1 February) is the day-1 job.
pub fn seed_billing_book(book: &mut Book, accounts: usize) -> Result<()> {
    let actor = Actor::new("bench");
    book.write(&actor, "bench_seed", |write| {
        let jan = instant(2025, 1, 1);
        // Beside the new book's default "API" service, as a tenant's own service would be.
        let service = store::catalogue::insert_service(
            write.tx,
            "Bench API",
            "bench_api",
            "",
            BackendVersion::default(),
            jan,
        )?;
        let mut metrics = Vec::new();
        for name in ["hits", "storage", "jobs"] {
            let metric = Metric {
                id: Id(0),
                service_id: service,
                parent_id: None,
                system_name: name.into(),
                friendly_name: name.into(),
                unit: "unit".into(),
                description: String::new(),
            };
            metrics.push(store::catalogue::insert_metric(write.tx, &metric)?);
        }
        let fields = PlanFields {
            name: "Pro".into(),
            setup_fee: Decimal::ZERO,
            cost_per_month: Decimal::from(31),
            trial_period_days: 0,
            state: PlanState::Published,
            description: String::new(),
            approval_required: false,
        };
        let plan = store::catalogue::insert_plan(write.tx, service, "pro", &fields, jan, None)?;
        for metric in &metrics {
            for (min, max, cost) in [
                (1, Some(1000), Decimal::new(2, 3)),
                (1001, None, Decimal::new(1, 3)),
            ] {
                let rule = PricingRule {
                    id: Id(0),
                    plan_id: plan,
                    metric_id: *metric,
                    min,
                    max,
                    cost_per_unit: cost,
                };
                store::catalogue::insert_pricing_rule(write.tx, &rule)?;
            }
        }
        let month_end = instant(2025, 2, 1) - Duration::seconds(1);
        for n in 0..accounts {
            let account = AccountFields {
                org_name: format!("Buyer {n:06}"),
                legal_address: Address {
                    country: "Germany".into(),
                    ..Address::default()
                },
                billing_address: None,
                vat_code: String::new(),
                fiscal_code: String::new(),
                po_number: String::new(),
                vat_rate: Some(Decimal::from(19)),
                monthly_billing_enabled: true,
                monthly_charging_enabled: true,
                card: None,
            };
            let account_id = store::accounts::save(write.tx, None, &account, jan)?;
            let prefix = "2025-01";
            let number = store::invoices::next_number(write.tx, prefix)?;
            let invoice = store::invoices::insert(
                write.tx,
                account_id,
                &format!("{prefix}-{number:08}"),
                prefix,
                CreationType::Background,
                jan + Duration::hours(8),
            )?;
            for app_number in 0..2 {
                let app = Application {
                    id: Id(0),
                    account_id,
                    plan_id: plan,
                    name: format!("App {app_number}"),
                    state: ApplicationState::Live,
                    created_at: jan,
                    trial_ends_at: None,
                    paid_until: None,
                    usage_billed_until: None,
                    setup_fee_billed: false,
                    cancelled_at: None,
                    description: String::new(),
                    suspended: false,
                    user_key: None,
                };
                let app_id = store::applications::insert(write.tx, &app)?;
                let signup = PlanChange {
                    from_plan_id: None,
                    to_plan_id: plan,
                    changed_at: jan,
                };
                store::applications::insert_plan_change(write.tx, app_id, &signup)?;
                store::billing_run::set_fixed_fee_billed(write.tx, app_id, month_end, true)?;
                store::billing_run::set_usage_billed_until(write.tx, app_id, jan)?;
                let line = store::invoices::NewLineItem {
                    invoice_id: invoice,
                    name: "Fixed fee ('Pro')".into(),
                    description: "January 1, 2025 (0:00) - January 31, 2025 (23:59)".into(),
                    quantity: Decimal::ONE,
                    cost: Decimal::from(31),
                    line_type: LineItemType::PlanCost,
                    application_id: Some(app_id),
                    plan_id: Some(plan),
                    metric_id: None,
                };
                store::invoices::insert_line_item(write.tx, &line, jan + Duration::hours(8))?;
                for day in 0..31 {
                    for (m, metric) in metrics.iter().enumerate() {
                        let usage = UsageRecord {
                            id: Id(0),
                            application_id: app_id,
                            metric_id: *metric,
                            timestamp: jan + Duration::days(day) + Duration::hours(12),
                            value: ((n * 7 + day as usize * 13 + m * 29) % 97) as i64,
                        };
                        store::applications::insert_usage(write.tx, &usage)?;
                    }
                }
            }
        }
        let job = store::billing_run::JobRow {
            date: NaiveDate::from_ymd_opt(2025, 1, 31).unwrap_or_default(),
            started_at: instant(2025, 1, 31) + Duration::hours(8),
            finished_at: instant(2025, 1, 31) + Duration::hours(8),
            invoices_created: 0,
            invoices_touched: 0,
            lines_added: 0,
            invoices_finalized: 0,
            invoices_issued: 0,
            invoices_paid: 0,
        };
        store::billing_run::insert_job(write.tx, &job)?;
        store::billing_run::mark_charged(write.tx, job.date)?;
        write.audit("bench_seed", None, None::<&()>, Some(&accounts))
    })
}

/// `invoices` invoices over 12 months (2024), of 1 000 buyers, each with two lines: for list
/// and earnings queries on a large book. As in a book the billing run keeps, only the last
/// month has invoices not issued yet (open, finalized); earlier months' are issued (pending,
/// paid, unpaid, failed) or cancelled.
pub fn seed_invoice_book(book: &mut Book, invoices: usize) -> Result<()> {
    let actor = Actor::new("bench");
    book.write(&actor, "bench_seed", |write| {
        let at = instant(2024, 1, 1);
        let buyers = 1000;
        let mut account_ids = Vec::with_capacity(buyers);
        for n in 0..buyers {
            let account = AccountFields {
                org_name: format!("Buyer {n:04}"),
                legal_address: Address::default(),
                billing_address: None,
                vat_code: String::new(),
                fiscal_code: String::new(),
                po_number: String::new(),
                vat_rate: (n % 3 != 0).then(|| Decimal::from(20)),
                monthly_billing_enabled: true,
                monthly_charging_enabled: true,
                card: None,
            };
            account_ids.push(store::accounts::save(write.tx, None, &account, at)?);
        }
        let party = Party {
            name: "Buyer".into(),
            address: Address::default(),
            fiscal_code: String::new(),
            vat_code: String::new(),
            po_number: String::new(),
        };
        let settled = [
            InvoiceState::Pending,
            InvoiceState::Paid,
            InvoiceState::Unpaid,
            InvoiceState::Failed,
            InvoiceState::Cancelled,
        ];
        let current = [InvoiceState::Open, InvoiceState::Finalized];
        for n in 0..invoices {
            let period = format!("2024-{:02}", n % 12 + 1);
            let number = store::invoices::next_number(write.tx, &period)?;
            let id = store::invoices::insert(
                write.tx,
                account_ids[n % buyers],
                &format!("{period}-{number:08}"),
                &period,
                CreationType::Background,
                at,
            )?;
            for (name, cost) in [("Fixed fee ('Pro')", 49), ("Hits", (n % 500) as i64)] {
                let line = store::invoices::NewLineItem {
                    invoice_id: id,
                    name: name.into(),
                    description: String::new(),
                    quantity: Decimal::ONE,
                    cost: Decimal::from(cost),
                    line_type: LineItemType::PlanCost,
                    application_id: None,
                    plan_id: None,
                    metric_id: None,
                };
                store::invoices::insert_line_item(write.tx, &line, at)?;
            }
            let state = if n % 12 == 11 {
                current[n / 12 % current.len()]
            } else {
                settled[n / 12 % settled.len()]
            };
            // Issued states carry what issuing freezes, as the engine's own transitions do.
            let issued = !matches!(
                state,
                InvoiceState::Open | InvoiceState::Finalized | InvoiceState::Cancelled
            );
            let vat_rate = (n % buyers % 3 != 0).then(|| Decimal::from(20));
            if state != InvoiceState::Open {
                let issue = issued.then_some(store::invoices::Issue {
                    issued_on: "2024-01-03",
                    due_on: "2024-01-05",
                    currency: "EUR",
                    vat_rate,
                    issued_to: &party,
                    issued_by: &party,
                });
                let change = store::invoices::StateChange {
                    state,
                    at,
                    issue: issue.as_ref(),
                };
                store::invoices::change_state(write.tx, id, &change)?;
            }
        }
        write.audit("bench_seed", None, None::<&()>, Some(&invoices))
    })
}

/// The process's peak memory (VmHWM) in MB, as the benchmarks print it (Linux).
pub fn peak_memory_mb() -> u64 {
    let status =
        crate::files::read_to_string(std::path::Path::new("/proc/self/status")).unwrap_or_default();
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    kib / 1024
}

/// Starts the peak (VmHWM) over from the current size, so that a case's figure is what its
/// measured part needs, not what seeding its book needed (Linux: "5" to clear_refs).
pub fn reset_peak_memory() -> std::io::Result<()> {
    crate::files::write(std::path::Path::new("/proc/self/clear_refs"), "5")
}
