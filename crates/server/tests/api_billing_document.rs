//! The Billing API's invoices as 3scale documents them (issue 19 §5): every field of seed 000's
//! `Invoice`, `InvoiceLineItem` and `PaymentTransaction` schemas with its JSON type, next to
//! what porta sends; the line items of the billing run with `metric_id` and `contract_id`
//! (seed 001); the `provider` and `buyer` blocks; the PDF download; a true `updated_at`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use common::{buyer, Api};
use reqwest::Method;
use serde_json::{json, Value};

/// JSON types as seed 000 names them (`type: integer` and so on).
#[derive(Debug, Clone, Copy)]
enum Type {
    Integer,
    Number,
    Text,
    Boolean,
    Object,
    Array,
}

fn has_type(value: &Value, expected: Type) -> bool {
    match expected {
        Type::Integer => value.is_i64(),
        Type::Number => value.is_number(),
        Type::Text => value.is_string(),
        Type::Boolean => value.is_boolean(),
        Type::Object => value.is_object(),
        Type::Array => value.is_array(),
    }
}

// Copied from seed 000 (../shared/seeds/000_*.txt), `components.schemas`: each schema's
// properties with their `type`.

/// seed 000 `Invoice` (`account`'s own properties are [`INVOICE_ACCOUNT`]).
const INVOICE: [(&str, Type); 11] = [
    ("id", Type::Integer),
    ("state", Type::Text),
    ("friendly_id", Type::Text),
    ("month", Type::Text),
    ("due_on", Type::Text),
    ("created_at", Type::Text),
    ("updated_at", Type::Text),
    ("cost", Type::Number),
    ("currency", Type::Text),
    ("account", Type::Object),
    ("line_items", Type::Array),
];

/// seed 000 `Invoice.account`.
const INVOICE_ACCOUNT: [(&str, Type); 2] = [("id", Type::Integer), ("org_name", Type::Text)];

/// seed 000 `InvoiceLineItem`.
const LINE_ITEM: [(&str, Type); 5] = [
    ("id", Type::Integer),
    ("name", Type::Text),
    ("cost", Type::Number),
    ("quantity", Type::Number),
    ("type", Type::Text),
];

/// seed 000 `PaymentTransaction`.
const PAYMENT_TRANSACTION: [(&str, Type); 8] = [
    ("id", Type::Integer),
    ("invoice_id", Type::Integer),
    ("amount", Type::Number),
    ("currency", Type::Text),
    ("success", Type::Boolean),
    ("created_at", Type::Text),
    ("reference", Type::Text),
    ("message", Type::Text),
];

fn assert_fields(what: &str, entity: &Value, fields: &[(&str, Type)]) {
    for (name, expected) in fields {
        let value = entity
            .get(name)
            .unwrap_or_else(|| panic!("{what}: no `{name}` in {entity}"));
        assert!(
            has_type(value, *expected),
            "{what}: `{name}` is {value}, not {expected:?}"
        );
    }
}

