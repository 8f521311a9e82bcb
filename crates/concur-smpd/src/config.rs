//! Service configuration: a TOML file plus `CONCUR_SMPD_*` environment overrides (figment).
//!
//! See `docs/service.md` for the reference and `concur-smpd.example.toml` for an example.
//!
//! Environment overrides use the prefix `CONCUR_SMPD_` and `__` as the path separator, e.g.
//! `CONCUR_SMPD_SYNC_INTERVAL=15m`, `CONCUR_SMPD_API_KEYS='["k1","k2"]'`,
//! `CONCUR_SMPD_CONNECTIONS__ACME__CLIENT_SECRET=…`. `CONCUR_SMPD_TOKEN_KEY` (the token
//! encryption key), `CONCUR_SMPD_CONFIG` (the file path) and `CONCUR_SMPD_TEST_DATABASE_URL`
//! are not configuration keys and are ignored here.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use url::Url;

/// Error loading or validating the configuration. The message names the offending field
/// (e.g. `sync_interval`, `connections.acme.base_url`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be parsed or a field has the wrong type / an unknown name
    /// (figment's message, which names the key and the file).
    #[error("invalid configuration: {0}")]
    Parse(String),
    /// A field has a value that is well-typed but not acceptable.
    #[error("invalid configuration: field `{field}`: {message}")]
    Invalid {
        /// Dotted path of the field, e.g. `connections.acme.base_url`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
}

impl ConfigError {
    fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Log output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// The whole service configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// Address the HTTP API listens on. Default `127.0.0.1:8080`.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Directory for the default SQLite store. Default `./data`.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// Store URL: `sqlite://PATH` or `postgres://…`. Default: `sqlite://<data_dir>/concur-smpd.db`.
    #[serde(default)]
    pub store_url: Option<String>,
    /// PostgreSQL schema to use (created if missing). Default: the server's `search_path`.
    #[serde(default)]
    pub store_schema: Option<String>,
    /// Maximum number of store connections. Default 8.
    #[serde(default = "default_store_max_connections")]
    pub store_max_connections: u32,
    /// Time between the end of a successful sync and the next one. Default `1h`.
    #[serde(default = "default_sync_interval", deserialize_with = "de_duration")]
    pub sync_interval: Duration,
    /// Random extra delay, uniformly in `[0, sync_jitter]`, added to every schedule. Default `5m`.
    #[serde(default = "default_sync_jitter", deserialize_with = "de_duration")]
    pub sync_jitter: Duration,
    /// First delay after a failed sync; doubles per consecutive failure. Default `1m`.
    #[serde(default = "default_backoff_initial", deserialize_with = "de_duration")]
    pub backoff_initial: Duration,
    /// Upper bound of the failure backoff. Default `1h`.
    #[serde(default = "default_backoff_max", deserialize_with = "de_duration")]
    pub backoff_max: Duration,
    /// How long a replica holds a connection's lease without renewing it. Default `2m`.
    #[serde(default = "default_lease_ttl", deserialize_with = "de_duration")]
    pub lease_ttl: Duration,
    /// How often the scheduler looks for due connections. Default `5s`.
    #[serde(default = "default_poll_interval", deserialize_with = "de_duration")]
    pub poll_interval: Duration,
    /// How long shutdown waits for running syncs to stop. Default `30s`.
    #[serde(default = "default_shutdown_grace", deserialize_with = "de_duration")]
    pub shutdown_grace: Duration,
    /// Syncs this replica runs at once (different connections). Default 2.
    #[serde(default = "default_max_concurrent_syncs")]
    pub max_concurrent_syncs: usize,
    /// Costs older than this many months (by transaction date) are deleted. Default 24.
    #[serde(default = "default_retention_months")]
    pub retention_months: u32,
    /// This replica's name in leases and sync runs. Default: host name + random suffix.
    #[serde(default)]
    pub replica_id: Option<String>,
    /// Bearer keys accepted on `/v1`. At least one is required.
    #[serde(default)]
    pub api_keys: Vec<SecretString>,
    /// Log format. Default `text`.
    #[serde(default)]
    pub log_format: LogFormat,
    /// The Concur connections by id (the id is the table key, e.g. `[connections.acme]`).
    #[serde(default)]
    pub connections: BTreeMap<String, ConnectionConfig>,
}

