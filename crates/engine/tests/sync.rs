//! Sync in one process (docs/sync.md): a server book and two desktops' linked copies, changes
//! made offline on both, a transport that loses requests and answers and sends some twice,
//! desktops closed between any two transactions, and the server's daily billing. After
//! everyone has synced: the replicated tables are equal everywhere, every change was applied
//! once or is listed as refused on the desktop that made it, nothing is lost or doubled, and
//! automatic invoice numbers have no gaps or repeats.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use chrono::{DateTime, Duration, TimeZone, Utc};
use counterfoil_engine::model::*;
use counterfoil_engine::sync::desktop::{self, LinkSettings, Transport, TransportError};
use counterfoil_engine::sync::protocol::{PullPage, PullRequest, PushAnswer, PushRequest};
use counterfoil_engine::sync::{server, Role};
use counterfoil_engine::{dispatch, op, run_billing_until, Actor, Book, Clock, ErrorCode};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const REPLICATED: &[&str] = &[
    "settings",
    "services",
    "metrics",
    "plans",
    "pricing_rules",
    "accounts",
    "buyer_users",
    "applications",
    "plan_changes",
    "usage_records",
    "audit_log",
    "invoice_counters",
    "invoices",
    "line_items",
    "payment_transactions",
    "billing_jobs",
    "earnings_by_period",
    "invoice_pdfs",
];

/// What goes wrong on the way, for one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    /// The request never arrives.
    LoseRequest,
    /// The server acts, but the answer never arrives.
    LoseAnswer,
    /// The request arrives twice (a retry after a timeout that was only slow).
    Twice,
}

/// The network between one desktop and the server: the server's book itself, each call
/// through JSON as over HTTP, with the faults of a script.
struct Net<'s> {
    server: &'s mut Book,
    device: String,
    faults: Vec<Fault>,
}

impl Net<'_> {
    fn next_fault(&mut self) -> Fault {
        if self.faults.is_empty() {
            Fault::None
        } else {
            self.faults.remove(0)
        }
    }
}

fn over_json<T: serde::Serialize + serde::de::DeserializeOwned>(value: &T) -> T {
    serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
}

fn unreachable<E: std::fmt::Display>(error: E) -> TransportError {
    TransportError::Refused(error.to_string())
}

impl Transport for Net<'_> {
    fn push(&mut self, request: &PushRequest) -> Result<PushAnswer, TransportError> {
        let fault = self.next_fault();
        if fault == Fault::LoseRequest {
            return Err(TransportError::Unreachable("lost request".into()));
        }
        let mut answer =
            server::push(self.server, &self.device, over_json(request)).map_err(unreachable)?;
        if fault == Fault::Twice {
            answer =
                server::push(self.server, &self.device, over_json(request)).map_err(unreachable)?;
        }
        if fault == Fault::LoseAnswer {
            return Err(TransportError::Unreachable("lost answer".into()));
        }
        Ok(over_json(&answer))
    }

    fn pull(&mut self, request: &PullRequest) -> Result<PullPage, TransportError> {
        match self.next_fault() {
            Fault::LoseRequest | Fault::LoseAnswer => {
                Err(TransportError::Unreachable("lost pull".into()))
            }
            _ => Ok(over_json(
                &server::pull(self.server, over_json(request)).map_err(unreachable)?,
            )),
        }
    }
}

struct World {
    dir: tempfile::TempDir,
    clock: Clock,
    server: Book,
    desks: Vec<Option<Book>>,
    /// Changes each desktop made (the operation accepted them locally).
    made: Vec<usize>,
    /// A number no two changes share (usage values, line names), to find doubles.
    serial: u64,
    /// When the server's daily billing ran: its own writes, beside the desktops' changes.
    billing_runs: Vec<DateTime<Utc>>,
}

/// What the server's book holds before any desktop links: the test gateway, two plans and a
/// buyer (also what a replay starts from).
fn set_up(book: &mut Book) {
    let admin = Actor::new("admin");
    book.use_test_gateway(&admin).unwrap();
    let service = op::list_services(book, Paging::default()).unwrap().items[0].clone();
    for (name, cost) in [("Basic", "10"), ("Pro", "40")] {
        dispatch(
            book,
            &admin,
            "create_plan",
            json!({"service_id": service.id, "name": name, "setup_fee": "0",
                   "cost_per_month": cost, "trial_period_days": 0, "state": "published"}),
        )
        .unwrap();
    }
    dispatch(
        book,
        &admin,
        "create_account",
        json!({"org_name": "Acme Ltd"}),
    )
    .unwrap();
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 9, 0, 0).unwrap()
}

