//! Expense v3 models: reports, entries, itemizations and allocations.
//!
//! Doc pages: <https://developer.concur.com/api-reference/expense/expense-report/v3.reports.html>,
//! <https://developer.concur.com/api-reference/expense/expense-report/expense-entry.html>,
//! <https://developer.concur.com/api-reference/expense/expense-report/expense-itemization.html>,
//! <https://developer.concur.com/api-reference/expense/allocations/expense-allocations.html>.
//!
//! Amounts are exact decimals in the currency named next to them (see each field); dates are
//! zone-less [`NaiveDateTime`]s as Concur sends them (date-only fields come as `T00:00:00`).
//! `Custom1..40` and `OrgUnit1..6` objects, and any field this crate does not name, are kept in
//! `extra`; read them with `custom_fields()` / `org_units()`.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::common::{CustomField, custom_fields};

/// An expense report (`GET /api/v3.0/expense/reports[/{id}]`).
/// Amounts are in `currency_code`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// The report id (20-character hex, e.g. `F4F027007E814C1CA70E`).
    #[serde(rename = "ID", deserialize_with = "crate::models::common::de_id")]
    pub id: String,
    /// The report URI.
    #[serde(
        rename = "URI",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub uri: Option<String>,
    /// Report name.
    #[serde(
        rename = "Name",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub name: Option<String>,
    /// Business purpose (≤500 characters), when the API returns it.
    #[serde(
        rename = "Purpose",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub purpose: Option<String>,
    /// Report total, in `currency_code`.
    #[serde(
        rename = "Total",
        default,
        deserialize_with = "crate::models::common::de_opt_decimal"
    )]
    pub total: Option<Decimal>,
    /// ISO 4217 currency of the report amounts.
    #[serde(
        rename = "CurrencyCode",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub currency_code: Option<String>,
    /// ISO 3166-1 alpha-2 country of the report.
    #[serde(
        rename = "Country",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub country: Option<String>,
    /// ISO 3166-2 subdivision (e.g. `CA-BC`).
    #[serde(
        rename = "CountrySubdivision",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub country_subdivision: Option<String>,
    /// When the report was created (Concur time, no zone).
    #[serde(
        rename = "CreateDate",
        default,
        deserialize_with = "crate::models::common::de_opt_datetime"
    )]
    pub create_date: Option<NaiveDateTime>,
    /// When the report was submitted.
    #[serde(
        rename = "SubmitDate",
        default,
        deserialize_with = "crate::models::common::de_opt_datetime"
    )]
    pub submit_date: Option<NaiveDateTime>,
    /// When payment processing started.
    #[serde(
        rename = "ProcessingPaymentDate",
        default,
        deserialize_with = "crate::models::common::de_opt_datetime"
    )]
    pub processing_payment_date: Option<NaiveDateTime>,
    /// When the report was paid.
    #[serde(
        rename = "PaidDate",
        default,
        deserialize_with = "crate::models::common::de_opt_datetime"
    )]
    pub paid_date: Option<NaiveDateTime>,
    /// The report date the user entered (date only, `T00:00:00`).
    #[serde(
        rename = "UserDefinedDate",
        default,
        deserialize_with = "crate::models::common::de_opt_datetime"
    )]
    pub user_defined_date: Option<NaiveDateTime>,
    /// Last modification (Concur time, no zone).
    #[serde(
        rename = "LastModifiedDate",
        default,
        deserialize_with = "crate::models::common::de_opt_datetime"
    )]
    pub last_modified_date: Option<NaiveDateTime>,
    /// Whether receipts were received.
    #[serde(
        rename = "ReceiptsReceived",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub receipts_received: Option<bool>,
    /// The last comment.
    #[serde(
        rename = "LastComment",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub last_comment: Option<String>,
    /// Owner login id (e-mail-like, may contain `+`).
    #[serde(
        rename = "OwnerLoginID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub owner_login_id: Option<String>,
    /// Owner display name.
    #[serde(
        rename = "OwnerName",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub owner_name: Option<String>,
    /// Current approver login id.
    #[serde(
        rename = "ApproverLoginID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub approver_login_id: Option<String>,
    /// Current approver name.
    #[serde(
        rename = "ApproverName",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub approver_name: Option<String>,
    /// Approval status, localized (e.g. `Approved`).
    #[serde(
        rename = "ApprovalStatusName",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub approval_status_name: Option<String>,
    /// Approval status code (`A_APPR`, `A_PEND`, `A_NOTF`...).
    #[serde(
        rename = "ApprovalStatusCode",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub approval_status_code: Option<String>,
    /// Payment status, localized.
    #[serde(
        rename = "PaymentStatusName",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub payment_status_name: Option<String>,
    /// Payment status code (`P_PAID`, `P_NOTP`...).
    #[serde(
        rename = "PaymentStatusCode",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub payment_status_code: Option<String>,
    /// Personal (non-reimbursable) amount, in `currency_code`.
    #[serde(
        rename = "PersonalAmount",
        default,
        deserialize_with = "crate::models::common::de_opt_decimal"
    )]
    pub personal_amount: Option<Decimal>,
    /// Amount due to the employee, in `currency_code`.
    #[serde(
        rename = "AmountDueEmployee",
        default,
        deserialize_with = "crate::models::common::de_opt_decimal"
    )]
    pub amount_due_employee: Option<Decimal>,
    /// Amount due to the company card, in `currency_code`.
    #[serde(
        rename = "AmountDueCompanyCard",
        default,
        deserialize_with = "crate::models::common::de_opt_decimal"
    )]
    pub amount_due_company_card: Option<Decimal>,
    /// Total claimed, in `currency_code`.
    #[serde(
        rename = "TotalClaimedAmount",
        default,
        deserialize_with = "crate::models::common::de_opt_decimal"
    )]
    pub total_claimed_amount: Option<Decimal>,
    /// Total approved, in `currency_code`.
    #[serde(
        rename = "TotalApprovedAmount",
        default,
        deserialize_with = "crate::models::common::de_opt_decimal"
    )]
    pub total_approved_amount: Option<Decimal>,
    /// Ledger name.
    #[serde(
        rename = "LedgerName",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub ledger_name: Option<String>,
    /// Expense policy id.
    #[serde(
        rename = "PolicyID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub policy_id: Option<String>,
    /// Whether the report was ever sent back.
    #[serde(
        rename = "EverSentBack",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub ever_sent_back: Option<bool>,
    /// Whether the report has exceptions.
    #[serde(
        rename = "HasException",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub has_exception: Option<bool>,
    /// Workflow action URL.
    #[serde(
        rename = "WorkflowActionUrl",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub workflow_action_url: Option<String>,
    /// `Custom1..N`, `OrgUnit1..6` and every field not named above, as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Report {
    /// The non-null `CustomN` fields as `(N, field)`, sorted by N.
    pub fn custom_fields(&self) -> Vec<(u8, CustomField)> {
        custom_fields(&self.extra, "Custom")
    }

    /// The non-null `OrgUnitN` fields as `(N, field)`, sorted by N.
    pub fn org_units(&self) -> Vec<(u8, CustomField)> {
        custom_fields(&self.extra, "OrgUnit")
    }
}
/// An expense entry (`GET /api/v3.0/expense/entries[/{id}]`).
/// `transaction_amount` is in `transaction_currency_code`; posted and approved amounts are in the
/// report currency.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Entry {
    /// The entry id (opaque; may contain `$`).
    #[serde(rename = "ID", deserialize_with = "crate::models::common::de_id")]
    pub id: String,
    /// The entry URI.
    #[serde(
        rename = "URI",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub uri: Option<String>,
    /// The parent report id.
    #[serde(
        rename = "ReportID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub report_id: Option<String>,
    /// Login id of the report owner.
    #[serde(
        rename = "ReportOwnerID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub report_owner_id: Option<String>,
    /// 32-character hex id usable with Expense v4.
    #[serde(
        rename = "ExpenseID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub expense_id: Option<String>,
    /// Expense type code (e.g. `GASXX`).
    #[serde(
        rename = "ExpenseTypeCode",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub expense_type_code: Option<String>,
    /// Expense type name (e.g. `Fuel`).
    #[serde(
        rename = "ExpenseTypeName",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub expense_type_name: Option<String>,
    /// Spend category code.
    #[serde(
        rename = "SpendCategoryCode",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub spend_category_code: Option<String>,
    /// Spend category name.
    #[serde(
        rename = "SpendCategoryName",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub spend_category_name: Option<String>,
    /// Payment type id.
    #[serde(
        rename = "PaymentTypeID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub payment_type_id: Option<String>,
    /// Payment type name (e.g. `Cash`, `Company Card`).
    #[serde(
        rename = "PaymentTypeName",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub payment_type_name: Option<String>,
    /// Transaction date (date only, `T00:00:00`).
    #[serde(
        rename = "TransactionDate",
        default,
        deserialize_with = "crate::models::common::de_opt_datetime"
    )]
    pub transaction_date: Option<NaiveDateTime>,
    /// ISO 4217 currency of `transaction_amount`.
    #[serde(
        rename = "TransactionCurrencyCode",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub transaction_currency_code: Option<String>,
    /// Amount in `transaction_currency_code`.
    #[serde(
        rename = "TransactionAmount",
        default,
        deserialize_with = "crate::models::common::de_opt_decimal"
    )]
    pub transaction_amount: Option<Decimal>,
    /// Rate from the transaction currency to the report currency.
    #[serde(
        rename = "ExchangeRate",
        default,
        deserialize_with = "crate::models::common::de_opt_decimal"
    )]
    pub exchange_rate: Option<Decimal>,
    /// Amount in the report currency.
    #[serde(
        rename = "PostedAmount",
        default,
        deserialize_with = "crate::models::common::de_opt_decimal"
    )]
    pub posted_amount: Option<Decimal>,
    /// Approved amount in the report currency.
    #[serde(
        rename = "ApprovedAmount",
        default,
        deserialize_with = "crate::models::common::de_opt_decimal"
    )]
    pub approved_amount: Option<Decimal>,
    /// Free-text vendor (≤64 characters).
    #[serde(
        rename = "VendorDescription",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub vendor_description: Option<String>,
    /// Vendor list item id.
    #[serde(
        rename = "VendorListItemID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub vendor_list_item_id: Option<String>,
    /// Vendor list item name.
    #[serde(
        rename = "VendorListItemName",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub vendor_list_item_name: Option<String>,
    /// Location id.
    #[serde(
        rename = "LocationID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub location_id: Option<String>,
    /// Location name.
    #[serde(
        rename = "LocationName",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub location_name: Option<String>,
    /// Location subdivision.
    #[serde(
        rename = "LocationSubdivision",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub location_subdivision: Option<String>,
    /// Location country (ISO 3166-1 alpha-2).
    #[serde(
        rename = "LocationCountry",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub location_country: Option<String>,
    /// Description (≤64); Concur labels it "Business Purpose" in most configurations.
    #[serde(
        rename = "Description",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub description: Option<String>,
    /// Comment (always empty on GET).
    #[serde(
        rename = "Comment",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub comment: Option<String>,
    /// Whether the expense is personal (not reimbursed).
    #[serde(
        rename = "IsPersonal",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub is_personal: Option<bool>,
    /// Whether the expense is billable.
    #[serde(
        rename = "IsBillable",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub is_billable: Option<bool>,
    /// Whether it is a personal card charge.
    #[serde(
        rename = "IsPersonalCardCharge",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub is_personal_card_charge: Option<bool>,
    /// Whether a receipt image is attached.
    #[serde(
        rename = "HasImage",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub has_image: Option<bool>,
    /// Whether a receipt image is required.
    #[serde(
        rename = "IsImageRequired",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub is_image_required: Option<bool>,
    /// Whether the receipt was received.
    #[serde(
        rename = "ReceiptReceived",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub receipt_received: Option<bool>,
    /// Tax receipt type (`T`, `R`, `N`).
    #[serde(
        rename = "TaxReceiptType",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub tax_receipt_type: Option<String>,
    /// E-receipt id.
    #[serde(
        rename = "ElectronicReceiptID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub electronic_receipt_id: Option<String>,
    /// Company card transaction id.
    #[serde(
        rename = "CompanyCardTransactionID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub company_card_transaction_id: Option<String>,
    /// Trip id.
    #[serde(
        rename = "TripID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub trip_id: Option<String>,
    /// Whether the entry is itemized.
    #[serde(
        rename = "HasItemizations",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub has_itemizations: Option<bool>,
    /// Allocation type (`P`, `F`, `N`).
    #[serde(
        rename = "AllocationType",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub allocation_type: Option<String>,
    /// Whether attendees are attached.
    #[serde(
        rename = "HasAttendees",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub has_attendees: Option<bool>,
    /// Whether VAT data exists.
    #[serde(
        rename = "HasVAT",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub has_vat: Option<bool>,
    /// Whether a cash advance was applied.
    #[serde(
        rename = "HasAppliedCashAdvance",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub has_applied_cash_advance: Option<bool>,
    /// Whether comments exist.
    #[serde(
        rename = "HasComments",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub has_comments: Option<bool>,
    /// Whether exceptions exist.
    #[serde(
        rename = "HasExceptions",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub has_exceptions: Option<bool>,
    /// Whether Expense Pay pays it.
    #[serde(
        rename = "IsPaidByExpensePay",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub is_paid_by_expense_pay: Option<bool>,
    /// Employee bank account id.
    #[serde(
        rename = "EmployeeBankAccountID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub employee_bank_account_id: Option<String>,
    /// Mileage details, for car mileage expense types.
    #[serde(rename = "Journey", default)]
    pub journey: Option<Journey>,
    /// Last modification (Concur time, no zone).
    #[serde(
        rename = "LastModified",
        default,
        deserialize_with = "crate::models::common::de_opt_datetime"
    )]
    pub last_modified: Option<NaiveDateTime>,
    /// Form id.
    #[serde(
        rename = "FormID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub form_id: Option<String>,
    /// `Custom1..N`, `OrgUnit1..6` and every field not named above, as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Entry {
    /// The non-null `CustomN` fields as `(N, field)`, sorted by N.
    pub fn custom_fields(&self) -> Vec<(u8, CustomField)> {
        custom_fields(&self.extra, "Custom")
    }

    /// The non-null `OrgUnitN` fields as `(N, field)`, sorted by N.
    pub fn org_units(&self) -> Vec<(u8, CustomField)> {
        custom_fields(&self.extra, "OrgUnit")
    }
}
/// An itemization of an entry (`GET /api/v3.0/expense/itemizations[/{id}]`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Itemization {
    /// The itemization id.
    #[serde(rename = "ID", deserialize_with = "crate::models::common::de_id")]
    pub id: String,
    /// The itemization URI.
    #[serde(
        rename = "URI",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub uri: Option<String>,
    /// The parent entry id.
    #[serde(
        rename = "EntryID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub entry_id: Option<String>,
    /// The report id.
    #[serde(
        rename = "ReportID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub report_id: Option<String>,
    /// Login id of the report owner.
    #[serde(
        rename = "ReportOwnerID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub report_owner_id: Option<String>,
    /// Expense type code.
    #[serde(
        rename = "ExpenseTypeCode",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub expense_type_code: Option<String>,
    /// Expense type name.
    #[serde(
        rename = "ExpenseTypeName",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub expense_type_name: Option<String>,
    /// Spend category code.
    #[serde(
        rename = "SpendCategoryCode",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub spend_category_code: Option<String>,
    /// Spend category name.
    #[serde(
        rename = "SpendCategoryName",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub spend_category_name: Option<String>,
    /// Transaction date (date only, `T00:00:00`).
    #[serde(
        rename = "TransactionDate",
        default,
        deserialize_with = "crate::models::common::de_opt_datetime"
    )]
    pub transaction_date: Option<NaiveDateTime>,
    /// Amount in the parent entry's transaction currency.
    #[serde(
        rename = "TransactionAmount",
        default,
        deserialize_with = "crate::models::common::de_opt_decimal"
    )]
    pub transaction_amount: Option<Decimal>,
    /// Amount in the report currency.
    #[serde(
        rename = "PostedAmount",
        default,
        deserialize_with = "crate::models::common::de_opt_decimal"
    )]
    pub posted_amount: Option<Decimal>,
    /// Approved amount in the report currency.
    #[serde(
        rename = "ApprovedAmount",
        default,
        deserialize_with = "crate::models::common::de_opt_decimal"
    )]
    pub approved_amount: Option<Decimal>,
    /// Description.
    #[serde(
        rename = "Description",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub description: Option<String>,
    /// Allocation type (`P`, `F`, `N`).
    #[serde(
        rename = "AllocationType",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub allocation_type: Option<String>,
    /// Whether it is personal.
    #[serde(
        rename = "IsPersonal",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub is_personal: Option<bool>,
    /// Whether it is billable.
    #[serde(
        rename = "IsBillable",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub is_billable: Option<bool>,
    /// Whether an image is required.
    #[serde(
        rename = "IsImageRequired",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub is_image_required: Option<bool>,
    /// Whether comments exist.
    #[serde(
        rename = "HasComments",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub has_comments: Option<bool>,
    /// Whether exceptions exist.
    #[serde(
        rename = "HasExceptions",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub has_exceptions: Option<bool>,
    /// Location id.
    #[serde(
        rename = "LocationID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub location_id: Option<String>,
    /// Location name.
    #[serde(
        rename = "LocationName",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub location_name: Option<String>,
    /// Location subdivision.
    #[serde(
        rename = "LocationSubdivision",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub location_subdivision: Option<String>,
    /// Location country.
    #[serde(
        rename = "LocationCountry",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub location_country: Option<String>,
    /// Last modification (Concur time, no zone).
    #[serde(
        rename = "LastModified",
        default,
        deserialize_with = "crate::models::common::de_opt_datetime"
    )]
    pub last_modified: Option<NaiveDateTime>,
    /// `Custom1..N`, `OrgUnit1..6` and every field not named above, as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Itemization {
    /// The non-null `CustomN` fields as `(N, field)`, sorted by N.
    pub fn custom_fields(&self) -> Vec<(u8, CustomField)> {
        custom_fields(&self.extra, "Custom")
    }

    /// The non-null `OrgUnitN` fields as `(N, field)`, sorted by N.
    pub fn org_units(&self) -> Vec<(u8, CustomField)> {
        custom_fields(&self.extra, "OrgUnit")
    }
}
/// A cost allocation (`GET /api/v3.0/expense/allocations[/{id}]`; read-only).
/// Custom fields carry `Label` and `Sequence`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Allocation {
    /// The allocation id.
    #[serde(rename = "ID", deserialize_with = "crate::models::common::de_id")]
    pub id: String,
    /// The allocation URI.
    #[serde(
        rename = "URI",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub uri: Option<String>,
    /// The entry id.
    #[serde(
        rename = "EntryID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub entry_id: Option<String>,
    /// Share of the entry, in percent (sent as a string, e.g. `"100.00000000"`).
    #[serde(
        rename = "Percentage",
        default,
        deserialize_with = "crate::models::common::de_opt_decimal"
    )]
    pub percentage: Option<Decimal>,
    /// Whether the percentage was edited.
    #[serde(
        rename = "IsPercentEdited",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub is_percent_edited: Option<bool>,
    /// Whether the allocation is hidden (a default 100% allocation).
    #[serde(
        rename = "IsHidden",
        default,
        deserialize_with = "crate::models::common::de_opt_bool"
    )]
    pub is_hidden: Option<bool>,
    /// Primary account code (the doc table wrongly says `AccountNumber`).
    #[serde(
        rename = "AccountCode1",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub account_code1: Option<String>,
    /// Secondary account code.
    #[serde(
        rename = "AccountCode2",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub account_code2: Option<String>,
    /// `Custom1..N`, `OrgUnit1..6` and every field not named above, as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Allocation {
    /// The non-null `CustomN` fields as `(N, field)`, sorted by N.
    pub fn custom_fields(&self) -> Vec<(u8, CustomField)> {
        custom_fields(&self.extra, "Custom")
    }

    /// The non-null `OrgUnitN` fields as `(N, field)`, sorted by N.
    pub fn org_units(&self) -> Vec<(u8, CustomField)> {
        custom_fields(&self.extra, "OrgUnit")
    }
}
/// Mileage details of an entry (`Journey`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Journey {
    /// Start location (≤100).
    #[serde(
        rename = "StartLocation",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub start_location: Option<String>,
    /// End location (≤100).
    #[serde(
        rename = "EndLocation",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub end_location: Option<String>,
    /// `M` (miles) or `K` (kilometres).
    #[serde(
        rename = "UnitOfMeasure",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub unit_of_measure: Option<String>,
    /// Business distance, in `unit_of_measure`.
    #[serde(
        rename = "BusinessDistance",
        default,
        deserialize_with = "crate::models::common::de_opt_i64"
    )]
    pub business_distance: Option<i64>,
    /// Personal distance, in `unit_of_measure`.
    #[serde(
        rename = "PersonalDistance",
        default,
        deserialize_with = "crate::models::common::de_opt_i64"
    )]
    pub personal_distance: Option<i64>,
    /// Odometer at start.
    #[serde(
        rename = "OdometerStart",
        default,
        deserialize_with = "crate::models::common::de_opt_i64"
    )]
    pub odometer_start: Option<i64>,
    /// Odometer at end.
    #[serde(
        rename = "OdometerEnd",
        default,
        deserialize_with = "crate::models::common::de_opt_i64"
    )]
    pub odometer_end: Option<i64>,
    /// Passengers.
    #[serde(
        rename = "NumberOfPassengers",
        default,
        deserialize_with = "crate::models::common::de_opt_i64"
    )]
    pub number_of_passengers: Option<i64>,
    /// Vehicle id.
    #[serde(
        rename = "VehicleID",
        default,
        deserialize_with = "crate::models::common::de_opt_string"
    )]
    pub vehicle_id: Option<String>,
    /// `Custom1..N`, `OrgUnit1..6` and every field not named above, as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
