//! The engine's operations: validation and rules, calling the store for every read and write.
//! Reads take the [`Book`](crate::Book); writes take a [`Write`](crate::book::Write), the open
//! transaction that also carries their audit records.

pub(crate) mod accounts;
pub(crate) mod applications;
pub(crate) mod audit;
pub(crate) mod billing_run;
pub(crate) mod book;
pub(crate) mod charging;
pub(crate) mod dashboard;
pub(crate) mod earnings;
pub(crate) mod events;
pub(crate) mod invoice_view;
pub(crate) mod invoices;
pub(crate) mod metrics;
pub(crate) mod pdfs;
pub(crate) mod plans;
pub(crate) mod services;
pub(crate) mod settings;
pub(crate) mod tokens;
pub(crate) mod usage_import;
pub(crate) mod users;

use crate::error::{ApiError, Reason, Result};
use crate::model::Id;
use counterfoil_billing::{scale_check, MoneyError};
use rust_decimal::Decimal;

const MAX_TEXT: usize = 255;

/// A trimmed, non-empty text of at most 255 characters.
pub(crate) fn required_text(field: &str, label: &str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(
            ApiError::validation(field, format!("{label} can't be blank.")).because(Reason::Blank),
        );
    }
    optional_text(field, label, value)
}

/// A trimmed one-line text of at most 255 characters (empty allowed).
pub(crate) fn optional_text(field: &str, label: &str, value: &str) -> Result<String> {
    checked_text(field, label, value, |_| false)
}

/// A trimmed text of at most 255 characters that may run over several lines (descriptions).
pub(crate) fn description_text(field: &str, label: &str, value: &str) -> Result<String> {
    checked_text(field, label, value, |c| matches!(c, '\n' | '\r' | '\t'))
}

fn checked_text(
    field: &str,
    label: &str,
    value: &str,
    allowed_control: impl Fn(char) -> bool,
) -> Result<String> {
    let value = value.trim();
    if value.chars().count() > MAX_TEXT {
        return Err(ApiError::validation(
            field,
            format!("{label} is too long (at most {MAX_TEXT} characters)."),
        ));
    }
    // Control characters (NUL, escape sequences…) and the marks that reverse how text is
    // shown would make a name print differently from what it is.
    if let Some(bad) = value
        .chars()
        .find(|&c| unprintable(c) && !allowed_control(c))
    {
        return Err(ApiError::validation(
            field,
            format!(
                "{label} must not contain control characters (found U+{:04X}).",
                u32::from(bad)
            ),
        ));
    }
    Ok(value.to_owned())
}

fn unprintable(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// An amount ≥ 0 with at most `max_dp` decimals.
pub(crate) fn amount(field: &str, label: &str, value: Decimal, max_dp: u32) -> Result<Decimal> {
    scale_check(value, max_dp, false).map_err(|error| match error {
        MoneyError::Negative => {
            ApiError::validation(field, format!("{label} must not be negative."))
        }
        MoneyError::TooManyDecimals { max_dp } => ApiError::validation(
            field,
            format!(
                "{label} can have at most {max_dp} decimal places: the book keeps amounts exactly \
                 and does not round what it is given."
            ),
        ),
    })?;
    // Amounts beyond a trillion are typing mistakes, and would not fit the stored integer.
    if value > Decimal::from(1_000_000_000_000i64) {
        return Err(ApiError::validation(
            field,
            format!("{label} is too large."),
        ));
    }
    Ok(value.normalize())
}

/// A system name: letters, digits, `_` and `-`, starting with a letter or digit.
pub(crate) fn system_name(field: &str, value: &str) -> Result<String> {
    let value = value.trim();
    let well_formed = value.len() <= MAX_TEXT
        && value
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !well_formed {
        return Err(ApiError::validation(
            field,
            "System name must start with a letter or digit and contain only letters, digits, \
             '_' and '-'.",
        ));
    }
    Ok(value.to_owned())
}

/// The system name given (checked), or else one derived from the display name.
pub(crate) fn given_or_derived_system_name(given: Option<&str>, name: &str) -> Result<String> {
    match given.map(str::trim).filter(|s| !s.is_empty()) {
        Some(given) => system_name("system_name", given),
        None => Ok(derived_system_name(name)),
    }
}

/// The system name derived from a display name: "Pro Plan (EU)" → "pro_plan_eu" (what
/// every create uses when no system name is given).
pub fn derived_system_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let trimmed = out.trim_end_matches('_');
    if trimmed.is_empty() {
        "unnamed".to_owned()
    } else {
        trimmed.chars().take(MAX_TEXT).collect()
    }
}

/// The checks of one input's fields, answered together: a form with three mistakes hears
/// about all three at once ([`ApiError::all`]).
#[derive(Default)]
pub(crate) struct Checks(Vec<ApiError>);

impl Checks {
    /// The checked value, or `None` with its refusal kept for [`Checks::done`].
    pub(crate) fn check<T>(&mut self, checked: Result<T>) -> Option<T> {
        match checked {
            Ok(value) => Some(value),
            Err(error) => {
                self.0.push(error);
                None
            }
        }
    }

    /// Every refusal kept, as one error; `Ok` when each check passed (then every value
    /// [`Checks::check`] gave is `Some`).
    pub(crate) fn done(self) -> Result<()> {
        ApiError::all(self.0).map_or(Ok(()), Err)
    }
}

pub(crate) fn not_found(what: &str, id: Id) -> ApiError {
    ApiError::not_found(format!("There is no {what} with id {id}."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_system_names() {
        for (name, expected) in [
            ("Pro Plan (EU)", "pro_plan_eu"),
            ("  API  ", "api"),
            ("Ünïcode only", "n_code_only"),
            ("---", "unnamed"),
        ] {
            assert_eq!(derived_system_name(name), expected, "{name}");
        }
    }

    #[test]
    fn system_name_rules() {
        assert!(system_name("system_name", "hits").is_ok());
        assert!(system_name("system_name", "api-v2_calls").is_ok());
        for bad in ["", "_x", "has space", "ünï", "a/b"] {
            let error = system_name("system_name", bad).unwrap_err();
            assert_eq!(error.field.as_deref(), Some("system_name"), "{bad}");
        }
    }
}
