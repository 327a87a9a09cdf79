//! Billable metrics over usage events (docs/events.md "Billable metrics"): which events count
//! (by name, and property values) and how they add up — count, sum, max, unique count or the
//! latest value of a property — into an exact quantity for a customer over a timeframe.

use crate::book::{Book, Write};
use crate::error::{ApiError, Result};
use crate::model::{
    Aggregation, BillableMetric, ById, CreateBillableMetric, Id, MetricQuantity, Quantity,
};
use crate::store::events::{self as store, MetricRow, NewMetric};
use chrono::DateTime;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::str::FromStr;

const MAX_TEXT: usize = 255;

pub(crate) fn create_billable_metric(
    write: &mut Write<'_>,
    input: CreateBillableMetric,
) -> Result<BillableMetric> {
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > MAX_TEXT {
        errors.push(ApiError::validation(
            "name",
            "A metric needs a name of at most 255 characters.",
        ));
    }
    let event_name = input.event_name.trim();
    if event_name.is_empty() || event_name.chars().count() > MAX_TEXT {
        errors.push(ApiError::validation(
            "event_name",
            "A metric counts events of one name: give it (at most 255 characters).",
        ));
    }
    let property = input
        .property
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    match (input.aggregation, property) {
        (Aggregation::Count, _) => {}
        (_, None) => errors.push(ApiError::validation(
            "property",
            "Sum, max, unique count and latest add up a property of the events: name it.",
        )),
        (_, Some(p)) if p.chars().count() > MAX_TEXT => errors.push(ApiError::validation(
            "property",
            "A property name is at most 255 characters.",
        )),
        _ => {}
    }
    let filters = input.filters.unwrap_or_default();
    let nested: Vec<&String> = filters
        .iter()
        .filter(|(_, v)| matches!(v, Value::Object(_) | Value::Array(_) | Value::Null))
        .map(|(k, _)| k)
        .collect();
    if !nested.is_empty() {
        errors.push(ApiError::validation(
            "filters",
            format!(
                "A filter compares a property with a number, a boolean or a text; {} {} not.",
                nested
                    .iter()
                    .map(|k| format!("\"{k}\""))
                    .collect::<Vec<_>>()
                    .join(", "),
                if nested.len() == 1 { "is" } else { "are" }
            ),
        ));
    }
    if let Some(error) = ApiError::all(errors) {
        return Err(error);
    }
    let property = property.filter(|_| input.aggregation != Aggregation::Count);
    let description = input.description.as_deref().map(str::trim).unwrap_or("");
    let filters_text = Value::Object(filters).to_string();
    let id = store::insert_metric(
        write.tx,
        &NewMetric {
            name,
            description,
            event_name,
            aggregation: aggregation_name(input.aggregation),
            property,
            filters: &filters_text,
        },
        write.now,
    )?;
    let metric = get(write.tx, id)?;
    write.audit("billable_metric", Some(id), None::<&Value>, Some(&metric))?;
    Ok(metric)
}

pub(crate) fn get_billable_metric(book: &Book, input: ById) -> Result<BillableMetric> {
    get(book.reader(), input.id.0)
}

pub(crate) fn list_billable_metrics(
    book: &Book,
    _input: crate::model::NoInput,
) -> Result<Vec<BillableMetric>> {
    store::list_metrics(book.reader())?
        .into_iter()
        .map(metric_of)
        .collect()
}

pub(crate) fn metric_quantity(book: &Book, input: MetricQuantity) -> Result<Quantity> {
    if input.timeframe_start >= input.timeframe_end {
        return Err(ApiError::validation(
            "timeframe_start",
            "timeframe_start must be before timeframe_end.",
        ));
    }
    let metric = get(book.reader(), input.metric_id.0)?;
    let properties = store::properties_in(
        book.reader(),
        input.customer_id.0,
        &metric.event_name,
        input.timeframe_start,
        input.timeframe_end,
    )?;
    let counted = properties
        .iter()
        .filter_map(|text| serde_json::from_str::<Map<String, Value>>(text).ok())
        .filter(|props| metric.filters.iter().all(|(k, v)| props.get(k) == Some(v)));
    Ok(aggregate(&metric, counted))
}