fn desk_path(dir: &Path, i: usize) -> PathBuf {
    dir.join(format!("desk{i}.book"))
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let clock = Clock::simulated(start());
        let mut server = Book::open(&dir.path().join("server.book"), clock.clone()).unwrap();
        server.become_server(&Actor::new("admin")).unwrap();
        set_up(&mut server);
        let mut world = World {
            dir,
            clock,
            server,
            desks: Vec::new(),
            made: vec![0, 0],
            serial: 0,
            billing_runs: Vec::new(),
        };
        for i in 0..2 {
            let snapshot = world.dir.path().join(format!("snapshot{i}.book"));
            server::snapshot(&world.server, &snapshot).unwrap();
            desktop::link_from_snapshot(
                &desk_path(world.dir.path(), i),
                &snapshot,
                &LinkSettings {
                    server_url: "http://127.0.0.1:1/".into(),
                    fingerprint: None,
                    token: "t".into(),
                    device_id: format!("desk{i}"),
                },
                false,
                world.clock.clone(),
            )
            .unwrap();
            world.desks.push(Some(
                Book::open(&desk_path(world.dir.path(), i), world.clock.clone()).unwrap(),
            ));
        }
        world
    }

    fn desk(&mut self, i: usize) -> &mut Book {
        if self.desks[i].is_none() {
            self.desks[i] =
                Some(Book::open(&desk_path(self.dir.path(), i), self.clock.clone()).unwrap());
        }
        self.desks[i].as_mut().unwrap()
    }

    /// The desktop's process ends between two transactions (its book closes, as after a
    /// kill: every committed transaction is on disk, nothing else).
    fn crash(&mut self, i: usize) {
        self.desks[i] = None;
    }

    fn round(&mut self, i: usize, faults: Vec<Fault>) -> bool {
        self.desk(i);
        let desk = self.desks[i].as_mut().unwrap();
        let mut net = Net {
            server: &mut self.server,
            device: format!("desk{i}"),
            faults,
        };
        match desktop::round(desk, &mut net) {
            Ok(_) => true,
            Err(error) => {
                eprintln!("round of desk{i}: {error}");
                false
            }
        }
    }

    fn call(&mut self, i: usize, name: &str, input: Value) -> Option<Value> {
        let desk = self.desk(i);
        let answer = dispatch(desk, &Actor::new(format!("person{i}")), name, input).ok();
        if answer.is_some() {
            self.made[i] += 1;
        }
        answer
    }

    fn list(&mut self, i: usize, name: &str, input: Value, key: &str) -> Vec<Value> {
        let desk = self.desk(i);
        let page = dispatch(desk, &Actor::new("reader"), name, input).unwrap();
        page.get(key)
            .or(Some(&page))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    /// One change a person makes on desktop `i`, of kind `kind`, on the `pick`th record.
    fn change(&mut self, i: usize, kind: u8, pick: usize) {
        let serial = self.next_serial();
        let accounts = self.list(i, "list_accounts", json!({"per_page": 100}), "items");
        let apps = self.list(i, "list_applications", json!({"per_page": 100}), "items");
        let invoices = self.list(i, "list_invoices", json!({"per_page": 100}), "items");
        let plans = self.list(i, "list_plans", json!({"per_page": 100}), "items");
        let nth = |items: &Vec<Value>| -> Option<Value> {
            (!items.is_empty()).then(|| items[pick % items.len()].clone())
        };
        match kind % 8 {
            0 => {
                self.call(
                    i,
                    "create_account",
                    json!({"org_name": format!("Buyer {serial}")}),
                );
            }
            1 => {
                if let Some(account) = nth(&accounts) {
                    self.call(
                        i,
                        "update_account",
                        json!({"id": account["id"], "org_name": format!("Renamed {serial}")}),
                    );
                }
            }
            2 => {
                if let (Some(account), Some(plan)) = (nth(&accounts), nth(&plans)) {
                    self.call(
                        i,
                        "subscribe",
                        json!({"account_id": account["id"], "plan_id": plan["id"], "name": format!("App {serial}")}),
                    );
                }
            }
            3 | 4 => {
                if let Some(app) = nth(&apps) {
                    let metrics = self.list(
                        i,
                        "list_metrics",
                        json!({"service_id": plans[0]["service_id"]}),
                        "items",
                    );
                    self.call(
                        i,
                        "record_usage",
                        json!({"application_id": app["id"], "metric_id": metrics[0]["id"], "value": serial}),
                    );
                }
            }
            5 => {
                if let Some(account) = nth(&accounts) {
                    self.call(
                        i,
                        "create_invoice",
                        json!({"account_id": account["id"], "lines": [{"name": format!("Line {serial}"), "cost": "5.00"}]}),
                    );
                }
            }
            6 => {
                if let Some(invoice) = nth(&invoices) {
                    self.call(
                        i,
                        "add_line_item",
                        json!({"invoice_id": invoice["id"], "name": format!("Line {serial}"), "cost": "2.50"}),
                    );
                }
            }
            _ => {
                if let Some(invoice) = nth(&invoices) {
                    self.call(
                        i,
                        "mark_invoice_paid",
                        json!({"id": invoice["id"], "reference": format!("bank {serial}")}),
                    );
                }
            }
        }
    }

    /// A day passes; the server runs its daily billing.
    fn next_day(&mut self) {
        let now = self.clock.now() + Duration::days(1);
        self.clock.set(now);
        run_billing_until(&mut self.server, &Actor::new("billing"), now).unwrap();
        self.billing_runs.push(now);
    }

    /// Everyone syncs until nothing is left: each desktop twice, in turn.
    fn settle(&mut self) {
        for _ in 0..2 {
            for i in 0..2 {
                assert!(
                    self.round(i, Vec::new()),
                    "a round without faults completes"
                );
            }
        }
    }
}

