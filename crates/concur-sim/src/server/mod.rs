//! The axum application: shared state, middleware (correlation id, faults), content negotiation
//! and each API family's error bodies.
#![allow(clippy::result_large_err)] // axum handlers return Response as the error type

pub(crate) mod auth;
pub(crate) mod expense_v3;
pub(crate) mod imaging;
pub(crate) mod invoice;
pub(crate) mod lists;
pub(crate) mod users;
pub(crate) mod v4;
pub(crate) mod xml;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDateTime, NaiveTime};
use serde_json::{Value, json};

use crate::config::{ApiGroup, SimConfig, TenantConfig};
use crate::data::{Data, User};

/// Simulated clock: real elapsed time plus a manual offset ([`crate::SimServer::advance_time`]).
#[derive(Debug)]
pub(crate) struct Clock {
    start: Instant,
    offset: Mutex<Duration>,
}

impl Clock {
    pub(crate) fn new() -> Self {
        Self {
            start: Instant::now(),
            offset: Mutex::new(Duration::ZERO),
        }
    }
    /// Time since server start, including manual advances.
    pub(crate) fn now(&self) -> Duration {
        let off = *self
            .offset
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.start.elapsed() + off
    }
    pub(crate) fn advance(&self, d: Duration) {
        *self
            .offset
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) += d;
    }
}

/// Mutations applied over generated data.
#[derive(Clone, Debug, Default)]
pub(crate) struct Override {
    pub deleted: bool,
    pub recalled: bool,
    pub modified: Option<NaiveDateTime>,
}

/// Who a token belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Principal {
    /// The tenant's Web Services admin.
    Admin,
    /// An employee (index into users).
    User(u32),
    /// Company token (credtype=authtoken).
    Company,
    /// App token (client_credentials).
    App,
}

impl Principal {
    pub(crate) fn is_admin(self) -> bool {
        !matches!(self, Principal::User(_))
    }
}

#[derive(Clone, Debug)]
pub(crate) struct TokenInfo {
    pub tenant: usize,
    pub principal: Principal,
    pub expires: Duration,
}

/// One served tenant.
pub(crate) struct Tenant {
    pub cfg: TenantConfig,
    pub data: Data,
    pub users: Vec<User>,
    pub admin_login: String,
    pub company_uuid: String,
    pub request_token: String,
    pub requests: AtomicU64,
    pub overrides: RwLock<HashMap<usize, Override>>,
    pub modify_fired: AtomicBool,
    pub extra: Mutex<TenantState>,
}

/// Mutable per-tenant state of the write APIs (lists etc.).
#[derive(Debug, Default)]
pub(crate) struct TenantState {
    pub lists: Vec<Value>,
    pub items: Vec<Value>,
    pub lists_seeded: bool,
}

impl Tenant {
    pub(crate) fn has(&self, g: ApiGroup) -> bool {
        self.cfg.groups.contains(&g)
    }
    pub(crate) fn user_index(&self, login: &str) -> Option<u32> {
        self.users
            .iter()
            .position(|u| u.login.eq_ignore_ascii_case(login))
            .and_then(|p| u32::try_from(p).ok())
    }
    pub(crate) fn override_of(&self, i: usize) -> Option<Override> {
        self.overrides
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&i)
            .cloned()
    }
    pub(crate) fn set_override(&self, i: usize, f: impl FnOnce(&mut Override)) {
        let mut g = self
            .overrides
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(g.entry(i).or_default());
    }
}

/// Shared server state.
pub(crate) struct Shared {
    pub base_url: String,
    pub config: SimConfig,
    pub tenants: Vec<Tenant>,
    pub tokens: Mutex<HashMap<String, TokenInfo>>,
    pub refresh: Mutex<HashMap<String, (usize, Principal)>>,
    pub clock: Clock,
    pub serial: AtomicU64,
}

pub(crate) type AppState = Arc<Shared>;

