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

use crate::endpoint::{Dialect, Endpoints};
use crate::AppState;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use reply::Failure;
use utoipa::openapi::path::{HttpMethod, Operation, ParameterIn};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder};
use utoipa::{IntoParams, OpenApi};

/// Every endpoint of the 3scale APIs.
fn endpoints() -> Endpoints {
    invoices::endpoints()
        .merge(accounts::endpoints())
        .merge(services::endpoints())
        .merge(plans::endpoints())
        .merge(applications::endpoints())
        .merge(tokens::endpoints())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi_json))
        .merge(endpoints().router())
        // Unknown API paths are a JSON 404, never the UI's index page.
        .route("/api/{*rest}", axum::routing::any(not_found))
        .route("/admin/api/{*rest}", axum::routing::any(not_found))
}

/// 3scale's API: a token in the query (or body, or HTTP Basic) on every request; paths end in
/// `.json`; refusals are JSON bodies (threescale-api.md §1).
pub(crate) struct ThreeScale;

impl Dialect for ThreeScale {
    /// `/api/invoices/{id}.json` is routed as `/api/invoices/{id}` (see the module comment).
    fn route_path(documented: &str) -> String {
        match documented.strip_suffix(".json") {
            Some(route) if route.ends_with('}') => route.to_owned(),
            _ => documented.to_owned(),
        }
    }

    /// The access token after the path's own parameters; 403 for a missing, unknown or
    /// too narrow token; 404 for an unknown id; 422 for a refused write.
    fn complete(method: &HttpMethod, path: &str, operation: &mut Operation) {
        let parameters = operation.parameters.get_or_insert_with(Vec::new);
        let after_path = parameters
            .iter()
            .take_while(|parameter| {
                matches!(parameter, RefOr::T(parameter) if parameter.parameter_in == ParameterIn::Path)
            })
            .count();
        let token = schema::AccessTokenParam::into_params(|| Some(ParameterIn::Query));
        parameters.splice(after_path..after_path, token.into_iter().map(RefOr::T));
        let mut answer = |status: &str, body: &str| {
            operation
                .responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| {
                    let content = Content::new(Some(RefOr::Ref(Ref::from_schema_name(body))));
                    ResponseBuilder::new()
                        .description("")
                        .content("application/json", content)
                        .into()
                });
        };
        answer("403", "ErrorBody");
        if path.contains('{') {
            answer("404", "NotFoundBody");
        }
        if *method != HttpMethod::Get {
            answer("422", "ErrorsBody");
        }
    }

    fn method_not_allowed() -> Response {
        Failure::MethodNotAllowed.into_response()
    }
}
async fn not_found() -> Failure {
    Failure::NotFound
}

/// A known path with a method it does not take: a JSON 405, like every other refusal.
pub(crate) async fn method_not_allowed() -> Failure {
    Failure::MethodNotAllowed
}

/// The whole document: every endpoint and the schemas it uses.
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
    doc.merge(endpoints().doc());
    doc
}

async fn openapi_json() -> Response {
    crate::endpoint::openapi_answer(&openapi())
}
