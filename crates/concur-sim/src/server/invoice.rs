//! Invoice v3: payment request digests, payment requests, vendors v3.1. Almost every value is
//! a string, as Concur sends it (`"480.00000000"`, `"true"`).
//!
//! Source: <https://developer.concur.com/api-reference/invoice/v3.payment-request-digest.html>,
//! `v3.payment-request.html`, `v3.1.vendor.html`.

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::expense_v3::{Pos, Query, encode_offset, limit, offset};
use super::{AppState, Family, Shared, Tenant, authorize, error, respond};
use crate::config::ApiGroup;
use crate::data::Data;
use crate::generator::{Invoice, fmt_day, fmt_ts};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v3.0/invoice/paymentrequestdigests", get(digests))
        .route("/api/v3.0/invoice/paymentrequestdigests/{id}", get(digest))
        .route(
            "/api/v3.0/invoice/paymentrequest/{id}",
            get(payment_request),
        )
        .route("/api/v3.1/invoice/vendors", get(vendors))
}

fn invoices(t: &Tenant) -> &[Invoice] {
    match &t.data {
        Data::Generated(c) => &c.invoices,
        Data::Docs { .. } => &[],
    }
}

fn s8(d: rust_decimal::Decimal) -> String {
    format!("{:.8}", d.round_dp(8))
}

fn status(i: &Invoice) -> (&'static str, &'static str) {
    if i.truth.scenario == "reseller_invoice" {
        ("A_PEND", "P_NOTP")
    } else {
        ("A_APPR", "P_PAID")
    }
}

fn digest_json(st: &Shared, t: &Tenant, i: &Invoice) -> Value {
    let owner = &t.users[i.owner as usize];
    let (a, p) = status(i);
    json!({
        "ID": i.id, "URI": format!("{}/api/v3.0/invoice/paymentrequestdigests/{}", st.base_url, i.id),
        "PaymentRequestId": i.id, "PaymentRequestUri": format!("{}/api/v3.0/invoice/paymentrequest/{}", st.base_url, i.id),
        "ApprovalStatusCode": a, "PaymentStatusCode": p, "CreateDate": fmt_day(i.date), "UserDefinedDate": fmt_day(i.date),
        "PaidDate": if p == "P_PAID" { Some(fmt_day(i.date + chrono::Duration::days(20))) } else { None },
        "CurrencyCode": i.currency, "Total": s8(i.amount), "InvoiceNumber": i.invoice_number, "IsDeleted": "false",
        "OwnerLoginID": owner.login, "OwnerName": format!("{} {}", owner.first, owner.last), "VendorName": i.vendor_name,
        "PurchaseOrderNumber": null, "PaymentMethod": "ACH", "LastModifiedDate": fmt_ts(i.last_modified), "ExtractedDate": null,
    })
}

