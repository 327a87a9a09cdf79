//! Applications (threescale-api.md §7): a buyer's subscriptions under
//! `/admin/api/accounts/{aid}/applications`, over the engine operations the UI uses.
//!
//! A DELETE cancels the application in the engine, so billing stays right (the cancelled
//! subscription is billed up to its cancellation); to the API it is gone (404). Suspending
//! stops nothing in billing, as in 3scale. Services are all of backend version "1": every
//! application carries `user_key` (and `provider_verification_key`, which Counterfoil does not
//! keep: always null).

use super::call::{id_segment, lenient, path_id, ApiCall};
use super::plans::PlanJson;
use super::reply::{timestamp, Failure, Link, Reply};
use super::schema;
use super::ThreeScale;
use crate::endpoint::{endpoints, Endpoints};
use axum::extract::Path;
use counterfoil_engine::model::{
    Account, Application, ApplicationState, ById, ChangePlan, CustomizePlan, Id, ListApplications,
    Plan, Service, Subscribe, SuspendApplication, UpdateApplication,
};
use counterfoil_engine::op;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

pub(super) fn endpoints() -> Endpoints {
    endpoints!(
        ThreeScale;
        list_applications,
        create_application,
        read_application,
        update_application,
        delete_application,
        change_plan,
        customize_plan,
        decustomize_plan,
        suspend,
        resume,
        accept,
    )
}

// --- JSON ------------------------------------------------------------------------------------

/// An application as 3scale writes it (§7), backend version "1".
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationJson {
    pub id: i64,
    /// live or suspended.
    pub state: String,
    pub enabled: bool,
    pub created_at: String,
    pub updated_at: String,
    pub service_id: i64,
    pub service_name: String,
    pub plan_id: i64,
    pub plan_name: String,
    pub account_id: i64,
    pub org_name: String,
    /// Always null: Counterfoil does not see traffic.
    pub first_traffic_at: Option<String>,
    /// Always null: Counterfoil does not see traffic.
    pub first_daily_traffic_at: Option<String>,
    pub user_key: Option<String>,
    /// Always null: Counterfoil keeps none.
    pub provider_verification_key: Option<String>,
    pub name: String,
    pub description: String,
    pub links: Vec<Link>,
}

impl ApplicationJson {
    fn of(app: &Application, plan: &Plan, service: &Service, account: &Account) -> ApplicationJson {
        let id = app.id.0;
        let account_id = app.account_id.0;
        let at = timestamp(app.created_at);
        ApplicationJson {
            id,
            state: if app.suspended { "suspended" } else { "live" }.to_owned(),
            enabled: !app.suspended,
            updated_at: at.clone(),
            created_at: at,
            service_id: service.id.0,
            service_name: service.name.clone(),
            plan_id: plan.id.0,
            plan_name: plan.name.clone(),
            account_id,
            org_name: account.fields.org_name.clone(),
            first_traffic_at: None,
            first_daily_traffic_at: None,
            user_key: app.user_key.clone(),
            provider_verification_key: None,
            name: app.name.clone(),
            description: app.description.clone(),
            links: vec![
                Link {
                    rel: "self",
                    href: format!("/admin/api/accounts/{account_id}/applications/{id}"),
                },
                Link {
                    rel: "service",
                    href: format!("/admin/api/services/{}", service.id.0),
                },
                Link {
                    rel: "account",
                    href: format!("/admin/api/accounts/{account_id}"),
                },
                Link {
                    rel: "plan",
                    href: format!(
                        "/admin/api/services/{}/application_plans/{}",
                        service.id.0, plan.id.0
                    ),
                },
            ],
        }
    }
}

schema::envelope!(ApplicationEnvelope, application, ApplicationJson);
schema::list!(
    ApplicationList,
    ApplicationItem,
    applications,
    application,
    ApplicationJson
);
schema::envelope!(ApplicationPlanEnvelope, application_plan, PlanJson);

// --- bodies (documentation; read through Params) ---------------------------------------------

/// A new application (flat keys, or under `application`).
#[derive(Deserialize, ToSchema)]
struct CreateApplicationBody {
    /// An application plan (of any service).
    #[serde(default, deserialize_with = "lenient::integer")]
    #[schema(value_type = i64, required)]
    plan_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::text")]
    #[schema(value_type = String, required)]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    description: Option<String>,
    /// At most 256 of letters, digits, `_ . - + =`; 32 random hex characters when absent.
    #[serde(default, deserialize_with = "lenient::text")]
    user_key: Option<String>,
}

