//! Usage events (docs/events.md): ingested in batches where each event is taken, a duplicate
//! of a key seen before (never counted twice), or refused with every reason; amended (the
//! earlier version kept) and deprecated by their key; searched and counted per hour.

use crate::book::{Book, Write};
use crate::error::{ApiError, Result};
use crate::model::{
    AmendEvent, ByEventId, Event, EventInput, EventVolume, IngestEvents, IngestReport,
    RefusedEvent, SearchEvents, SetExternalCustomerId, VolumeBucket, MAX_EVENTS_PER_BATCH,
};
use crate::store::events::{self as store, NewEvent};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde_json::{json, Value};
use std::collections::HashMap;

/// The longest an idempotency key, an event name or an alias may be.
const MAX_KEY: usize = 255;
/// Search's window when none is given: the week before the end (as Orb says).
const DEFAULT_SEARCH_DAYS: i64 = 7;
/// Volume's longest timeframe: a month of hours.
const MAX_VOLUME_HOURS: i64 = 31 * 24;

pub(crate) fn ingest_events(write: &mut Write<'_>, input: IngestEvents) -> Result<IngestReport> {
    if input.events.len() > MAX_EVENTS_PER_BATCH {
        return Err(ApiError::validation(
            "events",
            format!(
                "A batch holds at most {MAX_EVENTS_PER_BATCH} events; this one has {}.",
                input.events.len()
            ),
        ));
    }
    let mut report = IngestReport::default();
    // Each customer is looked up once per batch.
    let mut customers = Customers::default();
    for (index, event) in input.events.iter().enumerate() {
        let key = event
            .idempotency_key
            .as_deref()
            .map(str::trim)
            .unwrap_or("");
        match checked(write, event, &mut customers) {
            Err(errors) => report.refused.push(RefusedEvent {
                index: u32::try_from(index).unwrap_or(u32::MAX),
                idempotency_key: key.to_owned(),
                validation_errors: errors,
            }),
            // A key taken before, or earlier in this batch, is a duplicate.
            Ok(good) => {
                if store::insert_new(write.tx, &good.as_new(), write.now)? {
                    report.ingested.push(good.key.to_owned());
                } else {
                    report.duplicate.push(good.key.to_owned());
                }
            }
        }
    }
    if !report.ingested.is_empty() {
        // One audit row per batch: what it took, by key (a batch is at most 500 events).
        write.audit(
            "events",
            None,
            None::<&Value>,
            Some(&json!({ "ingested": report.ingested })),
        )?;
    }
    Ok(report)
}

pub(crate) fn amend_event(write: &mut Write<'_>, input: AmendEvent) -> Result<Event> {
    let key = input.id.trim();
    let before = store::get(write.tx, key)?.ok_or_else(|| not_found(key))?;
    if before.deprecated {
        return Err(ApiError::invalid_state(format!(
            "Event \"{key}\" is deprecated: it counts for nothing and cannot be amended."
        )));
    }
    // The key is the path's; one in the body must agree.
    let mut event = input.event;
    if let Some(other) = event.idempotency_key.as_deref().map(str::trim) {
        if other != key {
            return Err(ApiError::validation(
                "idempotency_key",
                "An event keeps its idempotency key; amend the event it names instead.",
            ));
        }
    }
    event.idempotency_key = Some(key.to_owned());
    let good = checked(write, &event, &mut Customers::default()).map_err(|errors| {
        ApiError::all(
            errors
                .into_iter()
                .map(|message| {
                    let field = message.split(':').next().unwrap_or("event").to_owned();
                    ApiError::validation(&field, message)
                })
                .collect(),
        )
        .unwrap_or_else(|| ApiError::validation("event", "The event is not valid."))
    })?;
    store::amend(write.tx, key, &good.as_new(), write.now)?;
    let after = store::get(write.tx, key)?.ok_or_else(|| not_found(key))?;
    write.audit("event", None, Some(&before), Some(&after))?;
    Ok(after)
}

pub(crate) fn deprecate_event(write: &mut Write<'_>, input: ByEventId) -> Result<Event> {
    let key = input.id.trim();
    let before = store::get(write.tx, key)?.ok_or_else(|| not_found(key))?;
    if before.deprecated {
        return Ok(before);
    }
    store::deprecate(write.tx, key, write.now)?;
    let after = store::get(write.tx, key)?.ok_or_else(|| not_found(key))?;
    write.audit(
        "event",
        None,
        Some(&json!({ "id": key, "deprecated": false })),
        Some(&json!({ "id": key, "deprecated": true })),
    )?;
    Ok(after)
}

pub(crate) fn get_event(book: &Book, input: ByEventId) -> Result<Event> {
    let key = input.id.trim();
    store::get(book.reader(), key)?.ok_or_else(|| not_found(key))
}

