#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
//! What a book does as a 3scale tenant does (issue 19 §5, §7, §8): payment terms, when an
//! invoice last changed, deleting a buyer or a service that has a past, buyers' users, and
//! every bad field of an input answered at once.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{
    account_fields, by_id, day, line, new_invoice, pricing_rule, subscription, transition, Fixture,
};
use counterfoil_engine::model::*;
use counterfoil_engine::{op, run_billing_until, Actor, ErrorCode};
use serde_json::json;

fn at(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0)
        .unwrap()
}

/// Moves the clock to `instant` and runs every billing job due by then.
fn bill_at(f: &mut Fixture, instant: DateTime<Utc>) {
    f.clock.set(instant);
    run_billing_until(&mut f.book, &Actor::new("test"), instant).unwrap();
}

fn hits_of(f: &mut Fixture, service: &Service) -> Metric {
    f.hits(service)
}

/// A manual invoice of `account` with one line, issued now.
fn issued_invoice(f: &mut Fixture, account: &Account) -> Invoice {
    let id = f.invoice_of(account, "2025-01", "10", &[InvoiceState::Pending]);
    f.ok(op::get_invoice, by_id(id)).invoice
}

// --- payment terms (§7) ----------------------------------------------------------------------

#[test]
fn the_due_date_is_the_issue_date_plus_the_payment_terms_in_force() {
    let mut f = Fixture::at(at(2025, 1, 15, 9, 30));
    let buyer = f.account("Buyer");
    assert_eq!(
        f.ok(op::get_settings, NoInput {}).net_terms,
        2,
        "3scale's two days unless changed"
    );
    let two = issued_invoice(&mut f, &buyer);
    assert_eq!(
        (two.issued_on, two.due_on),
        (Some(day("2025-01-15")), Some(day("2025-01-17")))
    );

    let saved = f.change_settings(|s| s.net_terms = 30);
    assert_eq!(saved.net_terms, 30);
    let thirty = issued_invoice(&mut f, &buyer);
    assert_eq!(thirty.due_on, Some(day("2025-02-14")));
    let zero = {
        f.change_settings(|s| s.net_terms = 0);
        issued_invoice(&mut f, &buyer)
    };
    assert_eq!(zero.due_on, zero.issued_on, "due on the day of issue");
    assert_eq!(
        f.ok(op::get_invoice, by_id(thirty.id)).invoice.due_on,
        Some(day("2025-02-14")),
        "an issued invoice keeps the due date it was issued with"
    );

    let mut too_long = f.ok(op::get_settings, NoInput {});
    too_long.net_terms = 366;
    f.refused(
        op::update_settings,
        too_long,
        ErrorCode::Validation,
        Some("net_terms"),
    );
}

#[test]
fn the_billing_run_and_the_dashboard_follow_the_payment_terms() {
    let mut f = Fixture::at(at(2025, 2, 1, 0, 0));
    let service = f.service("API");
    let pro = f.priced_plan(&service, "Pro", "0", "200", 0);
    let buyer = f.account("Buyer");
    f.clock.set(at(2025, 2, 5, 13, 0));
    f.ok(op::subscribe, subscription(&buyer, &pro, "App"));
    f.change_settings(|s| s.net_terms = 14);

    bill_at(&mut f, at(2025, 3, 1, 9, 0));
    let review = f
        .ok(op::dashboard, NoInput {})
        .to_review_items
        .into_iter()
        .find(|item| item.period == "2025-02")
        .unwrap();
    assert_eq!(
        (review.issues_on, review.due_on),
        (Some(day("2025-03-03")), Some(day("2025-03-17"))),
        "the dashboard says when it will be due"
    );

    bill_at(&mut f, at(2025, 3, 3, 9, 0));
    let issued = f
        .all_invoices()
        .into_iter()
        .find(|i| i.invoice.period == "2025-02")
        .unwrap()
        .invoice;
    assert_eq!(issued.issued_on, Some(day("2025-03-03")));
    assert_eq!(issued.due_on, Some(day("2025-03-17")));

    bill_at(&mut f, at(2025, 3, 17, 9, 0));
    assert_eq!(
        f.ok(op::dashboard, NoInput {}).past_due.count,
        0,
        "due today is not past due"
    );
    bill_at(&mut f, at(2025, 3, 18, 9, 0));
    let dashboard = f.ok(op::dashboard, NoInput {});
    assert_eq!(dashboard.past_due.count, 1);
    assert_eq!(dashboard.past_due.total.to_string(), "171.43");
}

