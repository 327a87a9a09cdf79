//! Several processes on one book, as they meet on a finance desk: `counterfoil serve`,
//! `counterfoil bill` from cron, the desktop app and a foreign SQLite reader (the `sqlite3`
//! shell, standing for a backup tool). Whatever is killed, a write that was acknowledged
//! stays, the book stays whole, and no day is billed twice.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
#![allow(clippy::disallowed_methods)] // the tests copy books only while no process has them open

mod common;

use common::{book_with_buyers, counterfoil, free_port, invoices_of, serve};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// POST /rpc/`operation`; the status and body, or None when no answer came (the server is
/// down or was killed mid-request: nothing was acknowledged).
fn post(port: u16, operation: &str, body: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    write!(
        stream,
        "POST /rpc/{operation} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.get(9..12)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n")?.1.to_owned();
    Some((status, body))
}

/// What the `sqlite3` shell prints for `sql` on `book`.
fn sqlite3(book: &Path, sql: &str) -> String {
    let output = Command::new("sqlite3")
        .arg("-batch")
        .arg(book)
        .arg(sql)
        .output()
        .expect("the sqlite3 shell (Debian package sqlite3) is installed");
    assert!(
        output.status.success(),
        "sqlite3 {sql}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

fn kill(child: &mut Child) {
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
}

#[test]
fn a_foreign_reader_never_costs_the_server_an_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("shared.book");
    let port = free_port();
    let mut server = serve(&book, port);

    let (status, body) = post(port, "create_service", r#"{"name":"SvcA"}"#).unwrap();
    assert_eq!(status, 200, "{body}");
    // A foreign reader opens the book and closes it while the server has it open (the new
    // book's own "API" service and SvcA).
    assert_eq!(sqlite3(&book, "SELECT count(*) FROM services"), "2");
    let (status, body) = post(port, "create_service", r#"{"name":"SvcB"}"#).unwrap();
    assert_eq!(status, 200, "SvcB was acknowledged: {body}");
    kill(&mut server);

    assert_eq!(sqlite3(&book, "PRAGMA integrity_check"), "ok");
    assert_eq!(
        sqlite3(
            &book,
            "SELECT group_concat(name, ',') FROM (SELECT name FROM services ORDER BY name)"
        ),
        "API,SvcA,SvcB",
        "the write acknowledged after the reader came and went is kept"
    );
}

/// The output of a child, gathered as it comes.
fn gather(stream: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&text);
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            let mut sink = sink.lock().unwrap();
            sink.push_str(&line);
            sink.push('\n');
        }
    });
    text
}

#[test]
fn two_bills_at_once_take_turns_and_bill_each_day_once() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("twice.book");
    let reference = dir.path().join("reference.book");
    book_with_buyers(&book, 40);
    std::fs::copy(&book, &reference).unwrap();
    let until = "2025-04-01T09:00:00Z";
    let bill = |path: &Path| {
        let mut child = counterfoil()
            .args(["bill", "--until", until, "--book"])
            .arg(path)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = gather(child.stdout.take().unwrap());
        let stderr = gather(child.stderr.take().unwrap());
        (child, stdout, stderr)
    };
    let (mut alone, _, _) = bill(&reference);
    assert!(alone.wait().unwrap().success());

    // Both start while the book is being billed elsewhere (this test holds the billing
    // lock), so both must wait; when it is released, they take turns.
    let mut holder =
        counterfoil_engine::Book::open(&book, counterfoil_engine::Clock::from_fn(chrono::Utc::now))
            .unwrap();
    let mut runs = Vec::new();
    holder
        .with_billing_lock(counterfoil_engine::LockWait::Refuse, |_| {
            runs = vec![bill(&book), bill(&book)];
            let started = Instant::now();
            while !runs
                .iter()
                .all(|(_, _, err)| err.lock().unwrap().contains("waiting"))
            {
                assert!(started.elapsed() < Duration::from_secs(60), "nobody waited");
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(())
        })
        .unwrap();
    drop(holder);

    let mut outputs = Vec::new();
    for (mut child, stdout, stderr) in runs {
        let status = child.wait().unwrap();
        std::thread::sleep(Duration::from_millis(50)); // the gatherers read the last lines
        let (stdout, stderr) = (
            stdout.lock().unwrap().clone(),
            stderr.lock().unwrap().clone(),
        );
        assert!(status.success(), "{stdout}{stderr}");
        assert!(!stderr.contains("Something went wrong"), "{stderr}");
        assert!(
            stderr.contains("waiting: the book is being billed by"),
            "the wait is explained: {stderr}"
        );
        outputs.push(stdout);
    }
    outputs.sort();
    assert!(
        outputs[0].starts_with("billed 87 day(s), 2025-01-05 to 2025-04-01"),
        "{outputs:?}"
    );
    assert!(outputs[1].starts_with("nothing to bill"), "{outputs:?}");
    assert_eq!(
        invoices_of(&book),
        invoices_of(&reference),
        "each day billed once"
    );
}

