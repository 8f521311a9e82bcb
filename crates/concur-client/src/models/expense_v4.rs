//! Expense Reports v4 models: report, expense (also used for itemizations), nested amounts,
//! exchange rate, expense/payment types, vendor, location.
//!
//! * Amounts are `{value, currencyCode}` objects; `value` is a JSON number with 8 decimals
//!   (`525.00000000`) and zero is written `0E-8`. Both decode exactly into [`Decimal`] (no
//!   `f64` on the way), in major units of the ISO 4217 `currency_code`.
//! * `exchangeRate.value` has 14 decimals and an `operation` of `MULTIPLY` or `DIVIDE`
//!   (transaction currency → report currency).
//! * Dates are `YYYY-MM-DD` ([`NaiveDate`]); timestamps `…Z` (UTC).
//! * **There is no company-wide list of reports in v4.** Use Expense v3
//!   `GET /api/v3.0/expense/reports` (`client.expense().reports().list()`), the manager's
//!   `reportsToApprove`, or event subscriptions to find report ids, then read them here.
//!
//! Concur docs: <https://developer.concur.com/api-reference/expense/expense-report/v4.reports.html>,
//! <https://developer.concur.com/api-reference/expense/expense-report/v4.expenses.html>.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::common::{de_opt_bool, de_opt_date, de_opt_i64, de_opt_string};
use super::serde_helpers_ext::{decimal_req, utc_datetime_opt, vec_or_null};

/// The access context of a v4 call (`/users/{userId}/context/{contextType}/...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum ContextType {
    /// The report owner.
    Traveler,
    /// An approving manager.
    Manager,
    /// An expense processor.
    Processor,
    /// A delegate.
    Proxy,
}

impl ContextType {
    /// The path segment (`TRAVELER`, `MANAGER`, `PROCESSOR`, `PROXY`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Traveler => "TRAVELER",
            Self::Manager => "MANAGER",
            Self::Processor => "PROCESSOR",
            Self::Proxy => "PROXY",
        }
    }
}

impl std::fmt::Display for ContextType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A v4 amount: exact decimal `value` in major units of `currency_code` (ISO 4217).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AmountV4 {
    /// Value (8 decimals on the wire; `0E-8` is zero).
    #[serde(deserialize_with = "decimal_req")]
    pub value: Decimal,
    /// ISO 4217 currency code.
    pub currency_code: String,
}

impl AmountV4 {
    /// Builds an amount.
    pub fn new(value: Decimal, currency_code: impl Into<String>) -> Self {
        Self {
            value,
            currency_code: currency_code.into(),
        }
    }
}

/// How [`ExchangeRate::value`] converts the transaction amount into the report currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum ExchangeOperation {
    /// report = transaction × rate.
    Multiply,
    /// report = transaction ÷ rate.
    Divide,
}

/// An exchange rate `{value, operation}` (14 decimals).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ExchangeRate {
    /// Rate.
    #[serde(deserialize_with = "decimal_req")]
    pub value: Decimal,
    /// `MULTIPLY` or `DIVIDE`.
    pub operation: ExchangeOperation,
}

impl ExchangeRate {
    /// Converts a transaction-currency value into the report currency (unrounded).
    /// Returns `None` for a `DIVIDE` rate of zero or on overflow.
    pub fn apply(&self, amount: Decimal) -> Option<Decimal> {
        match self.operation {
            ExchangeOperation::Multiply => amount.checked_mul(self.value),
            ExchangeOperation::Divide => amount.checked_div(self.value),
        }
    }
}

/// `expenseType{id, name, code, isDeleted}`; `id` is the ≤ 5-character key (`LUNCH`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ExpenseTypeV4 {
    /// Expense type key (`LUNCH`, `ONLIN`, ...), like v3 `ExpenseTypeCode`.
    pub id: String,
    /// Localized name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub name: Option<String>,
    /// Expense code (`OTHER`, ...).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub code: Option<String>,
    /// Deleted type.
    #[serde(default, deserialize_with = "de_opt_bool")]
    pub is_deleted: Option<bool>,
}

/// `paymentType{id, name, code}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct PaymentTypeV4 {
    /// Payment type id (`CASH`, `1022`).
    pub id: String,
    /// Name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub name: Option<String>,
    /// Code (`CASH`, `CBCP`).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub code: Option<String>,
}

/// `vendor{id, name, description}` (the merchant as typed: usually only `description`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct VendorV4 {
    /// Vendor id (vendor list item), often null.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub id: Option<String>,
    /// Vendor name, often null.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub name: Option<String>,
    /// Vendor description as entered (`Antioch Construction`).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub description: Option<String>,
}

