//! Invoice v3: payment request digests, payment requests, vendors v3.1, sales tax validation.
//!
//! * Paging: v3 `limit` + opaque `offset` carried in `NextPage` (followed verbatim, so filters
//!   survive); the envelope also has `TotalCount` ([`Page::total_count`](crate::Page)) and a
//!   duplicate array (`PaymentRequestDigest`, `Vendor`) used when `Items` is absent.
//! * Amounts and flags arrive as strings (`"480.00000000"`, `"true"`) and dates as
//!   `2019-03-01 00:00:00.0`; the models decode them exactly (see [`crate::models::invoice`]).
//! * Scopes: legacy `INVPMT` (payment requests) and `INVVEN` (vendors); roles Invoice User /
//!   Invoice Processor for the connecting user.
//! * Vendors use `/api/v3.1/invoice/vendors` (v3.0 was decommissioned on 2023-11-30).
//!
//! Concur docs: <https://developer.concur.com/api-reference/invoice/v3.payment-request-digest.html>,
//! <https://developer.concur.com/api-reference/invoice/v3.payment-request.html>,
//! <https://developer.concur.com/api-reference/invoice/v3.1.vendor.html>.

use chrono::NaiveDate;
use reqwest::Method;

use crate::api::paging_ext::v3_strict;
use crate::http::encode_segment;
use crate::models::invoice::{
    InvoiceVendor, PaymentRequest, PaymentRequestDigest, SalesTaxValidationRequest,
};
use crate::pagination::list_methods;
use crate::{Client, Paginator, Request, Result};

/// The API group name used in [`crate::Error::Permission`] for these calls.
pub const API_GROUP: &str = "Invoice";

/// Handler for Invoice v3 (`client.invoice()`).
#[derive(Debug, Clone)]
pub struct InvoiceHandler {
    client: Client,
}

fn get(client: &Client, path: String) -> Request {
    Request::new(client.clone(), Method::GET, path).api_group(API_GROUP)
}

impl InvoiceHandler {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// `GET /api/v3.0/invoice/paymentrequestdigests` with filters and paging.
    pub fn payment_request_digests(&self) -> ListPaymentRequestDigests {
        ListPaymentRequestDigests {
            request: get(
                &self.client,
                "api/v3.0/invoice/paymentrequestdigests".into(),
            ),
        }
    }

    /// `GET /api/v3.0/invoice/paymentrequest/{id}`: one invoice with line items and vendor
    /// addresses.
    ///
    /// # Errors
    /// [`crate::Error::NotFound`] for an unknown id, [`crate::Error::Permission`] without
    /// Invoice access, [`crate::Error::Decode`] naming the field for a malformed value.
    pub async fn payment_request(&self, id: &str) -> Result<PaymentRequest> {
        get(
            &self.client,
            format!("api/v3.0/invoice/paymentrequest/{}", encode_segment(id)),
        )
        .send_json()
        .await
    }

    /// `GET /api/v3.1/invoice/vendors` (search/list with paging).
    pub fn vendors(&self) -> ListVendors {
        ListVendors {
            request: get(&self.client, "api/v3.1/invoice/vendors".into()),
        }
    }

    /// `GET /api/v3.0/invoice/salestaxvalidationrequest` (paging, `modifiedafter`).
    pub fn sales_tax_validation_requests(&self) -> ListSalesTaxValidationRequests {
        ListSalesTaxValidationRequests {
            request: get(
                &self.client,
                "api/v3.0/invoice/salestaxvalidationrequest".into(),
            ),
        }
    }
}

/// Builder for payment request digests. Date filters are `YYYY-MM-DD` (company-local).
#[derive(Debug, Clone)]
#[must_use = "call .send(), .pages() or .stream()"]
pub struct ListPaymentRequestDigests {
    request: Request,
}

macro_rules! date_filters {
    ($($fn_name:ident => $param:literal),* $(,)?) => {
        $(
            #[doc = concat!("`", $param, "` filter (`YYYY-MM-DD`).")]
            pub fn $fn_name(mut self, date: NaiveDate) -> Self {
                self.request = self.request.set_query($param, date.format("%Y-%m-%d").to_string());
                self
            }
        )*
    };
}

impl ListPaymentRequestDigests {
    /// Page size (Concur default 1000; clamped to 1..=1000).
    pub fn limit(mut self, n: u32) -> Self {
        self.request = self
            .request
            .set_query("limit", n.clamp(1, 1000).to_string());
        self
    }

    /// `approvalStatus` code filter.
    pub fn approval_status(mut self, code: &str) -> Self {
        self.request = self.request.set_query("approvalStatus", code);
        self
    }

    /// `paymentStatus` code filter.
    pub fn payment_status(mut self, code: &str) -> Self {
        self.request = self.request.set_query("paymentStatus", code);
        self
    }