fn dump(book: &Book, table: &str) -> Vec<Vec<Value>> {
    server::replicated_rows(book, table).unwrap().rows
}

/// Every replicated table of both desktops equals the server's, row by row.
fn assert_tables_equal(world: &mut World) {
    for i in 0..2 {
        world.desk(i);
    }
    for table in REPLICATED {
        let on_server = dump(&world.server, table);
        for i in 0..2 {
            let on_desk = dump(world.desks[i].as_ref().unwrap(), table);
            assert_eq!(
                on_desk, on_server,
                "{table} on desk{i} differs from the server's"
            );
        }
    }
}

fn assert_converged(world: &mut World) {
    assert_tables_equal(world);
    for i in 0..2 {
        let status = desktop::status(world.desks[i].as_ref().unwrap()).unwrap();
        assert_eq!(status.waiting, 0, "desk{i} has nothing left to send");
        let answered = server::answered(&world.server, &format!("desk{i}")).unwrap();
        assert_eq!(
            answered.0 + answered.1,
            world.made[i],
            "every change desk{i} made was answered once (applied {} + refused {})",
            answered.0,
            answered.1
        );
        assert_eq!(
            status.refused.len(),
            answered.1,
            "desk{i} lists each refused change"
        );
        for refused in &status.refused {
            assert!(!refused.message.is_empty() && !refused.operation.is_empty());
        }
    }
    // No usage record or line lost or doubled: each carries a number no other change has.
    let usage = dump(&world.server, "usage_records");
    let mut values: Vec<i64> = usage.iter().map(|row| row[4].as_i64().unwrap()).collect();
    let count = values.len();
    values.sort_unstable();
    values.dedup();
    assert_eq!(values.len(), count, "a usage record was applied twice");
    // Automatic invoice numbers: per series, 1..n without gaps or repeats.
    let invoices = dump(&world.server, "invoices");
    let mut series: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for row in invoices {
        let friendly = row[2].as_str().unwrap().to_owned();
        let (prefix, number) = friendly.rsplit_once('-').unwrap();
        series
            .entry(prefix.to_owned())
            .or_default()
            .push(number.parse().unwrap());
    }
    for (prefix, mut numbers) in series {
        numbers.sort_unstable();
        let expected: Vec<u32> = (1..=numbers.len() as u32).collect();
        assert_eq!(numbers, expected, "invoice numbers of {prefix}");
    }
}

