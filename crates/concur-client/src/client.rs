//! [`Client`] and [`ClientBuilder`].

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderValue};
use url::Url;

use secrecy::{ExposeSecret, SecretString};

use crate::auth::{
    AuthSettings, Credentials, Grant, LegacyTokenExchange, TokenManager, TokenRecord, TokenStore,
    parse_base,
};
use crate::error::{Error, Result};
use crate::http::encode_segment;
use crate::http::{
    Metrics, Outgoing, Raw, RawResponse, Request, RetryConfig, Transport, TransportConfig,
    status_error,
};
use crate::trust::{self, Origin};

/// The default base URL used to obtain a first token when none is configured.
pub const DEFAULT_BASE_URL: &str = "https://us.api.concursolutions.com/";

/// Where API calls go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum BaseUrlPolicy {
    /// Use the token's `geolocation` (Concur's rule; default). The configured base URL is only
    /// used to obtain the first token.
    #[default]
    FollowGeolocation,
    /// Always use the configured base URL (for a reverse proxy that forwards to Concur, e.g.
    /// `https://proxy.example/concur/`). The geolocation is still stored with the token.
    Pinned,
}

pub(crate) struct Inner {
    pub(crate) transport: Transport,
    pub(crate) auth: TokenManager,
    pub(crate) policy: BaseUrlPolicy,
}

/// The SAP Concur client. Cheap to clone (an `Arc` inside); clones share the token, the rate
/// limiter, the throttle state and the metrics.
///
/// Build one with [`Client::builder`] or [`Client::from_stored_token`]. `Debug` never prints a
/// secret.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("transport", &self.inner.transport)
            .field("auth", &self.inner.auth)
            .field("policy", &self.inner.policy)
            .finish()
    }
}

impl Client {
    /// A builder with defaults (base URL `https://us.api.concursolutions.com/`, en-US, 10 s
    /// connect and 60 s request timeouts, [`RetryConfig::default`], no rate limit).
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client that continues from a stored token: API calls go to the token's base URL and
    /// the refresh token is renewed with `credentials` (the CLI and service path). The token's
    /// base URL counts as explicitly configured (it came from the caller's own storage).
    ///
    /// # Errors
    /// [`Error::Config`] if the HTTP client cannot be built.
    pub fn from_stored_token(token: TokenRecord, credentials: Credentials) -> Result<Self> {
        let base = token.base_url.clone();
        Self::builder()
            .base_url_parsed(base)
            .credentials(credentials)
            .token(token)
            .build()
    }

    /// Client-wide counters: calls, retries, throttled, errors, token refreshes.
    pub fn metrics(&self) -> &Metrics {
        self.inner.transport.metrics()
    }

    /// The raw escape hatch: requests to any path with the same auth, retries and errors.
    pub fn raw(&self) -> Raw {
        Raw {
            client: self.clone(),
        }
    }

    /// A request for `path` (relative to the base URL); what every typed endpoint uses.
    pub fn request(&self, method: reqwest::Method, path: impl Into<String>) -> Request {
        Request::new(self.clone(), method, path)
    }

    /// Obtains (or refreshes, if due) a token now and returns a copy of it, e.g. for a CLI
    /// `login` command that stores it.
    ///
    /// # Errors
    /// Authentication, trust, transport and token-store errors.
    pub async fn authenticate(&self) -> Result<TokenRecord> {
        let t = self.inner.auth.token(&self.inner.transport).await;
        t.map(|c| c.record.clone())
            .inspect_err(|_| self.metrics().record_error())
    }

