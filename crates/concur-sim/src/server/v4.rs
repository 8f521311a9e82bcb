//! Expense Reports v4 (`/expensereports/v4/...`): report get, report expenses, expense get,
//! expense itemizations. JSON only; amounts `{value, currencyCode}` with 8 decimals (zero is
//! written `0E-8`, as Concur does).
//!
//! Source: <https://developer.concur.com/api-reference/expense/expense-report/v4.reports.html>,
//! `v4.expenses.html`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::expense_v3::{effective, load};
use super::{AppState, Family, Principal, Shared, Tenant, authorize, error};
use crate::config::ApiGroup;
use crate::model::{EntryBundle, ReportBundle};

pub(crate) fn routes() -> Router<AppState> {
    let base = "/expensereports/v4/users/{user}/context/{ctx}/reports/{report}";
    Router::new()
        .route(base, get(report))
        .route(&format!("{base}/expenses"), get(expenses))
        .route(&format!("{base}/expenses/{{expense}}"), get(expense))
        .route(
            &format!("{base}/expenses/{{expense}}/itemizations"),
            get(itemizations),
        )
}

const MARK: char = '\u{1}';

/// A v4 money value: serialized as a marked string, turned into a raw number by [`finish`].
fn money(d: Decimal, currency: &str) -> Value {
    let text = if d.is_zero() {
        "0E-8".to_owned()
    } else {
        format!("{:.8}", d.round_dp(8))
    };
    json!({"value": format!("{MARK}{text}"), "currencyCode": currency})
}

/// Serialize and unquote the marked numbers.
pub(crate) fn finish(v: &Value) -> Response {
    let s = serde_json::to_string(v).unwrap_or_default();
    let out = s.replace("\"\\u0001", "\u{2}");
    let mut res = String::with_capacity(out.len());
    let mut in_num = false;
    for c in out.chars() {
        match c {
            '\u{2}' => in_num = true,
            '"' if in_num => in_num = false,
            c => res.push(c),
        }
    }
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        res,
    )
        .into_response()
}

fn day(ts: &str) -> String {
    ts.get(..10).unwrap_or(ts).to_owned()
}

fn iso_z(ts: Option<&str>) -> Value {
    match ts {
        Some(t) => json!(format!("{}Z", t.get(..19).unwrap_or(t))),
        None => Value::Null,
    }
}

type Ctx<'a> = (&'a Tenant, ReportBundle, String, String);

fn resolve<'a>(
    st: &'a Shared,
    h: &HeaderMap,
    user: &str,
    ctx: &str,
    report: &str,
) -> Result<Ctx<'a>, Response> {
    let (t, _, p) = authorize(st, h, ApiGroup::ExpenseReport, Family::V4)?;
    if !matches!(ctx, "TRAVELER" | "MANAGER" | "PROCESSOR" | "PROXY") {
        return Err(error(
            Family::V4,
            StatusCode::BAD_REQUEST,
            "contextType must be TRAVELER, MANAGER, PROCESSOR or PROXY",
            h,
        ));
    }
    let not_found = || error(Family::V4, StatusCode::NOT_FOUND, "Report not found", h);
    let ri = t.data.report_index(report).ok_or_else(not_found)?;
    let e = effective(t, ri).ok_or_else(not_found)?;
    let owner = t.users.get(e.owner as usize).ok_or_else(not_found)?;
    if !owner.uuid.eq_ignore_ascii_case(user) {
        return Err(not_found());
    }
    if let Principal::User(u) = p
        && u != e.owner
    {
        return Err(error(
            Family::V4,
            StatusCode::FORBIDDEN,
            "The user does not have access to this report",
            h,
        ));
    }
    let b = load(st, t, ri).ok_or_else(not_found)?;
    let base = format!(
        "{}/expensereports/v4/users/{}/context/{ctx}/reports/{report}",
        st.base_url, owner.uuid
    );
    Ok((t, b, owner.uuid.clone(), base))
}

