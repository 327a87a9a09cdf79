//! Usage events as Orb ingests them (docs/events.md): a name, an instant, a customer, free
//! properties and an idempotency key that is accepted once, ever.

use super::Id;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

/// The most events one ingest takes (as Orb).
pub const MAX_EVENTS_PER_BATCH: usize = 500;

/// One event as a client sends it. Every field is optional here so that each missing or bad
/// one is reported by name, per event, without refusing the batch.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct EventInput {
    #[serde(default)]
    #[ts(optional)]
    pub idempotency_key: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub event_name: Option<String>,
    /// RFC 3339; without an offset it is UTC.
    #[serde(default)]
    #[ts(optional)]
    pub timestamp: Option<String>,
    /// The account's id.
    #[serde(default)]
    #[ts(optional, type = "string")]
    pub customer_id: Option<Value>,
    /// The alias an account carries (`set_external_customer_id`).
    #[serde(default)]
    #[ts(optional)]
    pub external_customer_id: Option<String>,
    #[serde(default)]
    #[ts(optional, type = "Record<string, unknown>")]
    pub properties: Option<Value>,
}

/// `ingest_events`' input.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct IngestEvents {
    pub events: Vec<EventInput>,
}

/// An event of a batch that was not taken, with every reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RefusedEvent {
    /// Its place in the batch, from 0.
    pub index: u32,
    /// Its key as sent (empty when it had none).
    pub idempotency_key: String,
    pub validation_errors: Vec<String>,
}

/// What became of each event of a batch: taken, seen before (never counted twice), or refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct IngestReport {
    pub ingested: Vec<String>,
    pub duplicate: Vec<String>,
    pub refused: Vec<RefusedEvent>,
}

/// An event as the book keeps it. Its id is its idempotency key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Event {
    pub id: String,
    pub event_name: String,
    #[ts(type = "string")]
    pub timestamp: DateTime<Utc>,
    pub customer_id: Id,
    pub external_customer_id: Option<String>,
    #[ts(type = "Record<string, unknown>")]
    pub properties: Map<String, Value>,
    #[ts(type = "string")]
    pub ingested_at: DateTime<Utc>,
    /// Deprecated events count for nothing; they stay to be seen.
    pub deprecated: bool,
    /// 1, then one more for each amendment (the earlier versions are kept).
    pub version: u32,
}

/// `amend_event`'s input: the event (by its key) and what it says now.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AmendEvent {
    pub id: String,
    #[serde(flatten)]
    pub event: EventInput,
}

/// One event by its key.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ByEventId {
    pub id: String,
}

/// `search_events`: by keys, or in `[timeframe_start, timeframe_end)` (by default the week
/// before the book's now), newest first, at most `limit` (default 100, at most 500).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct SearchEvents {
    #[serde(default)]
    #[ts(optional)]
    pub event_ids: Option<Vec<String>>,
    #[serde(default)]
    #[ts(optional, type = "string")]
    pub timeframe_start: Option<DateTime<Utc>>,
    #[serde(default)]
    #[ts(optional, type = "string")]
    pub timeframe_end: Option<DateTime<Utc>>,
    #[serde(default)]
    #[ts(optional, type = "string")]
    pub customer_id: Option<Id>,
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// `event_volume`: events counted per hour in `[timeframe_start, timeframe_end)` (the end by
/// default the book's now).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EventVolume {
    #[ts(type = "string")]
    pub timeframe_start: DateTime<Utc>,
    #[serde(default)]
    #[ts(optional, type = "string")]
    pub timeframe_end: Option<DateTime<Utc>>,
}

/// The events of one hour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct VolumeBucket {
    #[ts(type = "string")]
    pub timeframe_start: DateTime<Utc>,
    #[ts(type = "string")]
    pub timeframe_end: DateTime<Utc>,
    #[ts(type = "number")]
    pub count: u64,
}

/// `set_external_customer_id`: the alias an account is known by to the client that sends its
/// events (`null` removes it).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SetExternalCustomerId {
    pub account_id: Id,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub external_customer_id: Option<String>,
}

/// How a billable metric adds its events up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// The number of events.
    Count,
    /// The sum of a numeric property.
    Sum,
    /// The largest value of a numeric property.
    Max,
    /// The number of different values of a property.
    UniqueCount,
    /// The value of a numeric property in the latest event that has it.
    Latest,
}

/// A billable metric: the events it counts (by name and property values) and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BillableMetric {
    pub id: Id,
    pub name: String,
    pub description: String,
    pub event_name: String,
    pub aggregation: Aggregation,
    pub property: Option<String>,
    #[ts(type = "Record<string, unknown>")]
    pub filters: Map<String, Value>,
    /// The metric as Orb writes it: `SELECT sum(tokens) FROM events WHERE …`.
    pub sql: String,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
}

/// `create_billable_metric`'s input.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CreateBillableMetric {
    pub name: String,
    #[serde(default)]
    #[ts(optional)]
    pub description: Option<String>,
    pub event_name: String,
    pub aggregation: Aggregation,
    /// Required for every aggregation but `count`.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub property: Option<String>,
    /// Property values an event must have (equality).
    #[serde(default)]
    #[ts(optional, type = "Record<string, unknown>")]
    pub filters: Option<Map<String, Value>>,
}

/// `metric_quantity`: a metric's quantity for one customer over `[timeframe_start,
/// timeframe_end)`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct MetricQuantity {
    pub metric_id: Id,
    pub customer_id: Id,
    #[ts(type = "string")]
    pub timeframe_start: DateTime<Utc>,
    #[ts(type = "string")]
    pub timeframe_end: DateTime<Utc>,
}

/// A metric's quantity, exact (a decimal number as text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Quantity {
    #[ts(type = "string")]
    pub quantity: rust_decimal::Decimal,
    /// The events that counted.
    #[ts(type = "number")]
    pub events: u64,
}
