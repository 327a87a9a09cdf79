//! The same operations through both transports — the server's `POST /rpc/<op>` on a real
//! socket on 127.0.0.1, and the desktop's `call` command through Tauri's IPC (mock runtime,
//! the app's real capabilities) — give the same results and the same errors.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use chrono::{TimeZone, Utc};
use counterfoil_engine::{Book, Clock};
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;

fn fresh_book(dir: &tempfile::TempDir, name: &str) -> Book {
    let clock = Clock::simulated(Utc.with_ymd_and_hms(2025, 5, 5, 10, 0, 0).unwrap());
    Book::open(&dir.path().join(name), clock).unwrap()
}

/// What a transport answered: the output, or the error object.
type Answer = Result<Value, Value>;

struct Http {
    runtime: tokio::runtime::Runtime,
    base: String,
    client: reqwest::Client,
}

impl Http {
    fn start(book: Book) -> Http {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = counterfoil_server::app(counterfoil_server::AppState::new(book, None));
        runtime.spawn(counterfoil_server::serve(listener, router));
        Http {
            runtime,
            base,
            client: reqwest::Client::new(),
        }
    }

    fn call(&self, op: &str, input: &Value) -> Answer {
        self.runtime.block_on(async {
            let response = self
                .client
                .post(format!("{}/rpc/{op}", self.base))
                .json(input)
                .send()
                .await
                .unwrap();
            let ok = response.status().is_success();
            let body: Value = response.json().await.unwrap();
            if ok {
                Ok(body)
            } else {
                Err(body)
            }
        })
    }
}

struct Ipc {
    _app: tauri::App<tauri::test::MockRuntime>,
    webview: tauri::WebviewWindow<tauri::test::MockRuntime>,
}

impl Ipc {
    fn start(book: Book) -> Ipc {
        let app = counterfoil_desktop::with_book(mock_builder(), book)
            .build(counterfoil_desktop::context())
            .unwrap();
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        Ipc { _app: app, webview }
    }

    fn call(&self, op: &str, input: &Value) -> Answer {
        let request = InvokeRequest {
            cmd: "call".into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(json!({"operation": op, "input": input})),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.webview, request).map(|body| body.deserialize::<Value>().unwrap())
    }
}

#[test]
fn both_transports_give_the_same_results_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let http = Http::start(fresh_book(&dir, "http.book"));
    let ipc = Ipc::start(fresh_book(&dir, "ipc.book"));
    let same = |op: &str, input: Value| -> Answer {
        let over_http = http.call(op, &input);
        let over_ipc = ipc.call(op, &input);
        assert_eq!(over_http, over_ipc, "{op} {input}");
        over_http
    };

    let account = same(
        "create_account",
        json!({"org_name": "Ελληνική Α.Ε.", "vat_rate": "24"}),
    )
    .unwrap();
    assert_eq!(account["vat_rate"], "24");
    let service = same("create_service", json!({"name": "API"})).unwrap();
    let hits = same("list_metrics", json!({"service_id": service["id"]})).unwrap()[0].clone();
    let plan = same(
        "create_plan",
        json!({"service_id": service["id"], "name": "Pro",
        "setup_fee": "0", "cost_per_month": "49.90", "trial_period_days": 0, "state": "published"}),
    )
    .unwrap();
    let rule = json!({"plan_id": plan["id"], "metric_id": hits["id"], "min": 1, "max": 100,
        "cost_per_unit": "0.5"});
    same("create_pricing_rule", rule.clone()).unwrap();

    let overlap = same("create_pricing_rule", rule).unwrap_err();
    assert_eq!(overlap["code"], "validation");
    assert_eq!(overlap["field"], "min");
    let missing = same("get_account", json!({"id": "999"})).unwrap_err();
    assert_eq!(missing["code"], "not_found");
    let unknown = same("drop_everything", json!({})).unwrap_err();
    assert_eq!(unknown["code"], "not_found");

    let listed = same("list_accounts", json!({"search": "ελληνική"})).unwrap();
    assert_eq!(listed["items"][0]["id"], account["id"]);
}
