//! Invoices, line items, payment transactions and friendly-ID counters.

use super::earnings::keeping_share;
use super::{from_e4, from_epoch, limit_offset, percent_from_e4, period_at, to_e4, to_epoch};
use crate::model::{
    CreationType, Id, InvoiceSort, InvoiceState, LineItem, LineItemType, Page, Paging, Party,
    PaymentTransaction, Period,
};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use rust_decimal::Decimal;

/// An invoice as stored, with what its read model needs from the account and settings.
pub(crate) struct InvoiceRow {
    pub id: Id,
    pub account_id: Id,
    pub account_name: String,
    pub friendly_id: String,
    pub period: Period,
    pub state: InvoiceState,
    pub creation_type: CreationType,
    pub created_at: DateTime<Utc>,
    pub issued_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub paid_at: Option<DateTime<Utc>>,
    /// When the invoice last changed (kept by every write below).
    pub updated_at: DateTime<Utc>,
    /// Frozen currency once issued, the provider's before.
    pub currency: String,
    /// Frozen rate once issued, the account's live rate before.
    pub vat_rate: Option<Decimal>,
    /// Σ line costs, exact.
    pub net: Decimal,
    pub issued_to: Option<Party>,
    pub issued_by: Option<Party>,
}

pub(crate) fn state_sql(state: InvoiceState) -> &'static str {
    match state {
        InvoiceState::Open => "open",
        InvoiceState::Finalized => "finalized",
        InvoiceState::Pending => "pending",
        InvoiceState::Paid => "paid",
        InvoiceState::Unpaid => "unpaid",
        InvoiceState::Failed => "failed",
        InvoiceState::Cancelled => "cancelled",
    }
}

fn state_from(text: &str) -> InvoiceState {
    match text {
        "finalized" => InvoiceState::Finalized,
        "pending" => InvoiceState::Pending,
        "paid" => InvoiceState::Paid,
        "unpaid" => InvoiceState::Unpaid,
        "failed" => InvoiceState::Failed,
        "cancelled" => InvoiceState::Cancelled,
        _ => InvoiceState::Open,
    }
}

// Frozen values win once `issued_to` is set (the marker of an issued invoice: a frozen VAT
// rate may legitimately be NULL). `$parties` are the last two columns.
macro_rules! invoice_select {
    ($parties:literal) => {
        concat!(
            "SELECT i.id, i.account_id, a.org_name, i.friendly_id, i.period, i.state,
        i.creation_type, i.created_at, i.issued_on, i.due_on, i.paid_at,
        coalesce(i.currency, s.currency),
        CASE WHEN i.issued_to IS NULL THEN a.vat_rate ELSE i.vat_rate END,
        i.net, i.updated_at, ",
            $parties,
            " FROM invoices i JOIN accounts a ON a.id = i.account_id JOIN settings s ON s.id = 1"
        )
    };
}
const ROW_SELECT: &str = invoice_select!("i.issued_to, i.issued_by");
/// A list shows no parties: they are not read (nor parsed) for its rows.
const LIST_SELECT: &str = invoice_select!("NULL, NULL");

fn row(row: &Row<'_>) -> rusqlite::Result<InvoiceRow> {
    let party = |index| -> rusqlite::Result<Option<Party>> {
        Ok(row
            .get::<_, Option<String>>(index)?
            .and_then(|json| serde_json::from_str(&json).ok()))
    };
    Ok(InvoiceRow {
        id: Id(row.get(0)?),
        account_id: Id(row.get(1)?),
        account_name: row.get(2)?,
        friendly_id: row.get(3)?,
        period: period_at(row, 4)?,
        state: state_from(&row.get::<_, String>(5)?),
        creation_type: if row.get::<_, String>(6)? == "background" {
            CreationType::Background
        } else {
            CreationType::Manual
        },
        created_at: from_epoch(row.get(7)?),
        issued_on: row.get(8)?,
        due_on: row.get(9)?,
        paid_at: row.get::<_, Option<i64>>(10)?.map(from_epoch),
        currency: row.get(11)?,
        vat_rate: row.get::<_, Option<i64>>(12)?.map(percent_from_e4),
        net: Decimal::new(row.get(13)?, 4),
        updated_at: from_epoch(row.get(14)?),
        issued_to: party(15)?,
        issued_by: party(16)?,
    })
}

