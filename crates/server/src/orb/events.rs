//! Orb's events (seed 003): ingest with `debug`, amend (`PUT /events/{id}/amend` as seed 003
//! writes it, and `PUT /events/{id}` as the official client sends it), deprecate, search and
//! volume, over the engine's event operations (docs/events.md).

use super::call::{OrbCall, OrbError};
use super::Orb;
use crate::endpoint::{endpoints, Endpoints};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query};
use axum::Json;
use counterfoil_engine::model::{Event, IngestEvents};
use counterfoil_engine::op;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use utoipa::{IntoParams, ToSchema};

pub(super) fn endpoints() -> Endpoints {
    endpoints!(
        Orb;
        ingest,
        amend_event,
        amend_event_by_id,
        deprecate_event,
        search_events,
        event_volume,
    )
}

/// An event as Orb writes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventJson {
    /// Its idempotency key.
    id: String,
    event_name: String,
    timestamp: String,
    customer_id: String,
    external_customer_id: Option<String>,
    #[schema(value_type = Object)]
    properties: Map<String, Value>,
    deprecated: bool,
}

impl EventJson {
    fn of(event: Event) -> EventJson {
        EventJson {
            id: event.id,
            event_name: event.event_name,
            timestamp: event
                .timestamp
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            customer_id: event.customer_id.to_string(),
            external_customer_id: event.external_customer_id,
            properties: event.properties,
            deprecated: event.deprecated,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct IngestQuery {
    /// When true, the answer lists the keys taken and the duplicates.
    #[serde(default)]
    debug: Option<bool>,
}

/// `{"events": [...]}`: each `{event_name, timestamp, idempotency_key, customer_id |
/// external_customer_id, properties}`. The OpenAPI document's description of the body, which
/// is read as the engine's `IngestEvents`.
#[derive(ToSchema)]
#[allow(dead_code)] // described, never built
struct IngestBody {
    #[schema(value_type = Vec<Object>)]
    events: Vec<Value>,
}

#[derive(Serialize, ToSchema)]
struct ValidationFailed {
    idempotency_key: String,
    validation_errors: Vec<String>,
}

#[derive(Serialize, ToSchema)]
struct IngestDebug {
    duplicate: Vec<String>,
    ingested: Vec<String>,
}

/// What became of a batch: the events refused, with every reason (the others were taken, or
/// were duplicates); with `debug`, the keys taken and the duplicates.
#[derive(Serialize, ToSchema)]
struct IngestAnswer {
    validation_failed: Vec<ValidationFailed>,
    debug: Option<IngestDebug>,
}

/// Ingest events
///
/// Each event is taken, a duplicate of a key seen before (never counted twice) or refused
/// with its reasons; one bad event never refuses the others, and a batch with refused events
/// is answered 200 listing them. At most 500 events per batch.
#[utoipa::path(post, path = "/orb/v1/ingest", tag = "Events", params(IngestQuery),
    request_body = IngestBody,
    responses((status = 200, description = "The batch's outcome", body = IngestAnswer)))]
async fn ingest(
    query: Result<Query<IngestQuery>, QueryRejection>,
    call: OrbCall,
) -> Result<Json<IngestAnswer>, OrbError> {
    let Query(query) = query.map_err(|e| {
        OrbError::bad_request("debug is true or false.", vec![format!("debug: {e}")])
    })?;
    let body: IngestEvents = call.json()?;
    let report = call.write(op::ingest_events, body).await?;
    let validation_failed = report
        .refused
        .into_iter()
        .map(|refused| ValidationFailed {
            idempotency_key: refused.idempotency_key,
            validation_errors: refused.validation_errors,
        })
        .collect();
    Ok(Json(IngestAnswer {
        validation_failed,
        debug: query.debug.unwrap_or(false).then_some(IngestDebug {
            duplicate: report.duplicate,
            ingested: report.ingested,
        }),
    }))
}

/// What an event says from now on.
#[derive(Deserialize, ToSchema)]
struct AmendBody {
    #[serde(default)]
    event_name: Option<String>,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    customer_id: Option<Value>,
    #[serde(default)]
    external_customer_id: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    properties: Option<Value>,
}

#[derive(Serialize, ToSchema)]
struct Amended {
    /// The idempotency key of the amended event.
    amended: String,
}

async fn amend(call: OrbCall, id: String) -> Result<Json<Amended>, OrbError> {
    let body: AmendBody = call.json()?;
    let event = call
        .run(
            "amend_event",
            json!({"id": id, "event_name": body.event_name, "timestamp": body.timestamp,
                   "customer_id": body.customer_id,
                   "external_customer_id": body.external_customer_id,
                   "properties": body.properties}),
        )
        .await?;
    Ok(Json(Amended {
        amended: event["id"].as_str().unwrap_or_default().to_owned(),
    }))
}

/// Amend event
///
/// Replaces what an event says; the earlier version is kept. Its id is its idempotency key.
#[utoipa::path(put, path = "/orb/v1/events/{event_id}/amend", tag = "Events",
    params(("event_id" = String, Path, description = "The event's idempotency key")),
    request_body = AmendBody,
    responses((status = 200, description = "The amended event", body = Amended)))]
