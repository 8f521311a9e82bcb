//! Concur-shaped records served by the simulator (Expense v3 field names, PascalCase).
//!
//! The shapes follow the official samples (`expense-v3-reports-list.json`,
//! `expense-v3-entries-get.json`, `expense-v3-itemizations-list.json`,
//! `expense-v3-allocations-list.json`) and the pages
//! <https://developer.concur.com/api-reference/expense/expense-report/v3.reports.html>,
//! `expense-entry.html`, `expense-itemization.html` and `allocations/expense-allocations.html`.
//!
//! Amounts are [`Decimal`] in memory and JSON numbers on the wire (an integral amount is written
//! without a fraction, like the samples: `1900`, `307.01`). Dates are kept as the exact strings
//! Concur writes (`"2013-09-02T19:05:57.687"`, no offset) so the samples round-trip unchanged.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

const ORG_UNIT_KEYS: [&str; 6] = [
    "OrgUnit1", "OrgUnit2", "OrgUnit3", "OrgUnit4", "OrgUnit5", "OrgUnit6",
];
const CUSTOM_KEYS: [&str; 40] = [
    "Custom1", "Custom2", "Custom3", "Custom4", "Custom5", "Custom6", "Custom7", "Custom8",
    "Custom9", "Custom10", "Custom11", "Custom12", "Custom13", "Custom14", "Custom15", "Custom16",
    "Custom17", "Custom18", "Custom19", "Custom20", "Custom21", "Custom22", "Custom23", "Custom24",
    "Custom25", "Custom26", "Custom27", "Custom28", "Custom29", "Custom30", "Custom31", "Custom32",
    "Custom33", "Custom34", "Custom35", "Custom36", "Custom37", "Custom38", "Custom39", "Custom40",
];

/// `OrgUnit1..6` and `Custom1..N` fields (Concur CustomField objects `{Type, Value, Code,
/// ListItemID}` or `null`), plus any other field a sample carries that the typed record does not
/// model (kept so that sample values round-trip).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CustomFields {
    /// How many `CustomN` keys to write (20 on reports and allocations, 40 on entries and
    /// itemizations); `OrgUnit1..6` are always written when `custom_count > 0`.
    pub custom_count: u8,
    /// Non-null values by key (`"OrgUnit1"`, `"Custom3"`, or an unmodelled field name).
    pub values: BTreeMap<String, Value>,
}

impl CustomFields {
    /// Empty custom fields: `OrgUnit1..6` and `Custom1..count` all `null`.
    pub fn nulls(custom_count: u8) -> Self {
        Self {
            custom_count,
            values: BTreeMap::new(),
        }
    }
}

impl Serialize for CustomFields {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if self.custom_count > 0 {
            for k in ORG_UNIT_KEYS {
                map.serialize_entry(k, self.values.get(k).unwrap_or(&Value::Null))?;
            }
            for k in CUSTOM_KEYS
                .iter()
                .take(usize::from(self.custom_count).min(40))
            {
                map.serialize_entry(k, self.values.get(*k).unwrap_or(&Value::Null))?;
            }
        }
        for (k, v) in &self.values {
            if !is_custom_key(k) {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

fn is_custom_key(k: &str) -> bool {
    ORG_UNIT_KEYS.contains(&k) || CUSTOM_KEYS.contains(&k)
}

impl<'de> Deserialize<'de> for CustomFields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = BTreeMap::<String, Value>::deserialize(deserializer)?;
        let mut out = CustomFields::default();
        for (k, v) in raw {
            if let Some(n) = k.strip_prefix("Custom").and_then(|n| n.parse::<u8>().ok()) {
                out.custom_count = out.custom_count.max(n);
            }
            if !(is_custom_key(&k) && v.is_null()) {
                out.values.insert(k, v);
            }
        }
        Ok(out)
    }
}

/// Serialize a money amount as a JSON number (integral values without a fraction).
pub fn ser_amount<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    let n = d.normalize();
    if n.scale() == 0
        && let Some(i) = n.to_i64()
    {
        return s.serialize_i64(i);
    }
    match n.to_f64() {
        Some(f) => s.serialize_f64(f),
        None => Err(serde::ser::Error::custom("amount out of range")),
    }
}