#[test]
fn a_change_made_offline_reaches_the_server_and_the_other_desktop() {
    let mut world = World::new();
    assert_eq!(world.desk(0).sync_role(), Role::Linked);
    let made = world
        .call(0, "create_account", json!({"org_name": "Offline Buyer"}))
        .unwrap();
    assert!(
        made["id"].as_str().unwrap().starts_with('-'),
        "a provisional id: {made}"
    );
    let app = world
        .call(
            0,
            "subscribe",
            json!({"account_id": made["id"], "plan_id": "1", "name": "Offline app"}),
        )
        .unwrap();
    assert_eq!(desktop::status(world.desk(0)).unwrap().waiting, 2);
    assert!(world.round(0, Vec::new()));
    assert!(world.round(1, Vec::new()));
    let names: Vec<String> = world
        .list(1, "list_accounts", json!({}), "items")
        .iter()
        .map(|a| a["org_name"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.contains(&"Offline Buyer".to_owned()), "{names:?}");
    let on_server = op::list_applications(&world.server, ListApplications::default()).unwrap();
    assert!(
        on_server.items.iter().any(|a| a.name == "Offline app"),
        "{app}"
    );
    assert_converged(&mut world);
    let journal = server::applied_journal(&world.server).unwrap();
    assert_eq!(
        journal
            .iter()
            .map(|entry| entry.operation.as_str())
            .collect::<Vec<_>>(),
        ["create_account", "subscribe"]
    );
    assert!(
        !journal[1].input["account_id"].to_string().contains('-'),
        "the journal holds the server's ids, not the desktop's: {:?}",
        journal[1].input
    );
    world.next_day();
    assert_replaying_the_journal_reproduces_the_server(&world);
}

#[test]
fn two_desktops_renaming_one_account_the_second_is_refused_with_the_reason() {
    let mut world = World::new();
    let acme = world.list(0, "list_accounts", json!({}), "items")[0]["id"].clone();
    world
        .call(
            0,
            "update_account",
            json!({"id": acme, "org_name": "Acme One"}),
        )
        .unwrap();
    world
        .call(
            1,
            "update_account",
            json!({"id": acme, "org_name": "Acme Two"}),
        )
        .unwrap();
    assert!(world.round(0, Vec::new()));
    assert!(world.round(1, Vec::new()));
    let status = desktop::status(world.desk(1)).unwrap();
    assert_eq!(status.refused.len(), 1, "{status:?}");
    let refused = &status.refused[0];
    assert_eq!(refused.operation, "update_account");
    assert_eq!(refused.code, "conflict");
    assert_eq!(refused.field.as_deref(), Some("org_name"));
    assert!(
        refused.message.contains("Acme One") && refused.message.contains("person0"),
        "{}",
        refused.message
    );
    world.settle();
    let account = op::get_account(
        &world.server,
        ById {
            id: Id(acme.as_str().unwrap().parse().unwrap()),
        },
    )
    .unwrap();
    assert_eq!(account.fields.org_name, "Acme One");
    assert_converged(&mut world);
}

#[test]
fn only_the_server_bills_and_charges_and_a_linked_copy_says_so() {
    let mut world = World::new();
    let refused = dispatch(
        world.desk(0),
        &Actor::new("p"),
        "charge_invoice",
        json!({"id": "1"}),
    )
    .unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidState);
    assert!(
        refused.message.contains("Only the server"),
        "{}",
        refused.message
    );
    let now = world.clock.now();
    let report = run_billing_until(world.desk(0), &Actor::new("billing"), now).unwrap();
    assert!(report.jobs.is_empty(), "a linked copy does not bill");
}

#[derive(Debug, Clone)]
enum Step {
    Change { desk: usize, kind: u8, pick: usize },
    Round { desk: usize, faults: Vec<Fault> },
    Crash { desk: usize },
    NextDay,
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        4 => Just(Fault::None),
        1 => Just(Fault::LoseRequest),
        1 => Just(Fault::LoseAnswer),
        1 => Just(Fault::Twice),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0..2usize, any::<u8>(), any::<usize>()).prop_map(|(desk, kind, pick)| Step::Change { desk, kind, pick }),
        3 => (0..2usize, proptest::collection::vec(fault(), 0..4)).prop_map(|(desk, faults)| Step::Round { desk, faults }),
        1 => (0..2usize).prop_map(|desk| Step::Crash { desk }),
        1 => Just(Step::NextDay),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn after_any_interleaving_everyone_holds_the_servers_books(steps in proptest::collection::vec(step(), 1..60)) {
        let mut world = World::new();
        for step in steps {
            match step {
                Step::Change { desk, kind, pick } => world.change(desk, kind, pick),
                Step::Round { desk, faults } => { world.round(desk, faults); }
                Step::Crash { desk } => world.crash(desk),
                Step::NextDay => world.next_day(),
            }
        }
        world.settle();
        assert_converged(&mut world);
        assert_replaying_the_journal_reproduces_the_server(&world);
    }
}

