//! The HTTP API (axum): `/v1/*` behind bearer API keys, plus `/healthz`, `/readyz`,
//! `/metrics` and `/openapi.json`. Bodies follow `docs/model.md`; see `docs/service.md`.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::metrics::Metrics;
use crate::store::{CostQuery, Store, StoreError, is_bad_cursor};
use crate::sync::Scheduler;

/// Shared state of the HTTP API.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    scheduler: Arc<Scheduler>,
    metrics: Arc<Metrics>,
    key_hashes: Vec<[u8; 32]>,
}

impl AppState {
    /// State over a store, the scheduler (for manual triggers and connection list), metrics and
    /// the accepted API keys (only their SHA-256 is kept).
    pub fn new(
        store: Store,
        scheduler: Arc<Scheduler>,
        metrics: Arc<Metrics>,
        api_keys: &[SecretString],
    ) -> Self {
        let key_hashes = api_keys
            .iter()
            .map(|k| Sha256::digest(k.expose_secret().as_bytes()).into())
            .collect();
        Self {
            inner: Arc::new(Inner {
                store,
                scheduler,
                metrics,
                key_hashes,
            }),
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The metrics registry.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.inner.metrics
    }

    /// `true` when `presented` equals one of the keys; compares SHA-256 digests in constant
    /// time and always checks every key.
    fn key_ok(&self, presented: &str) -> bool {
        let h: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let mut ok = subtle::Choice::from(0);
        for k in &self.inner.key_hashes {
            ok |= k.ct_eq(&h);
        }
        bool::from(ok)
    }
}

/// An API error: status plus `{"error":{"code":…,"message":…}}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::UnknownConnection(c) => Self::not_found(format!("unknown connection {c}")),
            other => {
                tracing::error!(error = %other, "store error in API");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error (see the service log)",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"code": self.code, "message": self.message}});
        let mut resp = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"concur-smpd\""),
            );
        }
        resp
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// The router. Tests call it without a socket through `tower::ServiceExt::oneshot`.
pub fn app(state: AppState) -> Router {
    let v1 = Router::new()
        .route("/connections", get(list_connections))
        .route("/connections/{id}/sync", post(trigger_sync))
        .route("/services", get(list_services))
        .route("/services/{id}", get(get_service))
        .route("/costs", get(list_costs))
        .route("/unmatched", get(list_unmatched))
        .route("/findings", get(list_findings))
        .route("/sync-runs", get(list_sync_runs))
        .route("/owners/{login_id}/purge", post(purge_owner))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            require_api_key,
        ));
    Router::new()
        .nest("/v1", v1)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .fallback(|| async { ApiError::not_found("no such route") })
        .layer(middleware::from_fn_with_state(state.clone(), track_http))
        .with_state(state)
}

async fn require_api_key(
    State(state): State<AppState>,
    headers: HeaderMap,
    req: Request,
    next: Next,
) -> Response {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        });
    match presented {
        Some(k) if state.key_ok(k) => next.run(req).await,
        Some(_) => ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "invalid API key")
            .into_response(),
        None => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing API key: send `Authorization: Bearer <key>`",
        )
        .into_response(),
    }
}

async fn track_http(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let resp = next.run(req).await;
    state
        .metrics()
        .record_http(&method, &route, resp.status().as_u16(), start.elapsed());
    resp
}

/// `{"items": [...]}`.
#[derive(Serialize)]
struct Items<T> {
    items: Vec<T>,
}

/// An item with the connection it belongs to.
#[derive(Serialize)]
struct WithConnection<T> {
    connection_id: String,
    #[serde(flatten)]
    item: T,
}

