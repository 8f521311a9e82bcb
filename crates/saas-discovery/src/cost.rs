//! Costs: one money movement attributed to a service.

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Confidence, CostId, Evidence, Money, ServiceId};

/// The person who paid or expensed something.
///
/// JSON: `{"login_id":"ada.testperson@example.com","name":"Ada Testperson","email":"ada.testperson@example.com","department":"Engineering"}`
/// (`null` for unknown optional fields).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Owner {
    /// The source's login id for the person (Concur: the report owner's `LoginID` / user
    /// name), exactly as sent. The key used to group spend per owner.
    pub login_id: String,
    /// Display name, if the source provides it.
    pub name: Option<String>,
    /// E-mail address, if the source provides it.
    pub email: Option<String>,
    /// Department / cost centre, if the source provides it.
    pub department: Option<String>,
}

impl Owner {
    /// An owner known only by login id.
    pub fn new(login_id: impl Into<String>) -> Self {
        Self {
            login_id: login_id.into(),
            name: None,
            email: None,
            department: None,
        }
    }

    /// Sets the display name.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the e-mail address.
    #[must_use]
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets the department.
    #[must_use]
    pub fn with_department(mut self, department: impl Into<String>) -> Self {
        self.department = Some(department.into());
        self
    }
}

/// Which kind of source record a cost comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CostSourceKind {
    /// An expense entry (Concur Expense Report v3/v4 entry) without itemizations.
    ExpenseEntry,
    /// One itemization of an itemized expense entry.
    Itemization,
    /// An invoice / payment request (Concur Invoice).
    Invoice,
    /// A corporate card transaction not (yet) on an expense report.
    CardTransaction,
}

impl CostSourceKind {
    /// The snake_case name used in JSON and in [`CostId::derive`].
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::ExpenseEntry => "expense_entry",
            Self::Itemization => "itemization",
            Self::Invoice => "invoice",
            Self::CardTransaction => "card_transaction",
        }
    }
}

impl fmt::Display for CostSourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reference to one source record, with ids exactly as the source sent them.
///
/// JSON: `{"system":"concur","kind":"expense_entry","report_id":"…","entry_id":"…","itemization_id":null,"invoice_id":null,"card_transaction_id":null}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SourceRef {
    /// The source system, e.g. `"concur"`.
    pub system: String,
    /// The record kind.
    pub kind: CostSourceKind,
    /// Expense report id (Concur `ReportID`), as sent.
    pub report_id: Option<String>,
    /// Expense entry id (Concur `EntryID` / v4 `expenseId`), as sent.
    pub entry_id: Option<String>,
    /// Itemization id (Concur `ItemizationID`), as sent.
    pub itemization_id: Option<String>,
    /// Invoice / payment request id (Concur Invoice `ID`), as sent.
    pub invoice_id: Option<String>,
    /// Card transaction id, as sent.
    pub card_transaction_id: Option<String>,
}

impl SourceRef {
    /// A reference of `kind` in `system` with all ids unset.
    pub fn new(system: impl Into<String>, kind: CostSourceKind) -> Self {
        Self {
            system: system.into(),
            kind,
            report_id: None,
            entry_id: None,
            itemization_id: None,
            invoice_id: None,
            card_transaction_id: None,
        }
    }

    /// Sets the report id.
    #[must_use]
    pub fn with_report_id(mut self, id: impl Into<String>) -> Self {
        self.report_id = Some(id.into());
        self
    }

    /// Sets the entry id.
    #[must_use]
    pub fn with_entry_id(mut self, id: impl Into<String>) -> Self {
        self.entry_id = Some(id.into());
        self
    }

    /// Sets the itemization id.
    #[must_use]
    pub fn with_itemization_id(mut self, id: impl Into<String>) -> Self {
        self.itemization_id = Some(id.into());
        self
    }

    /// Sets the invoice id.
    #[must_use]
    pub fn with_invoice_id(mut self, id: impl Into<String>) -> Self {
        self.invoice_id = Some(id.into());
        self
    }

    /// Sets the card transaction id.
    #[must_use]
    pub fn with_card_transaction_id(mut self, id: impl Into<String>) -> Self {
        self.card_transaction_id = Some(id.into());
        self
    }

    /// The id of the record itself for its kind (entry id for `expense_entry`, itemization id
    /// for `itemization`, …), i.e. the `record_id` to pass to [`CostId::derive`].
    pub fn record_id(&self) -> Option<&str> {
        match self.kind {
            CostSourceKind::ExpenseEntry => self.entry_id.as_deref(),
            CostSourceKind::Itemization => self.itemization_id.as_deref(),
            CostSourceKind::Invoice => self.invoice_id.as_deref(),
            CostSourceKind::CardTransaction => self.card_transaction_id.as_deref(),
        }
    }
}

/// Where a cost comes from: a [`SourceRef`]'s fields plus `also_seen_in`, the other records
/// that describe the same money movement (cross-source de-duplication, e.g. a card transaction
/// that later appears as an expense entry).
///
/// JSON: the fields of [`SourceRef`] plus `"also_seen_in": [SourceRef, …]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CostSource {
    /// The source system, e.g. `"concur"`.
    pub system: String,
    /// The record kind.
    pub kind: CostSourceKind,
    /// Expense report id (Concur `ReportID`), as sent.
    pub report_id: Option<String>,
    /// Expense entry id, as sent.
    pub entry_id: Option<String>,
    /// Itemization id, as sent.
    pub itemization_id: Option<String>,
    /// Invoice id, as sent.
    pub invoice_id: Option<String>,
    /// Card transaction id, as sent.
    pub card_transaction_id: Option<String>,
    /// Other records describing the same money movement.
    #[serde(default)]
    pub also_seen_in: Vec<SourceRef>,
}

