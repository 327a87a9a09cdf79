//! Payment gateways. The engine charges through the [`PaymentGateway`] trait. A book names
//! its gateway ([`PaymentGatewayKind`]): none (charging is off, nothing is marked paid by
//! charging), or the built-in [`TestGateway`] of a test book (scenarios, tests, the demo book),
//! which moves no money and says so. Counterfoil has no real gateway yet.

use crate::model::{Card, PaymentGatewayInfo};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// One charge as the gateway sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChargeRequest {
    /// The same key for the same attempt: a gateway answers a repeated key with the first
    /// answer and never charges twice.
    pub idempotency_key: String,
    pub amount: Decimal,
    pub currency: String,
    pub card: Option<Card>,
    /// The day of the attempt, YYYY-MM-DD (for card expiry).
    pub on: chrono::NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeOutcome {
    pub success: bool,
    /// The gateway's reference of the transaction.
    pub reference: String,
    pub message: String,
}

pub trait PaymentGateway: Send {
    fn charge(&self, request: &ChargeRequest) -> ChargeOutcome;
    /// How the screens name the gateway, and whether money moves through it.
    fn info(&self) -> PaymentGatewayInfo;
}

/// The gateway a book names, as the book keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentGatewayKind {
    /// No payment gateway: charging is off.
    None,
    /// The built-in test gateway ([`TestGateway`]): a test book.
    Test,
}

/// The built-in test gateway: a card on file charges successfully unless its gateway
/// reference is [`TestGateway::DECLINED_CARD`] or it has expired; without a card the charge
/// fails. No money moves, and its references (`test_…`) and messages say so. Like real
/// gateways it remembers idempotency keys.
#[derive(Debug, Default)]
pub struct TestGateway {
    answered: Mutex<HashMap<String, ChargeOutcome>>,
}

impl TestGateway {
    /// The gateway reference of the test card that is always declined.
    pub const DECLINED_CARD: &'static str = "tok_declined";
    /// A test card that is always accepted.
    pub const VALID_CARD: &'static str = "tok_valid";
    /// Its name on the screens.
    pub const NAME: &'static str = "Test gateway";

    fn decide(request: &ChargeRequest) -> ChargeOutcome {
        let reference = format!("test_{}", request.idempotency_key);
        let (success, message) = match &request.card {
            None => (false, "No card on file (test gateway)."),
            Some(card) if card.gateway_reference == Self::DECLINED_CARD => {
                (false, "The card was declined (test gateway).")
            }
            Some(card) if expired(card, request.on) => {
                (false, "The card has expired (test gateway).")
            }
            Some(_) => (true, "Charged by the test gateway: no money moved."),
        };
        ChargeOutcome {
            success,
            reference,
            message: message.into(),
        }
    }
}

fn expired(card: &Card, on: chrono::NaiveDate) -> bool {
    use chrono::Datelike;
    (card.expiry_year as i32, card.expiry_month) < (on.year(), on.month())
}

impl PaymentGateway for TestGateway {
    fn charge(&self, request: &ChargeRequest) -> ChargeOutcome {
        let mut answered = self.answered.lock().unwrap_or_else(PoisonError::into_inner);
        answered
            .entry(request.idempotency_key.clone())
            .or_insert_with(|| TestGateway::decide(request))
            .clone()
    }

    fn info(&self) -> PaymentGatewayInfo {
        PaymentGatewayInfo {
            name: TestGateway::NAME.into(),
            test: true,
        }
    }
}
