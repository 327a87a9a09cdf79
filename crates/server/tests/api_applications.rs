//! Applications (threescale-api.md §7) over a real socket: create, list, read, update (with a
//! whole echoed entity), delete (a cancellation that keeps billing right), plan changes,
//! suspension, and every refusal.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use common::{buyer, Api};
use reqwest::Method;
use serde_json::{json, Value};

/// A service (through /rpc); returns its id.
async fn service(api: &Api, name: &str) -> i64 {
    let made = api.rpc("create_service", json!({"name": name})).await;
    made["id"].as_str().unwrap().parse().unwrap()
}

/// A plan of `service` (through /rpc); returns its id.
async fn plan(api: &Api, service: i64, name: &str, cost_per_month: &str) -> i64 {
    let made = api
        .rpc(
            "create_plan",
            json!({"service_id": service, "name": name, "setup_fee": "0",
                   "cost_per_month": cost_per_month, "trial_period_days": 0,
                   "state": "published"}),
        )
        .await;
    made["id"].as_str().unwrap().parse().unwrap()
}

fn apps_path(account: i64) -> String {
    format!("/admin/api/accounts/{account}/applications.json")
}

fn app_path(account: i64, app: i64, suffix: &str) -> String {
    format!("/admin/api/accounts/{account}/applications/{app}{suffix}.json")
}

async fn create(api: &Api, account: i64, body: Value) -> Value {
    let created = api.post(&apps_path(account), body).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    created.body["application"].clone()
}

