//! Authentication: OAuth2 grants on `/oauth2/v0/token`, the legacy partner-application flow,
//! the stored token record and token stores.
//!
//! Concur doc pages: <https://developer.concur.com/api-reference/authentication/apidoc.html>,
//! <https://developer.concur.com/api-reference/authentication/company-auth.html>,
//! <https://developer.concur.com/api-reference/authentication/authorization-pre-2017.html>.
//!
//! * [`Credentials`]: the app's `client_id` and `client_secret` (OAuth2).
//! * [`Grant`]: how the first token is obtained (password, company request token,
//!   refresh token, client credentials, or the legacy consumer-key flow).
//! * [`TokenRecord`]: what is stored between runs (access and refresh token, expiries, the
//!   geolocation base URL, the auth mode). It never holds a client secret or password.
//! * [`TokenStore`]: where rotated tokens go before they are used ([`MemoryTokenStore`],
//!   [`FileTokenStore`]).
//!
//! The token's `geolocation` (or the legacy `Instance_URL`) becomes the base URL of every later
//! call and of the next refresh; it must pass the [trust rule](crate::trust). Tokens are
//! refreshed ahead of expiry (default 120 s before), one refresh at a time per client (single
//! flight: concurrent requests wait for and share the same refresh).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use reqwest::header::{HeaderMap, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize};
use url::Url;

use crate::error::{ApiErrorDetail, Error, Result};
use crate::http::{Outgoing, Transport};
use crate::secret::serde_secret;
use crate::trust;

/// The default lifetime assumed when a token response has no `expires_in` (seconds).
pub const DEFAULT_EXPIRES_IN: i64 = 3600;

/// An app's OAuth2 credentials: `client_id` (a UUID) and `client_secret`.
///
/// `Debug` prints the client id and `[REDACTED]` for the secret.
#[derive(Clone)]
pub struct Credentials {
    client_id: String,
    client_secret: SecretString,
}

impl Credentials {
    /// Creates credentials from the values shown in Concur's "OAuth 2.0 Application Management".
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
        }
    }

    /// The client id (not secret).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .finish()
    }
}

/// The legacy (pre-2017) partner-application login that the SMP setup guide yields: the
/// consumer key of a registered partner application plus an administrator's login and password.
///
/// Flow: `GET {instance}/net2/oauth2/accesstoken.ashx` with `X-ConsumerKey` and
/// `Authorization: Basic base64(login:password)`; later calls send `Authorization: OAuth <token>`.
#[derive(Clone)]
pub struct LegacyCredentials {
    consumer_key: String,
    login_id: String,
    password: SecretString,
}

impl LegacyCredentials {
    /// Creates legacy credentials. The consumer key is treated as an identifier (it is not
    /// secret on its own), the password as a secret.
    pub fn new(
        consumer_key: impl Into<String>,
        login_id: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        Self {
            consumer_key: consumer_key.into(),
            login_id: login_id.into(),
            password: SecretString::from(password.into()),
        }
    }
}

impl std::fmt::Debug for LegacyCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegacyCredentials")
            .field("consumer_key", &self.consumer_key)
            .field("login_id", &self.login_id)
            .field("password", &"[REDACTED]")
            .finish()
    }
}

/// How the first token is obtained (and re-obtained when there is no refresh token).
#[derive(Clone)]
#[non_exhaustive]
pub enum Grant {
    /// `grant_type=password`, `credtype=password`: a user's login (or user id) and password.
    /// Call it on the user's geolocation.
    Password {
        /// Login id or user UUID.
        username: String,
        /// The user's password.
        password: SecretString,
    },
    /// `grant_type=password`, `credtype=authtoken`: a company-level token from the company UUID
    /// and the 24-hour company request token (App Center `requestToken`, or the "Company
    /// Request Token" admin tool). Concur says to call it on GLZ
    /// (`https://glz.api.concursolutions.com`).
    CompanyAuthToken {
        /// The company UUID (`id` from the App Center redirect).
        company_id: String,
        /// The request token.
        request_token: SecretString,
    },
    /// `grant_type=refresh_token` with a refresh token obtained elsewhere.
    RefreshToken(SecretString),
    /// `grant_type=client_credentials`: an app token (no refresh token).
    ClientCredentials,
    /// The legacy partner-application flow (used only when a consumer key is configured).
    Legacy(LegacyCredentials),
}

impl Grant {
    /// `Grant::Password` from a login and password.
    pub fn password(username: impl Into<String>, password: impl Into<String>) -> Self {
        Grant::Password {
            username: username.into(),
            password: SecretString::from(password.into()),
        }
    }

    /// `Grant::CompanyAuthToken` from a company UUID and request token.
    pub fn company(company_id: impl Into<String>, request_token: impl Into<String>) -> Self {
        Grant::CompanyAuthToken {
            company_id: company_id.into(),
            request_token: SecretString::from(request_token.into()),
        }
    }

    /// `Grant::RefreshToken`.
    pub fn refresh_token(token: impl Into<String>) -> Self {
        Grant::RefreshToken(SecretString::from(token.into()))
    }

    /// `Grant::Legacy`.
    pub fn legacy(
        consumer_key: impl Into<String>,
        login_id: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        Grant::Legacy(LegacyCredentials::new(consumer_key, login_id, password))
    }