// --- updated_at (§5) -------------------------------------------------------------------------

#[test]
fn an_invoice_keeps_when_it_last_changed() {
    let start = at(2025, 1, 15, 9, 30);
    let mut f = Fixture::at(start);
    let buyer = f.account("Buyer");
    let created = f.ok(op::create_invoice, new_invoice(&buyer, None)).invoice;
    assert_eq!(created.updated_at, start);

    let later = start + Duration::hours(2);
    f.clock.set(later);
    let with_line = f.ok(op::add_line_item, line(created.id, "Setup", "10"));
    assert_eq!(with_line.invoice.updated_at, later, "a line changes it");

    f.clock.set(later + Duration::hours(1));
    let read = f.ok(op::get_invoice, by_id(created.id)).invoice;
    assert_eq!(read.updated_at, later, "reading does not");
    let listed = f.ok(op::list_invoices, common::invoice_list()).items;
    assert_eq!(listed[0].updated_at, later);

    let issue_at = later + Duration::days(1);
    f.clock.set(issue_at);
    let issued = f.ok(
        op::transition_invoice,
        transition(created.id, InvoiceState::Pending),
    );
    assert_eq!(issued.invoice.updated_at, issue_at, "issuing changes it");

    let paid_at = issue_at + Duration::days(1);
    f.clock.set(paid_at);
    let paid = f.ok(
        op::mark_invoice_paid,
        MarkInvoicePaid {
            id: created.id,
            reference: "wire 42".into(),
        },
    );
    assert_eq!(paid.invoice.updated_at, paid_at);
}

// --- deleting a buyer (§8) -------------------------------------------------------------------