/// The server's journal (the desktops' changes as it ran them, and its daily billing) run
/// again, in order and at the same instants, into a new standalone book gives the server's
/// book: the same rows under the same ids. Only the server's record of becoming a server is
/// its own.
fn assert_replaying_the_journal_reproduces_the_server(world: &World) {
    let clock = Clock::simulated(start());
    let mut fresh = Book::open(&world.dir.path().join("replay.book"), clock.clone()).unwrap();
    set_up(&mut fresh);
    let billing = |book: &mut Book, at: DateTime<Utc>| {
        clock.set(at);
        run_billing_until(book, &Actor::new("billing"), at).unwrap();
    };
    let mut runs = world.billing_runs.iter().copied().peekable();
    for entry in server::applied_journal(&world.server).unwrap() {
        // A billing run at an instant came before the changes applied at that instant.
        while let Some(run) = runs.next_if(|run| *run <= entry.applied_at) {
            billing(&mut fresh, run);
        }
        clock.set(entry.applied_at);
        dispatch(
            &mut fresh,
            &Actor::new(entry.actor.clone()),
            &entry.operation,
            entry.input.clone(),
        )
        .unwrap_or_else(|error| panic!("{entry:?} ran on the server and not again: {error}"));
    }
    for run in runs {
        billing(&mut fresh, run);
    }
    for table in REPLICATED {
        let (mut replayed, mut served) = (
            server::replicated_rows(&fresh, table).unwrap(),
            server::replicated_rows(&world.server, table).unwrap(),
        );
        if *table == "audit_log" {
            // Without ids and the server's own "sync" rows, which shift them.
            let entity = served.columns.iter().position(|c| c == "entity").unwrap();
            let id = served.columns.iter().position(|c| c == "id").unwrap();
            for rows in [&mut replayed.rows, &mut served.rows] {
                rows.retain(|row| row[entity] != "sync");
                for row in rows.iter_mut() {
                    row.remove(id);
                }
            }
        }
        assert_eq!(
            replayed.rows, served.rows,
            "{table}: the replay differs from the server"
        );
    }
}

#[test]
fn a_desktops_token_cannot_make_people_or_tokens_through_a_push() {
    let mut world = World::new();
    let entry =
        |seq: i64, operation: &str, input: Value| counterfoil_engine::sync::protocol::Entry {
            op_id: format!("desk0-x{seq}"),
            seq,
            operation: operation.into(),
            input,
            actor: "intruder".into(),
            performed_at: start(),
            provisional: BTreeMap::new(),
            base: Vec::new(),
        };
    let answer = server::push(
        &mut world.server,
        "desk0",
        PushRequest {
            protocol: counterfoil_engine::sync::protocol::PROTOCOL,
            schema: counterfoil_engine::SCHEMA_VERSION,
            entries: vec![
                entry(
                    1,
                    "create_access_token",
                    json!({"name": "x", "scopes": ["finance"], "permission": "rw"}),
                ),
                entry(2, "advance_clock", json!({"to": "2030-01-01T00:00:00Z"})),
            ],
        },
    )
    .unwrap();
    for outcome in &answer.outcomes {
        match &outcome.result {
            counterfoil_engine::sync::protocol::EntryResult::Refused { code, .. } => {
                assert_eq!(code, "forbidden", "{outcome:?}");
            }
            other => panic!("{} was applied: {other:?}", outcome.op_id),
        }
    }
    let tokens = op::list_access_tokens(&world.server, ListAccessTokens::default()).unwrap();
    assert!(tokens.is_empty(), "no token was made: {tokens:?}");
}

