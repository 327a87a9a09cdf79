//! The provider's settings: billing mode, numbering, the provider's address, PDF options.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BillingMode {
    Postpaid,
    Prepaid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Numbering {
    Monthly,
    Yearly,
}

/// A postal address; empty strings are absent parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Address {
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub country: String,
}

impl Address {
    pub fn is_empty(&self) -> bool {
        [
            &self.line1,
            &self.line2,
            &self.city,
            &self.state,
            &self.zip,
            &self.country,
        ]
        .iter()
        .all(|part| part.trim().is_empty())
    }
}

/// A change to an address: the parts given change, absent ones stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AddressUpdate {
    #[serde(default)]
    #[ts(optional)]
    pub line1: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub line2: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub city: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub state: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub zip: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub country: Option<String>,
}

impl AddressUpdate {
    /// `address` after this change.
    pub fn applied_to(&self, address: Address) -> Address {
        Address {
            line1: self.line1.clone().unwrap_or(address.line1),
            line2: self.line2.clone().unwrap_or(address.line2),
            city: self.city.clone().unwrap_or(address.city),
            state: self.state.clone().unwrap_or(address.state),
            zip: self.zip.clone().unwrap_or(address.zip),
            country: self.country.clone().unwrap_or(address.country),
        }
    }
}

impl From<Address> for AddressUpdate {
    /// A change to exactly `address`.
    fn from(address: Address) -> AddressUpdate {
        AddressUpdate {
            line1: Some(address.line1),
            line2: Some(address.line2),
            city: Some(address.city),
            state: Some(address.state),
            zip: Some(address.zip),
            country: Some(address.country),
        }
    }
}

/// The paper invoice PDFs are printed on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PaperSize {
    #[default]
    A4,
    Letter,
}

/// The provider's settings: who issues invoices, and how billing runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Settings {
    /// Issued-by name on invoices.
    pub org_name: String,
    pub address: Address,
    pub fiscal_code: String,
    pub vat_code: String,
    /// ISO 4217 code, e.g. EUR.
    pub currency: String,
    pub billing_mode: BillingMode,
    pub numbering: Numbering,
    pub invoice_footnote: String,
    pub zero_vat_text: String,
    pub charging_enabled: bool,
    /// A4 unless the provider prints on US Letter.
    #[serde(default)]
    #[ts(optional, as = "Option<PaperSize>")]
    pub paper_size: PaperSize,
    /// Payment terms: the days from an invoice's issue to its due date (3scale's and Orb's
    /// `net_terms`), 0 to 365; 2 unless changed (billing-rules.md §5).
    #[serde(default = "default_net_terms")]
    #[ts(optional, as = "Option<u32>")]
    pub net_terms: u32,
    /// Whether a logo is set (`set_invoice_logo` changes it; ignored by `update_settings`).
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub has_logo: bool,
}

/// The payment terms of a book that never set them: due two days after issue, as 3scale.
pub const DEFAULT_NET_TERMS: u32 = 2;

fn default_net_terms() -> u32 {
    DEFAULT_NET_TERMS
}
