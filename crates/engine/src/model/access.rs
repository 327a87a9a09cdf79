//! Access over HTTP: scopes, access tokens and the people who may sign in (docs/access.md).

use super::*;

/// What a token or user may reach (threescale-api.md §1.2): `/admin/api/*` needs
/// `account_management`; `/api/*` needs `finance` or `account_management`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    AccountManagement,
    Finance,
    Cms,
    Stats,
    PolicyRegistry,
    /// A desktop's link to this server (docs/sync.md): the sync protocol and nothing else.
    Sync,
}

/// Read only, or read and write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Ro,
    Rw,
}

/// A personal access token, without its value (only a digest is kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AccessToken {
    pub id: Id,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub permission: Permission,
    #[ts(type = "string | null")]
    pub expires_at: Option<DateTime<Utc>>,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    /// Past its expiry by the book's clock: refused, still listed until revoked.
    pub expired: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CreateAccessToken {
    pub name: String,
    pub scopes: Vec<Scope>,
    pub permission: Permission,
    #[serde(default)]
    #[ts(optional, type = "string")]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A token just made, with its value: the only time the value is shown.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CreatedAccessToken {
    pub token: AccessToken,
    pub value: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ListAccessTokens {
    /// Only tokens whose name contains this (case-insensitive).
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub name: Option<String>,
}

/// Someone who may sign in to the UI served over HTTP, with the same rights as a token
/// (docs/access.md). The password hash never leaves the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct User {
    pub id: Id,
    pub username: String,
    pub scopes: Vec<Scope>,
    pub permission: Permission,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    /// May not sign in; their sessions ended when they were disabled.
    pub disabled: bool,
    /// Sign-ins since the last successful one that did not succeed.
    pub failed_sign_ins: u32,
    /// Until then every sign-in is refused (five failed sign-ins in a row, docs/access.md).
    #[ts(type = "string | null")]
    pub locked_until: Option<DateTime<Utc>>,
}

/// A user to add: the password is hashed (argon2id) before it reaches the book.
#[derive(Clone, Deserialize, TS)]
pub struct AddUser {
    pub username: String,
    pub password: String,
    pub scopes: Vec<Scope>,
    pub permission: Permission,
}

impl std::fmt::Debug for AddUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddUser")
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .field("scopes", &self.scopes)
            .field("permission", &self.permission)
            .finish()
    }
}

/// A new password for a user: hashed before it reaches the book; their sessions end.
#[derive(Clone, Deserialize, TS)]
pub struct ChangePassword {
    pub id: Id,
    pub password: String,
}

impl std::fmt::Debug for ChangePassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangePassword")
            .field("id", &self.id)
            .field("password", &"<hidden>")
            .finish()
    }
}
