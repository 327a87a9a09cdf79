//! The engine's API types: what operations take and return. They cross to the UI as JSON
//! (amounts and 64-bit ids as strings) and to TypeScript through ts-rs (see bindings.rs).

use chrono::{DateTime, NaiveDate, Utc};
pub use counterfoil_billing::Period;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ts_rs::TS;

mod access;
mod accounts;
mod applications;
mod audit;
mod book;
mod catalogue;
mod dashboard;
mod earnings;
mod events;
mod invoices;
mod pdfs;
mod settings;
mod usage_import;

pub use access::*;
pub use accounts::*;
pub use applications::*;
pub use audit::*;
pub use book::*;
pub use catalogue::*;
pub use dashboard::*;
pub use earnings::*;
pub use events::*;
pub use invoices::*;
pub use pdfs::*;
pub use settings::*;
pub use usage_import::*;

/// A row id. Crosses the boundary as a string (JavaScript numbers lose 64-bit precision);
/// accepted as a string or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, TS)]
#[ts(type = "string")]
pub struct Id(pub i64);

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Id, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(i64),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Number(n) => Ok(Id(n)),
            Raw::Text(s) => s
                .trim()
                .parse()
                .map(Id)
                .map_err(|_| serde::de::Error::custom(format!("\"{s}\" is not an id"))),
        }
    }
}

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// An operation that takes no input.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct NoInput {}

/// Input of every operation that reads or removes one thing by id.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ById {
    pub id: Id,
}

/// Which page of a list: 1-based, `per_page` from 1 to 500. Lists that also filter spell
/// the two fields out (see [`paged!`]) so that a bad value's error names its field.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Paging {
    #[serde(default = "first_page", deserialize_with = "paging::page")]
    #[ts(optional, as = "Option<u32>")]
    pub page: u32,
    #[serde(default = "default_per_page", deserialize_with = "paging::per_page")]
    #[ts(optional, as = "Option<u32>")]
    pub per_page: u32,
}

/// The paging of a list filter that spells out `page` and `per_page`.
macro_rules! paged {
    ($($filter:ty),*) => {$(
        impl $filter {
            pub fn paging(&self) -> Paging {
                Paging { page: self.page, per_page: self.per_page }
            }
        }
    )*};
}
paged!(
    ListPlans,
    ListAccounts,
    ListApplications,
    ListUsage,
    ListAudit,
    ListInvoices
);

/// Paging as given, or refused naming the field: never clamped into something else.
mod paging {
    use serde::de::{self, Deserializer, Visitor};
    use std::fmt;

    pub const MAX_PER_PAGE: u32 = 500;

    struct Whole {
        least: u32,
        most: u32,
        expecting: &'static str,
    }

    impl Visitor<'_> for Whole {
        type Value = u32;

        fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            formatter.write_str(self.expecting)
        }

        fn visit_u64<E: de::Error>(self, value: u64) -> Result<u32, E> {
            u32::try_from(value)
                .ok()
                .filter(|value| (self.least..=self.most).contains(value))
                .ok_or_else(|| E::custom(self.expecting))
        }

        fn visit_i64<E: de::Error>(self, value: i64) -> Result<u32, E> {
            u64::try_from(value)
                .map_err(|_| E::custom(self.expecting))
                .and_then(|value| self.visit_u64(value))
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<u32, E> {
            match text.trim().parse::<u64>() {
                Ok(value) => self.visit_u64(value),
                Err(_) => Err(E::custom(self.expecting)),
            }
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<u32, E> {
            Err(E::custom(self.expecting))
        }
    }

    pub(super) fn page<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
        deserializer.deserialize_any(Whole {
            least: 1,
            most: u32::MAX,
            expecting: "must be a whole number of 1 or more",
        })
    }

    pub(super) fn per_page<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
        deserializer.deserialize_any(Whole {
            least: 1,
            most: MAX_PER_PAGE,
            expecting: "must be a whole number from 1 to 500",
        })
    }
}

fn first_page() -> u32 {
    1
}
fn default_per_page() -> u32 {
    50
}

/// A list filter's `Default`: no filter, the first page, the list's page size — what an empty
/// JSON input gives (a derived `Default` would ask for page 0 of 0 rows).
macro_rules! list_default {
    ($list:ident { $($field:ident),* $(,)? }) => {
        impl Default for $list {
            fn default() -> $list {
                $list {
                    $($field: Default::default(),)*
                    page: first_page(),
                    per_page: default_per_page(),
                }
            }
        }
    };
}