fn report_json(b: &ReportBundle, user: &str, base: &str) -> Value {
    let r = &b.report;
    let c = r.currency_code.as_str();
    let start = b
        .entries
        .iter()
        .map(|e| day(&e.entry.transaction_date))
        .min();
    let end = b
        .entries
        .iter()
        .map(|e| day(&e.entry.transaction_date))
        .max();
    json!({
        "reportId": r.id, "reportNumber": r.id.get(16..).unwrap_or(""), "name": r.name, "businessPurpose": null,
        "userId": user, "approvalStatus": r.approval_status_name, "approvalStatusId": r.approval_status_code,
        "paymentStatus": r.payment_status_name, "paymentStatusId": r.payment_status_code, "concurAuditStatus": "NOTR",
        "currencyCode": c, "currency": c, "countryCode": r.country, "countrySubDivisionCode": r.country_subdivision,
        "reportDate": r.user_defined_date.as_deref().map(day), "startDate": start, "endDate": end,
        "creationDate": iso_z(r.create_date.as_deref()), "submitDate": iso_z(r.submit_date.as_deref()),
        "reportTotal": money(r.total, c), "claimedAmount": money(r.total_claimed_amount, c),
        "approvedAmount": money(r.total_approved_amount, c), "amountDueEmployee": money(r.amount_due_employee, c),
        "amountDueCompany": money(Decimal::ZERO, c), "amountDueCompanyCard": money(r.amount_due_company_card, c),
        "amountCompanyPaid": money(Decimal::ZERO, c), "personalAmount": money(r.personal_amount, c),
        "amountNotApproved": money(Decimal::ZERO, c), "paymentConfirmedAmount": money(Decimal::ZERO, c),
        "policyId": r.policy_id, "policy": "Default Policy", "ledger": r.ledger_name, "ledgerId": "DEFAULT",
        "isSubmitted": r.submit_date.is_some(), "isSentBack": r.ever_sent_back, "canRecall": r.approval_status_code == "A_PEND",
        "reportType": "Regular", "reportVersion": 1, "customData": [],
        "links": [{"rel": "self", "href": base, "method": "GET", "isTemplated": false},
                  {"rel": "expenses", "href": format!("{base}/expenses"), "method": "GET", "isTemplated": false}],
    })
}

fn expense_json(e: &EntryBundle, report_currency: &str, base: &str) -> Value {
    let x = &e.entry;
    let id = x.expense_id.clone().unwrap_or_else(|| x.id.clone());
    let tc = x.transaction_currency_code.as_str();
    let href = format!("{base}/expenses/{id}");
    json!({
        "expenseId": id, "transactionDate": day(&x.transaction_date),
        "transactionAmount": money(x.transaction_amount, tc), "postedAmount": money(x.posted_amount, report_currency),
        "approvedAmount": money(x.approved_amount, report_currency), "claimedAmount": money(x.posted_amount, report_currency),
        "approverAdjustedAmount": money(x.approved_amount, report_currency),
        "exchangeRate": {"value": format!("{MARK}{:.14}", x.exchange_rate), "operation": "MULTIPLY"},
        "expenseType": {"id": x.expense_type_code, "name": x.expense_type_name, "code": x.spend_category_code, "isDeleted": false},
        "paymentType": {"id": x.payment_type_id, "name": x.payment_type_name, "code": if x.payment_type_name.as_deref() == Some("Cash") { "CASH" } else { "COPD" }},
        "vendor": x.vendor_description.as_ref().map(|v| json!({"id": null, "name": v, "description": v})),
        "location": {"id": x.location_id, "name": x.location_name, "city": x.location_name, "countrySubDivisionCode": x.location_subdivision, "countryCode": x.location_country},
        "businessPurpose": x.description, "isPersonalExpense": x.is_personal,
        "allocationState": if e.allocations.len() > 1 { "FULLY_ALLOCATED" } else { "NOT_ALLOCATED" }, "allocationSetId": null,
        "attendeeCount": if x.has_attendees { 2 } else { 1 }, "receiptImageId": if x.has_image { Some(x.id.clone()) } else { None },
        "ereceiptImageId": null, "hasExceptions": x.has_exceptions, "hasBlockingExceptions": false,
        "isImageRequired": x.is_image_required, "isItemized": x.has_itemizations,
        "links": [{"rel": "self", "href": href, "method": "GET", "isTemplated": false},
                  {"rel": "itemizations", "href": format!("{href}/itemizations"), "method": "GET", "isTemplated": false}],
    })
}