/// One Concur connection: a company, its credentials and options.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ConnectionConfig {
    /// API base URL to start from (e.g. `https://us.api.concursolutions.com`). The token's
    /// geolocation takes over after the first token call.
    pub base_url: Url,
    /// Send every call to `base_url` instead of the token's geolocation (a reverse proxy or a
    /// simulator). Default `false` (Concur's rule: follow the geolocation).
    #[serde(default)]
    pub pin_base_url: bool,
    /// Extra origins trusted for server-provided URLs (e.g. a proxy's geolocation hosts).
    /// `base_url`'s own origin is always trusted.
    #[serde(default)]
    pub trust_origins: Vec<Url>,
    /// OAuth2 client id.
    pub client_id: String,
    /// OAuth2 client secret.
    pub client_secret: SecretString,
    /// How to obtain the first token (later tokens are refreshed and kept in the store).
    pub grant: GrantConfig,
    /// Company UUID, if known (informational).
    #[serde(default)]
    pub company_id: Option<String>,
    /// Company name, if known (informational).
    #[serde(default)]
    pub company_name: Option<String>,
    /// Months read back on the first sync. Default: the discovery library's default (12).
    #[serde(default)]
    pub lookback_months: Option<u32>,
    /// Concurrent reads for this company. Default: the discovery library's default (4).
    #[serde(default)]
    pub concurrency: Option<usize>,
    /// Report approval statuses that count. Default: the discovery library's default.
    #[serde(default)]
    pub statuses: Option<Vec<String>>,
    /// A rules file for the matcher (see docs/discovery.md).
    #[serde(default)]
    pub rules_file: Option<PathBuf>,
    /// Overrides the global `sync_interval` for this connection.
    #[serde(default, deserialize_with = "de_opt_duration")]
    pub sync_interval: Option<Duration>,
    /// `false` keeps the connection configured but never synced. Default `true`.
    #[serde(default = "default_true")]
    pub enabled: bool,
}

/// The grant used to obtain a connection's first token.
#[derive(Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum GrantConfig {
    /// Refresh-token grant (the usual: an admin authorised the app once).
    RefreshToken {
        /// The refresh token.
        refresh_token: SecretString,
    },
    /// Password grant (a Concur user name and password).
    Password {
        /// User name.
        username: String,
        /// Password.
        password: SecretString,
    },
    /// Company-level request token (`credtype=authtoken`).
    Company {
        /// Company UUID.
        company_id: String,
        /// Request token.
        request_token: SecretString,
    },
    /// Client-credentials grant (app token).
    ClientCredentials,
}

impl fmt::Debug for GrantConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RefreshToken { .. } => f.write_str("RefreshToken { refresh_token: [REDACTED] }"),
            Self::Password { username, .. } => f
                .debug_struct("Password")
                .field("username", username)
                .field("password", &"[REDACTED]")
                .finish(),
            Self::Company { company_id, .. } => f
                .debug_struct("Company")
                .field("company_id", company_id)
                .field("request_token", &"[REDACTED]")
                .finish(),
            Self::ClientCredentials => f.write_str("ClientCredentials"),
        }
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}
fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}
fn default_store_max_connections() -> u32 {
    8
}
fn default_sync_interval() -> Duration {
    Duration::from_secs(3600)
}
fn default_sync_jitter() -> Duration {
    Duration::from_secs(300)
}
fn default_backoff_initial() -> Duration {
    Duration::from_secs(60)
}
fn default_backoff_max() -> Duration {
    Duration::from_secs(3600)
}
fn default_lease_ttl() -> Duration {
    Duration::from_secs(120)
}
fn default_poll_interval() -> Duration {
    Duration::from_secs(5)
}
fn default_shutdown_grace() -> Duration {
    Duration::from_secs(30)
}
fn default_max_concurrent_syncs() -> usize {
    2
}
fn default_retention_months() -> u32 {
    24
}
fn default_true() -> bool {
    true
}