#[test]
fn a_buyer_with_a_past_is_scheduled_for_deletion_and_billed_to_that_day() {
    let mut f = Fixture::at(at(2025, 3, 1, 0, 0));
    let service = f.service("API");
    let hits = hits_of(&mut f, &service);
    let pro = f.priced_plan(&service, "Pro", "0", "31", 0);
    f.ok(
        op::create_pricing_rule,
        pricing_rule(&pro, &hits, 1, None, "0.10"),
    );
    let acme = f.ok(
        op::sign_up,
        SignUp {
            email: Some("ann@acme.test".into()),
            ..sign_up("Acme", "ann")
        },
    );
    let app = f.ok(op::subscribe, subscription(&acme, &pro, "App"));
    bill_at(&mut f, at(2025, 3, 5, 9, 0));
    f.ok(
        op::record_usage,
        common::usage(&app, &hits, Some(at(2025, 3, 5, 9, 0)), 100),
    );

    let deleted_at = at(2025, 3, 10, 12, 0);
    f.clock.set(deleted_at);
    let deleted = f.ok(op::delete_account, by_id(acme.id));
    assert_eq!(deleted.deleted_at, Some(deleted_at));

    // It has left the lists and the look-ups; it is still in the book for its invoices.
    let listed = f.ok(op::list_accounts, common::account_list());
    assert!(listed.items.iter().all(|a| a.id != acme.id));
    let searched = f.ok(
        op::list_accounts,
        ListAccounts {
            search: Some("acme".into()),
            ..common::account_list()
        },
    );
    assert_eq!(searched.total, 0);
    f.refused(
        op::find_account,
        FindAccount {
            username: Some("ann".into()),
            ..FindAccount::default()
        },
        ErrorCode::NotFound,
        None,
    );
    assert_eq!(
        f.ok(op::get_account, by_id(acme.id)).deleted_at,
        Some(deleted_at)
    );
    // Its live application ended then.
    let ended = f.ok(op::get_application, by_id(app.id)).application;
    assert_eq!(ended.state, ApplicationState::Cancelled);
    assert_eq!(ended.cancelled_at, Some(deleted_at));
    // It can no longer change, subscribe or be invoiced by hand.
    f.refused(
        op::update_account,
        UpdateAccount {
            vat_code: Some("X".into()),
            ..UpdateAccount::of(acme.id)
        },
        ErrorCode::InvalidState,
        None,
    );
    f.refused(
        op::subscribe,
        subscription(&acme, &pro, "Again"),
        ErrorCode::Validation,
        Some("account_id"),
    );
    f.refused(
        op::create_invoice,
        new_invoice(&acme, None),
        ErrorCode::Validation,
        Some("account_id"),
    );
    f.refused(
        op::delete_account,
        by_id(acme.id),
        ErrorCode::NotFound,
        None,
    );
    // Its username is free again.
    let again = f.ok(op::sign_up, sign_up("Acme again", "ann"));
    assert_eq!(again.admin_username.as_deref(), Some("ann"));

    // The run bills the usage up to the deletion and issues the invoice with the buyer's data.
    bill_at(&mut f, at(2025, 4, 3, 9, 0));
    let invoices: Vec<InvoiceDetail> = f
        .all_invoices()
        .into_iter()
        .filter(|i| i.invoice.account_id == acme.id)
        .collect();
    assert_eq!(invoices.len(), 1, "nothing after the deletion");
    let march = &invoices[0];
    let lines: Vec<(String, String)> = march
        .line_items
        .iter()
        .map(|l| (l.name.clone(), l.cost.to_string()))
        .collect();
    assert_eq!(
        lines,
        [
            ("Fixed fee ('Pro')".to_owned(), "31.00".to_owned()),
            ("Hits".to_owned(), "10.00".to_owned())
        ]
    );
    assert_eq!(march.invoice.state, InvoiceState::Pending);
    assert_eq!(march.issued_to.name, "Acme");
    assert_eq!(march.invoice.account_name, "Acme");
}

#[test]
fn a_buyer_without_a_past_is_removed() {
    let mut f = Fixture::new();
    let plain = f.ok(op::sign_up, sign_up("Plain", "plain"));
    let removed = f.ok(op::delete_account, by_id(plain.id));
    assert_eq!(removed.deleted_at, None);
    f.refused(op::get_account, by_id(plain.id), ErrorCode::NotFound, None);
}

fn sign_up(org_name: &str, username: &str) -> SignUp {
    SignUp {
        org_name: org_name.into(),
        username: username.into(),
        email: None,
        legal_address: Address::default(),
        vat_code: String::new(),
        fiscal_code: String::new(),
        po_number: String::new(),
        vat_rate: None,
        monthly_billing_enabled: true,
        monthly_charging_enabled: true,
    }
}

// --- deleting a service (§8) -----------------------------------------------------------------

