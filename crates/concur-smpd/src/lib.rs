//! `concur-smpd`: the long-running discovery service an SMP deploys.
//!
//! It composes the same libraries as the `concur-smp` CLI: for every configured Concur
//! connection it runs periodic incremental syncs (a [`DiscoverySource`](saas_discovery::DiscoverySource)
//! streaming into a [`StoreSink`](sink::StoreSink)), keeps services, costs, unmatched spend,
//! findings and sync runs in a SQLite or PostgreSQL [`Store`](store::Store), and serves them
//! over an HTTP API ([`app`]).
//!
//! * [`config`]: TOML + environment configuration (figment).
//! * [`store`]: persistence, leasing, retention, personal-data purge.
//! * [`sync`]: the scheduler (jitter, backoff, leases, manual triggers, graceful shutdown).
//! * [`api`]: the axum router; [`openapi`]: its OpenAPI document.
//! * [`concur`]: the Concur [`SourceProvider`](sync::SourceProvider) and the encrypted token store.
//!
//! See `docs/service.md`.

pub mod api;
pub mod concur;
pub mod config;
pub mod crypto;
pub mod metrics;
pub mod openapi;
pub mod sink;
pub mod store;
pub mod sync;

use std::sync::Arc;

use anyhow::Context as _;
use tokio_util::sync::CancellationToken;

pub use api::{AppState, app};

use crate::config::Config;
use crate::metrics::Metrics;
use crate::store::{Store, StoreOptions};
use crate::sync::{ConnectionHandle, Scheduler, SyncSettings};

/// The replica id to use: the configured one, or `<hostname>-<random>`.
pub fn replica_id(config: &Config) -> String {
    config.replica_id.clone().unwrap_or_else(|| {
        let host = std::env::var("HOSTNAME")
            .ok()
            .filter(|h| !h.is_empty())
            .or_else(|| {
                std::fs::read_to_string("/etc/hostname")
                    .ok()
                    .map(|h| h.trim().to_owned())
            })
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "replica".to_owned());
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        format!("{host}-{}", &suffix[..8])
    })
}

/// Scheduler settings from the configuration.
pub fn sync_settings(config: &Config, replica_id: String) -> SyncSettings {
    SyncSettings {
        jitter: config.sync_jitter,
        backoff_initial: config.backoff_initial,
        backoff_max: config.backoff_max,
        lease_ttl: config.lease_ttl,
        poll_interval: config.poll_interval,
        max_concurrent: config.max_concurrent_syncs,
        retention_months: config.retention_months,
        replica_id,
        shutdown_grace: config.shutdown_grace,
    }
}

/// Resolves when SIGTERM or ctrl-c arrives.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// Runs the service until SIGTERM / ctrl-c: opens the store (applying migrations), registers
/// the connections, starts the scheduler and serves the API on `config.listen`.
///
/// # Errors
/// Store, token-key, provider or listener errors at start-up.
pub async fn run(config: Config) -> anyhow::Result<()> {
    // The key first: a missing key must not leave a freshly created store behind.
    let cipher = if config.connections.is_empty() {
        None
    } else {
        Some(crate::crypto::TokenCipher::from_env().context("loading the token encryption key")?)
    };
    let store = Store::connect(&StoreOptions {
        url: config.effective_store_url(),
        schema: config.store_schema.clone(),
        max_connections: config.store_max_connections,
    })
    .await
    .context("opening the store")?;
    tracing::info!(backend = ?store.backend(), "store ready (migrations applied)");

    let mut handles = Vec::new();
    for (id, c) in &config.connections {
        let provider = concur::ConcurProvider::new(
            id.clone(),
            c.clone(),
            store.clone(),
            cipher.clone().context("token key")?,
        )
        .with_context(|| format!("connection {id}"))?;
        handles.push(ConnectionHandle {
            id: id.clone(),
            provider: Arc::new(provider),
            interval: c.sync_interval.unwrap_or(config.sync_interval),
            enabled: c.enabled,
        });
    }
    let metrics = Arc::new(Metrics::new());
    let replica = replica_id(&config);
    tracing::info!(replica = %replica, connections = handles.len(), "starting");
    let scheduler = Arc::new(Scheduler::new(
        store.clone(),
        sync_settings(&config, replica),
        handles,
        metrics.clone(),
    ));
    scheduler
        .register()
        .await
        .context("registering connections")?;

    let state = AppState::new(store.clone(), scheduler.clone(), metrics, &config.api_keys);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    tracing::info!(listen = %listener.local_addr().unwrap_or(config.listen), "HTTP API listening");

    let shutdown = CancellationToken::new();
    let signal_token = shutdown.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutdown requested; finishing or abandoning the current batches");
        signal_token.cancel();
    });
    let sched = tokio::spawn(scheduler.run(shutdown.clone()));
    let serve_token = shutdown.clone();
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async move { serve_token.cancelled().await })
        .await
        .context("HTTP server")?;
    shutdown.cancel();
    let _ = sched.await;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}
