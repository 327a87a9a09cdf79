//! The Account Management API's catalogue (threescale-api.md §3–§6) over a real socket:
//! services, metrics and methods, application plans and pricing rules: envelopes, JSON types,
//! pagination, validation bodies, 404s and auth refusals.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use common::{buyer, Api};
use reqwest::Method;
use serde_json::{json, Value};

/// Creates a service through the API; returns its id and its `hits` metric's id.
async fn service(api: &Api, name: &str) -> (i64, i64) {
    let created = api
        .post("/admin/api/services.json", json!({ "name": name }))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["service"]["id"].as_i64().unwrap();
    let metrics = api
        .get(&format!("/admin/api/services/{id}/metrics.json"))
        .await;
    let hits = metrics.body["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| &item["metric"])
        .find(|metric| metric["system_name"] == "hits")
        .expect("every service has hits")["id"]
        .as_i64()
        .unwrap();
    (id, hits)
}

async fn plan(api: &Api, service: i64, body: Value) -> Value {
    let created = api
        .post(
            &format!("/admin/api/services/{service}/application_plans.json"),
            body,
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    created.body["application_plan"].clone()
}

fn ids(list: &Value, collection: &str, entity: &str) -> Vec<i64> {
    list[collection]
        .as_array()
        .unwrap_or_else(|| panic!("no {collection} in {list}"))
        .iter()
        .map(|item| {
            item[entity]["id"]
                .as_i64()
                .unwrap_or_else(|| panic!("unwrapped item in {list}"))
        })
        .collect()
}

fn assert_ascending(ids: &[i64]) {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(ids, sorted, "lists are ordered by id");
}

fn error_keys(body: &Value) -> Vec<String> {
    body["errors"]
        .as_object()
        .unwrap_or_else(|| panic!("not an errors body: {body}"))
        .keys()
        .cloned()
        .collect()
}

// --- services --------------------------------------------------------------------------------

#[tokio::test]
async fn services_are_created_read_updated_and_deleted_as_3scale_does() {
    let api = Api::start().await;

    let created = api
        .post("/admin/api/services.json", json!({"name": "Test X"}))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert!(created.content_type.starts_with("application/json"));
    let service = &created.body["service"];
    let id = service["id"].as_i64().expect("ids are JSON integers");
    assert_eq!(
        created.location.as_deref(),
        Some(&*format!("/admin/api/services/{id}.json"))
    );
    assert_eq!(service["name"], "Test X");
    assert_eq!(service["system_name"], "test_x");
    assert_eq!(
        service["backend_version"], "1",
        "backend_version is a string"
    );
    assert_eq!(service["deployment_option"], "hosted");
    assert_eq!(service["state"], "incomplete");
    assert_eq!(service["annotations"], json!({}));
    assert_eq!(service["buyers_manage_apps"], true);
    assert_eq!(service["mandatory_app_key"], true);
    assert_eq!(service["buyer_plan_change_permission"], "request");
    assert!(service["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(service["links"].is_array());
    assert!(service.get("description").is_none(), "null is omitted");

    let read = api.get(&format!("/admin/api/services/{id}.json")).await;
    assert_eq!(read.status, 200);
    assert_eq!(&read.body["service"], service, "a read equals the create");

    // Side effects: hits, and no application plans.
    let metrics = api
        .get(&format!("/admin/api/services/{id}/metrics.json"))
        .await;
    assert_eq!(metrics.status, 200);
    let hits = &metrics.body["metrics"][0]["metric"];
    assert_eq!(hits["system_name"], "hits");
    assert_eq!(hits["name"], "hits");
    assert_eq!(hits["friendly_name"], "Hits");
    assert_eq!(hits["unit"], "hit");
    let plans = api
        .get(&format!("/admin/api/services/{id}/application_plans.json"))
        .await;
    assert_eq!(plans.status, 200);
    assert_eq!(plans.body, json!({"plans": []}));

    // Rooted input, a given system name, and its uniqueness.
    let nested = api
        .post(
            "/admin/api/services.json",
            json!({"service": {"name": "Other", "system_name": "custom-api", "description": "D"}}),
        )
        .await;
    assert_eq!(nested.status, 201, "{:?}", nested.body);
    assert_eq!(nested.body["service"]["system_name"], "custom-api");
    assert_eq!(nested.body["service"]["description"], "D");
    let taken = api
        .post(
            "/admin/api/services.json",
            json!({"name": "Again", "system_name": "custom-api"}),
        )
        .await;
    assert_eq!(taken.status, 422);
    assert_eq!(error_keys(&taken.body), ["system_name"]);
    let generated_taken = api
        .post("/admin/api/services.json", json!({"name": "test x"}))
        .await;
    assert_eq!(generated_taken.status, 422);
    assert_eq!(error_keys(&generated_taken.body), ["system_name"]);
    let spaced = api
        .post(
            "/admin/api/services.json",
            json!({"name": "S", "system_name": "has space"}),
        )
        .await;
    assert_eq!(spaced.status, 422);
    assert_eq!(error_keys(&spaced.body), ["system_name"]);
    let nameless = api.post("/admin/api/services.json", json!({})).await;
    assert_eq!(nameless.status, 422);
    assert_eq!(
        nameless.body,
        json!({"errors": {"name": ["can't be blank"]}})
    );

    // A client's update PUTs the whole read entity with its changes: system_name, id,
    // state and the rest are ignored.
    let mut echoed = read.body["service"].clone();
    echoed["name"] = json!("Renamed");
    echoed["system_name"] = json!("changed");
    echoed["id"] = json!(999_999);
    echoed["state"] = json!("deleted");
    echoed["backend_version"] = json!("2");
    let updated = api
        .put(&format!("/admin/api/services/{id}.json"), echoed)
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    let after = &updated.body["service"];
    assert_eq!(after["name"], "Renamed");
    assert_eq!(after["id"], id);
    assert_eq!(after["system_name"], "test_x");
    assert_eq!(after["state"], "incomplete");
    assert_eq!(
        after["backend_version"], "2",
        "the service keeps its backend version"
    );
    let unchanged = api
        .put(
            &format!("/admin/api/services/{id}.json"),
            json!({"service": {"description": "Now described"}}),
        )
        .await;
    assert_eq!(unchanged.body["service"]["name"], "Renamed");
    assert_eq!(unchanged.body["service"]["description"], "Now described");
    let blank = api
        .put(
            &format!("/admin/api/services/{id}.json"),
            json!({"name": " "}),
        )
        .await;
    assert_eq!(blank.status, 422);
    assert_eq!(error_keys(&blank.body), ["name"]);

    // Unknown ids.
    for path in [
        "/admin/api/services/999999.json",
        "/admin/api/services/abc.json",
    ] {
        let missing = api.get(path).await;
        assert_eq!(missing.status, 404, "{path}");
        assert_eq!(missing.body, json!({"status": "Not found"}));
    }
    assert_eq!(
        api.put("/admin/api/services/999999.json", json!({"name": "X"}))
            .await
            .status,
        404
    );
    assert_eq!(
        api.delete("/admin/api/services/999999.json").await.status,
        404
    );

    // Delete: 200 with an empty body, then 404; the last service stays.
    let deleted = api.delete(&format!("/admin/api/services/{id}.json")).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.body, Value::Null, "a DELETE answers an empty body");
    assert_eq!(
        api.get(&format!("/admin/api/services/{id}.json"))
            .await
            .status,
        404
    );
    assert_eq!(
        api.get(&format!("/admin/api/services/{id}/metrics.json"))
            .await
            .status,
        404
    );
    // A new book's own "API" service goes too (it never had applications)…
    let all = api.get("/admin/api/services.json").await;
    let own = ids(&all.body, "services", "service")
        .into_iter()
        .find(|other| *other != nested.body["service"]["id"].as_i64().unwrap())
        .unwrap();
    assert_eq!(
        api.delete(&format!("/admin/api/services/{own}.json"))
            .await
            .status,
        200
    );
    // …and the last one stays.
    let last = nested.body["service"]["id"].as_i64().unwrap();
    let refused = api
        .delete(&format!("/admin/api/services/{last}.json"))
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.content_type.starts_with("application/json"));
    let error = &refused.body["error"];
    assert!(error.is_object(), "a state-machine body: {}", refused.body);
    for key in ["from", "event", "error", "object"] {
        assert!(error.get(key).is_some(), "{key} in {error}");
    }
    assert_eq!(
        api.get(&format!("/admin/api/services/{last}.json"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn the_services_client_loop_ends_on_an_empty_page() {
    let api = Api::start().await;
    // Four beside the new book's own "API" service.
    for n in 0..4 {
        service(&api, &format!("Service {n}")).await;
    }
    let mut seen = Vec::new();
    let mut page = 1;
    loop {
        let answer = api
            .get(&format!("/admin/api/services.json?page={page}&per_page=2"))
            .await;
        assert_eq!(answer.status, 200);
        let items = ids(&answer.body, "services", "service");
        if items.is_empty() {
            break;
        }
        assert_eq!(answer.body["metadata"]["per_page"], 2);
        assert_eq!(answer.body["metadata"]["total_entries"], 5);
        assert_eq!(answer.body["metadata"]["total_pages"], 3);
        assert_eq!(answer.body["metadata"]["current_page"], page);
        seen.extend(items);
        page += 1;
        assert!(page < 10, "the client loop must end");
    }
    assert_eq!(seen.len(), 5);
    assert_ascending(&seen);

    // The default page (500) holds them all, without metadata.
    let all = api.get("/admin/api/services.json").await;
    assert_eq!(ids(&all.body, "services", "service"), seen);
    assert!(all.body.get("metadata").is_none());
    let client_loop = api
        .get("/admin/api/services.json?page=1&per_page=500")
        .await;
    assert_eq!(ids(&client_loop.body, "services", "service"), seen);
    let past = api
        .get("/admin/api/services.json?page=2&per_page=500")
        .await;
    assert_eq!(past.status, 200);
    assert_eq!(past.body["services"], json!([]));
    let odd = api
        .get("/admin/api/services.json?page=0&per_page=100000")
        .await;
    assert_eq!(odd.status, 200, "bad paging falls back to defaults");
    assert_eq!(ids(&odd.body, "services", "service").len(), 5);
}

// --- metrics and methods ---------------------------------------------------------------------

#[tokio::test]
async fn metrics_and_methods_follow_3scale_rules() {
    let api = Api::start().await;
    let (sid, hits) = service(&api, "Maps").await;
    let (other, other_hits) = service(&api, "Other").await;
    let metrics = format!("/admin/api/services/{sid}/metrics");

    let created = api
        .post(
            &format!("{metrics}.json"),
            json!({"friendly_name": "Storage Used", "unit": "GB", "description": "Disk"}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let storage = created.body["metric"].clone();
    let storage_id = storage["id"].as_i64().unwrap();
    assert_eq!(
        created.location.as_deref(),
        Some(&*format!("{metrics}/{storage_id}.json"))
    );
    assert_eq!(storage["system_name"], "storage_used");
    assert_eq!(storage["name"], storage["system_name"]);
    assert_eq!(storage["unit"], "GB");
    assert_eq!(storage["description"], "Disk");
    assert!(storage.get("parent_id").is_none());
    let read = api.get(&format!("{metrics}/{storage_id}.json")).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["metric"], storage);

    // Validation.
    let empty = api.post(&format!("{metrics}.json"), json!({})).await;
    assert_eq!(empty.status, 422);
    assert_eq!(error_keys(&empty.body), ["friendly_name", "unit"]);
    let spaced = api
        .post(
            &format!("{metrics}.json"),
            json!({"metric": {"friendly_name": "X", "unit": "x", "system_name": "has space"}}),
        )
        .await;
    assert_eq!(spaced.status, 422);
    assert!(error_keys(&spaced.body).contains(&"system_name".to_owned()));
    let twice = api
        .post(
            &format!("{metrics}.json"),
            json!({"friendly_name": "Storage Used", "unit": "GB"}),
        )
        .await;
    assert_eq!(twice.status, 422);
    assert!(error_keys(&twice.body).contains(&"system_name".to_owned()));
    let alias = api
        .post(
            &format!("{metrics}.json"),
            json!({"friendly_name": "Bandwidth", "unit": "MB", "name": "bw"}),
        )
        .await;
    assert_eq!(alias.status, 201, "{:?}", alias.body);
    assert_eq!(
        alias.body["metric"]["system_name"], "bw",
        "name aliases system_name"
    );
    assert_eq!(alias.body["metric"]["name"], "bw");

    // Methods: only under hits, unit inherited and not shown.
    let under_storage = api
        .post(
            &format!("{metrics}/{storage_id}/methods.json"),
            json!({"friendly_name": "Get X"}),
        )
        .await;
    assert_eq!(under_storage.status, 422);
    assert_eq!(
        under_storage.body,
        json!({"errors": {"parent_id": ["You can only create methods under 'hits'"]}})
    );
    let method = api
        .post(
            &format!("{metrics}/{hits}/methods.json"),
            json!({"method": {"friendly_name": "Get X"}}),
        )
        .await;
    assert_eq!(method.status, 201, "{:?}", method.body);
    let get_x = method.body["method"].clone();
    let get_x_id = get_x["id"].as_i64().unwrap();
    assert_eq!(
        method.location.as_deref(),
        Some(&*format!("{metrics}/{hits}/methods/{get_x_id}.json"))
    );
    assert_eq!(get_x["system_name"], "get_x");
    assert_eq!(get_x["name"], "get_x");
    assert_eq!(get_x["friendly_name"], "Get X");
    assert_eq!(get_x["parent_id"], hits);
    assert!(get_x.get("unit").is_none(), "a method has no unit");
    let duplicate = api
        .post(
            &format!("{metrics}/{hits}/methods.json"),
            json!({"friendly_name": "Get X"}),
        )
        .await;
    assert_eq!(duplicate.status, 422);
    assert!(error_keys(&duplicate.body).contains(&"system_name".to_owned()));
    let nameless = api
        .post(&format!("{metrics}/{hits}/methods.json"), json!({}))
        .await;
    assert_eq!(nameless.status, 422);
    assert_eq!(error_keys(&nameless.body), ["friendly_name"]);

    // The metric list holds the methods too, by id.
    let list = api.get(&format!("{metrics}.json")).await;
    let listed = ids(&list.body, "metrics", "metric");
    assert_eq!(listed.len(), 4);
    assert_ascending(&listed);
    let listed_method = list.body["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| &item["metric"])
        .find(|metric| metric["id"] == get_x_id)
        .unwrap();
    assert_eq!(listed_method["parent_id"], hits);
    let methods = api.get(&format!("{metrics}/{hits}/methods.json")).await;
    assert_eq!(methods.status, 200);
    assert_eq!(methods.body["methods"][0]["method"], get_x);
    let none = api
        .get(&format!("{metrics}/{storage_id}/methods.json"))
        .await;
    assert_eq!(none.body, json!({"methods": []}));
    let read_method = api
        .get(&format!("{metrics}/{hits}/methods/{get_x_id}.json"))
        .await;
    assert_eq!(read_method.status, 200);
    assert_eq!(read_method.body["method"], get_x);

    // Updates keep system_name; an echoed entity changes nothing else.
    let mut echoed = storage.clone();
    echoed["friendly_name"] = json!("Storage");
    echoed["system_name"] = json!("renamed");
    echoed["name"] = json!("renamed");
    echoed["id"] = json!(1);
    let updated = api
        .put(
            &format!("{metrics}/{storage_id}.json"),
            json!({ "metric": echoed }),
        )
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    assert_eq!(updated.body["metric"]["friendly_name"], "Storage");
    assert_eq!(updated.body["metric"]["system_name"], "storage_used");
    assert_eq!(updated.body["metric"]["name"], "storage_used");
    assert_eq!(updated.body["metric"]["id"], storage_id);
    assert_eq!(updated.body["metric"]["unit"], "GB");
    let unit = api
        .put(
            &format!("{metrics}/{storage_id}.json"),
            json!({"unit": "TB"}),
        )
        .await;
    assert_eq!(unit.body["metric"]["unit"], "TB");
    let blank = api
        .put(
            &format!("{metrics}/{storage_id}.json"),
            json!({"friendly_name": ""}),
        )
        .await;
    assert_eq!(blank.status, 422);
    assert_eq!(error_keys(&blank.body), ["friendly_name"]);
    let mut echoed_method = get_x.clone();
    echoed_method["friendly_name"] = json!("Get Everything");
    echoed_method["system_name"] = json!("other");
    echoed_method["unit"] = json!("zz");
    let method_updated = api
        .put(
            &format!("{metrics}/{hits}/methods/{get_x_id}.json"),
            echoed_method,
        )
        .await;
    assert_eq!(method_updated.status, 200, "{:?}", method_updated.body);
    assert_eq!(
        method_updated.body["method"]["friendly_name"],
        "Get Everything"
    );
    assert_eq!(method_updated.body["method"]["system_name"], "get_x");
    assert!(method_updated.body["method"].get("unit").is_none());

    // 404: unknown ids, a metric of another service, a method under another metric.
    for path in [
        format!("{metrics}/999999.json"),
        format!("/admin/api/services/{other}/metrics/{storage_id}.json"),
        format!("/admin/api/services/{other}/metrics/{hits}/methods.json"),
        format!("{metrics}/{storage_id}/methods/{get_x_id}.json"),
        format!("{metrics}/{hits}/methods/999999.json"),
        format!("{metrics}/{other_hits}/methods.json"),
        "/admin/api/services/999999/metrics.json".to_owned(),
    ] {
        let missing = api.get(&path).await;
        assert_eq!(missing.status, 404, "{path}");
        assert_eq!(missing.body, json!({"status": "Not found"}));
    }
    assert_eq!(
        api.post(
            &format!("/admin/api/services/{other}/metrics/{hits}/methods.json"),
            json!({"friendly_name": "Y"})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        api.put(
            &format!("/admin/api/services/{other}/metrics/{storage_id}.json"),
            json!({"friendly_name": "Y"})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        api.delete(&format!(
            "/admin/api/services/{other}/metrics/{storage_id}.json"
        ))
        .await
        .status,
        404
    );
    assert_eq!(
        api.post(
            "/admin/api/services/999999/metrics.json",
            json!({"friendly_name": "Y", "unit": "y"})
        )
        .await
        .status,
        404
    );

    // Deletes: hits is refused; the rest go, and are then 404.
    let refused = api.delete(&format!("{metrics}/{hits}.json")).await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.body,
        json!({"errors": {"base": ["The Hits metric cannot be deleted"]}})
    );
    let gone = api
        .delete(&format!("{metrics}/{hits}/methods/{get_x_id}.json"))
        .await;
    assert_eq!(gone.status, 200);
    assert_eq!(gone.body, Value::Null);
    assert_eq!(
        api.get(&format!("{metrics}/{hits}/methods/{get_x_id}.json"))
            .await
            .status,
        404
    );
    let gone = api.delete(&format!("{metrics}/{storage_id}.json")).await;
    assert_eq!(gone.status, 200);
    assert_eq!(
        api.get(&format!("{metrics}/{storage_id}.json"))
            .await
            .status,
        404
    );
    assert_eq!(
        ids(
            &api.get(&format!("{metrics}.json")).await.body,
            "metrics",
            "metric"
        )
        .len(),
        2
    );
}

// --- application plans -----------------------------------------------------------------------

#[tokio::test]
async fn application_plans_have_3scale_types_and_rules() {
    let api = Api::start().await;
    let (sid, _) = service(&api, "Maps").await;
    let (other, _) = service(&api, "Other").await;
    let plans = format!("/admin/api/services/{sid}/application_plans");

    let created = api
        .post(
            &format!("{plans}.json"),
            json!({"name": "Gold", "setup_fee": 50, "cost_per_month": "12", "trial_period_days": 3}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let gold = created.body["application_plan"].clone();
    let gold_id = gold["id"].as_i64().unwrap();
    assert_eq!(
        created.location.as_deref(),
        Some(&*format!("{plans}/{gold_id}.json"))
    );
    assert_eq!(gold["name"], "Gold");
    assert_eq!(gold["system_name"], "gold");
    assert_eq!(gold["state"], "hidden", "new plans are hidden");
    assert!(gold["setup_fee"].is_number() && gold["cost_per_month"].is_number());
    assert_eq!(gold["setup_fee"], 50.0);
    assert_eq!(gold["cost_per_month"], 12.0);
    assert_eq!(gold["trial_period_days"], 3);
    assert_eq!(gold["cancellation_period"], 0);
    assert_eq!(gold["approval_required"], false);
    assert_eq!(gold["default"], false);
    assert_eq!(gold["custom"], false);
    assert!(gold["links"].is_array());
    let read = api.get(&format!("{plans}/{gold_id}.json")).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["application_plan"], gold);

    let basic = plan(
        &api,
        sid,
        json!({"application_plan": {"name": "Basic", "system_name": "basic-v1",
            "state_event": "publish", "cost_per_month": 0.5}}),
    )
    .await;
    let basic_id = basic["id"].as_i64().unwrap();
    assert_eq!(basic["state"], "published");
    assert_eq!(basic["system_name"], "basic-v1");
    assert_eq!(basic["cost_per_month"], 0.5);
    assert_eq!(basic["setup_fee"], 0.0);
    let elsewhere = plan(&api, other, json!({"name": "Gold"})).await;
    let elsewhere_id = elsewhere["id"].as_i64().unwrap();

    // Lists: per service, and of every service; each item wrapped, by id.
    let listed = api.get(&format!("{plans}.json")).await;
    assert_eq!(listed.status, 200);
    assert_eq!(
        ids(&listed.body, "plans", "application_plan"),
        [gold_id, basic_id]
    );
    assert_eq!(listed.body["plans"][0]["application_plan"], gold);
    let all = api.get("/admin/api/application_plans.json").await;
    assert_eq!(all.status, 200);
    assert_eq!(
        ids(&all.body, "plans", "application_plan"),
        [gold_id, basic_id, elsewhere_id]
    );

    // Validation.
    for (body, field) in [
        (json!({}), "name"),
        (json!({"name": "X", "setup_fee": -1}), "setup_fee"),
        (
            json!({"name": "X", "cost_per_month": "abc"}),
            "cost_per_month",
        ),
        (
            json!({"name": "X", "trial_period_days": -2}),
            "trial_period_days",
        ),
        (json!({"name": "X", "state_event": "launch"}), "state_event"),
        (json!({"name": "Gold"}), "system_name"),
    ] {
        let refused = api.post(&format!("{plans}.json"), body.clone()).await;
        assert_eq!(refused.status, 422, "{body}");
        assert!(
            error_keys(&refused.body).contains(&field.to_owned()),
            "{body}: {}",
            refused.body
        );
    }

    // An echoed entity changes only what it changes.
    let mut echoed = gold.clone();
    echoed["cost_per_month"] = json!(15.5);
    echoed["name"] = json!("Gold+");
    echoed["system_name"] = json!("platinum");
    echoed["state"] = json!("published");
    echoed["default"] = json!(true);
    echoed["id"] = json!(1);
    echoed["custom"] = json!(true);
    let updated = api
        .put(
            &format!("{plans}/{gold_id}.json"),
            json!({ "application_plan": echoed }),
        )
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    let after = &updated.body["application_plan"];
    assert_eq!(after["cost_per_month"], 15.5);
    assert_eq!(after["name"], "Gold+");
    assert_eq!(after["system_name"], "gold");
    assert_eq!(after["state"], "hidden");
    assert_eq!(after["default"], false);
    assert_eq!(after["id"], gold_id);
    assert_eq!(after["setup_fee"], 50.0);
    assert_eq!(after["trial_period_days"], 3);
    let published = api
        .put(
            &format!("{plans}/{gold_id}.json"),
            json!({"state_event": "publish"}),
        )
        .await;
    assert_eq!(published.body["application_plan"]["state"], "published");
    let refused = api
        .put(&format!("{plans}/{gold_id}.json"), json!({"setup_fee": -3}))
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(error_keys(&refused.body), ["setup_fee"]);

    // Default.
    let default = api
        .put(&format!("{plans}/{gold_id}/default.json"), json!({}))
        .await;
    assert_eq!(default.status, 200, "{:?}", default.body);
    assert_eq!(default.body["application_plan"]["default"], true);
    let default = api
        .put(&format!("{plans}/{basic_id}/default.json"), json!({}))
        .await;
    assert_eq!(default.body["application_plan"]["default"], true);
    let gold_now = api.get(&format!("{plans}/{gold_id}.json")).await;
    assert_eq!(gold_now.body["application_plan"]["default"], false);

    // 404: unknown, another service's plan, and the routes porta does not have (§13).
    for path in [
        format!("{plans}/999999.json"),
        format!("{plans}/{elsewhere_id}.json"),
        format!("/admin/api/services/{other}/application_plans/{gold_id}.json"),
        "/admin/api/services/999999/application_plans.json".to_owned(),
        format!("/admin/api/application_plans/{gold_id}.json"),
    ] {
        let missing = api.get(&path).await;
        assert_eq!(missing.status, 404, "{path}");
        assert_eq!(missing.body, json!({"status": "Not found"}));
    }
    assert_eq!(
        api.put(
            &format!("{plans}/{elsewhere_id}.json"),
            json!({"name": "X"})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        api.put(&format!("{plans}/{elsewhere_id}/default.json"), json!({}))
            .await
            .status,
        404
    );
    assert_eq!(
        api.delete(&format!("{plans}/{elsewhere_id}.json"))
            .await
            .status,
        404
    );
    assert_eq!(
        api.post(
            "/admin/api/services/999999/application_plans.json",
            json!({"name": "X"})
        )
        .await
        .status,
        404
    );

    // A plan with an application cannot be deleted; an unused one can.
    let acme = buyer(&api, "Acme", None).await;
    api.rpc(
        "subscribe",
        json!({"account_id": acme, "plan_id": gold_id, "name": "App"}),
    )
    .await;
    let in_use = api.delete(&format!("{plans}/{gold_id}.json")).await;
    assert_eq!(in_use.status, 403);
    assert_eq!(
        in_use.body,
        json!({"errors": {"base": [
            "This application plan cannot be deleted! At least one application depends on it."
        ]}})
    );
    let deleted = api.delete(&format!("{plans}/{basic_id}.json")).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.body, Value::Null);
    assert_eq!(
        api.get(&format!("{plans}/{basic_id}.json")).await.status,
        404
    );

    // A service with applications goes with them, as in 3scale (api_tenant.rs).
    let deleted = api.delete(&format!("/admin/api/services/{sid}.json")).await;
    assert_eq!(deleted.status, 200, "{:?}", deleted.body);
    assert_eq!(
        api.get(&format!("{plans}/{gold_id}.json")).await.status,
        404
    );
}

// --- pricing rules ---------------------------------------------------------------------------

#[tokio::test]
async fn a_plans_description_and_approval_flag_are_kept() {
    let api = Api::start().await;
    let (sid, _) = service(&api, "Team API").await;
    let plans = format!("/admin/api/services/{sid}/application_plans");
    let created = plan(
        &api,
        sid,
        json!({"name": "Team", "description": "For teams of five", "approval_required": "true"}),
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["description"], "For teams of five");
    assert_eq!(created["approval_required"], true);
    let read = api.get(&format!("{plans}/{id}.json")).await;
    assert_eq!(read.body["application_plan"], created);

    // An update changes what it names; the rest stays.
    let updated = api
        .put(
            &format!("{plans}/{id}.json"),
            json!({"application_plan": {"approval_required": false}}),
        )
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    assert_eq!(updated.body["application_plan"]["approval_required"], false);
    assert_eq!(
        updated.body["application_plan"]["description"],
        "For teams of five"
    );
    let cleared = api
        .put(&format!("{plans}/{id}.json"), json!({"description": ""}))
        .await;
    assert_eq!(cleared.body["application_plan"]["description"], "");
    // The desktop sees what the API wrote.
    let engine = api.rpc("get_plan", json!({"id": id})).await;
    assert_eq!(
        (
            engine["description"].as_str(),
            engine["approval_required"].as_bool()
        ),
        (Some(""), Some(false))
    );

    let refused = api
        .put(
            &format!("{plans}/{id}.json"),
            json!({"approval_required": "perhaps"}),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(error_keys(&refused.body), ["approval_required"]);
}

#[tokio::test]
async fn pricing_rules_are_strings_ranges_and_scoped_to_the_plan() {
    let api = Api::start().await;
    let (sid, hits) = service(&api, "Maps").await;
    let (_, other_hits) = service(&api, "Other").await;
    let gold = plan(&api, sid, json!({"name": "Gold"})).await["id"]
        .as_i64()
        .unwrap();
    let silver = plan(&api, sid, json!({"name": "Silver"})).await["id"]
        .as_i64()
        .unwrap();
    let method = api
        .post(
            &format!("/admin/api/services/{sid}/metrics/{hits}/methods.json"),
            json!({"friendly_name": "Search"}),
        )
        .await
        .body["method"]["id"]
        .as_i64()
        .unwrap();
    let rules = format!("/admin/api/application_plans/{gold}/metrics/{hits}/pricing_rules");

    let first = api
        .post(
            &format!("{rules}.json"),
            json!({"min": 1, "max": 10, "cost_per_unit": 20}),
        )
        .await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    let rule = first.body["pricing_rule"].clone();
    let first_id = rule["id"].as_i64().unwrap();
    assert_eq!(
        first.location.as_deref(),
        Some(&*format!("{rules}/{first_id}.json"))
    );
    assert_eq!(rule["cost_per_unit"], "20.0", "cost_per_unit is a string");
    assert_eq!(rule["min"], 1);
    assert_eq!(rule["max"], 10);
    assert_eq!(rule["metric_id"], hits);
    assert!(rule["links"].is_array());
    let open = api
        .post(
            &format!("{rules}.json"),
            json!({"pricing_rule": {"min": "11", "cost_per_unit": "0.0500"}}),
        )
        .await;
    assert_eq!(open.status, 201, "{:?}", open.body);
    let open_rule = open.body["pricing_rule"].clone();
    assert_eq!(open_rule["cost_per_unit"], "0.05");
    assert!(open_rule.get("max").is_none(), "unbounded max is omitted");
    let on_method = api
        .post(
            &format!("/admin/api/application_plans/{gold}/metrics/{method}/pricing_rules.json"),
            json!({"min": 1, "cost_per_unit": "0.1"}),
        )
        .await;
    assert_eq!(on_method.status, 201, "{:?}", on_method.body);
    let on_silver = api
        .post(
            &format!("/admin/api/application_plans/{silver}/metrics/{hits}/pricing_rules.json"),
            json!({"min": 1, "cost_per_unit": "1"}),
        )
        .await;
    assert_eq!(on_silver.status, 201, "other plans have their own ranges");

    // Validation.
    for (body, field) in [
        (json!({"min": 5, "max": 20, "cost_per_unit": "1"}), "min"),
        (json!({"min": 0, "max": 0, "cost_per_unit": "1"}), "min"),
        (json!({"min": 30, "max": 20, "cost_per_unit": "1"}), "max"),
        (
            json!({"min": 1000, "cost_per_unit": "1.23456"}),
            "cost_per_unit",
        ),
        (json!({"min": 1000, "cost_per_unit": "-1"}), "cost_per_unit"),
        (
            json!({"min": 1000, "cost_per_unit": "abc"}),
            "cost_per_unit",
        ),
        (json!({"min": "many", "cost_per_unit": "1"}), "min"),
    ] {
        let refused = api.post(&format!("{rules}.json"), body.clone()).await;
        assert_eq!(refused.status, 422, "{body}: {}", refused.body);
        assert!(
            error_keys(&refused.body).contains(&field.to_owned()),
            "{body}: {}",
            refused.body
        );
    }
    let overlap = api
        .post(
            &format!("{rules}.json"),
            json!({"min": 5, "max": 20, "cost_per_unit": "1"}),
        )
        .await;
    assert_eq!(
        overlap.body,
        json!({"errors": {"min": [
            "The 'From' value must be greater than the 'To' values of other existing rules"
        ]}})
    );

    // Lists: per plan and metric, and the whole plan; by id.
    let per_metric = api.get(&format!("{rules}.json")).await;
    assert_eq!(per_metric.status, 200);
    assert_eq!(
        ids(&per_metric.body, "pricing_rules", "pricing_rule"),
        [first_id, open_rule["id"].as_i64().unwrap()]
    );
    assert_eq!(per_metric.body["pricing_rules"][0]["pricing_rule"], rule);
    let per_plan = api
        .get(&format!(
            "/admin/api/application_plans/{gold}/pricing_rules.json"
        ))
        .await;
    assert_eq!(per_plan.status, 200);
    let plan_ids = ids(&per_plan.body, "pricing_rules", "pricing_rule");
    assert_eq!(plan_ids.len(), 3);
    assert_ascending(&plan_ids);

    // 404: unknown plan, a metric of another service, a rule of another metric.
    for path in [
        "/admin/api/application_plans/999999/pricing_rules.json".to_owned(),
        format!("/admin/api/application_plans/999999/metrics/{hits}/pricing_rules.json"),
        format!("/admin/api/application_plans/{gold}/metrics/{other_hits}/pricing_rules.json"),
        format!("/admin/api/application_plans/{gold}/metrics/999999/pricing_rules.json"),
    ] {
        let missing = api.get(&path).await;
        assert_eq!(missing.status, 404, "{path}");
        assert_eq!(missing.body, json!({"status": "Not found"}));
    }
    let foreign = api
        .post(
            &format!("/admin/api/application_plans/{gold}/metrics/{other_hits}/pricing_rules.json"),
            json!({"min": 1, "cost_per_unit": "1"}),
        )
        .await;
    assert_eq!(foreign.status, 404);
    for path in [
        format!(
            "/admin/api/application_plans/{gold}/metrics/{method}/pricing_rules/{first_id}.json"
        ),
        format!(
            "/admin/api/application_plans/{silver}/metrics/{hits}/pricing_rules/{first_id}.json"
        ),
        format!("{rules}/999999.json"),
    ] {
        assert_eq!(api.delete(&path).await.status, 404, "{path}");
    }

    // Delete.
    let deleted = api.delete(&format!("{rules}/{first_id}.json")).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.body, Value::Null);
    let after = api.get(&format!("{rules}.json")).await;
    assert_eq!(
        ids(&after.body, "pricing_rules", "pricing_rule"),
        [open_rule["id"].as_i64().unwrap()]
    );
    assert_eq!(
        api.delete(&format!("{rules}/{first_id}.json")).await.status,
        404
    );
}

// --- auth ------------------------------------------------------------------------------------

#[tokio::test]
async fn every_catalogue_route_refuses_missing_tokens_wrong_scopes_and_read_only_writes() {
    let api = Api::start().await;
    let (sid, hits) = service(&api, "Maps").await;
    service(&api, "Spare").await;
    let metric = api
        .post(
            &format!("/admin/api/services/{sid}/metrics.json"),
            json!({"friendly_name": "Storage", "unit": "GB"}),
        )
        .await
        .body["metric"]["id"]
        .as_i64()
        .unwrap();
    let method = api
        .post(
            &format!("/admin/api/services/{sid}/metrics/{hits}/methods.json"),
            json!({"friendly_name": "Get"}),
        )
        .await
        .body["method"]["id"]
        .as_i64()
        .unwrap();
    let pid = plan(&api, sid, json!({"name": "Gold"})).await["id"]
        .as_i64()
        .unwrap();
    let rule = api
        .post(
            &format!("/admin/api/application_plans/{pid}/metrics/{hits}/pricing_rules.json"),
            json!({"min": 1, "cost_per_unit": "1"}),
        )
        .await
        .body["pricing_rule"]["id"]
        .as_i64()
        .unwrap();

    let service_path = format!("/admin/api/services/{sid}");
    let reads = [
        "/admin/api/services.json".to_owned(),
        format!("{service_path}.json"),
        format!("{service_path}/metrics.json"),
        format!("{service_path}/metrics/{metric}.json"),
        format!("{service_path}/metrics/{hits}/methods.json"),
        format!("{service_path}/metrics/{hits}/methods/{method}.json"),
        format!("{service_path}/application_plans.json"),
        format!("{service_path}/application_plans/{pid}.json"),
        "/admin/api/application_plans.json".to_owned(),
        format!("/admin/api/application_plans/{pid}/pricing_rules.json"),
        format!("/admin/api/application_plans/{pid}/metrics/{hits}/pricing_rules.json"),
    ];
    let writes = [
        (Method::POST, "/admin/api/services.json".to_owned()),
        (Method::PUT, format!("{service_path}.json")),
        (Method::DELETE, format!("{service_path}.json")),
        (Method::POST, format!("{service_path}/metrics.json")),
        (Method::PUT, format!("{service_path}/metrics/{metric}.json")),
        (
            Method::DELETE,
            format!("{service_path}/metrics/{metric}.json"),
        ),
        (
            Method::POST,
            format!("{service_path}/metrics/{hits}/methods.json"),
        ),
        (
            Method::PUT,
            format!("{service_path}/metrics/{hits}/methods/{method}.json"),
        ),
        (
            Method::DELETE,
            format!("{service_path}/metrics/{hits}/methods/{method}.json"),
        ),
        (
            Method::POST,
            format!("{service_path}/application_plans.json"),
        ),
        (
            Method::PUT,
            format!("{service_path}/application_plans/{pid}.json"),
        ),
        (
            Method::DELETE,
            format!("{service_path}/application_plans/{pid}.json"),
        ),
        (
            Method::PUT,
            format!("{service_path}/application_plans/{pid}/default.json"),
        ),
        (
            Method::POST,
            format!("/admin/api/application_plans/{pid}/metrics/{hits}/pricing_rules.json"),
        ),
        (
            Method::DELETE,
            format!("/admin/api/application_plans/{pid}/metrics/{hits}/pricing_rules/{rule}.json"),
        ),
    ];
    let denied = json!({"error": "Access denied"});
    let wrong = json!({"error": "Your access token does not have the correct permissions"});
    let everything = reads
        .iter()
        .map(|path| (Method::GET, path.clone()))
        .chain(writes.iter().cloned());
    for (method, path) in everything {
        let body = Some(json!({"name": "X"}));
        let anonymous = api.call(method.clone(), &path, None, body.clone()).await;
        assert_eq!(
            (anonymous.status, &anonymous.body),
            (403, &denied),
            "{method} {path}"
        );
        let unknown = api
            .call(method.clone(), &path, Some("not-a-token"), body.clone())
            .await;
        assert_eq!(
            (unknown.status, &unknown.body),
            (403, &denied),
            "{method} {path}"
        );
        let finance = api
            .call(method.clone(), &path, Some(&api.finance), body.clone())
            .await;
        assert_eq!(
            (finance.status, &finance.body),
            (403, &wrong),
            "finance scope on {method} {path}"
        );
        let read_only = api.call(method.clone(), &path, Some(&api.ro), body).await;
        if method == Method::GET {
            assert_eq!(
                read_only.status, 200,
                "ro reads {path}: {:?}",
                read_only.body
            );
        } else {
            assert_eq!(
                (read_only.status, &read_only.body),
                (403, &wrong),
                "ro writes {method} {path}"
            );
        }
    }
    // account_management alone is enough.
    for path in &reads {
        let admin = api.call(Method::GET, path, Some(&api.admin), None).await;
        assert_eq!(admin.status, 200, "{path}: {:?}", admin.body);
    }
    let admin_write = api
        .call(
            Method::POST,
            "/admin/api/services.json",
            Some(&api.admin),
            Some(json!({"name": "By admin"})),
        )
        .await;
    assert_eq!(admin_write.status, 201);

    // XML is not served.
    let xml = api.get(&format!("{service_path}.xml")).await;
    assert_eq!(xml.status, 406);
}
