//! Invoice PDFs: their state, settings, logo and bytes.

use super::*;

/// `invoice_pdf_statuses`' input: the invoices to look at, at most 500 a call.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct InvoicePdfStatuses {
    pub ids: Vec<Id>,
}

/// An invoice's state and its PDF's status: what a batch of PDFs needs to know of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct InvoicePdfState {
    pub id: Id,
    pub state: InvoiceState,
    pub pdf: Option<PdfStatus>,
}

/// When an invoice's PDF was made, and how; or why it could not be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PdfStatus {
    #[ts(type = "string")]
    pub generated_at: DateTime<Utc>,
    /// The file's size; none when it could not be made.
    pub size_bytes: Option<u32>,
    /// Why it could not be made (e.g. a character the invoice font cannot draw).
    pub error: Option<String>,
    /// The settings it was made with.
    pub settings: PdfSettings,
}

/// What a PDF depends on besides the invoice: kept with it, so that a regeneration is needed
/// exactly when these changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PdfSettings {
    pub paper_size: PaperSize,
    pub invoice_footnote: String,
    pub zero_vat_text: String,
    /// SHA-256 of the logo, hex; none without a logo.
    pub logo_sha256: Option<String>,
}

/// The provider's logo for invoice PDFs: a PNG or JPEG file, base64-encoded; none removes it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SetInvoiceLogo {
    #[serde(default)]
    #[ts(optional = nullable)]
    pub image_base64: Option<String>,
}

/// The provider's logo as stored, for a preview of the invoice header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct InvoiceLogo {
    /// `image/png` or `image/jpeg`, from the file's first bytes.
    pub media_type: String,
    pub image_base64: String,
}

/// An invoice PDF's bytes (base64), for transports that carry JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct InvoicePdfFile {
    /// `invoice-<friendly id>.pdf`.
    pub file_name: String,
    pub pdf_base64: String,
}