/// An update (flat keys, or under `application`); `plan_id` and everything else, as in a
/// whole echoed application, are ignored.
#[derive(Deserialize, ToSchema)]
struct UpdateApplicationBody {
    #[serde(default, deserialize_with = "lenient::text")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    description: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    user_key: Option<String>,
}

#[derive(Deserialize, ToSchema)]
struct ChangePlanBody {
    /// A plan of the application's service.
    #[serde(default, deserialize_with = "lenient::integer")]
    #[schema(value_type = i64, required)]
    plan_id: Option<i64>,
}

/// The filter of the application list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the query string; read through Params
struct ApplicationFilters {
    /// live, suspended or pending (Counterfoil has no pending applications).
    state: Option<String>,
}

// --- helpers ---------------------------------------------------------------------------------

/// The account of the path (404 when unknown or deleted).
async fn account(call: &ApiCall, segment: &str) -> Result<Account, Failure> {
    super::accounts::load(call, path_id(segment)?).await
}

/// An application of `account` that is not cancelled; 404 otherwise.
async fn application(call: &ApiCall, account: &Account, id: i64) -> Result<Application, Failure> {
    let detail = call.read(op::get_application, ById { id: Id(id) }).await?;
    let app = detail.application;
    if app.account_id != account.id || app.state == ApplicationState::Cancelled {
        return Err(Failure::NotFound);
    }
    Ok(app)
}

/// Plans and services read once per answer.
#[derive(Default)]
struct Catalogue {
    plans: HashMap<i64, Plan>,
    services: HashMap<i64, Service>,
}

impl Catalogue {
    async fn json(
        &mut self,
        call: &ApiCall,
        app: &Application,
        account: &Account,
    ) -> Result<ApplicationJson, Failure> {
        let plan_id = app.plan_id.0;
        if let std::collections::hash_map::Entry::Vacant(slot) = self.plans.entry(plan_id) {
            slot.insert(call.read(op::get_plan, ById { id: app.plan_id }).await?);
        }
        let plan = &self.plans[&plan_id];
        let service_id = plan.service_id.0;
        if let std::collections::hash_map::Entry::Vacant(slot) = self.services.entry(service_id) {
            let id = plan.service_id;
            slot.insert(call.read(op::get_service, ById { id }).await?);
        }
        Ok(ApplicationJson::of(
            app,
            plan,
            &self.services[&service_id],
            account,
        ))
    }
}

async fn render(call: &ApiCall, app: &Application, account: &Account) -> Result<Reply, Failure> {
    let json = Catalogue::default().json(call, app, account).await?;
    Reply::entity("application", &json)
}

// --- handlers --------------------------------------------------------------------------------

/// A buyer's applications, oldest first (not paginated); cancelled ones are gone.
#[utoipa::path(
    get, path = "/admin/api/accounts/{account_id}/applications.json", tag = "Applications",
    params(("account_id" = i64, Path), ApplicationFilters),
    responses(
        (status = 200, body = ApplicationList),
        (status = 422, body = schema::ErrorsBody),
    )
)]
async fn list_applications(
    Path(account_segment): Path<String>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let account = account(&call, &account_segment).await?;
    let wanted: Option<Option<bool>> = match call
        .params
        .text("state")
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(None),
        Some("live") => Some(Some(false)),
        Some("suspended") => Some(Some(true)),
        Some("pending") => None,
        Some(_) => {
            return Err(Failure::field(
                "state",
                "must be one of live, suspended, pending",
            ))
        }
    };
    let mut apps = Vec::new();
    if let Some(suspended) = wanted {
        let mut page = 1u32;
        loop {
            let filter = ListApplications {
                account_id: Some(account.id),
                state: Some(ApplicationState::Live),
                page,
                per_page: 500,
                ..ListApplications::default()
            };
            let listed = call.read(op::list_applications, filter).await?;
            let done = listed.items.is_empty()
                || i64::from(page) * i64::from(listed.per_page) >= listed.total;
            apps.extend(
                listed
                    .items
                    .into_iter()
                    .filter(|app| suspended.is_none_or(|s| app.suspended == s)),
            );
            if done {
                break;
            }
            page += 1;
        }
    }
    apps.sort_by_key(|app| app.id);
    let mut catalogue = Catalogue::default();
    let mut items = Vec::with_capacity(apps.len());
    for app in &apps {
        items.push(catalogue.json(&call, app, &account).await?);
    }
    Reply::list("applications", "application", &items, None)
}

