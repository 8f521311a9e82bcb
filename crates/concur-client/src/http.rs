//! Transport: the one place every request goes through.
//!
//! Every call, the token endpoint included, is sent by one retry loop that
//!
//! * sends `Accept: application/json` (unless the request asks for another type), the pinned
//!   `Accept-Language` (default `en-US`) and `User-Agent: concur-client/<version>`;
//! * waits for the optional client-wide rate limiter (governor) and for the client-wide
//!   "not before" instant that a 429 sets (a 429 slows the whole client, not one request);
//! * retries idempotent requests on 408, 429, 5xx and connection errors with exponential
//!   backoff and jitter (backon), honouring `Retry-After` with a floor (default 1 s), each wait
//!   capped (default 30 s) and the total capped (default 60 s); at most
//!   [`RetryConfig::max_attempts`] attempts (default 4). Non-idempotent POSTs and 4xx are never
//!   retried;
//! * counts calls, retries, 429s and errors in [`Metrics`];
//! * opens a `concur.http` tracing span with the method, path, attempt, status and
//!   `concur-correlationid` (never a header value or a body).
//!
//! On top of that, [`Request::send`] adds the token (refreshing it once, single flight, on a 401
//! or v3's 403), resolves the path against the token's base URL, enforces the
//! [trust rule](crate::trust) and turns error statuses into [`Error`]s.
//!
//! [`Request`] is also the raw escape hatch: `client.raw().get("api/v3.0/...").query(..).send_json::<T>()`.

use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use backon::BackoffBuilder;
use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{
    ACCEPT, ACCEPT_LANGUAGE, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument as _;
use url::Url;

use crate::client::Client;
use crate::error::{ApiErrorDetail, Error, Result, decode_error_body};
use crate::trust::{self, Origin};

/// The correlation id header Concur sets on every response (case varies; matched case-insensitively).
pub const CORRELATION_ID_HEADER: &str = "concur-correlationid";

/// Retry policy. Defaults: 4 attempts, backoff from 250 ms doubling with jitter, each wait at
/// most 30 s, at most 60 s of waiting in all, `Retry-After` floor 1 s.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Maximum attempts per request, the first included (minimum 1).
    pub max_attempts: u32,
    /// First backoff delay (doubles each retry, plus jitter).
    pub min_delay: Duration,
    /// Cap on any single wait (also caps a long `Retry-After`).
    pub max_delay: Duration,
    /// Cap on the sum of all waits for one request; a retry that would exceed it is not made.
    pub max_total_delay: Duration,
    /// Minimum wait after a response with `Retry-After` (and after any 429), even `Retry-After: 0`.
    pub retry_after_floor: Duration,
    /// Whether to add random jitter to the exponential backoff.
    pub jitter: bool,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            min_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
            max_total_delay: Duration::from_secs(60),
            retry_after_floor: Duration::from_secs(1),
            jitter: true,
        }
    }
}

impl RetryConfig {
    /// No retries at all (one attempt).
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }
    /// Sets [`Self::max_attempts`].
    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }
    /// Sets [`Self::min_delay`].
    pub fn with_min_delay(mut self, d: Duration) -> Self {
        self.min_delay = d;
        self
    }
    /// Sets [`Self::max_delay`].
    pub fn with_max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }
    /// Sets [`Self::max_total_delay`].
    pub fn with_max_total_delay(mut self, d: Duration) -> Self {
        self.max_total_delay = d;
        self
    }
    /// Sets [`Self::retry_after_floor`].
    pub fn with_retry_after_floor(mut self, d: Duration) -> Self {
        self.retry_after_floor = d;
        self
    }
    /// Sets [`Self::jitter`].
    pub fn with_jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }
}

