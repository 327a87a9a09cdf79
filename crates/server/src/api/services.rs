//! The Account Management API's catalogue of services (threescale-api.md §3) and their metrics
//! and methods (§4), over the engine operations the UI uses.

use super::call::{id_segment, lenient, path_id, ApiCall};
use super::reply::{timestamp, Failure, Link, PageInfo, Reply};
use super::schema::{self, ErrorsBody};
use super::ThreeScale;
use crate::endpoint::{endpoints, Endpoints};
use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use counterfoil_engine::model::{
    BackendVersion, ById, CreateMetric, CreateService, Id, ListMetrics, Metric, Paging, Service,
    UpdateMetric, UpdateService,
};
use counterfoil_engine::op;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The metric every service has (§4): never deleted, the only parent of methods.
const HITS: &str = "hits";

pub(super) fn endpoints() -> Endpoints {
    endpoints!(
        ThreeScale;
        list_services,
        create_service,
        read_service,
        update_service,
        delete_service,
        list_metrics,
        create_metric,
        read_metric,
        update_metric,
        delete_metric,
        list_methods,
        create_method,
        read_method,
        update_method,
        delete_method,
    )
}

// --- JSON ------------------------------------------------------------------------------------

/// A service as 3scale writes it (§3). Counterfoil keeps name, system name and description;
/// the gateway settings are 3scale's defaults for a new service.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceJson {
    pub id: i64,
    pub name: String,
    pub state: &'static str,
    pub system_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// "1" (user keys), "2" (app id and key), "oauth" or "oidc", as given; "1" by default.
    pub backend_version: &'static str,
    /// Always "hosted".
    pub deployment_option: &'static str,
    pub support_email: Option<String>,
    pub intentions_required: bool,
    pub buyers_manage_apps: bool,
    pub buyers_manage_keys: bool,
    pub referrer_filters_required: bool,
    pub custom_keys_enabled: bool,
    pub buyer_key_regenerate_enabled: bool,
    pub mandatory_app_key: bool,
    pub buyer_can_select_plan: bool,
    pub buyer_plan_change_permission: &'static str,
    /// Always `{}`.
    #[schema(value_type = Object)]
    pub annotations: BTreeMap<String, String>,
    pub created_at: String,
    pub updated_at: String,
    pub links: Vec<Link>,
}

impl ServiceJson {
    fn of(service: &Service) -> ServiceJson {
        let id = service.id.0;
        let at = timestamp(service.created_at);
        ServiceJson {
            id,
            name: service.name.clone(),
            state: "incomplete",
            system_name: service.system_name.clone(),
            description: Some(service.description.clone()).filter(|d| !d.is_empty()),
            backend_version: service.backend_version.as_str(),
            deployment_option: "hosted",
            support_email: None,
            intentions_required: false,
            buyers_manage_apps: true,
            buyers_manage_keys: true,
            referrer_filters_required: false,
            custom_keys_enabled: true,
            buyer_key_regenerate_enabled: true,
            mandatory_app_key: true,
            buyer_can_select_plan: false,
            buyer_plan_change_permission: "request",
            annotations: BTreeMap::new(),
            // The book keeps no per-row update time: the creation stands in for it.
            updated_at: at.clone(),
            created_at: at,
            links: vec![
                Link {
                    rel: "metrics",
                    href: format!("/admin/api/services/{id}/metrics"),
                },
                Link {
                    rel: "self",
                    href: format!("/admin/api/services/{id}"),
                },
                Link {
                    rel: "service_plans",
                    href: format!("/admin/api/services/{id}/service_plans"),
                },
                Link {
                    rel: "application_plans",
                    href: format!("/admin/api/services/{id}/application_plans"),
                },
            ],
        }
    }
}

/// A metric or a method (§4). A metric has a `unit` and no `parent_id`; a method has a
/// `parent_id` (the `hits` metric) and no `unit`. `name` always equals `system_name`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetricJson {
    pub id: i64,
    pub name: String,
    pub system_name: String,
    pub friendly_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Metrics only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Methods only: the id of the service's `hits` metric.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub links: Vec<Link>,
}

