//! Types that exist to describe the API in its OpenAPI document: envelopes, error bodies and
//! the parameters every route shares. The answers themselves are written by `reply`.

#![allow(dead_code)] // fields are read by utoipa's derive, not by code

use utoipa::{IntoParams, ToSchema};

/// `{"error": "..."}`: access denied, wrong permissions, a missing parameter.
#[derive(ToSchema)]
pub struct ErrorBody {
    pub error: String,
}

/// `{"status": "Not found"}`.
#[derive(ToSchema)]
pub struct NotFoundBody {
    pub status: String,
}

/// `{"errors": {"<field>": ["message", ...], "base": [...]}}`.
#[derive(ToSchema)]
pub struct ErrorsBody {
    pub errors: std::collections::BTreeMap<String, Vec<String>>,
}

/// A file's bytes (an invoice's PDF).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileBytes(Vec<u8>);

/// The token, in the query string (it may also come in the body or as HTTP Basic).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessTokenParam {
    /// A personal access token (`counterfoil token create`).
    pub access_token: Option<String>,
}

/// Pagination of paginated lists.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1-based; anything below 1 or unreadable is 1.
    pub page: Option<String>,
    /// 1 to 500; anything else is the list's default.
    pub per_page: Option<String>,
}

/// `{"metadata": ...}` of a list that is one page of several.
#[derive(ToSchema)]
pub struct Metadata {
    pub per_page: u32,
    pub total_entries: i64,
    pub total_pages: i64,
    pub current_page: u32,
}

/// Declares `$envelope { $key: $entity }` for the document.
macro_rules! envelope {
    ($envelope:ident, $key:ident, $entity:ty) => {
        #[derive(utoipa::ToSchema)]
        #[allow(dead_code)] // documents the answer; written by reply::Reply
        pub struct $envelope {
            pub $key: $entity,
        }
    };
}

/// Declares `$list { $collection: [$item { $key: $entity }], metadata? }` for the document.
macro_rules! list {
    ($list:ident, $item:ident, $collection:ident, $key:ident, $entity:ty) => {
        #[derive(utoipa::ToSchema)]
        #[allow(dead_code)] // documents the answer; written by reply::Reply
        pub struct $item {
            pub $key: $entity,
        }

        #[derive(utoipa::ToSchema)]
        #[allow(dead_code)] // documents the answer; written by reply::Reply
        pub struct $list {
            pub $collection: Vec<$item>,
            /// Only when the list is one page of several.
            pub metadata: Option<$crate::api::schema::Metadata>,
        }
    };
}

pub(crate) use envelope;
pub(crate) use list;