/// Parses a duration: an integer number of seconds, or a string with a unit suffix
/// (`500ms`, `90s`, `15m`, `1h`, `2d`; a bare number is seconds).
///
/// # Errors
/// A message saying what is expected.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let expected = || format!("invalid duration {s:?}: expected e.g. 90s, 15m, 1h, 2d or 500ms");
    let n: u64 = num.parse().map_err(|_| expected())?;
    let secs = match unit.trim() {
        "" | "s" => n,
        "ms" => return Ok(Duration::from_millis(n)),
        "m" => n.checked_mul(60).ok_or_else(expected)?,
        "h" => n.checked_mul(3600).ok_or_else(expected)?,
        "d" => n.checked_mul(86_400).ok_or_else(expected)?,
        _ => return Err(expected()),
    };
    Ok(Duration::from_secs(secs))
}

struct DurationVisitor;

impl Visitor<'_> for DurationVisitor {
    type Value = Duration;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a duration such as 90s, 15m, 1h, 2d, 500ms or a number of seconds")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
        Ok(Duration::from_secs(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
        u64::try_from(v)
            .map(Duration::from_secs)
            .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
        parse_duration(v).map_err(E::custom)
    }
}

fn de_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    d.deserialize_any(DurationVisitor)
}

fn de_opt_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    d.deserialize_any(DurationVisitor).map(Some)
}

impl Config {
    /// Loads the configuration from `path` (TOML) with `CONCUR_SMPD_*` environment overrides,
    /// then validates it.
    ///
    /// # Errors
    /// [`ConfigError`] naming the offending field; a missing file is an error.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        if !path.is_file() {
            return Err(ConfigError::Parse(format!(
                "configuration file {} does not exist or is not a file",
                path.display()
            )));
        }
        Self::from_figment(Figment::new().merge(Toml::file(path)).merge(env_provider()))
    }

    /// Parses a configuration from TOML text (no environment overrides), then validates it.
    ///
    /// # Errors
    /// [`ConfigError`] naming the offending field.
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        Self::from_figment(Figment::new().merge(Toml::string(text)))
    }

    fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let config: Config = figment.extract().map_err(|e| {
            let msgs: Vec<String> = e.into_iter().map(|e| e.to_string()).collect();
            ConfigError::Parse(msgs.join("; "))
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks values that types cannot express.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.api_keys.is_empty() {
            return Err(ConfigError::invalid(
                "api_keys",
                "at least one API key is required (the /v1 API is never open)",
            ));
        }
        for (i, k) in self.api_keys.iter().enumerate() {
            if k.expose_secret().len() < 16 {
                return Err(ConfigError::invalid(
                    format!("api_keys[{i}]"),
                    "an API key must be at least 16 characters long",
                ));
            }
        }
        if let Some(url) = &self.store_url
            && !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
        {
            return Err(ConfigError::invalid(
                "store_url",
                "expected sqlite://PATH or postgres://USER@HOST/DB",
            ));
        }
        if let Some(schema) = &self.store_schema
            && !is_identifier(schema)
        {
            return Err(ConfigError::invalid(
                "store_schema",
                "expected a lowercase identifier (a-z, 0-9, _; starting with a letter or _)",
            ));
        }
        if self.sync_interval.is_zero() {
            return Err(ConfigError::invalid(
                "sync_interval",
                "must be greater than zero",
            ));
        }
        if self.lease_ttl < Duration::from_secs(1) {
            return Err(ConfigError::invalid("lease_ttl", "must be at least 1s"));
        }
        if self.poll_interval.is_zero() {
            return Err(ConfigError::invalid(
                "poll_interval",
                "must be greater than zero",
            ));
        }
        if self.backoff_max < self.backoff_initial {
            return Err(ConfigError::invalid(
                "backoff_max",
                "must not be smaller than backoff_initial",
            ));
        }
        if self.max_concurrent_syncs == 0 {
            return Err(ConfigError::invalid(
                "max_concurrent_syncs",
                "must be at least 1",
            ));
        }
        if self.retention_months == 0 {
            return Err(ConfigError::invalid(
                "retention_months",
                "must be at least 1",
            ));
        }
        for (id, c) in &self.connections {
            let field = |f: &str| format!("connections.{id}.{f}");
            if id.is_empty()
                || id.len() > 64
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(ConfigError::invalid(
                    format!("connections.{id}"),
                    "a connection id uses a-z, A-Z, 0-9, '-' and '_' (1 to 64 bytes)",
                ));
            }
            if !matches!(c.base_url.scheme(), "https" | "http") {
                return Err(ConfigError::invalid(
                    field("base_url"),
                    "expected an http(s) URL",
                ));
            }
            if c.client_id.trim().is_empty() {
                return Err(ConfigError::invalid(
                    field("client_id"),
                    "must not be empty",
                ));
            }
            if c.concurrency == Some(0) {
                return Err(ConfigError::invalid(
                    field("concurrency"),
                    "must be at least 1",
                ));
            }
            if c.sync_interval.is_some_and(|d| d.is_zero()) {
                return Err(ConfigError::invalid(
                    field("sync_interval"),
                    "must be greater than zero",
                ));
            }
        }
        Ok(())
    }

    /// The store URL to use: `store_url`, or the SQLite file in `data_dir`.
    pub fn effective_store_url(&self) -> String {
        match &self.store_url {
            Some(u) => u.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("concur-smpd.db").display()
            ),
        }
    }
}