    fn mode(&self) -> AuthMode {
        match self {
            Grant::Password { .. } => AuthMode::Password,
            Grant::CompanyAuthToken { .. } => AuthMode::CompanyAuthToken,
            Grant::RefreshToken(_) => AuthMode::RefreshToken,
            Grant::ClientCredentials => AuthMode::ClientCredentials,
            Grant::Legacy(_) => AuthMode::Legacy,
        }
    }
}

impl std::fmt::Debug for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Grant::Password { username, .. } => f
                .debug_struct("Password")
                .field("username", username)
                .field("password", &"[REDACTED]")
                .finish(),
            Grant::CompanyAuthToken { company_id, .. } => f
                .debug_struct("CompanyAuthToken")
                .field("company_id", company_id)
                .field("request_token", &"[REDACTED]")
                .finish(),
            Grant::RefreshToken(_) => f.write_str("RefreshToken([REDACTED])"),
            Grant::ClientCredentials => f.write_str("ClientCredentials"),
            Grant::Legacy(l) => f.debug_tuple("Legacy").field(l).finish(),
        }
    }
}

/// How a stored token was obtained; decides the `Authorization` scheme (`Bearer`, or `OAuth`
/// for [`AuthMode::Legacy`]) and how it is renewed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuthMode {
    /// User token from the password grant.
    Password,
    /// Company token from `credtype=authtoken`.
    CompanyAuthToken,
    /// Token from a refresh-token grant (origin unknown).
    RefreshToken,
    /// App token from `client_credentials`.
    ClientCredentials,
    /// Legacy partner-application token (`Authorization: OAuth <token>`).
    Legacy,
}

/// A token as stored between runs (serde; JSON in [`FileTokenStore`]).
///
/// Holds the access token, the refresh token, their expiries (UTC), the base URL
/// (`geolocation` / legacy `Instance_URL`) and the auth mode. It never holds a client secret
/// or password. `Debug` redacts the tokens.
#[derive(Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TokenRecord {
    /// The access token (a JWT for OAuth2).
    #[serde(with = "serde_secret")]
    pub access_token: SecretString,
    /// The refresh token (may rotate on every refresh).
    #[serde(
        default,
        with = "serde_secret::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub refresh_token: Option<SecretString>,
    /// When the access token expires (UTC).
    pub expires_at: DateTime<Utc>,
    /// When the refresh token expires (UTC; from `refresh_expires_in`, epoch seconds), if known.
    #[serde(default)]
    pub refresh_expires_at: Option<DateTime<Utc>>,
    /// The base URL for every call and the next refresh (the token's `geolocation`).
    pub base_url: Url,
    /// How the token was obtained.
    pub auth_mode: AuthMode,
    /// Granted scopes (space separated), if the server said.
    #[serde(default)]
    pub scope: Option<String>,
    /// When this token was obtained (UTC), if known; used to refresh short-lived tokens at half
    /// their lifetime instead of on every call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obtained_at: Option<DateTime<Utc>>,
    /// The OIDC `id_token`, kept only when [`ClientBuilder::keep_id_token`](crate::ClientBuilder::keep_id_token) is set.
    #[serde(
        default,
        with = "serde_secret::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub id_token: Option<SecretString>,
}

impl TokenRecord {
    /// Builds a record (for tests and for callers that obtained a token elsewhere).
    pub fn new(
        access_token: impl Into<String>,
        refresh_token: Option<String>,
        expires_at: DateTime<Utc>,
        base_url: Url,
        auth_mode: AuthMode,
    ) -> Self {
        Self {
            access_token: SecretString::from(access_token.into()),
            refresh_token: refresh_token.map(SecretString::from),
            expires_at,
            refresh_expires_at: None,
            base_url,
            auth_mode,
            scope: None,
            obtained_at: None,
            id_token: None,
        }
    }

    /// The refresh-ahead margin for this token: `configured`, but at most half its lifetime.
    pub(crate) fn refresh_margin(&self, configured: Duration) -> Duration {
        match self.obtained_at {
            Some(o) => {
                let half = ((self.expires_at - o) / 2)
                    .to_std()
                    .unwrap_or(Duration::ZERO);
                configured.min(half)
            }
            None => configured,
        }
    }

    /// Whether the access token expires within `margin` from now.
    pub fn expires_within(&self, margin: Duration) -> bool {
        let margin = chrono::Duration::from_std(margin).unwrap_or(chrono::Duration::zero());
        self.expires_at - margin <= Utc::now()
    }

    fn authorization(&self) -> Result<HeaderValue> {
        let scheme = if self.auth_mode == AuthMode::Legacy {
            "OAuth"
        } else {
            "Bearer"
        };
        let mut v =
            HeaderValue::from_str(&format!("{scheme} {}", self.access_token.expose_secret()))
                .map_err(|_| {
                    Error::Config("the access token contains invalid header characters".into())
                })?;
        v.set_sensitive(true);
        Ok(v)
    }
}

