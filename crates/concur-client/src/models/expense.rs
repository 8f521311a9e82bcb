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
//!
//! Every model is decoded from the literal JSON (by the crate's `exact_model!` macro): amounts
//! never pass through `f64`, so `123.4500`, `0E-8` or `12345678901234.5678` arrive exactly.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::common::{
    CustomField, custom_fields, de_id, de_opt_bool, de_opt_datetime, de_opt_i64, de_opt_string,
};
use super::exact::exact_model;
use super::serde_helpers_ext::decimal_opt;

exact_model! {
    /// An expense report (`GET /api/v3.0/expense/reports[/{id}]`).
    /// Amounts are in `currency_code`.
    #[derive(Clone, Debug, Default, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct Report {
        /// The report id (20-character hex, e.g. `F4F027007E814C1CA70E`).
        #[serde(rename = "ID")]
        pub id: String => de_id,
        /// The report URI.
        #[serde(rename = "URI")]
        pub uri: Option<String> => de_opt_string,
        /// Report name.
        #[serde(rename = "Name")]
        pub name: Option<String> => de_opt_string,
        /// Business purpose (≤500 characters), when the API returns it.
        #[serde(rename = "Purpose")]
        pub purpose: Option<String> => de_opt_string,
        /// Report total, in `currency_code`.
        #[serde(rename = "Total")]
        pub total: Option<Decimal> => decimal_opt,
        /// ISO 4217 currency of the report amounts.
        #[serde(rename = "CurrencyCode")]
        pub currency_code: Option<String> => de_opt_string,
        /// ISO 3166-1 alpha-2 country of the report.
        #[serde(rename = "Country")]
        pub country: Option<String> => de_opt_string,
        /// ISO 3166-2 subdivision (e.g. `CA-BC`).
        #[serde(rename = "CountrySubdivision")]
        pub country_subdivision: Option<String> => de_opt_string,
        /// When the report was created (Concur time, no zone).
        #[serde(rename = "CreateDate")]
        pub create_date: Option<NaiveDateTime> => de_opt_datetime,
        /// When the report was submitted.
        #[serde(rename = "SubmitDate")]
        pub submit_date: Option<NaiveDateTime> => de_opt_datetime,
        /// When payment processing started.
        #[serde(rename = "ProcessingPaymentDate")]
        pub processing_payment_date: Option<NaiveDateTime> => de_opt_datetime,
        /// When the report was paid.
        #[serde(rename = "PaidDate")]
        pub paid_date: Option<NaiveDateTime> => de_opt_datetime,
        /// The report date the user entered (date only, `T00:00:00`).
        #[serde(rename = "UserDefinedDate")]
        pub user_defined_date: Option<NaiveDateTime> => de_opt_datetime,
        /// Last modification (Concur time, no zone).
        #[serde(rename = "LastModifiedDate")]
        pub last_modified_date: Option<NaiveDateTime> => de_opt_datetime,
        /// Whether receipts were received.
        #[serde(rename = "ReceiptsReceived")]
        pub receipts_received: Option<bool> => de_opt_bool,
        /// The last comment.
        #[serde(rename = "LastComment")]
        pub last_comment: Option<String> => de_opt_string,
        /// Owner login id (e-mail-like, may contain `+`).
        #[serde(rename = "OwnerLoginID")]
        pub owner_login_id: Option<String> => de_opt_string,
        /// Owner display name.
        #[serde(rename = "OwnerName")]
        pub owner_name: Option<String> => de_opt_string,
        /// Current approver login id.
        #[serde(rename = "ApproverLoginID")]
        pub approver_login_id: Option<String> => de_opt_string,
        /// Current approver name.
        #[serde(rename = "ApproverName")]
        pub approver_name: Option<String> => de_opt_string,
        /// Approval status, localized (e.g. `Approved`).
        #[serde(rename = "ApprovalStatusName")]
        pub approval_status_name: Option<String> => de_opt_string,
        /// Approval status code (`A_APPR`, `A_PEND`, `A_NOTF`...).
        #[serde(rename = "ApprovalStatusCode")]
        pub approval_status_code: Option<String> => de_opt_string,
        /// Payment status, localized.
        #[serde(rename = "PaymentStatusName")]
        pub payment_status_name: Option<String> => de_opt_string,
        /// Payment status code (`P_PAID`, `P_NOTP`...).
        #[serde(rename = "PaymentStatusCode")]
        pub payment_status_code: Option<String> => de_opt_string,
        /// Personal (non-reimbursable) amount, in `currency_code`.
        #[serde(rename = "PersonalAmount")]
        pub personal_amount: Option<Decimal> => decimal_opt,
        /// Amount due to the employee, in `currency_code`.
        #[serde(rename = "AmountDueEmployee")]
        pub amount_due_employee: Option<Decimal> => decimal_opt,
        /// Amount due to the company card, in `currency_code`.
        #[serde(rename = "AmountDueCompanyCard")]
        pub amount_due_company_card: Option<Decimal> => decimal_opt,
        /// Total claimed, in `currency_code`.
        #[serde(rename = "TotalClaimedAmount")]
        pub total_claimed_amount: Option<Decimal> => decimal_opt,
        /// Total approved, in `currency_code`.
        #[serde(rename = "TotalApprovedAmount")]
        pub total_approved_amount: Option<Decimal> => decimal_opt,
        /// Ledger name.
        #[serde(rename = "LedgerName")]
        pub ledger_name: Option<String> => de_opt_string,
        /// Expense policy id.
        #[serde(rename = "PolicyID")]
        pub policy_id: Option<String> => de_opt_string,
        /// Whether the report was ever sent back.
        #[serde(rename = "EverSentBack")]
        pub ever_sent_back: Option<bool> => de_opt_bool,
        /// Whether the report has exceptions.
        #[serde(rename = "HasException")]
        pub has_exception: Option<bool> => de_opt_bool,
        /// Workflow action URL.
        #[serde(rename = "WorkflowActionUrl")]
        pub workflow_action_url: Option<String> => de_opt_string,
    }
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
exact_model! {
    /// An expense entry (`GET /api/v3.0/expense/entries[/{id}]`).
    /// `transaction_amount` is in `transaction_currency_code`; posted and approved amounts are in the
    /// report currency.
    #[derive(Clone, Debug, Default, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct Entry {
        /// The entry id (opaque; may contain `$`).
        #[serde(rename = "ID")]
        pub id: String => de_id,
        /// The entry URI.
        #[serde(rename = "URI")]
        pub uri: Option<String> => de_opt_string,
        /// The parent report id.
        #[serde(rename = "ReportID")]
        pub report_id: Option<String> => de_opt_string,
        /// Login id of the report owner.
        #[serde(rename = "ReportOwnerID")]
        pub report_owner_id: Option<String> => de_opt_string,
        /// 32-character hex id usable with Expense v4.
        #[serde(rename = "ExpenseID")]
        pub expense_id: Option<String> => de_opt_string,
        /// Expense type code (e.g. `GASXX`).
        #[serde(rename = "ExpenseTypeCode")]
        pub expense_type_code: Option<String> => de_opt_string,
        /// Expense type name (e.g. `Fuel`).
        #[serde(rename = "ExpenseTypeName")]
        pub expense_type_name: Option<String> => de_opt_string,
        /// Spend category code.
        #[serde(rename = "SpendCategoryCode")]
        pub spend_category_code: Option<String> => de_opt_string,
        /// Spend category name.
        #[serde(rename = "SpendCategoryName")]
        pub spend_category_name: Option<String> => de_opt_string,
        /// Payment type id.
        #[serde(rename = "PaymentTypeID")]
        pub payment_type_id: Option<String> => de_opt_string,
        /// Payment type name (e.g. `Cash`, `Company Card`).
        #[serde(rename = "PaymentTypeName")]
        pub payment_type_name: Option<String> => de_opt_string,
        /// Transaction date (date only, `T00:00:00`).
        #[serde(rename = "TransactionDate")]
        pub transaction_date: Option<NaiveDateTime> => de_opt_datetime,
        /// ISO 4217 currency of `transaction_amount`.
        #[serde(rename = "TransactionCurrencyCode")]
        pub transaction_currency_code: Option<String> => de_opt_string,
        /// Amount in `transaction_currency_code`.
        #[serde(rename = "TransactionAmount")]
        pub transaction_amount: Option<Decimal> => decimal_opt,
        /// Rate from the transaction currency to the report currency.
        #[serde(rename = "ExchangeRate")]
        pub exchange_rate: Option<Decimal> => decimal_opt,
        /// Amount in the report currency.
        #[serde(rename = "PostedAmount")]
        pub posted_amount: Option<Decimal> => decimal_opt,
        /// Approved amount in the report currency.
        #[serde(rename = "ApprovedAmount")]
        pub approved_amount: Option<Decimal> => decimal_opt,
        /// Free-text vendor (≤64 characters).
        #[serde(rename = "VendorDescription")]
        pub vendor_description: Option<String> => de_opt_string,
        /// Vendor list item id.
        #[serde(rename = "VendorListItemID")]
        pub vendor_list_item_id: Option<String> => de_opt_string,
        /// Vendor list item name.
        #[serde(rename = "VendorListItemName")]
        pub vendor_list_item_name: Option<String> => de_opt_string,
        /// Location id.
        #[serde(rename = "LocationID")]
        pub location_id: Option<String> => de_opt_string,
        /// Location name.
        #[serde(rename = "LocationName")]
        pub location_name: Option<String> => de_opt_string,
        /// Location subdivision.
        #[serde(rename = "LocationSubdivision")]
        pub location_subdivision: Option<String> => de_opt_string,
        /// Location country (ISO 3166-1 alpha-2).
        #[serde(rename = "LocationCountry")]
        pub location_country: Option<String> => de_opt_string,
        /// Description (≤64); Concur labels it "Business Purpose" in most configurations.
        #[serde(rename = "Description")]
        pub description: Option<String> => de_opt_string,
        /// Comment (always empty on GET).
        #[serde(rename = "Comment")]
        pub comment: Option<String> => de_opt_string,
        /// Whether the expense is personal (not reimbursed).
        #[serde(rename = "IsPersonal")]
        pub is_personal: Option<bool> => de_opt_bool,
        /// Whether the expense is billable.
        #[serde(rename = "IsBillable")]
        pub is_billable: Option<bool> => de_opt_bool,
        /// Whether it is a personal card charge.
        #[serde(rename = "IsPersonalCardCharge")]
        pub is_personal_card_charge: Option<bool> => de_opt_bool,
        /// Whether a receipt image is attached.
        #[serde(rename = "HasImage")]
        pub has_image: Option<bool> => de_opt_bool,
        /// Whether a receipt image is required.
        #[serde(rename = "IsImageRequired")]
        pub is_image_required: Option<bool> => de_opt_bool,
        /// Whether the receipt was received.
        #[serde(rename = "ReceiptReceived")]
        pub receipt_received: Option<bool> => de_opt_bool,
        /// Tax receipt type (`T`, `R`, `N`).
        #[serde(rename = "TaxReceiptType")]
        pub tax_receipt_type: Option<String> => de_opt_string,
        /// E-receipt id.
        #[serde(rename = "ElectronicReceiptID")]
        pub electronic_receipt_id: Option<String> => de_opt_string,
        /// Company card transaction id.
        #[serde(rename = "CompanyCardTransactionID")]
        pub company_card_transaction_id: Option<String> => de_opt_string,
        /// Trip id.
        #[serde(rename = "TripID")]
        pub trip_id: Option<String> => de_opt_string,
        /// Whether the entry is itemized.
        #[serde(rename = "HasItemizations")]
        pub has_itemizations: Option<bool> => de_opt_bool,
        /// Allocation type (`P`, `F`, `N`).
        #[serde(rename = "AllocationType")]
        pub allocation_type: Option<String> => de_opt_string,
        /// Whether attendees are attached.
        #[serde(rename = "HasAttendees")]
        pub has_attendees: Option<bool> => de_opt_bool,
        /// Whether VAT data exists.
        #[serde(rename = "HasVAT")]
        pub has_vat: Option<bool> => de_opt_bool,
        /// Whether a cash advance was applied.
        #[serde(rename = "HasAppliedCashAdvance")]
        pub has_applied_cash_advance: Option<bool> => de_opt_bool,
        /// Whether comments exist.
        #[serde(rename = "HasComments")]
        pub has_comments: Option<bool> => de_opt_bool,
        /// Whether exceptions exist.
        #[serde(rename = "HasExceptions")]
        pub has_exceptions: Option<bool> => de_opt_bool,
        /// Whether Expense Pay pays it.
        #[serde(rename = "IsPaidByExpensePay")]
        pub is_paid_by_expense_pay: Option<bool> => de_opt_bool,
        /// Employee bank account id.
        #[serde(rename = "EmployeeBankAccountID")]
        pub employee_bank_account_id: Option<String> => de_opt_string,
        /// Mileage details, for car mileage expense types.
        #[serde(rename = "Journey")]
        pub journey: Option<Journey> => Deserialize::deserialize,
        /// Last modification (Concur time, no zone).
        #[serde(rename = "LastModified")]
        pub last_modified: Option<NaiveDateTime> => de_opt_datetime,
        /// Form id.
        #[serde(rename = "FormID")]
        pub form_id: Option<String> => de_opt_string,
    }
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
exact_model! {
    /// An itemization of an entry (`GET /api/v3.0/expense/itemizations[/{id}]`).
    #[derive(Clone, Debug, Default, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct Itemization {
        /// The itemization id.
        #[serde(rename = "ID")]
        pub id: String => de_id,
        /// The itemization URI.
        #[serde(rename = "URI")]
        pub uri: Option<String> => de_opt_string,
        /// The parent entry id.
        #[serde(rename = "EntryID")]
        pub entry_id: Option<String> => de_opt_string,
        /// The report id.
        #[serde(rename = "ReportID")]
        pub report_id: Option<String> => de_opt_string,
        /// Login id of the report owner.
        #[serde(rename = "ReportOwnerID")]
        pub report_owner_id: Option<String> => de_opt_string,
        /// Expense type code.
        #[serde(rename = "ExpenseTypeCode")]
        pub expense_type_code: Option<String> => de_opt_string,
        /// Expense type name.
        #[serde(rename = "ExpenseTypeName")]
        pub expense_type_name: Option<String> => de_opt_string,
        /// Spend category code.
        #[serde(rename = "SpendCategoryCode")]
        pub spend_category_code: Option<String> => de_opt_string,
        /// Spend category name.
        #[serde(rename = "SpendCategoryName")]
        pub spend_category_name: Option<String> => de_opt_string,
        /// Transaction date (date only, `T00:00:00`).
        #[serde(rename = "TransactionDate")]
        pub transaction_date: Option<NaiveDateTime> => de_opt_datetime,
        /// Amount in the parent entry's transaction currency.
        #[serde(rename = "TransactionAmount")]
        pub transaction_amount: Option<Decimal> => decimal_opt,
        /// Amount in the report currency.
        #[serde(rename = "PostedAmount")]
        pub posted_amount: Option<Decimal> => decimal_opt,
        /// Approved amount in the report currency.
        #[serde(rename = "ApprovedAmount")]
        pub approved_amount: Option<Decimal> => decimal_opt,
        /// Description.
        #[serde(rename = "Description")]
        pub description: Option<String> => de_opt_string,
        /// Allocation type (`P`, `F`, `N`).
        #[serde(rename = "AllocationType")]
        pub allocation_type: Option<String> => de_opt_string,
        /// Whether it is personal.
        #[serde(rename = "IsPersonal")]
        pub is_personal: Option<bool> => de_opt_bool,
        /// Whether it is billable.
        #[serde(rename = "IsBillable")]
        pub is_billable: Option<bool> => de_opt_bool,
        /// Whether an image is required.
        #[serde(rename = "IsImageRequired")]
        pub is_image_required: Option<bool> => de_opt_bool,
        /// Whether comments exist.
        #[serde(rename = "HasComments")]
        pub has_comments: Option<bool> => de_opt_bool,
        /// Whether exceptions exist.
        #[serde(rename = "HasExceptions")]
        pub has_exceptions: Option<bool> => de_opt_bool,
        /// Location id.
        #[serde(rename = "LocationID")]
        pub location_id: Option<String> => de_opt_string,
        /// Location name.
        #[serde(rename = "LocationName")]
        pub location_name: Option<String> => de_opt_string,
        /// Location subdivision.
        #[serde(rename = "LocationSubdivision")]
        pub location_subdivision: Option<String> => de_opt_string,
        /// Location country.
        #[serde(rename = "LocationCountry")]
        pub location_country: Option<String> => de_opt_string,
        /// Last modification (Concur time, no zone).
        #[serde(rename = "LastModified")]
        pub last_modified: Option<NaiveDateTime> => de_opt_datetime,
    }
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
exact_model! {
    /// A cost allocation (`GET /api/v3.0/expense/allocations[/{id}]`; read-only).
    /// Custom fields carry `Label` and `Sequence`.
    #[derive(Clone, Debug, Default, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct Allocation {
        /// The allocation id.
        #[serde(rename = "ID")]
        pub id: String => de_id,
        /// The allocation URI.
        #[serde(rename = "URI")]
        pub uri: Option<String> => de_opt_string,
        /// The entry id.
        #[serde(rename = "EntryID")]
        pub entry_id: Option<String> => de_opt_string,
        /// Share of the entry, in percent (sent as a string, e.g. `"100.00000000"`).
        #[serde(rename = "Percentage")]
        pub percentage: Option<Decimal> => decimal_opt,
        /// Whether the percentage was edited.
        #[serde(rename = "IsPercentEdited")]
        pub is_percent_edited: Option<bool> => de_opt_bool,
        /// Whether the allocation is hidden (a default 100% allocation).
        #[serde(rename = "IsHidden")]
        pub is_hidden: Option<bool> => de_opt_bool,
        /// Primary account code (the doc table wrongly says `AccountNumber`).
        #[serde(rename = "AccountCode1")]
        pub account_code1: Option<String> => de_opt_string,
        /// Secondary account code.
        #[serde(rename = "AccountCode2")]
        pub account_code2: Option<String> => de_opt_string,
    }
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
exact_model! {
    /// Mileage details of an entry (`Journey`).
    #[derive(Clone, Debug, Default, PartialEq, Serialize)]
    #[non_exhaustive]
    pub struct Journey {
        /// Start location (≤100).
        #[serde(rename = "StartLocation")]
        pub start_location: Option<String> => de_opt_string,
        /// End location (≤100).
        #[serde(rename = "EndLocation")]
        pub end_location: Option<String> => de_opt_string,
        /// `M` (miles) or `K` (kilometres).
        #[serde(rename = "UnitOfMeasure")]
        pub unit_of_measure: Option<String> => de_opt_string,
        /// Business distance, in `unit_of_measure`.
        #[serde(rename = "BusinessDistance")]
        pub business_distance: Option<i64> => de_opt_i64,
        /// Personal distance, in `unit_of_measure`.
        #[serde(rename = "PersonalDistance")]
        pub personal_distance: Option<i64> => de_opt_i64,
        /// Odometer at start.
        #[serde(rename = "OdometerStart")]
        pub odometer_start: Option<i64> => de_opt_i64,
        /// Odometer at end.
        #[serde(rename = "OdometerEnd")]
        pub odometer_end: Option<i64> => de_opt_i64,
        /// Passengers.
        #[serde(rename = "NumberOfPassengers")]
        pub number_of_passengers: Option<i64> => de_opt_i64,
        /// Vehicle id.
        #[serde(rename = "VehicleID")]
        pub vehicle_id: Option<String> => de_opt_string,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::str::FromStr;

    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    /// Decodes like the client does (serde_path_to_error over the streaming deserializer).
    fn decode<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, (String, String)> {
        let mut de = serde_json::Deserializer::from_str(json);
        serde_path_to_error::deserialize(&mut de)
            .map_err(|e| (e.path().to_string(), e.inner().to_string()))
    }

    const ENTRY: &str = r#"{"ID":"gWidFO7ikXV66iSvqtG6Yd0wZ$s4ftzvzTCg","ReportID":"F4F027007E814C1CA70E",
        "TransactionCurrencyCode":"USD","TransactionAmount":123.4500,"PostedAmount":0.1,
        "ApprovedAmount":12345678901234.5678,"ExchangeRate":0E-8,
        "Custom1":{"Type":"List","Value":"Engineering","Code":"ENG","ListItemID":"gW1"},
        "Journey":{"UnitOfMeasure":"K","BusinessDistance":42,"Custom9":"x"},
        "NotYetNamed":true}"#;

    #[test]
    fn entry_amounts_are_exact() {
        let e: Entry = decode(ENTRY).unwrap();
        assert_eq!(e.transaction_amount, Some(dec("123.4500")));
        assert_eq!(e.transaction_amount.unwrap().to_string(), "123.4500");
        assert_eq!(e.posted_amount, Some(dec("0.1")));
        // 18 significant digits: through f64 this would be 12345678901234.568.
        assert_eq!(
            e.approved_amount.unwrap().to_string(),
            "12345678901234.5678"
        );
        let zero = e.exchange_rate.unwrap();
        assert_eq!((zero, zero.scale()), (Decimal::ZERO, 8));
        assert_eq!(e.custom_fields()[0].1.code.as_deref(), Some("ENG"));
        assert_eq!(e.extra.get("NotYetNamed"), Some(&serde_json::json!(true)));
        assert!(!e.extra.contains_key("TransactionAmount"));
        let j = e.journey.unwrap();
        assert_eq!(
            (j.unit_of_measure.as_deref(), j.business_distance),
            (Some("K"), Some(42))
        );
        assert_eq!(j.extra.get("Custom9"), Some(&serde_json::json!("x")));
    }

    #[test]
    fn every_model_keeps_amounts_exact() {
        let r: Report = decode(
            r#"{"ID":"R1","Total":12345678901234.5678,"TotalClaimedAmount":"0E-8","OrgUnit1":{"Value":"EMEA"}}"#,
        )
        .unwrap();
        assert_eq!(r.total.unwrap().to_string(), "12345678901234.5678");
        assert_eq!(r.total_claimed_amount.unwrap().scale(), 8);
        assert_eq!(r.org_units()[0].1.value.as_deref(), Some("EMEA"));
        let i: Itemization = decode(
            r#"{"ID":"I1","TransactionAmount":9007199254740993.01,"Custom2":{"Value":"v"}}"#,
        )
        .unwrap();
        assert_eq!(
            i.transaction_amount.unwrap().to_string(),
            "9007199254740993.01"
        );
        assert_eq!(i.custom_fields()[0].0, 2);
        let a: Allocation = decode(r#"{"ID":"A1","Percentage":33.33333333}"#).unwrap();
        assert_eq!(a.percentage.unwrap().to_string(), "33.33333333");
        // Through a serde_json::Value (the values equal, the number went through f64 there).
        let v: serde_json::Value =
            serde_json::from_str(r#"{"ID":"A2","Percentage":"50"}"#).unwrap();
        let a: Allocation = serde_json::from_value(v).unwrap();
        assert_eq!(a.percentage, Some(dec("50")));
    }

    #[test]
    fn errors_name_the_field() {
        let (path, msg) = decode::<Entry>(r#"{"ID":"E1","TransactionAmount":"ten"}"#).unwrap_err();
        assert_eq!(path, "TransactionAmount");
        assert!(msg.contains("ten"), "{msg}");
        let (path, _) =
            decode::<Entry>(r#"{"ID":"E1","Journey":{"OdometerStart":"far"}}"#).unwrap_err();
        assert_eq!(path, "Journey.OdometerStart");
        let (path, msg) = decode::<Entry>(r#"{"URI":null}"#).unwrap_err();
        assert_eq!(path, ".");
        assert!(msg.starts_with("missing field `ID`"), "{msg}");
        let (_, msg) = decode::<Report>(r#"{"ID":"R","Total":1,"Total":2}"#).unwrap_err();
        assert!(msg.contains("duplicate field `Total`"), "{msg}");
        let (_, msg) = decode::<Allocation>("[1]").unwrap_err();
        assert!(msg.contains("Allocation"), "{msg}");
    }

    /// The known-field list, the serialized names and the decoded names agree.
    #[test]
    fn known_fields_match_serde_names() {
        fn names<T: Serialize>(t: &T) -> BTreeSet<String> {
            match serde_json::to_value(t).unwrap() {
                serde_json::Value::Object(m) => m.keys().cloned().collect(),
                other => panic!("{other}"),
            }
        }
        fn known(list: &[&str]) -> BTreeSet<String> {
            list.iter().map(|s| (*s).to_owned()).collect()
        }
        assert_eq!(names(&Report::default()), known(Report::KNOWN_FIELDS));
        assert_eq!(names(&Entry::default()), known(Entry::KNOWN_FIELDS));
        assert_eq!(
            names(&Itemization::default()),
            known(Itemization::KNOWN_FIELDS)
        );
        assert_eq!(
            names(&Allocation::default()),
            known(Allocation::KNOWN_FIELDS)
        );
        assert_eq!(names(&Journey::default()), known(Journey::KNOWN_FIELDS));
        assert!(Entry::KNOWN_FIELDS.contains(&"TransactionAmount"));
        // Round trip: serialized output decodes to the same value.
        let e: Entry = decode(ENTRY).unwrap();
        let back: Entry = decode(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(back, e);
    }
}
