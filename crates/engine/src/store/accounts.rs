//! Buyer accounts.

use super::{
    contains_pattern, from_epoch, limit_offset, percent_from_e4, search_key, to_e4, to_epoch,
};
use crate::model::{
    Account, AccountFields, AccountState, AccountUser, AccountUserRole, Address, Card, Id,
    ListAccounts, Page,
};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLUMNS: &str = "id, org_name,
    legal_line1, legal_line2, legal_city, legal_state, legal_zip, legal_country,
    has_billing_address,
    billing_line1, billing_line2, billing_city, billing_state, billing_zip, billing_country,
    vat_code, fiscal_code, po_number, vat_rate, monthly_billing_enabled, monthly_charging_enabled,
    card_last4, card_expiry_month, card_expiry_year, card_gateway_reference, created_at";

/// What a read selects: the written columns, then what only dedicated writes change: the
/// state, the account's first admin user and when it was deleted.
fn read_columns() -> String {
    format!(
        "{COLUMNS}, state,
         (SELECT username FROM buyer_users u
          WHERE u.account_id = accounts.id AND u.role = 'admin' ORDER BY u.id LIMIT 1),
         (SELECT email FROM buyer_users u
          WHERE u.account_id = accounts.id AND u.role = 'admin' ORDER BY u.id LIMIT 1),
         deleted_at"
    )
}

pub(crate) fn state_sql(state: AccountState) -> &'static str {
    match state {
        AccountState::Approved => "approved",
        AccountState::Pending => "pending",
        AccountState::Rejected => "rejected",
        AccountState::Suspended => "suspended",
    }
}

fn state_from(text: &str) -> AccountState {
    match text {
        "pending" => AccountState::Pending,
        "rejected" => AccountState::Rejected,
        "suspended" => AccountState::Suspended,
        _ => AccountState::Approved,
    }
}

fn address_at(row: &Row<'_>, first: usize) -> rusqlite::Result<Address> {
    Ok(Address {
        line1: row.get(first)?,
        line2: row.get(first + 1)?,
        city: row.get(first + 2)?,
        state: row.get(first + 3)?,
        zip: row.get(first + 4)?,
        country: row.get(first + 5)?,
    })
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Account> {
    let card = match row.get::<_, Option<String>>(21)? {
        Some(last4) => Some(Card {
            last4,
            expiry_month: row.get(22)?,
            expiry_year: row.get(23)?,
            gateway_reference: row.get::<_, Option<String>>(24)?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(Account {
        id: Id(row.get(0)?),
        fields: AccountFields {
            org_name: row.get(1)?,
            legal_address: address_at(row, 2)?,
            billing_address: if row.get(8)? {
                Some(address_at(row, 9)?)
            } else {
                None
            },
            vat_code: row.get(15)?,
            fiscal_code: row.get(16)?,
            po_number: row.get(17)?,
            vat_rate: row.get::<_, Option<i64>>(18)?.map(percent_from_e4),
            monthly_billing_enabled: row.get(19)?,
            monthly_charging_enabled: row.get(20)?,
            card,
        },
        created_at: from_epoch(row.get(25)?),
        state: state_from(&row.get::<_, String>(26)?),
        admin_username: row.get(27)?,
        admin_email: row.get(28)?,
        deleted_at: row.get::<_, Option<i64>>(29)?.map(from_epoch),
    })
}

pub(crate) fn list(
    conn: &Connection,
    counts: &super::Counts,
    filter: &ListAccounts,
) -> rusqlite::Result<Page<Account>> {
    let (limit, offset) = limit_offset(&filter.paging());
    let search = filter
        .search
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(contains_pattern);
    let state = filter.state.map(state_sql);
    // A deleted account has left the lists (it stays in the book for its invoices).
    let filter_sql = "FROM accounts WHERE (?1 IS NULL OR search_key LIKE ?1 ESCAPE '\\')
        AND (?2 IS NULL OR state = ?2) AND deleted_at IS NULL";
    let total = counts.count(
        conn,
        &format!("SELECT count(*) {filter_sql}"),
        &[search.clone().into(), state.map(str::to_owned).into()],
    )?;
    let order = if filter.oldest_first {
        "id"
    } else {
        "org_name COLLATE NOCASE, id"
    };
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {} {filter_sql} ORDER BY {order} LIMIT ?3 OFFSET ?4",
        read_columns()
    ))?;
    let items = statement
        .query_map(params![search, state, limit, offset], from_row)?
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        page: filter.paging().page.max(1),
        per_page: limit as u32,
        total,
    })
}

