//! The Concur [`SourceProvider`]: one `concur_client::Client` per connection (its tokens live
//! encrypted in the store through [`StoreTokenStore`]) and a `concur_discovery::ConcurSource`
//! per sync.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::TimeDelta;
use concur_client::probe::{ApiGroup, ProbeOutcome};
use concur_client::{BaseUrlPolicy, Client, Credentials, Grant, TokenRecord, TokenStore};
use concur_discovery::{ConcurSource, ConcurSourceConfig, StatusPolicy};
use saas_discovery::DiscoverySource;
use secrecy::ExposeSecret;

use crate::config::{ConnectionConfig, GrantConfig};
use crate::crypto::TokenCipher;
use crate::store::Store;
use crate::sync::{ProviderError, SourceProvider};

/// A [`TokenStore`] over the service store: the token record (access and rotating refresh
/// token) is kept as JSON encrypted with ChaCha20-Poly1305 (see [`crate::crypto`]). It is never
/// returned by the API. `Debug` shows only the connection id.
pub struct StoreTokenStore {
    store: Store,
    cipher: TokenCipher,
    connection_id: String,
}

impl StoreTokenStore {
    /// A token store for `connection_id`.
    pub fn new(store: Store, cipher: TokenCipher, connection_id: impl Into<String>) -> Self {
        Self {
            store,
            cipher,
            connection_id: connection_id.into(),
        }
    }
}

impl std::fmt::Debug for StoreTokenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreTokenStore")
            .field("connection_id", &self.connection_id)
            .finish_non_exhaustive()
    }
}

fn token_error(
    message: &str,
    e: impl std::error::Error + Send + Sync + 'static,
) -> concur_client::Error {
    concur_client::Error::TokenStore {
        message: message.to_owned(),
        source: Some(Box::new(e)),
    }
}

#[async_trait]
impl TokenStore for StoreTokenStore {
    async fn load(&self) -> concur_client::Result<Option<TokenRecord>> {
        let bytes = match self
            .store
            .load_token(&self.cipher, &self.connection_id)
            .await
        {
            Ok(Some(b)) => b,
            Ok(None) => return Ok(None),
            // Another key (rotated CONCUR_SMPD_TOKEN_KEY) or tampered data: start again from
            // the configured grant instead of failing every sync.
            Err(crate::store::StoreError::Crypto(e)) => {
                tracing::warn!(connection = %self.connection_id, error = %e, "stored token unreadable; using the configured grant");
                return Ok(None);
            }
            Err(e) => return Err(token_error("loading the stored token", e)),
        };
        match serde_json::from_slice(&bytes) {
            Ok(t) => Ok(Some(t)),
            Err(e) => {
                tracing::warn!(connection = %self.connection_id, error = %e, "stored token undecodable; using the configured grant");
                Ok(None)
            }
        }
    }

    async fn save(&self, token: &TokenRecord) -> concur_client::Result<()> {
        let bytes = serde_json::to_vec(token).map_err(|e| token_error("encoding the token", e))?;
        self.store
            .save_token(&self.cipher, &self.connection_id, &bytes)
            .await
            .map_err(|e| token_error("saving the token", e))
    }
}

/// Builds the client of one connection.
///
/// # Errors
/// [`ProviderError`] for an invalid URL or client setting.
pub fn build_client(
    id: &str,
    config: &ConnectionConfig,
    token_store: Arc<dyn TokenStore>,
) -> Result<Client, ProviderError> {
    let grant = match &config.grant {
        GrantConfig::RefreshToken { refresh_token } => {
            Grant::refresh_token(refresh_token.expose_secret())
        }
        GrantConfig::Password { username, password } => {
            Grant::password(username, password.expose_secret())
        }
        GrantConfig::Company {
            company_id,
            request_token,
        } => Grant::company(company_id, request_token.expose_secret()),
        GrantConfig::ClientCredentials => Grant::ClientCredentials,
    };
    let mut b = Client::builder()
        .base_url_parsed(config.base_url.clone())
        .credentials(Credentials::new(
            &config.client_id,
            config.client_secret.expose_secret(),
        ))
        .grant(grant)
        .token_store(token_store);
    for o in &config.trust_origins {
        b = b.trust_origin(o.as_str());
    }
    if config.pin_base_url {
        b = b.base_url_policy(BaseUrlPolicy::Pinned);
    }
    b.build().map_err(|e| {
        ProviderError(format!(
            "connection {id}: cannot build the Concur client: {e}"
        ))
    })
}