impl Shared {
    /// The data's simulated "now": the configured day at 12:00 plus elapsed simulated time.
    pub(crate) fn data_now(&self) -> NaiveDateTime {
        let base = self
            .config
            .now
            .and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default());
        base + chrono::Duration::from_std(self.clock.now()).unwrap_or_default()
    }
    pub(crate) fn next_serial(&self) -> u64 {
        self.serial.fetch_add(1, Ordering::Relaxed)
    }
    /// Resolve the bearer token of a request.
    pub(crate) fn token(&self, headers: &HeaderMap) -> Option<(TokenInfo, bool)> {
        let h = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
        let (scheme, tok) = h.split_once(' ')?;
        if !(scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth")) {
            return None;
        }
        let info = self
            .tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(tok.trim())
            .cloned()?;
        let valid = info.expires > self.clock.now();
        Some((info, valid))
    }
}

/// API family, for error bodies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    /// v1/v3 web services: `{Message, Server-Time, Id}` or `<Error>`.
    V3,
    /// Expense v4: `{timestamp, httpStatus, errorMessage, errorId, ...}`.
    V4,
    /// List v4: `{timestamp, httpStatus, error{id,message}, ...}`.
    List,
    /// SCIM: `{schemas, scimType, detail, status}`.
    Scim,
    /// Image v1 (XML only).
    Image,
}

pub(crate) fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("json"))
}

/// An error in the family's own shape.
pub(crate) fn error(
    family: Family,
    status: StatusCode,
    message: &str,
    headers: &HeaderMap,
) -> Response {
    let id = uuid::Uuid::new_v4().to_string().to_uppercase();
    let server_time = chrono::Utc::now()
        .naive_utc()
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    match family {
        Family::V3 | Family::Image => {
            if family == Family::V3 && wants_json(headers) {
                (status, axum::Json(json!({"Message": message, "Server-Time": server_time, "Id": id}))).into_response()
            } else {
                let body = format!(
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Message>{}</Message><Server-Time>{server_time}</Server-Time><Id>{id}</Id></Error>",
                    xml::escape(message)
                );
                (status, [(header::CONTENT_TYPE, "application/xml")], body).into_response()
            }
        }
        Family::V4 => (
            status,
            axum::Json(json!({
                "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "httpStatus": format!("{} - {}", status.as_u16(), status.canonical_reason().unwrap_or("")),
                "errorMessage": message,
                "errorId": id,
                "validationErrors": [],
                "customResponseData": null,
                "path": null
            })),
        )
            .into_response(),
        Family::List => (
            status,
            axum::Json(json!({
                "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "httpStatus": format!("{} - {}", status.as_u16(), status.canonical_reason().unwrap_or("")),
                "error": {"id": list_error_id(status), "message": message},
                "validationErrors": [],
                "path": null
            })),
        )
            .into_response(),
        Family::Scim => (
            status,
            axum::Json(json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "scimType": null,
                "detail": message,
                "status": status.as_u16().to_string()
            })),
        )
            .into_response(),
    }
}

fn list_error_id(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "security.authentication.failed",
        403 => "security.access.denied",
        404 => "list.not.found",
        429 => "security.rate.limit.reached",
        _ => "request.validation.error",
    }
}

/// Authorize a request: token present and valid, group enabled. Returns the tenant and principal.
pub(crate) fn authorize<'a>(
    st: &'a Shared,
    headers: &HeaderMap,
    group: ApiGroup,
    family: Family,
) -> Result<(&'a Tenant, usize, Principal), Response> {
    let Some((info, valid)) = st.token(headers) else {
        return Err(error(
            family,
            StatusCode::UNAUTHORIZED,
            "Missing or invalid access token",
            headers,
        ));
    };
    if !valid {
        return Err(error(
            family,
            StatusCode::UNAUTHORIZED,
            "The access token has expired",
            headers,
        ));
    }
    let tenant = &st.tenants[info.tenant];
    if !tenant.has(group) {
        return Err(error(
            family,
            StatusCode::FORBIDDEN,
            &format!(
                "Forbidden: the company has not enabled the {} API group for this application",
                group.name()
            ),
            headers,
        ));
    }
    Ok((tenant, info.tenant, info.principal))
}

