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

/// Files the desktop asked the system viewer to show (the real viewer is not started in tests).
static VIEWED: std::sync::Mutex<Vec<std::path::PathBuf>> = std::sync::Mutex::new(Vec::new());

fn record_view(path: &std::path::Path) -> Result<(), String> {
    VIEWED.lock().unwrap().push(path.to_owned());
    Ok(())
}

impl Ipc {
    fn start(book: Book) -> Ipc {
        let app = counterfoil_desktop::with_book(mock_builder(), book, record_view)
            .build(counterfoil_desktop::context())
            .unwrap();
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        Ipc { _app: app, webview }
    }

    fn call(&self, op: &str, input: &Value) -> Answer {
        self.command("call", json!({"operation": op, "input": input}))
    }

    fn command(&self, command: &str, body: Value) -> Answer {
        let request = InvokeRequest {
            cmd: command.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(body),
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
    let service = same("create_service", json!({"name": "Maps"})).unwrap();
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
    let several = same(
        "create_account",
        json!({"org_name": "X", "vat_rate": "lots", "monthly_billing_enabled": "maybe"}),
    )
    .unwrap_err();
    assert_eq!(several["errors"].as_array().unwrap().len(), 2, "{several}");

    let listed = same("list_accounts", json!({"search": "ελληνική"})).unwrap();
    assert_eq!(listed["items"][0]["id"], account["id"]);
}

#[test]
fn the_desktop_opens_an_invoice_pdf_in_the_system_viewer() {
    let dir = tempfile::tempdir().unwrap();
    // The app's cache folder, where the copy handed to the viewer goes.
    std::env::set_var("XDG_CACHE_HOME", dir.path().join("cache"));
    let ipc = Ipc::start(fresh_book(&dir, "ipc.book"));
    let account = ipc
        .call("create_account", &json!({"org_name": "Müller & Søn GmbH"}))
        .unwrap();
    let invoice = ipc
        .call(
            "create_invoice",
            &json!({"account_id": account["id"], "period": "2025-04"}),
        )
        .unwrap();
    let id = invoice["invoice"]["id"].clone();
    let friendly_id = invoice["invoice"]["friendly_id"]
        .as_str()
        .unwrap()
        .to_owned();
    ipc.call(
        "add_line_item",
        &json!({"invoice_id": id, "name": "Fixed fee ('Pro')", "cost": "49"}),
    )
    .unwrap();
    assert_eq!(
        invoice["pdf"],
        Value::Null,
        "an open invoice has no PDF yet"
    );

    let opened = ipc.command("open_invoice_pdf", json!({"id": id})).unwrap();
    let path = std::path::PathBuf::from(opened.as_str().unwrap());
    assert_eq!(
        path.file_name().unwrap().to_str().unwrap(),
        format!("invoice-{friendly_id}.pdf")
    );
    assert!(
        VIEWED.lock().unwrap().contains(&path),
        "the viewer was asked to show it"
    );
    let text = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains(&friendly_id), "{text}");
    assert!(text.contains("Müller & Søn GmbH"), "{text}");

    // Opening it made and stored the PDF, as "Generate PDF" does.
    let detail = ipc.call("get_invoice", &json!({"id": id})).unwrap();
    assert!(detail["pdf"]["generated_at"].is_string(), "{detail}");
    let missing = ipc
        .command("open_invoice_pdf", json!({"id": "999"}))
        .unwrap_err();
    assert_eq!(missing["code"], "not_found");
}