impl std::fmt::Debug for TokenRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenRecord")
            .field("access_token", &"[REDACTED]")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("expires_at", &self.expires_at)
            .field("refresh_expires_at", &self.refresh_expires_at)
            .field("base_url", &self.base_url.as_str())
            .field("auth_mode", &self.auth_mode)
            .field("scope", &self.scope)
            .field("obtained_at", &self.obtained_at)
            .field("id_token", &self.id_token.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

/// Where tokens live between runs. A rotated refresh token is saved here **before** the new
/// access token is used, so a crash never loses the only valid refresh token.
#[async_trait]
pub trait TokenStore: Send + Sync + std::fmt::Debug {
    /// Loads the stored token, if any.
    ///
    /// # Errors
    /// [`Error::TokenStore`] when the storage cannot be read or parsed.
    async fn load(&self) -> Result<Option<TokenRecord>>;

    /// Saves (replaces) the stored token.
    ///
    /// # Errors
    /// [`Error::TokenStore`] when the storage cannot be written.
    async fn save(&self, token: &TokenRecord) -> Result<()>;
}

/// An in-memory [`TokenStore`] (useful for tests and short-lived processes).
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    token: Mutex<Option<TokenRecord>>,
    saves: std::sync::atomic::AtomicU64,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store holding `token`.
    pub fn with_token(token: TokenRecord) -> Self {
        Self {
            token: Mutex::new(Some(token)),
            saves: Default::default(),
        }
    }

    /// The current token (a clone).
    pub fn get(&self) -> Option<TokenRecord> {
        self.token.lock().ok().and_then(|t| t.clone())
    }

    /// How many times [`TokenStore::save`] was called.
    pub fn save_count(&self) -> u64 {
        self.saves.load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[async_trait]
impl TokenStore for MemoryTokenStore {
    async fn load(&self) -> Result<Option<TokenRecord>> {
        Ok(self.get())
    }

    async fn save(&self, token: &TokenRecord) -> Result<()> {
        if let Ok(mut g) = self.token.lock() {
            *g = Some(token.clone());
        }
        self.saves
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }
}

/// A [`TokenStore`] that keeps the token as JSON in one file, written atomically with mode
/// 0600 (on Unix): a temporary file in the same directory, `fsync`, then `rename`.
#[derive(Debug, Clone)]
pub struct FileTokenStore {
    path: PathBuf,
}

impl FileTokenStore {
    /// A store at `path` (the parent directory must exist).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Writes `data` to `path` atomically with mode 0600 on Unix: a temporary file in the same
/// directory (created exclusively, never world-readable), `fsync`, `rename` over `path`, then a
/// directory `fsync`. A reader sees either the old or the new content, never a mix. Used by
/// [`FileTokenStore`]; public so applications keep their own state files (which hold tokens)
/// the same way.
///
/// # Errors
/// Any I/O error; the temporary file is removed on failure.
pub fn write_atomic_0600(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "token".into());
    let tmp = dir.join(format!(
        ".{file_name}.tmp-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let result = (|| {
        let mut f = opts.open(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        #[cfg(unix)]
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[async_trait]
impl TokenStore for FileTokenStore {
    async fn load(&self) -> Result<Option<TokenRecord>> {
        let path = self.path.clone();
        let data = match tokio::fs::read(&path).await {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::token_store(
                    format!("cannot read {}", path.display()),
                    e,
                ));
            }
        };
        serde_json::from_slice(&data)
            .map(Some)
            .map_err(|e| Error::token_store(format!("cannot parse {}", path.display()), e))
    }

    async fn save(&self, token: &TokenRecord) -> Result<()> {
        let data = serde_json::to_vec_pretty(token)
            .map_err(|e| Error::token_store("cannot serialize the token", e))?;
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || write_atomic_0600(&path, &data))
            .await
            .map_err(|e| Error::token_store("token writer task failed", e))?
            .map_err(|e| Error::token_store(format!("cannot write {}", self.path.display()), e))
    }
}

// ---------------------------------------------------------------------------------------------
// Legacy migration and id_token claims.

/// The result of exchanging a legacy (pre-2017) refresh token for an OAuth2 one
/// (`POST /appmgmt/v0/legacyApps/{consumerKey}/exchangeRefreshToken/me`), see
/// [`Client::exchange_legacy_refresh_token`](crate::Client::exchange_legacy_refresh_token).
///
/// Doc: <https://developer.concur.com/api-reference/authentication/migrationguide.html>
#[derive(Clone, Deserialize)]
#[non_exhaustive]
pub struct LegacyTokenExchange {
    /// The new OAuth2 refresh token (use it with [`Grant::RefreshToken`]).
    #[serde(with = "serde_secret")]
    pub token: SecretString,
    /// When it was created (UTC; sent as epoch milliseconds).
    #[serde(default, deserialize_with = "de_epoch_millis")]
    pub created: Option<DateTime<Utc>>,
    /// When it expires (UTC; sent as epoch milliseconds).
    #[serde(default, deserialize_with = "de_epoch_millis")]
    pub expired: Option<DateTime<Utc>>,
    /// Granted scopes.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The `context` as sent: a JSON-encoded string (`userid`, `cid`, `ptype`, `userURI`, `scope`).
    #[serde(default)]
    pub context: Option<String>,
}

impl LegacyTokenExchange {
    /// `context` decoded from its JSON string, if it is valid JSON.
    pub fn context_json(&self) -> Option<serde_json::Value> {
        self.context
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok())
    }
}

impl std::fmt::Debug for LegacyTokenExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegacyTokenExchange")
            .field("token", &"[REDACTED]")
            .field("created", &self.created)
            .field("expired", &self.expired)
            .field("scopes", &self.scopes)
            .field("context", &self.context)
            .finish()
    }
}

fn de_epoch_millis<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<DateTime<Utc>>, D::Error> {
    Ok(de_expires_in(d)?.and_then(DateTime::from_timestamp_millis))
}

