//! Invoice v3 models: payment request digests, payment requests (with line items and vendor
//! addresses), vendors v3.1 and sales tax validation requests.
//!
//! Invoice v3 sends almost every amount **and boolean as a string** (`"480.00000000"`,
//! `"true"`), and dates like `2019-03-01 00:00:00.0` (space, no `T`, no time zone). Every amount
//! here is an exact [`Decimal`] in the document's `CurrencyCode` (major units, not cents), every
//! flag a `bool`, every date a [`NaiveDateTime`] in the company's local time (Concur gives no
//! offset). Collections that swagger wraps XML-style (`LineItems: {LineItem: [...]}`,
//! `Allocations: {Allocation: [...]}`) are accepted wrapped, bare, single or `null`.
//!
//! Concur docs: <https://developer.concur.com/api-reference/invoice/v3.payment-request.html>,
//! <https://developer.concur.com/api-reference/invoice/v3.payment-request-digest.html>,
//! <https://developer.concur.com/api-reference/invoice/v3.1.vendor.html>,
//! <https://developer.concur.com/api-reference/invoice/v3.sales-tax-validation.html>.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::de::{self, DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};

use super::common::{de_opt_bool, de_opt_datetime, de_opt_i64, de_opt_string};
use super::serde_helpers_ext::decimal_opt;

/// Accepts `[..]`, `{"Wrapper": [..]}`, `{"Wrapper": {..}}`, a single object, or `null`.
/// Items are decoded from their literal JSON text (a `serde_json::Value` would turn amounts
/// into `f64`).
pub(crate) fn wrapped_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    use std::collections::BTreeMap;

    use serde_json::value::RawValue;

    fn first_byte(raw: &RawValue) -> u8 {
        raw.get().trim_start().bytes().next().unwrap_or(b'n')
    }
    fn unexpected<E: de::Error>(raw: &RawValue) -> E {
        de::Error::custom(format!("unexpected collection {}", raw.get()))
    }
    fn array<E: de::Error>(raw: &RawValue) -> Result<Vec<Box<RawValue>>, E> {
        serde_json::from_str(raw.get()).map_err(de::Error::custom)
    }

    let Some(raw) = Option::<Box<RawValue>>::deserialize(d)? else {
        return Ok(Vec::new());
    };
    let items: Vec<Box<RawValue>> = match first_byte(&raw) {
        b'n' => Vec::new(),
        b'[' => array(&raw)?,
        b'{' => {
            let mut map: BTreeMap<String, Box<RawValue>> =
                serde_json::from_str(raw.get()).map_err(de::Error::custom)?;
            match map.len() {
                1 => match map.pop_first() {
                    Some((_, inner)) => match first_byte(&inner) {
                        b'n' => Vec::new(),
                        b'[' => array(&inner)?,
                        b'{' => vec![inner],
                        _ => return Err(unexpected(&inner)),
                    },
                    None => Vec::new(),
                },
                _ => vec![raw],
            }
        }
        _ => return Err(unexpected(&raw)),
    };
    items
        .iter()
        .enumerate()
        .map(|(i, r)| {
            serde_json::from_str(r.get()).map_err(|e| de::Error::custom(format!("item {i}: {e}")))
        })
        .collect()
}