pub(crate) fn get(conn: &Connection, id: Id) -> rusqlite::Result<Option<InvoiceRow>> {
    super::query_row(conn, &format!("{ROW_SELECT} WHERE i.id = ?1"), [id.0], row).optional()
}

/// An invoice's state alone (none for an unknown id).
pub(crate) fn state(conn: &Connection, id: Id) -> rusqlite::Result<Option<InvoiceState>> {
    super::query_row(
        conn,
        "SELECT state FROM invoices WHERE id = ?1",
        [id.0],
        |row| Ok(state_from(&row.get::<_, String>(0)?)),
    )
    .optional()
}

pub(crate) struct InvoiceFilter<'a> {
    pub state: Option<InvoiceState>,
    pub period: Option<&'a str>,
    pub account_id: Option<Id>,
    /// Any of these states (all when empty).
    pub states: &'a [InvoiceState],
    /// Only issued invoices with a negative total: credits due to buyers (§9).
    pub credit_due: bool,
    /// Only pending invoices due before this day (YYYY-MM-DD): past due.
    pub past_due_on: Option<String>,
    /// A LIKE pattern (wildcards already translated and escaped).
    pub friendly_id_like: Option<String>,
    /// Periods of this year (a range on the period index).
    pub year: Option<i32>,
    /// A LIKE pattern over the buyer's search key.
    pub buyer_like: Option<String>,
    pub oldest_first: bool,
    /// A sort column (by id when absent, then `oldest_first` gives the direction).
    pub sort: Option<InvoiceSort>,
    pub descending: bool,
    pub paging: &'a Paging,
}

/// The ORDER BY of a list: a whitelisted column, never text from the request, with the id as
/// the tie-breaker in the same direction so that pages never overlap or skip a row. The id,
/// friendly ID and state orders walk an index; the others sort the filtered rows.
fn order_by(filter: &InvoiceFilter<'_>) -> String {
    let Some(sort) = filter.sort else {
        return format!("i.id {}", if filter.oldest_first { "ASC" } else { "DESC" });
    };
    let direction = if filter.descending { "DESC" } else { "ASC" };
    let column = match sort {
        InvoiceSort::Id => return format!("i.id {direction}"),
        InvoiceSort::FriendlyId => "i.friendly_id",
        InvoiceSort::Buyer => "a.org_name COLLATE NOCASE",
        InvoiceSort::Period => "i.period",
        InvoiceSort::State => "i.state",
        InvoiceSort::IssuedOn => "i.issued_on",
        InvoiceSort::DueOn => "i.due_on",
        // The total with VAT, net × (1 + rate) in 1/10 000 units (the rate as ROW_SELECT reads
        // it). Only the order comes from it, never an amount; SQLite turns a product too large
        // for 64 bits into a REAL, which still orders.
        InvoiceSort::Total => {
            "i.net * (1000000 + coalesce(CASE WHEN i.issued_to IS NULL THEN a.vat_rate \
             ELSE i.vat_rate END, 0))"
        }
    };
    format!("{column} {direction}, i.id {direction}")
}

/// Whether the order reads the account (`a`): the buyer's name, or its VAT rate in the total.
fn order_reads_account(filter: &InvoiceFilter<'_>) -> bool {
    matches!(filter.sort, Some(InvoiceSort::Buyer | InvoiceSort::Total))
}