pub(crate) fn get(conn: &Connection, id: Id) -> rusqlite::Result<Option<Account>> {
    super::query_row(
        conn,
        &format!("SELECT {} FROM accounts WHERE id = ?1", read_columns()),
        [id.0],
        from_row,
    )
    .optional()
}

/// Writes `fields` to the account `id`, inserting it when `id` is None.
pub(crate) fn save(
    conn: &Connection,
    id: Option<Id>,
    fields: &AccountFields,
    created_at: DateTime<Utc>,
) -> rusqlite::Result<Id> {
    let legal = &fields.legal_address;
    let billing = fields.billing_address.clone().unwrap_or_default();
    let card = fields.card.as_ref();
    let values = params![
        id.map(|id| id.0),
        fields.org_name,
        legal.line1,
        legal.line2,
        legal.city,
        legal.state,
        legal.zip,
        legal.country,
        fields.billing_address.is_some(),
        billing.line1,
        billing.line2,
        billing.city,
        billing.state,
        billing.zip,
        billing.country,
        fields.vat_code,
        fields.fiscal_code,
        fields.po_number,
        fields.vat_rate.map(to_e4),
        fields.monthly_billing_enabled,
        fields.monthly_charging_enabled,
        card.map(|c| c.last4.as_str()),
        card.map(|c| c.expiry_month),
        card.map(|c| c.expiry_year),
        card.map(|c| c.gateway_reference.as_str()),
        to_epoch(created_at),
        search_key(&[&fields.org_name, &fields.vat_code, &fields.fiscal_code]),
    ];
    // An upsert keeps one column list for create and update; created_at never changes.
    super::execute(
        conn,
        &format!(
            "INSERT INTO accounts ({COLUMNS}, search_key) VALUES (coalesce(?1, sync_new_id('accounts')), ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24,
                ?25, ?26, ?27)
             ON CONFLICT (id) DO UPDATE SET
                org_name = excluded.org_name,
                legal_line1 = excluded.legal_line1, legal_line2 = excluded.legal_line2,
                legal_city = excluded.legal_city, legal_state = excluded.legal_state,
                legal_zip = excluded.legal_zip, legal_country = excluded.legal_country,
                has_billing_address = excluded.has_billing_address,
                billing_line1 = excluded.billing_line1, billing_line2 = excluded.billing_line2,
                billing_city = excluded.billing_city, billing_state = excluded.billing_state,
                billing_zip = excluded.billing_zip, billing_country = excluded.billing_country,
                vat_code = excluded.vat_code, fiscal_code = excluded.fiscal_code,
                po_number = excluded.po_number, vat_rate = excluded.vat_rate,
                monthly_billing_enabled = excluded.monthly_billing_enabled,
                monthly_charging_enabled = excluded.monthly_charging_enabled,
                card_last4 = excluded.card_last4, card_expiry_month = excluded.card_expiry_month,
                card_expiry_year = excluded.card_expiry_year,
                card_gateway_reference = excluded.card_gateway_reference,
                search_key = excluded.search_key"
        ),
        values,
    )?;
    Ok(id.unwrap_or_else(|| Id(conn.last_insert_rowid())))
}

/// Deletes the account with its (cancelled) applications, their plan history and usage, and
/// its users.
pub(crate) fn delete(conn: &Connection, id: Id) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "DELETE FROM applications WHERE account_id = ?1",
        [id.0],
    )?;
    super::execute(conn, "DELETE FROM accounts WHERE id = ?1", [id.0])?;
    Ok(())
}

/// Marks the account deleted at `at`, keeping it for its invoices and applications.
pub(crate) fn mark_deleted(conn: &Connection, id: Id, at: DateTime<Utc>) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE accounts SET deleted_at = ?2 WHERE id = ?1",
        params![id.0, to_epoch(at)],
    )?;
    Ok(())
}