impl CostSource {
    /// A source built from a reference (no `also_seen_in`).
    pub fn new(reference: SourceRef) -> Self {
        Self {
            system: reference.system,
            kind: reference.kind,
            report_id: reference.report_id,
            entry_id: reference.entry_id,
            itemization_id: reference.itemization_id,
            invoice_id: reference.invoice_id,
            card_transaction_id: reference.card_transaction_id,
            also_seen_in: Vec::new(),
        }
    }

    /// Adds a record that describes the same money movement.
    #[must_use]
    pub fn with_also_seen_in(mut self, other: SourceRef) -> Self {
        self.also_seen_in.push(other);
        self
    }

    /// This source as a plain reference (without `also_seen_in`).
    pub fn reference(&self) -> SourceRef {
        SourceRef {
            system: self.system.clone(),
            kind: self.kind,
            report_id: self.report_id.clone(),
            entry_id: self.entry_id.clone(),
            itemization_id: self.itemization_id.clone(),
            invoice_id: self.invoice_id.clone(),
            card_transaction_id: self.card_transaction_id.clone(),
        }
    }
}

impl From<SourceRef> for CostSource {
    fn from(r: SourceRef) -> Self {
        Self::new(r)
    }
}

/// One money movement attributed to a [`Service`](crate::Service).
///
/// Build with [`Cost::new`] and the `with_*` setters (the struct is `#[non_exhaustive]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cost {
    /// Stable id, see [`CostId::derive`].
    pub id: CostId,
    /// The service this cost is attributed to; in a [`Document`](crate::Document) always one
    /// of `services[].id`.
    pub service_id: ServiceId,
    /// The source's transaction date (`YYYY-MM-DD`), taken as a calendar date with no
    /// time-zone shift (Concur `TransactionDate`).
    pub date: NaiveDate,
    /// Amount in the transaction currency (Concur `TransactionAmount` +
    /// `TransactionCurrencyCode`).
    pub amount: Money,
    /// Amount in the reimbursement / posting currency (Concur `PostedAmount` +
    /// report `CurrencyCode`), when known.
    pub posted_amount: Option<Money>,
    /// Exchange rate transaction → posted currency as sent (Concur `ExchangeRate`), serialized
    /// as a decimal string.
    #[serde(with = "crate::money::opt_decimal", default)]
    pub exchange_rate: Option<Decimal>,
    /// Who paid or expensed it.
    pub owner: Owner,
    /// The vendor text exactly as given (Concur `VendorDescription`, card merchant name).
    pub vendor_descriptor: Option<String>,
    /// Description / business purpose as given.
    pub description: Option<String>,
    /// Where it comes from.
    pub source: CostSource,
    /// Approval / workflow status as given (Concur `ApprovalStatusName`), if any.
    pub report_status: Option<String>,
    /// Payment type as given (Concur `PaymentTypeName`, e.g. "Company Paid"), if any.
    pub payment_type: Option<String>,
    /// How sure the attribution to `service_id` is.
    pub confidence: Confidence,
    /// Why it was attributed to `service_id`.
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

impl Cost {
    /// A cost with the required fields; optional fields empty, confidence
    /// [`Confidence::CERTAIN`], no evidence.
    pub fn new(
        id: CostId,
        service_id: ServiceId,
        date: NaiveDate,
        amount: Money,
        owner: Owner,
        source: CostSource,
    ) -> Self {
        Self {
            id,
            service_id,
            date,
            amount,
            posted_amount: None,
            exchange_rate: None,
            owner,
            vendor_descriptor: None,
            description: None,
            source,
            report_status: None,
            payment_type: None,
            confidence: Confidence::CERTAIN,
            evidence: Vec::new(),
        }
    }

    /// Sets the posted (reimbursement currency) amount.
    #[must_use]
    pub fn with_posted_amount(mut self, posted: Money) -> Self {
        self.posted_amount = Some(posted);
        self
    }

    /// Sets the exchange rate.
    #[must_use]
    pub fn with_exchange_rate(mut self, rate: Decimal) -> Self {
        self.exchange_rate = Some(rate);
        self
    }

    /// Sets the vendor descriptor.
    #[must_use]
    pub fn with_vendor_descriptor(mut self, v: impl Into<String>) -> Self {
        self.vendor_descriptor = Some(v.into());
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn with_description(mut self, v: impl Into<String>) -> Self {
        self.description = Some(v.into());
        self
    }

    /// Sets the report status.
    #[must_use]
    pub fn with_report_status(mut self, v: impl Into<String>) -> Self {
        self.report_status = Some(v.into());
        self
    }

    /// Sets the payment type.
    #[must_use]
    pub fn with_payment_type(mut self, v: impl Into<String>) -> Self {
        self.payment_type = Some(v.into());
        self
    }

    /// Sets the confidence.
    #[must_use]
    pub fn with_confidence(mut self, c: Confidence) -> Self {
        self.confidence = c;
        self
    }

    /// Adds one piece of evidence.
    #[must_use]
    pub fn with_evidence(mut self, e: Evidence) -> Self {
        self.evidence.push(e);
        self
    }
}