pub(crate) fn search_events(book: &Book, input: SearchEvents) -> Result<Vec<Event>> {
    let limit = input.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::validation("limit", "limit is from 1 to 500."));
    }
    if let Some(keys) = &input.event_ids {
        if keys.len() > 500 {
            return Err(ApiError::validation(
                "event_ids",
                "Search at most 500 events by id at once.",
            ));
        }
        return Ok(store::by_keys(book.reader(), keys)?);
    }
    let now = book.now();
    let end = input.timeframe_end.unwrap_or(now);
    let start = input
        .timeframe_start
        .unwrap_or(end - Duration::days(DEFAULT_SEARCH_DAYS));
    if start >= end {
        return Err(ApiError::validation(
            "timeframe_start",
            "timeframe_start must be before timeframe_end.",
        ));
    }
    Ok(store::in_timeframe(
        book.reader(),
        start,
        end,
        input.customer_id.map(|id| id.0),
        limit,
    )?)
}

pub(crate) fn event_volume(book: &Book, input: EventVolume) -> Result<Vec<VolumeBucket>> {
    let end = input.timeframe_end.unwrap_or(book.now());
    if input.timeframe_start >= end {
        return Err(ApiError::validation(
            "timeframe_start",
            "timeframe_start must be before timeframe_end.",
        ));
    }
    if end - input.timeframe_start > Duration::hours(MAX_VOLUME_HOURS) {
        return Err(ApiError::validation(
            "timeframe_end",
            "Ask for the volume of at most 31 days at a time.",
        ));
    }
    Ok(store::volume(book.reader(), input.timeframe_start, end)?)
}

pub(crate) fn set_external_customer_id(
    write: &mut Write<'_>,
    input: SetExternalCustomerId,
) -> Result<Option<String>> {
    let account = input.account_id.0;
    if !store::account_exists(write.tx, account)? {
        return Err(
            ApiError::not_found(format!("There is no account with id {account}."))
                .about("account_id"),
        );
    }
    let alias = input
        .external_customer_id
        .as_deref()
        .map(str::trim)
        .filter(|alias| !alias.is_empty());
    if let Some(alias) = alias {
        if alias.chars().count() > MAX_KEY {
            return Err(ApiError::validation(
                "external_customer_id",
                "An external customer id is at most 255 characters.",
            ));
        }
        if let Some(other) = store::account_of_alias(write.tx, alias)? {
            if other != account {
                return Err(ApiError::validation(
                    "external_customer_id",
                    format!("Account {other} is already known as \"{alias}\"."),
                ));
            }
        }
    }
    let before = store::alias_of(write.tx, account)?;
    if before.as_deref() == alias {
        return Ok(before);
    }
    store::set_alias(write.tx, account, alias)?;
    write.audit(
        "account",
        Some(account),
        Some(&json!({ "external_customer_id": before })),
        Some(&json!({ "external_customer_id": alias })),
    )?;
    Ok(alias.map(str::to_owned))
}

fn not_found(key: &str) -> ApiError {
    ApiError::not_found(format!("There is no event with id \"{key}\".")).about("id")
}

/// An event that passed every check.
struct Good<'a> {
    key: &'a str,
    account_id: i64,
    event_name: &'a str,
    timestamp: DateTime<Utc>,
    properties: String,
}

impl Good<'_> {
    fn as_new(&self) -> NewEvent<'_> {
        NewEvent {
            key: self.key,
            account_id: self.account_id,
            event_name: self.event_name,
            timestamp: self.timestamp,
            properties: &self.properties,
        }
    }
}

/// What a batch learned of its customers: by id, whether the account exists (`None`: no)
/// and when its first subscription began; by alias, the account.
#[derive(Default)]
struct Customers {
    accounts: HashMap<i64, Option<Option<DateTime<Utc>>>>,
    aliases: HashMap<String, Option<i64>>,
}

impl Customers {
    fn account(
        &mut self,
        write: &Write<'_>,
        id: i64,
    ) -> rusqlite::Result<Option<Option<DateTime<Utc>>>> {
        if let Some(known) = self.accounts.get(&id) {
            return Ok(*known);
        }
        let found = if store::account_exists(write.tx, id)? {
            Some(store::first_subscription(write.tx, id)?)
        } else {
            None
        };
        self.accounts.insert(id, found);
        Ok(found)
    }

    fn alias(&mut self, write: &Write<'_>, alias: &str) -> rusqlite::Result<Option<i64>> {
        if let Some(known) = self.aliases.get(alias) {
            return Ok(*known);
        }
        let found = store::account_of_alias(write.tx, alias)?;
        self.aliases.insert(alias.to_owned(), found);
        Ok(found)
    }
}