pub(crate) fn list(
    conn: &Connection,
    counts: &super::Counts,
    filter: &InvoiceFilter<'_>,
) -> rusqlite::Result<Page<InvoiceRow>> {
    let (limit, offset) = limit_offset(filter.paging);
    // Only the filters given become conditions: `(?1 IS NULL OR state = ?1)` would keep SQLite
    // from using the (period, state) index.
    let mut conditions: Vec<&str> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if let Some(state) = filter.state {
        conditions.push("i.state = ?");
        values.push(Value::Text(state_sql(state).into()));
    }
    if let Some(period) = filter.period {
        conditions.push("i.period = ?");
        values.push(Value::Text(period.into()));
    }
    if let Some(account) = filter.account_id {
        conditions.push("i.account_id = ?");
        values.push(Value::Integer(account.0));
    }
    if let Some(pattern) = &filter.friendly_id_like {
        conditions.push("i.friendly_id LIKE ? ESCAPE '\\'");
        values.push(Value::Text(pattern.clone()));
    }
    if let Some(year) = filter.year {
        conditions.push("i.period BETWEEN ? AND ?");
        values.push(Value::Text(format!("{year:04}-01")));
        values.push(Value::Text(format!("{year:04}-12")));
    }
    if let Some(pattern) = &filter.buyer_like {
        conditions
            .push("i.account_id IN (SELECT id FROM accounts WHERE search_key LIKE ? ESCAPE '\\')");
        values.push(Value::Text(pattern.clone()));
    }
    if !filter.states.is_empty() {
        // As many placeholders as states: a closed set of names, never user text in the SQL.
        conditions.push(match filter.states.len() {
            1 => "i.state IN (?)",
            2 => "i.state IN (?, ?)",
            3 => "i.state IN (?, ?, ?)",
            4 => "i.state IN (?, ?, ?, ?)",
            5 => "i.state IN (?, ?, ?, ?, ?)",
            6 => "i.state IN (?, ?, ?, ?, ?, ?)",
            _ => "i.state IN (?, ?, ?, ?, ?, ?, ?)",
        });
        values.extend(
            filter
                .states
                .iter()
                .take(7)
                .map(|s| Value::Text(state_sql(*s).into())),
        );
    }
    if filter.credit_due {
        conditions.push("i.state = 'pending' AND i.net < 0");
    }
    if let Some(today) = &filter.past_due_on {
        conditions.push("i.state = 'pending' AND i.due_on < ?");
        values.push(Value::Text(today.clone()));
    }
    let where_sql = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let total = counts.count(
        conn,
        &format!("SELECT count(*) FROM invoices i {where_sql}"),
        &values,
    )?;
    values.push(Value::Integer(limit));
    values.push(Value::Integer(offset));
    // A page far down the list steps over every row before it. The table's rows are whole
    // invoices (with the frozen parties), so the ids are picked from an index (the narrow
    // `invoices_by_id` for the default order) and only the page's own rows are read whole:
    // page 500 of 100 000 took 35 ms read directly, 3 ms this way (docs/benchmarks.md).
    let order = order_by(filter);
    let account = if order_reads_account(filter) {
        "JOIN accounts a ON a.id = i.account_id"
    } else {
        ""
    };
    let mut statement = conn.prepare_cached(&format!(
        "{LIST_SELECT} WHERE i.id IN (SELECT i.id FROM invoices i {account} {where_sql} \
         ORDER BY {order} LIMIT ? OFFSET ?) ORDER BY {order}"
    ))?;
    let items = statement
        .query_map(params_from_iter(values.iter()), row)?
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        page: filter.paging.page.max(1),
        per_page: limit as u32,
        total,
    })
}

/// Takes the next number of a friendly-ID prefix's counter.
pub(crate) fn next_number(conn: &Connection, prefix: &str) -> rusqlite::Result<i64> {
    super::query_row(
        conn,
        "INSERT INTO invoice_counters (prefix, last_number) VALUES (?1, 1)
         ON CONFLICT (prefix) DO UPDATE SET last_number = last_number + 1
         RETURNING last_number",
        [prefix],
        |r| r.get(0),
    )
}

/// Raises a prefix's counter to `number` when that is higher; never lowers it.
pub(crate) fn raise_counter(conn: &Connection, prefix: &str, number: i64) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "INSERT INTO invoice_counters (prefix, last_number) VALUES (?1, ?2)
         ON CONFLICT (prefix) DO UPDATE SET last_number = max(last_number, excluded.last_number)",
        params![prefix, number],
    )?;
    Ok(())
}