#[test]
fn an_online_desktop_issues_through_the_server_an_invoice_it_made_offline() {
    let mut world = World::new();
    let acme = world.list(0, "list_accounts", json!({}), "items")[0]["id"].clone();
    let made = world
        .call(
            0,
            "create_invoice",
            json!({"account_id": acme, "lines": [{"name": "Setup", "cost": "100.00"}]}),
        )
        .unwrap();
    let provisional = made["invoice"]["id"].clone();
    assert!(provisional.as_str().unwrap().starts_with('-'), "{made}");

    world.desk(0);
    let desk = world.desks[0].as_mut().unwrap();
    let mut net = Net {
        server: &mut world.server,
        device: "desk0".into(),
        faults: Vec::new(),
    };
    let person = Actor::new("person0");
    let finalized = desktop::send_to_server(
        desk,
        &mut net,
        &person,
        "transition_invoice",
        json!({"id": provisional, "state": "finalized"}),
    )
    .unwrap();
    assert_eq!(finalized["invoice"]["state"], "finalized", "{finalized}");
    let real = finalized["invoice"]["id"].clone();
    assert!(
        !real.as_str().unwrap().starts_with('-'),
        "the server's id: {real}"
    );
    // The desktop's copy shows it too, without another round.
    let here = dispatch(desk, &person, "get_invoice", json!({"id": real})).unwrap();
    assert_eq!(here["invoice"]["state"], "finalized");

    // A refusal is the server's own, with its code and sentence.
    let refused = desktop::send_to_server(
        desk,
        &mut net,
        &person,
        "transition_invoice",
        json!({"id": real, "state": "open"}),
    )
    .unwrap_err();
    assert_ne!(refused.code, ErrorCode::Internal, "{refused:?}");
    assert!(
        !refused.message.contains("could not be asked"),
        "the server's own refusal: {}",
        refused.message
    );
    // Answered to the person at once, the refusal is not kept as "Not applied".
    assert!(desktop::status(world.desk(0)).unwrap().refused.is_empty());
    world.settle();
    assert_tables_equal(&mut world);
}

/// A standalone book with a month of billing in it, as a finance desk has before it syncs.
fn book_with_data(path: &Path, clock: &Clock) -> Book {
    let mut book = Book::open(path, clock.clone()).unwrap();
    let admin = Actor::new("admin");
    book.use_test_gateway(&admin).unwrap();
    let service = op::list_services(&book, Paging::default()).unwrap().items[0].clone();
    let plan = dispatch(
        &mut book,
        &admin,
        "create_plan",
        json!({"service_id": service.id, "name": "Team", "setup_fee": "0",
               "cost_per_month": "30", "trial_period_days": 0, "state": "published"}),
    )
    .unwrap();
    let account = dispatch(
        &mut book,
        &admin,
        "create_account",
        json!({"org_name": "Early Buyer"}),
    )
    .unwrap();
    dispatch(
        &mut book,
        &admin,
        "subscribe",
        json!({"account_id": account["id"], "plan_id": plan["id"], "name": "Early app"}),
    )
    .unwrap();
    let later = clock.now() + Duration::days(40);
    clock.set(later);
    run_billing_until(&mut book, &Actor::new("billing"), later).unwrap();
    book
}

#[test]
fn a_book_with_data_published_to_an_empty_server_becomes_its_book() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::simulated(start());
    let mut own = book_with_data(&dir.path().join("own.book"), &clock);
    let invoices = op::list_invoices(&own, ListInvoices::default())
        .unwrap()
        .items;
    assert!(!invoices.is_empty(), "the month was billed");

    let mut server = Book::open(&dir.path().join("server.book"), clock.clone()).unwrap();
    let admin = Actor::new("admin");
    server.become_server(&admin).unwrap();
    dispatch(
        &mut server,
        &admin,
        "create_access_token",
        json!({"name": "desk", "scopes": ["sync"], "permission": "rw"}),
    )
    .unwrap();

    let copy = dir.path().join("publish.book");
    desktop::publish_copy(&own, &copy).unwrap();
    let cursor = server::receive_published(&mut server, &Actor::new("sync desk"), &copy).unwrap();
    let link = LinkSettings {
        server_url: "http://127.0.0.1:1/".into(),
        fingerprint: None,
        token: "t".into(),
        device_id: "own".into(),
    };
    desktop::linked_after_publish(&mut own, &link, cursor).unwrap();
    assert_eq!(own.sync_role(), Role::Linked);
    let mut net = Net {
        server: &mut server,
        device: "own".into(),
        faults: Vec::new(),
    };
    desktop::round(&mut own, &mut net).unwrap();
    for table in REPLICATED {
        assert_eq!(
            dump(&own, table),
            dump(&server, table),
            "{table} differs after the publish"
        );
    }
    let on_server = op::list_invoices(&server, ListInvoices::default())
        .unwrap()
        .items;
    assert_eq!(
        on_server.iter().map(|i| &i.friendly_id).collect::<Vec<_>>(),
        invoices.iter().map(|i| &i.friendly_id).collect::<Vec<_>>(),
        "the server holds the published invoices under their numbers"
    );
    let audit = dump(&server, "audit_log");
    let text = serde_json::to_string(&audit).unwrap();
    assert!(
        text.contains("create_access_token") && text.contains("sync_publish"),
        "the server keeps its own history and records the publish"
    );

    // The published desktop goes on as any linked one; a second desktop starts from it.
    let made = dispatch(
        &mut own,
        &Actor::new("ann"),
        "create_account",
        json!({"org_name": "After Publish Ltd"}),
    )
    .unwrap();
    assert!(made["id"].as_str().unwrap().starts_with('-'));
    let mut net = Net {
        server: &mut server,
        device: "own".into(),
        faults: Vec::new(),
    };
    desktop::round(&mut own, &mut net).unwrap();
    let names: Vec<String> = op::list_accounts(&server, ListAccounts::default())
        .unwrap()
        .items
        .into_iter()
        .map(|a| a.fields.org_name)
        .collect();
    assert!(names.contains(&"After Publish Ltd".to_owned()), "{names:?}");

    // A server with a book refuses another publish, and the book it holds is unchanged.
    let other = book_with_data(&dir.path().join("other.book"), &clock);
    let other_copy = dir.path().join("other-publish.book");
    desktop::publish_copy(&other, &other_copy).unwrap();
    let before = dump(&server, "accounts");
    let refused =
        server::receive_published(&mut server, &Actor::new("sync other"), &other_copy).unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidState);
    assert!(
        refused.message.contains("already holds a book"),
        "{}",
        refused.message
    );
    assert_eq!(dump(&server, "accounts"), before);
}