impl MetricJson {
    /// `service` gives the timestamps: the book keeps none per metric.
    fn of(metric: &Metric, service: &Service) -> MetricJson {
        let id = metric.id.0;
        let sid = metric.service_id.0;
        let at = timestamp(service.created_at);
        let self_href = match metric.parent_id {
            Some(parent) => format!(
                "/admin/api/services/{sid}/metrics/{}/methods/{id}",
                parent.0
            ),
            None => format!("/admin/api/services/{sid}/metrics/{id}"),
        };
        let mut links = vec![Link {
            rel: "service",
            href: format!("/admin/api/services/{sid}"),
        }];
        if let Some(parent) = metric.parent_id {
            links.push(Link {
                rel: "parent",
                href: format!("/admin/api/services/{sid}/metrics/{}", parent.0),
            });
        }
        links.push(Link {
            rel: "self",
            href: self_href,
        });
        MetricJson {
            id,
            name: metric.system_name.clone(),
            system_name: metric.system_name.clone(),
            friendly_name: metric.friendly_name.clone(),
            description: Some(metric.description.clone()).filter(|d| !d.is_empty()),
            unit: metric.parent_id.is_none().then(|| metric.unit.clone()),
            parent_id: metric.parent_id.map(|id| id.0),
            updated_at: at.clone(),
            created_at: at,
            links,
        }
    }
}

schema::envelope!(ServiceEnvelope, service, ServiceJson);
schema::list!(ServiceList, ServiceItem, services, service, ServiceJson);
schema::envelope!(MetricEnvelope, metric, MetricJson);
schema::list!(MetricList, MetricItem, metrics, metric, MetricJson);
schema::envelope!(MethodEnvelope, method, MetricJson);
schema::list!(MethodList, MethodItem, methods, method, MetricJson);

/// 422 `{"error": {...}}`: a refused state change (§1.5), e.g. deleting the last service.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the body; written by delete_service
struct StateMachineBody {
    error: StateMachineError,
}

#[derive(ToSchema)]
#[allow(dead_code)] // documents the body; written by delete_service
struct StateMachineError {
    from: String,
    event: String,
    error: String,
    #[schema(value_type = Object)]
    object: serde_json::Value,
}

// --- helpers shared with plans ---------------------------------------------------------------

/// 422 with several fields at once (`{}` gives both `friendly_name` and `unit`).
pub(super) fn fields(errors: Vec<(&str, &str)>) -> Result<(), Failure> {
    if errors.is_empty() {
        return Ok(());
    }
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (field, message) in errors {
        map.entry(field.to_owned())
            .or_default()
            .push(message.to_owned());
    }
    Err(Failure::Errors(StatusCode::UNPROCESSABLE_ENTITY, map))
}

/// A text that is present and not blank.
pub(super) fn given(text: Option<String>) -> Option<String> {
    text.filter(|text| !text.trim().is_empty())
}

/// A DELETE the engine refuses as a conflict (the thing is in use) is 403 with the reason on
/// `base` (§1.5).
fn refused_delete(failure: Failure) -> Failure {
    match failure {
        Failure::Conflict(message) => Failure::base(StatusCode::FORBIDDEN, message),
        Failure::Errors(_, errors) if errors.contains_key("base") => {
            Failure::Errors(StatusCode::FORBIDDEN, errors)
        }
        other => other,
    }
}

pub(super) async fn service(call: &ApiCall, id: i64) -> Result<Service, Failure> {
    call.read(op::get_service, ById { id: Id(id) }).await
}

/// A service and its metrics and methods, by id ascending.
async fn catalogue(call: &ApiCall, service_id: i64) -> Result<(Service, Vec<Metric>), Failure> {
    let service = service(call, service_id).await?;
    let mut metrics = call
        .read(
            op::list_metrics,
            ListMetrics {
                service_id: Id(service_id),
            },
        )
        .await?;
    metrics.sort_by_key(|metric| metric.id);
    Ok((service, metrics))
}

fn hits(metrics: &[Metric]) -> Option<&Metric> {
    metrics
        .iter()
        .find(|metric| metric.system_name == HITS && metric.parent_id.is_none())
}

// --- services --------------------------------------------------------------------------------

/// List services, 500 a page by default, oldest first.
#[utoipa::path(
    get, path = "/admin/api/services.json", tag = "Services",
    params(schema::PageParams),
    responses((status = 200, body = ServiceList))
)]
async fn list_services(call: ApiCall) -> Result<Reply, Failure> {
    let paging = Paging {
        page: call.params.page(),
        per_page: call.params.per_page(500),
    };
    let page = call.read(op::list_services, paging).await?;
    let items: Vec<ServiceJson> = page.items.iter().map(ServiceJson::of).collect();
    Reply::list(
        "services",
        "service",
        &items,
        Some(&PageInfo {
            page: page.page,
            per_page: page.per_page,
            total_entries: page.total,
        }),
    )
}