pub(crate) fn insert(
    conn: &Connection,
    account_id: Id,
    friendly_id: &str,
    period: &str,
    creation_type: CreationType,
    created_at: DateTime<Utc>,
) -> rusqlite::Result<Id> {
    super::execute(
        conn,
        "INSERT INTO invoices (id, account_id, friendly_id, period, state, creation_type,
                               created_at, updated_at)
         VALUES (sync_new_id('invoices'), ?1, ?2, ?3, 'open', ?4, ?5, ?5)",
        params![
            account_id.0,
            friendly_id,
            period,
            match creation_type {
                CreationType::Manual => "manual",
                CreationType::Background => "background",
            },
            to_epoch(created_at)
        ],
    )?;
    Ok(Id(conn.last_insert_rowid()))
}

pub(crate) fn friendly_id_used_elsewhere(
    conn: &Connection,
    id: Id,
    friendly_id: &str,
) -> rusqlite::Result<bool> {
    super::query_row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM invoices WHERE friendly_id = ?1 AND id != ?2)",
        params![friendly_id, id.0],
        |r| r.get(0),
    )
}

pub(crate) fn set_friendly_id_and_period(
    conn: &Connection,
    id: Id,
    friendly_id: &str,
    period: &str,
    at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    keeping_share(conn, id.0, || {
        super::execute(
            conn,
            "UPDATE invoices SET friendly_id = ?2, period = ?3, updated_at = ?4 WHERE id = ?1",
            params![id.0, friendly_id, period, to_epoch(at)],
        )
    })?;
    Ok(())
}

/// What changes with a state: the state and the instant or dates it sets.
pub(crate) struct StateChange<'a> {
    pub state: InvoiceState,
    pub at: DateTime<Utc>,
    /// Set when issuing: the values frozen onto the invoice.
    pub issue: Option<&'a Issue<'a>>,
}

#[derive(serde::Serialize)]
pub(crate) struct Issue<'a> {
    pub issued_on: &'a str,
    pub due_on: &'a str,
    pub currency: &'a str,
    pub vat_rate: Option<Decimal>,
    pub issued_to: &'a Party,
    pub issued_by: &'a Party,
}

pub(crate) fn change_state(
    conn: &Connection,
    id: Id,
    change: &StateChange<'_>,
) -> rusqlite::Result<()> {
    // Issuing, paying, cancelling move the invoice in the earnings summary.
    keeping_share(conn, id.0, || {
        let at = to_epoch(change.at);
        super::execute(
            conn,
            "UPDATE invoices SET state = ?2, updated_at = ?3,
                finalized_at = CASE WHEN ?2 IN ('finalized', 'pending') THEN coalesce(finalized_at, ?3)
                                    ELSE finalized_at END,
                paid_at = CASE WHEN ?2 = 'paid' THEN ?3 ELSE paid_at END,
                cancelled_at = CASE WHEN ?2 = 'cancelled' THEN ?3 ELSE cancelled_at END
             WHERE id = ?1",
            params![id.0, state_sql(change.state), at],
        )?;
        if let Some(issue) = change.issue {
            let json = |party: &Party| serde_json::to_string(party).unwrap_or_default();
            super::execute(
                conn,
                "UPDATE invoices SET issued_on = ?2, due_on = ?3, currency = ?4, vat_rate = ?5,
                    vat_code = ?6, fiscal_code = ?7, issued_to = ?8, issued_by = ?9
                 WHERE id = ?1",
                params![
                    id.0,
                    issue.issued_on,
                    issue.due_on,
                    issue.currency,
                    issue.vat_rate.map(to_e4),
                    issue.issued_to.vat_code,
                    issue.issued_to.fiscal_code,
                    json(issue.issued_to),
                    json(issue.issued_by),
                ],
            )?;
        }
        Ok(())
    })
}

// --- line items ------------------------------------------------------------------------------