    /// Migrates a legacy (pre-2017) refresh token to an OAuth2 refresh token:
    /// `POST /appmgmt/v0/legacyApps/{consumer_key}/exchangeRefreshToken/me` (plus
    /// `?returnType=companyToken` when `company` is true) with this client's app token (build the
    /// client with [`Grant::ClientCredentials`]) and the JSON body `{"token": <legacy refresh
    /// token>, "secret": <client secret>}`. Use the returned token with
    /// [`Grant::RefreshToken`] afterwards. Not retried (the exchange is not idempotent).
    ///
    /// Doc: <https://developer.concur.com/api-reference/authentication/migrationguide.html>
    ///
    /// # Errors
    /// [`Error::Config`] without credentials; any request error (Concur's codes
    /// `INVALIDSCOPES`, `INVALIDAPP`, `INVALIDTOKEN`, `UNAUTHORIZED` arrive as
    /// [`Error::InvalidRequest`] / [`Error::Authentication`] with the code in the detail).
    pub async fn exchange_legacy_refresh_token(
        &self,
        consumer_key: &str,
        legacy_refresh_token: &SecretString,
        company: bool,
    ) -> Result<LegacyTokenExchange> {
        let secret = self.inner.auth.client_secret().ok_or_else(|| {
            Error::Config("the exchange needs the new app's client secret (credentials)".into())
        })?;
        let body = serde_json::json!({
            "token": legacy_refresh_token.expose_secret(),
            "secret": secret.expose_secret(),
        });
        let path = format!(
            "appmgmt/v0/legacyApps/{}/exchangeRefreshToken/me",
            encode_segment(consumer_key)
        );
        let mut req = self
            .request(reqwest::Method::POST, path)
            .api_group("App Management")
            .idempotent(false);
        if company {
            req = req.query("returnType", "companyToken");
        }
        req.json(&body)?
            .send_json()
            .await
            .map_err(|e| self.inner.auth.scrub_error_with(e, &[legacy_refresh_token]))
    }

    /// A copy of the current token, if one has been obtained or loaded.
    pub fn token(&self) -> Option<TokenRecord> {
        self.inner.auth.snapshot().map(|c| c.record.clone())
    }

    /// The base URL API calls currently go to (the token's geolocation, or the configured one).
    pub fn base_url(&self) -> Url {
        match (self.inner.policy, self.inner.auth.snapshot()) {
            (BaseUrlPolicy::FollowGeolocation, Some(c)) => c.record.base_url.clone(),
            _ => self.inner.transport.configured_base().clone(),
        }
    }

    /// Sends `req`: token, URL resolution, trust rule, retries, one refresh on 401/403.
    pub(crate) async fn execute(&self, req: &Request) -> Result<RawResponse> {
        let r = self.execute_inner(req).await;
        if r.is_err() {
            self.metrics().record_error();
        }
        r
    }

    async fn execute_inner(&self, req: &Request) -> Result<RawResponse> {
        let inner = &self.inner;
        let endpoint = req.endpoint();
        let mut renewed = false;
        loop {
            let tok = inner.auth.token(&inner.transport).await?;
            let base = match inner.policy {
                BaseUrlPolicy::FollowGeolocation => tok.record.base_url.clone(),
                BaseUrlPolicy::Pinned => inner.transport.configured_base().clone(),
            };
            let mut url = req.url(&base)?;
            if inner.policy == BaseUrlPolicy::Pinned && req.is_absolute() {
                url = repin(&base, &url)?;
            }
            if !inner.transport.is_trusted(&url) {
                return Err(Error::UntrustedBaseUrl {
                    url: trust::display_url(&url),
                    context: if req.is_absolute() {
                        "next-page link"
                    } else {
                        "request URL"
                    },
                });
            }
            let mut headers = req.headers.clone();
            headers.insert(AUTHORIZATION, tok.header.clone());
            let out = Outgoing {
                method: req.method.clone(),
                url,
                headers,
                body: req.body.clone(),
                idempotent: req.idempotent,
                endpoint: endpoint.clone(),
            };
            let resp = inner
                .transport
                .execute(&out)
                .await
                .map_err(|e| scrub_token(inner, set_group(e, req.api_group), &tok.record))?;
            if (resp.status == 401 || resp.status == 403) && !renewed && inner.auth.can_renew() {
                // v3 answers an expired token with 403. A 403 on a token obtained moments ago
                // is a permission problem; do not hammer the token endpoint for it.
                if !(resp.status == 403 && tok.recently_obtained(Duration::from_secs(30))) {
                    tracing::debug!(status = resp.status, endpoint = %endpoint, "renewing the token and retrying once");
                    inner
                        .auth
                        .renew(&inner.transport, Some(tok.generation))
                        .await?;
                    renewed = true;
                    continue;
                }
            }
            if resp.status >= 400 {
                return Err(scrub_token(
                    inner,
                    status_error(&resp, req.api_group),
                    &tok.record,
                ));
            }
            return Ok(resp);
        }
    }
}

