//! (to be written)

use crate::AppState;
use axum::Router;
use utoipa::OpenApi;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
}

#[derive(OpenApi)]
#[openapi()]
pub(super) struct Doc;