const LINE_COLUMNS: &str = "id, invoice_id, name, description, quantity, cost, type, metric_id, \
                            application_id, plan_id, created_at";

fn line_from_row(row: &Row<'_>) -> rusqlite::Result<LineItem> {
    Ok(LineItem {
        id: Id(row.get(0)?),
        invoice_id: Id(row.get(1)?),
        name: row.get(2)?,
        description: row.get(3)?,
        quantity: row.get::<_, String>(4)?.parse().unwrap_or(Decimal::ONE),
        cost: from_e4(row.get(5)?),
        line_type: match row.get::<_, String>(6)?.as_str() {
            "plan_cost" => LineItemType::PlanCost,
            "variable_cost" => LineItemType::VariableCost,
            _ => LineItemType::Manual,
        },
        metric_id: row.get::<_, Option<i64>>(7)?.map(Id),
        application_id: row.get::<_, Option<i64>>(8)?.map(Id),
        plan_id: row.get::<_, Option<i64>>(9)?.map(Id),
        created_at: from_epoch(row.get(10)?),
    })
}

pub(crate) fn line_items(conn: &Connection, invoice_id: Id) -> rusqlite::Result<Vec<LineItem>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {LINE_COLUMNS} FROM line_items WHERE invoice_id = ?1 ORDER BY id"
    ))?;
    let lines = statement
        .query_map([invoice_id.0], line_from_row)?
        .collect();
    lines
}

/// The lines of the invoices `ids`, each invoice's in its order, read with one statement.
pub(crate) fn line_items_of(
    conn: &Connection,
    ids: &[Id],
) -> rusqlite::Result<std::collections::HashMap<Id, Vec<LineItem>>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {LINE_COLUMNS} FROM line_items
         WHERE invoice_id IN (SELECT value FROM json_each(?1)) ORDER BY invoice_id, id"
    ))?;
    let mut lines: std::collections::HashMap<Id, Vec<LineItem>> = Default::default();
    for line in statement.query_map([id_list(ids)], line_from_row)? {
        let line = line?;
        lines.entry(line.invoice_id).or_default().push(line);
    }
    Ok(lines)
}

/// The parties frozen onto those of the invoices `ids` that are issued (buyer, provider).
pub(crate) fn frozen_parties(
    conn: &Connection,
    ids: &[Id],
) -> rusqlite::Result<std::collections::HashMap<Id, (Party, Party)>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, issued_to, issued_by FROM invoices
         WHERE id IN (SELECT value FROM json_each(?1)) AND issued_to IS NOT NULL",
    )?;
    let mut parties = std::collections::HashMap::new();
    let rows = statement.query_map([id_list(ids)], |row| {
        let party = |index| -> rusqlite::Result<Option<Party>> {
            Ok(row
                .get::<_, Option<String>>(index)?
                .and_then(|json| serde_json::from_str(&json).ok()))
        };
        Ok((Id(row.get(0)?), party(1)?, party(2)?))
    })?;
    for row in rows {
        if let (id, Some(to), Some(by)) = row? {
            parties.insert(id, (to, by));
        }
    }
    Ok(parties)
}

/// Ids as a JSON array, for `IN (SELECT value FROM json_each(?))`: one statement, prepared
/// once, for any number of ids.
fn id_list(ids: &[Id]) -> String {
    let numbers: Vec<String> = ids.iter().map(|id| id.0.to_string()).collect();
    format!("[{}]", numbers.join(","))
}

pub(crate) fn line_item(conn: &Connection, id: Id) -> rusqlite::Result<Option<LineItem>> {
    super::query_row(
        conn,
        &format!("SELECT {LINE_COLUMNS} FROM line_items WHERE id = ?1"),
        [id.0],
        line_from_row,
    )
    .optional()
}

/// A line to add: by a person (no references) or by the billing run (what it bills for).
pub(crate) struct NewLineItem {
    pub invoice_id: Id,
    pub name: String,
    pub description: String,
    pub quantity: Decimal,
    /// The line's total, 4 dp.
    pub cost: Decimal,
    pub line_type: LineItemType,
    pub application_id: Option<Id>,
    pub plan_id: Option<Id>,
    pub metric_id: Option<Id>,
}

