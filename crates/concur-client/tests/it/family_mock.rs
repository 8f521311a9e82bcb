//! Shared setup for the issue-6 family tests: a client with a fixed token pointed at a
//! mockito server (no retries, so error tests are fast).

use chrono::{Duration, Utc};
use concur_client::{AuthMode, Client, RetryConfig, TokenRecord};
use url::Url;

/// The access token every mock expects.
pub const TOKEN: &str = "family-test-token";

/// The `Authorization` header value the client sends.
pub const BEARER: &str = "Bearer family-test-token";

/// A client for `server` with a valid company token and no retries.
pub fn client(server: &mockito::ServerGuard) -> Client {
    let base = Url::parse(&server.url()).unwrap();
    let tok = TokenRecord::new(
        TOKEN,
        None,
        Utc::now() + Duration::hours(1),
        base,
        AuthMode::CompanyAuthToken,
    );
    Client::builder()
        .base_url(&server.url())
        .token(tok)
        .retry(RetryConfig::none())
        .build()
        .unwrap()
}

/// Reads a fixture of `tests/fixtures`.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}