#[test]
fn a_published_book_of_another_schema_or_without_data_is_refused_with_why() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::simulated(start());
    let empty = Book::open(&dir.path().join("empty.book"), clock.clone()).unwrap();
    let nothing = desktop::publish_copy(&empty, &dir.path().join("nothing.book")).unwrap_err();
    assert!(
        nothing.message.contains("no accounts"),
        "{}",
        nothing.message
    );

    let own = book_with_data(&dir.path().join("own.book"), &clock);
    let copy = dir.path().join("publish.book");
    desktop::publish_copy(&own, &copy).unwrap();
    rusqlite::Connection::open(&copy)
        .unwrap()
        .pragma_update(None, "user_version", 1)
        .unwrap();
    let mut server = Book::open(&dir.path().join("server.book"), clock.clone()).unwrap();
    server.become_server(&Actor::new("admin")).unwrap();
    let refused =
        server::receive_published(&mut server, &Actor::new("sync desk"), &copy).unwrap_err();
    assert_eq!(refused.field.as_deref(), Some("schema"));
    assert!(
        op::list_accounts(&server, ListAccounts::default())
            .unwrap()
            .items
            .is_empty(),
        "nothing was taken"
    );
}

#[test]
fn a_record_made_offline_is_found_under_the_servers_id_after_the_sync() {
    let mut world = World::new();
    let made = world
        .call(0, "create_account", json!({"org_name": "Made Offline"}))
        .unwrap();
    let provisional: i64 = made["id"].as_str().unwrap().parse().unwrap();
    assert!(provisional < 0);
    assert_eq!(
        desktop::server_id(world.desk(0), provisional).unwrap(),
        None
    );
    assert!(world.round(0, Vec::new()));
    let found = desktop::server_id(world.desk(0), provisional)
        .unwrap()
        .expect("the server's id, once synced");
    let account = dispatch(
        world.desk(0),
        &Actor::new("reader"),
        "get_account",
        json!({"id": found.to_string()}),
    )
    .unwrap();
    assert_eq!(account["org_name"], "Made Offline");
    let gone = dispatch(
        world.desk(0),
        &Actor::new("reader"),
        "get_account",
        json!({"id": provisional.to_string()}),
    )
    .unwrap_err();
    assert_eq!(
        gone.code,
        ErrorCode::NotFound,
        "the provisional row is gone"
    );
}

