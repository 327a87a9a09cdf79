//! The Billing API (threescale-api.md §8–§10) over a real socket: envelopes, JSON types,
//! pagination, state rules, charging, line items, auth refusals.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use common::{buyer, Api};
use reqwest::Method;
use serde_json::{json, Value};

async fn invoice_for(api: &Api, account: i64) -> Value {
    let created = api
        .post("/api/invoices.json", json!({"account_id": account}))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    created.body["invoice"].clone()
}

#[tokio::test]
async fn create_read_and_list_invoices_in_3scale_envelopes() {
    let api = Api::start().await;
    let acme = buyer(&api, "Acme", Some("21")).await;

    let created = api
        .post("/api/invoices.json", json!({"account_id": acme}))
        .await;
    assert_eq!(created.status, 201);
    assert!(created.content_type.starts_with("application/json"));
    let invoice = &created.body["invoice"];
    let id = invoice["id"].as_i64().expect("ids are JSON integers");
    assert_eq!(
        created.location.as_deref(),
        Some(&*format!("/api/invoices/{id}.json"))
    );
    assert_eq!(invoice["state"], "open");
    assert_eq!(invoice["creation_type"], "manual");
    assert_eq!(invoice["period"], "2025-01");
    assert_eq!(invoice["friendly_id"], "2025-01-00000001");
    assert_eq!(invoice["currency"], "EUR");
    assert!(invoice["cost"].is_number() && invoice["vat_amount"].is_number());
    assert_eq!(invoice["vat_rate"], 21.0);
    assert!(
        invoice.get("issued_on").is_none(),
        "null properties are omitted"
    );
    assert!(invoice["links"].is_array());

    // The create answer equals a later read, key for key.
    let read = api.get(&format!("/api/invoices/{id}.json")).await;
    assert_eq!(read.status, 200);
    assert_eq!(&read.body["invoice"], invoice);
    let by_account = api
        .get(&format!("/api/accounts/{acme}/invoices/{id}.json"))
        .await;
    assert_eq!(&by_account.body["invoice"], invoice);

    let list = api.get("/api/invoices.json").await;
    assert_eq!(list.status, 200);
    let items = list.body["invoices"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(&items[0]["invoice"], invoice, "list items are wrapped");
    assert!(
        list.body.get("metadata").is_none(),
        "no metadata on a single page"
    );

    // A line brings numbers with VAT: 10.00 + 21 % = 12.10.
    let line = api
        .post(
            &format!("/api/invoices/{id}/line_items.json"),
            json!({"name": "Setup", "description": "test_item", "quantity": "1", "cost": 10}),
        )
        .await;
    assert_eq!(line.status, 201, "{:?}", line.body);
    assert_eq!(line.body["line_item"]["cost"], 10.0);
    assert_eq!(line.body["line_item"]["quantity"], 1);
    assert_eq!(line.body["line_item"]["type"], "");
    let listed = api
        .get(&format!("/api/invoices/{id}/line_items.json"))
        .await;
    assert_eq!(
        listed.body["line_items"][0]["line_item"],
        line.body["line_item"]
    );
    let read = api.get(&format!("/api/invoices/{id}.json")).await;
    assert_eq!(read.body["invoice"]["cost_without_vat"], 10.0);
    assert_eq!(read.body["invoice"]["vat_amount"], 2.1);
    assert_eq!(read.body["invoice"]["cost"], 12.1);
}

#[tokio::test]
async fn pagination_ends_with_an_empty_page_and_metadata_only_when_needed() {
    let api = Api::start().await;
    let acme = buyer(&api, "Acme", None).await;
    for _ in 0..5 {
        invoice_for(&api, acme).await;
    }
    let mut seen = Vec::new();
    let mut page = 1;
    loop {
        let answer = api
            .get(&format!("/api/invoices.json?page={page}&per_page=2"))
            .await;
        assert_eq!(answer.status, 200);
        let items = answer.body["invoices"].as_array().unwrap().clone();
        if items.is_empty() {
            break;
        }
        assert_eq!(answer.body["metadata"]["per_page"], 2);
        assert_eq!(answer.body["metadata"]["total_entries"], 5);
        assert_eq!(answer.body["metadata"]["total_pages"], 3);
        assert_eq!(answer.body["metadata"]["current_page"], page);
        seen.extend(
            items
                .iter()
                .map(|item| item["invoice"]["id"].as_i64().unwrap()),
        );
        page += 1;
        assert!(page < 10, "the client loop must end");
    }
    let mut sorted = seen.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(seen, sorted, "ordered by id, no page repeated");
    assert_eq!(seen.len(), 5);

    let past = api.get("/api/invoices.json?page=99").await;
    assert_eq!(past.status, 200);
    assert_eq!(past.body["invoices"], json!([]));
    let odd = api.get("/api/invoices.json?page=-3&per_page=9000").await;
    assert_eq!(odd.status, 200, "bad paging falls back to defaults");
    assert_eq!(odd.body["invoices"].as_array().unwrap().len(), 5);

    let filtered = api
        .get("/api/invoices.json?state=open&month=2025-01&number=2025-01-*3")
        .await;
    assert_eq!(filtered.body["invoices"].as_array().unwrap().len(), 1);
    assert_eq!(
        filtered.body["invoices"][0]["invoice"]["friendly_id"],
        "2025-01-00000003"
    );
    let by_account = api
        .get(&format!("/api/accounts/{acme}/invoices.json?state=paid"))
        .await;
    assert_eq!(by_account.body["invoices"], json!([]));
}

#[tokio::test]
async fn invoices_are_found_by_year_and_by_buyer() {
    let api = Api::start().await;
    let acme = buyer(&api, "Acme Widgets", None).await;
    let beta = buyer(&api, "Beta Tools", None).await;
    for (account, period) in [(acme, "2024-12"), (acme, "2025-01"), (beta, "2025-01")] {
        let created = api
            .post(
                "/api/invoices.json",
                json!({"account_id": account, "period": period}),
            )
            .await;
        assert_eq!(created.status, 201, "{:?}", created.body);
    }
    let count = |body: &Value| body["invoices"].as_array().unwrap().len();
    assert_eq!(
        count(&api.get("/api/invoices.json?year=2025").await.body),
        2
    );
    assert_eq!(
        count(&api.get("/api/invoices.json?year=2024").await.body),
        1
    );
    let widgets = api.get("/api/invoices.json?buyer_query=WIDGET").await;
    assert_eq!(count(&widgets.body), 2, "any case, any part of the name");
    assert!(widgets.body["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .all(|item| item["invoice"]["account_id"] == acme));
    let both = api
        .get("/api/invoices.json?buyer_query=tools&year=2025")
        .await;
    assert_eq!(count(&both.body), 1);
    let bad = api.get("/api/invoices.json?year=last").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body["errors"]["year"].is_array(), "{:?}", bad.body);
}

#[tokio::test]
async fn state_changes_follow_the_rules_and_issued_invoices_keep_their_number() {
    let api = Api::start().await;
    let acme = buyer(&api, "Acme", None).await;
    let id = invoice_for(&api, acme).await["id"].as_i64().unwrap();
    let path = format!("/api/invoices/{id}");

    let renamed = api
        .put(
            &format!("{path}.json"),
            json!({"friendly_id": "1111-11111111"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{:?}", renamed.body);
    assert_eq!(renamed.body["invoice"]["friendly_id"], "1111-11111111");
    let bad = api
        .put(&format!("{path}.json"), json!({"friendly_id": "nope"}))
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body["errors"]["friendly_id"].is_array());
    let empty = api
        .put(&format!("{path}.json"), json!({"unknown": 1}))
        .await;
    assert_eq!(empty.status, 400);

    let same = api
        .put(&format!("{path}/state.json"), json!({"state": "open"}))
        .await;
    assert_eq!(same.status, 422);
    assert_eq!(
        same.body,
        json!({"errors": {"base": ["Cannot transition to open"]}})
    );
    let issued = api
        .put(&format!("{path}/state.json"), json!({"state": "pending"}))
        .await;
    assert_eq!(issued.status, 200);
    assert_eq!(issued.body["invoice"]["state"], "pending");
    assert_eq!(issued.body["invoice"]["issued_on"], "2025-01-15");
    assert_eq!(issued.body["invoice"]["due_on"], "2025-01-17");

    // Counterfoil's deliberate difference: an issued invoice keeps its number and period.
    let frozen = api
        .put(&format!("{path}.json"), json!({"period": "2024-12"}))
        .await;
    assert_eq!(frozen.status, 422);
    assert_eq!(
        frozen.body,
        json!({"errors": {"base": ["Invalid invoice state"]}})
    );
    let line = api
        .post(
            &format!("{path}/line_items.json"),
            json!({"name": "Late", "cost": 1}),
        )
        .await;
    assert_eq!(line.status, 422);
    assert_eq!(
        line.body,
        json!({"errors": {"base": ["Invalid invoice state"]}})
    );

    let cancelled = api
        .put(&format!("{path}/state.json"), json!({"state": "cancel"}))
        .await;
    assert_eq!(cancelled.body["invoice"]["state"], "cancelled");
    let charge = api.post(&format!("{path}/charge.json"), json!({})).await;
    assert_eq!(charge.status, 422);
    assert_eq!(
        charge.body,
        json!({"errors": {"state": [format!("Invoice {id} is not in chargeable state!")]}})
    );
}

#[tokio::test]
async fn charging_records_a_transaction_and_a_declined_card_is_a_422() {
    let api = Api::start_with_test_gateway().await;
    let acme = buyer(&api, "Acme", None).await;
    let id = invoice_for(&api, acme).await["id"].as_i64().unwrap();
    let path = format!("/api/invoices/{id}");
    api.post(
        &format!("{path}/line_items.json"),
        json!({"name": "Fee", "cost": "25.5"}),
    )
    .await;
    api.put(&format!("{path}/state.json"), json!({"state": "pending"}))
        .await;

    // No card stored: the test gateway declines.
    let declined = api.post(&format!("{path}/charge.json"), json!({})).await;
    assert_eq!(declined.status, 422);
    assert_eq!(
        declined.body,
        json!({"errors": {"base": ["Failed to charge the credit card."]}})
    );
    let transactions = api.get(&format!("{path}/payment_transactions.json")).await;
    let list = transactions.body["payment_transactions"]
        .as_array()
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["payment_transaction"]["success"], false);
    assert_eq!(list[0]["payment_transaction"]["amount"], 25.5);

    api.rpc(
        "update_account",
        json!({"id": acme.to_string(), "org_name": "Acme",
               "card": {"last4": "4242", "expiry_month": 12, "expiry_year": 2030,
                        "gateway_reference": "tok_visa"}}),
    )
    .await;
    let paid = api.post(&format!("{path}/charge.json"), Value::Null).await;
    assert_eq!(paid.status, 201, "{:?}", paid.body);
    assert_eq!(paid.body["invoice"]["state"], "paid");
    assert!(paid.body["invoice"]["paid_at"].is_string());
    let transactions = api.get(&format!("{path}/payment_transactions.json")).await;
    assert_eq!(
        transactions.body["payment_transactions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn a_book_without_a_payment_gateway_answers_a_charge_that_charging_is_off() {
    let api = Api::start().await;
    let acme = buyer(&api, "Acme", None).await;
    api.rpc(
        "update_account",
        json!({"id": acme.to_string(), "org_name": "Acme",
               "card": {"last4": "4242", "expiry_month": 12, "expiry_year": 2030,
                        "gateway_reference": "tok_visa"}}),
    )
    .await;
    let id = invoice_for(&api, acme).await["id"].as_i64().unwrap();
    let path = format!("/api/invoices/{id}");
    api.post(
        &format!("{path}/line_items.json"),
        json!({"name": "Fee", "cost": "25.5"}),
    )
    .await;
    api.put(&format!("{path}/state.json"), json!({"state": "pending"}))
        .await;

    let charge = api.post(&format!("{path}/charge.json"), json!({})).await;
    assert_eq!(charge.status, 422);
    assert_eq!(
        charge.body,
        json!({"errors": {"base": ["No payment gateway: charging is off."]}})
    );
    let invoice = api.get(&format!("{path}.json")).await;
    assert_eq!(invoice.body["invoice"]["state"], "pending", "not paid");
    let transactions = api.get(&format!("{path}/payment_transactions.json")).await;
    assert_eq!(
        transactions.body["payment_transactions"],
        json!([]),
        "no attempt is recorded"
    );
    let info = api.rpc("book_info", json!({})).await;
    assert_eq!(info["payment_gateway"], Value::Null);
}

#[tokio::test]
async fn line_items_are_deleted_only_while_editable() {
    let api = Api::start().await;
    let acme = buyer(&api, "Acme", None).await;
    let id = invoice_for(&api, acme).await["id"].as_i64().unwrap();
    let other = invoice_for(&api, acme).await["id"].as_i64().unwrap();
    let path = format!("/api/invoices/{id}");
    let line = api
        .post(
            &format!("{path}/line_items.json"),
            json!({"line_item": {"name": "A", "cost": 3}}),
        )
        .await;
    let line_id = line.body["line_item"]["id"].as_i64().unwrap();
    let second = api
        .post(
            &format!("{path}/line_items.json"),
            json!({"name": "B", "cost": 4}),
        )
        .await;
    let second_id = second.body["line_item"]["id"].as_i64().unwrap();

    let elsewhere = api
        .delete(&format!("/api/invoices/{other}/line_items/{line_id}.json"))
        .await;
    assert_eq!(elsewhere.status, 404, "an item of another invoice");
    let deleted = api
        .delete(&format!("{path}/line_items/{line_id}.json"))
        .await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.body, Value::Null, "a DELETE answers an empty body");
    let listed = api.get(&format!("{path}/line_items.json")).await;
    assert_eq!(listed.body["line_items"].as_array().unwrap().len(), 1);

    api.put(&format!("{path}/state.json"), json!({"state": "pending"}))
        .await;
    let refused = api
        .delete(&format!("{path}/line_items/{second_id}.json"))
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.body,
        json!({"errors": {"base": ["Invalid invoice state"]}})
    );
}

#[tokio::test]
async fn tokens_are_checked_for_presence_scope_and_permission() {
    let api = Api::start().await;
    let acme = buyer(&api, "Acme", None).await;
    let denied = json!({"error": "Access denied"});
    let wrong = json!({"error": "Your access token does not have the correct permissions"});

    let none = api
        .call(Method::GET, "/api/invoices.json", None, None)
        .await;
    assert_eq!((none.status, &none.body), (403, &denied));
    let unknown = api
        .call(Method::GET, "/api/invoices.json", Some("nope"), None)
        .await;
    assert_eq!((unknown.status, &unknown.body), (403, &denied));

    let read_only = api
        .call(
            Method::POST,
            "/api/invoices.json",
            Some(&api.ro),
            Some(json!({"account_id": acme})),
        )
        .await;
    assert_eq!((read_only.status, &read_only.body), (403, &wrong));
    let ro_read = api
        .call(Method::GET, "/api/invoices.json", Some(&api.ro), None)
        .await;
    assert_eq!(ro_read.status, 200);
    // /api takes finance or account management.
    let finance = api
        .call(Method::GET, "/api/invoices.json", Some(&api.finance), None)
        .await;
    assert_eq!(finance.status, 200);
    let admin = api
        .call(Method::GET, "/api/invoices.json", Some(&api.admin), None)
        .await;
    assert_eq!(admin.status, 200);

    // The token also works in the body and as HTTP Basic.
    let in_body = api
        .call(
            Method::POST,
            "/api/invoices.json",
            None,
            Some(json!({"account_id": acme, "access_token": api.rw})),
        )
        .await;
    assert_eq!(in_body.status, 201);
    let basic = common::answer(
        api.client
            .get(format!("{}/api/invoices.json", api.base))
            .basic_auth("", Some(&api.rw))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(basic.status, 200);
}

#[tokio::test]
async fn missing_things_and_bad_input_get_json_errors() {
    let api = Api::start().await;
    let acme = buyer(&api, "Acme", None).await;
    let missing = api.get("/api/invoices/999.json").await;
    assert_eq!(
        (missing.status, &missing.body),
        (404, &json!({"status": "Not found"}))
    );
    let xml = api.get("/api/invoices/1.xml").await;
    assert_eq!(xml.status, 406);
    let no_route = api.get("/api/nothing/here.json").await;
    assert_eq!(no_route.status, 404);
    assert!(no_route.content_type.starts_with("application/json"));

    let no_account = api.post("/api/invoices.json", json!({})).await;
    assert_eq!(no_account.status, 400);
    assert_eq!(
        no_account.body["error"],
        "Required parameter missing: account_id"
    );
    let unknown_buyer = api
        .post("/api/invoices.json", json!({"account_id": 4040}))
        .await;
    assert_eq!(unknown_buyer.status, 422);
    assert_eq!(
        unknown_buyer.body,
        json!({"errors": {"buyer_account": ["can't be blank"]}})
    );
    let bad_period = api
        .post(
            "/api/invoices.json",
            json!({"account_id": acme, "period": "2025-13"}),
        )
        .await;
    assert_eq!(bad_period.status, 422);
    assert!(bad_period.body["errors"]["period"].is_array());
    let broken = common::answer(
        api.client
            .post(format!(
                "{}/api/invoices.json?access_token={}",
                api.base, api.rw
            ))
            .header("content-type", "application/json")
            .body("{account_id:")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(broken.status, 422);
    assert!(broken.body["errors"]["body"].is_array());
}

#[tokio::test]
async fn the_same_invoice_shows_the_same_totals_through_rpc_and_api() {
    let api = Api::start().await;
    let acme = buyer(&api, "Acme", Some("19.5")).await;
    let id = invoice_for(&api, acme).await["id"].as_i64().unwrap();
    for cost in ["10.3333", "0.005", "99.99"] {
        api.post(
            &format!("/api/invoices/{id}/line_items.json"),
            json!({"name": "x", "cost": cost}),
        )
        .await;
    }
    let rpc = api.rpc("get_invoice", json!({"id": id.to_string()})).await;
    let rest = api.get(&format!("/api/invoices/{id}.json")).await.body["invoice"].clone();
    let totals = &rpc["invoice"]["totals"];
    let number = |text: &Value| {
        text.as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>()
            .unwrap()
    };
    let exact = |value: &Value| value.to_string().parse::<rust_decimal::Decimal>().unwrap();
    assert_eq!(exact(&rest["cost"]), number(&totals["total"]));
    assert_eq!(
        exact(&rest["cost_without_vat"]),
        number(&totals["cost_without_vat"])
    );
    assert_eq!(exact(&rest["vat_amount"]), number(&totals["vat_amount"]));
    // Σ 110.3283 → 110.33; VAT 19.5 % of the exact sum, 21.5140185 → 21.51.
    assert_eq!(rest["cost"], 131.84);
}

#[tokio::test]
async fn a_method_a_path_does_not_take_is_a_json_405() {
    let api = Api::start().await;
    let answer = api
        .call(Method::PATCH, "/api/invoices.json", Some(&api.rw), None)
        .await;
    assert_eq!(answer.status, 405);
    assert!(answer.body["error"].is_string());
}

#[tokio::test]
async fn refusals_made_by_layers_are_json_too() {
    let api = Api::start().await;
    // Over the 1 MiB body limit.
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let answer = common::answer(
        api.client
            .post(format!(
                "{}/api/invoices.json?access_token={}",
                api.base, api.rw
            ))
            .header("content-type", "application/json")
            .body(huge)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, 413);
    assert!(answer.content_type.starts_with("application/json"));
    assert_eq!(answer.body["error"], "Payload Too Large");
    // A path the router cannot parse.
    let bad = api.get("/api/invoices/%FF/line_items.json").await;
    assert!(bad.status >= 400 && bad.status < 500, "{}", bad.status);
    assert!(bad.content_type.starts_with("application/json"));
}