/// Subscribe a buyer to a plan: 201 with the application.
#[utoipa::path(
    post, path = "/admin/api/accounts/{account_id}/applications.json", tag = "Applications",
    params(("account_id" = i64, Path)),
    request_body(content = CreateApplicationBody),
    responses((status = 201, body = ApplicationEnvelope))
)]
async fn create_application(
    Path(account_segment): Path<String>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let account = account(&call, &account_segment).await?;
    let body: CreateApplicationBody = call.params.rooted("application").parse()?;
    let plan_id = body
        .plan_id
        .ok_or_else(|| Failure::field("plan_id", "can't be blank"))?;
    call.read(op::get_plan, ById { id: Id(plan_id) }).await?;
    let user_key = match body.user_key.filter(|key| !key.trim().is_empty()) {
        Some(key) => key,
        None => counterfoil_engine::generated_user_key()?,
    };
    let input = Subscribe {
        account_id: account.id,
        plan_id: Id(plan_id),
        name: body.name.unwrap_or_default(),
        description: body.description.unwrap_or_default(),
        user_key: Some(user_key),
    };
    let app = call.write(op::subscribe, input).await?;
    let json = Catalogue::default().json(&call, &app, &account).await?;
    let location = format!(
        "/admin/api/accounts/{}/applications/{}.json",
        account.id.0, json.id
    );
    Reply::created("application", &json, location)
}

