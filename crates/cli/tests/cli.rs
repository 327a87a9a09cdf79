//! The `counterfoil` command as a user runs it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
#![allow(clippy::disallowed_methods)] // fixtures, and books copied after their process ended

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

mod common;

use common::{billing_jobs_done, book_with_buyers, counterfoil, invoices_of};

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
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("refusing to listen on 0.0.0.0:0"),
        "{stderr}"
    );
    assert!(stderr.contains("counterfoil user add"), "{stderr}");
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
    book_with_buyers(&book, 1);
    let import = |name: &str, rows: &str| {
        let file = dir.path().join(name);
        std::fs::write(&file, format!("application,metric,timestamp,value\n{rows}")).unwrap();
        counterfoil()
            .args(["usage", "import", "--book"])
            .arg(&book)
            .arg(&file)
            .output()
            .unwrap()
    };
    let at = "2025-03-10T12:00:00Z";

    let bad = import("bad.csv", &format!("1,hits,{at},5\n1,hits,{at},lots\n"));
    assert!(!bad.status.success());
    let stderr = String::from_utf8(bad.stderr).unwrap();
    assert!(
        stderr.contains("Row 2: \"lots\" is not a whole number"),
        "{stderr}"
    );

    let good = import("good.csv", &format!("1,hits,{at},5\n1, hits ,{at},7\n"));
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert_eq!(
        String::from_utf8(good.stdout).unwrap().trim(),
        "imported 2 usage records"
    );
}

#[test]
fn a_european_spreadsheet_file_with_idempotency_keys_imports_once() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("usage.book");
    book_with_buyers(&book, 1);
    // As European Excel saves a CSV: a byte-order mark, `;` between fields, decimal commas.
    let file = dir.path().join("excel.csv");
    std::fs::write(
        &file,
        "\u{feff}Idempotency_key;application;metric;timestamp;value\r\n\
         m-1;1;hits;2025-03-10T12:00:00Z;5,0\r\n\
         m-2;1;hits;2025-03-10T13:00:00Z;7\r\n",
    )
    .unwrap();
    let import = || {
        counterfoil()
            .args(["usage", "import", "--book"])
            .arg(&book)
            .arg(&file)
            .output()
            .unwrap()
    };
    let first = import();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(
        String::from_utf8(first.stdout).unwrap().trim(),
        "imported 2 usage records"
    );
    let again = import();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(
        String::from_utf8(again.stdout).unwrap().trim(),
        "imported 0 usage records\n2 rows were imported before (their idempotency key is taken) \
         and were not recorded again"
    );
}

#[test]
fn bill_catches_up_and_a_second_run_bills_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("bill.book");
    book_with_buyers(&book, 3);
    let run = || {
        let output = counterfoil()
            .args(["bill", "--until", "2025-03-01T09:00:00Z", "--book"])
            .arg(&book)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let first = run();
    assert!(
        first.starts_with("billed 56 day(s), 2025-01-05 to 2025-03-01: "),
        "{first}"
    );
    assert_eq!(
        run().trim(),
        "nothing to bill: every day up to 2025-03-01 09:00:00 UTC is done"
    );
}

