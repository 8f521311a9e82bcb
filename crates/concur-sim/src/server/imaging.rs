//! Image v1 (XML only, signed image URLs valid 15 minutes of simulated time) and Receipts v4.
//!
//! Source: <https://developer.concur.com/api-reference/image/v1.image.html>,
//! <https://developer.concur.com/api-reference/receipts/endpoints.html>.

use std::time::Duration;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::expense_v3::{Query, effective, load};
use super::{AppState, Family, Principal, Shared, Tenant, authorize, error};
use crate::config::ApiGroup;
use crate::data::Data;

/// Lifetime of an Image v1 URL in simulated time.
pub(crate) const IMAGE_URL_TTL: Duration = Duration::from_secs(15 * 60);

/// A 1x1 transparent PNG.
pub(crate) const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// A minimal valid one-page PDF.
pub(crate) const PDF: &str = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 72 72]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/image/v1.0/expenseentry/{id}",
            get(entry_image).post(upload),
        )
        .route(
            "/api/image/v1.0/report/{id}",
            get(report_image).post(upload),
        )
        .route(
            "/api/image/v1.0/invoice/{id}",
            get(invoice_image).post(upload),
        )
        .route("/api/image/v1.0/receipt/{id}", get(receipt_image))
        .route("/api/image/v1.0/receipt", post(upload))
        .route("/sim/images/{kind}/{id}", get(image_bytes))
        .route("/receipts/v4/users/{user}", get(user_receipts))
        .route("/receipts/v4/{id}", get(receipt))
        .route("/receipts/v4/{id}/image", get(receipt_image_bytes))
}

fn sign(st: &Shared, kind: &str, id: &str, exp: u128) -> String {
    let mut h = Sha256::new();
    h.update(st.config.client_secret.as_bytes());
    h.update(format!("{kind}|{id}|{exp}").as_bytes());
    hex::encode(&h.finalize()[..12])
}

fn image_xml(st: &Shared, kind: &str, id: &str) -> Response {
    let exp = (st.clock.now() + IMAGE_URL_TTL).as_millis();
    let sig = sign(st, kind, id, exp);
    let url = format!(
        "{}/sim/images/{kind}/{}?expires={exp}&sig={sig}",
        st.base_url,
        urlencode(id)
    );
    let body = format!(
        "<Image xmlns=\"http://www.concursolutions.com/api/image/2011/02\" xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">\n  <Id>{}</Id>\n  <Url>{}</Url>\n</Image>",
        super::xml::escape(id),
        super::xml::escape(&url)
    );
    ([(header::CONTENT_TYPE, "application/xml")], body).into_response()
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn owner_ok(t: &Tenant, p: Principal, report: usize) -> bool {
    match p {
        Principal::User(u) => effective(t, report).is_some_and(|e| e.owner == u),
        _ => effective(t, report).is_some(),
    }
}

async fn entry_image(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::Imaging, Family::Image) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let nf = || {
        error(
            Family::Image,
            StatusCode::NOT_FOUND,
            "No image exists for this expense entry",
            &h,
        )
    };
    let Some((ri, n)) = t.data.locate_child('e', &id) else {
        return nf();
    };
    if !owner_ok(t, p, ri) {
        return error(
            Family::Image,
            StatusCode::FORBIDDEN,
            "The user does not own this image",
            &h,
        );
    }
    match load(&st, t, ri).and_then(|b| b.entries.into_iter().nth(n)) {
        Some(e) if e.entry.has_image && e.entry.id == id => image_xml(&st, "entry", &id),
        _ => nf(),
    }
}

async fn report_image(
    State(st): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::Imaging, Family::Image) {
        Ok(x) => x,
        Err(r) => return r,
    };
    match t.data.report_index(&id) {
        Some(ri) if owner_ok(t, p, ri) => image_xml(&st, "report", &id),
        Some(_) => error(
            Family::Image,
            StatusCode::FORBIDDEN,
            "The user does not own this image",
            &h,
        ),
        None => error(Family::Image, StatusCode::NOT_FOUND, "Report not found", &h),
    }
}

async fn invoice_image(
    State(st): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (t, _, _) = match authorize(&st, &h, ApiGroup::Imaging, Family::Image) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let exists = matches!(&t.data, Data::Generated(c) if c.invoices.iter().any(|i| i.id == id));
    if exists {
        image_xml(&st, "invoice", &id)
    } else {
        error(
            Family::Image,
            StatusCode::NOT_FOUND,
            "Invoice not found",
            &h,
        )
    }
}

async fn receipt_image(
    State(st): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = authorize(&st, &h, ApiGroup::Imaging, Family::Image) {
        return r;
    }
    if id.starts_with("sim-upload-") {
        image_xml(&st, "receipt", &id)
    } else {
        error(Family::Image, StatusCode::NOT_FOUND, "Image not found", &h)
    }
}

async fn upload(State(st): State<AppState>, h: HeaderMap, body: axum::body::Bytes) -> Response {
    if let Err(r) = authorize(&st, &h, ApiGroup::Imaging, Family::Image) {
        return r;
    }
    let ct = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !matches!(
        ct,
        "image/png" | "image/jpg" | "image/jpeg" | "application/pdf"
    ) || body.is_empty()
        || body.len() > 10 * 1024 * 1024
    {
        return error(
            Family::Image,
            StatusCode::BAD_REQUEST,
            "Unsupported image (PDF, JPG or PNG up to 10 MB)",
            &h,
        );
    }
    let id = format!("sim-upload-{:016X}", st.next_serial());
    let body = format!(
        "<Image xmlns=\"http://www.concursolutions.com/api/image/2011/02\" xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"><Id>{id}</Id><Url /></Image>"
    );
    (
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "application/xml")],
        body,
    )
        .into_response()
}

