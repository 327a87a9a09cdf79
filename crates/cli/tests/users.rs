//! `counterfoil user add` and `user list`, and `serve` beyond loopback, which needs a user
//! and then a signed-in session for /rpc.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const PASSWORD: &str = "correct horse battery staple";

fn counterfoil() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_counterfoil"));
    command.env_remove("COUNTERFOIL_PASSWORD");
    command
}

fn add_user(book: &Path, username: &str, password: &str, scopes: &str, permission: &str) -> Output {
    counterfoil()
        .args(["user", "add", "--book"])
        .arg(book)
        .args([
            "--username",
            username,
            "--scopes",
            scopes,
            "--permission",
            permission,
        ])
        .env("COUNTERFOIL_PASSWORD", password)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn users_are_added_with_the_password_from_the_environment_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("users.book");

    let added = add_user(&book, "ana", PASSWORD, "finance,account_management", "rw");
    assert!(added.status.success(), "{added:?}");
    let stdout = String::from_utf8(added.stdout).unwrap();
    assert!(stdout.contains("\"ana\" added"), "{stdout}");
    assert!(stdout.contains("read and write"), "{stdout}");

    let again = add_user(&book, "ANA", "another long password", "finance", "ro");
    assert!(!again.status.success());
    let stderr = String::from_utf8(again.stderr).unwrap();
    assert!(stderr.contains("already been taken"), "{stderr}");

    let short = add_user(&book, "bob", "short", "finance", "ro");
    assert!(!short.status.success());
    let stderr = String::from_utf8(short.stderr).unwrap();
    assert!(stderr.contains("at least 12 characters"), "{stderr}");

    let bad_scope = add_user(&book, "bob", PASSWORD, "root", "ro");
    assert!(!bad_scope.status.success(), "clap refuses unknown scopes");

    let list = counterfoil()
        .args(["user", "list", "--book"])
        .arg(&book)
        .output()
        .unwrap();
    assert!(list.status.success());
    let text = String::from_utf8(list.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.contains("ana") && text.contains("account_management,finance"),
        "{text}"
    );
    assert!(!text.contains(PASSWORD));
}

#[test]
fn serve_beyond_loopback_starts_once_a_user_exists_and_wants_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("served.book");
    let added = add_user(&book, "ana", PASSWORD, "account_management", "ro");
    assert!(added.status.success(), "{added:?}");

    let mut server = Running(
        counterfoil()
            .args(["serve", "--listen", "0.0.0.0:0", "--book"])
            .arg(&book)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut log = BufReader::new(server.0.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("is serving") {
        line.clear();
        assert!(
            log.read_line(&mut line).unwrap() > 0,
            "serve exited before listening"
        );
    }
    // Beyond loopback only TLS, with the certificate whose fingerprint the log gives.
    let fingerprint = line
        .split("fingerprint ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no fingerprint in {line}"))
        .to_owned();
    let port: u16 = line
        .split("https://0.0.0.0:")
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|digits| digits.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line}"));
    std::thread::spawn(move || std::io::copy(&mut log, &mut std::io::sink()));
    let http = |request_line: &str, headers: &str, body: &str| {
        https(port, &fingerprint, request_line, headers, body)
    };

    let refused = http("POST /rpc/list_accounts", "", "{}");
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");

    let credentials = format!(r#"{{"username":"ana","password":"{PASSWORD}"}}"#);
    let signed_in = http("POST /session", "", &credentials);
    assert!(signed_in.starts_with("HTTP/1.1 200"), "{signed_in}");
    let cookie = signed_in
        .lines()
        .find_map(|line| line.strip_prefix("set-cookie: "))
        .and_then(|value| value.split(';').next())
        .unwrap_or_else(|| panic!("no cookie in {signed_in}"))
        .to_owned();
    assert!(
        signed_in.contains("; Secure"),
        "over TLS the cookie never travels in clear: {signed_in}"
    );
    let listed = http(
        "POST /rpc/list_accounts",
        &format!("Cookie: {cookie}\r\n"),
        "{}",
    );
    assert!(listed.starts_with("HTTP/1.1 200"), "{listed}");
    let write = http(
        "POST /rpc/create_account",
        &format!("Cookie: {cookie}\r\n"),
        r#"{"org_name":"Acme"}"#,
    );
    assert!(
        write.starts_with("HTTP/1.1 403"),
        "a read-only user: {write}"
    );

    let status = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(server.0.wait().unwrap().success());
}