/// Read one application of a buyer.
#[utoipa::path(
    get, path = "/admin/api/accounts/{account_id}/applications/{id}.json", tag = "Applications",
    params(("account_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = ApplicationEnvelope))
)]
async fn read_application(
    Path((account_segment, id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let id = id_segment(&id)?;
    let account = account(&call, &account_segment).await?;
    let app = application(&call, &account, id).await?;
    render(&call, &app, &account).await
}

/// Change an application's name, description or user key; `plan_id` and other keys are
/// ignored (plan changes go through change_plan).
#[utoipa::path(
    put, path = "/admin/api/accounts/{account_id}/applications/{id}.json", tag = "Applications",
    params(("account_id" = i64, Path), ("id" = i64, Path)),
    request_body(content = UpdateApplicationBody),
    responses((status = 200, body = ApplicationEnvelope))
)]
async fn update_application(
    Path((account_segment, id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let id = id_segment(&id)?;
    let account = account(&call, &account_segment).await?;
    let mut app = application(&call, &account, id).await?;
    let UpdateApplicationBody {
        name,
        description,
        user_key,
    } = call.params.rooted("application").parse()?;
    if name.is_some() || description.is_some() || user_key.is_some() {
        let input = UpdateApplication {
            id: Id(id),
            name,
            description,
            user_key,
        };
        app = call.write(op::update_application, input).await?;
    }
    render(&call, &app, &account).await
}

/// Delete an application: cancelled in the books (billed up to now), gone from the API.
#[utoipa::path(
    delete, path = "/admin/api/accounts/{account_id}/applications/{id}.json", tag = "Applications",
    params(("account_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, description = "Deleted; empty body"))
)]
async fn delete_application(
    Path((account_segment, id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let id = id_segment(&id)?;
    let account = account(&call, &account_segment).await?;
    application(&call, &account, id).await?;
    call.write(op::cancel_application, ById { id: Id(id) })
        .await?;
    Ok(Reply::deleted())
}

/// Move an application to another plan of the same service: 200 with the new plan.
#[utoipa::path(
    put, path = "/admin/api/accounts/{account_id}/applications/{id}/change_plan.json",
    tag = "Applications",
    params(("account_id" = i64, Path), ("id" = i64, Path)),
    request_body(content = ChangePlanBody),
    responses((status = 200, body = ApplicationPlanEnvelope))
)]
async fn change_plan(
    Path((account_segment, id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let id = path_id(&id)?;
    let account = account(&call, &account_segment).await?;
    let app = application(&call, &account, id).await?;
    let body: ChangePlanBody = call.params.rooted("application").parse()?;
    let plan_id = body
        .plan_id
        .ok_or_else(|| Failure::field("plan_id", "can't be blank"))?;
    let plan = call.read(op::get_plan, ById { id: Id(plan_id) }).await?;
    if plan.id != app.plan_id {
        let change = ChangePlan {
            application_id: Id(id),
            plan_id: plan.id,
        };
        call.write(op::change_plan, change).await?;
    }
    Reply::entity("application_plan", &PlanJson::of(&plan))
}

/// Give an application its own copy of its plan, to change for it alone: 200 with the custom
/// plan (its fees, trial and pricing rules copied; hidden; in no plan list). An application
/// already on a custom plan gets that plan back, unchanged. Billed as a plan change at this
/// instant (billing-rules.md §8).
#[utoipa::path(
    put, path = "/admin/api/accounts/{account_id}/applications/{id}/customize_plan.json",
    tag = "Applications",
    params(("account_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = ApplicationPlanEnvelope))
)]
async fn customize_plan(
    Path((account_segment, id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    switch_custom_plan(&call, &account_segment, &id, true).await
}

/// Return an application on a custom plan to the plan it was copied from: 200 with that plan;
/// the custom plan is retired (kept for the invoices that name it). An application on no
/// custom plan gets its plan back, unchanged.
#[utoipa::path(
    put, path = "/admin/api/accounts/{account_id}/applications/{id}/decustomize_plan.json",
    tag = "Applications",
    params(("account_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = ApplicationPlanEnvelope))
)]
async fn decustomize_plan(
    Path((account_segment, id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    switch_custom_plan(&call, &account_segment, &id, false).await
}

/// Puts the application on a custom plan (`custom`) or back on its plan; an application
/// already where it is asked to be gets its plan back, unchanged, and nothing is recorded.
async fn switch_custom_plan(
    call: &ApiCall,
    account_segment: &str,
    id: &str,
    custom: bool,
) -> Result<Reply, Failure> {
    let id = path_id(id)?;
    let account = account(call, account_segment).await?;
    let app = application(call, &account, id).await?;
    let current = call.read(op::get_plan, ById { id: app.plan_id }).await?;
    let input = CustomizePlan {
        application_id: app.id,
    };
    let plan = match (current.custom.is_some(), custom) {
        (false, true) => call.write(op::customize_plan, input).await?,
        (true, false) => call.write(op::decustomize_plan, input).await?,
        _ => current,
    };
    Reply::entity("application_plan", &PlanJson::of(&plan))
}

async fn set_suspended(
    account_segment: &str,
    id: &str,
    call: ApiCall,
    suspended: bool,
) -> Result<Reply, Failure> {
    let id = path_id(id)?;
    let account = account(&call, account_segment).await?;
    application(&call, &account, id).await?;
    let input = SuspendApplication {
        id: Id(id),
        suspended,
    };
    let app = call.write(op::suspend_application, input).await?;
    render(&call, &app, &account).await
}

/// Suspend a live application (billing goes on, as in 3scale).
#[utoipa::path(
    put, path = "/admin/api/accounts/{account_id}/applications/{id}/suspend.json",
    tag = "Applications",
    params(("account_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = ApplicationEnvelope))
)]
async fn suspend(
    Path((account_segment, id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    set_suspended(&account_segment, &id, call, true).await
}

/// Resume a suspended application.
#[utoipa::path(
    put, path = "/admin/api/accounts/{account_id}/applications/{id}/resume.json",
    tag = "Applications",
    params(("account_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = ApplicationEnvelope))
)]
async fn resume(
    Path((account_segment, id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    set_suspended(&account_segment, &id, call, false).await
}

/// Accept an application. Counterfoil's applications are live from the start, so a live one
/// is answered as it is; a suspended one is refused (resume it).
#[utoipa::path(
    put, path = "/admin/api/accounts/{account_id}/applications/{id}/accept.json",
    tag = "Applications",
    params(("account_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = ApplicationEnvelope))
)]
async fn accept(
    Path((account_segment, id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let id = path_id(&id)?;
    let account = account(&call, &account_segment).await?;
    let app = application(&call, &account, id).await?;
    if app.suspended {
        return Err(Failure::base(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "A suspended application cannot be accepted; resume it.",
        ));
    }
    render(&call, &app, &account).await
}