/// With [`BaseUrlPolicy::Pinned`], a server-provided absolute URL (e.g. `NextPage` naming the
/// Concur host behind the proxy) is sent through the pinned base: its path and query are kept,
/// its origin replaced (and the base's path prefix added when missing).
fn repin(base: &Url, url: &Url) -> Result<Url> {
    if Origin::of(base) == Origin::of(url) {
        return Ok(url.clone());
    }
    let prefix = base.path().trim_end_matches('/');
    let path = url.path();
    let rel = path
        .strip_prefix(prefix)
        .filter(|_| !prefix.is_empty())
        .unwrap_or(path);
    let mut out = crate::auth::join(base, rel)?;
    out.set_query(url.query());
    Ok(out)
}

/// A server that echoes a token or secret never gets it into our errors.
fn scrub_token(inner: &Inner, e: Error, record: &TokenRecord) -> Error {
    let mut secrets = vec![&record.access_token];
    if let Some(r) = &record.refresh_token {
        secrets.push(r);
    }
    inner.auth.scrub_error_with(e, &secrets)
}

fn set_group(e: Error, group: &'static str) -> Error {
    match e {
        Error::Permission { detail, .. } => Error::Permission {
            api_group: group,
            detail,
        },
        other => other,
    }
}

/// Builds a [`Client`]. Errors in arguments (e.g. an unparsable URL) surface from
/// [`ClientBuilder::build`].
#[derive(Default)]
pub struct ClientBuilder {
    base_url: Option<std::result::Result<Url, String>>,
    trusted: Vec<std::result::Result<Url, String>>,
    credentials: Option<Credentials>,
    grant: Option<Grant>,
    token: Option<TokenRecord>,
    store: Option<Arc<dyn TokenStore>>,
    accept_language: Option<String>,
    connect_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    retry: Option<RetryConfig>,
    rate_limit: Option<NonZeroU32>,
    http: Option<reqwest::Client>,
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    root_certs: Vec<reqwest::Certificate>,
    policy: BaseUrlPolicy,
    refresh_ahead: Option<Duration>,
    keep_id_token: bool,
    scope: Option<String>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("grant", &self.grant)
            .field("token", &self.token)
            .field("store", &self.store)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The base URL used to obtain the first token (and for all calls with
    /// [`BaseUrlPolicy::Pinned`]). Its scheme, host and port become trusted (see
    /// [`crate::trust`]), so `http://127.0.0.1:PORT` works for the simulator and tests. A path
    /// prefix (`https://proxy.example/concur/`) is kept for every endpoint.
    pub fn base_url(mut self, url: &str) -> Self {
        self.base_url = Some(Url::parse(url).map_err(|e| format!("invalid base URL: {e}")));
        self
    }

    /// Like [`ClientBuilder::base_url`] with a parsed URL.
    pub fn base_url_parsed(mut self, url: Url) -> Self {
        self.base_url = Some(Ok(url));
        self
    }

    /// Trusts one more origin (scheme, host and port of `url`) for server-provided URLs, e.g.
    /// the simulator's geolocation hosts or a proxy.
    pub fn trust_origin(mut self, url: &str) -> Self {
        self.trusted
            .push(Url::parse(url).map_err(|e| format!("invalid trusted URL: {e}")));
        self
    }

    /// The app's OAuth2 client id and secret (needed for every OAuth2 grant and refresh).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// How to obtain the first token when neither [`ClientBuilder::token`] nor the token store
    /// has one. [`Grant::Legacy`] switches the client to the legacy partner-application flow.
    pub fn grant(mut self, grant: Grant) -> Self {
        self.grant = Some(grant);
        self
    }

    /// Starts from this token (its base URL's origin becomes trusted).
    pub fn token(mut self, token: TokenRecord) -> Self {
        self.token = Some(token);
        self
    }

    /// Where tokens are loaded from and rotated tokens saved to (before they are used).
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// The pinned `Accept-Language` (default `en-US`).
    pub fn accept_language(mut self, lang: &str) -> Self {
        self.accept_language = Some(lang.to_owned());
        self
    }

    /// TCP/TLS connect timeout (default 10 s; only for the client this builder creates).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = Some(d);
        self
    }

    /// Whole-request timeout per attempt (default 60 s, Concur's documented response time).
    pub fn request_timeout(mut self, d: Duration) -> Self {
        self.request_timeout = Some(d);
        self
    }

