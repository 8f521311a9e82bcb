//! Expense v3 endpoints: reports, entries, itemizations, allocations.
//!
//! Base path `{geolocation}/api/v3.0/expense`. Doc pages:
//! <https://developer.concur.com/api-reference/expense/expense-report/v3.reports.html>,
//! <https://developer.concur.com/api-reference/expense/expense-report/expense-entry.html>,
//! <https://developer.concur.com/api-reference/expense/expense-report/expense-itemization.html>,
//! <https://developer.concur.com/api-reference/expense/allocations/expense-allocations.html>.
//!
//! ```no_run
//! # async fn run(client: concur_client::Client) -> Result<(), concur_client::Error> {
//! use futures::TryStreamExt;
//! let since = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
//! let mut reports = client.expense().reports().list().user_all().modified_after(since).stream();
//! while let Some(report) = reports.try_next().await? {
//!     println!("{} {:?} {:?}", report.id, report.total, report.currency_code);
//! }
//! # Ok(()) }
//! ```

use reqwest::Method;

use crate::api::{DateFilter, UserScope};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::{Request, encode_segment};
use crate::models::expense::{Allocation, Entry, Itemization, Report};
use crate::pagination::{Paginator, list_methods, v3_page};

/// The API group named in permission errors.
pub const API_GROUP: &str = "Expense v3";

const BASE: &str = "api/v3.0/expense";

/// The maximum `limit` documented for v3 expense collections.
pub const MAX_LIMIT: u32 = 100;

impl Client {
    /// Expense v3 (reports, entries, itemizations, allocations).
    pub fn expense(&self) -> ExpenseHandler {
        ExpenseHandler {
            client: self.clone(),
        }
    }
}

/// Entry point for Expense v3 (from [`Client::expense`]).
#[derive(Clone, Debug)]
pub struct ExpenseHandler {
    client: Client,
}

impl ExpenseHandler {
    /// `/api/v3.0/expense/reports`.
    pub fn reports(&self) -> ReportsHandler {
        ReportsHandler {
            client: self.client.clone(),
        }
    }
    /// `/api/v3.0/expense/entries`.
    pub fn entries(&self) -> EntriesHandler {
        EntriesHandler {
            client: self.client.clone(),
        }
    }
    /// `/api/v3.0/expense/itemizations`.
    pub fn itemizations(&self) -> ItemizationsHandler {
        ItemizationsHandler {
            client: self.client.clone(),
        }
    }
    /// `/api/v3.0/expense/allocations` (read-only).
    pub fn allocations(&self) -> AllocationsHandler {
        AllocationsHandler {
            client: self.client.clone(),
        }
    }
}

fn get(client: &Client, path: String) -> Request {
    client.request(Method::GET, path).api_group(API_GROUP)
}

/// Shared state of every v3 list builder: owner scope, limit and extra parameters.
#[derive(Clone, Debug, Default)]
struct ListCommon {
    user: UserScope,
    limit: Option<u32>,
    params: Vec<(String, String)>,
}

impl ListCommon {
    fn apply(&self, mut req: Request) -> Result<Request> {
        if let Some(l) = self.limit {
            if l == 0 || l > MAX_LIMIT {
                return Err(Error::Config(format!(
                    "limit must be between 1 and {MAX_LIMIT}, got {l}"
                )));
            }
            req = req.query("limit", l.to_string());
        }
        req = req.query_opt("user", self.user.query_value());
        for (k, v) in &self.params {
            req = req.query(k.clone(), v.clone());
        }
        Ok(req)
    }

    fn set(&mut self, k: &str, v: String) {
        self.params.retain(|(name, _)| name != k);
        self.params.push((k.to_owned(), v));
    }
}

/// Builder methods every v3 list builder shares.
macro_rules! common_list_setters {
    () => {
        /// `user=ALL`: every user's records (needs Web Services Administrator / Can Administer).
        pub fn user_all(mut self) -> Self {
            self.common.user = UserScope::All;
            self
        }

        /// `user=<login id>`: one user's records (sent percent-encoded: `+` as `%2B`).
        pub fn user(mut self, login_id: impl Into<String>) -> Self {
            self.common.user = UserScope::Login(login_id.into());
            self
        }

        /// Page size (`limit`, 1..=100; Concur's default is 25). Out of range is a
        /// [`Error::Config`] when sent.
        pub fn limit(mut self, limit: u32) -> Self {
            self.common.limit = Some(limit);
            self
        }

        /// Any other documented query parameter (sent percent-encoded, replacing an earlier
        /// value of the same name).
        pub fn param(mut self, name: &str, value: impl Into<String>) -> Self {
            self.common.set(name, value.into());
            self
        }
    };
}