#[test]
fn a_billing_run_killed_at_random_moments_ends_with_the_same_book() {
    let dir = tempfile::tempdir().unwrap();
    let crashed = dir.path().join("crashed.book");
    let reference = dir.path().join("reference.book");
    book_with_buyers(&crashed, 120);
    std::fs::copy(&crashed, &reference).unwrap();
    let until = "2025-04-01T09:00:00Z";
    let bill = |book: &std::path::Path| {
        counterfoil()
            .args(["bill", "--until", until, "--book"])
            .arg(book)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };

    let started = std::time::Instant::now();
    assert!(bill(&reference).wait().unwrap().success());
    let full_run = started.elapsed();
    let total_jobs = billing_jobs_done(&reference);

    // SIGKILL at deterministic pseudo-random moments. Each run resumes where the last one died,
    // so the moments are drawn from a twelfth of a full run to keep most kills mid-catch-up.
    let mut killed_while_running = 0;
    let mut progress = Vec::new();
    for kill in 0..20u32 {
        let mut child = bill(&crashed);
        let fraction = f64::from((kill * 7919 + 13) % 100) / 100.0;
        std::thread::sleep(full_run.mul_f64(fraction / 12.0));
        if child.try_wait().unwrap().is_none() {
            killed_while_running += 1;
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        progress.push(billing_jobs_done(&crashed));
    }
    assert!(
        killed_while_running >= 15,
        "only {killed_while_running} of 20 kills hit a running catch-up"
    );
    assert!(
        progress.last() < Some(&total_jobs),
        "the kills left work to do: {progress:?}"
    );
    assert!(bill(&crashed).wait().unwrap().success());

    let (after_crashes, uninterrupted) = (invoices_of(&crashed), invoices_of(&reference));
    assert!(!uninterrupted.is_empty());
    assert_eq!(
        after_crashes.len(),
        uninterrupted.len(),
        "no invoice lost or doubled"
    );
    assert_eq!(
        after_crashes, uninterrupted,
        "the same invoices, lines and payments"
    );
}

#[test]
fn op_runs_one_operation_and_prints_its_answer_or_its_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("ops.book");
    let op = |args: &[&str]| {
        let output = counterfoil()
            .arg("op")
            .args(args)
            .arg("--book")
            .arg(&book)
            .output()
            .unwrap();
        let answer: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {output:?}"));
        (output.status.code(), answer)
    };

    let (status, created) = op(&[
        "create_account",
        r#"{"org_name": "Acme Analytics", "vat_rate": "22"}"#,
    ]);
    assert_eq!(status, Some(0));
    assert_eq!(created["org_name"], "Acme Analytics");
    assert_eq!(created["vat_rate"], "22");

    // No input is `{}`; a read answers as the UI's call would.
    let (status, listed) = op(&["list_accounts"]);
    assert_eq!(status, Some(0));
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["id"], created["id"]);

    // A refusal names its field and exits 1; nothing is written.
    let (status, refused) = op(&["create_account", r#"{"org_name": "  "}"#]);
    assert_eq!(status, Some(1));
    assert_eq!(refused["code"], "validation");
    assert_eq!(refused["field"], "org_name");
    assert!(
        refused["message"].as_str().unwrap().contains("blank"),
        "{refused}"
    );
    assert_eq!(op(&["list_accounts"]).1["total"], 1);

    let (status, unknown) = op(&["make_money", "{}"]);
    assert_eq!(status, Some(1));
    assert_eq!(unknown["code"], "not_found");
    let (status, not_json) = op(&["list_accounts", "{nope"]);
    assert_eq!(status, Some(1));
    assert_eq!(not_json["field"], "input");

    // `-` reads the input from standard input.
    let mut child = counterfoil()
        .args(["op", "get_account", "-", "--book"])
        .arg(&book)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    write!(
        child.stdin.take().unwrap(),
        r#"{{"id": {}}}"#,
        created["id"]
    )
    .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let read: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(read["org_name"], "Acme Analytics");
}

/// `serve --tls` on loopback, until it says where it serves; returns it and the fingerprint
/// it printed.
fn serve_tls(book: &std::path::Path, port: u16) -> (std::process::Child, String) {
    let mut server = counterfoil()
        .args([
            "serve",
            "--tls",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--book",
        ])
        .arg(book)
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
    assert!(
        line.contains(&format!("https://127.0.0.1:{port}/")),
        "{line}"
    );
    let fingerprint = line
        .split("fingerprint ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no fingerprint in {line}"))
        .to_owned();
    // The rest of the log is not read; it must not fill the pipe and block the server.
    std::thread::spawn(move || std::io::copy(&mut log, &mut std::io::sink()));
    (server, fingerprint)
}

/// POST /rpc/<operation> over TLS, trusting only the certificate with `fingerprint`.
fn pinned_rpc(port: u16, fingerprint: &str, operation: &str, body: &str) -> Result<String, String> {
    let config =
        counterfoil_server::tls::pinned_client_config(fingerprint).map_err(|e| e.to_string())?;
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let connection = rustls::ClientConnection::new(std::sync::Arc::new(config), name).unwrap();
    let socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut stream = rustls::StreamOwned::new(connection, socket);
    write!(
        stream,
        "POST /rpc/{operation} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| e.to_string())?;
    let mut response = String::new();
    match stream.read_to_string(&mut response) {
        Ok(_) => Ok(response),
        // The server closes without TLS's close_notify after a `Connection: close` answer.
        Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof && !response.is_empty() => {
            Ok(response)
        }
        Err(error) => Err(error.to_string()),
    }
}

#[test]
fn serve_tls_presents_a_self_signed_certificate_that_a_pinned_client_trusts() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("served.book");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (mut server, fingerprint) = serve_tls(&book, port);
    assert_eq!(fingerprint.len(), 32 * 3 - 1, "AB:CD:… ({fingerprint})");

    // Made on first start, beside the book; the key readable by its owner only.
    let key = dir.path().join("served.book.tls-key.pem");
    assert!(dir.path().join("served.book.tls-cert.pem").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    let created = pinned_rpc(
        port,
        &fingerprint,
        "create_account",
        r#"{"org_name":"Over TLS"}"#,
    )
    .unwrap();
    assert!(created.starts_with("HTTP/1.1 200"), "{created}");
    assert!(created.contains(r#""org_name":"Over TLS""#), "{created}");

    // Another certificate (here: another fingerprint) is refused before anything is sent.
    let impostor = ["00"; 32].join(":");
    let refused = pinned_rpc(port, &impostor, "list_accounts", "{}").unwrap_err();
    assert!(refused.contains("not the one pinned"), "{refused}");
    // Plain http gets no answer from a TLS port.
    let mut plain = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        plain,
        "GET /rpc/list_accounts HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    let _ = plain.read_to_end(&mut answer);
    assert!(!String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));

    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(server.wait().unwrap().success());

    // The next start presents the same certificate: a pinned desktop keeps trusting it.
    let (mut again, same) = serve_tls(&book, port);
    assert_eq!(same, fingerprint);
    let listed = pinned_rpc(port, &fingerprint, "list_accounts", "{}").unwrap();
    assert!(listed.contains("Over TLS"), "{listed}");
    Command::new("kill")
        .args(["-TERM", &again.id().to_string()])
        .status()
        .unwrap();
    assert!(again.wait().unwrap().success());
}