#[test]
fn a_large_import_made_offline_travels_in_parts_and_arrives_whole() {
    let mut world = World::new();
    let account = world
        .call(0, "create_account", json!({"org_name": "Heavy User"}))
        .unwrap();
    let app = world
        .call(
            0,
            "subscribe",
            json!({"account_id": account["id"], "plan_id": "1", "name": "Heavy app"}),
        )
        .unwrap();
    world.clock.set(start() + Duration::hours(2));
    let rows: Vec<Value> = (0..4_500)
        .map(|i| {
            let at = start() + Duration::seconds(i + 1);
            json!({"application": app["id"], "metric": "hits",
                   "timestamp": at.to_rfc3339(), "value": (i + 1).to_string()})
        })
        .collect();
    let report = dispatch(
        world.desk(0),
        &Actor::new("person0"),
        "import_usage",
        json!({ "rows": rows }),
    )
    .unwrap();
    assert_eq!(report["imported"], 4_500, "{report}");
    // Three parts of at most 2 000 rows, after the account and the subscription.
    assert_eq!(desktop::status(world.desk(0)).unwrap().waiting, 2 + 3);
    world.made[0] += 3;
    // The server applies the parts and the answer is lost: sent again, they apply once.
    assert!(!world.round(0, vec![Fault::LoseAnswer]));
    assert!(world.round(0, Vec::new()));
    assert!(world.round(1, Vec::new()));
    let on_server = dump(&world.server, "usage_records");
    assert_eq!(on_server.len(), 4_500, "every row once");
    let total: i64 = on_server.iter().map(|row| row[4].as_i64().unwrap()).sum();
    assert_eq!(total, 4_500 * 4_501 / 2);
    // Recorded here before the server knew the application: billed from its creation there.
    let usage = server::replicated_rows(&world.server, "usage_records").unwrap();
    let at = usage
        .columns
        .iter()
        .position(|c| c == "recorded_at")
        .unwrap();
    let apps = server::replicated_rows(&world.server, "applications").unwrap();
    let created = apps.columns.iter().position(|c| c == "created_at").unwrap();
    let made_at = apps.rows.last().unwrap()[created].as_i64().unwrap();
    assert!(usage
        .rows
        .iter()
        .all(|row| row[at].as_i64().unwrap() >= made_at));
    assert_eq!(made_at, (start() + Duration::hours(2)).timestamp());
    assert_converged(&mut world);
    assert_replaying_the_journal_reproduces_the_server(&world);
}

#[test]
fn events_ingested_offline_on_two_desktops_count_once_and_what_the_server_refuses_is_listed() {
    let mut world = World::new();
    // Acme subscribes, and both desktops hear of it.
    world
        .call(
            0,
            "subscribe",
            json!({"account_id": "1", "plan_id": "1", "name": "Acme app"}),
        )
        .unwrap();
    world.settle();
    world.clock.set(start() + Duration::hours(1));
    let event = |key: &str| {
        json!({"idempotency_key": key, "event_name": "completion",
               "timestamp": (start() + Duration::minutes(30)).to_rfc3339(),
               "customer_id": "1", "properties": {"tokens": 7}})
    };
    let first = world
        .call(
            0,
            "ingest_events",
            json!({"events": [event("k1"), event("k2")]}),
        )
        .unwrap();
    assert_eq!(first["ingested"], json!(["k1", "k2"]));
    world
        .call(
            1,
            "ingest_events",
            json!({"events": [event("k2"), event("k3")]}),
        )
        .unwrap();
    // Offline, a new buyer subscribes on desk 1 and sends events at once: the server learns of
    // the subscription later than the events' time, and refuses them, saying why.
    let buyer = world
        .call(1, "create_account", json!({"org_name": "Late Buyer"}))
        .unwrap();
    world
        .call(
            1,
            "subscribe",
            json!({"account_id": buyer["id"], "plan_id": "1", "name": "Late app"}),
        )
        .unwrap();
    world.clock.set(start() + Duration::hours(2));
    let late = json!({"idempotency_key": "late-1", "event_name": "completion",
        "timestamp": (start() + Duration::minutes(90)).to_rfc3339(), "customer_id": buyer["id"],
        "properties": {"tokens": 1}});
    let taken = world
        .call(1, "ingest_events", json!({"events": [late]}))
        .unwrap();
    assert_eq!(taken["ingested"], json!(["late-1"]), "taken offline");
    world.clock.set(start() + Duration::hours(3));
    world.settle();
    let on_server = dispatch(
        &mut world.server,
        &Actor::new("reader"),
        "search_events",
        json!({"timeframe_start": start().to_rfc3339()}),
    )
    .unwrap();
    let mut keys: Vec<&str> = on_server
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, vec!["k1", "k2", "k3"], "k2 once; late-1 refused");
    assert_tables_equal(&mut world);
    let status = desktop::status(world.desk(1)).unwrap();
    let refused = status
        .refused
        .iter()
        .find(|r| r.operation == "ingest_events")
        .expect("the refused event is listed on the desktop that sent it");
    assert!(
        refused
            .message
            .starts_with("The server did not take 1 of the 1 events: “late-1”: timestamp: the event is before the customer's subscription began"),
        "{}",
        refused.message
    );
    assert_eq!(refused.field.as_deref(), Some("events"));
    assert_replaying_the_journal_reproduces_the_server(&world);
}
