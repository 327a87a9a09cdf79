//! Accounts (threescale-api.md §2) over a real socket: signup, list and its pagination, read,
//! find, update (with a whole echoed entity), delete, approval states, users and the account
//! plan, and every refusal.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use common::{buyer, Api};
use reqwest::Method;
use serde_json::{json, Value};

async fn signup(api: &Api, org_name: &str, username: &str) -> Value {
    let created = api
        .post(
            "/admin/api/signup.json",
            json!({"org_name": org_name, "username": username}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    created.body["account"].clone()
}

#[tokio::test]
async fn signup_answers_the_account_and_a_read_gives_the_same() {
    let api = Api::start().await;
    let created = api
        .post(
            "/admin/api/signup.json",
            json!({"org_name": "Acme", "username": "acme", "email": "it@acme.example",
                   "password": "secret", "account_plan_id": 999, "custom_field": "x"}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert!(created.content_type.starts_with("application/json"));
    let account = &created.body["account"];
    let id = account["id"].as_i64().expect("ids are JSON integers");
    assert_eq!(
        created.location.as_deref(),
        Some(&*format!("/admin/api/accounts/{id}.json"))
    );
    assert_eq!(account["org_name"], "Acme");
    assert_eq!(account["state"], "approved");
    assert_eq!(account["credit_card_stored"], false);
    assert_eq!(account["monthly_billing_enabled"], true);
    assert_eq!(account["monthly_charging_enabled"], true);
    assert_eq!(
        account["vat_rate"],
        Value::Null,
        "vat_rate is always present"
    );
    assert!(account.as_object().unwrap().contains_key("vat_rate"));
    assert_eq!(account["annotations"], json!({}));
    assert_eq!(account["created_at"], "2025-01-15T10:00:00Z");
    assert_eq!(account["updated_at"], "2025-01-15T10:00:00Z");
    assert!(account["links"].is_array());
    for absent in [
        "vat_code",
        "credit_card_partial_number",
        "country",
        "custom_field",
    ] {
        assert!(account.get(absent).is_none(), "{absent} is omitted");
    }

    let read = api.get(&format!("/admin/api/accounts/{id}.json")).await;
    assert_eq!(read.status, 200);
    assert_eq!(&read.body["account"], account);

    // Email and password are optional ("minimal" signup).
    let minimal = signup(&api, "Zeta", "zeta").await;
    assert_eq!(minimal["org_name"], "Zeta");

    let users = api
        .get(&format!("/admin/api/accounts/{id}/users.json"))
        .await;
    assert_eq!(users.status, 200);
    let user = &users.body["users"][0]["user"];
    assert_eq!(user["username"], "acme");
    assert_eq!(user["email"], "it@acme.example");
    assert_eq!(user["role"], "admin");
    assert_eq!(user["id"].as_i64(), Some(id));
    // An account made in the UI has no users.
    let plain = buyer(&api, "Plain", None).await;
    let users = api
        .get(&format!("/admin/api/accounts/{plain}/users.json"))
        .await;
    assert_eq!(users.body, json!({"users": []}));
}

#[tokio::test]
async fn signup_refusals_name_the_field() {
    let api = Api::start().await;
    signup(&api, "Acme", "acme").await;
    let taken = api
        .post(
            "/admin/api/signup.json",
            json!({"org_name": "Other", "username": "ACME"}),
        )
        .await;
    assert_eq!(taken.status, 422);
    assert_eq!(
        taken.body,
        json!({"errors": {"username": ["has already been taken"]}})
    );
    for (body, field) in [
        (json!({"username": "abc"}), "org_name"),
        (json!({"org_name": "!!!", "username": "abc"}), "org_name"),
        (json!({"org_name": "X"}), "username"),
        (json!({"org_name": "X", "username": "ab"}), "username"),
        (
            json!({"org_name": "X", "username": "x".repeat(41)}),
            "username",
        ),
        (
            json!({"org_name": "X", "username": "abc", "email": "nope"}),
            "email",
        ),
        (
            json!({"org_name": "X", "username": "abc", "vat_rate": "lots"}),
            "vat_rate",
        ),
    ] {
        let refused = api.post("/admin/api/signup.json", body.clone()).await;
        assert_eq!(refused.status, 422, "{body}");
        assert!(
            refused.body["errors"][field].is_array(),
            "{body}: {:?}",
            refused.body
        );
    }
    let list = api.get("/admin/api/accounts.json").await;
    assert_eq!(list.body["accounts"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_list_is_by_id_paginated_until_an_empty_page_and_filtered_by_state() {
    let api = Api::start().await;
    let mut ids = Vec::new();
    // Names out of order: the list is by id, not by name.
    for (name, user) in [("Zulu", "zulu"), ("Alpha", "alpha"), ("Mike", "mike")] {
        ids.push(signup(&api, name, user).await["id"].as_i64().unwrap());
    }
    ids.push(buyer(&api, "Bravo", Some("21")).await);
    ids.push(buyer(&api, "Echo", None).await);

    let all = api.get("/admin/api/accounts.json").await;
    assert_eq!(all.status, 200);
    let listed: Vec<i64> = all.body["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["account"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, ids);
    assert!(
        all.body.get("metadata").is_none(),
        "no metadata on one page"
    );
    let bravo = &all.body["accounts"][3]["account"];
    assert_eq!(bravo["vat_rate"], 21.0);
    assert_eq!(bravo["org_legal_address"], "1 Main St");
    assert_eq!(bravo["city"], "Lisbon");

    let mut seen = Vec::new();
    let mut page = 1;
    loop {
        let answer = api
            .get(&format!("/admin/api/accounts.json?page={page}&per_page=2"))
            .await;
        assert_eq!(answer.status, 200);
        let items = answer.body["accounts"].as_array().unwrap().clone();
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
                .map(|item| item["account"]["id"].as_i64().unwrap()),
        );
        page += 1;
        assert!(page < 10, "the client loop must end");
    }
    assert_eq!(seen, ids, "every account once, in order");
    // Out-of-range paging falls back to the defaults.
    let fallback = api
        .get("/admin/api/accounts.json?page=0&per_page=9999")
        .await;
    assert_eq!(fallback.body["accounts"].as_array().unwrap().len(), 5);

    let pending = api
        .put(
            &format!("/admin/api/accounts/{}/make_pending.json", ids[1]),
            json!({}),
        )
        .await;
    assert_eq!(pending.status, 200);
    let filtered = api.get("/admin/api/accounts.json?state=pending").await;
    let items = filtered.body["accounts"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["account"]["id"].as_i64(), Some(ids[1]));
    let approved = api.get("/admin/api/accounts.json?state=approved").await;
    assert_eq!(approved.body["accounts"].as_array().unwrap().len(), 4);
    let bad = api.get("/admin/api/accounts.json?state=sleeping").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body["errors"]["state"].is_array());
}

#[tokio::test]
async fn find_reads_the_query_or_a_json_body_on_a_get() {
    let api = Api::start().await;
    let acme = api
        .post(
            "/admin/api/signup.json",
            json!({"org_name": "Acme", "username": "acme", "email": "it@acme.example"}),
        )
        .await
        .body["account"]
        .clone();
    let id = acme["id"].as_i64().unwrap();

    let by_query = api.get("/admin/api/accounts/find.json?username=acme").await;
    assert_eq!(by_query.status, 200);
    assert_eq!(by_query.body["account"], acme);
    let by_body = api
        .call(
            Method::GET,
            "/admin/api/accounts/find.json",
            Some(&api.rw),
            Some(json!({"username": "acme"})),
        )
        .await;
    assert_eq!(by_body.status, 200);
    assert_eq!(by_body.body["account"]["id"].as_i64(), Some(id));
    let by_email = api
        .call(
            Method::GET,
            "/admin/api/accounts/find.json",
            Some(&api.rw),
            Some(json!({"email": "IT@acme.example"})),
        )
        .await;
    assert_eq!(by_email.body["account"]["id"].as_i64(), Some(id));
    let by_user = api
        .get(&format!("/admin/api/accounts/find.json?user_id={id}"))
        .await;
    assert_eq!(by_user.body["account"]["id"].as_i64(), Some(id));

    for path in [
        "/admin/api/accounts/find.json",
        "/admin/api/accounts/find.json?username=nobody",
        "/admin/api/accounts/find.json?email=nobody@example.com",
        "/admin/api/accounts/find.json?user_id=999",
        "/admin/api/accounts/find.json?user_id=abc",
    ] {
        let missing = api.get(path).await;
        assert_eq!(missing.status, 404, "{path}");
        assert_eq!(missing.body, json!({"status": "Not found"}));
    }
}

#[tokio::test]
async fn update_changes_editable_fields_and_ignores_an_echoed_entity() {
    let api = Api::start().await;
    let acme = signup(&api, "Acme", "acme").await;
    let id = acme["id"].as_i64().unwrap();
    let path = format!("/admin/api/accounts/{id}.json");

    let updated = api
        .put(
            &path,
            json!({"org_name": "Acme Ltd", "vat_code": "PT123", "vat_rate": 23,
                   "fiscal_code": "F-1", "city": "Porto", "country": "Portugal",
                   "monthly_billing_enabled": false, "monthly_charging_enabled": "false"}),
        )
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    let account = updated.body["account"].clone();
    assert_eq!(account["org_name"], "Acme Ltd");
    assert_eq!(account["vat_code"], "PT123");
    assert_eq!(account["fiscal_code"], "F-1");
    assert_eq!(account["vat_rate"], 23.0);
    assert_eq!(account["city"], "Porto");
    assert_eq!(account["country"], "Portugal");
    assert_eq!(account["monthly_billing_enabled"], false);
    assert_eq!(account["monthly_charging_enabled"], false);

    // A client PUTs the whole entity it read, merged with its change: read-only keys (id,
    // state, links, created_at, ...) and unknown ones are ignored, nothing else moves.
    let mut echoed = account.clone();
    echoed["id"] = json!(999);
    echoed["state"] = json!("rejected");
    echoed["created_at"] = json!("2000-01-01T00:00:00Z");
    echoed["credit_card_stored"] = json!(true);
    echoed["unknown"] = json!({"nested": [1, 2]});
    let same = api.put(&path, echoed).await;
    assert_eq!(same.status, 200, "{:?}", same.body);
    assert_eq!(same.body["account"], account);
    let mut renamed = account.clone();
    renamed["org_name"] = json!("Acme Group");
    let changed = api.put(&path, renamed).await;
    assert_eq!(changed.body["account"]["org_name"], "Acme Group");
    assert_eq!(changed.body["account"]["vat_rate"], 23.0);
    assert_eq!(changed.body["account"]["state"], "approved");
    assert_eq!(changed.body["account"]["id"].as_i64(), Some(id));

    for (body, field) in [
        (json!({"org_name": ""}), "org_name"),
        (json!({"vat_rate": 101}), "vat_rate"),
        (json!({"vat_rate": "abc"}), "vat_rate"),
        (
            json!({"monthly_billing_enabled": "maybe"}),
            "monthly_billing_enabled",
        ),
        (json!({"city": "x".repeat(300)}), "org_legal_address"),
    ] {
        let refused = api.put(&path, body.clone()).await;
        assert_eq!(refused.status, 422, "{body}");
        assert!(
            refused.body["errors"][field].is_array(),
            "{body}: {:?}",
            refused.body
        );
    }
    let unchanged = api.get(&path).await;
    assert_eq!(unchanged.body["account"]["org_name"], "Acme Group");

    let missing = api
        .put("/admin/api/accounts/999.json", json!({"org_name": "X"}))
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn delete_removes_at_once_or_schedules_a_buyer_with_invoices() {
    let api = Api::start().await;
    let gone = signup(&api, "Gone", "gone").await["id"].as_i64().unwrap();
    let path = format!("/admin/api/accounts/{gone}.json");
    let deleted = api.delete(&path).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.body, Value::Null, "an empty body");
    assert_eq!(api.get(&path).await.status, 404);
    assert_eq!(api.delete(&path).await.status, 404);
    // The username is free again.
    signup(&api, "Again", "gone").await;

    let billed = buyer(&api, "Billed", None).await;
    let invoice = api
        .post("/api/invoices.json", json!({"account_id": billed}))
        .await;
    assert_eq!(invoice.status, 201);
    let invoice_id = invoice.body["invoice"]["id"].as_i64().unwrap();
    // 3scale schedules a buyer with invoices for deletion: gone from the API at once…
    let scheduled = api
        .delete(&format!("/admin/api/accounts/{billed}.json"))
        .await;
    assert_eq!(scheduled.status, 200, "{:?}", scheduled.body);
    assert_eq!(scheduled.body, Value::Null);
    for path in [
        format!("/admin/api/accounts/{billed}.json"),
        format!("/api/accounts/{billed}/invoices.json"),
        format!("/api/accounts/{billed}/invoices/{invoice_id}.json"),
    ] {
        assert_eq!(api.get(&path).await.status, 404, "{path}");
    }
    assert_eq!(
        api.put(
            &format!("/admin/api/accounts/{billed}.json"),
            json!({"org_name": "X"})
        )
        .await
        .status,
        404
    );
    let listed = api.get("/admin/api/accounts.json").await;
    assert!(
        !listed.body.to_string().contains("Billed"),
        "it has left the list: {}",
        listed.body
    );
    // …while its invoice stays on the books with the buyer's data.
    let kept = api.get(&format!("/api/invoices/{invoice_id}.json")).await;
    assert_eq!(kept.status, 200);
    assert_eq!(kept.body["invoice"]["account"]["org_name"], "Billed");
    assert_eq!(kept.body["invoice"]["buyer"]["org_name"], "Billed");
    assert_eq!(kept.body["invoice"]["buyer"]["city"], "Lisbon");
    let all = api.get("/api/invoices.json").await;
    assert_eq!(all.body["invoices"][0]["invoice"]["id"], invoice_id);
    // A buyer made again with that name is a new account.
    assert_ne!(buyer(&api, "Billed", None).await, billed);
}

#[tokio::test]
async fn approval_states_move_and_illegal_transitions_are_422() {
    let api = Api::start().await;
    let id = signup(&api, "Acme", "acme").await["id"].as_i64().unwrap();
    let event = |name: &str| format!("/admin/api/accounts/{id}/{name}.json");

    let refused = api.put(&event("approve"), json!({})).await;
    assert_eq!(refused.status, 422, "approving an approved account");
    assert!(refused.body["errors"]["base"].is_array());

    for (name, state) in [
        ("make_pending", "pending"),
        ("approve", "approved"),
        ("reject", "rejected"),
        ("make_pending", "pending"),
        ("reject", "rejected"),
        ("approve", "approved"),
        ("suspend", "suspended"),
        ("resume", "approved"),
    ] {
        let moved = api.put(&event(name), json!({})).await;
        assert_eq!(moved.status, 200, "{name}: {:?}", moved.body);
        assert_eq!(moved.body["account"]["state"], state, "{name}");
        assert_eq!(moved.body["account"]["id"].as_i64(), Some(id));
    }
    let reject_twice = api.put(&event("reject"), json!({})).await;
    assert_eq!(reject_twice.status, 200);
    assert_eq!(api.put(&event("reject"), json!({})).await.status, 422);
    assert_eq!(api.put(&event("suspend"), json!({})).await.status, 422);

    let missing = api
        .put("/admin/api/accounts/999/approve.json", json!({}))
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body, json!({"status": "Not found"}));
}

#[tokio::test]
async fn the_account_plan_is_one_default_plan() {
    let api = Api::start().await;
    let id = signup(&api, "Acme", "acme").await["id"].as_i64().unwrap();
    let plans = api.get("/admin/api/account_plans.json").await;
    assert_eq!(plans.status, 200);
    let items = plans.body["plans"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let plan = &items[0]["account_plan"];
    assert_eq!(plan["name"], "Default");
    assert_eq!(plan["default"], true);
    assert_eq!(plan["setup_fee"], 0.0);
    assert!(plan["id"].is_i64());

    let own = api
        .get(&format!("/admin/api/accounts/{id}/plan.json"))
        .await;
    assert_eq!(own.status, 200);
    assert_eq!(&own.body["account_plan"], plan);
    let set = api
        .put(
            &format!("/admin/api/accounts/{id}/change_plan.json"),
            json!({"plan_id": plan["id"]}),
        )
        .await;
    assert_eq!(set.status, 200);
    assert_eq!(&set.body["account_plan"], plan);
    let unknown = api
        .put(
            &format!("/admin/api/accounts/{id}/change_plan.json"),
            json!({"plan_id": 999}),
        )
        .await;
    assert_eq!(unknown.status, 404);
    let blank = api
        .put(
            &format!("/admin/api/accounts/{id}/change_plan.json"),
            json!({}),
        )
        .await;
    assert_eq!(blank.status, 422);
    assert!(blank.body["errors"]["plan_id"].is_array());
    assert_eq!(
        api.get("/admin/api/accounts/999/plan.json").await.status,
        404
    );
}

#[tokio::test]
async fn unknown_ids_are_404_everywhere() {
    let api = Api::start().await;
    for (method, path) in [
        (Method::GET, "/admin/api/accounts/999.json"),
        (Method::GET, "/admin/api/accounts/abc.json"),
        (Method::PUT, "/admin/api/accounts/999.json"),
        (Method::DELETE, "/admin/api/accounts/999.json"),
        (Method::PUT, "/admin/api/accounts/999/reject.json"),
        (Method::PUT, "/admin/api/accounts/999/make_pending.json"),
        (Method::GET, "/admin/api/accounts/999/users.json"),
        (Method::PUT, "/admin/api/accounts/999/change_plan.json"),
    ] {
        let answer = api
            .call(
                method.clone(),
                path,
                Some(&api.rw),
                Some(json!({"plan_id": 1})),
            )
            .await;
        assert_eq!(answer.status, 404, "{method} {path}");
        assert_eq!(answer.body, json!({"status": "Not found"}), "{path}");
    }
}

#[tokio::test]
async fn tokens_without_the_right_scope_or_permission_are_403() {
    let api = Api::start().await;
    let id = signup(&api, "Acme", "acme").await["id"].as_i64().unwrap();
    let read = format!("/admin/api/accounts/{id}.json");
    let writes = [
        (
            Method::POST,
            "/admin/api/signup.json".to_owned(),
            json!({"org_name": "X", "username": "xyz"}),
        ),
        (Method::PUT, read.clone(), json!({"org_name": "X"})),
        (Method::DELETE, read.clone(), json!({})),
        (
            Method::PUT,
            format!("/admin/api/accounts/{id}/make_pending.json"),
            json!({}),
        ),
    ];
    let reads = [
        read.clone(),
        "/admin/api/accounts.json".to_owned(),
        "/admin/api/accounts/find.json?username=acme".to_owned(),
        format!("/admin/api/accounts/{id}/users.json"),
        format!("/admin/api/accounts/{id}/plan.json"),
        "/admin/api/account_plans.json".to_owned(),
    ];
    for path in &reads {
        let none = api.call(Method::GET, path, None, None).await;
        assert_eq!(none.status, 403, "{path}");
        assert_eq!(none.body, json!({"error": "Access denied"}));
        let bogus = api.call(Method::GET, path, Some("bogus"), None).await;
        assert_eq!(bogus.status, 403);
        let finance = api.call(Method::GET, path, Some(&api.finance), None).await;
        assert_eq!(finance.status, 403, "finance cannot use /admin/api: {path}");
        assert_eq!(
            finance.body,
            json!({"error": "Your access token does not have the correct permissions"})
        );
        assert_eq!(
            api.call(Method::GET, path, Some(&api.ro), None)
                .await
                .status,
            200,
            "{path}"
        );
        assert_eq!(
            api.call(Method::GET, path, Some(&api.admin), None)
                .await
                .status,
            200,
            "{path}"
        );
    }
    for (method, path, body) in &writes {
        let ro = api
            .call(method.clone(), path, Some(&api.ro), Some(body.clone()))
            .await;
        assert_eq!(ro.status, 403, "{method} {path}");
        assert_eq!(
            ro.body,
            json!({"error": "Your access token does not have the correct permissions"})
        );
        let none = api
            .call(method.clone(), path, None, Some(body.clone()))
            .await;
        assert_eq!(none.status, 403);
        let finance = api
            .call(method.clone(), path, Some(&api.finance), Some(body.clone()))
            .await;
        assert_eq!(finance.status, 403);
    }
    // Nothing changed.
    let after = api.get(&read).await;
    assert_eq!(after.body["account"]["org_name"], "Acme");
    assert_eq!(after.body["account"]["state"], "approved");
    let list = api.get("/admin/api/accounts.json").await;
    assert_eq!(list.body["accounts"].as_array().unwrap().len(), 1);
}