macro_rules! filter {
    ($(#[$m:meta])* $fn:ident, $name:literal, String) => {
        $(#[$m])*
        pub fn $fn(mut self, value: impl Into<String>) -> Self {
            self.common.set($name, value.into());
            self
        }
    };
    ($(#[$m:meta])* $fn:ident, $name:literal, Date) => {
        $(#[$m])*
        pub fn $fn(mut self, value: impl Into<DateFilter>) -> Self {
            self.common.set($name, value.into().to_query());
            self
        }
    };
    ($(#[$m:meta])* $fn:ident, $name:literal, bool) => {
        $(#[$m])*
        pub fn $fn(mut self, value: bool) -> Self {
            self.common.set($name, value.to_string());
            self
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Reports

/// `/api/v3.0/expense/reports` (from [`ExpenseHandler::reports`]).
#[derive(Clone, Debug)]
pub struct ReportsHandler {
    client: Client,
}

impl ReportsHandler {
    /// `GET /reports` with filters. Does not return Central Reconciliation reports.
    pub fn list(&self) -> ListReports {
        ListReports {
            client: self.client.clone(),
            common: ListCommon::default(),
        }
    }

    /// `GET /reports/{id}`. Pass the owner's login with [`GetReport::user`] unless the token
    /// belongs to the owner (`user=ALL` is not allowed here).
    pub fn get(&self, id: impl Into<String>) -> GetReport {
        GetReport {
            client: self.client.clone(),
            id: id.into(),
            user: None,
        }
    }
}

/// `GET /api/v3.0/expense/reports` builder. Every filter is sent on the first request and kept
/// on later pages (`NextPage` is followed verbatim).
#[derive(Clone, Debug)]
pub struct ListReports {
    client: Client,
    common: ListCommon,
}

impl ListReports {
    common_list_setters!();
    filter!(/// `modifiedDateAfter`: last modified on or after (Concur time).
        modified_after, "modifiedDateAfter", Date);
    filter!(/// `modifiedDateBefore`: last modified before (Concur time).
        modified_before, "modifiedDateBefore", Date);
    filter!(/// `submitDateAfter`.
        submit_after, "submitDateAfter", Date);
    filter!(/// `submitDateBefore`.
        submit_before, "submitDateBefore", Date);
    filter!(/// `createDateAfter`.
        create_after, "createDateAfter", Date);
    filter!(/// `createDateBefore`.
        create_before, "createDateBefore", Date);
    filter!(/// `paidDateAfter`.
        paid_after, "paidDateAfter", Date);
    filter!(/// `paidDateBefore`.
        paid_before, "paidDateBefore", Date);
    filter!(/// `processingPaymentDateAfter`.
        processing_payment_after, "processingPaymentDateAfter", Date);
    filter!(/// `processingPaymentDateBefore`.
        processing_payment_before, "processingPaymentDateBefore", Date);
    filter!(/// `userDefinedDateAfter`.
        user_defined_after, "userDefinedDateAfter", Date);
    filter!(/// `userDefinedDateBefore`.
        user_defined_before, "userDefinedDateBefore", Date);
    filter!(/// `entryTransactionDateAfter`.
        entry_transaction_after, "entryTransactionDateAfter", Date);
    filter!(/// `entryTransactionDateBefore`.
        entry_transaction_before, "entryTransactionDateBefore", Date);
    filter!(/// `approvalStatusCode` (e.g. `A_APPR`; a comma-separated list is accepted).
        approval_status_code, "approvalStatusCode", String);
    filter!(/// `paymentStatusCode` (e.g. `P_PAID`; a comma-separated list is accepted).
        payment_status_code, "paymentStatusCode", String);
    filter!(/// `currencyCode` (ISO 4217).
        currency_code, "currencyCode", String);
    filter!(/// `approverLoginID`.
        approver_login_id, "approverLoginID", String);
    filter!(/// `expenseTypeCode`.
        expense_type_code, "expenseTypeCode", String);
    filter!(/// `paymentType` (a PaymentTypeID).
        payment_type, "paymentType", String);
    filter!(/// `countryCode`.
        country_code, "countryCode", String);
    filter!(/// `vendorName`.
        vendor_name, "vendorName", String);
    filter!(/// `batchID`.
        batch_id, "batchID", String);
    filter!(/// `hasImages`.
        has_images, "hasImages", bool);
    filter!(/// `hasVAT`.
        has_vat, "hasVAT", bool);
    filter!(/// `hasAttendees`.
        has_attendees, "hasAttendees", bool);
    filter!(/// `hasBillableExpenses`.
        has_billable_expenses, "hasBillableExpenses", bool);
    filter!(/// `isTestUser`.
        is_test_user, "isTestUser", bool);

    /// The paginator behind `send`/`pages`/`stream` (set `max_pages` on it).
    pub fn paginator(self) -> Paginator<Report> {
        let req = get(&self.client, format!("{BASE}/reports"));
        match self.common.apply(req) {
            Ok(req) => Paginator::new(req, v3_page::<Report>),
            Err(e) => Paginator::failing(&self.client, e),
        }
    }

    list_methods!(Report);
}

/// `GET /api/v3.0/expense/reports/{id}` builder.
#[derive(Clone, Debug)]
pub struct GetReport {
    client: Client,
    id: String,
    user: Option<String>,
}

impl GetReport {
    /// `user=<owner login id>` (never `ALL`).
    pub fn user(mut self, owner_login_id: impl Into<String>) -> Self {
        self.user = Some(owner_login_id.into());
        self
    }

    /// Sends the request.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id, [`Error::Config`] for `user("ALL")`, and any
    /// request or decode error.
    pub async fn send(self) -> Result<Report> {
        if self
            .user
            .as_deref()
            .is_some_and(|u| u.eq_ignore_ascii_case("ALL"))
        {
            return Err(Error::Config(
                "user=ALL is not allowed on a single report; pass the owner's login id".into(),
            ));
        }
        get(
            &self.client,
            format!("{BASE}/reports/{}", encode_segment(&self.id)),
        )
        .query_opt("user", self.user)
        .send_json()
        .await
    }
}

// ---------------------------------------------------------------------------------------------
// Entries, itemizations, allocations

macro_rules! child_resource {
    (
        $handler:ident, $list:ident, $get:ident, $item:ty, $path:literal, $doc:literal,
        { $($filters:tt)* }
    ) => {
        #[doc = concat!("`/api/v3.0/expense/", $path, "` (", $doc, ").")]
        #[derive(Clone, Debug)]
        pub struct $handler {
            client: Client,
        }

        impl $handler {
            #[doc = concat!("`GET /", $path, "` with filters.")]
            pub fn list(&self) -> $list {
                $list {
                    client: self.client.clone(),
                    common: ListCommon::default(),
                }
            }

            #[doc = concat!("`GET /", $path, "/{id}`.")]
            pub fn get(&self, id: impl Into<String>) -> $get {
                $get {
                    client: self.client.clone(),
                    id: id.into(),
                    user: None,
                }
            }
        }

        #[doc = concat!("`GET /api/v3.0/expense/", $path, "` builder.")]
        #[derive(Clone, Debug)]
        pub struct $list {
            client: Client,
            common: ListCommon,
        }

        impl $list {
            common_list_setters!();
            $($filters)*

            /// The paginator behind `send`/`pages`/`stream` (set `max_pages` on it).
            pub fn paginator(self) -> Paginator<$item> {
                let req = get(&self.client, format!("{BASE}/{}", $path));
                match self.common.apply(req) {
                    Ok(req) => Paginator::new(req, v3_page::<$item>),
                    Err(e) => Paginator::failing(&self.client, e),
                }
            }

            list_methods!($item);
        }

        #[doc = concat!("`GET /api/v3.0/expense/", $path, "/{id}` builder.")]
        #[derive(Clone, Debug)]
        pub struct $get {
            client: Client,
            id: String,
            user: Option<String>,
        }

        impl $get {
            /// `user=<login id>` of the owner (needed unless the token belongs to the owner).
            pub fn user(mut self, login_id: impl Into<String>) -> Self {
                self.user = Some(login_id.into());
                self
            }

            /// Sends the request.
            ///
            /// # Errors
            /// [`Error::NotFound`] for an unknown id, and any request or decode error.
            pub async fn send(self) -> Result<$item> {
                get(
                    &self.client,
                    format!("{BASE}/{}/{}", $path, encode_segment(&self.id)),
                )
                .query_opt("user", self.user)
                .send_json()
                .await
            }
        }
    };
}

child_resource!(
    EntriesHandler,
    ListEntries,
    GetEntry,
    Entry,
    "entries",
    "expense entries",
    {
        filter!(/// `reportID`: the entries of one report.
        report_id, "reportID", String);
        filter!(/// `paymentTypeID`.
        payment_type_id, "paymentTypeID", String);
        filter!(/// `expenseTypeCode`.
        expense_type_code, "expenseTypeCode", String);
        filter!(/// `batchID`.
        batch_id, "batchID", String);
        filter!(/// `attendeeTypeCode`.
        attendee_type_code, "attendeeTypeCode", String);
        filter!(/// `attendeeID`.
        attendee_id, "attendeeID", String);
        filter!(/// `isBillable`.
        is_billable, "isBillable", bool);
        filter!(/// `hasAttendees`.
        has_attendees, "hasAttendees", bool);
        filter!(/// `hasVAT`.
        has_vat, "hasVAT", bool);
    }
);

child_resource!(
    ItemizationsHandler,
    ListItemizations,
    GetItemization,
    Itemization,
    "itemizations",
    "entry itemizations",
    {
        filter!(/// `reportID`.
        report_id, "reportID", String);
        filter!(/// `entryID`.
        entry_id, "entryID", String);
        filter!(/// `expenseTypeCode`.
        expense_type_code, "expenseTypeCode", String);
    }
);

child_resource!(
    AllocationsHandler,
    ListAllocations,
    GetAllocation,
    Allocation,
    "allocations",
    "cost allocations, read-only",
    {
        filter!(/// `reportID`.
        report_id, "reportID", String);
        filter!(/// `entryID`.
        entry_id, "entryID", String);
        filter!(/// `itemizationID`.
        itemization_id, "itemizationID", String);
    }
);