/// The event, or every reason it is refused ("field: why").
fn checked<'a>(
    write: &Write<'_>,
    event: &'a EventInput,
    customers: &mut Customers,
) -> std::result::Result<Good<'a>, Vec<String>> {
    let mut errors = Vec::new();
    let key = event
        .idempotency_key
        .as_deref()
        .map(str::trim)
        .unwrap_or("");
    if key.is_empty() {
        errors.push("idempotency_key: an event needs an idempotency key.".to_owned());
    } else if key.chars().count() > MAX_KEY {
        errors.push("idempotency_key: at most 255 characters.".to_owned());
    }
    let name = event.event_name.as_deref().map(str::trim).unwrap_or("");
    if name.is_empty() {
        errors.push("event_name: an event needs a name.".to_owned());
    } else if name.chars().count() > MAX_KEY {
        errors.push("event_name: at most 255 characters.".to_owned());
    }
    let timestamp = match event.timestamp.as_deref().map(str::trim) {
        None | Some("") => {
            errors.push("timestamp: an event needs a timestamp (ISO 8601, UTC).".to_owned());
            None
        }
        Some(text) => match parse_instant(text) {
            Some(at) => Some(at),
            None => {
                errors.push(format!(
                    "timestamp: \"{text}\" is not an ISO 8601 instant (e.g. 2025-01-31T23:00:00Z)."
                ));
                None
            }
        },
    };
    if let Some(at) = timestamp {
        if at > write.now {
            errors.push("timestamp: the event is in the future.".to_owned());
        }
    }
    let properties = match &event.properties {
        None | Some(Value::Null) => Some(serde_json::Map::new()),
        Some(Value::Object(fields)) => {
            let nested: Vec<&String> = fields
                .iter()
                .filter(|(_, value)| matches!(value, Value::Object(_) | Value::Array(_)))
                .map(|(name, _)| name)
                .collect();
            if nested.is_empty() {
                Some(fields.clone())
            } else {
                errors.push(format!(
                    "properties: values are numbers, booleans, strings or null; {} is not.",
                    nested
                        .iter()
                        .map(|name| format!("\"{name}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                None
            }
        }
        Some(_) => {
            errors.push("properties: an object of names and values.".to_owned());
            None
        }
    };
    let account = match customer(write, event, customers) {
        Ok(account) => Some(account),
        Err(error) => {
            errors.push(error);
            None
        }
    };
    if let (Some(account), Some(at)) = (account, timestamp) {
        match customers.account(write, account) {
            Ok(Some(Some(first))) if at < first => errors.push(format!(
                "timestamp: the event is before the customer's subscription began ({}).",
                first.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            )),
            Ok(Some(None)) => errors.push(
                "customer_id: the customer has no subscription to bill the event on.".to_owned(),
            ),
            Ok(_) => {}
            Err(error) => errors.push(format!("customer_id: {error}")),
        }
    }
    match (errors.is_empty(), account, timestamp, properties) {
        (true, Some(account_id), Some(timestamp), Some(properties)) => Ok(Good {
            key,
            account_id,
            event_name: name,
            timestamp,
            properties: Value::Object(properties).to_string(),
        }),
        _ => Err(errors),
    }
}

/// The account an event names: exactly one of its id or its alias.
fn customer(
    write: &Write<'_>,
    event: &EventInput,
    customers: &mut Customers,
) -> std::result::Result<i64, String> {
    let id = match &event.customer_id {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) if text.trim().is_empty() => None,
        Some(Value::String(text)) => Some(
            text.trim()
                .parse::<i64>()
                .map_err(|_| format!("customer_id: \"{text}\" is not a customer id."))?,
        ),
        Some(Value::Number(n)) => Some(
            n.as_i64()
                .ok_or_else(|| format!("customer_id: {n} is not a customer id."))?,
        ),
        Some(other) => return Err(format!("customer_id: {other} is not a customer id.")),
    };
    let alias = event
        .external_customer_id
        .as_deref()
        .map(str::trim)
        .filter(|alias| !alias.is_empty());
    match (id, alias) {
        (Some(_), Some(_)) => Err(
            "customer_id: give either customer_id or external_customer_id, not both.".to_owned(),
        ),
        (None, None) => Err(
            "customer_id: an event names its customer by customer_id or external_customer_id."
                .to_owned(),
        ),
        (Some(id), None) => match customers.account(write, id) {
            Ok(Some(_)) => Ok(id),
            Ok(None) => Err(format!("customer_id: there is no customer {id}.")),
            Err(error) => Err(format!("customer_id: {error}")),
        },
        (None, Some(alias)) => match customers.alias(write, alias) {
            Ok(Some(id)) => Ok(id),
            Ok(None) => Err(format!(
                "external_customer_id: no customer is known as \"{alias}\"."
            )),
            Err(error) => Err(format!("external_customer_id: {error}")),
        },
    }
}

/// An ISO 8601 instant; without an offset it is UTC (as Orb says).
fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    .map(|naive| naive.and_utc())
}