/// Claims of Concur's OIDC `id_token` (decoded **without** signature verification; verify with
/// the JWKS at `https://www-us.api.concursolutions.com/oauth2/v0/jwks` before trusting them).
/// `sub` is the user or company UUID that the company-auth guide says to store.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IdTokenClaims {
    /// Subject: user or company UUID.
    #[serde(default)]
    pub sub: Option<String>,
    /// Audience: the app's client id.
    #[serde(default)]
    pub aud: Option<String>,
    /// Issuer (a Concur base URL).
    #[serde(default)]
    pub iss: Option<String>,
    /// Expiry, epoch seconds.
    #[serde(default)]
    pub exp: Option<i64>,
    /// Not before, epoch seconds.
    #[serde(default)]
    pub nbf: Option<i64>,
    /// Issued at, epoch seconds.
    #[serde(default)]
    pub iat: Option<i64>,
    /// `concur.type`: `user` or `company`.
    #[serde(rename = "concur.type", default)]
    pub concur_type: Option<String>,
    /// `concur.profile`: the principal's profile URL.
    #[serde(rename = "concur.profile", default)]
    pub concur_profile: Option<String>,
    /// `concur.version`.
    #[serde(rename = "concur.version", default)]
    pub concur_version: Option<i64>,
}

impl IdTokenClaims {
    /// Decodes the payload of a JWT (`header.payload.signature`, base64url) without verifying it.
    ///
    /// # Errors
    /// [`Error::Decode`] when the token is not a JWT with a JSON payload.
    pub fn from_jwt(jwt: &SecretString) -> Result<Self> {
        let bad = |m: &str| Error::Decode {
            endpoint: "id_token".into(),
            path: ".".into(),
            message: m.into(),
        };
        let payload = jwt
            .expose_secret()
            .split('.')
            .nth(1)
            .ok_or_else(|| bad("not a JWT"))?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .map_err(|_| bad("payload is not base64url"))?;
        serde_json::from_slice(&bytes).map_err(|_| bad("payload is not claims JSON"))
    }
}

// ---------------------------------------------------------------------------------------------
// Token responses.

fn de_expires_in<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrStr {
        N(serde_json::Number),
        S(String),
    }
    Ok(match Option::<NumOrStr>::deserialize(d)? {
        None => None,
        Some(NumOrStr::N(n)) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Some(NumOrStr::S(s)) => s.trim().parse::<f64>().ok().map(|f| f as i64),
    })
}

/// The `/oauth2/v0/token` success body (tolerant: `expires_in` as string or number).
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default, deserialize_with = "de_expires_in")]
    expires_in: Option<i64>,
    #[serde(default, deserialize_with = "de_expires_in")]
    refresh_expires_in: Option<i64>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default, alias = "idtoken")]
    id_token: Option<String>,
    #[serde(default)]
    geolocation: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// The token manager (internal).

pub(crate) struct CurrentToken {
    pub(crate) record: TokenRecord,
    pub(crate) generation: u64,
    /// When this process obtained it (`None` when it came from a store or the caller).
    pub(crate) obtained: Option<tokio::time::Instant>,
    pub(crate) header: HeaderValue,
}

impl CurrentToken {
    pub(crate) fn recently_obtained(&self, within: Duration) -> bool {
        self.obtained.is_some_and(|o| o.elapsed() < within)
    }
}

pub(crate) struct AuthSettings {
    pub(crate) credentials: Option<Credentials>,
    pub(crate) grant: Option<Grant>,
    pub(crate) store: Option<Arc<dyn TokenStore>>,
    pub(crate) initial: Option<TokenRecord>,
    pub(crate) refresh_ahead: Duration,
    pub(crate) keep_id_token: bool,
    pub(crate) scope: Option<String>,
}

impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSettings")
            .field("credentials", &self.credentials)
            .field("grant", &self.grant)
            .field("store", &self.store)
            .field("initial", &self.initial)
            .field("refresh_ahead", &self.refresh_ahead)
            .finish()
    }
}

pub(crate) struct TokenManager {
    settings: AuthSettings,
    current: Mutex<Option<Arc<CurrentToken>>>,
    generation: std::sync::atomic::AtomicU64,
    refresh_lock: tokio::sync::Mutex<()>,
    loaded: tokio::sync::OnceCell<()>,
    /// The last renewal that failed for good (bad credentials, re-authorization needed), shared
    /// with the requests that were waiting for it so they do not each call the token endpoint.
    failed: Mutex<Option<FailedRenew>>,
}

struct FailedRenew {
    seen: Option<u64>,
    at: tokio::time::Instant,
    detail: Box<ApiErrorDetail>,
    reauthorize: bool,
}

/// How long a failed renewal is shared with later callers for the same token.
const FAILED_RENEW_TTL: Duration = Duration::from_secs(10);

impl std::fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cur = self.current.lock().ok().and_then(|c| c.clone());
        f.debug_struct("TokenManager")
            .field("settings", &self.settings)
            .field("current", &cur.as_ref().map(|c| &c.record))
            .finish()
    }
}

impl TokenManager {
    pub(crate) fn new(settings: AuthSettings) -> Self {
        Self {
            settings,
            current: Mutex::new(None),
            generation: Default::default(),
            refresh_lock: tokio::sync::Mutex::new(()),
            loaded: tokio::sync::OnceCell::new(),
            failed: Mutex::new(None),
        }
    }