#[derive(Deserialize)]
struct ConnectionFilter {
    connection: Option<String>,
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> Response {
    let store_ok = state.store().ping().await;
    let mut ready = store_ok.is_ok();
    let mut connections = Vec::new();
    if store_ok.is_ok() {
        match state.store().connections().await {
            Ok(list) => {
                for c in list {
                    if !state
                        .inner
                        .scheduler
                        .connections()
                        .iter()
                        .any(|h| h.id == c.id)
                    {
                        continue;
                    }
                    let permission_ok = c
                        .permissions
                        .as_ref()
                        .and_then(|p| p.get("ok"))
                        .and_then(serde_json::Value::as_bool)
                        .unwrap_or(true);
                    if !permission_ok {
                        ready = false;
                    }
                    connections.push(serde_json::json!({
                        "id": c.id,
                        "last_status": c.last_status,
                        "last_error": c.last_error,
                        "last_success_at": c.last_success_at,
                        "consecutive_failures": c.consecutive_failures,
                        "running": state.inner.scheduler.is_running(&c.id),
                        "permissions": c.permissions,
                    }));
                }
            }
            Err(_) => ready = false,
        }
    }
    let body = serde_json::json!({
        "ready": ready,
        "store": {
            "ok": store_ok.is_ok(),
            "backend": state.store().backend(),
            "error": store_ok.err().map(|_| "store unreachable"),
        },
        "connections": connections,
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

async fn metrics(State(state): State<AppState>) -> Response {
    let count = state.store().cost_count().await.ok();
    for h in state.inner.scheduler.connections() {
        let counters = h.provider.client_counters();
        if !counters.is_empty() {
            state.metrics().set_client_counters(&h.id, &counters);
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics().render(count),
    )
        .into_response()
}

async fn openapi() -> Json<serde_json::Value> {
    Json(crate::openapi::document())
}

async fn list_connections(
    State(state): State<AppState>,
) -> ApiResult<Json<Items<serde_json::Value>>> {
    let list = state.store().connections().await?;
    let mut items = Vec::new();
    for c in list {
        let Some(h) = state
            .inner
            .scheduler
            .connections()
            .iter()
            .find(|h| h.id == c.id)
        else {
            continue;
        };
        let mut v = serde_json::to_value(&c).map_err(|e| ApiError::bad_request(e.to_string()))?;
        if let Some(o) = v.as_object_mut() {
            o.insert("enabled".into(), h.enabled.into());
            o.insert(
                "running".into(),
                state.inner.scheduler.is_running(&c.id).into(),
            );
            o.insert("sync_interval_seconds".into(), h.interval.as_secs().into());
        }
        items.push(v);
    }
    Ok(Json(Items { items }))
}

async fn trigger_sync(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    if let Some(h) = state
        .inner
        .scheduler
        .connections()
        .iter()
        .find(|h| h.id == id)
        && !h.enabled
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            format!("connection {id} is disabled (enabled = false)"),
        ));
    }
    state.inner.scheduler.trigger(&id).await?;
    let body = serde_json::json!({
        "connection_id": id,
        "status": "queued",
        "running": state.inner.scheduler.is_running(&id),
    });
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

async fn list_services(
    State(state): State<AppState>,
    Query(f): Query<ConnectionFilter>,
) -> ApiResult<Json<Items<WithConnection<saas_discovery::Service>>>> {
    let items = state
        .store()
        .services(f.connection.as_deref(), None)
        .await?
        .into_iter()
        .map(|(connection_id, item)| WithConnection {
            connection_id,
            item,
        })
        .collect();
    Ok(Json(Items { items }))
}

async fn get_service(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(f): Query<ConnectionFilter>,
) -> ApiResult<Json<WithConnection<saas_discovery::Service>>> {
    let mut found = state
        .store()
        .services(f.connection.as_deref(), Some(&id))
        .await?;
    match found.len() {
        0 => Err(ApiError::not_found(format!("unknown service {id}"))),
        1 => {
            let (connection_id, item) = found.remove(0);
            Ok(Json(WithConnection {
                connection_id,
                item,
            }))
        }
        _ => Err(ApiError::bad_request(format!(
            "service {id} exists in several connections; add ?connection=<id>"
        ))),
    }
}

#[derive(Deserialize)]
struct CostParams {
    connection: Option<String>,
    service: Option<String>,
    owner: Option<String>,
    from: Option<String>,
    to: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

fn parse_date(name: &str, v: Option<String>) -> ApiResult<Option<NaiveDate>> {
    v.map(|s| {
        NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| {
            ApiError::bad_request(format!("`{name}` must be a date YYYY-MM-DD, got {s:?}"))
        })
    })
    .transpose()
}

async fn list_costs(
    State(state): State<AppState>,
    Query(p): Query<CostParams>,
) -> ApiResult<Response> {
    let limit = p
        .limit
        .map(|l| {
            l.parse::<u32>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| ApiError::bad_request("`limit` must be an integer from 1 to 1000"))
        })
        .transpose()?;
    if let Some(c) = &p.cursor
        && is_bad_cursor(c)
    {
        return Err(ApiError::bad_request(
            "`cursor` is not a cursor returned by this API",
        ));
    }
    let q = CostQuery {
        connection: p.connection,
        service: p.service,
        owner: p.owner,
        from: parse_date("from", p.from)?,
        to: parse_date("to", p.to)?,
        cursor: p.cursor,
        limit,
    };
    let page = state.store().costs(&q).await?;
    Ok(Json(page).into_response())
}

async fn list_unmatched(
    State(state): State<AppState>,
    Query(f): Query<ConnectionFilter>,
) -> ApiResult<Json<Items<WithConnection<saas_discovery::UnmatchedSpend>>>> {
    let items = state
        .store()
        .unmatched(f.connection.as_deref())
        .await?
        .into_iter()
        .map(|(connection_id, item)| WithConnection {
            connection_id,
            item,
        })
        .collect();
    Ok(Json(Items { items }))
}

async fn list_findings(
    State(state): State<AppState>,
    Query(f): Query<ConnectionFilter>,
) -> ApiResult<Json<Items<WithConnection<saas_discovery::Finding>>>> {
    let items = state
        .store()
        .findings(f.connection.as_deref())
        .await?
        .into_iter()
        .map(|(connection_id, item)| WithConnection {
            connection_id,
            item,
        })
        .collect();
    Ok(Json(Items { items }))
}

#[derive(Deserialize)]
struct RunParams {
    connection: Option<String>,
    limit: Option<String>,
}

async fn list_sync_runs(
    State(state): State<AppState>,
    Query(p): Query<RunParams>,
) -> ApiResult<Json<Items<crate::store::SyncRun>>> {
    let limit = match p.limit {
        Some(l) => l
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| ApiError::bad_request("`limit` must be an integer from 1 to 1000"))?,
        None => 50,
    };
    let items = state
        .store()
        .sync_runs(p.connection.as_deref(), limit)
        .await?;
    Ok(Json(Items { items }))
}

async fn purge_owner(
    State(state): State<AppState>,
    Path(login_id): Path<String>,
) -> ApiResult<Json<crate::store::PurgeResult>> {
    if login_id.trim().is_empty() {
        return Err(ApiError::bad_request("empty owner id"));
    }
    Ok(Json(state.store().purge_owner(&login_id).await?))
}