/// Deserialize a JSON number or numeric string into a [`Decimal`] (accepts exponents).
pub fn de_amount<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    let v = Value::deserialize(d)?;
    let s = match &v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return Err(D::Error::custom("expected an amount")),
    };
    parse_decimal(&s).ok_or_else(|| D::Error::custom(format!("bad amount {s}")))
}

pub(crate) fn parse_decimal(s: &str) -> Option<Decimal> {
    s.parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_scientific(s).ok())
}

/// An Expense v3 report header (`GET /api/v3.0/expense/reports`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct Report {
    pub name: String,
    #[serde(serialize_with = "ser_amount", deserialize_with = "de_amount")]
    pub total: Decimal,
    pub currency_code: String,
    pub country: Option<String>,
    pub country_subdivision: Option<String>,
    pub create_date: Option<String>,
    pub submit_date: Option<String>,
    pub processing_payment_date: Option<String>,
    pub paid_date: Option<String>,
    pub receipts_received: bool,
    pub user_defined_date: Option<String>,
    pub last_comment: Option<String>,
    #[serde(rename = "OwnerLoginID")]
    pub owner_login_id: String,
    pub owner_name: String,
    #[serde(rename = "ApproverLoginID")]
    pub approver_login_id: Option<String>,
    pub approver_name: Option<String>,
    pub approval_status_name: String,
    pub approval_status_code: String,
    pub payment_status_name: String,
    pub payment_status_code: String,
    pub last_modified_date: String,
    #[serde(serialize_with = "ser_amount", deserialize_with = "de_amount")]
    pub personal_amount: Decimal,
    #[serde(serialize_with = "ser_amount", deserialize_with = "de_amount")]
    pub amount_due_employee: Decimal,
    #[serde(serialize_with = "ser_amount", deserialize_with = "de_amount")]
    pub amount_due_company_card: Decimal,
    #[serde(serialize_with = "ser_amount", deserialize_with = "de_amount")]
    pub total_claimed_amount: Decimal,
    #[serde(serialize_with = "ser_amount", deserialize_with = "de_amount")]
    pub total_approved_amount: Decimal,
    pub ledger_name: Option<String>,
    #[serde(rename = "PolicyID")]
    pub policy_id: Option<String>,
    pub ever_sent_back: bool,
    pub has_exception: bool,
    pub workflow_action_url: Option<String>,
    #[serde(flatten)]
    pub custom: CustomFields,
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "URI")]
    pub uri: String,
}

/// An Expense v3 entry (`GET /api/v3.0/expense/entries`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct Entry {
    #[serde(rename = "ReportID")]
    pub report_id: String,
    #[serde(rename = "ReportOwnerID")]
    pub report_owner_id: String,
    pub expense_type_code: String,
    pub expense_type_name: String,
    pub spend_category_code: Option<String>,
    pub spend_category_name: Option<String>,
    #[serde(rename = "PaymentTypeID")]
    pub payment_type_id: Option<String>,
    pub payment_type_name: Option<String>,
    pub transaction_date: String,
    pub transaction_currency_code: String,
    #[serde(serialize_with = "ser_amount", deserialize_with = "de_amount")]
    pub transaction_amount: Decimal,
    #[serde(serialize_with = "ser_amount", deserialize_with = "de_amount")]
    pub exchange_rate: Decimal,
    #[serde(serialize_with = "ser_amount", deserialize_with = "de_amount")]
    pub posted_amount: Decimal,
    #[serde(serialize_with = "ser_amount", deserialize_with = "de_amount")]
    pub approved_amount: Decimal,
    pub vendor_description: Option<String>,
    #[serde(rename = "VendorListItemID")]
    pub vendor_list_item_id: Option<String>,
    pub vendor_list_item_name: Option<String>,
    #[serde(rename = "LocationID")]
    pub location_id: Option<String>,
    pub location_name: Option<String>,
    pub location_subdivision: Option<String>,
    pub location_country: Option<String>,
    pub description: Option<String>,
    pub is_personal: bool,
    pub is_billable: bool,
    pub is_personal_card_charge: bool,
    pub has_image: bool,
    pub is_image_required: bool,
    pub receipt_received: bool,
    pub tax_receipt_type: Option<String>,
    #[serde(rename = "ElectronicReceiptID")]
    pub electronic_receipt_id: Option<String>,
    #[serde(rename = "CompanyCardTransactionID")]
    pub company_card_transaction_id: Option<String>,
    #[serde(rename = "TripID")]
    pub trip_id: Option<String>,
    pub has_itemizations: bool,
    pub allocation_type: Option<String>,
    pub has_attendees: bool,
    #[serde(rename = "HasVAT")]
    pub has_vat: bool,
    pub has_applied_cash_advance: bool,
    pub has_comments: bool,
    pub has_exceptions: bool,
    pub is_paid_by_expense_pay: bool,
    #[serde(rename = "EmployeeBankAccountID")]
    pub employee_bank_account_id: Option<String>,
    pub journey: Option<Value>,
    pub last_modified: String,
    #[serde(rename = "FormID")]
    pub form_id: Option<String>,
    #[serde(flatten)]
    pub custom: CustomFields,
    /// 32-hex id usable with Expense v4 (absent in the 2016 sample).
    #[serde(rename = "ExpenseID", default, skip_serializing_if = "Option::is_none")]
    pub expense_id: Option<String>,
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "URI")]
    pub uri: String,
}