    fn secrets(&self) -> Vec<&SecretString> {
        let mut v = Vec::new();
        if let Some(c) = &self.settings.credentials {
            v.push(&c.client_secret);
        }
        match &self.settings.grant {
            Some(Grant::Password { password, .. }) => v.push(password),
            Some(Grant::CompanyAuthToken { request_token, .. }) => v.push(request_token),
            Some(Grant::RefreshToken(t)) => v.push(t),
            Some(Grant::Legacy(l)) => v.push(&l.password),
            _ => {}
        }
        v
    }

    pub(crate) fn client_secret(&self) -> Option<&SecretString> {
        self.settings.credentials.as_ref().map(|c| &c.client_secret)
    }

    /// Scrubs the client's secrets plus `extra` from an error's message.
    pub(crate) fn scrub_error_with(&self, e: Error, extra: &[&SecretString]) -> Error {
        let mut all = self.secrets();
        all.extend_from_slice(extra);
        e.scrubbed(&all)
    }

    pub(crate) fn snapshot(&self) -> Option<Arc<CurrentToken>> {
        self.current.lock().ok().and_then(|c| c.clone())
    }

    fn install(&self, record: TokenRecord, fresh: bool) -> Result<Arc<CurrentToken>> {
        let header = record.authorization()?;
        let generation = self
            .generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1;
        let cur = Arc::new(CurrentToken {
            record,
            generation,
            obtained: fresh.then(tokio::time::Instant::now),
            header,
        });
        if let Ok(mut g) = self.current.lock() {
            *g = Some(cur.clone());
        }
        Ok(cur)
    }

    async fn ensure_loaded(&self, t: &Transport) -> Result<()> {
        self.loaded
            .get_or_try_init(|| async {
                if let Some(rec) = self.settings.initial.clone() {
                    self.install(rec, false)?;
                } else if let Some(store) = &self.settings.store
                    && let Some(rec) = store.load().await?
                {
                    if !t.is_trusted(&rec.base_url) {
                        return Err(Error::UntrustedBaseUrl {
                            url: trust::display_url(&rec.base_url),
                            context: "stored token base URL",
                        });
                    }
                    self.install(rec, false)?;
                }
                Ok(())
            })
            .await
            .map(|_| ())
    }

    /// Whether a 401/403 can be answered with a new token.
    pub(crate) fn can_renew(&self) -> bool {
        let has_refresh = self
            .snapshot()
            .is_some_and(|c| c.record.refresh_token.is_some());
        (has_refresh && self.settings.credentials.is_some())
            || matches!(self.settings.grant, Some(Grant::Legacy(_)))
            || (self.settings.grant.is_some() && self.settings.credentials.is_some())
    }

    /// A valid token, refreshing ahead of expiry (single flight).
    pub(crate) async fn token(&self, t: &Transport) -> Result<Arc<CurrentToken>> {
        self.ensure_loaded(t).await?;
        match self.snapshot() {
            Some(cur)
                if !cur
                    .record
                    .expires_within(cur.record.refresh_margin(self.settings.refresh_ahead)) =>
            {
                Ok(cur)
            }
            Some(cur) => match self.renew(t, Some(cur.generation)).await {
                Ok(c) => Ok(c),
                // A transient failure while the old token is still valid: keep using it.
                Err(e) if e.is_retryable() && !cur.record.expires_within(Duration::ZERO) => {
                    tracing::warn!(error = %e, "token refresh failed; using the current token until it expires");
                    Ok(cur)
                }
                Err(e) => Err(e),
            },
            None => self.renew(t, None).await,
        }
    }

    /// Obtains a new token unless another task already replaced generation `seen`.
    pub(crate) async fn renew(
        &self,
        t: &Transport,
        seen: Option<u64>,
    ) -> Result<Arc<CurrentToken>> {
        let _guard = self.refresh_lock.lock().await;
        if let Some(cur) = self.snapshot()
            && Some(cur.generation) != seen
            && !cur.record.expires_within(Duration::ZERO)
        {
            return Ok(cur);
        }
        if let Ok(f) = self.failed.lock()
            && let Some(f) = f.as_ref()
            && f.seen == seen
            && f.at.elapsed() < FAILED_RENEW_TTL
        {
            let d = f.detail.clone();
            return Err(if f.reauthorize {
                Error::ReauthorizeRequired(d)
            } else {
                Error::Authentication(d)
            });
        }
        let previous = self.snapshot().map(|c| c.record.clone());
        let record = match self.obtain(t, previous.as_ref()).await {
            Ok(r) => r,
            Err(e) => {
                let shared = match &e {
                    Error::ReauthorizeRequired(d) => Some((d.clone(), true)),
                    Error::Authentication(d) => Some((d.clone(), false)),
                    _ => None,
                };
                if let (Some((detail, reauthorize)), Ok(mut f)) = (shared, self.failed.lock()) {
                    *f = Some(FailedRenew {
                        seen,
                        at: tokio::time::Instant::now(),
                        detail,
                        reauthorize,
                    });
                }
                return Err(e);
            }
        };
        if let Ok(mut f) = self.failed.lock() {
            *f = None;
        }
        t.metrics().record_token_refresh();
        // Persist before use: a rotated refresh token must never live only in memory.
        let saved = match &self.settings.store {
            Some(store) => store.save(&record).await,
            None => Ok(()),
        };
        let cur = self.install(record, true)?;
        saved?;
        Ok(cur)
    }

