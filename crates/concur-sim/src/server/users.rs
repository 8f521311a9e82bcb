//! Users v3.0 (`/api/v3.0/common/users`) and Identity v4 / v4.1 (SCIM) users.
//!
//! Sources: `src/api-explorer/v3-0/Users.swagger2.json`,
//! <https://developer.concur.com/api-reference/profile/v4.identity.html>, `v4.1.identity.html`.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::expense_v3::{Pos, Query, encode_offset, limit, offset};
use super::{AppState, Family, Principal, Shared, Tenant, authorize, error, respond};
use crate::config::ApiGroup;
use crate::data::User;

const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v3.0/common/users", get(users_v3))
        .route("/profile/identity/v4/Users", get(scim_v4))
        .route("/profile/identity/v4/Users/{id}", get(scim_get))
        .route("/profile/identity/v4.1/Users", get(scim_v41))
        .route(
            "/profile/identity/v4.1/Users/.search",
            post(scim_v41_search),
        )
        .route("/profile/identity/v4.1/Users/{id}", get(scim_get))
}

fn v3_user(st: &Shared, u: &User) -> Value {
    json!({
        "Active": true, "CellPhoneNumber": null, "EmployeeID": u.employee_id, "FirstName": u.first,
        "ID": u.uuid, "LastName": u.last, "LoginID": u.login, "MiddleName": null,
        "OrganizationUnit": u.country, "PrimaryEmail": u.login,
        "URI": format!("{}/api/v3.0/common/users?user={}", st.base_url, u.login),
    })
}

async fn users_v3(State(st): State<AppState>, h: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::Users, Family::V3) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let q = Query::parse(raw.as_deref());
    let lim = match limit(&q, &h, 100, 25) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let pos = match offset(&q, &h) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let f = |k: &str| q.get(k).filter(|s| !s.is_empty()).map(str::to_lowercase);
    let (login, email, emp, last) = (f("user"), f("primaryEmail"), f("employeeID"), f("lastName"));
    if q.get("active")
        .is_some_and(|a| a.eq_ignore_ascii_case("false"))
    {
        return respond(&h, &json!({"Items": [], "NextPage": null}), "Users", "User");
    }
    let all: Vec<usize> = (0..t.users.len())
        .filter(|&i| {
            let u = &t.users[i];
            (!matches!(p, Principal::User(me) if me as usize != i))
                && login.as_deref().is_none_or(|x| u.login.to_lowercase() == x)
                && email.as_deref().is_none_or(|x| u.login.to_lowercase() == x)
                && emp
                    .as_deref()
                    .is_none_or(|x| u.employee_id.to_lowercase() == x)
                && last.as_deref().is_none_or(|x| u.last.to_lowercase() == x)
        })
        .collect();
    let items: Vec<Value> = all
        .iter()
        .filter(|&&i| i >= pos.report)
        .take(lim)
        .map(|&i| v3_user(&st, &t.users[i]))
        .collect();
    let next = all.iter().filter(|&&i| i >= pos.report).nth(lim).map(|&i| {
        q.next_url(
            &st.base_url,
            "/api/v3.0/common/users",
            "offset",
            &encode_offset(Pos {
                report: i,
                page: pos.page + 1,
                ..Pos::default()
            }),
        )
    });
    respond(
        &h,
        &json!({"Items": items, "NextPage": next}),
        "Users",
        "User",
    )
}

fn scim_user(st: &Shared, t: &Tenant, u: &User, version: &str) -> Value {
    json!({
        "schemas": [CORE, ENTERPRISE],
        "id": u.uuid, "userName": u.login, "externalId": u.employee_id, "active": true,
        "displayName": format!("{} {}", u.first, u.last), "nickName": null, "title": null, "dateOfBirth": null,
        "name": {"givenName": u.first, "familyName": u.last, "formatted": format!("{} {}", u.first, u.last)},
        "emails": [{"value": u.login, "type": "work", "verified": true, "notifications": true}],
        "phoneNumbers": [], "addresses": [], "preferredLanguage": "en-US", "timezone": "UTC",
        ENTERPRISE: {"companyId": t.company_uuid, "employeeNumber": u.employee_id, "costCenter": null, "department": null,
                     "manager": null, "startDate": "2020-01-01T00:00:00.000", "terminationDate": null},
        "meta": {"resourceType": "User", "created": "2020-01-01T00:00:00.000000Z", "lastModified": "2026-01-01T00:00:00.000000Z",
                 "version": 1, "location": format!("{}/profile/identity/{version}/Users/{}", st.base_url, u.uuid)},
    })
}

fn company_only(p: Principal, h: &HeaderMap) -> Result<(), Response> {
    if matches!(p, Principal::User(_)) {
        Err(error(
            Family::Scim,
            StatusCode::FORBIDDEN,
            "Identity v4 requires a company token",
            h,
        ))
    } else {
        Ok(())
    }
}

