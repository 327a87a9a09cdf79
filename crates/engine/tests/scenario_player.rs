//! The scenario player used on its own, as the demo book uses it: a world from JSON, steps
//! performed one at a time, typed operations on its book named for later steps.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use counterfoil_engine::model::{AccountFields, ById, CreationType, InvoiceState, ListInvoices};
use counterfoil_engine::op;
use counterfoil_engine::scenario::{Player, World};
use counterfoil_engine::Actor;
use serde_json::{json, Map, Value};

fn step(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(step) => step,
        _ => panic!("a step is an object"),
    }
}

#[test]
fn steps_and_typed_operations_share_the_refs_and_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let start = "2025-01-01T00:00:00Z".parse().unwrap();
    let mut player = Player::open(&dir.path().join("p.book"), start, Actor::new("test")).unwrap();
    let world: World = serde_json::from_value(json!({
        "settings": {"currency": "EUR"},
        "services": [{"ref": "api", "name": "API"}],
        "plans": [{"ref": "basic", "service": "api", "name": "Basic", "cost_per_month": "10"}],
    }))
    .unwrap();
    player.set_up(&world).unwrap();

    // An account made by a typed operation, named so that steps can refer to it.
    let (book, actor) = player.book_and_actor();
    let account = op::create_account(book, actor, AccountFields::named("Typed Ltd")).unwrap();
    player.name_account("typed", account.id);
    assert_eq!(player.account("typed"), Some(account.id));

    player
        .advance("2025-01-02T10:00:00Z".parse().unwrap())
        .unwrap();
    player
        .perform(&step(
            json!({"do": "subscribe", "account": "typed", "plan": "basic",
            "ref": "app"}),
        ))
        .unwrap();
    let app = player.application("app").unwrap();
    assert_eq!(app.account_id, account.id);
    assert_eq!(app.created_at, player.book().now()); // performed at the clock's instant

    player
        .perform(&step(
            json!({"do": "create_invoice", "account": "typed", "ref": "inv"}),
        ))
        .unwrap();
    player
        .perform(&step(
            json!({"do": "add_line_item", "invoice": "inv", "name": "Setup",
            "cost": "5.00"}),
        ))
        .unwrap();
    let id = player.invoice("inv").unwrap();
    let detail = op::get_invoice(player.book(), ById { id }).unwrap();
    assert_eq!(detail.line_items.len(), 1);

    // A refusal is the product's message; a step the format does not know is refused too.
    let refused = player.perform(&step(json!({"do": "transition", "invoice": "inv",
        "state": "open"})));
    assert!(refused.is_err());
    assert_eq!(
        player.perform(&step(json!({"do": "teleport"}))),
        Err("There is no action \"teleport\".".to_owned())
    );
    assert_eq!(
        player.perform(&step(json!({"do": "cancel"}))),
        Err("The cancel step has no `application`.".to_owned())
    );

    // Advancing runs the daily billing: January's background invoice is issued in February.
    player
        .advance("2025-02-10T00:00:00Z".parse().unwrap())
        .unwrap();
    let january = op::list_invoices(
        player.book(),
        ListInvoices {
            account_id: Some(account.id),
            period: Some(counterfoil_engine::model::Period::new(2025, 1).unwrap()),
            page: 1,
            per_page: 10,
            ..ListInvoices::default()
        },
    )
    .unwrap();
    let background: Vec<_> = january
        .items
        .iter()
        .filter(|i| i.creation_type == CreationType::Background)
        .collect();
    assert_eq!(background.len(), 1);
    assert_ne!(background[0].state, InvoiceState::Open);
}