/// One row of `GET /api/v3.0/invoice/paymentrequestdigests`: a short view of an invoice
/// (payment request). Deleted invoices are kept and returned with `is_deleted = Some(true)`.
///
/// `total` is in `currency_code` (ISO 4217, major units). Dates are company-local, no offset.
/// Doc: <https://developer.concur.com/api-reference/invoice/v3.payment-request-digest.html>.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PaymentRequestDigest {
    /// Digest id (usually equals `payment_request_id`).
    #[serde(rename = "ID")]
    pub id: String,
    /// Digest URI.
    #[serde(rename = "URI", default, deserialize_with = "de_opt_string")]
    pub uri: Option<String>,
    /// Payment request id, usable with `GET /paymentrequest/{id}`.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub payment_request_id: Option<String>,
    /// Payment request URI.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub payment_request_uri: Option<String>,
    /// Approval status code (decode with `/localizeddata?type=approvalStatus`).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub approval_status_code: Option<String>,
    /// Payment status code (decode with `/localizeddata?type=paymentStatus`).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub payment_status_code: Option<String>,
    /// Creation date.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub create_date: Option<NaiveDateTime>,
    /// User-defined (invoice) date.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub user_defined_date: Option<NaiveDateTime>,
    /// Date paid.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub paid_date: Option<NaiveDateTime>,
    /// Last modification date.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub last_modified_date: Option<NaiveDateTime>,
    /// Extraction date.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub extracted_date: Option<NaiveDateTime>,
    /// ISO 4217 currency of `total`.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub currency_code: Option<String>,
    /// Invoice total (string on the wire), in `currency_code`.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total: Option<Decimal>,
    /// Vendor's invoice number.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub invoice_number: Option<String>,
    /// Whether the invoice was deleted (boolean or `"true"`/`"false"`).
    #[serde(default, deserialize_with = "de_opt_bool")]
    pub is_deleted: Option<bool>,
    /// Login id of the invoice owner.
    #[serde(rename = "OwnerLoginID", default, deserialize_with = "de_opt_string")]
    pub owner_login_id: Option<String>,
    /// Display name of the invoice owner.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub owner_name: Option<String>,
    /// Vendor name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub vendor_name: Option<String>,
    /// Purchase order number.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub purchase_order_number: Option<String>,
    /// Payment method.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub payment_method: Option<String>,
}

/// A vendor address as returned inside a payment request (`VendorRemitAddress`,
/// `VendorShipFromAddress`) or a line item (`Vendor`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct InvoiceVendorAddress {
    /// Vendor code.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub vendor_code: Option<String>,
    /// Vendor name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub vendor_name: Option<String>,
    /// Name of this vendor address.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub vendor_address_name: Option<String>,
    /// Address code.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub address_code: Option<String>,
    /// Address line 1.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub address1: Option<String>,
    /// Address line 2.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub address2: Option<String>,
    /// Address line 3.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub address3: Option<String>,
    /// City.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub city: Option<String>,
    /// State or province.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub state: Option<String>,
    /// Postal code.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub country_code: Option<String>,
}

/// A bill-to / ship-to address of an invoice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct InvoiceAddress {
    /// External id.
    #[serde(rename = "ExternalID", default, deserialize_with = "de_opt_string")]
    pub external_id: Option<String>,
    /// Name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub name: Option<String>,
    /// Address line 1.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub address1: Option<String>,
    /// Address line 2.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub address2: Option<String>,
    /// Address line 3.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub address3: Option<String>,
    /// City.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub city: Option<String>,
    /// State.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub state: Option<String>,
    /// State or province (some payloads send this instead of, or beside, `State`).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub state_province: Option<String>,
    /// Postal code.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub country_code: Option<String>,
}

/// One allocation of an invoice line item (`Allocations.Allocation[]`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct InvoiceAllocation {
    /// Allocated amount in the line item's currency.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub allocation_amount: Option<Decimal>,
    /// Allocated percentage (0–100).
    #[serde(default, deserialize_with = "decimal_opt")]
    pub percentage: Option<Decimal>,
    /// Custom1 (often the cost-center code).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub custom1: Option<String>,
    /// Custom2.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub custom2: Option<String>,
}

/// One line item of a payment request (`LineItems.LineItem[]` on GET).
///
/// Amounts are in the invoice currency (major units).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PaymentRequestLineItem {
    /// Line item id (`LineItemId`; `LineItemKey` in sales tax payloads).
    #[serde(
        default,
        deserialize_with = "de_opt_string",
        alias = "LineItemID",
        alias = "LineItemKey"
    )]
    pub line_item_id: Option<String>,
    /// Line number within the request.
    #[serde(default, deserialize_with = "de_opt_i64")]
    pub request_line_item_number: Option<i64>,
    /// Description.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub description: Option<String>,
    /// Expense type code.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub expense_type_code: Option<String>,
    /// Quantity (string on the wire).
    #[serde(default, deserialize_with = "decimal_opt")]
    pub quantity: Option<Decimal>,
    /// Unit price.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub unit_price: Option<Decimal>,
    /// Unit of measure code.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub unit_of_measure: Option<String>,
    /// Total price (quantity × unit price).
    #[serde(default, deserialize_with = "decimal_opt", alias = "Total")]
    pub total_price: Option<Decimal>,
    /// Requested amount.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub requested_line_item_amount: Option<Decimal>,
    /// Approved amount.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub approved_line_item_amount: Option<Decimal>,
    /// Tax amount.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub tax: Option<Decimal>,
    /// Purchase order number.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub purchase_order_number: Option<String>,
    /// Whether the line matched a PO line.
    #[serde(default, deserialize_with = "de_opt_bool")]
    pub is_matched: Option<bool>,
    /// `None`, `Partial` or `Full`.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub allocation_status: Option<String>,
    /// Commodity code (sales tax payloads).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub commodity_code: Option<String>,
    /// ISO 4217 currency (sales tax payloads).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub currency_code: Option<String>,
    /// Allocations.
    #[serde(default, deserialize_with = "wrapped_list")]
    pub allocations: Vec<InvoiceAllocation>,
    /// Vendor of this line (sales tax payloads).
    #[serde(default)]
    pub vendor: Option<InvoiceVendorAddress>,
}