    async fn obtain(&self, t: &Transport, previous: Option<&TokenRecord>) -> Result<TokenRecord> {
        if let Some(Grant::Legacy(l)) = &self.settings.grant {
            let base = previous
                .map(|p| p.base_url.clone())
                .unwrap_or_else(|| t.configured_base().clone());
            return self.legacy_login(t, l, &base).await;
        }
        let creds = self.settings.credentials.as_ref().ok_or_else(|| {
            Error::Config(
                "OAuth2 credentials (client id and secret) are required to obtain a token".into(),
            )
        })?;
        // 1. A refresh token we hold (rotated, from the store or the caller).
        if let Some(prev) = previous
            && let Some(rt) = &prev.refresh_token
        {
            return self
                .refresh_grant(t, creds, rt, &prev.base_url, Some(prev))
                .await;
        }
        // 2. The configured grant.
        match &self.settings.grant {
            Some(Grant::RefreshToken(rt)) => {
                let base = t.configured_base().clone();
                self.refresh_grant(t, creds, rt, &base, previous).await
            }
            Some(grant) => self.initial_grant(t, creds, grant).await,
            None => Err(Error::ReauthorizeRequired(Box::new(ApiErrorDetail {
                endpoint: "POST /oauth2/v0/token".into(),
                message: Some(
                    "the token expired and there is no refresh token or grant to obtain a new one"
                        .into(),
                ),
                ..Default::default()
            }))),
        }
    }

    fn form_body(&self, creds: &Credentials, fields: &[(&str, &str)]) -> String {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        ser.append_pair("client_id", &creds.client_id);
        ser.append_pair("client_secret", creds.client_secret.expose_secret());
        for (k, v) in fields {
            ser.append_pair(k, v);
        }
        if let Some(scope) = &self.settings.scope {
            ser.append_pair("scope", scope);
        }
        ser.finish()
    }

