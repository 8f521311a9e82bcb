//! `/oauth2/v0/token` (password, authtoken, refresh with rotation, client_credentials), the
//! legacy `/net2/oauth2/accesstoken.ashx` flow and `DELETE /app-mgmt/v0/connections`
//! (revoke a user's refresh tokens).
//!
//! Source: <https://developer.concur.com/api-reference/authentication/apidoc.html>,
//! `company-auth.html`, `authorization-pre-2017.html`.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Form, Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::json;

use super::{AppState, Principal, Shared, TokenInfo};
use crate::config::DEMO_PASSWORD;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/oauth2/v0/token", post(token))
        .route("/net2/oauth2/accesstoken.ashx", get(legacy))
        .route("/app-mgmt/v0/connections", delete(revoke_connections))
}

/// `DELETE /app-mgmt/v0/connections` with the user's Bearer token: revokes every refresh token
/// of that principal (same tenant) for the app; later refreshes get 400 `invalid_grant` 108.
/// `204` on success, `401` `invalid_token` for a missing, unknown or expired access token.
async fn revoke_connections(State(st): State<AppState>, headers: HeaderMap) -> Response {
    match st.token(&headers) {
        Some((info, true)) => {
            st.refresh
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .retain(|_, (tenant, principal)| {
                    !(*tenant == info.tenant && *principal == info.principal)
                });
            StatusCode::NO_CONTENT.into_response()
        }
        _ => oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "missing, unknown or expired access token",
            0,
        ),
    }
}

fn oauth_error(status: StatusCode, error: &str, description: &str, code: u32) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description, "code": code})),
    )
        .into_response()
}

/// Issue an access token (JWT-shaped, unsigned: `header.claims.random`).
pub(crate) fn issue_access(st: &Shared, tenant: usize, principal: Principal) -> (String, u64) {
    let t = &st.tenants[tenant];
    let mut lifetime = st.config.access_token_lifetime;
    if let Some(s) = t.cfg.faults.token_expiry_secs {
        lifetime = lifetime.min(Duration::from_secs(s));
    }
    let serial = st.next_serial();
    let sub = match principal {
        Principal::User(u) => t
            .users
            .get(u as usize)
            .map(|u| u.uuid.clone())
            .unwrap_or_default(),
        _ => t.company_uuid.clone(),
    };
    let now = chrono::Utc::now().timestamp();
    let claims = json!({
        "iss": st.base_url, "sub": sub, "aud": "*", "iat": now,
        "exp": now + i64::try_from(lifetime.as_secs()).unwrap_or(3600),
        "concur.type": if matches!(principal, Principal::Company) { "company" } else { "user" },
        "concur.version": 3, "jti": serial,
    });
    let head = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT","kid":"concur-sim"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    let sig =
        URL_SAFE_NO_PAD.encode(crate::generator::mix(serial, tenant as u64, 77).to_le_bytes());
    let token = format!("{head}.{body}.{sig}");
    let expires = st.clock.now() + lifetime;
    st.tokens
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(
            token.clone(),
            TokenInfo {
                tenant,
                principal,
                expires,
            },
        );
    (token, lifetime.as_secs())
}

fn issue_refresh(st: &Shared, tenant: usize, principal: Principal) -> String {
    let serial = st.next_serial();
    let tok = format!(
        "sim-rt-{:016x}{:016x}",
        crate::generator::mix(serial, 1, 2),
        crate::generator::mix(serial, 3, 4)
    );
    st.refresh
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(tok.clone(), (tenant, principal));
    tok
}

fn token_response(
    st: &Shared,
    tenant: usize,
    principal: Principal,
    with_refresh: bool,
) -> Response {
    let (access, secs) = issue_access(st, tenant, principal);
    let mut body = json!({
        "expires_in": secs.to_string(),
        "scope": "EXPRPT LIST IMAGE USER INVPMT INVVEN expense.report.read identity.user.core.read spend.list.read",
        "token_type": "Bearer",
        "access_token": access,
        "geolocation": st.base_url,
    });
    if with_refresh {
        let rt = issue_refresh(st, tenant, principal);
        body["refresh_token"] = json!(rt);
        body["refresh_expires_in"] = json!(chrono::Utc::now().timestamp() + 180 * 86_400);
        body["id_token"] = json!(format!(
            "{}.idtoken",
            access.split('.').take(2).collect::<Vec<_>>().join(".")
        ));
    }
    (StatusCode::OK, Json(body)).into_response()
}