fn date_q(q: &Query, k: &str) -> Option<chrono::NaiveDate> {
    q.get(k)
        .and_then(|s| chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").ok())
}

async fn digests(State(st): State<AppState>, h: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let (t, _, _) = match authorize(&st, &h, ApiGroup::Invoice, Family::V3) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let q = Query::parse(raw.as_deref());
    let lim = match limit(&q, &h, 1000, 1000) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let pos = match offset(&q, &h) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (ca, cb) = (
        date_q(&q, "createDateAfter"),
        date_q(&q, "createDateBefore"),
    );
    let (ma, mb) = (
        date_q(&q, "lastModifiedDateAfter"),
        date_q(&q, "lastModifiedDateBefore"),
    );
    let appr = q.get("approvalStatus").map(str::to_owned);
    let pay = q.get("paymentStatus").map(str::to_owned);
    let all = invoices(t);
    let matching: Vec<usize> = (0..all.len())
        .filter(|&k| {
            let i = &all[k];
            let (a, p) = status(i);
            ca.is_none_or(|d| i.date > d)
                && cb.is_none_or(|d| i.date < d)
                && ma.is_none_or(|d| i.last_modified.date() > d)
                && mb.is_none_or(|d| i.last_modified.date() < d)
                && appr.as_deref().is_none_or(|x| x.eq_ignore_ascii_case(a))
                && pay.as_deref().is_none_or(|x| x.eq_ignore_ascii_case(p))
        })
        .collect();
    let page: Vec<Value> = matching
        .iter()
        .filter(|&&k| k >= pos.report)
        .take(lim)
        .map(|&k| digest_json(&st, t, &all[k]))
        .collect();
    let next = matching
        .iter()
        .filter(|&&k| k >= pos.report)
        .nth(lim)
        .map(|&k| {
            q.next_url(
                &st.base_url,
                "/api/v3.0/invoice/paymentrequestdigests",
                "offset",
                &encode_offset(Pos {
                    report: k,
                    page: pos.page + 1,
                    ..Pos::default()
                }),
            )
        });
    let v = json!({"TotalCount": matching.len(), "Items": page, "PaymentRequestDigest": page, "NextPage": next});
    respond(&h, &v, "PaymentRequestDigests", "PaymentRequestDigest")
}

async fn digest(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> Response {
    let (t, _, _) = match authorize(&st, &h, ApiGroup::Invoice, Family::V3) {
        Ok(x) => x,
        Err(r) => return r,
    };
    match invoices(t).iter().find(|i| i.id == id) {
        Some(i) => respond(
            &h,
            &digest_json(&st, t, i),
            "PaymentRequestDigest",
            "PaymentRequestDigest",
        ),
        None => error(
            Family::V3,
            StatusCode::NOT_FOUND,
            "Payment request not found",
            &h,
        ),
    }
}

async fn payment_request(
    State(st): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (t, _, _) = match authorize(&st, &h, ApiGroup::Invoice, Family::V3) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(i) = invoices(t).iter().find(|i| i.id == id) else {
        return error(
            Family::V3,
            StatusCode::NOT_FOUND,
            "Payment request not found",
            &h,
        );
    };
    let owner = &t.users[i.owner as usize];
    let (a, p) = status(i);
    let lines: Vec<Value> = i
        .lines
        .iter()
        .enumerate()
        .map(|(n, (d, amt))| {
            json!({
                "LineItemId": format!("{}-{}", i.id, n + 1), "RequestLineItemNumber": (n + 1).to_string(), "Description": d,
                "ExpenseTypeCode": "SOFTW", "Quantity": "1.00000000", "UnitPrice": s8(*amt), "UnitOfMeasure": "EA",
                "TotalPrice": s8(*amt), "RequestedLineItemAmount": s8(*amt), "ApprovedLineItemAmount": s8(*amt), "Tax": "0.00000000",
                "PurchaseOrderNumber": null, "IsMatched": "false", "AllocationStatus": "None",
            })
        })
        .collect();
    let v = json!({
        "ID": i.id, "URI": format!("{}/api/v3.0/invoice/paymentrequest/{}", st.base_url, i.id),
        "Name": format!("{} {}", i.vendor_name, i.invoice_number), "InvoiceNumber": i.invoice_number,
        "CurrencyCode": i.currency, "CountryCode": owner.country, "ApprovalStatus": a, "PaymentStatus": p, "PaymentMethod": "ACH",
        "LedgerCode": "DEFAULT", "DataSource": "PMRQ",
        "InvoiceAmount": s8(i.amount), "CalculatedAmount": s8(i.amount), "LineItemTotalAmount": s8(i.amount),
        "TotalApprovedAmount": s8(i.amount), "ShippingAmount": "0.00000000", "TaxAmount": "0.00000000",
        "InvoiceDate": fmt_day(i.date), "InvoiceReceivedDate": fmt_day(i.date),
        "PaymentDueDate": fmt_day(i.date + chrono::Duration::days(30)), "PaidDate": if p == "P_PAID" { Some(fmt_day(i.date + chrono::Duration::days(20))) } else { None },
        "UserCreationDate": fmt_ts(i.last_modified), "LastSubmitDate": fmt_ts(i.last_modified),
        "EmployeeName": format!("{} {}", owner.first, owner.last), "CreatedByUsername": owner.login,
        "PurchaseOrderNumber": null, "VendorTaxId": null, "IsDeleted": "false",
        "VendorRemitAddress": {"VendorCode": i.vendor_code, "AddressCode": "MAIN", "Name": i.vendor_name, "Address1": "1 Example Way", "City": "Exampleville", "PostalCode": "00000", "CountryCode": "US"},
        "LineItems": {"LineItem": lines},
    });
    respond(&h, &v, "PaymentRequest", "LineItem")
}

async fn vendors(State(st): State<AppState>, h: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let (t, _, _) = match authorize(&st, &h, ApiGroup::Invoice, Family::V3) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let q = Query::parse(raw.as_deref());
    let lim = match limit(&q, &h, 1000, 25) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let pos = match offset(&q, &h) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut seen = std::collections::BTreeMap::new();
    for i in invoices(t) {
        seen.entry(i.vendor_code.clone())
            .or_insert_with(|| (i.vendor_name.clone(), i.currency.clone()));
    }
    let name = q.get("vendorName").map(str::to_lowercase);
    let code = q.get("vendorCode").map(str::to_owned);
    let search = q
        .get("searchType")
        .unwrap_or("contains")
        .to_ascii_lowercase();
    let all: Vec<Value> = seen
        .into_iter()
        .filter(|(c, (n, _))| {
            code.as_deref().is_none_or(|x| x == c)
                && name.as_deref().is_none_or(|x| {
                    let n = n.to_lowercase();
                    match search.as_str() {
                        "exact" => n == x,
                        "begins" => n.starts_with(x),
                        "ends" => n.ends_with(x),
                        _ => n.contains(x),
                    }
                })
        })
        .map(|(c, (n, cur))| {
            json!({
                "VendorCode": c, "AddressCode": "MAIN", "VendorName": n, "ID": c,
                "URI": format!("{}/api/v3.1/invoice/vendors?vendorCode={c}", st.base_url),
                "Address1": "1 Example Way", "City": "Exampleville", "PostalCode": "00000", "Country": "US", "CountryCode": "US",
                "CurrencyCode": cur, "TaxID": null, "Approved": "true", "PaymentMethodType": "ACH", "PaymentTerms": 30,
            })
        })
        .collect();
    let total = all.len();
    let page: Vec<Value> = all.iter().skip(pos.report).take(lim).cloned().collect();
    let next = (pos.report + lim < total).then(|| {
        q.next_url(
            &st.base_url,
            "/api/v3.1/invoice/vendors",
            "offset",
            &encode_offset(Pos {
                report: pos.report + lim,
                page: pos.page + 1,
                ..Pos::default()
            }),
        )
    });
    let v = json!({"TotalCount": total, "Items": page, "Vendor": page, "NextPage": next});
    respond(&h, &v, "Vendors", "Vendor")
}