/// Client-wide counters (atomic, shared by all clones of a [`Client`]).
/// Used by the discovery statistics and the service's `/metrics`.
#[derive(Debug, Default)]
pub struct Metrics {
    calls: AtomicU64,
    retries: AtomicU64,
    throttled: AtomicU64,
    errors: AtomicU64,
    token_refreshes: AtomicU64,
}

/// A point-in-time copy of [`Metrics`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct MetricsSnapshot {
    /// HTTP requests sent (every attempt, token calls included).
    pub calls: u64,
    /// Attempts that were retries of an earlier attempt.
    pub retries: u64,
    /// Responses with status 429.
    pub throttled: u64,
    /// Requests that ended in an error returned to the caller.
    pub errors: u64,
    /// Tokens obtained or refreshed.
    pub token_refreshes: u64,
}

impl Metrics {
    /// Reads all counters.
    pub fn snapshot(&self) -> MetricsSnapshot {
        MetricsSnapshot {
            calls: self.calls.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            token_refreshes: self.token_refreshes.load(Ordering::Relaxed),
        }
    }
    /// HTTP requests sent.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }
    /// Retries made.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }
    /// 429 responses seen.
    pub fn throttled(&self) -> u64 {
        self.throttled.load(Ordering::Relaxed)
    }
    /// Errors returned.
    pub fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }
    /// Tokens obtained or refreshed.
    pub fn token_refreshes(&self) -> u64 {
        self.token_refreshes.load(Ordering::Relaxed)
    }
    pub(crate) fn record_error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn record_token_refresh(&self) {
        self.token_refreshes.fetch_add(1, Ordering::Relaxed);
    }
}

/// A response as received (any status), with its body read.
#[derive(Clone)]
pub struct RawResponse {
    /// HTTP status code.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// `METHOD /path` of the request.
    pub endpoint: String,
    /// The `concur-correlationid` header, if present.
    pub correlation_id: Option<String>,
}

impl std::fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("endpoint", &self.endpoint)
            .field("correlation_id", &self.correlation_id)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl RawResponse {
    /// Decodes the body as JSON. An empty body decodes as JSON `null` (for `Option<T>` / `()`).
    ///
    /// # Errors
    /// [`Error::Decode`] naming the JSON path (via `serde_path_to_error`) and the endpoint.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        decode_json(&self.body, &self.endpoint)
    }

    /// Decodes the body as XML with quick-xml's serde support (Image v1 and other XML-only
    /// endpoints).
    ///
    /// # Errors
    /// [`Error::Decode`] with the endpoint.
    pub fn xml<T: DeserializeOwned>(&self) -> Result<T> {
        let text = String::from_utf8_lossy(&self.body);
        quick_xml::de::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| Error::Decode {
            endpoint: self.endpoint.clone(),
            path: ".".into(),
            message: e.to_string(),
        })
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A response header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Decodes JSON with the path of the first offending value in the error.
pub(crate) fn decode_json<T: DeserializeOwned>(body: &[u8], endpoint: &str) -> Result<T> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let body: &[u8] = if body.trim_ascii().is_empty() {
        b"null"
    } else {
        body
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| Error::Decode {
        endpoint: endpoint.to_owned(),
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

/// Decodes one JSON value with the path in errors prefixed by `prefix` (e.g. `Items[3]`).
pub(crate) fn decode_value<T: DeserializeOwned>(
    value: serde_json::Value,
    endpoint: &str,
    prefix: &str,
) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let path = if inner == "." {
            prefix.to_owned()
        } else {
            format!("{prefix}.{inner}")
        };
        Error::Decode {
            endpoint: endpoint.to_owned(),
            path,
            message: e.inner().to_string(),
        }
    })
}