async fn token(State(st): State<AppState>, Form(form): Form<HashMap<String, String>>) -> Response {
    let f = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    if f("client_id").is_empty() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id is missing",
            62,
        );
    }
    if f("client_secret").is_empty() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_secret is missing",
            63,
        );
    }
    if f("client_id") != st.config.client_id || f("client_secret") != st.config.client_secret {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client not found",
            61,
        );
    }
    match f("grant_type") {
        "password" => {
            let (user, pass) = (f("username"), f("password"));
            match f("credtype") {
                "" | "password" => {
                    for (ti, t) in st.tenants.iter().enumerate() {
                        if pass != DEMO_PASSWORD {
                            break;
                        }
                        if t.admin_login.eq_ignore_ascii_case(user) {
                            return token_response(&st, ti, Principal::Admin, true);
                        }
                        if let Some(u) = t.user_index(user) {
                            return token_response(&st, ti, Principal::User(u), true);
                        }
                    }
                    oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "Incorrect Credentials. Please Retry",
                        5,
                    )
                }
                "authtoken" => {
                    for (ti, t) in st.tenants.iter().enumerate() {
                        if t.company_uuid.eq_ignore_ascii_case(user) && t.request_token == pass {
                            return token_response(&st, ti, Principal::Company, true);
                        }
                    }
                    oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "Incorrect Credentials. Please Retry",
                        5,
                    )
                }
                _ => oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "credtype is invalid",
                    120,
                ),
            }
        }
        "refresh_token" => {
            let rt = f("refresh_token");
            if rt.is_empty() {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "refresh_token is missing",
                    106,
                );
            }
            // rotation: the presented refresh token stops working
            let found = st
                .refresh
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(rt);
            match found {
                Some((ti, p)) => token_response(&st, ti, p, true),
                None => oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Invalid refresh token",
                    108,
                ),
            }
        }
        "client_credentials" => token_response(&st, 0, Principal::App, false),
        "" => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "grant_type is missing",
            65,
        ),
        _ => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type is not supported",
            65,
        ),
    }
}

/// Legacy native flow: `GET /net2/oauth2/accesstoken.ashx` with `X-ConsumerKey` and Basic auth.
async fn legacy(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let key = headers
        .get("x-consumerkey")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let fail = |m: &str| super::error(super::Family::V3, StatusCode::UNAUTHORIZED, m, &headers);
    if key != crate::config::DEMO_CONSUMER_KEY {
        return fail("Invalid consumer key");
    }
    let Some((login, pass)) = basic.as_deref().and_then(|b| b.split_once(':')) else {
        return fail("Missing Basic credentials");
    };
    if pass != DEMO_PASSWORD {
        return fail("Incorrect credentials");
    }
    let mut found = None;
    for (ti, t) in st.tenants.iter().enumerate() {
        if t.admin_login.eq_ignore_ascii_case(login) {
            found = Some((ti, Principal::Admin));
        } else if let Some(u) = t.user_index(login) {
            found = Some((ti, Principal::User(u)));
        }
        if found.is_some() {
            break;
        }
    }
    let Some((ti, p)) = found else {
        return fail("Incorrect credentials");
    };
    let (tok, _) = issue_access(&st, ti, p);
    let rt = issue_refresh(&st, ti, p);
    let exp = (chrono::Utc::now() + chrono::Duration::days(365))
        .format("%-m/%-d/%Y %-I:%M:%S %p")
        .to_string();
    let base = format!("{}/", st.base_url);
    if super::wants_json(&headers) {
        Json(json!({"Access_Token": {"Instance_Url": base, "Token": tok, "Expiration_date": exp, "Refresh_Token": rt}}))
            .into_response()
    } else {
        let body = format!(
            "<?xml version=\"1.0\"?>\n<Access_Token>\n   <Instance_Url>{}</Instance_Url>\n   <Token>{}</Token>\n   <Expiration_date>{}</Expiration_date>\n   <Refresh_Token>{}</Refresh_Token>\n</Access_Token>",
            super::xml::escape(&base),
            super::xml::escape(&tok),
            exp,
            super::xml::escape(&rt)
        );
        ([(header::CONTENT_TYPE, "application/xml")], body).into_response()
    }
}