/// The body of a service create or update (flat, or under `service`).
#[derive(Deserialize, ToSchema)]
struct ServiceBody {
    /// Required on create.
    #[serde(default, deserialize_with = "lenient::text")]
    #[schema(value_type = String, required)]
    name: Option<String>,
    /// Create only: generated from the name when absent; ignored on update.
    #[serde(default, deserialize_with = "lenient::text")]
    system_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    description: Option<String>,
    /// "1", "2", "oauth" or "oidc"; "1" when absent on create.
    #[serde(default, deserialize_with = "lenient::text")]
    backend_version: Option<String>,
}

impl ServiceBody {
    /// The backend version given, if any; one that is none of 3scale's is a 422 on the field.
    fn backend_version(&self) -> Result<Option<BackendVersion>, Failure> {
        match self.backend_version.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => BackendVersion::parse(text)
                .map(Some)
                .ok_or_else(|| Failure::field("backend_version", "must be 1, 2, oauth or oidc")),
        }
    }
}

/// Create a service; its `hits` metric comes with it (no plans do).
#[utoipa::path(
    post, path = "/admin/api/services.json", tag = "Services",
    request_body(content = ServiceBody),
    responses((status = 201, body = ServiceEnvelope))
)]
async fn create_service(call: ApiCall) -> Result<Reply, Failure> {
    let body: ServiceBody = call.params.rooted("service").parse()?;
    let mut refused = Vec::new();
    let backend_version = Failure::noted(&mut refused, body.backend_version()).flatten();
    let name = given(body.name);
    if name.is_none() {
        refused.push(Failure::field("name", "can't be blank"));
    }
    Failure::all(refused)?;
    let input = CreateService {
        name: name.unwrap_or_default(),
        system_name: given(body.system_name),
        description: body.description.unwrap_or_default(),
        backend_version: backend_version.unwrap_or_default(),
    };
    let created = call.write_in_short_words(op::create_service, input).await?;
    let service = ServiceJson::of(&created);
    let location = format!("/admin/api/services/{}.json", service.id);
    Reply::created("service", &service, location)
}

/// Read one service.
#[utoipa::path(
    get, path = "/admin/api/services/{id}.json", tag = "Services",
    params(("id" = i64, Path)),
    responses((status = 200, body = ServiceEnvelope))
)]
async fn read_service(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let id = id_segment(&id)?;
    let found = service(&call, id).await?;
    Reply::entity("service", &ServiceJson::of(&found))
}

/// Change a service's name, description or backend version; `system_name` and every other key
/// are ignored.
#[utoipa::path(
    put, path = "/admin/api/services/{id}.json", tag = "Services",
    params(("id" = i64, Path)),
    request_body(content = ServiceBody),
    responses((status = 200, body = ServiceEnvelope))
)]
async fn update_service(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let id = id_segment(&id)?;
    let body: ServiceBody = call.params.rooted("service").parse()?;
    let backend_version = body.backend_version()?;
    // A blank name is refused by the engine, in 3scale's words.
    let input = UpdateService {
        name: body.name,
        description: body.description,
        backend_version,
        ..UpdateService::of(Id(id))
    };
    let after = call.write_in_short_words(op::update_service, input).await?;
    Reply::entity("service", &ServiceJson::of(&after))
}

/// Delete a service; a GET of it is then 404. One whose plans have or had applications goes as
/// 3scale deletes it with them: its live applications end now (billed up to now) and its plans
/// are hidden; one without goes with its metrics and plans. The last service cannot be
/// deleted (422, state-machine body).
#[utoipa::path(
    delete, path = "/admin/api/services/{id}.json", tag = "Services",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Deleted; empty body"),
        (status = 403, body = ErrorsBody),
        (status = 422, body = StateMachineBody),
    )
)]
async fn delete_service(Path(id): Path<String>, call: ApiCall) -> Response {
    match delete_service_inner(&id, &call).await {
        Ok(Ok(reply)) => reply.into_response(),
        Ok(Err(refusal)) => refusal,
        Err(failure) => failure.into_response(),
    }
}