/// A payment request (invoice): `GET /api/v3.0/invoice/paymentrequest/{id}`.
///
/// Amounts are exact decimals in `currency_code` (major units), decoded from strings.
/// Dates are company-local (`2019-03-01 00:00:00.0`, no offset).
/// Doc: <https://developer.concur.com/api-reference/invoice/v3.payment-request.html>.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct PaymentRequest {
    /// Payment request id.
    #[serde(rename = "ID")]
    pub id: String,
    /// URI.
    #[serde(rename = "URI", default, deserialize_with = "de_opt_string")]
    pub uri: Option<String>,
    /// Name of the request.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub name: Option<String>,
    /// Vendor's invoice number.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub invoice_number: Option<String>,
    /// ISO 4217 currency of every amount.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub currency_code: Option<String>,
    /// ISO 3166-1 alpha-2 country.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub country_code: Option<String>,
    /// Approval status (localized name).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub approval_status: Option<String>,
    /// Payment status (localized name).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub payment_status: Option<String>,
    /// Payment method.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub payment_method: Option<String>,
    /// Ledger code.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub ledger_code: Option<String>,
    /// Data source code.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub data_source: Option<String>,
    /// Invoice amount as billed.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub invoice_amount: Option<Decimal>,
    /// Amount Concur calculated.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub calculated_amount: Option<Decimal>,
    /// Sum of the line items.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub line_item_total_amount: Option<Decimal>,
    /// Approved total.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total_approved_amount: Option<Decimal>,
    /// Shipping.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub shipping_amount: Option<Decimal>,
    /// Tax.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub tax_amount: Option<Decimal>,
    /// Amount without VAT.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub amount_without_vat: Option<Decimal>,
    /// Amount paid so far.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub paid_amount: Option<Decimal>,
    /// Invoice date.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub invoice_date: Option<NaiveDateTime>,
    /// Date received.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub invoice_received_date: Option<NaiveDateTime>,
    /// Payment due date.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub payment_due_date: Option<NaiveDateTime>,
    /// Date paid.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub paid_date: Option<NaiveDateTime>,
    /// Extraction date.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub extract_date: Option<NaiveDateTime>,
    /// First submission date.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub first_submit_date: Option<NaiveDateTime>,
    /// Last submission date.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub last_submit_date: Option<NaiveDateTime>,
    /// Creation date.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub user_creation_date: Option<NaiveDateTime>,
    /// Deletion date, if deleted.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub deleted_date: Option<NaiveDateTime>,
    /// Workflow completion date.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub workflow_complete_date: Option<NaiveDateTime>,
    /// Purchase order number.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub purchase_order_number: Option<String>,
    /// Vendor tax id.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub vendor_tax_id: Option<String>,
    /// Employee (owner) name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub employee_name: Option<String>,
    /// Login of the creator.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub created_by_username: Option<String>,
    /// Remit-to vendor address.
    #[serde(default)]
    pub vendor_remit_address: Option<InvoiceVendorAddress>,
    /// Ship-from vendor address.
    #[serde(default)]
    pub vendor_ship_from_address: Option<InvoiceVendorAddress>,
    /// Line items (wire shape `LineItems: {LineItem: [...]}` or a bare array).
    #[serde(default, deserialize_with = "wrapped_list")]
    pub line_items: Vec<PaymentRequestLineItem>,
}

