//! The audit trail: who changed what, when, before and after.

use super::*;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ListAudit {
    #[serde(default)]
    #[ts(optional = nullable)]
    pub entity: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub entity_id: Option<Id>,
    #[serde(default = "first_page", deserialize_with = "paging::page")]
    #[ts(optional, as = "Option<u32>")]
    pub page: u32,
    #[serde(default = "default_per_page", deserialize_with = "paging::per_page")]
    #[ts(optional, as = "Option<u32>")]
    pub per_page: u32,
}

/// One audit record: who changed what, when, before and after (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AuditRecord {
    pub id: Id,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    pub actor: String,
    pub operation: String,
    pub entity: String,
    pub entity_id: Option<Id>,
    #[ts(type = "unknown")]
    pub before: Option<serde_json::Value>,
    #[ts(type = "unknown")]
    pub after: Option<serde_json::Value>,
}
