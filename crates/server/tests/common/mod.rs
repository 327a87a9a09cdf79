//! A real server on 127.0.0.1 over a real book file, with tokens of every kind, for the API
//! tests. Setup goes through /rpc (the UI's transport) so tests exercise only public surfaces.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use chrono::{TimeZone, Utc};
use counterfoil_engine::{dispatch, Actor, Book, Clock};
use serde_json::{json, Value};

pub struct Api {
    pub base: String,
    pub client: reqwest::Client,
    /// account_management + finance, read-write.
    pub rw: String,
    /// account_management + finance, read-only.
    pub ro: String,
    /// finance only, read-write.
    pub finance: String,
    /// account_management only, read-write.
    pub admin: String,
    _dir: tempfile::TempDir,
}

/// An answer: status and body (`Value::Null` when empty).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub content_type: String,
    pub location: Option<String>,
}

impl Api {
    /// A fresh book (clock fixed at 2025-01-15 10:00 UTC) served on a free loopback port. It
    /// has no payment gateway, as a new book.
    pub async fn start() -> Api {
        Api::start_with(false).await
    }

    /// [`Api::start`] on a test book, which charges through the built-in test gateway.
    pub async fn start_with_test_gateway() -> Api {
        Api::start_with(true).await
    }

    async fn start_with(test_gateway: bool) -> Api {
        let dir = tempfile::tempdir().unwrap();
        let clock = Clock::simulated(Utc.with_ymd_and_hms(2025, 1, 15, 10, 0, 0).unwrap());
        let mut book = Book::open(&dir.path().join("api.book"), clock).unwrap();
        if test_gateway {
            book.use_test_gateway(&Actor::new("test")).unwrap();
        }
        let mut token = |scopes: Value, permission: &str| -> String {
            let made = dispatch(
                &mut book,
                &Actor::new("test"),
                "create_access_token",
                json!({"name": "test", "scopes": scopes, "permission": permission}),
            )
            .unwrap();
            made["value"].as_str().unwrap().to_owned()
        };
        let rw = token(json!(["account_management", "finance"]), "rw");
        let ro = token(json!(["account_management", "finance"]), "ro");
        let finance = token(json!(["finance"]), "rw");
        let admin = token(json!(["account_management"]), "rw");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = counterfoil_server::app(counterfoil_server::AppState::new(book, None));
        tokio::spawn(counterfoil_server::serve(listener, router));
        Api {
            base,
            client: reqwest::Client::new(),
            rw,
            ro,
            finance,
            admin,
            _dir: dir,
        }
    }

    /// Calls an engine operation through /rpc (setup), panicking on an error.
    pub async fn rpc(&self, operation: &str, input: Value) -> Value {
        let response = self
            .client
            .post(format!("{}/rpc/{operation}", self.base))
            .json(&input)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert!(status.is_success(), "{operation} failed: {body}");
        body
    }

    /// `method path` with `access_token=<token>` in the query (as 3scale's clients send it)
    /// and `body` as JSON.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let separator = if path.contains('?') { '&' } else { '?' };
        let url = match token {
            Some(token) => format!("{}{path}{separator}access_token={token}", self.base),
            None => format!("{}{path}", self.base),
        };
        let mut request = self.client.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(reqwest::Method::GET, path, Some(&self.rw), None)
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(reqwest::Method::POST, path, Some(&self.rw), Some(body))
            .await
    }

    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.call(reqwest::Method::PUT, path, Some(&self.rw), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.call(reqwest::Method::DELETE, path, Some(&self.rw), None)
            .await
    }
}

pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    assert!(
        response.headers().get("x-served-by").is_none(),
        "X-Served-By must never be sent"
    );
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    };
    Answer {
        status,
        body,
        content_type,
        location,
    }
}

/// A buyer (through /rpc); returns its id.
pub async fn buyer(api: &Api, name: &str, vat_rate: Option<&str>) -> i64 {
    let account = api
        .rpc(
            "create_account",
            json!({
                "org_name": name,
                "legal_address": {"line1": "1 Main St", "city": "Lisbon", "country": "Portugal"},
                "vat_rate": vat_rate,
                "monthly_billing_enabled": true,
                "monthly_charging_enabled": true,
            }),
        )
        .await;
    account["id"].as_str().unwrap().parse().unwrap()
}