    async fn refresh_grant(
        &self,
        t: &Transport,
        creds: &Credentials,
        refresh_token: &SecretString,
        base: &Url,
        previous: Option<&TokenRecord>,
    ) -> Result<TokenRecord> {
        let body = self.form_body(
            creds,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.expose_secret()),
            ],
        );
        // A refresh may rotate the refresh token: never retried blindly.
        let resp = self.token_call(t, base, body, false).await;
        let resp = resp.map_err(|e| self.classify_token_error(e, true))?;
        let mode = previous
            .map(|p| p.auth_mode)
            .unwrap_or(AuthMode::RefreshToken);
        let mut rec = self.record_from_response(t, &resp.body, base, mode)?;
        if rec.refresh_token.is_none() {
            rec.refresh_token = Some(refresh_token.clone());
            rec.refresh_expires_at = previous.and_then(|p| p.refresh_expires_at);
        }
        Ok(rec)
    }

    async fn initial_grant(
        &self,
        t: &Transport,
        creds: &Credentials,
        grant: &Grant,
    ) -> Result<TokenRecord> {
        let fields: Vec<(&str, &str)> = match grant {
            Grant::Password { username, password } => vec![
                ("grant_type", "password"),
                ("credtype", "password"),
                ("username", username),
                ("password", password.expose_secret()),
            ],
            Grant::CompanyAuthToken {
                company_id,
                request_token,
            } => vec![
                ("grant_type", "password"),
                ("credtype", "authtoken"),
                ("username", company_id),
                ("password", request_token.expose_secret()),
            ],
            Grant::ClientCredentials => vec![("grant_type", "client_credentials")],
            Grant::RefreshToken(_) | Grant::Legacy(_) => {
                return Err(Error::Config("unsupported initial grant".into()));
            }
        };
        let body = self.form_body(creds, &fields);
        let mut base = t.configured_base().clone();
        // At most one hop for error 16 ("user lives elsewhere").
        for hop in 0..2 {
            match self.token_call(t, &base, body.clone(), true).await {
                Ok(resp) => return self.record_from_response(t, &resp.body, &base, grant.mode()),
                Err(e) => {
                    let geo = e
                        .detail()
                        .filter(|d| d.oauth_code == Some(16))
                        .and_then(|d| d.geolocation.clone());
                    match geo {
                        Some(geo) if hop == 0 => {
                            let url = parse_base(&geo, "error 16 geolocation")?;
                            if !t.is_trusted(&url) {
                                return Err(Error::UntrustedBaseUrl {
                                    url: trust::display_url(&url),
                                    context: "error 16 geolocation",
                                });
                            }
                            tracing::info!(geolocation = %url, "user lives elsewhere (error 16); retrying the token request there");
                            base = url;
                        }
                        _ => {
                            return Err(self.classify_token_error(
                                e,
                                matches!(grant, Grant::CompanyAuthToken { .. }),
                            ));
                        }
                    }
                }
            }
        }
        Err(Error::Config("token request redirected twice".into()))
    }

    async fn token_call(
        &self,
        t: &Transport,
        base: &Url,
        body: String,
        idempotent: bool,
    ) -> Result<crate::http::RawResponse> {
        let url = join(base, "oauth2/v0/token")?;
        if !t.is_trusted(&url) {
            return Err(Error::UntrustedBaseUrl {
                url: trust::display_url(&url),
                context: "token endpoint",
            });
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        let out = Outgoing {
            method: reqwest::Method::POST,
            url,
            headers,
            body: Some(bytes::Bytes::from(body)),
            idempotent,
            endpoint: "POST /oauth2/v0/token".into(),
        };
        let resp = t.execute(&out).await.map_err(|e| self.scrub_error(e))?;
        if resp.status >= 400 {
            return Err(self.scrub_error(crate::http::status_error(&resp, "OAuth2")));
        }
        Ok(resp)
    }

    fn scrub_error(&self, e: Error) -> Error {
        e.scrubbed(&self.secrets())
    }

    /// Token-endpoint 4xx become authentication errors; `invalid_grant` on a refresh (or a
    /// company request token) and code 108 mean the user must authorize again.
    fn classify_token_error(&self, e: Error, grant_is_refresh_like: bool) -> Error {
        let detail = match &e {
            Error::InvalidRequest(d) | Error::Authentication(d) | Error::NotFound(d) => d.clone(),
            Error::Permission { detail, .. } => detail.clone(),
            _ => return e,
        };
        let invalid_grant = detail
            .code
            .as_deref()
            .is_some_and(|c| c.starts_with("invalid_grant"));
        if detail.oauth_code == Some(108) || (invalid_grant && grant_is_refresh_like) {
            Error::ReauthorizeRequired(detail)
        } else {
            Error::Authentication(detail)
        }
    }

    fn record_from_response(
        &self,
        t: &Transport,
        body: &[u8],
        called_base: &Url,
        mode: AuthMode,
    ) -> Result<TokenRecord> {
        let endpoint = "POST /oauth2/v0/token";
        let mut de = serde_json::Deserializer::from_slice(body);
        let resp: TokenResponse = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            Error::Decode {
                endpoint: endpoint.into(),
                path: e.path().to_string(),
                // serde messages quote offending values: never echo them (they may be tokens).
                message: "unexpected token response shape".into(),
            }
        })?;
        let base = match resp.geolocation.as_deref().map(str::trim) {
            Some(g) if !g.is_empty() => {
                let url = parse_base(g, "token geolocation")?;
                if !t.is_trusted(&url) {
                    return Err(Error::UntrustedBaseUrl {
                        url: trust::display_url(&url),
                        context: "token geolocation",
                    });
                }
                url
            }
            _ => called_base.clone(),
        };
        let now = Utc::now();
        let expires_in = resp.expires_in.unwrap_or(DEFAULT_EXPIRES_IN).max(0);
        Ok(TokenRecord {
            access_token: SecretString::from(resp.access_token),
            refresh_token: resp
                .refresh_token
                .filter(|s| !s.is_empty())
                .map(SecretString::from),
            expires_at: now + chrono::Duration::seconds(expires_in),
            refresh_expires_at: resp
                .refresh_expires_in
                .and_then(|s| Utc.timestamp_opt(s, 0).single()),
            base_url: base,
            auth_mode: mode,
            scope: resp.scope,
            obtained_at: Some(now),
            id_token: if self.settings.keep_id_token {
                resp.id_token.map(SecretString::from)
            } else {
                None
            },
        })
    }

    async fn legacy_login(
        &self,
        t: &Transport,
        l: &LegacyCredentials,
        base: &Url,
    ) -> Result<TokenRecord> {
        let url = join(base, "net2/oauth2/accesstoken.ashx")?;
        if !t.is_trusted(&url) {
            return Err(Error::UntrustedBaseUrl {
                url: trust::display_url(&url),
                context: "legacy instance URL",
            });
        }
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            l.login_id,
            l.password.expose_secret()
        ));
        let mut auth = HeaderValue::from_str(&format!("Basic {basic}"))
            .map_err(|_| Error::Config("login id contains invalid characters".into()))?;
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::AUTHORIZATION, auth);
        headers.insert(
            "X-ConsumerKey",
            HeaderValue::from_str(&l.consumer_key)
                .map_err(|_| Error::Config("consumer key contains invalid characters".into()))?,
        );
        let out = Outgoing {
            method: reqwest::Method::GET,
            url,
            headers,
            body: None,
            idempotent: true,
            endpoint: "GET /net2/oauth2/accesstoken.ashx".into(),
        };
        let resp = t.execute(&out).await.map_err(|e| self.scrub_error(e))?;
        if resp.status >= 400 {
            let e = self.scrub_error(crate::http::status_error(&resp, "Legacy OAuth"));
            return Err(match e {
                Error::InvalidRequest(d)
                | Error::Permission { detail: d, .. }
                | Error::NotFound(d) => Error::Authentication(d),
                other => other,
            });
        }
        let parsed = parse_legacy_token(&resp.body).ok_or_else(|| Error::Decode {
            endpoint: "GET /net2/oauth2/accesstoken.ashx".into(),
            path: "Access_Token".into(),
            message: "no Access_Token/Token in the response".into(),
        })?;
        let base_url = match parsed.instance_url {
            Some(u) => {
                let url = parse_base(&u, "legacy Instance_URL")?;
                if !t.is_trusted(&url) {
                    return Err(Error::UntrustedBaseUrl {
                        url: trust::display_url(&url),
                        context: "legacy Instance_URL",
                    });
                }
                url
            }
            None => base.clone(),
        };
        let now = Utc::now();
        let expires_at = parsed
            .expiration
            .as_deref()
            .and_then(parse_legacy_date)
            .filter(|d| *d > now)
            .unwrap_or(now + chrono::Duration::seconds(DEFAULT_EXPIRES_IN));
        Ok(TokenRecord {
            access_token: SecretString::from(parsed.token),
            refresh_token: parsed.refresh_token.map(SecretString::from),
            expires_at,
            refresh_expires_at: None,
            base_url,
            auth_mode: AuthMode::Legacy,
            scope: None,
            obtained_at: Some(now),
            id_token: None,
        })
    }
}