#[tokio::test]
async fn create_read_and_list_in_3scale_envelopes() {
    let api = Api::start().await;
    let svc = service(&api, "Maps").await;
    let gold = plan(&api, svc, "Gold", "12").await;
    let acme = buyer(&api, "Acme", None).await;

    let created = api
        .post(
            &apps_path(acme),
            json!({"plan_id": gold, "name": "app-1", "description": "the first"}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert!(created.content_type.starts_with("application/json"));
    let app = created.body["application"].clone();
    let id = app["id"].as_i64().expect("ids are JSON integers");
    assert_eq!(created.location.as_deref(), Some(&*app_path(acme, id, "")));
    assert_eq!(app["name"], "app-1");
    assert_eq!(app["description"], "the first");
    assert_eq!(app["state"], "live");
    assert_eq!(app["enabled"], true);
    assert_eq!(
        app["service_id"].as_i64(),
        Some(svc),
        "service_id is an integer"
    );
    assert_eq!(app["service_name"], "Maps");
    assert_eq!(app["plan_id"].as_i64(), Some(gold));
    assert_eq!(app["plan_name"], "Gold");
    assert_eq!(app["account_id"].as_i64(), Some(acme));
    assert_eq!(app["org_name"], "Acme");
    assert_eq!(app["created_at"], "2025-01-15T10:00:00Z");
    for always in [
        "first_traffic_at",
        "first_daily_traffic_at",
        "provider_verification_key",
    ] {
        assert!(app.as_object().unwrap().contains_key(always), "{always}");
    }
    let key = app["user_key"].as_str().unwrap();
    assert_eq!(key.len(), 32);
    assert!(key.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(app["links"].is_array());

    let read = api.get(&app_path(acme, id, "")).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["application"], app);

    let given = create(
        &api,
        acme,
        json!({"plan_id": gold.to_string(), "name": "app-2", "user_key": "k".repeat(255)}),
    )
    .await;
    assert_eq!(given["user_key"], "k".repeat(255));
    assert_eq!(given["description"], "");
    let base64 = create(
        &api,
        acme,
        json!({"plan_id": gold, "name": "app-3", "user_key": "dGVzdC1rZXk+Kw=="}),
    )
    .await;
    assert_eq!(base64["user_key"], "dGVzdC1rZXk+Kw==");

    let list = api.get(&apps_path(acme)).await;
    assert_eq!(list.status, 200);
    let items = list.body["applications"].as_array().unwrap();
    let ids: Vec<i64> = items
        .iter()
        .map(|item| item["application"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![
            id,
            given["id"].as_i64().unwrap(),
            base64["id"].as_i64().unwrap()
        ],
        "oldest first"
    );
    assert_eq!(items[0]["application"], app, "list items are wrapped");
    assert!(list.body.get("metadata").is_none(), "not paginated");

    // Another buyer's list is its own.
    let other = buyer(&api, "Other", None).await;
    let empty = api.get(&apps_path(other)).await;
    assert_eq!(empty.body, json!({"applications": []}));
}

#[tokio::test]
async fn create_refusals_name_the_field() {
    let api = Api::start().await;
    let svc = service(&api, "Maps").await;
    let gold = plan(&api, svc, "Gold", "12").await;
    let acme = buyer(&api, "Acme", None).await;
    create(
        &api,
        acme,
        json!({"plan_id": gold, "name": "a", "user_key": "taken"}),
    )
    .await;

    let unknown_plan = api
        .post(&apps_path(acme), json!({"plan_id": 999, "name": "x"}))
        .await;
    assert_eq!(unknown_plan.status, 404);
    assert_eq!(unknown_plan.body, json!({"status": "Not found"}));
    let unknown_account = api
        .post(&apps_path(999), json!({"plan_id": gold, "name": "x"}))
        .await;
    assert_eq!(unknown_account.status, 404);

    for (body, field) in [
        (json!({"name": "x"}), "plan_id"),
        (json!({"plan_id": "abc", "name": "x"}), "plan_id"),
        (json!({"plan_id": gold}), "name"),
        (json!({"plan_id": gold, "name": "  "}), "name"),
        (
            json!({"plan_id": gold, "name": "x", "user_key": "taken"}),
            "user_key",
        ),
        (
            json!({"plan_id": gold, "name": "x", "user_key": "a/b"}),
            "user_key",
        ),
        (
            json!({"plan_id": gold, "name": "x", "user_key": "k".repeat(257)}),
            "user_key",
        ),
    ] {
        let refused = api.post(&apps_path(acme), body.clone()).await;
        assert_eq!(refused.status, 422, "{body}");
        assert!(
            refused.body["errors"][field].is_array(),
            "{body}: {:?}",
            refused.body
        );
    }
    let list = api.get(&apps_path(acme)).await;
    assert_eq!(list.body["applications"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn update_changes_name_description_and_key_and_ignores_the_rest() {
    let api = Api::start().await;
    let svc = service(&api, "Maps").await;
    let gold = plan(&api, svc, "Gold", "12").await;
    let silver = plan(&api, svc, "Silver", "5").await;
    let acme = buyer(&api, "Acme", None).await;
    let app = create(&api, acme, json!({"plan_id": gold, "name": "app"})).await;
    let id = app["id"].as_i64().unwrap();
    let path = app_path(acme, id, "");

    let updated = api
        .put(
            &path,
            json!({"name": "renamed", "description": "new words", "user_key": "my-key.1",
                   "plan_id": silver}),
        )
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    let app = updated.body["application"].clone();
    assert_eq!(app["name"], "renamed");
    assert_eq!(app["description"], "new words");
    assert_eq!(app["user_key"], "my-key.1");
    assert_eq!(app["plan_id"].as_i64(), Some(gold), "plan_id is ignored");

    // A whole echoed entity with read-only and unknown keys changes nothing.
    let mut echoed = app.clone();
    echoed["id"] = json!(999);
    echoed["state"] = json!("suspended");
    echoed["plan_id"] = json!(silver);
    echoed["service_id"] = json!(12345);
    echoed["created_at"] = json!("2000-01-01T00:00:00Z");
    echoed["application_id"] = json!("abc");
    echoed["extra"] = json!([1, 2, 3]);
    let same = api.put(&path, echoed).await;
    assert_eq!(same.status, 200, "{:?}", same.body);
    assert_eq!(same.body["application"], app);
    let nothing = api.put(&path, json!({})).await;
    assert_eq!(nothing.body["application"], app);

    for (body, field) in [
        (json!({"name": ""}), "name"),
        (json!({"user_key": "bad key"}), "user_key"),
    ] {
        let refused = api.put(&path, body.clone()).await;
        assert_eq!(refused.status, 422, "{body}");
        assert!(
            refused.body["errors"][field].is_array(),
            "{:?}",
            refused.body
        );
    }
    assert_eq!(api.get(&path).await.body["application"], app);
}

#[tokio::test]
async fn delete_cancels_the_subscription_and_the_app_is_gone() {
    let api = Api::start().await;
    let svc = service(&api, "Maps").await;
    let gold = plan(&api, svc, "Gold", "12").await;
    let acme = buyer(&api, "Acme", None).await;
    let app = create(&api, acme, json!({"plan_id": gold, "name": "app"})).await;
    let id = app["id"].as_i64().unwrap();
    let path = app_path(acme, id, "");

    let deleted = api.delete(&path).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.body, Value::Null, "an empty body");
    assert_eq!(api.get(&path).await.status, 404);
    assert_eq!(api.delete(&path).await.status, 404);
    assert_eq!(api.put(&path, json!({"name": "x"})).await.status, 404);
    let list = api.get(&apps_path(acme)).await;
    assert_eq!(list.body, json!({"applications": []}));

    // In the books it is a cancellation, billed up to now.
    let detail = api.rpc("get_application", json!({"id": id})).await;
    assert_eq!(detail["application"]["state"], "cancelled");
    assert_eq!(
        detail["application"]["cancelled_at"],
        "2025-01-15T10:00:00Z"
    );

    // With its applications gone, a buyer never invoiced can be deleted too (a client's
    // fixture teardown).
    let account = format!("/admin/api/accounts/{acme}.json");
    assert_eq!(api.delete(&account).await.status, 200);
    assert_eq!(api.get(&account).await.status, 404);
}

#[tokio::test]
async fn deleting_a_buyer_ends_its_live_applications() {
    let api = Api::start().await;
    let svc = service(&api, "Maps").await;
    let gold = plan(&api, svc, "Gold", "12").await;
    let acme = buyer(&api, "Acme", None).await;
    let app = create(&api, acme, json!({"plan_id": gold, "name": "app"})).await;
    let app = app["id"].as_i64().unwrap();
    let deleted = api
        .delete(&format!("/admin/api/accounts/{acme}.json"))
        .await;
    assert_eq!(deleted.status, 200, "{:?}", deleted.body);
    for path in [
        format!("/admin/api/accounts/{acme}.json"),
        format!("/admin/api/accounts/{acme}/applications.json"),
        format!("/admin/api/accounts/{acme}/applications/{app}.json"),
    ] {
        assert_eq!(api.get(&path).await.status, 404, "{path}");
    }
    // The book keeps the application, ended now, for what it is still to be billed.
    let kept = api
        .rpc("get_application", json!({"id": app.to_string()}))
        .await;
    assert_eq!(kept["application"]["state"], "cancelled");
    assert_eq!(kept["application"]["cancelled_at"], "2025-01-15T10:00:00Z");
}

#[tokio::test]
async fn change_plan_answers_the_new_plan_and_only_within_the_service() {
    let api = Api::start().await;
    let svc = service(&api, "Maps").await;
    let gold = plan(&api, svc, "Gold", "12").await;
    let silver = plan(&api, svc, "Silver", "5.5").await;
    let other_svc = service(&api, "Geo").await;
    let foreign = plan(&api, other_svc, "Foreign", "1").await;
    let acme = buyer(&api, "Acme", None).await;
    let app = create(&api, acme, json!({"plan_id": gold, "name": "app"})).await;
    let id = app["id"].as_i64().unwrap();
    let change = app_path(acme, id, "/change_plan");

    let changed = api.put(&change, json!({"plan_id": silver})).await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    let plan = &changed.body["application_plan"];
    assert_eq!(plan["id"].as_i64(), Some(silver));
    assert_eq!(plan["name"], "Silver");
    assert_eq!(plan["cost_per_month"], 5.5);
    assert_eq!(plan["setup_fee"], 0.0);
    assert_eq!(plan["trial_period_days"], 0);
    assert!(plan["default"].is_boolean());
    let read = api.get(&app_path(acme, id, "")).await;
    assert_eq!(read.body["application"]["plan_id"].as_i64(), Some(silver));
    assert_eq!(read.body["application"]["plan_name"], "Silver");
    let history = api.rpc("get_application", json!({"id": id})).await;
    assert_eq!(history["plan_history"].as_array().unwrap().len(), 2);

    // The plan it is on already: answered, nothing recorded.
    let same = api.put(&change, json!({"plan_id": silver})).await;
    assert_eq!(same.status, 200);
    let history = api.rpc("get_application", json!({"id": id})).await;
    assert_eq!(history["plan_history"].as_array().unwrap().len(), 2);

    let refused = api.put(&change, json!({"plan_id": foreign})).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body["errors"]["plan_id"].is_array());
    let blank = api.put(&change, json!({})).await;
    assert_eq!(blank.status, 422);
    assert!(blank.body["errors"]["plan_id"].is_array());
    let unknown = api.put(&change, json!({"plan_id": 999})).await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn customize_and_decustomize_answer_the_plan_the_application_is_on() {
    let api = Api::start().await;
    let svc = service(&api, "Maps").await;
    let gold = plan(&api, svc, "Gold", "12").await;
    let acme = buyer(&api, "Acme", None).await;
    let app = create(&api, acme, json!({"plan_id": gold, "name": "app"})).await;
    let id = app["id"].as_i64().unwrap();

    let customized = api
        .put(&app_path(acme, id, "/customize_plan"), json!({}))
        .await;
    assert_eq!(customized.status, 200, "{:?}", customized.body);
    let custom = customized.body["application_plan"].clone();
    let custom_id = custom["id"].as_i64().unwrap();
    assert_ne!(custom_id, gold);
    assert_eq!(custom["name"], "Gold (custom)");
    assert_eq!(custom["custom"], true);
    assert_eq!(custom["state"], "hidden");
    assert_eq!(custom["cost_per_month"], 12.0);
    assert_eq!(custom["service_id"].as_i64(), Some(svc));
    let read = api.get(&app_path(acme, id, "")).await;
    assert_eq!(
        read.body["application"]["plan_id"].as_i64(),
        Some(custom_id)
    );
    assert_eq!(read.body["application"]["plan_name"], "Gold (custom)");
    // It is read like any plan, and listed with none.
    let plan_path = format!("/admin/api/services/{svc}/application_plans/{custom_id}.json");
    assert_eq!(api.get(&plan_path).await.body["application_plan"], custom);
    let listed = api
        .get(&format!("/admin/api/services/{svc}/application_plans.json"))
        .await;
    assert_eq!(listed.body["plans"].as_array().unwrap().len(), 1);
    let all = api.get("/admin/api/application_plans.json").await;
    assert_eq!(all.body["plans"].as_array().unwrap().len(), 1);

    // Customizing again answers the custom plan, and records nothing.
    let again = api
        .put(&app_path(acme, id, "/customize_plan"), json!({}))
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["application_plan"], custom);
    let history = api.rpc("get_application", json!({"id": id})).await;
    assert_eq!(history["plan_history"].as_array().unwrap().len(), 2);

    // Another application cannot move to it.
    let other = create(&api, acme, json!({"plan_id": gold, "name": "other"})).await;
    let refused = api
        .put(
            &app_path(acme, other["id"].as_i64().unwrap(), "/change_plan"),
            json!({"plan_id": custom_id}),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body["errors"]["plan_id"].is_array());

    let back = api
        .put(&app_path(acme, id, "/decustomize_plan"), json!({}))
        .await;
    assert_eq!(back.status, 200, "{:?}", back.body);
    assert_eq!(back.body["application_plan"]["id"].as_i64(), Some(gold));
    assert_eq!(back.body["application_plan"]["custom"], false);
    let read = api.get(&app_path(acme, id, "")).await;
    assert_eq!(read.body["application"]["plan_id"].as_i64(), Some(gold));
    // Going back again answers the plan, and records nothing.
    let again = api
        .put(&app_path(acme, id, "/decustomize_plan"), json!({}))
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["application_plan"]["id"].as_i64(), Some(gold));
    let history = api.rpc("get_application", json!({"id": id})).await;
    assert_eq!(history["plan_history"].as_array().unwrap().len(), 3);
    // The custom plan the application left cannot change: the invoices name it.
    let frozen = api.put(&plan_path, json!({"cost_per_month": 1})).await;
    assert_eq!(frozen.status, 422, "{:?}", frozen.body);
    assert!(frozen.body["errors"]["base"].is_array());

    // A cancelled (deleted) application is gone for both.
    assert_eq!(api.delete(&app_path(acme, id, "")).await.status, 200);
    for action in ["/customize_plan", "/decustomize_plan"] {
        let gone = api.put(&app_path(acme, id, action), json!({})).await;
        assert_eq!(gone.status, 404, "{action}");
    }
}

#[tokio::test]
async fn suspend_resume_accept_and_the_state_filter() {
    let api = Api::start().await;
    let svc = service(&api, "Maps").await;
    let gold = plan(&api, svc, "Gold", "12").await;
    let acme = buyer(&api, "Acme", None).await;
    let first = create(&api, acme, json!({"plan_id": gold, "name": "one"})).await;
    let second = create(&api, acme, json!({"plan_id": gold, "name": "two"})).await;
    let id = first["id"].as_i64().unwrap();

    let suspended = api.put(&app_path(acme, id, "/suspend"), json!({})).await;
    assert_eq!(suspended.status, 200, "{:?}", suspended.body);
    assert_eq!(suspended.body["application"]["state"], "suspended");
    assert_eq!(suspended.body["application"]["enabled"], false);
    let again = api.put(&app_path(acme, id, "/suspend"), json!({})).await;
    assert_eq!(again.status, 422);
    assert!(again.body["errors"]["base"].is_array());
    let accept = api.put(&app_path(acme, id, "/accept"), json!({})).await;
    assert_eq!(accept.status, 422);

    let names = |body: &Value| -> Vec<String> {
        body["applications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["application"]["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let only_suspended = api
        .get(&format!("{}?state=suspended", apps_path(acme)))
        .await;
    assert_eq!(names(&only_suspended.body), vec!["one"]);
    let only_live = api.get(&format!("{}?state=live", apps_path(acme))).await;
    assert_eq!(names(&only_live.body), vec!["two"]);
    let pending = api.get(&format!("{}?state=pending", apps_path(acme))).await;
    assert_eq!(pending.body, json!({"applications": []}));
    let bad = api.get(&format!("{}?state=asleep", apps_path(acme))).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body["errors"]["state"].is_array());

    let resumed = api.put(&app_path(acme, id, "/resume"), json!({})).await;
    assert_eq!(resumed.status, 200);
    assert_eq!(resumed.body["application"]["state"], "live");
    assert_eq!(
        api.put(&app_path(acme, id, "/resume"), json!({}))
            .await
            .status,
        422
    );
    let accepted = api.put(&app_path(acme, id, "/accept"), json!({})).await;
    assert_eq!(accepted.status, 200);
    assert_eq!(accepted.body["application"]["state"], "live");
    let all = api.get(&apps_path(acme)).await;
    assert_eq!(names(&all.body), vec!["one", "two"]);
    let _ = second;
}

#[tokio::test]
async fn another_accounts_application_and_unknown_ids_are_404() {
    let api = Api::start().await;
    let svc = service(&api, "Maps").await;
    let gold = plan(&api, svc, "Gold", "12").await;
    let acme = buyer(&api, "Acme", None).await;
    let other = buyer(&api, "Other", None).await;
    let app = create(&api, acme, json!({"plan_id": gold, "name": "app"})).await;
    let id = app["id"].as_i64().unwrap();

    for (method, path) in [
        (Method::GET, app_path(other, id, "")),
        (Method::PUT, app_path(other, id, "")),
        (Method::DELETE, app_path(other, id, "")),
        (Method::PUT, app_path(other, id, "/change_plan")),
        (Method::PUT, app_path(other, id, "/customize_plan")),
        (Method::PUT, app_path(other, id, "/decustomize_plan")),
        (Method::PUT, app_path(other, id, "/suspend")),
        (Method::PUT, app_path(other, id, "/resume")),
        (Method::PUT, app_path(other, id, "/accept")),
        (Method::GET, app_path(acme, 999, "")),
        (Method::GET, app_path(999, id, "")),
        (Method::GET, apps_path(999)),
        (
            Method::GET,
            format!("/admin/api/accounts/{acme}/applications/abc.json"),
        ),
    ] {
        let answer = api
            .call(
                method.clone(),
                &path,
                Some(&api.rw),
                Some(json!({"plan_id": gold})),
            )
            .await;
        assert_eq!(answer.status, 404, "{method} {path}");
        assert_eq!(answer.body, json!({"status": "Not found"}));
    }
    // Nothing happened to it.
    let read = api.get(&app_path(acme, id, "")).await;
    assert_eq!(read.body["application"], app);
}

#[tokio::test]
async fn tokens_without_the_right_scope_or_permission_are_403() {
    let api = Api::start().await;
    let svc = service(&api, "Maps").await;
    let gold = plan(&api, svc, "Gold", "12").await;
    let silver = plan(&api, svc, "Silver", "5").await;
    let acme = buyer(&api, "Acme", None).await;
    let app = create(&api, acme, json!({"plan_id": gold, "name": "app"})).await;
    let id = app["id"].as_i64().unwrap();

    for path in [apps_path(acme), app_path(acme, id, "")] {
        let none = api.call(Method::GET, &path, None, None).await;
        assert_eq!(none.status, 403);
        assert_eq!(none.body, json!({"error": "Access denied"}));
        let finance = api.call(Method::GET, &path, Some(&api.finance), None).await;
        assert_eq!(finance.status, 403, "finance cannot use /admin/api");
        assert_eq!(
            finance.body,
            json!({"error": "Your access token does not have the correct permissions"})
        );
        assert_eq!(
            api.call(Method::GET, &path, Some(&api.ro), None)
                .await
                .status,
            200
        );
        assert_eq!(
            api.call(Method::GET, &path, Some(&api.admin), None)
                .await
                .status,
            200
        );
    }
    for (method, path, body) in [
        (
            Method::POST,
            apps_path(acme),
            json!({"plan_id": gold, "name": "x"}),
        ),
        (Method::PUT, app_path(acme, id, ""), json!({"name": "x"})),
        (Method::DELETE, app_path(acme, id, ""), json!({})),
        (
            Method::PUT,
            app_path(acme, id, "/change_plan"),
            json!({"plan_id": silver}),
        ),
        (
            Method::PUT,
            app_path(acme, id, "/customize_plan"),
            json!({}),
        ),
        (
            Method::PUT,
            app_path(acme, id, "/decustomize_plan"),
            json!({}),
        ),
        (Method::PUT, app_path(acme, id, "/suspend"), json!({})),
        (Method::PUT, app_path(acme, id, "/resume"), json!({})),
        (Method::PUT, app_path(acme, id, "/accept"), json!({})),
    ] {
        for token in [&api.ro, &api.finance] {
            let refused = api
                .call(method.clone(), &path, Some(token), Some(body.clone()))
                .await;
            assert_eq!(refused.status, 403, "{method} {path}");
            assert_eq!(
                refused.body,
                json!({"error": "Your access token does not have the correct permissions"})
            );
        }
        let none = api.call(method.clone(), &path, None, Some(body)).await;
        assert_eq!(none.status, 403);
        assert_eq!(none.body, json!({"error": "Access denied"}));
    }
    let read = api.get(&app_path(acme, id, "")).await;
    assert_eq!(read.body["application"], app, "nothing changed");
    let list = api.get(&apps_path(acme)).await;
    assert_eq!(list.body["applications"].as_array().unwrap().len(), 1);
}