/// Maps an error status to an [`Error`] (`api_group` names the API in permission errors).
pub(crate) fn status_error(resp: &RawResponse, api_group: &'static str) -> Error {
    let mut d = ApiErrorDetail {
        status: resp.status,
        endpoint: resp.endpoint.clone(),
        correlation_id: resp.correlation_id.clone(),
        ..Default::default()
    };
    decode_error_body(&mut d, &resp.body);
    let d = Box::new(d);
    match resp.status {
        401 => Error::Authentication(d),
        403 => Error::Permission {
            api_group,
            detail: d,
        },
        404 => Error::NotFound(d),
        429 => Error::Throttled {
            retry_after: retry_after(&resp.headers),
            detail: d,
            attempts: 1,
        },
        408 | 500..=599 => Error::Server {
            detail: d,
            attempts: 1,
        },
        _ => Error::InvalidRequest(d),
    }
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(86_400.0)));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

fn correlation_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CORRELATION_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Percent-encodes one path segment: everything except `A-Z a-z 0-9 - . _ ~` (so a v3 id's
/// `$` becomes `%24`, `/` becomes `%2F`).
pub fn encode_segment(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

// ---------------------------------------------------------------------------------------------
// The transport (internal).

pub(crate) struct Outgoing {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Bytes>,
    pub(crate) idempotent: bool,
    pub(crate) endpoint: String,
}

pub(crate) struct TransportConfig {
    pub(crate) http: reqwest::Client,
    pub(crate) retry: RetryConfig,
    pub(crate) accept_language: HeaderValue,
    pub(crate) request_timeout: Duration,
    pub(crate) rate_limit: Option<NonZeroU32>,
    pub(crate) explicit: Vec<Origin>,
    pub(crate) base: Url,
}

pub(crate) struct Transport {
    http: reqwest::Client,
    retry: RetryConfig,
    accept_language: HeaderValue,
    user_agent: HeaderValue,
    request_timeout: Duration,
    limiter: Option<governor::DefaultDirectRateLimiter>,
    not_before: Mutex<Option<tokio::time::Instant>>,
    metrics: Metrics,
    explicit: Vec<Origin>,
    base: Url,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base", &self.base.as_str())
            .field("retry", &self.retry)
            .field("accept_language", &self.accept_language)
            .field("request_timeout", &self.request_timeout)
            .field("rate_limited", &self.limiter.is_some())
            .field("metrics", &self.metrics.snapshot())
            .finish()
    }
}

impl Transport {
    pub(crate) fn new(c: TransportConfig) -> Self {
        Self {
            http: c.http,
            retry: c.retry,
            accept_language: c.accept_language,
            user_agent: HeaderValue::from_static(concat!(
                "concur-client/",
                env!("CARGO_PKG_VERSION")
            )),
            request_timeout: c.request_timeout,
            limiter: c
                .rate_limit
                .map(|n| governor::RateLimiter::direct(governor::Quota::per_second(n))),
            not_before: Mutex::new(None),
            metrics: Metrics::default(),
            explicit: c.explicit,
            base: c.base,
        }
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    pub(crate) fn configured_base(&self) -> &Url {
        &self.base
    }

    pub(crate) fn is_trusted(&self, url: &Url) -> bool {
        trust::is_trusted(url, &self.explicit)
    }

    fn throttle_until(&self, until: tokio::time::Instant) {
        if let Ok(mut g) = self.not_before.lock()
            && g.is_none_or(|cur| cur < until)
        {
            *g = Some(until);
        }
    }

    async fn wait_turn(&self) {
        let nb = self.not_before.lock().ok().and_then(|g| *g);
        if let Some(nb) = nb
            && nb > tokio::time::Instant::now()
        {
            tokio::time::sleep_until(nb).await;
        }
        if let Some(l) = &self.limiter {
            l.until_ready().await;
        }
    }

    /// Sends with retries. Returns the response for any status that is not retried (2xx, 3xx,
    /// 4xx other than 408/429); returns `Err` for transport errors and for 408/429/5xx once the
    /// retry budget is spent.
    pub(crate) async fn execute(&self, out: &Outgoing) -> Result<RawResponse> {
        if !self.is_trusted(&out.url) {
            return Err(Error::UntrustedBaseUrl {
                url: trust::display_url(&out.url),
                context: "request URL",
            });
        }
        let mut backoff = backon::ExponentialBuilder::default()
            .with_min_delay(self.retry.min_delay)
            .with_max_delay(self.retry.max_delay)
            .with_factor(2.0)
            .without_max_times();
        if self.retry.jitter {
            backoff = backoff.with_jitter();
        }
        let mut backoff = backoff.build();
        let mut waited = Duration::ZERO;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            self.wait_turn().await;
            self.metrics.calls.fetch_add(1, Ordering::Relaxed);
            if attempt > 1 {
                self.metrics.retries.fetch_add(1, Ordering::Relaxed);
            }
            let span = tracing::info_span!(
                "concur.http",
                method = %out.method,
                path = %out.url.path(),
                attempt,
                status = tracing::field::Empty,
                correlation_id = tracing::field::Empty,
            );
            let outcome = self.attempt(out).instrument(span.clone()).await;
            let (err, server_delay) = match outcome {
                Ok(resp) => {
                    span.record("status", resp.status);
                    if let Some(c) = &resp.correlation_id {
                        span.record("correlation_id", c.as_str());
                    }
                    let retryable = matches!(resp.status, 408 | 429 | 500..=599);
                    if !retryable {
                        return Ok(resp);
                    }
                    let ra = retry_after(&resp.headers);
                    let mut e = status_error(&resp, "");
                    if let Error::Throttled { attempts, .. } | Error::Server { attempts, .. } =
                        &mut e
                    {
                        *attempts = attempt;
                    }
                    if resp.status == 429 {
                        self.metrics.throttled.fetch_add(1, Ordering::Relaxed);
                        // A 429 slows the whole client.
                        let d = ra
                            .unwrap_or(Duration::ZERO)
                            .max(self.retry.retry_after_floor)
                            .min(self.retry.max_delay);
                        self.throttle_until(tokio::time::Instant::now() + d);
                        (e, Some(ra.unwrap_or(Duration::ZERO)))
                    } else {
                        (e, ra)
                    }
                }
                Err(e) => (e, None),
            };
            let can_retry =
                out.idempotent && err.is_retryable() && attempt < self.retry.max_attempts;
            if !can_retry {
                return Err(err);
            }
            let base_delay = backoff.next().unwrap_or(self.retry.max_delay);
            // `Retry-After` (and every 429) waits at least the floor.
            let delay = match server_delay {
                Some(ra) => ra.max(self.retry.retry_after_floor),
                None => base_delay,
            }
            .min(self.retry.max_delay);
            if waited + delay > self.retry.max_total_delay {
                tracing::debug!(endpoint = %out.endpoint, attempt, "retry budget spent");
                return Err(err);
            }
            tracing::debug!(endpoint = %out.endpoint, attempt, delay_ms = delay.as_millis() as u64, status = err.status().unwrap_or(0), kind = ?err.kind(), "retrying");
            waited += delay;
            tokio::time::sleep(delay).await;
        }
    }

    async fn attempt(&self, out: &Outgoing) -> Result<RawResponse> {
        let mut rb = self
            .http
            .request(out.method.clone(), out.url.clone())
            .timeout(self.request_timeout);
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(ACCEPT_LANGUAGE, self.accept_language.clone());
        headers.insert(USER_AGENT, self.user_agent.clone());
        for (k, v) in &out.headers {
            headers.insert(k.clone(), v.clone());
        }
        rb = rb.headers(headers);
        if let Some(b) = &out.body {
            rb = rb.body(b.clone());
        }
        let transport_err = |e: reqwest::Error| Error::Transport {
            endpoint: out.endpoint.clone(),
            timeout: e.is_timeout(),
            source: e.without_url(),
        };
        let resp = rb.send().await.map_err(transport_err)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let correlation_id = correlation_id(&headers);
        let body = resp.bytes().await.map_err(transport_err)?;
        tracing::debug!(
            status,
            correlation_id = correlation_id.as_deref().unwrap_or(""),
            "response"
        );
        Ok(RawResponse {
            status,
            headers,
            body,
            endpoint: out.endpoint.clone(),
            correlation_id,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Request: the public request type (and the raw escape hatch).

#[derive(Clone, Debug)]
pub(crate) enum Target {
    /// A path relative to the base URL (no leading `/` needed; the base's prefix is kept).
    Path(String),
    /// An absolute URL followed verbatim (e.g. a v3 `NextPage`); must pass the trust rule.
    Url(Url),
}

/// One API request: method, path (relative to the token's base URL) or absolute URL, query,
/// headers, body and options. Cheap to clone; owns a [`Client`] clone, so it is `'static + Send`.
///
/// Every typed endpoint builds one of these; [`Client::raw`] hands them out directly:
///
/// ```no_run
/// # async fn run(client: concur_client::Client) -> Result<(), concur_client::Error> {
/// let v: serde_json::Value = client
///     .raw()
///     .get("api/v3.0/expense/reports")
///     .query("user", "ALL")
///     .query("limit", "10")
///     .send_json()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Request {
    pub(crate) client: Client,
    pub(crate) method: Method,
    pub(crate) target: Target,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Bytes>,
    pub(crate) idempotent: bool,
    pub(crate) api_group: &'static str,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("target", &self.target)
            .field("query", &self.query)
            .field("idempotent", &self.idempotent)
            .field("api_group", &self.api_group)
            .field("body_len", &self.body.as_ref().map(Bytes::len))
            .finish()
    }
}

impl Request {
    /// A request for `path` relative to the base URL. GET, PUT, DELETE, HEAD and OPTIONS are
    /// idempotent (retried); POST and PATCH are not unless [`Request::idempotent`] says so.
    pub fn new(client: Client, method: Method, path: impl Into<String>) -> Self {
        let idempotent = matches!(
            method,
            Method::GET | Method::PUT | Method::DELETE | Method::HEAD | Method::OPTIONS
        );
        Self {
            client,
            method,
            target: Target::Path(path.into()),
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: None,
            idempotent,
            api_group: "Concur API",
        }
    }

    /// A GET of an absolute URL handed out by the server (e.g. v3 `NextPage`), followed
    /// verbatim. It must pass the [trust rule](crate::trust) or sending fails with
    /// [`Error::UntrustedBaseUrl`].
    pub fn get_url(client: Client, url: Url) -> Self {
        let mut r = Self::new(client, Method::GET, String::new());
        r.target = Target::Url(url);
        r
    }

    /// Appends a query parameter (percent-encoded when sent: `+` → `%2B`, `@` → `%40`, `$` → `%24`).
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Appends a query parameter when `value` is `Some`.
    pub fn query_opt<V: Into<String>>(self, name: impl Into<String>, value: Option<V>) -> Self {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    /// Sets (replaces) a query parameter.
    pub fn set_query(mut self, name: &str, value: impl Into<String>) -> Self {
        self.query.retain(|(k, _)| k != name);
        self.query.push((name.to_owned(), value.into()));
        self
    }

    /// Sets a header. Invalid names or values are ignored (with a warning).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (HeaderName::try_from(name), HeaderValue::from_str(value)) {
            (Ok(n), Ok(v)) => {
                self.headers.insert(n, v);
            }
            _ => tracing::warn!(header = name, "ignoring an invalid header"),
        }
        self
    }

    /// Asks for another response type than `application/json` (e.g. `application/xml`).
    pub fn accept(self, content_type: &str) -> Self {
        self.header("accept", content_type)
    }

    /// A JSON body (`Content-Type: application/json`).
    ///
    /// # Errors
    /// [`Error::Config`] if `body` cannot be serialized.
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::Config(format!("cannot serialize the request body: {e}")))?;
        self.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        self.body = Some(Bytes::from(bytes));
        Ok(self)
    }

    /// A raw body with its content type (e.g. image bytes with `image/png`).
    pub fn body(mut self, content_type: &str, bytes: impl Into<Bytes>) -> Self {
        if let Ok(v) = HeaderValue::from_str(content_type) {
            self.headers.insert(CONTENT_TYPE, v);
        }
        self.body = Some(bytes.into());
        self
    }

    /// Marks the request as safe (or unsafe) to retry.
    pub fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = yes;
        self
    }

    /// Names the API group used in [`Error::Permission`] (e.g. `"Expense v3"`).
    pub fn api_group(mut self, group: &'static str) -> Self {
        self.api_group = group;
        self
    }

    /// `METHOD /path` (no query, no host) as used in errors and logs.
    pub fn endpoint(&self) -> String {
        match &self.target {
            Target::Path(p) => format!("{} /{}", self.method, p.trim_start_matches('/')),
            Target::Url(u) => format!("{} {}", self.method, u.path()),
        }
    }

    /// Sends the request and returns the 2xx response.
    ///
    /// # Errors
    /// Any [`Error`]: transport, trust, authentication (after one token refresh), permission
    /// (403 after a fresh token), not found, throttled and server errors after retries, 4xx as
    /// [`Error::InvalidRequest`].
    pub async fn send(self) -> Result<RawResponse> {
        let client = self.client.clone();
        client.execute(&self).await
    }

    /// Sends the request and decodes the JSON body.
    ///
    /// # Errors
    /// As [`Request::send`], plus [`Error::Decode`] naming the JSON path.
    pub async fn send_json<T: DeserializeOwned>(self) -> Result<T> {
        let client = self.client.clone();
        let resp = client.execute(&self).await?;
        resp.json().inspect_err(|_| client.metrics().record_error())
    }

    /// Builds the final URL against `base`.
    pub(crate) fn url(&self, base: &Url) -> Result<Url> {
        match &self.target {
            Target::Url(u) => Ok(u.clone()),
            Target::Path(p) => {
                let mut url = crate::auth::join(base, p)?;
                if !self.query.is_empty() {
                    let mut q = url.query_pairs_mut();
                    for (k, v) in &self.query {
                        q.append_pair(k, v);
                    }
                }
                Ok(url)
            }
        }
    }

    pub(crate) fn is_absolute(&self) -> bool {
        matches!(self.target, Target::Url(_))
    }
}