list_default!(ListAccounts {
    search,
    state,
    oldest_first
});
list_default!(ListApplications {
    account_id,
    plan_id,
    state
});
list_default!(ListPlans {
    service_id,
    search,
    state,
    order_by_id,
    include_custom
});
list_default!(ListInvoices {
    state,
    period,
    account_id,
    friendly_id,
    year,
    buyer_query,
    states,
    credit_due,
    past_due,
    oldest_first,
    sort,
    descending,
});

impl Default for Paging {
    fn default() -> Paging {
        Paging {
            page: first_page(),
            per_page: default_per_page(),
        }
    }
}

/// One page of a list, with the total number of matching items.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    #[ts(type = "number")]
    pub total: i64,
}

/// Amounts in inputs are read exactly or refused (billing-rules.md §1): from a text such as
/// "12.50" or a whole JSON number. A JSON number with decimals arrives as a binary float,
/// which cannot say which decimal was meant, so it is refused rather than guessed (serde's
/// "invalid type: floating point", put plainly by `operations::plain_expectation`). The
/// server keeps such numbers as their text before they get here.
mod exact {
    use rust_decimal::Decimal;
    use serde::de::{self, Deserializer, Visitor};
    use std::fmt;

    struct Exact;

    impl Visitor<'_> for Exact {
        type Value = Decimal;

        fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            formatter.write_str("a decimal written as text, e.g. \"12.50\"")
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<Decimal, E> {
            counterfoil_billing::parse_exact(text).map_err(E::custom)
        }

        fn visit_i64<E: de::Error>(self, value: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(value))
        }

        fn visit_u64<E: de::Error>(self, value: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(value))
        }
    }

    pub(super) fn decimal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        deserializer.deserialize_any(Exact)
    }

    /// For partial updates: absent is `None` (unchanged, with `#[serde(default)]`), `null` is
    /// `Some(None)` (removed), a value `Some(Some(value))`.
    pub(super) fn present_decimal<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<Decimal>>, D::Error> {
        optional_decimal(deserializer).map(Some)
    }

    pub(super) fn optional_decimal<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        struct Optional;
        impl<'de> Visitor<'de> for Optional {
            type Value = Option<Decimal>;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a decimal written as text, or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Option<Decimal>, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Option<Decimal>, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(
                self,
                inner: D,
            ) -> Result<Option<Decimal>, D::Error> {
                decimal(inner).map(Some)
            }
        }
        deserializer.deserialize_option(Optional)
    }
}

/// Longest text a search takes: longer ones are not searches, and make SQLite's LIKE give up.
pub const MAX_SEARCH: usize = 200;

fn search_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let text = Option::<String>::deserialize(deserializer)?;
    if text
        .as_ref()
        .is_some_and(|text| text.chars().count() > MAX_SEARCH)
    {
        return Err(serde::de::Error::custom(format!(
            "must be at most {MAX_SEARCH} characters"
        )));
    }
    Ok(text)
}

/// An optional filter or input where an empty text (a form's empty field) means "not given".
fn blank_is_none<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    match Option::<serde_json::Value>::deserialize(deserializer)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(text)) if text.trim().is_empty() => Ok(None),
        Some(value) => T::deserialize(value)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

fn yes() -> bool {
    true
}

/// For partial updates of a field that may be removed: absent is `None` (unchanged, with
/// `#[serde(default)]`), `null` is `Some(None)` (removed), a value `Some(Some(value))`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A typed caller's `..Default::default()` lists what the UI's `{}` lists.
    #[test]
    fn a_list_filters_default_is_what_an_empty_input_gives() {
        fn paging_of<T: serde::de::DeserializeOwned + Serialize + Default>() -> [(u64, u64); 2] {
            let read = |value: serde_json::Value| {
                (
                    value["page"].as_u64().unwrap(),
                    value["per_page"].as_u64().unwrap(),
                )
            };
            let empty: T = serde_json::from_str("{}").unwrap();
            [
                read(serde_json::to_value(T::default()).unwrap()),
                read(serde_json::to_value(empty).unwrap()),
            ]
        }
        for [default, empty] in [
            paging_of::<ListAccounts>(),
            paging_of::<ListApplications>(),
            paging_of::<ListPlans>(),
            paging_of::<ListInvoices>(),
        ] {
            assert_eq!(default, empty);
            assert_eq!(default.0, 1, "the first page");
            assert!(default.1 >= 20, "a page of rows, not {}", default.1);
        }
    }
}
