//! Expense Reports v4: report get, expenses of a report, expense get, itemizations.
//!
//! Paths are `{geo}/expensereports/v4/users/{userId}/context/{contextType}/...`; the `userId`
//! is the Identity v4 UUID of the report owner (or of the manager/processor acting on it).
//! Scopes: `expense.report.read` (and `user.read` to find user ids).
//!
//! **There is no company-wide list of reports in v4.** To enumerate reports use Expense v3
//! (`client.expense().reports().list()`, `user=ALL` with a company token), a manager's
//! `reportsToApprove`, or the event subscription service, then read details here.
//! The list endpoints of v4 return plain JSON arrays (no paging envelope): `send()` returns the
//! whole `Vec`.
//!
//! Concur docs: <https://developer.concur.com/api-reference/expense/expense-report/v4.reports.html>,
//! <https://developer.concur.com/api-reference/expense/expense-report/v4.expenses.html>.

use reqwest::Method;

use crate::http::encode_segment;
use crate::models::expense_v4::{ContextType, ExpenseV4, ReportV4};
use crate::{Client, Request, Result};

/// The API group name used in [`crate::Error::Permission`] for these calls.
pub const API_GROUP: &str = "Expense Report v4";

/// Handler for Expense Reports v4 (`client.expense_v4()`).
#[derive(Debug, Clone)]
pub struct ExpenseV4Handler {
    client: Client,
}

impl ExpenseV4Handler {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// `GET /expensereports/v4/users/{userId}/context/{contextType}/reports/{reportId}`.
    pub fn report(
        &self,
        user_id: impl Into<String>,
        context: ContextType,
        report_id: impl Into<String>,
    ) -> GetReportV4 {
        GetReportV4 {
            scope: Scope::new(&self.client, user_id.into(), context, report_id.into()),
        }
    }

    /// `GET .../reports/{reportId}/expenses`: every expense of the report (plain array).
    pub fn expenses(
        &self,
        user_id: impl Into<String>,
        context: ContextType,
        report_id: impl Into<String>,
    ) -> ListExpensesV4 {
        ListExpensesV4 {
            scope: Scope::new(&self.client, user_id.into(), context, report_id.into()),
        }
    }

    /// `GET .../reports/{reportId}/expenses/{expenseId}`.
    pub fn expense(
        &self,
        user_id: impl Into<String>,
        context: ContextType,
        report_id: impl Into<String>,
        expense_id: impl Into<String>,
    ) -> GetExpenseV4 {
        GetExpenseV4 {
            scope: Scope::new(&self.client, user_id.into(), context, report_id.into()),
            expense_id: expense_id.into(),
        }
    }

    /// `GET .../reports/{reportId}/expenses/{expenseId}/itemizations` (plain array; empty when
    /// the expense is not itemized).
    pub fn itemizations(
        &self,
        user_id: impl Into<String>,
        context: ContextType,
        report_id: impl Into<String>,
        expense_id: impl Into<String>,
    ) -> ListItemizationsV4 {
        ListItemizationsV4 {
            scope: Scope::new(&self.client, user_id.into(), context, report_id.into()),
            expense_id: expense_id.into(),
        }
    }
}

#[derive(Debug, Clone)]
struct Scope {
    client: Client,
    user_id: String,
    context: ContextType,
    report_id: String,
}

impl Scope {
    fn new(client: &Client, user_id: String, context: ContextType, report_id: String) -> Self {
        Self {
            client: client.clone(),
            user_id,
            context,
            report_id,
        }
    }

    fn report_path(&self) -> String {
        format!(
            "expensereports/v4/users/{}/context/{}/reports/{}",
            encode_segment(&self.user_id),
            self.context.as_str(),
            encode_segment(&self.report_id)
        )
    }

    fn get(&self, suffix: &str) -> Request {
        Request::new(
            self.client.clone(),
            Method::GET,
            format!("{}{suffix}", self.report_path()),
        )
        .api_group(API_GROUP)
    }
}

/// Builder for one v4 report.
#[derive(Debug, Clone)]
#[must_use = "call .send()"]
pub struct GetReportV4 {
    scope: Scope,
}

impl GetReportV4 {
    /// The underlying request (for inspection or the raw escape hatch).
    pub fn request(&self) -> Request {
        self.scope.get("")
    }

    /// Sends the request.
    ///
    /// # Errors
    /// [`crate::Error::NotFound`] for an unknown report or user, [`crate::Error::Permission`]
    /// without `expense.report.read`, [`crate::Error::Decode`] on an unexpected body.
    pub async fn send(self) -> Result<ReportV4> {
        self.request().send_json().await
    }
}

/// Builder for the expenses of a v4 report.
#[derive(Debug, Clone)]
#[must_use = "call .send()"]
pub struct ListExpensesV4 {
    scope: Scope,
}

impl ListExpensesV4 {
    /// The underlying request.
    pub fn request(&self) -> Request {
        self.scope.get("/expenses")
    }

    /// Sends the request; the response is a plain array (no paging in v4).
    ///
    /// # Errors
    /// As [`GetReportV4::send`]; a body that is not an array is [`crate::Error::Decode`].
    pub async fn send(self) -> Result<Vec<ExpenseV4>> {
        self.request().send_json().await
    }
}

/// Builder for one v4 expense.
#[derive(Debug, Clone)]
#[must_use = "call .send()"]
pub struct GetExpenseV4 {
    scope: Scope,
    expense_id: String,
}

impl GetExpenseV4 {
    /// The underlying request.
    pub fn request(&self) -> Request {
        self.scope
            .get(&format!("/expenses/{}", encode_segment(&self.expense_id)))
    }

    /// Sends the request.
    ///
    /// # Errors
    /// As [`GetReportV4::send`].
    pub async fn send(self) -> Result<ExpenseV4> {
        self.request().send_json().await
    }
}

/// Builder for the itemizations of a v4 expense.
#[derive(Debug, Clone)]
#[must_use = "call .send()"]
pub struct ListItemizationsV4 {
    scope: Scope,
    expense_id: String,
}

impl ListItemizationsV4 {
    /// The underlying request.
    pub fn request(&self) -> Request {
        self.scope.get(&format!(
            "/expenses/{}/itemizations",
            encode_segment(&self.expense_id)
        ))
    }

    /// Sends the request; the response is a plain array (no paging in v4).
    ///
    /// # Errors
    /// As [`GetReportV4::send`].
    pub async fn send(self) -> Result<Vec<ExpenseV4>> {
        self.request().send_json().await
    }
}

impl Client {
    /// Expense Reports v4 handler (report, expenses, expense, itemizations; no company-wide
    /// report list exists in v4: use `client.expense()` v3 for that).
    pub fn expense_v4(&self) -> ExpenseV4Handler {
        ExpenseV4Handler::new(self.clone())
    }
}