/// The environment layer: `CONCUR_SMPD_*`, `__` separates path segments.
fn env_provider() -> Env {
    Env::prefixed("CONCUR_SMPD_")
        .ignore(&["token_key", "test_database_url", "config"])
        .split("__")
}

fn is_identifier(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_lowercase() || b == b'_')
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && s.len() <= 63
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "test-key-0123456789abcdef";

    fn minimal() -> String {
        format!(
            r#"
api_keys = ["{KEY}"]
[connections.acme]
base_url = "https://us.api.concursolutions.com"
client_id = "id"
client_secret = "s3cret"
grant = {{ type = "refresh_token", refresh_token = "rt" }}
"#
        )
    }

    #[test]
    fn minimal_config_has_defaults() {
        let c = Config::from_toml_str(&minimal()).unwrap();
        assert_eq!(c.sync_interval, Duration::from_secs(3600));
        assert_eq!(c.retention_months, 24);
        assert_eq!(c.listen, default_listen());
        assert!(
            c.effective_store_url()
                .starts_with("sqlite://data/concur-smpd.db")
        );
        let acme = &c.connections["acme"];
        assert!(matches!(acme.grant, GrantConfig::RefreshToken { .. }));
        assert!(acme.enabled);
    }

    #[test]
    fn durations_accept_units_and_seconds() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("2d").unwrap(), Duration::from_secs(172_800));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert!(parse_duration("soon").is_err());
        let c = Config::from_toml_str(&format!("sync_interval = 42\n{}", minimal())).unwrap();
        assert_eq!(c.sync_interval, Duration::from_secs(42));
    }

    #[test]
    fn wrong_type_names_the_field() {
        let err = Config::from_toml_str(&format!("sync_interval = \"often\"\n{}", minimal()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("sync_interval"), "{err}");
        assert!(err.contains("often"), "{err}");
    }

    #[test]
    fn unknown_field_is_named() {
        let err = Config::from_toml_str(&format!("sync_intervall = \"1h\"\n{}", minimal()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("sync_intervall"), "{err}");
    }

    #[test]
    fn nested_field_is_named() {
        let text = minimal().replace("https://us.api.concursolutions.com", "not a url");
        let err = Config::from_toml_str(&text).unwrap_err().to_string();
        assert!(err.contains("connections.acme.base_url"), "{err}");
    }

    #[test]
    fn missing_api_keys_is_rejected() {
        let text = minimal().replace(&format!("api_keys = [\"{KEY}\"]"), "");
        let err = Config::from_toml_str(&text).unwrap_err().to_string();
        assert!(err.contains("api_keys"), "{err}");
    }

    #[test]
    fn debug_redacts_grant_secrets() {
        let c = Config::from_toml_str(&minimal()).unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("s3cret"), "{dbg}");
        assert!(!dbg.contains("\"rt\""), "{dbg}");
        assert!(!dbg.contains(KEY), "{dbg}");
    }
}
