//! 3scale's tenant behaviour where clients depend on it (issue 19 §8): a service whose plans
//! have applications is deleted with them, buyers get users through `users.json`, a service
//! keeps its `backend_version`, and a request with several bad fields hears about each.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use common::{buyer, Api};
use serde_json::{json, Value};

fn keys(body: &Value) -> Vec<String> {
    body["errors"]
        .as_object()
        .unwrap_or_else(|| panic!("no errors in {body}"))
        .keys()
        .cloned()
        .collect()
}

fn ids(list: &Value, collection: &str, entity: &str) -> Vec<i64> {
    list[collection]
        .as_array()
        .unwrap_or_else(|| panic!("no {collection} in {list}"))
        .iter()
        .map(|item| item[entity]["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_service_with_applications_is_deleted_with_them_and_their_invoices_stay() {
    let api = Api::start().await;
    let service = api
        .post("/admin/api/services.json", json!({"name": "Maps"}))
        .await;
    let sid = service.body["service"]["id"].as_i64().unwrap();
    let plans = format!("/admin/api/services/{sid}/application_plans.json");
    let plan = api
        .post(
            &plans,
            json!({"name": "Gold", "cost_per_month": 31, "state_event": "publish"}),
        )
        .await;
    assert_eq!(plan.status, 201, "{:?}", plan.body);
    let plan_id = plan.body["application_plan"]["id"].as_i64().unwrap();
    let acme = buyer(&api, "Acme", None).await;
    let apps = format!("/admin/api/accounts/{acme}/applications.json");
    let app = api
        .post(&apps, json!({"plan_id": plan_id, "name": "app"}))
        .await;
    assert_eq!(app.status, 201, "{:?}", app.body);
    let app_id = app.body["application"]["id"].as_i64().unwrap();
    api.rpc("advance_clock", json!({"to": "2025-01-20T12:00:00Z"}))
        .await;

    let deleted = api.delete(&format!("/admin/api/services/{sid}.json")).await;
    assert_eq!(deleted.status, 200, "{:?}", deleted.body);
    assert_eq!(deleted.body, Value::Null);

    // Gone from every list and look-up of the API…
    assert_eq!(
        api.get(&format!("/admin/api/services/{sid}.json"))
            .await
            .status,
        404
    );
    let services = api.get("/admin/api/services.json").await;
    assert!(!ids(&services.body, "services", "service").contains(&sid));
    let all_plans = api.get("/admin/api/application_plans.json").await;
    assert!(!ids(&all_plans.body, "plans", "application_plan").contains(&plan_id));
    assert_eq!(api.get(&plans).await.status, 404);
    let listed = api.get(&apps).await;
    assert_eq!(
        listed.body,
        json!({"applications": []}),
        "the application ended"
    );
    // …its application ended then, its plan hidden, both kept in the book…
    let kept = api
        .rpc("get_application", json!({"id": app_id.to_string()}))
        .await;
    assert_eq!(kept["application"]["state"], "cancelled");
    assert_eq!(kept["application"]["cancelled_at"], "2025-01-20T12:00:00Z");
    let hidden = api
        .rpc("get_plan", json!({"id": plan_id.to_string()}))
        .await;
    assert_eq!(hidden["state"], "hidden");
    // …its name is free again…
    let again = api
        .post("/admin/api/services.json", json!({"name": "Maps"}))
        .await;
    assert_eq!(again.status, 201, "{:?}", again.body);
    assert_eq!(again.body["service"]["system_name"], "maps");
    // …and what its application was billed stays on the books.
    api.rpc("advance_clock", json!({"to": "2025-02-03T12:00:00Z"}))
        .await;
    let invoices = api
        .get(&format!("/api/accounts/{acme}/invoices.json"))
        .await;
    let january = &invoices.body["invoices"][0]["invoice"];
    assert_eq!(january["period"], "2025-01");
    assert_eq!(january["state"], "pending");
    assert_eq!(january["line_items"][0]["name"], "Fixed fee ('Gold')");
    assert_eq!(january["line_items"][0]["contract_id"], app_id);
    assert_eq!(
        invoices.body["invoices"].as_array().unwrap().len(),
        1,
        "nothing after the application ended"
    );
}

#[tokio::test]
async fn users_are_added_to_a_buyer_over_users_json() {
    let api = Api::start().await;
    let signup = api
        .post(
            "/admin/api/signup.json",
            json!({"org_name": "Acme", "username": "ann", "email": "ann@acme.test"}),
        )
        .await;
    let id = signup.body["account"]["id"].as_i64().unwrap();
    let users = format!("/admin/api/accounts/{id}/users.json");

    let created = api
        .post(
            &users,
            json!({"username": "bob", "email": "bob@acme.test", "password": "secret"}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let bob = &created.body["user"];
    assert_eq!(bob["username"], "bob");
    assert_eq!(bob["email"], "bob@acme.test");
    assert_eq!(bob["role"], "member");
    assert_eq!(bob["state"], "active");
    assert_eq!(bob["account_id"], id);
    assert!(
        bob.get("password").is_none(),
        "a password is never answered"
    );
    let bob_id = bob["id"].as_i64().unwrap();
    let location = format!("/admin/api/accounts/{id}/users/{bob_id}.json");
    assert_eq!(created.location.as_deref(), Some(&*location));
    let read = api.get(&location).await;
    assert_eq!(
        &read.body["user"], bob,
        "the Location reads the created user"
    );
    assert_eq!(
        api.get(&format!("/admin/api/accounts/{id}/users/999.json"))
            .await
            .status,
        404
    );
    let nested = api.post(&users, json!({"user": {"username": "cy"}})).await;
    assert_eq!(nested.status, 422, "2 characters: {:?}", nested.body);
    assert_eq!(keys(&nested.body), ["username"]);

    let listed = api.get(&users).await;
    let names: Vec<(&str, &str)> = listed.body["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["user"]["username"].as_str().unwrap(),
                item["user"]["role"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(names, [("ann", "admin"), ("bob", "member")]);
    assert_eq!(
        &listed.body["users"][1]["user"], bob,
        "the list gives the create"
    );

    let taken = api.post(&users, json!({"username": "BOB"})).await;
    assert_eq!(
        taken.body,
        json!({"errors": {"username": ["has already been taken"]}})
    );
    let blank = api.post(&users, json!({})).await;
    assert_eq!(blank.status, 422);
    assert_eq!(
        blank.body,
        json!({"errors": {"username": ["can't be blank"]}})
    );
    let found = api.get("/admin/api/accounts/find.json?username=bob").await;
    assert_eq!(found.body["account"]["id"], id);
    let by_user_id = api
        .get(&format!("/admin/api/accounts/find.json?user_id={bob_id}"))
        .await;
    assert_eq!(by_user_id.body["account"]["id"], id);
    assert_eq!(
        api.post(
            "/admin/api/accounts/999/users.json",
            json!({"username": "zed"})
        )
        .await
        .status,
        404
    );
    // A buyer made in the UI gets its first user the same way.
    let plain = buyer(&api, "Plain", None).await;
    let first = api
        .post(
            &format!("/admin/api/accounts/{plain}/users.json"),
            json!({"username": "pat"}),
        )
        .await;
    assert_eq!(first.status, 201, "{:?}", first.body);
}

#[tokio::test]
async fn a_service_keeps_its_backend_version() {
    let api = Api::start().await;
    let created = api
        .post(
            "/admin/api/services.json",
            json!({"service": {"name": "Keys", "backend_version": "2"}}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["service"]["backend_version"], "2");
    let id = created.body["service"]["id"].as_i64().unwrap();
    let path = format!("/admin/api/services/{id}.json");
    assert_eq!(api.get(&path).await.body["service"]["backend_version"], "2");
    let changed = api.put(&path, json!({"backend_version": "oidc"})).await;
    assert_eq!(changed.body["service"]["backend_version"], "oidc");
    let renamed = api.put(&path, json!({"name": "Keys v2"})).await;
    assert_eq!(
        renamed.body["service"]["backend_version"], "oidc",
        "an update that does not name it keeps it"
    );
    let refused = api.put(&path, json!({"backend_version": "3"})).await;
    assert_eq!(refused.status, 422);
    assert_eq!(keys(&refused.body), ["backend_version"]);
    let default = api
        .post("/admin/api/services.json", json!({"name": "Plain"}))
        .await;
    assert_eq!(default.body["service"]["backend_version"], "1");
}

#[tokio::test]
async fn several_bad_fields_are_answered_together() {
    let api = Api::start().await;
    // Read by the 3scale API itself.
    let service = api
        .post("/admin/api/services.json", json!({"backend_version": "9"}))
        .await;
    assert_eq!(service.status, 422);
    assert_eq!(keys(&service.body), ["backend_version", "name"]);
    let acme = buyer(&api, "Acme", None).await;
    let account = api
        .put(
            &format!("/admin/api/accounts/{acme}.json"),
            json!({"vat_rate": "lots", "monthly_billing_enabled": "maybe",
                   "monthly_charging_enabled": "perhaps", "billing_address": 7}),
        )
        .await;
    assert_eq!(account.status, 422);
    assert_eq!(
        keys(&account.body),
        [
            "billing_address",
            "monthly_billing_enabled",
            "monthly_charging_enabled",
            "vat_rate"
        ]
    );
    let line = api
        .post("/api/invoices.json", json!({"account_id": acme}))
        .await;
    let invoice = line.body["invoice"]["id"].as_i64().unwrap();
    let refused = api
        .post(
            &format!("/api/invoices/{invoice}/line_items.json"),
            json!({"name": "Fee", "cost": "abc", "quantity": "many"}),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(keys(&refused.body), ["cost", "quantity"]);
    let filters = api
        .get("/api/invoices.json?state=lost&year=twenty&month=2025-13")
        .await;
    assert_eq!(filters.status, 422);
    assert_eq!(keys(&filters.body), ["month", "state", "year"]);
    // Checked by the engine, answered in 3scale's words.
    let signup = api
        .post(
            "/admin/api/signup.json",
            json!({"org_name": " ", "username": "ab", "email": "nope"}),
        )
        .await;
    assert_eq!(signup.status, 422);
    assert_eq!(keys(&signup.body), ["email", "org_name", "username"]);
    assert_eq!(signup.body["errors"]["org_name"], json!(["can't be blank"]));

    // /rpc answers each field too; the first one keeps the single shape's `field`.
    let response = api
        .client
        .post(format!("{}/rpc/create_account", api.base))
        .json(&json!({"org_name": "Beta", "vat_rate": "lots", "monthly_billing_enabled": "maybe"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["code"], "validation");
    let fields: Vec<&str> = error["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields.len(), 2, "{error}");
    assert!(fields.contains(&"vat_rate") && fields.contains(&"monthly_billing_enabled"));
    assert_eq!(error["field"], fields[0]);
    // One bad field: `{code, message, field}` as before.
    let one = api
        .client
        .post(format!("{}/rpc/create_account", api.base))
        .json(&json!({"org_name": "Beta", "vat_rate": "lots"}))
        .send()
        .await
        .unwrap();
    let one: Value = one.json().await.unwrap();
    assert_eq!(one["field"], "vat_rate");
    assert!(one.get("errors").is_none(), "{one}");
}