async fn image_bytes(
    State(st): State<AppState>,
    Path((kind, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw.as_deref());
    let exp: u128 = q.get("expires").and_then(|s| s.parse().ok()).unwrap_or(0);
    let denied = |m: &str| {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>{m}</Message></Error>"
        );
        (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "application/xml")],
            body,
        )
            .into_response()
    };
    if q.get("sig") != Some(sign(&st, &kind, &id, exp).as_str()) {
        return denied("Signature does not match");
    }
    if st.clock.now().as_millis() >= exp {
        return denied("Request has expired");
    }
    if kind == "report" || kind == "invoice" {
        ([(header::CONTENT_TYPE, "application/pdf")], PDF).into_response()
    } else {
        ([(header::CONTENT_TYPE, "image/png")], PNG).into_response()
    }
}

/// Receipt id of an entry: its 32-hex ExpenseID in lower case.
fn receipt_json(st: &Shared, user: &str, e: &crate::model::Entry) -> Option<Value> {
    let id = e.expense_id.as_deref()?.to_ascii_lowercase();
    let amount = e.transaction_amount.to_string();
    Some(json!({
        "dateTimeReceived": format!("{}.000Z", e.transaction_date.get(..19).unwrap_or(&e.transaction_date)),
        "id": id,
        "image": format!("{}/receipts/v4/{id}/image", st.base_url),
        "receipt": {
            "dateTime": e.transaction_date, "total": amount, "subtotal": amount, "currencyCode": e.transaction_currency_code,
            "merchant": {"name": e.vendor_description, "location": {"city": e.location_name, "countryCode": e.location_country}},
            "reference": e.id,
        },
        "userId": user,
        "validationSchema": if e.expense_type_code == "LODNG" { "http://schema.concursolutions.com/hotel-receipt.schema.json" } else { "http://schema.concursolutions.com/general-receipt.schema.json" },
        "self": format!("{}/receipts/v4/{id}", st.base_url),
        "template": format!("{}/receipts/v4/{{receiptId}}", st.base_url),
    }))
}

/// E-receipts exist for hotel entries (sent by hotels through Receipts v4).
fn is_ereceipt(e: &crate::model::EntryBundle) -> bool {
    e.entry.expense_type_code == "LODNG" && e.entry.expense_id.is_some()
}

async fn user_receipts(
    State(st): State<AppState>,
    h: HeaderMap,
    Path(user): Path<String>,
) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::Imaging, Family::V4) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(u) = t
        .users
        .iter()
        .position(|x| x.uuid.eq_ignore_ascii_case(&user))
    else {
        return error(Family::V4, StatusCode::NOT_FOUND, "User not found", &h);
    };
    if matches!(p, Principal::User(me) if me as usize != u) {
        return error(
            Family::V4,
            StatusCode::UNAUTHORIZED,
            "userId does not match the token's subject",
            &h,
        );
    }
    let mut receipts = Vec::new();
    for ri in 0..t.data.report_count() {
        if effective(t, ri).is_none_or(|e| e.owner as usize != u) {
            continue;
        }
        if let Some(b) = load(&st, t, ri) {
            receipts.extend(
                b.entries
                    .iter()
                    .filter(|e| is_ereceipt(e))
                    .filter_map(|e| receipt_json(&st, &t.users[u].uuid, &e.entry)),
            );
        }
    }
    axum::Json(json!({"receipts": receipts, "next": null})).into_response()
}

fn find_receipt(st: &Shared, t: &Tenant, id: &str) -> Option<(u32, crate::model::Entry)> {
    let hexid = id.replace('-', "").to_ascii_uppercase();
    let rid = hexid.get(..20)?;
    let n = usize::from_str_radix(hexid.get(20..)?, 16).ok()?;
    let ri = t.data.report_index(rid)?;
    let owner = effective(t, ri)?.owner;
    let e = load(st, t, ri)?.entries.into_iter().nth(n)?;
    is_ereceipt(&e).then_some((owner, e.entry))
}

async fn receipt(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::Imaging, Family::V4) {
        Ok(x) => x,
        Err(r) => return r,
    };
    match find_receipt(&st, t, &id) {
        Some((owner, e)) if !matches!(p, Principal::User(me) if me != owner) => {
            axum::Json(receipt_json(&st, &t.users[owner as usize].uuid, &e)).into_response()
        }
        Some(_) => error(Family::V4, StatusCode::FORBIDDEN, "Not your receipt", &h),
        None => error(Family::V4, StatusCode::NOT_FOUND, "Receipt not found", &h),
    }
}

async fn receipt_image_bytes(
    State(st): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (t, _, _) = match authorize(&st, &h, ApiGroup::Imaging, Family::V4) {
        Ok(x) => x,
        Err(r) => return r,
    };
    match find_receipt(&st, t, &id) {
        Some(_) => ([(header::CONTENT_TYPE, "image/png")], PNG).into_response(),
        None => error(Family::V4, StatusCode::NOT_FOUND, "Receipt not found", &h),
    }
}
