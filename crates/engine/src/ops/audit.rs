use crate::book::Book;
use crate::error::Result;
use crate::model::{AuditRecord, ListAudit, Page};
use crate::store;

pub(crate) fn list_audit(book: &Book, filter: ListAudit) -> Result<Page<AuditRecord>> {
    Ok(store::audit::list(book.reader(), &filter)?)
}