/// Supports `userName eq "x"`, `employeeNumber eq "x"`, `externalId eq "x"`, `active eq true`.
fn filter_ok(u: &User, filter: Option<&str>) -> bool {
    let Some(f) = filter.map(str::trim).filter(|f| !f.is_empty()) else {
        return true;
    };
    let mut parts = f.splitn(3, ' ');
    let (attr, op, val) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    if !op.eq_ignore_ascii_case("eq") {
        return false;
    }
    let val = val.trim_matches('"');
    match attr {
        "userName" => u.login.eq_ignore_ascii_case(val),
        "employeeNumber" | "externalId" => u.employee_id == val,
        "active" => val == "true",
        _ => false,
    }
}

async fn scim_v4(State(st): State<AppState>, h: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::Users, Family::Scim) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Err(r) = company_only(p, &h) {
        return r;
    }
    let q = Query::parse(raw.as_deref());
    let start: usize = q
        .get("startIndex")
        .and_then(|s| s.parse().ok())
        .filter(|&s| s >= 1)
        .unwrap_or(1);
    let count: usize = match q.get("count").map(str::parse::<usize>) {
        None => 10,
        Some(Ok(c)) if c <= 100 => c,
        _ => {
            return error(
                Family::Scim,
                StatusCode::BAD_REQUEST,
                "count must be between 0 and 100",
                &h,
            );
        }
    };
    let all: Vec<&User> = t
        .users
        .iter()
        .filter(|u| filter_ok(u, q.get("filter")))
        .collect();
    let res: Vec<Value> = all
        .iter()
        .skip(start - 1)
        .take(count)
        .map(|u| scim_user(&st, t, u, "v4"))
        .collect();
    Json(json!({"schemas": [LIST], "totalResults": all.len(), "startIndex": start, "itemsPerPage": res.len(), "Resources": res})).into_response()
}

fn v41(
    st: &Shared,
    t: &Tenant,
    h: &HeaderMap,
    filter: Option<&str>,
    count: Option<usize>,
    cursor: Option<&str>,
) -> Response {
    let count = count.unwrap_or(100);
    if count > 1000 {
        return error(
            Family::Scim,
            StatusCode::BAD_REQUEST,
            "count must be at most 1000",
            h,
        );
    }
    let start = match cursor.filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => match URL_SAFE_NO_PAD
            .decode(c)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix("cur:").and_then(|n| n.parse().ok()))
        {
            Some(n) => n,
            None => return error(Family::Scim, StatusCode::BAD_REQUEST, "invalid cursor", h),
        },
    };
    let all: Vec<&User> = t.users.iter().filter(|u| filter_ok(u, filter)).collect();
    let res: Vec<Value> = all
        .iter()
        .skip(start)
        .take(count)
        .map(|u| scim_user(st, t, u, "v4.1"))
        .collect();
    let mut body = json!({"schemas": [LIST], "totalResults": all.len(), "itemsPerPage": res.len(), "Resources": res});
    if start + count < all.len() {
        body["nextCursor"] = json!(URL_SAFE_NO_PAD.encode(format!("cur:{}", start + count)));
    }
    Json(body).into_response()
}

async fn scim_v41(State(st): State<AppState>, h: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::Users, Family::Scim) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Err(r) = company_only(p, &h) {
        return r;
    }
    let q = Query::parse(raw.as_deref());
    if q.get("startIndex").is_some() {
        return error(
            Family::Scim,
            StatusCode::BAD_REQUEST,
            "startIndex is not supported; use cursor",
            &h,
        );
    }
    let count = match q.get("count").map(str::parse::<usize>) {
        None => None,
        Some(Ok(c)) => Some(c),
        Some(Err(_)) => {
            return error(
                Family::Scim,
                StatusCode::BAD_REQUEST,
                "count must be a number",
                &h,
            );
        }
    };
    v41(&st, t, &h, q.get("filter"), count, q.get("cursor"))
}

async fn scim_v41_search(
    State(st): State<AppState>,
    h: HeaderMap,
    Json(b): Json<Value>,
) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::Users, Family::Scim) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Err(r) = company_only(p, &h) {
        return r;
    }
    let count = b
        .get("count")
        .and_then(Value::as_u64)
        .and_then(|c| usize::try_from(c).ok());
    v41(
        &st,
        t,
        &h,
        b.get("filter").and_then(Value::as_str),
        count,
        b.get("cursor").and_then(Value::as_str),
    )
}

async fn scim_get(
    State(st): State<AppState>,
    h: HeaderMap,
    uri: axum::http::Uri,
    Path(id): Path<String>,
) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::Users, Family::Scim) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Err(r) = company_only(p, &h) {
        return r;
    }
    let version = if uri.path().contains("/v4.1/") {
        "v4.1"
    } else {
        "v4"
    };
    match t.users.iter().find(|u| u.uuid.eq_ignore_ascii_case(&id)) {
        Some(u) => Json(scim_user(&st, t, u, version)).into_response(),
        None => error(Family::Scim, StatusCode::NOT_FOUND, "User not found", &h),
    }
}
