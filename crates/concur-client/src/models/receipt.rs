//! Receipts v4 (e-receipts and image-only receipts), Spend Documents v4 receipts and the
//! deprecated Receipts v3 create response.
//!
//! Receipts v4 only returns receipts that were posted through Receipts v4; for images attached
//! to expense entries or invoices use Image v1 ([`crate::models::imaging`]) or Spend Documents.
//! `dateTimeReceived` is ISO 8601 for e-receipts but `Wed May 24 2017 16:14:17 GMT+00:00` for
//! image-only receipts: both decode to UTC.
//!
//! Concur docs: <https://developer.concur.com/api-reference/receipts/endpoints.html>,
//! <https://developer.concur.com/api-reference/spend-documents/get-receipt.html>.

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::common::{de_opt_bool, de_opt_datetime, de_opt_string};
use super::serde_helpers_ext::{decimal_opt, utc_datetime_opt, vec_or_null};

/// An e-receipt: `GET /receipts/v4/{receiptId}` and the items of `GET /receipts/v4/users/{userId}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReceiptV4 {
    /// Receipt id (32 hex characters).
    pub id: String,
    /// Owner's user UUID.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub user_id: Option<String>,
    /// When Concur received the receipt (UTC).
    #[serde(default, deserialize_with = "utc_datetime_opt")]
    pub date_time_received: Option<DateTime<Utc>>,
    /// URL of the receipt image, `None` when Concur sends `""` (no image).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub image: Option<String>,
    /// The receipt document (schema given by `validation_schema`), kept as JSON.
    #[serde(default)]
    pub receipt: Option<serde_json::Value>,
    /// Schema URL (e.g. `http://schema.concursolutions.com/car-rental-receipt.schema.json`).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub validation_schema: Option<String>,
    /// This receipt's URL.
    #[serde(rename = "self", default, deserialize_with = "de_opt_string")]
    pub self_url: Option<String>,
    /// URL template.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub template: Option<String>,
}

impl ReceiptV4 {
    /// The typed receipt document, if present and decodable.
    pub fn document(&self) -> Option<ReceiptDocument> {
        self.receipt
            .clone()
            .and_then(|v| serde_json::from_value(v).ok())
    }
}

/// `GET /receipts/v4/users/{userId}`: `{receipts: [...]}` (no paging field in the docs).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct UserReceipts {
    /// The user's e-receipts.
    pub receipts: Vec<ReceiptV4>,
}

/// An image-only receipt: `GET /receipts/v4/image-only-receipts/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImageOnlyReceipt {
    /// Receipt id.
    pub id: String,
    /// Owner's user id.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub user_id: Option<String>,
    /// When Concur received it (UTC; decoded from the JavaScript date form).
    #[serde(default, deserialize_with = "utc_datetime_opt")]
    pub date_time_received: Option<DateTime<Utc>>,
    /// URL of the image bytes.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub image: Option<String>,
}

/// One page of `GET /receipts/v4/users/{userId}/image-only-receipts`: `{receiptsImages, next}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImageOnlyReceiptPage {
    /// The receipts on this page.
    pub receipts_images: Vec<ImageOnlyReceipt>,
    /// Absolute URL of the next page; absent on the last page.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub next: Option<String>,
}

/// `GET /receipts/v4/status/{receiptId}` (kept for 2 weeks after the post).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ReceiptStatus {
    /// `ACCEPTED`, `FAILED`, `PROCESSING` or `PROCESSED`.
    pub status: String,
    /// Processing log.
    #[serde(default, deserialize_with = "vec_or_null")]
    pub logs: Vec<ReceiptStatusLog>,
}

/// One log line of a [`ReceiptStatus`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReceiptStatusLog {
    /// `INFO`, `DEBUG`, `WARNING` or `ERROR`.
    pub log_level: String,
    /// Message.
    pub message: String,
    /// Time (RFC 2822 on the wire, e.g. `Mon, 08 May 2017 23:05:52 GMT`), UTC.
    #[serde(default, deserialize_with = "utc_datetime_opt")]
    pub timestamp: Option<DateTime<Utc>>,
}

/// A link of the Receipts service index or schema list (`{rel, method?, href}`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ReceiptLink {
    /// Relation (`receipt-get`, a schema URL, ...).
    pub rel: String,
    /// HTTP method, when given.
    #[serde(default)]
    pub method: Option<String>,
    /// Target (may be a URI template such as `.../{receiptId}`).
    pub href: String,
}

/// `GET /receipts/` service index: `{links: [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ReceiptServiceIndex {
    /// Links.
    pub links: Vec<ReceiptLink>,
}

/// `GET /receipts/schemas`: receipt and supporting schemas.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReceiptSchemas {
    /// Receipt schemas (air, car rental, general, ...).
    #[serde(default)]
    pub receipt_schemas: Vec<ReceiptLink>,
    /// Supporting schemas (address, taxes, ...).
    #[serde(default)]
    pub supporting_schemas: Vec<ReceiptLink>,
}

