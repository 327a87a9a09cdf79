//! One declaration per HTTP endpoint. A handler's `#[utoipa::path(...)]` names its method,
//! path, tag and what is particular to it (path parameters, filters, body, answers); listing
//! the handler in [`endpoints!`] routes it and puts it in the OpenAPI document. What every
//! endpoint of an API shares (its credentials, its refusals, its 405) is added once, by the
//! API's [`Dialect`]. A handler left out of the list is dead code, which the lints refuse.

use crate::AppState;
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter};
use axum::Router;
use utoipa::openapi::path::{HttpMethod, Operation, PathItem};
use utoipa::openapi::OpenApi;

/// What the endpoints of one API have in common.
pub trait Dialect {
    /// The router's path for a documented path (the router cannot match, say, `{id}.json`).
    fn route_path(documented: &str) -> String;

    /// Adds the parameters and answers every endpoint shares to the operation at `method`
    /// `path`, keeping what the endpoint declares itself.
    fn complete(method: &HttpMethod, path: &str, operation: &mut Operation);

    /// The answer to a method a path does not take.
    fn method_not_allowed() -> Response;
}

/// A handler, routed under the method its declaration names.
pub type Route = fn(MethodFilter) -> MethodRouter<AppState>;

/// Routes and their OpenAPI document, made from the same declarations.
pub struct Endpoints {
    router: Router<AppState>,
    doc: OpenApi,
}

impl Endpoints {
    /// Routes each operation of `declared` to the handler it names (utoipa names an operation
    /// after its function) and completes it as dialect `D` says. [`endpoints!`] builds both
    /// arguments from one list of handlers.
    pub fn new<D: Dialect>(mut declared: OpenApi, handlers: &[(&str, Route)]) -> Endpoints {
        let mut router = Router::new();
        for (path, item) in declared.paths.paths.iter_mut() {
            let mut methods = MethodRouter::new().fallback(|| async { D::method_not_allowed() });
            for (method, operation) in operations(item) {
                D::complete(&method, path, operation);
                let name = operation.operation_id.as_deref().unwrap_or_default();
                // Infallible: endpoints! declares and lists the same handlers.
                #[allow(clippy::expect_used)]
                let (_, route) = handlers
                    .iter()
                    .find(|(handler, _)| *handler == name)
                    .expect("every declared operation has its handler");
                methods = methods.merge(route(filter(&method)));
            }
            router = router.route(&D::route_path(path), methods);
        }
        Endpoints {
            router,
            doc: declared,
        }
    }

    /// Adds `other`'s endpoints.
    pub fn merge(mut self, other: Endpoints) -> Endpoints {
        self.router = self.router.merge(other.router);
        self.doc.merge(other.doc);
        self
    }

    /// Adds a route that is no endpoint (a refusal), undocumented.
    pub fn route(mut self, path: &str, methods: MethodRouter<AppState>) -> Endpoints {
        self.router = self.router.route(path, methods);
        self
    }

    pub fn router(self) -> Router<AppState> {
        self.router
    }

    pub fn doc(self) -> OpenApi {
        self.doc
    }
}

/// An API's OpenAPI document as its `openapi.json` route answers it.
pub fn openapi_answer(doc: &OpenApi) -> Response {
    use axum::response::IntoResponse as _;
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )],
        doc.to_json().unwrap_or_else(|_| "{}".into()),
    )
        .into_response()
}

/// The operations of a path, with their methods.
fn operations(item: &mut PathItem) -> Vec<(HttpMethod, &mut Operation)> {
    [
        (HttpMethod::Get, &mut item.get),
        (HttpMethod::Put, &mut item.put),
        (HttpMethod::Post, &mut item.post),
        (HttpMethod::Delete, &mut item.delete),
        (HttpMethod::Options, &mut item.options),
        (HttpMethod::Head, &mut item.head),
        (HttpMethod::Patch, &mut item.patch),
        (HttpMethod::Trace, &mut item.trace),
    ]
    .into_iter()
    .filter_map(|(method, operation)| Some((method, operation.as_mut()?)))
    .collect()
}

fn filter(method: &HttpMethod) -> MethodFilter {
    match method {
        HttpMethod::Get => MethodFilter::GET,
        HttpMethod::Put => MethodFilter::PUT,
        HttpMethod::Post => MethodFilter::POST,
        HttpMethod::Delete => MethodFilter::DELETE,
        HttpMethod::Options => MethodFilter::OPTIONS,
        HttpMethod::Head => MethodFilter::HEAD,
        HttpMethod::Patch => MethodFilter::PATCH,
        HttpMethod::Trace => MethodFilter::TRACE,
    }
}

/// The endpoints of `handlers`, each declared by its `#[utoipa::path(...)]`, in dialect
/// `$dialect`: `endpoints!(ThreeScale; list_services, read_service)`.
macro_rules! endpoints {
    ($dialect:ty; $($handler:ident),+ $(,)?) => {{
        #[derive(utoipa::OpenApi)]
        #[openapi(paths($($handler),+))]
        struct Declared;
        $crate::endpoint::Endpoints::new::<$dialect>(
            <Declared as utoipa::OpenApi>::openapi(),
            &[$((
                stringify!($handler),
                (|method| axum::routing::on(method, $handler)) as $crate::endpoint::Route,
            )),+],
        )
    }};
}

pub(crate) use endpoints;