pub(crate) fn has_applications(conn: &Connection, id: Id) -> rusqlite::Result<bool> {
    super::query_row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM applications WHERE account_id = ?1)",
        [id.0],
        |row| row.get(0),
    )
}

/// The account's live applications, by id.
pub(crate) fn live_applications(conn: &Connection, id: Id) -> rusqlite::Result<Vec<Id>> {
    let mut statement = conn.prepare_cached(
        "SELECT id FROM applications WHERE account_id = ?1 AND state = 'live' ORDER BY id",
    )?;
    let ids = statement
        .query_map([id.0], |row| Ok(Id(row.get(0)?)))?
        .collect();
    ids
}

pub(crate) fn has_invoices(conn: &Connection, id: Id) -> rusqlite::Result<bool> {
    super::query_row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM invoices WHERE account_id = ?1)",
        [id.0],
        |row| row.get(0),
    )
}

pub(crate) fn set_state(conn: &Connection, id: Id, state: AccountState) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE accounts SET state = ?2 WHERE id = ?1",
        params![id.0, state_sql(state)],
    )?;
    Ok(())
}

// --- buyer users ---------------------------------------------------------------------------

const USER_COLUMNS: &str = "u.id, u.account_id, u.username, u.email, u.role, u.created_at";

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<AccountUser> {
    Ok(AccountUser {
        id: Id(row.get(0)?),
        account_id: Id(row.get(1)?),
        username: row.get(2)?,
        email: row.get(3)?,
        role: if row.get::<_, String>(4)? == "admin" {
            AccountUserRole::Admin
        } else {
            AccountUserRole::Member
        },
        created_at: from_epoch(row.get(5)?),
    })
}

pub(crate) fn insert_user(
    conn: &Connection,
    account_id: Id,
    username: &str,
    email: Option<&str>,
    role: AccountUserRole,
    created_at: DateTime<Utc>,
) -> rusqlite::Result<Id> {
    super::execute(
        conn,
        "INSERT INTO buyer_users (id, account_id, username, email, role, created_at)
         VALUES (sync_new_id('buyer_users'), ?1, ?2, ?3, ?4, ?5)",
        params![
            account_id.0,
            username,
            email,
            match role {
                AccountUserRole::Admin => "admin",
                AccountUserRole::Member => "member",
            },
            to_epoch(created_at)
        ],
    )?;
    Ok(Id(conn.last_insert_rowid()))
}

/// An account's users, by id.
pub(crate) fn users(conn: &Connection, account_id: Id) -> rusqlite::Result<Vec<AccountUser>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM buyer_users u WHERE u.account_id = ?1 ORDER BY u.id"
    ))?;
    let users = statement
        .query_map([account_id.0], user_from_row)?
        .collect();
    users
}

/// A user of an account that is not deleted, by id.
pub(crate) fn user(conn: &Connection, id: Id) -> rusqlite::Result<Option<AccountUser>> {
    super::query_row(
        conn,
        &format!(
            "SELECT {USER_COLUMNS} FROM buyer_users u JOIN accounts a ON a.id = u.account_id
             WHERE u.id = ?1 AND a.deleted_at IS NULL"
        ),
        [id.0],
        user_from_row,
    )
    .optional()
}

/// The first user (by id), of an account that is not deleted, with this username or email
/// (case-insensitively): usernames are unique among them, so a deleted buyer's names are free.
pub(crate) fn user_named(
    conn: &Connection,
    username: Option<&str>,
    email: Option<&str>,
) -> rusqlite::Result<Option<AccountUser>> {
    super::query_row(
        conn,
        &format!(
            "SELECT {USER_COLUMNS} FROM buyer_users u JOIN accounts a ON a.id = u.account_id
             WHERE a.deleted_at IS NULL
               AND (u.username = ?1 COLLATE NOCASE OR u.email = ?2 COLLATE NOCASE)
             ORDER BY u.id LIMIT 1"
        ),
        params![username, email],
        user_from_row,
    )
    .optional()
}