async fn amend_event(Path(id): Path<String>, call: OrbCall) -> Result<Json<Amended>, OrbError> {
    amend(call, id).await
}

/// Amend event (as the official client sends it)
#[utoipa::path(put, path = "/orb/v1/events/{event_id}", tag = "Events",
    params(("event_id" = String, Path, description = "The event's idempotency key")),
    request_body = AmendBody,
    responses((status = 200, description = "The amended event", body = Amended)))]
async fn amend_event_by_id(
    Path(id): Path<String>,
    call: OrbCall,
) -> Result<Json<Amended>, OrbError> {
    amend(call, id).await
}

#[derive(Serialize, ToSchema)]
struct Deprecated {
    /// The idempotency key of the deprecated event.
    deprecated: String,
}

/// Deprecate event
///
/// The event counts for nothing from now on; its key stays taken.
#[utoipa::path(put, path = "/orb/v1/events/{event_id}/deprecate", tag = "Events",
    params(("event_id" = String, Path, description = "The event's idempotency key")),
    responses((status = 200, description = "The deprecated event", body = Deprecated)))]
async fn deprecate_event(
    Path(id): Path<String>,
    call: OrbCall,
) -> Result<Json<Deprecated>, OrbError> {
    let event = call.run("deprecate_event", json!({ "id": id })).await?;
    Ok(Json(Deprecated {
        deprecated: event["id"].as_str().unwrap_or_default().to_owned(),
    }))
}

/// By ids, or a timeframe (by default the week before now).
#[derive(Deserialize, ToSchema)]
struct SearchBody {
    #[serde(default)]
    event_ids: Option<Vec<String>>,
    #[serde(default)]
    timeframe_start: Option<String>,
    #[serde(default)]
    timeframe_end: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct EventList {
    data: Vec<EventJson>,
}

/// Search events
#[utoipa::path(post, path = "/orb/v1/events/search", tag = "Events",
    request_body = SearchBody,
    responses((status = 200, description = "The events found, newest first", body = EventList)))]
async fn search_events(call: OrbCall) -> Result<Json<EventList>, OrbError> {
    let body: SearchBody = call.json()?;
    let found = call
        .run(
            "search_events",
            json!({"event_ids": body.event_ids, "timeframe_start": body.timeframe_start,
                   "timeframe_end": body.timeframe_end}),
        )
        .await?;
    let events: Vec<Event> = serde_json::from_value(found).map_err(|e| OrbError::internal(&e))?;
    Ok(Json(EventList {
        data: events.into_iter().map(EventJson::of).collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct VolumeQuery {
    /// The first hour counted.
    timeframe_start: String,
    /// The end (exclusive); now by default.
    #[serde(default)]
    timeframe_end: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct VolumeBucketJson {
    timeframe_start: String,
    timeframe_end: String,
    count: u64,
}

#[derive(Serialize, ToSchema)]
struct VolumeList {
    data: Vec<VolumeBucketJson>,
}

/// Get event volume
///
/// The events that count (not deprecated), per hour.
#[utoipa::path(get, path = "/orb/v1/events/volume", tag = "Events", params(VolumeQuery),
    responses((status = 200, description = "Events per hour", body = VolumeList)))]
async fn event_volume(
    query: Result<Query<VolumeQuery>, QueryRejection>,
    call: OrbCall,
) -> Result<Json<VolumeList>, OrbError> {
    let Query(query) = query.map_err(|e| {
        OrbError::bad_request(
            "timeframe_start is required (an ISO 8601 instant).",
            vec![format!("timeframe_start: {e}")],
        )
    })?;
    let buckets = call
        .run(
            "event_volume",
            json!({"timeframe_start": query.timeframe_start, "timeframe_end": query.timeframe_end}),
        )
        .await?;
    let instant = |v: &Value| -> String {
        v.as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| {
                t.with_timezone(&chrono::Utc)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            })
            .unwrap_or_default()
    };
    let data = buckets
        .as_array()
        .map(|list| {
            list.iter()
                .map(|b| VolumeBucketJson {
                    timeframe_start: instant(&b["timeframe_start"]),
                    timeframe_end: instant(&b["timeframe_end"]),
                    count: b["count"].as_u64().unwrap_or(0),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Json(VolumeList { data }))
}