/// An Invoice vendor: `GET /api/v3.1/invoice/vendors` (v3.0 was decommissioned 2023-11-30).
///
/// All fields are strings on the wire except `PaymentTerms` (days, 1–999).
/// Doc: <https://developer.concur.com/api-reference/invoice/v3.1.vendor.html>.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct InvoiceVendor {
    /// Vendor id.
    #[serde(rename = "ID", default, deserialize_with = "de_opt_string")]
    pub id: Option<String>,
    /// URI.
    #[serde(rename = "URI", default, deserialize_with = "de_opt_string")]
    pub uri: Option<String>,
    /// Vendor code (key, with `address_code`).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub vendor_code: Option<String>,
    /// Address code (key, with `vendor_code`).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub address_code: Option<String>,
    /// Vendor name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub vendor_name: Option<String>,
    /// Address line 1.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub address1: Option<String>,
    /// Address line 2.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub address2: Option<String>,
    /// Address line 3.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub address3: Option<String>,
    /// City.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub city: Option<String>,
    /// State.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub state: Option<String>,
    /// Postal code.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub postal_code: Option<String>,
    /// Country name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub country: Option<String>,
    /// ISO 3166-1 alpha-2 country.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub country_code: Option<String>,
    /// Default ISO 4217 currency.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub currency_code: Option<String>,
    /// Tax id.
    #[serde(rename = "TaxID", default, deserialize_with = "de_opt_string")]
    pub tax_id: Option<String>,
    /// Whether the vendor is approved (`"true"`/`"false"` or boolean).
    #[serde(default, deserialize_with = "de_opt_bool")]
    pub approved: Option<bool>,
    /// ACH, CARD, CHECK, CLIENT, PAYPVD, VCHER or WIRE.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub payment_method_type: Option<String>,
    /// Payment terms in days (1–999).
    #[serde(default, deserialize_with = "de_opt_i64")]
    pub payment_terms: Option<i64>,
    /// Buyer account number.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub buyer_account_number: Option<String>,
}

/// A sales tax validation request: `GET /api/v3.0/invoice/salestaxvalidationrequest` (the
/// only Invoice v3 JSON sample with payment-request data). Amounts are in `currency_code`.
/// Doc: <https://developer.concur.com/api-reference/invoice/v3.sales-tax-validation.html>.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct SalesTaxValidationRequest {
    /// Payment request id.
    #[serde(rename = "RequestID", default, deserialize_with = "de_opt_string")]
    pub request_id: Option<String>,
    /// Tax reference id (key for the PUT).
    #[serde(rename = "TaxReferenceID", default, deserialize_with = "de_opt_string")]
    pub tax_reference_id: Option<String>,
    /// ISO 3166-1 alpha-2 country.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub country_code: Option<String>,
    /// Title.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub title: Option<String>,
    /// Invoice date (`2019-03-01 00:00:00.0`).
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub invoice_date: Option<NaiveDateTime>,
    /// Status code (`ERROR`, `CMPLT`).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub status_code: Option<String>,
    /// Invoice amount.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub invoice_amount: Option<Decimal>,
    /// Total.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub total: Option<Decimal>,
    /// Shipping.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub shipping_amount: Option<Decimal>,
    /// Tax.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub tax: Option<Decimal>,
    /// Calculated tax amount.
    #[serde(default, deserialize_with = "decimal_opt")]
    pub calculated_tax_amount: Option<Decimal>,
    /// ISO 4217 currency.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub currency_code: Option<String>,
    /// Vendor invoice number.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub vendor_invoice_number: Option<String>,
    /// Bill-to address.
    #[serde(default)]
    pub bill_to_address: Option<InvoiceAddress>,
    /// Ship-to address.
    #[serde(default)]
    pub ship_to_address: Option<InvoiceAddress>,
    /// Line items (`LineItem` array).
    #[serde(rename = "LineItem", default, deserialize_with = "wrapped_list")]
    pub line_items: Vec<PaymentRequestLineItem>,
}

/// Response of `PUT /api/v3.0/invoice/salestaxvalidationrequest`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct SalesTaxValidationResult {
    /// Tax reference id.
    #[serde(rename = "TaxReferenceID", default, deserialize_with = "de_opt_string")]
    pub tax_reference_id: Option<String>,
    /// `SUCCESS` or a failure status.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub status: Option<String>,
    /// Code (0 on success).
    #[serde(default, deserialize_with = "de_opt_i64")]
    pub code: Option<i64>,
    /// Message, if any.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub message: Option<String>,
}