/// A request over TLS, trusting only the certificate with `fingerprint` (as a linked desktop
/// does); the whole answer as text.
fn https(port: u16, fingerprint: &str, request_line: &str, headers: &str, body: &str) -> String {
    let config = counterfoil_server::tls::pinned_client_config(fingerprint).unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let connection = rustls::ClientConnection::new(std::sync::Arc::new(config), name).unwrap();
    let socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut stream = rustls::StreamOwned::new(connection, socket);
    write!(
        stream,
        "{request_line} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         {headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    match stream.read_to_string(&mut response) {
        Ok(_) => {}
        // The server closes without TLS's close_notify after a `Connection: close` answer.
        Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => {}
        Err(error) => panic!("{request_line}: {error}"),
    }
    response
}

/// The server this test started, killed if the test fails before stopping it.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn run(book: &Path, args: &[&str], password: Option<&str>) -> (bool, String, String) {
    let mut command = counterfoil();
    command
        .args(args)
        .arg("--book")
        .arg(book)
        .stdin(Stdio::null());
    if let Some(password) = password {
        command.env("COUNTERFOIL_PASSWORD", password);
    }
    let output = command.output().unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn users_are_disabled_enabled_given_a_password_and_removed_through_the_operations() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("people.book");
    assert!(
        add_user(&book, "ana", PASSWORD, "finance,account_management", "rw")
            .status
            .success()
    );
    assert!(add_user(&book, "bob", PASSWORD, "finance", "ro")
        .status
        .success());

    let (ok, out, _) = run(&book, &["user", "disable", "--username", "BOB"], None);
    assert!(ok);
    assert!(out.contains("\"bob\" disabled"), "{out}");
    let (_, list, _) = run(&book, &["user", "list"], None);
    let bob = list.lines().find(|line| line.contains("bob")).unwrap();
    assert!(bob.ends_with("disabled"), "{list}");
    let (ok, out, _) = run(&book, &["user", "enable", "--username", "bob"], None);
    assert!(ok && out.contains("enabled"), "{out}");

    let (ok, out, _) = run(
        &book,
        &["user", "password", "--username", "bob"],
        Some("a brand new password"),
    );
    assert!(ok && out.contains("given a new password"), "{out}");
    let (ok, _, err) = run(
        &book,
        &["user", "password", "--username", "bob"],
        Some("short"),
    );
    assert!(!ok && err.contains("at least 12 characters"), "{err}");

    // The last person who may manage people stays.
    let (ok, _, err) = run(&book, &["user", "remove", "--username", "ana"], None);
    assert!(
        !ok && err.contains("last person who may manage people"),
        "{err}"
    );
    let (ok, out, _) = run(&book, &["user", "remove", "--username", "bob"], None);
    assert!(ok && out.contains("removed"), "{out}");
    let (ok, _, err) = run(&book, &["user", "remove", "--username", "bob"], None);
    assert!(!ok && err.contains("there is no user \"bob\""), "{err}");
    let (_, list, _) = run(&book, &["user", "list"], None);
    assert_eq!(list.lines().count(), 1, "{list}");
    assert!(!list.contains(PASSWORD) && !list.contains("brand new"));
}

#[test]
fn tokens_are_made_listed_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("tokens.book");
    let (ok, value, err) = run(
        &book,
        &[
            "token",
            "create",
            "--name",
            "Exports",
            "--scopes",
            "finance",
            "--permission",
            "ro",
        ],
        None,
    );
    assert!(ok, "{err}");
    let value = value.trim().to_owned();
    assert_eq!(value.len(), 96);
    let (_, list, _) = run(&book, &["token", "list"], None);
    assert!(
        list.contains("Exports") && list.contains("never expires"),
        "{list}"
    );
    assert!(!list.contains(&value), "a token's value is shown once only");
    let id = list.split('\t').next().unwrap().to_owned();
    let (ok, out, _) = run(&book, &["token", "revoke", "--id", &id], None);
    assert!(ok && out.contains("\"Exports\" revoked"), "{out}");
    let (_, list, _) = run(&book, &["token", "list"], None);
    assert!(list.contains("no tokens"), "{list}");
}

#[test]
fn a_new_book_becomes_a_test_book() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("test.book");
    let (ok, out, err) = run(&book, &["test-book"], None);
    assert!(ok, "{err}");
    assert!(
        out.contains("is a test book") && out.contains("no money moves"),
        "{out}"
    );
    let (ok, _, _) = run(&book, &["test-book"], None);
    assert!(ok, "again: nothing changes");
}
