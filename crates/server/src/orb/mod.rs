//! Orb's API (seed 003) under `/orb/v1`, so that Orb's own clients work against a book with
//! `base_url` set (docs/orb-api.md): Bearer tokens (Counterfoil's access tokens, finance
//! scope), Orb's shapes and error bodies, every route described in the OpenAPI document at
//! `/orb/v1/openapi.json`. Each resource is a module over the engine's operations.

pub mod call;
mod events;

use crate::endpoint::{Dialect, Endpoints};
use crate::AppState;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use call::OrbError;
use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder};
use utoipa::OpenApi;

fn endpoints() -> Endpoints {
    events::endpoints()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orb/v1/openapi.json", get(openapi_json))
        .merge(endpoints().router())
        // Unknown Orb paths are Orb's 404, never the UI's index page.
        .route("/orb/v1/{*rest}", axum::routing::any(not_found))
}

async fn not_found() -> OrbError {
    OrbError::not_found("There is no such path in Orb's API.")
}

/// Orb's API: a Bearer token on every request; refusals are Orb's error bodies.
pub(crate) struct Orb;

impl Dialect for Orb {
    fn route_path(documented: &str) -> String {
        documented.to_owned()
    }

    /// 400 for a refused request, 401 without a valid token, 403 for a token without the
    /// finance scope (or read-only, for a write), 404 for an unknown id, 409 for a change the
    /// record's state refuses.
    fn complete(method: &HttpMethod, path: &str, operation: &mut Operation) {
        let mut answer = |status: &str| {
            operation
                .responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| {
                    let content = Content::new(Some(RefOr::Ref(Ref::from_schema_name("OrbError"))));
                    ResponseBuilder::new()
                        .description("")
                        .content("application/json", content)
                        .into()
                });
        };
        answer("400");
        answer("401");
        answer("403");
        if path.contains('{') {
            answer("404");
        }
        if *method != HttpMethod::Get {
            answer("409");
        }
    }

    fn method_not_allowed() -> Response {
        OrbError::method_not_allowed().into_response()
    }
}

/// The whole document: every endpoint and the schemas it uses.
pub fn openapi() -> utoipa::openapi::OpenApi {
    #[derive(OpenApi)]
    #[openapi(
        info(
            title = "Counterfoil: Orb's API",
            description = "Orb's API (usage events, customers, metrics, prices, plans, \
                subscriptions, invoices) over a Counterfoil book. Authenticate with \
                Authorization: Bearer <access token with the finance scope>.",
        ),
        components(schemas(call::OrbError)),
        modifiers(&Security),
        security(("bearer" = [])),
    )]
    struct Root;

    struct Security;
    impl utoipa::Modify for Security {
        fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
            let components = openapi.components.get_or_insert_with(Default::default);
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
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