/// `Ok(Err(response))` is the state-machine refusal, a body `Failure` cannot write.
async fn delete_service_inner(
    id: &str,
    call: &ApiCall,
) -> Result<Result<Reply, Response>, Failure> {
    let id = id_segment(id)?;
    let before = service(call, id).await?;
    let all = call
        .read(
            op::list_services,
            Paging {
                page: 1,
                per_page: 1,
            },
        )
        .await?;
    if all.total <= 1 {
        return Ok(Err(last_service_refusal(&before)));
    }
    call.write(op::delete_service, ById { id: Id(id) })
        .await
        .map_err(refused_delete)?;
    Ok(Ok(Reply::deleted()))
}

/// porta's answer to deleting the provider's last service: the `mark_as_deleted` transition
/// refused.
fn last_service_refusal(service: &Service) -> Response {
    let body = json!({
        "error": {
            "from": "incomplete",
            "event": "mark_as_deleted",
            "error": "Cannot transition state via :mark_as_deleted from :incomplete \
                      (Reason(s): The last service of the provider cannot be deleted)",
            "object": {"service": {"id": service.id.0, "system_name": service.system_name}},
        }
    });
    let mut response = (StatusCode::UNPROCESSABLE_ENTITY, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

// --- metrics ---------------------------------------------------------------------------------

/// A service's metrics, methods included (as metric items with `parent_id`), by id.
#[utoipa::path(
    get, path = "/admin/api/services/{service_id}/metrics.json", tag = "Metrics",
    params(("service_id" = i64, Path)),
    responses((status = 200, body = MetricList))
)]
async fn list_metrics(Path(service_id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let (service, metrics) = catalogue(&call, path_id(&service_id)?).await?;
    let items: Vec<MetricJson> = metrics
        .iter()
        .map(|metric| MetricJson::of(metric, &service))
        .collect();
    Reply::list("metrics", "metric", &items, None)
}

/// The body of a metric or method create or update: under `metric` (porta's root for both)
/// or `method`, or flat.
#[derive(Deserialize, ToSchema)]
struct MetricBody {
    /// Required on create; unique in the service.
    #[serde(default, deserialize_with = "lenient::text")]
    #[schema(value_type = String, required)]
    friendly_name: Option<String>,
    /// Metrics only; required on create. Methods inherit `hits`' unit.
    #[serde(default, deserialize_with = "lenient::text")]
    unit: Option<String>,
    /// Create only: generated from friendly_name when absent; unique in the service across
    /// metrics and methods. Ignored on update.
    #[serde(default, deserialize_with = "lenient::text")]
    system_name: Option<String>,
    /// Deprecated alias of system_name.
    #[serde(default, deserialize_with = "lenient::text")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    description: Option<String>,
}

impl MetricBody {
    fn of(call: &ApiCall) -> Result<MetricBody, Failure> {
        call.params.rooted("method").rooted("metric").parse()
    }
}

/// Creates a metric (`parent` None) or a method under `parent`, with 3scale's validations.
async fn create(
    call: &ApiCall,
    service_id: i64,
    parent: Option<i64>,
) -> Result<(Metric, Service), Failure> {
    let (service, metrics) = catalogue(call, service_id).await?;
    let body = MetricBody::of(call)?;
    let hits_metric = hits(&metrics);
    let unit = match parent {
        None => given(body.unit),
        Some(parent_id) => {
            if !metrics.iter().any(|metric| metric.id.0 == parent_id) {
                return Err(Failure::NotFound);
            }
            match hits_metric.filter(|hits| hits.id.0 == parent_id) {
                Some(hits) => Some(hits.unit.clone()),
                None => {
                    return Err(Failure::field(
                        "parent_id",
                        "You can only create methods under 'hits'",
                    ))
                }
            }
        }
    };
    let friendly_name = given(body.friendly_name);
    let system_name = given(body.system_name).or_else(|| given(body.name));
    let mut errors = Vec::new();
    match &friendly_name {
        None => errors.push(("friendly_name", "can't be blank")),
        Some(friendly) => {
            if metrics
                .iter()
                .any(|m| m.friendly_name.trim() == friendly.trim())
            {
                errors.push(("friendly_name", "has already been taken"));
            }
        }
    }
    if unit.is_none() {
        errors.push(("unit", "can't be blank"));
    }
    // The system name given, or the one the engine will derive: a duplicate method or metric
    // is refused on system_name (clients rely on that key).
    let effective = system_name.clone().or_else(|| {
        friendly_name
            .as_deref()
            .map(counterfoil_engine::derived_system_name)
    });
    if let Some(effective) = effective {
        if metrics.iter().any(|m| m.system_name == effective.trim()) {
            errors.push(("system_name", "has already been taken"));
        }
    }
    fields(errors)?;
    let input = CreateMetric {
        service_id: Id(service_id),
        parent_id: parent.map(Id),
        system_name,
        friendly_name: friendly_name.unwrap_or_default(),
        unit: unit.unwrap_or_default(),
        description: body.description.unwrap_or_default(),
    };
    let created = call.write_in_short_words(op::create_metric, input).await?;
    Ok((created, service))
}

/// Changes friendly_name, unit (metrics only) and description; the rest is ignored.
async fn update(call: &ApiCall, metric: &Metric, metrics: &[Metric]) -> Result<Metric, Failure> {
    let body = MetricBody::of(call)?;
    if let Some(name) = &body.friendly_name {
        if name.trim().is_empty() {
            return Err(Failure::field("friendly_name", "can't be blank"));
        }
        if metrics
            .iter()
            .any(|m| m.id != metric.id && m.friendly_name.trim() == name.trim())
        {
            return Err(Failure::field("friendly_name", "has already been taken"));
        }
    }
    // A method's unit is its parent's: not changed here.
    let unit = body.unit.filter(|_| metric.parent_id.is_none());
    if unit.as_deref().is_some_and(|text| text.trim().is_empty()) {
        return Err(Failure::field("unit", "can't be blank"));
    }
    let input = UpdateMetric {
        friendly_name: body.friendly_name,
        unit,
        description: body.description,
        ..UpdateMetric::of(metric.id)
    };
    call.write_in_short_words(op::update_metric, input).await
}

/// Deletes a metric or method; `hits` is refused with 403.
async fn remove(call: &ApiCall, metric: &Metric) -> Result<Reply, Failure> {
    if metric.system_name == HITS && metric.parent_id.is_none() {
        return Err(Failure::base(
            StatusCode::FORBIDDEN,
            "The Hits metric cannot be deleted",
        ));
    }
    call.write(op::delete_metric, ById { id: metric.id })
        .await
        .map_err(refused_delete)?;
    Ok(Reply::deleted())
}

/// Create a metric.
#[utoipa::path(
    post, path = "/admin/api/services/{service_id}/metrics.json", tag = "Metrics",
    params(("service_id" = i64, Path)),
    request_body(content = MetricBody),
    responses((status = 201, body = MetricEnvelope))
)]
async fn create_metric(Path(service_id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let service_id = path_id(&service_id)?;
    let (created, service) = create(&call, service_id, None).await?;
    let metric = MetricJson::of(&created, &service);
    let location = format!(
        "/admin/api/services/{service_id}/metrics/{}.json",
        metric.id
    );
    Reply::created("metric", &metric, location)
}

/// The metric (or method) `id` of service `service_id`, with the service and all its metrics.
async fn metric_of(
    call: &ApiCall,
    service_id: &str,
    id: &str,
) -> Result<(Metric, Service, Vec<Metric>), Failure> {
    let service_id = path_id(service_id)?;
    let id = id_segment(id)?;
    let (service, metrics) = catalogue(call, service_id).await?;
    let metric = metrics
        .iter()
        .find(|metric| metric.id.0 == id)
        .cloned()
        .ok_or(Failure::NotFound)?;
    Ok((metric, service, metrics))
}

/// Read one metric (a method's id reads it as a metric item).
#[utoipa::path(
    get, path = "/admin/api/services/{service_id}/metrics/{id}.json", tag = "Metrics",
    params(("service_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = MetricEnvelope))
)]
async fn read_metric(
    Path((service_id, id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let (metric, service, _) = metric_of(&call, &service_id, &id).await?;
    Reply::entity("metric", &MetricJson::of(&metric, &service))
}

/// Change a metric's friendly_name, unit or description; `system_name` is kept.
#[utoipa::path(
    put, path = "/admin/api/services/{service_id}/metrics/{id}.json", tag = "Metrics",
    params(("service_id" = i64, Path), ("id" = i64, Path)),
    request_body(content = MetricBody),
    responses((status = 200, body = MetricEnvelope))
)]
async fn update_metric(
    Path((service_id, id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let (metric, service, metrics) = metric_of(&call, &service_id, &id).await?;
    let after = update(&call, &metric, &metrics).await?;
    Reply::entity("metric", &MetricJson::of(&after, &service))
}

/// Delete a metric (with its methods); `hits` cannot be deleted (403).
#[utoipa::path(
    delete, path = "/admin/api/services/{service_id}/metrics/{id}.json", tag = "Metrics",
    params(("service_id" = i64, Path), ("id" = i64, Path)),
    responses(
        (status = 200, description = "Deleted; empty body"),
        (status = 403, body = ErrorsBody),
    )
)]
async fn delete_metric(
    Path((service_id, id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let (metric, _, _) = metric_of(&call, &service_id, &id).await?;
    remove(&call, &metric).await
}

// --- methods ---------------------------------------------------------------------------------

/// A metric's methods (only `hits` has any), by id.
#[utoipa::path(
    get, path = "/admin/api/services/{service_id}/metrics/{metric_id}/methods.json",
    tag = "Methods",
    params(("service_id" = i64, Path), ("metric_id" = i64, Path)),
    responses((status = 200, body = MethodList))
)]
async fn list_methods(
    Path((service_id, metric_id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let (parent, service, metrics) = metric_of(&call, &service_id, &metric_id).await?;
    let items: Vec<MetricJson> = metrics
        .iter()
        .filter(|metric| metric.parent_id == Some(parent.id))
        .map(|metric| MetricJson::of(metric, &service))
        .collect();
    Reply::list("methods", "method", &items, None)
}

/// Create a method; only under `hits` (422 on parent_id otherwise). Its unit is `hits`'.
#[utoipa::path(
    post, path = "/admin/api/services/{service_id}/metrics/{metric_id}/methods.json",
    tag = "Methods",
    params(("service_id" = i64, Path), ("metric_id" = i64, Path)),
    request_body(content = MetricBody),
    responses((status = 201, body = MethodEnvelope))
)]
async fn create_method(
    Path((service_id, metric_id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let service_id = path_id(&service_id)?;
    let metric_id = path_id(&metric_id)?;
    let (created, service) = create(&call, service_id, Some(metric_id)).await?;
    let method = MetricJson::of(&created, &service);
    let location = format!(
        "/admin/api/services/{service_id}/metrics/{metric_id}/methods/{}.json",
        method.id
    );
    Reply::created("method", &method, location)
}

/// The method `id` under metric `metric_id` of the service: 404 on any mismatch.
async fn method_of(
    call: &ApiCall,
    service_id: &str,
    metric_id: &str,
    id: &str,
) -> Result<(Metric, Service, Vec<Metric>), Failure> {
    let (parent, service, metrics) = metric_of(call, service_id, metric_id).await?;
    let id = id_segment(id)?;
    let method = metrics
        .iter()
        .find(|metric| metric.id.0 == id && metric.parent_id == Some(parent.id))
        .cloned()
        .ok_or(Failure::NotFound)?;
    Ok((method, service, metrics))
}

/// Read one method.
#[utoipa::path(
    get, path = "/admin/api/services/{service_id}/metrics/{metric_id}/methods/{id}.json",
    tag = "Methods",
    params(
        ("service_id" = i64, Path), ("metric_id" = i64, Path), ("id" = i64, Path)
    ),
    responses((status = 200, body = MethodEnvelope))
)]
async fn read_method(
    Path((service_id, metric_id, id)): Path<(String, String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let (method, service, _) = method_of(&call, &service_id, &metric_id, &id).await?;
    Reply::entity("method", &MetricJson::of(&method, &service))
}

/// Change a method's friendly_name or description; `system_name` is kept.
#[utoipa::path(
    put, path = "/admin/api/services/{service_id}/metrics/{metric_id}/methods/{id}.json",
    tag = "Methods",
    params(
        ("service_id" = i64, Path), ("metric_id" = i64, Path), ("id" = i64, Path)
    ),
    request_body(content = MetricBody),
    responses((status = 200, body = MethodEnvelope))
)]
async fn update_method(
    Path((service_id, metric_id, id)): Path<(String, String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let (method, service, metrics) = method_of(&call, &service_id, &metric_id, &id).await?;
    let after = update(&call, &method, &metrics).await?;
    Reply::entity("method", &MetricJson::of(&after, &service))
}

/// Delete a method.
#[utoipa::path(
    delete, path = "/admin/api/services/{service_id}/metrics/{metric_id}/methods/{id}.json",
    tag = "Methods",
    params(
        ("service_id" = i64, Path), ("metric_id" = i64, Path), ("id" = i64, Path)
    ),
    responses(
        (status = 200, description = "Deleted; empty body"),
        (status = 403, body = ErrorsBody),
    )
)]
async fn delete_method(
    Path((service_id, metric_id, id)): Path<(String, String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let (method, _, _) = method_of(&call, &service_id, &metric_id, &id).await?;
    remove(&call, &method).await
}
