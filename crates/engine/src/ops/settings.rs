use super::{optional_text, required_text, Checks};
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

/// Longest payment terms: a year. Longer is a typing mistake.
pub(crate) const MAX_NET_TERMS: u32 = 365;

pub(crate) fn update_settings(write: &mut Write<'_>, input: Settings) -> Result<Settings> {
    let mut checks = Checks::default();
    let currency = input.currency.trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        checks.check::<()>(Err(ApiError::validation(
            "currency",
            "Currency must be a three-letter ISO 4217 code such as EUR or USD.",
        )));
    }
    if input.net_terms > MAX_NET_TERMS {
        checks.check::<()>(Err(ApiError::validation(
            "net_terms",
            format!("Payment terms can be at most {MAX_NET_TERMS} days."),
        )));
    }
    let org_name = checks.check(required_text(
        "org_name",
        "Organisation name",
        &input.org_name,
    ));
    let address = checks.check(address("address", &input.address));
    let fiscal_code = checks.check(optional_text(
        "fiscal_code",
        "Fiscal code",
        &input.fiscal_code,
    ));
    let vat_code = checks.check(optional_text("vat_code", "VAT code", &input.vat_code));
    let invoice_footnote = checks.check(footnote(&input.invoice_footnote));
    let zero_vat_text = checks.check(optional_text(
        "zero_vat_text",
        "Zero-VAT text",
        &input.zero_vat_text,
    ));
    checks.done()?;
    let before = store::settings::get(write.tx)?;
    let settings = Settings {
        org_name: org_name.unwrap_or_default(),
        address: address.unwrap_or_default(),
        fiscal_code: fiscal_code.unwrap_or_default(),
        vat_code: vat_code.unwrap_or_default(),
        currency,
        invoice_footnote: invoice_footnote.unwrap_or_default(),
        zero_vat_text: zero_vat_text.unwrap_or_default(),
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

/// Trims and checks every part of an address (all of them: each refusal names its part);
/// `prefix` names it in errors.
pub(crate) fn address(prefix: &str, input: &Address) -> Result<Address> {
    let mut checks = Checks::default();
    let mut part = |name: &str, label: &str, value: &str| {
        checks
            .check(optional_text(&format!("{prefix}.{name}"), label, value))
            .unwrap_or_default()
    };
    let address = Address {
        line1: part("line1", "Address line 1", &input.line1),
        line2: part("line2", "Address line 2", &input.line2),
        city: part("city", "City", &input.city),
        state: part("state", "State", &input.state),
        zip: part("zip", "ZIP code", &input.zip),
        country: part("country", "Country", &input.country),
    };
    checks.done()?;
    Ok(address)
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
