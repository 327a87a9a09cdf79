//! Invoice PDFs and the provider's logo.

use super::{from_epoch, to_epoch};
use crate::model::{Id, PdfSettings, PdfStatus};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

/// What generating a PDF produced: the file, or why there is none.
pub(crate) enum Outcome<'a> {
    Made(&'a [u8]),
    Failed(&'a str),
}

pub(crate) fn save(
    conn: &Connection,
    invoice_id: Id,
    outcome: &Outcome<'_>,
    generated_at: DateTime<Utc>,
    settings: &PdfSettings,
) -> rusqlite::Result<()> {
    let (pdf, error) = match outcome {
        Outcome::Made(bytes) => (Some(*bytes), None),
        Outcome::Failed(message) => (None, Some(*message)),
    };
    super::execute(
        conn,
        "INSERT INTO invoice_pdfs (invoice_id, pdf, error, generated_at, settings)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (invoice_id) DO UPDATE SET pdf = excluded.pdf, error = excluded.error,
             generated_at = excluded.generated_at, settings = excluded.settings",
        params![
            invoice_id.0,
            pdf,
            error,
            to_epoch(generated_at),
            serde_json::to_string(settings).unwrap_or_default()
        ],
    )?;
    Ok(())
}

pub(crate) fn status(conn: &Connection, invoice_id: Id) -> rusqlite::Result<Option<PdfStatus>> {
    super::query_row(
        conn,
        "SELECT generated_at, length(pdf), error, settings FROM invoice_pdfs
         WHERE invoice_id = ?1",
        [invoice_id.0],
        |row| {
            let settings: String = row.get(3)?;
            Ok(PdfStatus {
                generated_at: from_epoch(row.get(0)?),
                size_bytes: row.get(1)?,
                error: row.get(2)?,
                settings: serde_json::from_str(&settings).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        3,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })?,
            })
        },
    )
    .optional()
}

/// The PDF's bytes, when one was made.
pub(crate) fn bytes(conn: &Connection, invoice_id: Id) -> rusqlite::Result<Option<Vec<u8>>> {
    let pdf: Option<Option<Vec<u8>>> = super::query_row(
        conn,
        "SELECT pdf FROM invoice_pdfs WHERE invoice_id = ?1",
        [invoice_id.0],
        |row| row.get(0),
    )
    .optional()?;
    Ok(pdf.flatten())
}

pub(crate) fn enqueue(conn: &Connection, invoice_id: Id) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "INSERT OR IGNORE INTO invoice_pdf_queue (invoice_id) VALUES (?1)",
        [invoice_id.0],
    )?;
    Ok(())
}

/// Takes an invoice off the queue; false when it was not on it (any more).
pub(crate) fn dequeue(conn: &Connection, invoice_id: Id) -> rusqlite::Result<bool> {
    let removed = super::execute(
        conn,
        "DELETE FROM invoice_pdf_queue WHERE invoice_id = ?1",
        [invoice_id.0],
    )?;
    Ok(removed > 0)
}

/// The oldest `limit` invoices waiting for their PDF.
pub(crate) fn queued(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<Id>> {
    let mut statement = conn
        .prepare_cached("SELECT invoice_id FROM invoice_pdf_queue ORDER BY invoice_id LIMIT ?1")?;
    let ids = statement
        .query_map([limit], |row| Ok(Id(row.get(0)?)))?
        .collect();
    ids
}

pub(crate) fn logo(conn: &Connection) -> rusqlite::Result<Option<Vec<u8>>> {
    super::query_row(
        conn,
        "SELECT invoice_logo FROM settings WHERE id = 1",
        [],
        |row| row.get(0),
    )
}

pub(crate) fn set_logo(conn: &Connection, image: Option<&[u8]>) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE settings SET invoice_logo = ?1 WHERE id = 1",
        [image],
    )?;
    Ok(())
}