    /// Retry policy (default [`RetryConfig::default`]).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Client-side rate limit shared by all calls of this client (requests per second).
    /// `0` turns it off.
    pub fn rate_limit_per_second(mut self, n: u32) -> Self {
        self.rate_limit = NonZeroU32::new(n);
        self
    }

    /// Uses the caller's `reqwest::Client` (its proxies, TLS and pools). Connect timeout and
    /// root certificates set on this builder are then ignored; the request timeout still applies.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Adds a trusted root certificate to the client this builder creates (corporate proxies).
    /// Available with a TLS feature (`rustls`, the default, or `native-tls`).
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    pub fn add_root_certificate(mut self, cert: reqwest::Certificate) -> Self {
        self.root_certs.push(cert);
        self
    }

    /// See [`BaseUrlPolicy`].
    pub fn base_url_policy(mut self, policy: BaseUrlPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// How long before expiry a token is refreshed (default 120 s).
    pub fn refresh_ahead(mut self, d: Duration) -> Self {
        self.refresh_ahead = Some(d);
        self
    }

    /// Keeps the OIDC `id_token` in the [`TokenRecord`] (default: dropped).
    pub fn keep_id_token(mut self, keep: bool) -> Self {
        self.keep_id_token = keep;
        self
    }

    /// The `scope` form field sent with OAuth2 grants (space separated), if any.
    pub fn scope(mut self, scope: &str) -> Self {
        self.scope = Some(scope.to_owned());
        self
    }

    /// Builds the client. Nothing is sent yet: the first token is obtained on first use
    /// (or by [`Client::authenticate`]).
    ///
    /// # Errors
    /// [`Error::Config`] for an invalid URL, header value or HTTP client setting, or when there
    /// is no way to authenticate (no token, store or grant).
    pub fn build(self) -> Result<Client> {
        let base = match self.base_url {
            Some(Ok(u)) => parse_base(u.as_str(), "base URL")?,
            Some(Err(e)) => return Err(Error::Config(e)),
            None => match &self.token {
                Some(t) => parse_base(t.base_url.as_str(), "token base URL")?,
                None => parse_base(DEFAULT_BASE_URL, "default base URL")?,
            },
        };
        let mut explicit = Vec::new();
        if let Some(o) = Origin::of(&base) {
            explicit.push(o);
        }
        for t in self.trusted {
            let u = t.map_err(Error::Config)?;
            if let Some(o) = Origin::of(&u) {
                explicit.push(o);
            }
        }
        if let Some(t) = &self.token
            && let Some(o) = Origin::of(&t.base_url)
        {
            explicit.push(o);
        }
        if self.token.is_none() && self.store.is_none() && self.grant.is_none() {
            return Err(Error::Config(
                "no way to authenticate: set a grant, a token or a token store".into(),
            ));
        }
        if !matches!(self.grant, Some(Grant::Legacy(_)))
            && self.credentials.is_none()
            && self.grant.is_some()
        {
            return Err(Error::Config(
                "OAuth2 grants need credentials (client id and secret)".into(),
            ));
        }
        let accept_language =
            HeaderValue::from_str(self.accept_language.as_deref().unwrap_or("en-US"))
                .map_err(|_| Error::Config("invalid Accept-Language".into()))?;
        let http = match self.http {
            Some(h) => h,
            None => {
                #[cfg_attr(
                    not(any(feature = "rustls", feature = "native-tls")),
                    allow(unused_mut)
                )]
                let mut b = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(10)))
                    // Never follow redirects: a token must not follow a 302 to another host.
                    .redirect(reqwest::redirect::Policy::none());
                #[cfg(any(feature = "rustls", feature = "native-tls"))]
                for c in self.root_certs {
                    b = b.add_root_certificate(c);
                }
                b.build()
                    .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?
            }
        };
        let transport = Transport::new(TransportConfig {
            http,
            retry: self.retry.unwrap_or_default(),
            accept_language,
            request_timeout: self.request_timeout.unwrap_or(Duration::from_secs(60)),
            rate_limit: self.rate_limit,
            explicit,
            base,
        });
        let auth = TokenManager::new(AuthSettings {
            credentials: self.credentials,
            grant: self.grant,
            store: self.store,
            initial: self.token,
            refresh_ahead: self.refresh_ahead.unwrap_or(Duration::from_secs(120)),
            keep_id_token: self.keep_id_token,
            scope: self.scope,
        });
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                auth,
                policy: self.policy,
            }),
        })
    }
}