/// Adds a line and adds its cost to the invoice's stored net.
pub(crate) fn insert_line_item(
    conn: &Connection,
    line: &NewLineItem,
    created_at: DateTime<Utc>,
) -> rusqlite::Result<Id> {
    let id = insert_line_leaving_net(conn, line, created_at)?;
    add_to_net(conn, line.invoice_id, line.cost, created_at)?;
    Ok(id)
}

/// Adds a line WITHOUT updating the invoice's net: for the billing run, which adds many lines
/// to one invoice and then adds their sum with [`add_to_net`] in the same transaction (before
/// anything reads the invoice).
pub(crate) fn insert_line_leaving_net(
    conn: &Connection,
    line: &NewLineItem,
    created_at: DateTime<Utc>,
) -> rusqlite::Result<Id> {
    super::execute(
        conn,
        "INSERT INTO line_items (id, invoice_id, name, description, quantity, cost, type,
            application_id, plan_id, metric_id, created_at)
         VALUES (sync_new_id('line_items'), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            line.invoice_id.0,
            line.name,
            line.description,
            line.quantity.normalize().to_string(),
            to_e4(line.cost),
            match line.line_type {
                LineItemType::PlanCost => "plan_cost",
                LineItemType::VariableCost => "variable_cost",
                LineItemType::Manual => "manual",
            },
            line.application_id.map(|id| id.0),
            line.plan_id.map(|id| id.0),
            line.metric_id.map(|id| id.0),
            to_epoch(created_at),
        ],
    )?;
    Ok(Id(conn.last_insert_rowid()))
}

/// Adds `amount` to the invoice's net, a change of the invoice at `at`.
pub(crate) fn add_to_net(
    conn: &Connection,
    invoice_id: Id,
    amount: Decimal,
    at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    keeping_share(conn, invoice_id.0, || {
        super::execute(
            conn,
            "UPDATE invoices SET net = net + ?2, updated_at = ?3 WHERE id = ?1",
            params![invoice_id.0, to_e4(amount), to_epoch(at)],
        )
    })?;
    Ok(())
}

pub(crate) fn delete_line_item(
    conn: &Connection,
    id: Id,
    at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let Some(line) = line_item(conn, id)? else {
        return Ok(());
    };
    keeping_share(conn, line.invoice_id.0, || {
        super::execute(
            conn,
            "UPDATE invoices SET net = net - (SELECT cost FROM line_items WHERE id = ?1),
                updated_at = ?3
             WHERE id = ?2",
            params![id.0, line.invoice_id.0, to_epoch(at)],
        )
    })?;
    super::execute(conn, "DELETE FROM line_items WHERE id = ?1", [id.0])?;
    Ok(())
}

// --- payment transactions --------------------------------------------------------------------

pub(crate) fn payment_transactions(
    conn: &Connection,
    invoice_id: Id,
) -> rusqlite::Result<Vec<PaymentTransaction>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, invoice_id, amount, currency, status = 'succeeded', reference, message,
                created_at
         FROM payment_transactions WHERE invoice_id = ?1 AND status != 'pending' ORDER BY id",
    )?;
    let transactions = statement
        .query_map([invoice_id.0], |row| {
            Ok(PaymentTransaction {
                id: Id(row.get(0)?),
                invoice_id: Id(row.get(1)?),
                amount: from_e4(row.get(2)?),
                currency: row.get(3)?,
                success: row.get(4)?,
                reference: row.get(5)?,
                message: row.get(6)?,
                created_at: from_epoch(row.get(7)?),
            })
        })?
        .collect();
    transactions
}

/// Whether the book has any invoice (a book that has becomes no test book).
pub(crate) fn any(conn: &Connection) -> rusqlite::Result<bool> {
    super::query_row(conn, "SELECT EXISTS (SELECT 1 FROM invoices)", [], |row| {
        row.get(0)
    })
}
