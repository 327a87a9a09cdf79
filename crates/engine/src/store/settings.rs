use crate::gateway::PaymentGatewayKind;
use crate::model::{Address, BillingMode, Numbering, PaperSize, Settings};
use rusqlite::{params, Connection};

pub(crate) fn get(conn: &Connection) -> rusqlite::Result<Settings> {
    super::query_row(
        conn,
        "SELECT org_name, line1, line2, city, state, zip, country, fiscal_code, vat_code,
                currency, billing_mode, numbering, invoice_footnote, zero_vat_text,
                charging_enabled, paper_size, invoice_logo IS NOT NULL, net_terms
         FROM settings WHERE id = 1",
        [],
        |row| {
            Ok(Settings {
                org_name: row.get(0)?,
                address: Address {
                    line1: row.get(1)?,
                    line2: row.get(2)?,
                    city: row.get(3)?,
                    state: row.get(4)?,
                    zip: row.get(5)?,
                    country: row.get(6)?,
                },
                fiscal_code: row.get(7)?,
                vat_code: row.get(8)?,
                currency: row.get(9)?,
                billing_mode: if row.get::<_, String>(10)? == "prepaid" {
                    BillingMode::Prepaid
                } else {
                    BillingMode::Postpaid
                },
                numbering: if row.get::<_, String>(11)? == "yearly" {
                    Numbering::Yearly
                } else {
                    Numbering::Monthly
                },
                invoice_footnote: row.get(12)?,
                zero_vat_text: row.get(13)?,
                charging_enabled: row.get(14)?,
                paper_size: if row.get::<_, String>(15)? == "letter" {
                    PaperSize::Letter
                } else {
                    PaperSize::A4
                },
                has_logo: row.get(16)?,
                net_terms: row.get(17)?,
            })
        },
    )
}

pub(crate) fn update(conn: &Connection, settings: &Settings) -> rusqlite::Result<()> {
    let a = &settings.address;
    super::execute(
        conn,
        "UPDATE settings SET org_name = ?1, line1 = ?2, line2 = ?3, city = ?4, state = ?5,
                zip = ?6, country = ?7, fiscal_code = ?8, vat_code = ?9, currency = ?10,
                billing_mode = ?11, numbering = ?12, invoice_footnote = ?13,
                zero_vat_text = ?14, charging_enabled = ?15, paper_size = ?16, net_terms = ?17
         WHERE id = 1",
        params![
            settings.org_name,
            a.line1,
            a.line2,
            a.city,
            a.state,
            a.zip,
            a.country,
            settings.fiscal_code,
            settings.vat_code,
            settings.currency,
            match settings.billing_mode {
                BillingMode::Postpaid => "postpaid",
                BillingMode::Prepaid => "prepaid",
            },
            match settings.numbering {
                Numbering::Monthly => "monthly",
                Numbering::Yearly => "yearly",
            },
            settings.invoice_footnote,
            settings.zero_vat_text,
            settings.charging_enabled,
            match settings.paper_size {
                PaperSize::A4 => "a4",
                PaperSize::Letter => "letter",
            },
            settings.net_terms,
        ],
    )?;
    Ok(())
}

/// The payment terms: days from issue to due date.
pub(crate) fn net_terms(conn: &Connection) -> rusqlite::Result<u32> {
    super::query_row(
        conn,
        "SELECT net_terms FROM settings WHERE id = 1",
        [],
        |row| row.get(0),
    )
}

/// How invoices are numbered; what opening an invoice needs of the settings.
pub(crate) fn numbering(conn: &Connection) -> rusqlite::Result<Numbering> {
    let numbering: String = super::query_row(
        conn,
        "SELECT numbering FROM settings WHERE id = 1",
        [],
        |row| row.get(0),
    )?;
    Ok(if numbering == "yearly" {
        Numbering::Yearly
    } else {
        Numbering::Monthly
    })
}

/// The payment gateway the book names (billing-rules.md §9).
pub(crate) fn payment_gateway(conn: &Connection) -> rusqlite::Result<PaymentGatewayKind> {
    let kind: String = super::query_row(
        conn,
        "SELECT payment_gateway FROM settings WHERE id = 1",
        [],
        |row| row.get(0),
    )?;
    Ok(if kind == "test" {
        PaymentGatewayKind::Test
    } else {
        PaymentGatewayKind::None
    })
}

pub(crate) fn set_payment_gateway(
    conn: &Connection,
    kind: PaymentGatewayKind,
) -> rusqlite::Result<()> {
    let kind = match kind {
        PaymentGatewayKind::None => "none",
        PaymentGatewayKind::Test => "test",
    };
    super::execute(
        conn,
        "UPDATE settings SET payment_gateway = ?1 WHERE id = 1",
        [kind],
    )?;
    Ok(())
}