/// The common part of a Receipts v4 receipt document (the JSON posted to
/// `POST /receipts/v4/users/{userId}`; car rental, hotel, general, ...).
///
/// Totals are decimal strings on the wire (`"112.71"`) in `currency_code` (major units).
/// `date_time` keeps its offset (`2016-09-29T15:05:00-0800`) converted to UTC.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReceiptDocument {
    /// Whether the receipt is a tax invoice.
    #[serde(default, deserialize_with = "de_opt_bool")]
    pub tax_invoice: Option<bool>,
    /// Merchant reference.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub reference: Option<String>,
    /// Transaction time (UTC).
    #[serde(default, deserialize_with = "utc_datetime_opt")]
    pub date_time: Option<DateTime<Utc>>,
    /// Total, in `currency_code`.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total: Option<Decimal>,
    /// Subtotal.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub subtotal: Option<Decimal>,
    /// Taxes total.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub taxes_total: Option<Decimal>,
    /// ISO 4217 currency.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub currency_code: Option<String>,
    /// Seller (merchant).
    #[serde(default)]
    pub seller: Option<ReceiptSeller>,
    /// Line items.
    #[serde(default, deserialize_with = "vec_or_null")]
    pub line_items: Vec<ReceiptLineItem>,
}

/// The seller of a [`ReceiptDocument`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReceiptSeller {
    /// Merchant name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub name: Option<String>,
    /// Description.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub description: Option<String>,
    /// Merchant tax id.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub tax_id: Option<String>,
}

/// A line item of a [`ReceiptDocument`].
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReceiptLineItem {
    /// 1-based sequence number.
    #[serde(default)]
    pub sequence_number: Option<i64>,
    /// Description.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub description: Option<String>,
    /// Semantics code (`ROOMRATE`, `DAYS`, `FEE`, ...).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub semantics_code: Option<String>,
    /// Quantity.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub quantity: Option<Decimal>,
    /// Line total in the receipt currency.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total: Option<Decimal>,
}

/// Response of the deprecated `POST /api/v3.0/common/receipts` (`{ID, URI}`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ReceiptV3Created {
    /// New receipt id.
    #[serde(rename = "ID")]
    pub id: String,
    /// URI (often empty).
    #[serde(rename = "URI", default, deserialize_with = "de_opt_string")]
    pub uri: Option<String>,
}

/// A Spend Documents v4 receipt: `GET /spend-documents/v4/receipts/{receiptId}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SpendDocumentReceipt {
    /// Metadata (ids, origin, status).
    pub metadata: SpendDocumentMetadata,
    /// Extracted receipt data, if processed.
    #[serde(default)]
    pub receipt_data: Option<SpendDocumentReceiptData>,
    /// Available representations (`display`, `compliance`) with their download links.
    #[serde(default, deserialize_with = "vec_or_null")]
    pub documents: Vec<SpendDocumentRepresentation>,
}

/// Metadata of a [`SpendDocumentReceipt`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SpendDocumentMetadata {
    /// Receipt id (UUID).
    pub id: String,
    /// Owner's user UUID.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub user_id: Option<String>,
    /// Legacy image id (32 hex), usable with Image v1.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub image_id: Option<String>,
    /// Company UUID.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub company_id: Option<String>,
    /// When it was received (UTC).
    #[serde(default, deserialize_with = "utc_datetime_opt")]
    pub date_time_received: Option<DateTime<Utc>>,
    /// Origin (`mobile`, ...).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub origin: Option<String>,
    /// Processing status.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub status: Option<String>,
}

/// Extracted data of a [`SpendDocumentReceipt`].
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SpendDocumentReceiptData {
    /// Transaction time, merchant-local (no offset).
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub transaction_date_time: Option<NaiveDateTime>,
    /// Amount.
    #[serde(default)]
    pub amount: Option<SpendDocumentAmount>,
    /// Vendor.
    #[serde(default)]
    pub vendor: Option<SpendDocumentVendor>,
}

/// Amount of a spend document: `{total: "30.0", currency: "USD"}` (decimal string, major units).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct SpendDocumentAmount {
    /// Total.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total: Option<Decimal>,
    /// ISO 4217 currency.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub currency: Option<String>,
}

/// Vendor of a spend document.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct SpendDocumentVendor {
    /// Name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub name: Option<String>,
    /// City.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub city: Option<String>,
    /// State.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub state: Option<String>,
    /// Country code.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub country: Option<String>,
}

/// One downloadable representation of a spend document.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct SpendDocumentRepresentation {
    /// `display` or `compliance`.
    pub representation: String,
    /// MIME type.
    #[serde(rename = "type", default)]
    pub content_type: Option<String>,
    /// File name.
    #[serde(default)]
    pub name: Option<String>,
    /// Download URL.
    pub href: String,
}
