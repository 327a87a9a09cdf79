use crate::book::{Book, SCHEMA_VERSION};
use crate::error::Result;
use crate::model::{BookInfo, NoInput};

pub(crate) fn book_info(book: &Book, _: NoInput) -> Result<BookInfo> {
    Ok(BookInfo {
        path: book.path().display().to_string(),
        schema_version: SCHEMA_VERSION,
        now: book.now(),
        simulated_clock: book.clock().is_simulated(),
        payment_gateway: book.gateway()?.map(|gateway| gateway.info()),
    })
}
