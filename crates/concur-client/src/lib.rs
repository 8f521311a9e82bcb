//! Async client for the SAP Concur APIs: OAuth2 with geolocation, Expense, Invoice, Imaging,
//! List Items and Users.
//!
//! The crate is built around one [`Client`] (cheap to clone: an `Arc` inside) that owns
//! authentication, the transport (retries, rate limits, error decoding, tracing) and the base
//! URL handed out by Concur (the token's `geolocation`). API families hang off the client as
//! handlers with owning builders:
//!
//! ```no_run
//! # async fn run() -> Result<(), concur_client::Error> {
//! use concur_client::{Client, Credentials, Grant};
//! use futures::TryStreamExt;
//!
//! let client = Client::builder()
//!     .base_url("https://us.api.concursolutions.com")
//!     .credentials(Credentials::new("my-client-id", "my-client-secret"))
//!     .grant(Grant::password("ada.testperson@example.com", "not-a-real-password"))
//!     .build()?;
//! let reports: Vec<_> = client
//!     .expense()
//!     .reports()
//!     .list()
//!     .user_all()
//!     .stream()
//!     .try_collect()
//!     .await?;
//! println!("{} reports", reports.len());
//! # Ok(()) }
//! ```
//!
//! * Authentication: [`auth`] (grants, [`TokenRecord`], [`TokenStore`]).
//! * Transport and the raw escape hatch: [`http`] ([`Request`], [`RawResponse`], [`RetryConfig`]).
//! * Paging: [`pagination`] ([`Page`], [`Cursor`], [`Paginator`]).
//! * Errors: [`Error`].
//! * Endpoints: [`api`]; models: [`models`].
//!
//! TLS backend: feature `rustls` (default) or `native-tls`. MSRV: Rust 1.94.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod api;
pub mod auth;
mod client;
pub mod error;
pub mod http;
pub mod models;
pub mod pagination;
pub mod probe;
pub mod secret;
pub mod trust;

pub use auth::{
    AuthMode, Credentials, FileTokenStore, Grant, IdTokenClaims, LegacyCredentials,
    LegacyTokenExchange, MemoryTokenStore, TokenRecord, TokenStore, write_atomic_0600,
};
pub use client::{BaseUrlPolicy, Client, ClientBuilder};
pub use error::{ApiErrorDetail, Error, ErrorKind, PaginationErrorReason, Result};
pub use http::{Metrics, MetricsSnapshot, RawResponse, Request, RetryConfig};
pub use pagination::{Cursor, Page, Paginator};
pub use secret::SecretString;

/// The crate version, sent in the `User-Agent` header (`concur-client/<version>`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