    /// `vendorInvoiceNumber` filter.
    pub fn vendor_invoice_number(mut self, number: &str) -> Self {
        self.request = self.request.set_query("vendorInvoiceNumber", number);
        self
    }

    /// `payMethodType` filter.
    pub fn pay_method_type(mut self, method: &str) -> Self {
        self.request = self.request.set_query("payMethodType", method);
        self
    }

    date_filters! {
        create_date_before => "createDateBefore",
        create_date_after => "createDateAfter",
        user_defined_date_before => "userDefinedDateBefore",
        user_defined_date_after => "userDefinedDateAfter",
        submit_date_before => "submitDateBefore",
        submit_date_after => "submitDateAfter",
        paid_date_before => "paidDateBefore",
        paid_date_after => "paidDateAfter",
        last_modified_date_before => "lastModifiedDateBefore",
        last_modified_date_after => "lastModifiedDateAfter",
        extracted_date_before => "extractedDateBefore",
        extracted_date_after => "extractedDateAfter",
    }

    /// The paginator behind `send()` / `pages()` / `stream()`.
    pub fn paginator(self) -> Paginator<PaymentRequestDigest> {
        Paginator::new(self.request, |r| {
            v3_strict(r, &["Items", "PaymentRequestDigest"])
        })
    }

    list_methods!(PaymentRequestDigest);
}

/// Builder for vendors v3.1.
#[derive(Debug, Clone)]
#[must_use = "call .send(), .pages() or .stream()"]
pub struct ListVendors {
    request: Request,
}

impl ListVendors {
    /// Page size (Concur default 25, max 1000; clamped to 1..=1000).
    pub fn limit(mut self, n: u32) -> Self {
        self.request = self
            .request
            .set_query("limit", n.clamp(1, 1000).to_string());
        self
    }

    /// `vendorCode` filter.
    pub fn vendor_code(mut self, code: &str) -> Self {
        self.request = self.request.set_query("vendorCode", code);
        self
    }

    /// `vendorName` filter.
    pub fn vendor_name(mut self, name: &str) -> Self {
        self.request = self.request.set_query("vendorName", name);
        self
    }

    /// `taxID` filter.
    pub fn tax_id(mut self, id: &str) -> Self {
        self.request = self.request.set_query("taxID", id);
        self
    }

    /// `searchType`: `exact`, `begins`, `contains` or `ends`.
    pub fn search_type(mut self, t: &str) -> Self {
        self.request = self.request.set_query("searchType", t);
        self
    }

    /// `sortBy` field and `sortDirection` (`asc`/`desc`).
    pub fn sort(mut self, by: &str, direction: &str) -> Self {
        self.request = self
            .request
            .set_query("sortBy", by)
            .set_query("sortDirection", direction);
        self
    }

    /// `approved` filter.
    pub fn approved(mut self, approved: bool) -> Self {
        self.request = self.request.set_query("approved", approved.to_string());
        self
    }

    /// `paymentMethodType` filter (ACH, CARD, CHECK, CLIENT, PAYPVD, VCHER, WIRE).
    pub fn payment_method_type(mut self, t: &str) -> Self {
        self.request = self.request.set_query("paymentMethodType", t);
        self
    }

    /// Any other documented filter (`country`, `city`, `custom1`, ...).
    pub fn filter(mut self, name: &str, value: &str) -> Self {
        self.request = self.request.set_query(name, value);
        self
    }

    /// The paginator behind `send()` / `pages()` / `stream()`.
    pub fn paginator(self) -> Paginator<InvoiceVendor> {
        Paginator::new(self.request, |r| v3_strict(r, &["Items", "Vendor"]))
    }

    list_methods!(InvoiceVendor);
}

/// Builder for sales tax validation requests.
#[derive(Debug, Clone)]
#[must_use = "call .send(), .pages() or .stream()"]
pub struct ListSalesTaxValidationRequests {
    request: Request,
}

impl ListSalesTaxValidationRequests {
    /// Page size (max 1000; clamped to 1..=1000).
    pub fn limit(mut self, n: u32) -> Self {
        self.request = self
            .request
            .set_query("limit", n.clamp(1, 1000).to_string());
        self
    }

    /// `modifiedafter` (`YYYY-MM-DD`).
    pub fn modified_after(mut self, date: NaiveDate) -> Self {
        self.request = self
            .request
            .set_query("modifiedafter", date.format("%Y-%m-%d").to_string());
        self
    }

    /// The paginator behind `send()` / `pages()` / `stream()`.
    pub fn paginator(self) -> Paginator<SalesTaxValidationRequest> {
        Paginator::new(self.request, |r| v3_strict(r, &["Items"]))
    }

    list_methods!(SalesTaxValidationRequest);
}

impl Client {
    /// Invoice v3 handler: payment request digests, payment requests, vendors v3.1.
    pub fn invoice(&self) -> InvoiceHandler {
        InvoiceHandler::new(self.clone())
    }
}