async fn correlation(req: Request, next: Next) -> Response {
    let cid = req
        .headers()
        .get("concur-correlationid")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let mut resp = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&cid) {
        resp.headers_mut().insert("concur-correlationid", v);
    }
    resp
}

fn family_of(path: &str) -> Family {
    if path.starts_with("/expensereports/") {
        Family::V4
    } else if path.starts_with("/list/") {
        Family::List
    } else if path.starts_with("/profile/") {
        Family::Scim
    } else if path.starts_with("/api/image/") {
        Family::Image
    } else {
        Family::V3
    }
}

/// Fault injection (API requests only; `/oauth2/v0/token` and legacy token calls are not
/// counted).
async fn faults(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/oauth2/") || path.starts_with("/net2/") {
        return next.run(req).await;
    }
    let tenant_idx = st.token(req.headers()).map_or(0, |(t, _)| t.tenant);
    let Some(tenant) = st.tenants.get(tenant_idx) else {
        return next.run(req).await;
    };
    let n = tenant.requests.fetch_add(1, Ordering::SeqCst) + 1;
    let f = &tenant.cfg.faults;
    if let Some(d) = f.latency {
        tokio::time::sleep(d).await;
    }
    if let Some(m) = f.modify_during_crawl
        && n > m.after_requests
        && !tenant.modify_fired.swap(true, Ordering::SeqCst)
    {
        let now = st.data_now();
        tenant.set_override(m.report_index, |o| o.modified = Some(now));
    }
    let family = family_of(&path);
    if let Some(rl) = f.rate_limit
        && rl.every > 0
        && (n - 1) % rl.every >= rl.every.saturating_sub(rl.burst)
    {
        let mut r = error(
            family,
            StatusCode::TOO_MANY_REQUESTS,
            "Too Many Requests",
            req.headers(),
        );
        if let Ok(v) = HeaderValue::from_str(&rl.retry_after.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    let seeded_5xx = f.server_error_permille.is_some_and(|(p, seed)| {
        let x = crate::generator::mix(seed, n, 0x5EED);
        (x % 1000) < u64::from(p)
    });
    if seeded_5xx || f.server_error_every.is_some_and(|k| k > 0 && n % k == 0) {
        return error(
            family,
            StatusCode::SERVICE_UNAVAILABLE,
            "Service Unavailable",
            req.headers(),
        );
    }
    if f.drop_connection_every.is_some_and(|k| k > 0 && n % k == 0) {
        // headers go out, then the body fails: the client sees the connection drop mid-response
        let stream = futures::stream::once(async {
            Err::<axum::body::Bytes, std::io::Error>(std::io::Error::other(
                "simulated dropped connection",
            ))
        });
        return Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from_stream(stream))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    next.run(req).await
}

/// Build the router.
pub(crate) fn router(st: AppState) -> Router {
    Router::new()
        .merge(auth::routes())
        .merge(expense_v3::routes())
        .merge(v4::routes())
        .merge(invoice::routes())
        .merge(imaging::routes())
        .merge(lists::routes())
        .merge(users::routes())
        .layer(middleware::from_fn_with_state(st.clone(), faults))
        .layer(middleware::from_fn(correlation))
        .with_state(st)
}

/// Serialize a JSON body (already shaped) or its XML rendering.
pub(crate) fn respond(headers: &HeaderMap, value: &Value, root: &str, item: &str) -> Response {
    if wants_json(headers) {
        match serde_json::to_vec(value) {
            Ok(b) => (
                [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
                b,
            )
                .into_response(),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    } else {
        let body = xml::to_xml(root, item, value);
        (
            [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
            body,
        )
            .into_response()
    }
}

/// Serialize a typed value as JSON (field order kept) or XML.
pub(crate) fn respond_typed<T: serde::Serialize>(
    headers: &HeaderMap,
    value: &T,
    root: &str,
    item: &str,
) -> Response {
    if wants_json(headers) {
        match serde_json::to_vec(value) {
            Ok(b) => (
                [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
                b,
            )
                .into_response(),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    } else {
        let v = serde_json::to_value(value).unwrap_or_default();
        respond(headers, &v, root, item)
    }
}