impl VendorV4 {
    /// The best merchant name: `name`, else `description`.
    pub fn display(&self) -> Option<&str> {
        self.name.as_deref().or(self.description.as_deref())
    }
}

/// `location{id, name, city, countrySubDivisionCode, countryCode}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LocationV4 {
    /// Location id.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub id: Option<String>,
    /// Name (`Bellevue, Washington`).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub name: Option<String>,
    /// City.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub city: Option<String>,
    /// ISO 3166-2 subdivision (`US-WA`).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub country_sub_division_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub country_code: Option<String>,
}

/// `customData[]` entry `{id: "custom15", value, isValid, listItemUrl}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CustomDataV4 {
    /// Field id (`custom15`).
    pub id: String,
    /// Value (list item id for list fields).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub value: Option<String>,
    /// Valid value.
    #[serde(default, deserialize_with = "de_opt_bool")]
    pub is_valid: Option<bool>,
    /// List item URL for list fields.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub list_item_url: Option<String>,
}

/// A HATEOAS link `{rel, href, method, isTemplated}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LinkV4 {
    /// Relation (`self`, `itemizations`, `comments`).
    pub rel: String,
    /// Target URL.
    pub href: String,
    /// HTTP method.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub method: Option<String>,
    /// URI template.
    #[serde(default, deserialize_with = "de_opt_bool")]
    pub is_templated: Option<bool>,
}

/// An Expense Reports v4 report: `GET /expensereports/v4/users/{userId}/context/{contextType}/reports/{reportId}`.
///
/// All amounts are in the report currency (`currency_code`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReportV4 {
    /// Report id (20 hex characters, same form as v3 `ID`).
    pub report_id: String,
    /// Report name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub name: Option<String>,
    /// Report number.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub report_number: Option<String>,
    /// Business purpose.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub business_purpose: Option<String>,
    /// Owner's user UUID (lower case).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub user_id: Option<String>,
    /// Approval status (localized).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub approval_status: Option<String>,
    /// Approval status code (`A_NOTF`, `A_APPR`, ...).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub approval_status_id: Option<String>,
    /// Payment status (localized).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub payment_status: Option<String>,
    /// Payment status code (`P_NOTP`, `P_PAID`, ...).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub payment_status_id: Option<String>,
    /// Concur audit status.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub concur_audit_status: Option<String>,
    /// Report currency (ISO 4217).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub currency_code: Option<String>,
    /// Localized currency name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub currency: Option<String>,
    /// ISO country.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub country_code: Option<String>,
    /// ISO subdivision.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub country_sub_division_code: Option<String>,
    /// Report date.
    #[serde(default, deserialize_with = "de_opt_date")]
    pub report_date: Option<NaiveDate>,
    /// Start date.
    #[serde(default, deserialize_with = "de_opt_date")]
    pub start_date: Option<NaiveDate>,
    /// End date.
    #[serde(default, deserialize_with = "de_opt_date")]
    pub end_date: Option<NaiveDate>,
    /// Creation time (UTC).
    #[serde(default, deserialize_with = "utc_datetime_opt")]
    pub creation_date: Option<DateTime<Utc>>,
    /// Submission time (UTC).
    #[serde(default, deserialize_with = "utc_datetime_opt")]
    pub submit_date: Option<DateTime<Utc>>,
    /// Policy id.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub policy_id: Option<String>,
    /// Policy name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub policy: Option<String>,
    /// Ledger.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub ledger: Option<String>,
    /// `Regular`, `Reconciliation`, `Statement` or `AutoCreated`.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub report_type: Option<String>,
    /// Submitted.
    #[serde(default, deserialize_with = "de_opt_bool")]
    pub is_submitted: Option<bool>,
    /// Report version.
    #[serde(default, deserialize_with = "de_opt_i64")]
    pub report_version: Option<i64>,
    /// Approved amount.
    #[serde(default)]
    pub approved_amount: Option<AmountV4>,
    /// Claimed amount.
    #[serde(default)]
    pub claimed_amount: Option<AmountV4>,
    /// Amount due to the employee.
    #[serde(default)]
    pub amount_due_employee: Option<AmountV4>,
    /// Amount due to the company.
    #[serde(default)]
    pub amount_due_company: Option<AmountV4>,
    /// Amount due to the company card.
    #[serde(default)]
    pub amount_due_company_card: Option<AmountV4>,
    /// Amount paid by the company.
    #[serde(default)]
    pub amount_company_paid: Option<AmountV4>,
    /// Personal amount.
    #[serde(default)]
    pub personal_amount: Option<AmountV4>,
    /// Report total.
    #[serde(default)]
    pub report_total: Option<AmountV4>,
    /// Amount not approved.
    #[serde(default)]
    pub amount_not_approved: Option<AmountV4>,
    /// Payment confirmed amount.
    #[serde(default)]
    pub payment_confirmed_amount: Option<AmountV4>,
    /// Custom fields.
    #[serde(default, deserialize_with = "vec_or_null")]
    pub custom_data: Vec<CustomDataV4>,
    /// Links.
    #[serde(default, deserialize_with = "vec_or_null")]
    pub links: Vec<LinkV4>,
}

