//! Sync's HTTP surface beyond what the engine tests: bodies travel gzipped both ways when the
//! two sides say so (docs/sync.md "Transport and access").

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use common::Api;
use counterfoil_engine::sync::protocol::PROTOCOL;
use counterfoil_engine::SCHEMA_VERSION;
use serde_json::{json, Value};
use std::io::{Read, Write};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[tokio::test]
async fn a_pull_answers_gzipped_and_a_gzipped_push_is_read() {
    let api = Api::start().await;
    let token = api
        .rpc(
            "create_access_token",
            json!({"name": "desk", "scopes": ["sync"], "permission": "rw"}),
        )
        .await["value"]
        .as_str()
        .unwrap()
        .to_owned();
    // Without reqwest's own decompression, to see what travels.
    let client = reqwest::Client::builder().no_gzip().build().unwrap();
    let pull_body = json!({"protocol": PROTOCOL, "schema": SCHEMA_VERSION, "cursor": 0});
    // The first sync request makes the book a server: its changes from then on are in the feed.
    let first = client
        .post(format!("{}/sync/v1/pull", api.base))
        .bearer_auth(&token)
        .json(&pull_body)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    for n in 0..200 {
        api.rpc(
            "create_account",
            json!({"org_name": format!("Buyer number {n}")}),
        )
        .await;
    }

    let pull = client
        .post(format!("{}/sync/v1/pull", api.base))
        .bearer_auth(&token)
        .header("accept-encoding", "gzip")
        .json(&pull_body)
        .send()
        .await
        .unwrap();
    assert_eq!(pull.status(), 200);
    assert_eq!(pull.headers()["content-encoding"], "gzip");
    let sent = pull.bytes().await.unwrap();
    let page: Value = serde_json::from_slice(&gunzip(&sent)).unwrap();
    let plain = serde_json::to_vec(&page).unwrap();
    assert!(
        sent.len() * 3 < plain.len(),
        "gzip takes the rows to under a third: {} of {} bytes",
        sent.len(),
        plain.len()
    );

    let entries: Vec<Value> = (0..100)
        .map(|seq| {
            json!({"op_id": format!("desk-{seq}"), "seq": seq, "operation": "create_account",
                   "input": {"org_name": format!("Made on the desk {seq}")}, "actor": "ann",
                   "performed_at": "2025-01-15T10:00:00Z", "provisional": {}, "base": []})
        })
        .collect();
    let body = serde_json::to_vec(
        &json!({"protocol": PROTOCOL, "schema": SCHEMA_VERSION, "entries": entries}),
    )
    .unwrap();
    let push = client
        .post(format!("{}/sync/v1/push", api.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(gzip(&body))
        .send()
        .await
        .unwrap();
    assert_eq!(push.status(), 200);
    let answer: Value = push.json().await.unwrap();
    let outcomes = answer["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 100);
    assert!(
        outcomes
            .iter()
            .all(|outcome| outcome["outcome"] == "applied"),
        "every entry applied: {answer}"
    );
    let listed = api
        .rpc(
            "list_accounts",
            json!({"search": "Made on the desk", "per_page": 1}),
        )
        .await;
    assert_eq!(listed["total"], 100);
}