/// Adds the events up as the metric says. A property missing from an event, or not a
/// number where a number is needed, leaves that event out of a sum, max or latest.
fn aggregate(
    metric: &BillableMetric,
    events: impl Iterator<Item = Map<String, Value>>,
) -> Quantity {
    let property = metric.property.as_deref().unwrap_or_default();
    let mut count: u64 = 0;
    let mut sum = Decimal::ZERO;
    let mut max: Option<Decimal> = None;
    let mut latest: Option<Decimal> = None;
    let mut seen: HashSet<String> = HashSet::new();
    for props in events {
        match metric.aggregation {
            Aggregation::Count => count += 1,
            Aggregation::UniqueCount => {
                if let Some(value) = props.get(property).filter(|v| !v.is_null()) {
                    count += 1;
                    seen.insert(value.to_string());
                }
            }
            _ => {
                if let Some(value) = props.get(property).and_then(number) {
                    count += 1;
                    sum += value;
                    max = Some(max.map_or(value, |m| m.max(value)));
                    latest = Some(value);
                }
            }
        }
    }
    let quantity = match metric.aggregation {
        Aggregation::Count => Decimal::from(count),
        Aggregation::Sum => sum,
        Aggregation::Max => max.unwrap_or_default(),
        Aggregation::Latest => latest.unwrap_or_default(),
        Aggregation::UniqueCount => Decimal::from(seen.len() as u64),
    };
    Quantity {
        quantity: quantity.normalize(),
        events: count,
    }
}

/// A property's value as an exact number: a JSON number, or a text holding one.
fn number(value: &Value) -> Option<Decimal> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return None,
    };
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
}

fn get(conn: &rusqlite::Connection, id: i64) -> Result<BillableMetric> {
    let row = store::get_metric(conn, id)?.ok_or_else(|| {
        ApiError::not_found(format!("There is no billable metric with id {id}.")).about("id")
    })?;
    metric_of(row)
}

fn metric_of(row: MetricRow) -> Result<BillableMetric> {
    let (id, name, description, event_name, aggregation, property, filters, created_at) = row;
    let aggregation = match aggregation.as_str() {
        "sum" => Aggregation::Sum,
        "max" => Aggregation::Max,
        "unique_count" => Aggregation::UniqueCount,
        "latest" => Aggregation::Latest,
        _ => Aggregation::Count,
    };
    let filters: Map<String, Value> = serde_json::from_str(&filters)?;
    let sql = sql_of(&event_name, aggregation, property.as_deref(), &filters);
    Ok(BillableMetric {
        id: Id(id),
        name,
        description,
        event_name,
        aggregation,
        property,
        filters,
        sql,
        created_at: DateTime::from_timestamp(created_at, 0).unwrap_or_default(),
    })
}

fn aggregation_name(aggregation: Aggregation) -> &'static str {
    match aggregation {
        Aggregation::Count => "count",
        Aggregation::Sum => "sum",
        Aggregation::Max => "max",
        Aggregation::UniqueCount => "unique_count",
        Aggregation::Latest => "latest",
    }
}

/// The metric as Orb writes one: `SELECT sum(tokens) FROM events WHERE event_name =
/// 'completion' AND region = 'eu'`.
pub(crate) fn sql_of(
    event_name: &str,
    aggregation: Aggregation,
    property: Option<&str>,
    filters: &Map<String, Value>,
) -> String {
    let column = property.map(identifier).unwrap_or_default();
    let select = match aggregation {
        Aggregation::Count => "count(*)".to_owned(),
        Aggregation::Sum => format!("sum({column})"),
        Aggregation::Max => format!("max({column})"),
        Aggregation::UniqueCount => format!("count(DISTINCT {column})"),
        Aggregation::Latest => format!("latest({column})"),
    };
    let mut conditions = vec![format!("event_name = {}", text_literal(event_name))];
    for (name, value) in filters {
        let literal = match value {
            Value::String(s) => text_literal(s),
            other => other.to_string(),
        };
        conditions.push(format!("{} = {literal}", identifier(name)));
    }
    format!(
        "SELECT {select} FROM events WHERE {}",
        conditions.join(" AND ")
    )
}

fn text_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A property name as an SQL identifier: bare when it is a plain word, else quoted.
fn identifier(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}