async fn report(
    State(st): State<AppState>,
    h: HeaderMap,
    Path((user, ctx, report)): Path<(String, String, String)>,
) -> Response {
    match resolve(&st, &h, &user, &ctx, &report) {
        Ok((_, b, uid, base)) => finish(&report_json(&b, &uid, &base)),
        Err(r) => r,
    }
}

async fn expenses(
    State(st): State<AppState>,
    h: HeaderMap,
    Path((user, ctx, report)): Path<(String, String, String)>,
) -> Response {
    match resolve(&st, &h, &user, &ctx, &report) {
        Ok((_, b, _, base)) => {
            let c = b.report.currency_code.clone();
            finish(&Value::Array(
                b.entries
                    .iter()
                    .map(|e| expense_json(e, &c, &base))
                    .collect(),
            ))
        }
        Err(r) => r,
    }
}

fn find<'b>(b: &'b ReportBundle, id: &str) -> Option<&'b EntryBundle> {
    b.entries.iter().find(|e| {
        e.entry
            .expense_id
            .as_deref()
            .unwrap_or(&e.entry.id)
            .eq_ignore_ascii_case(id)
    })
}

async fn expense(
    State(st): State<AppState>,
    h: HeaderMap,
    Path((user, ctx, report, exp)): Path<(String, String, String, String)>,
) -> Response {
    match resolve(&st, &h, &user, &ctx, &report) {
        Ok((_, b, _, base)) => match find(&b, &exp) {
            Some(e) => finish(&expense_json(e, &b.report.currency_code, &base)),
            None => error(Family::V4, StatusCode::NOT_FOUND, "Expense not found", &h),
        },
        Err(r) => r,
    }
}

async fn itemizations(
    State(st): State<AppState>,
    h: HeaderMap,
    Path((user, ctx, report, exp)): Path<(String, String, String, String)>,
) -> Response {
    match resolve(&st, &h, &user, &ctx, &report) {
        Ok((_, b, _, base)) => match find(&b, &exp) {
            Some(e) => {
                let rc = b.report.currency_code.as_str();
                let tc = e.entry.transaction_currency_code.as_str();
                let items: Vec<Value> = e
                    .itemizations
                    .iter()
                    .map(|it| {
                        json!({
                            "itemizationId": it.id, "expenseId": e.entry.expense_id, "transactionDate": day(&it.transaction_date),
                            "transactionAmount": money(it.transaction_amount, tc), "postedAmount": money(it.posted_amount, rc),
                            "approvedAmount": money(it.approved_amount, rc),
                            "expenseType": {"id": it.expense_type_code, "name": it.expense_type_name, "code": it.spend_category_code, "isDeleted": false},
                            "businessPurpose": it.description, "isPersonalExpense": it.is_personal,
                            "allocationState": "NOT_ALLOCATED",
                            "links": [{"rel": "self", "href": format!("{base}/expenses/{exp}/itemizations/{}", it.id), "method": "GET", "isTemplated": false}],
                        })
                    })
                    .collect();
                finish(&Value::Array(items))
            }
            None => error(Family::V4, StatusCode::NOT_FOUND, "Expense not found", &h),
        },
        Err(r) => r,
    }
}