#[test]
fn a_service_with_applications_ends_them_hides_its_plans_and_leaves_the_lists() {
    let mut f = Fixture::at(at(2025, 3, 1, 0, 0));
    let api = f.service("API");
    let api_plan = f.priced_plan(&api, "Basic", "0", "0", 0);
    let search = f.service("Search");
    let searches = hits_of(&mut f, &search);
    f.ok(
        op::update_metric,
        UpdateMetric {
            friendly_name: Some("Searches".into()),
            ..UpdateMetric::of(searches.id)
        },
    );
    let plan = f.priced_plan(&search, "Search Pro", "0", "31", 0);
    f.ok(
        op::create_pricing_rule,
        pricing_rule(&plan, &searches, 1, None, "0.10"),
    );
    let buyer = f.account("Buyer");
    f.ok(op::subscribe, subscription(&buyer, &api_plan, "Main"));
    let app = f.ok(op::subscribe, subscription(&buyer, &plan, "Searcher"));
    bill_at(&mut f, at(2025, 3, 5, 9, 0));
    f.ok(
        op::record_usage,
        common::usage(&app, &searches, Some(at(2025, 3, 5, 9, 0)), 50),
    );

    let deleted_at = at(2025, 3, 10, 12, 0);
    f.clock.set(deleted_at);
    f.ok(op::delete_service, by_id(search.id));

    let ended = f.ok(op::get_application, by_id(app.id)).application;
    assert_eq!(ended.state, ApplicationState::Cancelled);
    assert_eq!(ended.cancelled_at, Some(deleted_at));
    let services: Vec<String> = f
        .ok(op::list_services, Paging::default())
        .items
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(services, ["API"]);
    f.refused(op::get_service, by_id(search.id), ErrorCode::NotFound, None);
    let plans: Vec<String> = f
        .ok(op::list_plans, common::plan_list())
        .items
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(plans, ["Basic"], "its plans left the lists with it");
    let kept = f.ok(op::get_plan, by_id(plan.id));
    assert_eq!(kept.state, PlanState::Hidden);
    f.refused(
        op::subscribe,
        subscription(&buyer, &plan, "Again"),
        ErrorCode::Validation,
        Some("plan_id"),
    );
    f.refused(
        op::update_plan,
        UpdatePlan {
            state: Some(PlanState::Published),
            ..UpdatePlan::of(plan.id)
        },
        ErrorCode::InvalidState,
        None,
    );
    // Its system name is free for a new service.
    let again = f.ok(op::create_service, CreateService::named("Search"));
    assert_eq!(again.system_name, "search");

    // The usage up to the deletion is still billed.
    bill_at(&mut f, at(2025, 4, 2, 9, 0));
    let march = f
        .all_invoices()
        .into_iter()
        .find(|i| i.invoice.period == "2025-03")
        .unwrap();
    let searched: Vec<String> = march
        .line_items
        .iter()
        .filter(|l| l.name == "Searches")
        .map(|l| l.cost.to_string())
        .collect();
    assert_eq!(searched, ["5.00"]);
}

#[test]
fn a_service_keeps_its_backend_version() {
    let mut f = Fixture::new();
    let service = f.ok(
        op::create_service,
        CreateService {
            backend_version: BackendVersion::Oidc,
            ..CreateService::named("OIDC API")
        },
    );
    assert_eq!(service.backend_version, BackendVersion::Oidc);
    let changed = f.ok(
        op::update_service,
        UpdateService {
            backend_version: Some(BackendVersion::AppIdAndKey),
            ..UpdateService::of(service.id)
        },
    );
    assert_eq!(changed.backend_version, BackendVersion::AppIdAndKey);
    assert_eq!(
        f.ok(op::get_service, by_id(service.id)).backend_version,
        BackendVersion::AppIdAndKey
    );
    f.refused_json(
        "create_service",
        json!({"name": "X", "backend_version": "3"}),
        ErrorCode::Validation,
        Some("backend_version"),
    );
}

// --- buyers' users (§8) ----------------------------------------------------------------------

#[test]
fn a_buyer_has_users_beside_its_admin() {
    let mut f = Fixture::new();
    let acme = f.ok(op::sign_up, sign_up("Acme", "ann"));
    let bob = f.ok(
        op::create_account_user,
        CreateAccountUser {
            account_id: acme.id,
            username: "bob".into(),
            email: Some("bob@acme.test".into()),
        },
    );
    assert_eq!(bob.role, AccountUserRole::Member);
    let users: Vec<(String, AccountUserRole)> = f
        .ok(op::list_account_users, by_id(acme.id))
        .into_iter()
        .map(|u| (u.username, u.role))
        .collect();
    assert_eq!(
        users,
        [
            ("ann".to_owned(), AccountUserRole::Admin),
            ("bob".to_owned(), AccountUserRole::Member)
        ]
    );
    for (username, field) in [("ANN", "username"), ("bo", "username")] {
        f.refused(
            op::create_account_user,
            CreateAccountUser {
                account_id: acme.id,
                username: username.into(),
                email: None,
            },
            ErrorCode::Validation,
            Some(field),
        );
    }
    let by_name = FindAccount {
        username: Some("BOB".into()),
        ..FindAccount::default()
    };
    assert_eq!(f.ok(op::find_account, by_name).id, acme.id);
    let by_id_of_user = FindAccount {
        user_id: Some(bob.id),
        ..FindAccount::default()
    };
    assert_eq!(f.ok(op::find_account, by_id_of_user).id, acme.id);
    let by_email = FindAccount {
        email: Some("bob@acme.test".into()),
        ..FindAccount::default()
    };
    assert_eq!(f.ok(op::find_account, by_email).id, acme.id);
}