fn id_of(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

/// A buyer on the new book's own "API" service, billed by the run for January: a fixed fee and
/// its hits; the invoice issued on 3 February and charged once through the test gateway (declined: no card).
async fn billed_january(api: &Api) -> (i64, Value) {
    let services = api.rpc("list_services", json!({})).await;
    let service = &services["items"][0];
    assert_eq!(
        service["name"], "API",
        "a new book starts with its own service"
    );
    let metrics = api
        .rpc("list_metrics", json!({"service_id": id_of(service)}))
        .await;
    let hits = id_of(&metrics[0]);
    let plan = api
        .rpc(
            "create_plan",
            json!({"service_id": id_of(service), "name": "Pro", "setup_fee": "0",
                   "cost_per_month": "31", "trial_period_days": 0, "state": "published"}),
        )
        .await;
    api.rpc(
        "create_pricing_rule",
        json!({"plan_id": id_of(&plan), "metric_id": hits, "min": 1, "cost_per_unit": "0.01"}),
    )
    .await;
    let acme = buyer(api, "Acme", Some("21")).await;
    let app = api
        .rpc(
            "subscribe",
            json!({"account_id": acme.to_string(), "plan_id": id_of(&plan), "name": "App"}),
        )
        .await;
    api.rpc(
        "record_usage",
        json!({"application_id": id_of(&app), "metric_id": hits, "value": 1500}),
    )
    .await;
    api.rpc("advance_clock", json!({"to": "2025-02-03T12:00:00Z"}))
        .await;
    let list = api
        .get(&format!("/api/accounts/{acme}/invoices.json"))
        .await;
    let january = list.body["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| &item["invoice"])
        .find(|invoice| invoice["period"] == "2025-01")
        .unwrap()
        .clone();
    assert_eq!(january["state"], "pending", "{january}");
    let id = january["id"].as_i64().unwrap();
    let declined = api
        .post(&format!("/api/invoices/{id}/charge.json"), json!({}))
        .await;
    assert_eq!(declined.status, 422, "no card: {:?}", declined.body);
    (id, app)
}

#[tokio::test]
async fn every_field_of_seed_000_is_there_with_its_json_type() {
    let api = Api::start_with_test_gateway().await;
    let (id, app) = billed_january(&api).await;

    let read = api.get(&format!("/api/invoices/{id}.json")).await;
    assert_eq!(read.status, 200);
    let invoice = &read.body["invoice"];
    assert_fields("Invoice", invoice, &INVOICE);
    assert_fields("Invoice.account", &invoice["account"], &INVOICE_ACCOUNT);
    assert_eq!(invoice["month"], "2025-01");
    assert_eq!(
        invoice["month"], invoice["period"],
        "next to porta's own fields"
    );
    assert_eq!(invoice["account"]["org_name"], "Acme");
    assert_eq!(invoice["currency"], "EUR");
    // 17 days of 31.00 (15–31 January) and 1 500 hits at 0.01, with 21 % VAT.
    assert_eq!(invoice["cost_without_vat"], 32.0);
    assert_eq!(invoice["cost"], 38.72);
    assert_eq!(invoice["due_on"], "2025-02-05");

    let lines = invoice["line_items"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    for line in lines {
        assert_fields("InvoiceLineItem", line, &LINE_ITEM);
    }
    let app_id: i64 = id_of(&app).parse().unwrap();
    let fixed = &lines[0];
    assert_eq!(fixed["type"], "LineItem::PlanCost");
    assert_eq!(
        fixed["contract_id"], app_id,
        "seed 001: the application billed"
    );
    assert_eq!(fixed["contract_type"], "Cinstance");
    assert!(fixed["plan_id"].is_i64());
    assert!(
        fixed.get("metric_id").is_none(),
        "a fixed fee bills no metric"
    );
    let variable = &lines[1];
    assert_eq!(variable["type"], "LineItem::VariableCost");
    assert_eq!(variable["quantity"], 1500);
    assert_eq!(variable["cost"], 15.0);
    assert!(
        variable["metric_id"].is_i64(),
        "seed 001: the metric billed"
    );
    assert_eq!(variable["contract_id"], app_id);
    // The embedded lines are the line items the line list gives.
    let listed = api
        .get(&format!("/api/invoices/{id}/line_items.json"))
        .await;
    let listed: Vec<&Value> = listed.body["line_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| &item["line_item"])
        .collect();
    assert_eq!(listed, lines.iter().collect::<Vec<_>>());

    // Seed 001: who issues the invoice, and who it is for, as its PDF says.
    assert_eq!(invoice["creation_type"], "background");
    let provider = &invoice["provider"];
    assert_eq!(provider["org_name"], "My API Company");
    assert!(provider.get("id").is_none(), "the provider has no account");
    let buyer = &invoice["buyer"];
    assert_eq!(buyer["id"], invoice["account_id"]);
    assert_eq!(buyer["org_name"], "Acme");
    assert_eq!(buyer["address"], "1 Main St");
    assert_eq!(buyer["city"], "Lisbon");
    assert_eq!(buyer["country"], "Portugal");

    let transactions = api
        .get(&format!("/api/invoices/{id}/payment_transactions.json"))
        .await;
    let transaction = &transactions.body["payment_transactions"][0]["payment_transaction"];
    assert_fields("PaymentTransaction", transaction, &PAYMENT_TRANSACTION);
    assert_eq!(transaction["invoice_id"], id);
    assert_eq!(transaction["success"], false);

    // Lists give the same invoice, key for key.
    let list = api.get("/api/invoices.json?month=2025-01").await;
    assert_eq!(&list.body["invoices"][0]["invoice"], invoice);
}

#[tokio::test]
async fn updated_at_is_when_the_invoice_last_changed() {
    let api = Api::start().await;
    let acme = buyer(&api, "Acme", None).await;
    let created = api
        .post("/api/invoices.json", json!({"account_id": acme}))
        .await;
    let invoice = &created.body["invoice"];
    let id = invoice["id"].as_i64().unwrap();
    assert_eq!(invoice["updated_at"], "2025-01-15T10:00:00Z");
    assert_eq!(invoice["updated_at"], invoice["created_at"]);

    api.rpc("advance_clock", json!({"to": "2025-01-15T11:30:00Z"}))
        .await;
    let read = api.get(&format!("/api/invoices/{id}.json")).await;
    assert_eq!(
        read.body["invoice"]["updated_at"], "2025-01-15T10:00:00Z",
        "time passing changes nothing"
    );
    api.post(
        &format!("/api/invoices/{id}/line_items.json"),
        json!({"name": "Setup", "cost": "10"}),
    )
    .await;
    let read = api.get(&format!("/api/invoices/{id}.json")).await;
    assert_eq!(read.body["invoice"]["updated_at"], "2025-01-15T11:30:00Z");
    assert_eq!(
        read.body["invoice"]["line_items"][0]["created_at"],
        "2025-01-15T11:30:00Z"
    );

    api.rpc("advance_clock", json!({"to": "2025-01-16T09:00:00Z"}))
        .await;
    let issued = api
        .put(
            &format!("/api/invoices/{id}/state.json"),
            json!({"state": "pending"}),
        )
        .await;
    assert_eq!(issued.body["invoice"]["updated_at"], "2025-01-16T09:00:00Z");
}

#[tokio::test]
async fn an_invoice_pdf_downloads_over_the_billing_api() {
    let api = Api::start().await;
    let acme = buyer(&api, "Acme", None).await;
    let created = api
        .post("/api/invoices.json", json!({"account_id": acme}))
        .await;
    let id = created.body["invoice"]["id"].as_i64().unwrap();
    let links = created.body["invoice"]["links"].as_array().unwrap();
    let pdf_link = links.iter().find(|link| link["rel"] == "pdf").unwrap();
    assert_eq!(pdf_link["href"], format!("/api/invoices/{id}/pdf"));
    api.post(
        &format!("/api/invoices/{id}/line_items.json"),
        json!({"name": "Setup", "cost": "10"}),
    )
    .await;

    let download = |token: String| {
        let url = format!("{}/api/invoices/{id}/pdf?access_token={token}", api.base);
        let client = api.client.clone();
        async move { client.get(url).send().await.unwrap() }
    };
    // Not issued, no PDF yet: a read-only token may not make one.
    let refused = common::answer(download(api.ro.clone()).await).await;
    assert_eq!(refused.status, 403);
    assert!(refused.body["error"]
        .as_str()
        .unwrap()
        .contains("read-only"));

    let made = download(api.finance.clone()).await;
    assert_eq!(made.status(), 200);
    assert_eq!(made.headers()["content-type"], "application/pdf");
    assert_eq!(
        made.headers()["content-disposition"],
        "attachment; filename=\"invoice-2025-01-00000001.pdf\""
    );
    let bytes = made.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "a PDF file");
    // Once made it is kept: the read-only token gets the same file.
    let again = download(api.ro.clone()).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.bytes().await.unwrap(), bytes);

    let missing = api
        .call(Method::GET, "/api/invoices/999/pdf", Some(&api.rw), None)
        .await;
    assert_eq!(missing.status, 404);
    let anonymous = api
        .call(Method::GET, &format!("/api/invoices/{id}/pdf"), None, None)
        .await;
    assert_eq!(anonymous.status, 403);
}
