//! The `counterfoil` command as a user runs it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

fn counterfoil() -> Command {
    Command::new(env!("CARGO_BIN_EXE_counterfoil"))
}

#[test]
fn version_and_help() {
    let version = counterfoil().arg("--version").output().unwrap();
    assert!(version.status.success());
    assert_eq!(
        String::from_utf8(version.stdout).unwrap().trim(),
        format!("counterfoil {}", env!("CARGO_PKG_VERSION"))
    );
    let help = counterfoil().args(["serve", "--help"]).output().unwrap();
    let text = String::from_utf8(help.stdout).unwrap();
    for flag in ["--book", "--listen", "--ui"] {
        assert!(text.contains(flag), "serve --help mentions {flag}:\n{text}");
    }
}

#[test]
fn serve_refuses_addresses_other_than_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("never.book");
    let output = counterfoil()
        .args(["serve", "--listen", "0.0.0.0:0", "--book"])
        .arg(&book)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8(output.stderr)
        .unwrap()
        .contains("refusing to listen on 0.0.0.0:0"));
    assert!(
        !book.exists(),
        "nothing is created when serve refuses to start"
    );
}

#[test]
fn serve_answers_rpc_on_loopback_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = counterfoil()
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--book"])
        .arg(dir.path().join("served.book"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = BufReader::new(server.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("is serving") {
        line.clear();
        assert!(
            log.read_line(&mut line).unwrap() > 0,
            "serve exited before listening"
        );
    }

    let body = r#"{"org_name":"Via the CLI"}"#;
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "POST /rpc/create_account HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains(r#""org_name":"Via the CLI""#),
        "{response}"
    );

    let status = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(
        server.wait().unwrap().success(),
        "a graceful shutdown exits 0"
    );
}

#[test]
fn usage_import_is_all_or_nothing_and_names_the_first_bad_row() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("usage.book");
    // Build the catalogue through the server's own dispatcher on the same book file.
    {
        use counterfoil_engine::{dispatch, Actor, Book, Clock};
        let mut b = Book::open(&book, Clock::from_fn(chrono::Utc::now)).unwrap();
        let actor = Actor::new("test");
        let mut call =
            |op: &str, input: serde_json::Value| dispatch(&mut b, &actor, op, input).unwrap();
        let service = call("create_service", serde_json::json!({"name": "API"}));
        let plan = call(
            "create_plan",
            serde_json::json!({"service_id": service["id"], "name": "Pro",
            "setup_fee": "0", "cost_per_month": "1", "trial_period_days": 0, "state": "published"}),
        );
        let account = call("create_account", serde_json::json!({"org_name": "Buyer"}));
        call(
            "subscribe",
            serde_json::json!({"account_id": account["id"], "plan_id": plan["id"], "name": "App"}),
        );
    }
    std::thread::sleep(std::time::Duration::from_millis(1100)); // usage after the signup second
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!("application,metric,timestamp,value\n1,hits,{now},5\n1,hits,{now},lots\n"),
    )
    .unwrap();
    let output = counterfoil()
        .args(["usage", "import", "--book"])
        .arg(&book)
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("Row 2: \"lots\" is not a whole number"),
        "{stderr}"
    );

    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        format!("application,metric,timestamp,value\n1,hits,{now},5\n1, hits ,{now},7\n"),
    )
    .unwrap();
    let output = counterfoil()
        .args(["usage", "import", "--book"])
        .arg(&book)
        .arg(&good)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().trim(),
        "imported 2 usage records"
    );
}