/// The desktop app's binary, built beside `counterfoil` (cargo builds the workspace's
/// binaries before its tests).
fn desktop_binary() -> PathBuf {
    let path = Path::new(env!("CARGO_BIN_EXE_counterfoil")).with_file_name("counterfoil-desktop");
    assert!(
        path.exists(),
        "{} is missing: build the workspace (cargo build --workspace) first",
        path.display()
    );
    path
}

/// A virtual X display for the desktop app, stopped when dropped.
struct Display {
    xvfb: Child,
    number: String,
}

impl Display {
    fn start() -> Display {
        let mut xvfb = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                "1024x768x24",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb (Debian package xvfb) is installed");
        let mut number = String::new();
        BufReader::new(xvfb.stdout.take().unwrap())
            .read_line(&mut number)
            .unwrap();
        Display {
            xvfb,
            number: number.trim().to_owned(),
        }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

fn desktop(book: &Path, display: &Display, home: &Path) -> Child {
    Command::new(desktop_binary())
        .arg("--book")
        .arg(book)
        .env("DISPLAY", format!(":{}", display.number))
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// A long-lived foreign reader: the sqlite3 shell, asked something every few milliseconds.
fn reader(book: &Path) -> Child {
    let mut shell = Command::new("sqlite3")
        .arg("-batch")
        .arg(book)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = shell.stdin.take().unwrap();
    std::thread::spawn(move || {
        let query = "SELECT count(*) FROM accounts; SELECT count(*), sum(cost) FROM line_items;\n";
        while input.write_all(query.as_bytes()).is_ok() {
            std::thread::sleep(Duration::from_millis(5));
        }
    });
    shell
}

#[test]
fn four_processes_on_one_book_lose_nothing_acknowledged_under_sigkills() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("shared.book");
    let reference = dir.path().join("reference.book");
    // Buyers since January 2025: catching up to today is a long run to kill.
    book_with_buyers(&book, 60);
    std::fs::copy(&book, &reference).unwrap();
    let display = Display::start();
    let port = free_port();

    // Acknowledged writes, through the server, as a client would record them.
    let ledger = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (ledger, stop) = (Arc::clone(&ledger), Arc::clone(&stop));
        std::thread::spawn(move || {
            let (mut attempts, mut refused, mut unanswered) = (0, 0, 0);
            while !stop.load(Ordering::SeqCst) {
                attempts += 1;
                let name = format!("Ledger {attempts}");
                let body = format!(r#"{{"org_name":"{name}"}}"#);
                match post(port, "create_account", &body) {
                    Some((200, _)) => ledger.lock().unwrap().push(name),
                    Some((status, body)) => {
                        // Refusals are plain and name what happened; never a crash.
                        assert!(status == 409, "{status} {body}");
                        refused += 1;
                        assert!(!body.contains("Something went wrong"), "{body}");
                    }
                    None => {
                        unanswered += 1;
                        std::thread::sleep(Duration::from_millis(20));
                    }
                }
            }
            (attempts, refused, unanswered)
        })
    };

    let bill = || {
        counterfoil()
            .args(["bill", "--book"])
            .arg(&book)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut server = serve(&book, port);
    let mut billing = bill();
    let mut app = desktop(&book, &display, dir.path());
    let mut foreign = reader(&book);

    for round in 0..24u64 {
        std::thread::sleep(Duration::from_millis(150 + (round * 7919) % 350));
        match round % 4 {
            0 => {
                kill(&mut server);
                server = serve(&book, port);
            }
            1 => {
                kill(&mut billing);
                billing = bill();
            }
            2 => {
                kill(&mut app);
                app = desktop(&book, &display, dir.path());
            }
            _ => {
                kill(&mut foreign);
                foreign = reader(&book);
            }
        }
    }
    stop.store(true, Ordering::SeqCst);
    let (attempts, refused, unanswered) = writer.join().unwrap();
    // The last word: everything is killed, none is asked to stop.
    for child in [&mut server, &mut billing, &mut app, &mut foreign] {
        kill(child);
    }
    drop(display);

    let acknowledged = ledger.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 20,
        "the server acknowledged writes throughout ({} of {attempts}; {refused} refused, \
         {unanswered} unanswered)",
        acknowledged.len()
    );
    assert_eq!(sqlite3(&book, "PRAGMA integrity_check"), "ok");
    let kept = sqlite3(
        &book,
        "SELECT org_name FROM accounts WHERE org_name LIKE 'Ledger %'",
    );
    let kept: std::collections::HashSet<&str> = kept.lines().collect();
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|name| !kept.contains(name.as_str()))
        .collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");

    // Finish the billing; the result is what one uninterrupted run gives.
    for path in [&book, &reference] {
        let status = counterfoil()
            .args(["bill", "--book"])
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    }
    let (shared, alone) = (invoices_of(&book), invoices_of(&reference));
    assert!(!alone.is_empty());
    assert_eq!(shared.len(), alone.len(), "no invoice lost or doubled");
    assert_eq!(
        shared, alone,
        "the same invoices, lines and payments: nothing billed twice"
    );
}