// --- every bad field at once (§8) ------------------------------------------------------------

#[test]
fn every_bad_field_of_an_input_is_answered_at_once() {
    let mut f = Fixture::new();
    // Checked by the operation.
    let mut fields = account_fields("  ");
    fields.vat_rate = Some(common::amount("200"));
    fields.legal_address.country = "It\u{7}aly".into();
    let error = f.refused(
        op::create_account,
        fields,
        ErrorCode::Validation,
        Some("org_name"),
    );
    let named: Vec<&str> = error.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(named, ["org_name", "legal_address.country", "vat_rate"]);
    assert!(
        error.message.contains("can't be blank"),
        "{}",
        error.message
    );
    assert!(error.message.contains("100 percent"), "{}", error.message);

    // Refused by reading the JSON.
    let error = f.refused_json(
        "create_account",
        json!({"org_name": "Acme", "vat_rate": "abc", "monthly_billing_enabled": "maybe",
               "card": {"last4": 1234}}),
        ErrorCode::Validation,
        Some("vat_rate"),
    );
    let mut named: Vec<&str> = error.errors.iter().map(|e| e.field.as_str()).collect();
    named.sort_unstable();
    assert_eq!(
        named,
        [
            "card.expiry_month",
            "card.expiry_year",
            "card.gateway_reference",
            "card.last4",
            "monthly_billing_enabled",
            "vat_rate",
        ]
    );

    // One bad field keeps the single shape.
    let error = f.refused_json(
        "create_account",
        json!({"org_name": "Acme", "vat_rate": "abc"}),
        ErrorCode::Validation,
        Some("vat_rate"),
    );
    assert!(error.errors.is_empty());
    let json = serde_json::to_value(&error).unwrap();
    assert_eq!(json.as_object().unwrap().len(), 3, "{json}");
}

// --- the Billing API's list (§5) --------------------------------------------------------------

#[test]
fn a_page_with_lines_says_what_each_invoice_read_whole_says() {
    let mut f = Fixture::new();
    let acme = f.account("Acme");
    let beta = f.account("Beta");
    let issued = f.invoice_of(&acme, "2025-01", "10", &[InvoiceState::Pending]);
    let open = f.invoice_of(&acme, "2025-02", "20", &[]);
    f.ok(op::add_line_item, line(open, "Second", "5"));
    let empty = f
        .ok(op::create_invoice, new_invoice(&beta, None))
        .invoice
        .id;
    // The buyer changes after the first invoice was issued: it keeps the name it froze.
    f.ok(
        op::update_account,
        UpdateAccount {
            org_name: Some("Acme Renamed".into()),
            ..UpdateAccount::of(acme.id)
        },
    );
    let page = f.ok(
        op::list_invoices_with_lines,
        ListInvoices {
            oldest_first: true,
            ..common::invoice_list()
        },
    );
    assert_eq!(page.total, 3);
    let ids: Vec<Id> = page.items.iter().map(|item| item.invoice.id).collect();
    assert_eq!(ids, [issued, open, empty]);
    for item in &page.items {
        let whole = InvoiceWithLines::from(f.ok(op::get_invoice, by_id(item.invoice.id)));
        assert_eq!(item, &whole, "invoice {}", item.invoice.id);
    }
    assert_eq!(page.items[0].issued_to.name, "Acme");
    assert_eq!(page.items[1].issued_to.name, "Acme Renamed");
    assert_eq!(page.items[1].line_items.len(), 2);
    assert!(page.items[2].line_items.is_empty());
}
