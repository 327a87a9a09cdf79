use super::{optional_text, required_text};
use crate::book::{Book, Write};
use crate::error::{ApiError, Result};
use crate::model::{Address, InvoiceLogo, NoInput, Settings};
use crate::store;
use base64::Engine as _;

pub(crate) fn get_settings(book: &Book, _: NoInput) -> Result<Settings> {
    Ok(store::settings::get(book.reader())?)
}

/// The logo `set_invoice_logo` stored (a PNG or JPEG), for the settings screen's preview.
pub(crate) fn get_invoice_logo(book: &Book, _: NoInput) -> Result<Option<InvoiceLogo>> {
    Ok(store::pdfs::logo(book.reader())?.map(|bytes| InvoiceLogo {
        // set_invoice_logo accepts PNG and JPEG only; PNG files start with this signature.
        media_type: if bytes.starts_with(b"\x89PNG") {
            "image/png"
        } else {
            "image/jpeg"
        }
        .to_owned(),
        image_base64: base64::engine::general_purpose::STANDARD.encode(&bytes),
    }))
}

pub(crate) fn update_settings(write: &mut Write<'_>, input: Settings) -> Result<Settings> {
    let currency = input.currency.trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(ApiError::validation(
            "currency",
            "Currency must be a three-letter ISO 4217 code such as EUR or USD.",
        ));
    }
    let before = store::settings::get(write.tx)?;
    let settings = Settings {
        org_name: required_text("org_name", "Organisation name", &input.org_name)?,
        address: address("address", &input.address)?,
        fiscal_code: optional_text("fiscal_code", "Fiscal code", &input.fiscal_code)?,
        vat_code: optional_text("vat_code", "VAT code", &input.vat_code)?,
        currency,
        invoice_footnote: footnote(&input.invoice_footnote)?,
        zero_vat_text: optional_text("zero_vat_text", "Zero-VAT text", &input.zero_vat_text)?,
        // The logo changes only through set_invoice_logo.
        has_logo: before.has_logo,
        ..input
    };
    store::settings::update(write.tx, &settings)?;
    write.audit("settings", None, Some(&before), Some(&settings))?;
    Ok(settings)
}

fn footnote(value: &str) -> Result<String> {
    let value = value.trim();
    if value.chars().count() > 2000 {
        return Err(ApiError::validation(
            "invoice_footnote",
            "Invoice footnote is too long (at most 2000 characters).",
        ));
    }
    Ok(value.to_owned())
}

/// Trims and checks every part of an address; `prefix` names it in errors.
pub(crate) fn address(prefix: &str, input: &Address) -> Result<Address> {
    let part = |name: &str, label: &str, value: &str| {
        optional_text(&format!("{prefix}.{name}"), label, value)
    };
    Ok(Address {
        line1: part("line1", "Address line 1", &input.line1)?,
        line2: part("line2", "Address line 2", &input.line2)?,
        city: part("city", "City", &input.city)?,
        state: part("state", "State", &input.state)?,
        zip: part("zip", "ZIP code", &input.zip)?,
        country: part("country", "Country", &input.country)?,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::model::{InvoiceLogo, NoInput, SetInvoiceLogo};
    use crate::{op, Actor, Book, Clock};

    const PNG_LOGO: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

    #[test]
    fn the_stored_logo_is_given_back_with_its_media_type() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Clock::simulated(chrono::DateTime::from_timestamp(1_736_935_200, 0).unwrap());
        let mut book = Book::open(&dir.path().join("settings.book"), clock).unwrap();
        let actor = Actor::new("test");
        let logo = |image_base64: Option<&str>| SetInvoiceLogo {
            image_base64: image_base64.map(str::to_owned),
        };
        assert_eq!(op::get_invoice_logo(&book, NoInput {}).unwrap(), None);
        op::set_invoice_logo(&mut book, &actor, logo(Some(PNG_LOGO))).unwrap();
        assert_eq!(
            op::get_invoice_logo(&book, NoInput {}).unwrap(),
            Some(InvoiceLogo {
                media_type: "image/png".into(),
                image_base64: PNG_LOGO.into()
            })
        );
        op::set_invoice_logo(&mut book, &actor, logo(None)).unwrap();
        assert_eq!(op::get_invoice_logo(&book, NoInput {}).unwrap(), None);
    }
}