/// An Expense v3 itemization (`GET /api/v3.0/expense/itemizations`); amounts are in the parent
/// entry's transaction currency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct Itemization {
    #[serde(rename = "EntryID")]
    pub entry_id: String,
    #[serde(rename = "ReportID")]
    pub report_id: String,
    #[serde(rename = "ReportOwnerID")]
    pub report_owner_id: String,
    pub expense_type_code: String,
    pub expense_type_name: String,
    pub spend_category_code: Option<String>,
    pub spend_category_name: Option<String>,
    pub transaction_date: String,
    #[serde(serialize_with = "ser_amount", deserialize_with = "de_amount")]
    pub transaction_amount: Decimal,
    #[serde(serialize_with = "ser_amount", deserialize_with = "de_amount")]
    pub posted_amount: Decimal,
    #[serde(serialize_with = "ser_amount", deserialize_with = "de_amount")]
    pub approved_amount: Decimal,
    #[serde(rename = "LocationID")]
    pub location_id: Option<String>,
    pub location_name: Option<String>,
    pub location_subdivision: Option<String>,
    pub location_country: Option<String>,
    pub description: Option<String>,
    pub is_personal: bool,
    pub is_billable: bool,
    pub is_image_required: bool,
    pub allocation_type: Option<String>,
    pub has_comments: bool,
    pub has_exceptions: bool,
    pub last_modified: String,
    #[serde(flatten)]
    pub custom: CustomFields,
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "URI")]
    pub uri: String,
}

/// An Expense v3 allocation (`GET /api/v3.0/expense/allocations`); `Percentage` is a string with
/// 8 decimals, as in the sample.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct Allocation {
    #[serde(rename = "EntryID")]
    pub entry_id: String,
    pub percentage: String,
    pub is_percent_edited: bool,
    pub is_hidden: bool,
    pub account_code1: Option<String>,
    pub account_code2: Option<String>,
    #[serde(flatten)]
    pub custom: CustomFields,
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "URI")]
    pub uri: String,
}

/// One entry with its children, as generated or loaded.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryBundle {
    /// The entry.
    pub entry: Entry,
    /// Its itemizations (empty unless `HasItemizations`).
    pub itemizations: Vec<Itemization>,
    /// Its allocations (one hidden 100 % allocation for most entries).
    pub allocations: Vec<Allocation>,
    /// Ground truth for the entry.
    pub truth: Truth,
    /// Ground truth per itemization (same order as `itemizations`).
    pub itemization_truth: Vec<Truth>,
}

/// A report with all of its entries.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportBundle {
    /// The header.
    pub report: Report,
    /// Entries in report order.
    pub entries: Vec<EntryBundle>,
}

/// Ground truth label of one spend line (entry, itemization or invoice).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Truth {
    /// The core product id (from `saas-catalog/data/core-products.txt`), or `None`.
    pub product_id: Option<String>,
    /// Whether the line is software spend (true also for software lines without a single
    /// product, e.g. a reseller invoice).
    pub is_software: bool,
    /// A short scenario label (`"subscription"`, `"refund"`, `"near_miss"`, `"travel"`, ...).
    pub scenario: &'static str,
}