/// Parses a base URL given by the server or the caller; the result always ends in `/`, so
/// joining keeps any path prefix.
pub(crate) fn parse_base(s: &str, context: &'static str) -> Result<Url> {
    let mut url = Url::parse(s.trim()).map_err(|_| Error::UntrustedBaseUrl {
        url: "(unparsable URL)".into(),
        context,
    })?;
    if !url.path().ends_with('/') {
        let p = format!("{}/", url.path());
        url.set_path(&p);
    }
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

/// Joins a relative path (no leading `/`) onto a base URL, keeping the base's path prefix.
pub(crate) fn join(base: &Url, path: &str) -> Result<Url> {
    let mut b = base.clone();
    if !b.path().ends_with('/') {
        let p = format!("{}/", b.path());
        b.set_path(&p);
    }
    b.join(path.trim_start_matches('/'))
        .map_err(|e| Error::Config(format!("invalid path {path:?}: {e}")))
}

struct LegacyToken {
    token: String,
    refresh_token: Option<String>,
    expiration: Option<String>,
    instance_url: Option<String>,
}

/// Parses the legacy `Access_Token` (JSON or XML, keys case-insensitive).
fn parse_legacy_token(body: &[u8]) -> Option<LegacyToken> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim().trim_start_matches('\u{feff}');
    let mut fields: Vec<(String, String)> = Vec::new();
    if text.starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        let obj = v.as_object()?;
        let inner = obj
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("access_token"))
            .and_then(|(_, v)| v.as_object())
            .unwrap_or(obj);
        for (k, v) in inner {
            if let Some(s) = v.as_str() {
                fields.push((k.to_ascii_lowercase(), s.to_owned()));
            }
        }
    } else {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_str(text);
        let mut current: Option<String> = None;
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) => {
                    current = Some(e.local_name().as_ref().to_ascii_lowercase());
                }
                Ok(Event::Text(t)) => {
                    if let Some(c) = &current {
                        fields.push((c.clone(), t.xml10_content().trim().to_owned()));
                    }
                }
                Ok(Event::End(_)) => current = None,
                Ok(Event::Eof) => break,
                // The published XML is malformed (`<Instance_URL>..</Instance_Url>`): keep what we read.
                Err(_) => break,
                _ => {}
            }
        }
    }
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    Some(LegacyToken {
        token: get("token")?,
        refresh_token: get("refresh_token"),
        expiration: get("expiration_date"),
        instance_url: get("instance_url"),
    })
}

/// `M/D/YYYY h:mm:ss AM|PM` in UTC.
fn parse_legacy_date(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s.trim(), "%m/%d/%Y %I:%M:%S %p")
        .ok()
        .map(|n| Utc.from_utc_datetime(&n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_json_and_xml() {
        let j = br#"{"Access_Token":{"Instance_Url":"https://www.concursolutions.com/","Token":"SampleToken","Expiration_date":"9/19/2015 1:32:44 AM","Refresh_Token":"SampleRefreshToken"}}"#;
        let t = parse_legacy_token(j).unwrap();
        assert_eq!(t.token, "SampleToken");
        assert_eq!(t.refresh_token.as_deref(), Some("SampleRefreshToken"));
        assert_eq!(
            t.instance_url.as_deref(),
            Some("https://www.concursolutions.com/")
        );
        assert_eq!(
            parse_legacy_date(t.expiration.as_deref().unwrap())
                .unwrap()
                .to_rfc3339(),
            "2015-09-19T01:32:44+00:00"
        );
        let x = b"<?xml version=\"1.0\"?>\n<Access_Token>\n <Token>fdj</Token>\n <Expiration_date>6/1/2014 8:00:00 PM</Expiration_date>\n <Refresh_Token>8ew$s</Refresh_Token>\n</Access_Token>";
        let t = parse_legacy_token(x).unwrap();
        assert_eq!(t.token, "fdj");
        assert_eq!(t.refresh_token.as_deref(), Some("8ew$s"));
        assert_eq!(t.instance_url, None);
        assert_eq!(
            parse_legacy_date(t.expiration.as_deref().unwrap())
                .unwrap()
                .to_rfc3339(),
            "2014-06-01T20:00:00+00:00"
        );
    }

    #[test]
    fn join_keeps_prefix() {
        let b = parse_base("https://proxy.example/concur", "t").unwrap();
        assert_eq!(
            join(&b, "/api/v3.0/expense/reports").unwrap().as_str(),
            "https://proxy.example/concur/api/v3.0/expense/reports"
        );
    }

    #[test]
    fn record_debug_redacts() {
        let r = TokenRecord::new(
            "acc-secret-123",
            Some("ref-secret-456".into()),
            Utc::now(),
            Url::parse("https://us.api.concursolutions.com/").unwrap(),
            AuthMode::Password,
        );
        let d = format!("{r:?}");
        assert!(
            !d.contains("acc-secret-123") && !d.contains("ref-secret-456"),
            "{d}"
        );
        let j = serde_json::to_string(&r).unwrap();
        assert!(j.contains("ref-secret-456"));
        let back: TokenRecord = serde_json::from_str(&j).unwrap();
        assert_eq!(
            back.refresh_token.unwrap().expose_secret(),
            "ref-secret-456"
        );
    }
}