/// Handed out by [`Client::raw`]: requests to any path with the client's auth, retries and errors.
#[derive(Clone, Debug)]
pub struct Raw {
    pub(crate) client: Client,
}

impl Raw {
    /// `GET path`.
    pub fn get(&self, path: impl Into<String>) -> Request {
        Request::new(self.client.clone(), Method::GET, path)
    }
    /// `POST path` (not retried unless marked idempotent).
    pub fn post(&self, path: impl Into<String>) -> Request {
        Request::new(self.client.clone(), Method::POST, path)
    }
    /// `PUT path`.
    pub fn put(&self, path: impl Into<String>) -> Request {
        Request::new(self.client.clone(), Method::PUT, path)
    }
    /// `PATCH path` (not retried unless marked idempotent).
    pub fn patch(&self, path: impl Into<String>) -> Request {
        Request::new(self.client.clone(), Method::PATCH, path)
    }
    /// `DELETE path`.
    pub fn delete(&self, path: impl Into<String>) -> Request {
        Request::new(self.client.clone(), Method::DELETE, path)
    }
    /// Any method.
    pub fn request(&self, method: Method, path: impl Into<String>) -> Request {
        Request::new(self.client.clone(), method, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_and_retry_after() {
        assert_eq!(encode_segment("gWidFO7$s4/x y"), "gWidFO7%24s4%2Fx%20y");
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
    }
}
