//! The 3scale-compatible APIs (../shared/spec/threescale-api.md, docs/threescale-api.md):
//! the Account Management API under `/admin/api` and the Billing API under `/api`, each
//! resource a module over the engine operations the UI uses, every route described in the
//! OpenAPI 3.1 document served at `/api/openapi.json` (built by utoipa from the handlers).
//!
//! Paths end in `.json` (`.xml` is answered 406). A last segment that is an id, as in
//! `/api/invoices/{id}.json`, is routed as `{id}` and read by [`call::id_segment`]: the router
//! cannot match a parameter followed by a suffix.

mod accounts;
mod applications;
pub mod call;
mod invoices;
mod plans;
pub mod reply;
pub(crate) mod schema;
mod services;
mod tokens;

use crate::AppState;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use reply::Failure;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::OpenApi;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi_json))
        .merge(invoices::routes())
        .merge(accounts::routes())
        .merge(services::routes())
        .merge(plans::routes())
        .merge(applications::routes())
        .merge(tokens::routes())
        // Unknown API paths are a JSON 404, never the UI's index page.
        .route("/api/{*rest}", axum::routing::any(not_found))
        .route("/admin/api/{*rest}", axum::routing::any(not_found))
}

async fn not_found() -> Failure {
    Failure::NotFound
}

/// A known path with a method it does not take: a JSON 405, like every other refusal.
pub(crate) async fn method_not_allowed() -> Failure {
    Failure::MethodNotAllowed
}

/// The whole document: every module's paths and schemas.
pub fn openapi() -> utoipa::openapi::OpenApi {
    #[derive(OpenApi)]
    #[openapi(
        info(
            title = "Counterfoil: 3scale Account Management and Billing APIs",
            description = "A drop-in for 3scale's Account Management API (/admin/api) and \
                Billing API (/api). Authenticate with access_token (query, body or HTTP Basic).",
        ),
        components(schemas(schema::ErrorBody, schema::NotFoundBody, schema::ErrorsBody, schema::Metadata)),
        modifiers(&Security),
    )]
    struct Root;

    struct Security;
    impl utoipa::Modify for Security {
        fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
            let components = openapi.components.get_or_insert_with(Default::default);
            components.add_security_scheme(
                "access_token",
                SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::new("access_token"))),
            );
        }
    }

    let mut doc = Root::openapi();
    doc.merge(invoices::Doc::openapi());
    doc.merge(accounts::Doc::openapi());
    doc.merge(services::Doc::openapi());
    doc.merge(plans::Doc::openapi());
    doc.merge(applications::Doc::openapi());
    doc.merge(tokens::Doc::openapi());
    doc
}

async fn openapi_json() -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )],
        openapi().to_json().unwrap_or_else(|_| "{}".into()),
    )
}
