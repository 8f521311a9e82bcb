//! Shared test helpers.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use concur_client::{
    AuthMode, Client, ClientBuilder, Credentials, MemoryTokenStore, RetryConfig, TokenRecord,
};
use url::Url;

pub const CLIENT_ID: &str = "0a1b2c3d-client-id";
pub const CLIENT_SECRET: &str = "s3cr3t-client-secret-value";

/// Reads a copied official fixture.
pub fn fixture(name: &str) -> String {
    let p = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// Fast retries for tests: 4 attempts, 10 ms backoff, no jitter, floor 1 s.
pub fn fast_retry() -> RetryConfig {
    RetryConfig::default()
        .with_min_delay(Duration::from_millis(10))
        .with_max_delay(Duration::from_secs(2))
        .with_max_total_delay(Duration::from_secs(5))
        .with_jitter(false)
}

/// A token JSON body as `/oauth2/v0/token` returns it.
pub fn token_body(access: &str, refresh: Option<&str>, geo: &str, expires_in: &str) -> String {
    let mut v = serde_json::json!({
        "expires_in": expires_in,
        "scope": "app-scopes",
        "token_type": "Bearer",
        "access_token": access,
        "id_token": "oidc-token-should-be-dropped",
        "geolocation": geo,
    });
    if let Some(r) = refresh {
        v["refresh_token"] = serde_json::Value::String(r.into());
    }
    v.to_string()
}

pub fn record(
    base: &str,
    access: &str,
    refresh: Option<&str>,
    expires_in_secs: i64,
) -> TokenRecord {
    TokenRecord::new(
        access,
        refresh.map(str::to_owned),
        Utc::now() + chrono::Duration::seconds(expires_in_secs),
        Url::parse(base).unwrap(),
        AuthMode::Password,
    )
}

/// A builder pointed at `base` with test credentials and fast retries.
pub fn builder(base: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base)
        .credentials(Credentials::new(CLIENT_ID, CLIENT_SECRET))
        .retry(fast_retry())
}

/// A client that already holds a valid token ("acc-1", refresh "rt-1") for `base`.
pub fn client_with_token(base: &str) -> (Client, Arc<MemoryTokenStore>) {
    let store = Arc::new(MemoryTokenStore::with_token(record(
        base,
        "acc-1",
        Some("rt-1"),
        3600,
    )));
    let client = builder(base).token_store(store.clone()).build().unwrap();
    (client, store)
}

pub fn v3_reports_page(ids: &[&str], next: Option<&str>) -> String {
    let items: Vec<_> = ids
        .iter()
        .map(|id| serde_json::json!({"ID": id, "Name": format!("Report {id}"), "Total": "12.50", "CurrencyCode": "USD", "OwnerLoginID": "ada.testperson@example.com"}))
        .collect();
    serde_json::json!({"Items": items, "NextPage": next}).to_string()
}