/// An expense (entry) of a v4 report; the same shape is used for itemizations.
///
/// `transaction_amount` is in the transaction currency; `posted_amount`, `approved_amount` and
/// `claimed_amount` in the report currency, converted with `exchange_rate`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ExpenseV4 {
    /// Expense id (32 hex; equals v3 `ExpenseID`).
    pub expense_id: String,
    /// Transaction date.
    #[serde(default, deserialize_with = "de_opt_date")]
    pub transaction_date: Option<NaiveDate>,
    /// Amount in the transaction currency.
    #[serde(default)]
    pub transaction_amount: Option<AmountV4>,
    /// Amount in the report currency.
    #[serde(default)]
    pub posted_amount: Option<AmountV4>,
    /// Approved amount (report currency).
    #[serde(default)]
    pub approved_amount: Option<AmountV4>,
    /// Claimed amount (report currency).
    #[serde(default)]
    pub claimed_amount: Option<AmountV4>,
    /// Approver-adjusted amount (report currency).
    #[serde(default)]
    pub approver_adjusted_amount: Option<AmountV4>,
    /// Transaction → report currency rate.
    #[serde(default)]
    pub exchange_rate: Option<ExchangeRate>,
    /// Expense type.
    #[serde(default)]
    pub expense_type: Option<ExpenseTypeV4>,
    /// Payment type.
    #[serde(default)]
    pub payment_type: Option<PaymentTypeV4>,
    /// Vendor (merchant), `None` when not entered.
    #[serde(default)]
    pub vendor: Option<VendorV4>,
    /// Location.
    #[serde(default)]
    pub location: Option<LocationV4>,
    /// Business purpose.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub business_purpose: Option<String>,
    /// Personal (non-reimbursable) expense.
    #[serde(default, deserialize_with = "de_opt_bool")]
    pub is_personal_expense: Option<bool>,
    /// `FULLY_ALLOCATED`, `NOT_ALLOCATED` or `PARTIALLY_ALLOCATED`.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub allocation_state: Option<String>,
    /// Number of attendees.
    #[serde(default, deserialize_with = "de_opt_i64")]
    pub attendee_count: Option<i64>,
    /// Receipt image id (Image v1 `receipt/{id}`), `None` when no image.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub receipt_image_id: Option<String>,
    /// E-receipt image id.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub ereceipt_image_id: Option<String>,
    /// Parent expense id (set on itemizations).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub parent_expense_id: Option<String>,
    /// Custom fields (detail view only).
    #[serde(default, deserialize_with = "vec_or_null")]
    pub custom_data: Vec<CustomDataV4>,
    /// Links (`itemizations` is present when the expense is itemized).
    #[serde(default, deserialize_with = "vec_or_null")]
    pub links: Vec<LinkV4>,
}

impl ExpenseV4 {
    /// The URL of the `rel` link, if any (e.g. `"itemizations"`).
    pub fn link(&self, rel: &str) -> Option<&str> {
        self.links
            .iter()
            .find(|l| l.rel == rel)
            .map(|l| l.href.as_str())
    }

    /// The transaction amount converted with the exchange rate (unrounded), when both exist.
    pub fn converted_amount(&self) -> Option<Decimal> {
        let amt = self.transaction_amount.as_ref()?;
        self.exchange_rate.as_ref()?.apply(amt.value)
    }
}

/// `201` response of `POST .../reports`: `{uri}` of the new report.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct CreatedUriV4 {
    /// URL of the created resource.
    pub uri: String,
}

/// Expense Reports v4 error body `{timestamp, httpStatus, errorMessage, errorId, validationErrors, path}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ExpenseV4ErrorBody {
    /// When (UTC).
    #[serde(default, deserialize_with = "utc_datetime_opt")]
    pub timestamp: Option<DateTime<Utc>>,
    /// `400 - Bad Request`.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub http_status: Option<String>,
    /// Message.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub error_message: Option<String>,
    /// Error id.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub error_id: Option<String>,
    /// Request path.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub path: Option<String>,
}