/// The discovery configuration of one connection.
pub fn source_config(id: &str, config: &ConnectionConfig) -> ConcurSourceConfig {
    let mut c = ConcurSourceConfig::new(id);
    if let Some(m) = config.lookback_months {
        c = c.with_lookback(TimeDelta::days(i64::from(m) * 365 / 12));
    }
    if let Some(n) = config.concurrency {
        c = c.with_concurrency(n);
    }
    if let Some(list) = &config.statuses {
        c = c.with_statuses(StatusPolicy::Only(list.clone()));
    }
    if let Some(p) = &config.rules_file {
        c = c.with_rules_file(p.clone());
    }
    c
}

/// Provider for one Concur connection: a shared client (token cache, rate limiter) and a
/// fresh [`ConcurSource`] per sync.
pub struct ConcurProvider {
    id: String,
    client: Client,
    source_config: ConcurSourceConfig,
    matcher: Arc<saas_catalog::Matcher>,
}

impl ConcurProvider {
    /// A provider for connection `id` with tokens in `store` (encrypted with `cipher`).
    ///
    /// # Errors
    /// [`ProviderError`] when the client or the catalog matcher cannot be built.
    pub fn new(
        id: String,
        config: ConnectionConfig,
        store: Store,
        cipher: TokenCipher,
    ) -> Result<Self, ProviderError> {
        let tokens = Arc::new(StoreTokenStore::new(store, cipher, id.clone()));
        let client = build_client(&id, &config, tokens)?;
        let catalog = saas_catalog::Catalog::builtin()
            .map_err(|e| ProviderError(format!("loading the SaaS catalog: {e}")))?;
        let matcher = Arc::new(
            saas_catalog::Matcher::new(catalog, saas_catalog::Rules::empty())
                .map_err(|e| ProviderError(format!("building the matcher: {e}")))?,
        );
        let source_config = source_config(&id, &config);
        // Validate once at start-up (rules file, durations).
        ConcurSource::new(client.clone(), matcher.clone(), source_config.clone())
            .map_err(|e| ProviderError(format!("connection {id}: {e}")))?;
        Ok(Self {
            id,
            client,
            source_config,
            matcher,
        })
    }

    /// The client (shared by every sync of this connection).
    pub fn client(&self) -> &Client {
        &self.client
    }
}

#[async_trait]
impl SourceProvider for ConcurProvider {
    fn system(&self) -> &str {
        "concur"
    }

    fn client_counters(&self) -> Vec<(&'static str, u64)> {
        let m = self.client.metrics().snapshot();
        vec![
            ("requests", m.calls),
            ("retries", m.retries),
            ("throttled", m.throttled),
            ("errors", m.errors),
            ("token_refreshes", m.token_refreshes),
        ]
    }

    async fn source(&self) -> Result<Arc<dyn DiscoverySource>, ProviderError> {
        let s = ConcurSource::new(
            self.client.clone(),
            self.matcher.clone(),
            self.source_config.clone(),
        )
        .map_err(|e| ProviderError(format!("connection {}: {e}", self.id)))?;
        Ok(Arc::new(s))
    }

    /// `{"ok": <Expense Report granted>, "groups": {"expense_report": {"outcome": "granted",
    /// "status": 200, "admin_step": null}, …}}`. Only a missing Expense Report group makes the
    /// connection not ready; the others reduce coverage.
    async fn probe(&self) -> Option<serde_json::Value> {
        let report = self.client.probe_permissions().await;
        let mut groups = serde_json::Map::new();
        for r in &report.results {
            let admin_step = match &r.outcome {
                ProbeOutcome::Missing { admin_step, .. } => Some(admin_step.clone()),
                _ => None,
            };
            let key = serde_json::to_value(r.group)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| r.group.display_name().to_owned());
            groups.insert(
                key,
                serde_json::json!({
                    "outcome": r.outcome.label(),
                    "status": r.status,
                    "admin_step": admin_step,
                }),
            );
        }
        let ok = report
            .get(ApiGroup::ExpenseReport)
            .is_some_and(|r| r.is_granted());
        Some(serde_json::json!({"ok": ok, "checked_at": chrono::Utc::now(), "groups": groups}))
    }
}
