//! The sync scheduler: periodic incremental syncs per connection with jitter, leases (never
//! two syncs of one connection at once, across replicas), backoff after failures, manual
//! triggers and graceful shutdown.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{Months, Utc};
use saas_discovery::{CancellationSignal, DiscoveryError, DiscoverySource, RunStatus};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::metrics::Metrics;
use crate::sink::StoreSink;
use crate::store::{Lease, RunEnd, Store, now_ms};

/// Error building a connection's source (bad credentials file, missing key…).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ProviderError(pub String);

/// Builds the [`DiscoverySource`] of one connection for each sync, and probes permissions.
#[async_trait]
pub trait SourceProvider: Send + Sync {
    /// The source system, e.g. `concur`.
    fn system(&self) -> &str;

    /// The source to run for the next sync.
    ///
    /// # Errors
    /// [`ProviderError`] when the source cannot be built; the sync counts as failed.
    async fn source(&self) -> Result<Arc<dyn DiscoverySource>, ProviderError>;

    /// Probes the connection's permissions (JSON object per API group), or `None` when the
    /// source has nothing to probe.
    async fn probe(&self) -> Option<serde_json::Value> {
        None
    }

    /// Cumulative client counters for `/metrics` (see
    /// [`Metrics::set_client_counters`](crate::metrics::Metrics::set_client_counters)).
    fn client_counters(&self) -> Vec<(&'static str, u64)> {
        Vec::new()
    }
}

/// A provider that always hands out the same source (tests, embedding).
pub struct StaticProvider {
    system: String,
    source: Arc<dyn DiscoverySource>,
}

impl StaticProvider {
    /// Wraps a source; the system name is the source's [`DiscoverySource::name`].
    pub fn new(source: Arc<dyn DiscoverySource>) -> Self {
        Self {
            system: source.name().to_owned(),
            source,
        }
    }
}

#[async_trait]
impl SourceProvider for StaticProvider {
    fn system(&self) -> &str {
        &self.system
    }
    async fn source(&self) -> Result<Arc<dyn DiscoverySource>, ProviderError> {
        Ok(self.source.clone())
    }
}

/// A configured connection as the scheduler sees it.
#[derive(Clone)]
pub struct ConnectionHandle {
    /// Connection id (the configuration key).
    pub id: String,
    /// Builds its source.
    pub provider: Arc<dyn SourceProvider>,
    /// Time between successful syncs.
    pub interval: Duration,
    /// `false`: never synced.
    pub enabled: bool,
}

/// Scheduler settings (from [`Config`](crate::config::Config)).
#[derive(Clone, Debug)]
pub struct SyncSettings {
    /// Upper bound of the random delay added to every schedule.
    pub jitter: Duration,
    /// First failure backoff; doubles per consecutive failure.
    pub backoff_initial: Duration,
    /// Backoff cap.
    pub backoff_max: Duration,
    /// Lease time-to-live (renewed every third of it).
    pub lease_ttl: Duration,
    /// How often the store is polled for due connections.
    pub poll_interval: Duration,
    /// Syncs run at once by this replica.
    pub max_concurrent: usize,
    /// Retention of costs, in months.
    pub retention_months: u32,
    /// This replica's id.
    pub replica_id: String,
    /// How long shutdown waits for running syncs.
    pub shutdown_grace: Duration,
}

impl SyncSettings {
    /// Settings for tests: no jitter, short lease and poll, 1 s backoff.
    pub fn for_tests(replica_id: impl Into<String>) -> Self {
        Self {
            jitter: Duration::ZERO,
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_secs(4),
            lease_ttl: Duration::from_secs(30),
            poll_interval: Duration::from_millis(50),
            max_concurrent: 2,
            retention_months: 24,
            replica_id: replica_id.into(),
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// How one sync ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncReport {
    /// Run id.
    pub run_id: String,
    /// Final status: `complete`, `partial`, `cancelled`, `failed` or `lease_lost`.
    pub status: String,
    /// Error message when failed.
    pub error: Option<String>,
}

/// The scheduler. Cheap to share (`Arc`).
pub struct Scheduler {
    store: Store,
    settings: SyncSettings,
    connections: Vec<ConnectionHandle>,
    metrics: Arc<Metrics>,
    notify: Notify,
    running: Mutex<HashSet<String>>,
    manual: Mutex<HashSet<String>>,
    tracker: TaskTracker,
}

/// Delay after the `failures`-th consecutive failure: `initial * 2^(failures-1)`, capped.
pub fn backoff_delay(initial: Duration, max: Duration, failures: u32) -> Duration {
    let exp = failures.saturating_sub(1).min(30);
    initial.saturating_mul(1u32 << exp).min(max)
}

fn jitter_ms(jitter: Duration) -> i64 {
    let max = i64::try_from(jitter.as_millis()).unwrap_or(i64::MAX);
    if max == 0 {
        0
    } else {
        rand::random_range(0..=max)
    }
}

fn dur_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Scheduler {
    /// A scheduler over `connections` (registered in the store by [`Scheduler::register`]).
    pub fn new(
        store: Store,
        settings: SyncSettings,
        connections: Vec<ConnectionHandle>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            store,
            settings,
            connections,
            metrics,
            notify: Notify::new(),
            running: Mutex::new(HashSet::new()),
            manual: Mutex::new(HashSet::new()),
            tracker: TaskTracker::new(),
        }
    }

    /// Registers every configured connection in the store.
    ///
    /// # Errors
    /// Store errors.
    pub async fn register(&self) -> Result<(), crate::store::StoreError> {
        for c in &self.connections {
            self.store
                .ensure_connection(&c.id, c.provider.system())
                .await?;
        }
        Ok(())
    }

    /// The configured connections.
    pub fn connections(&self) -> &[ConnectionHandle] {
        &self.connections
    }

    /// The settings.
    pub fn settings(&self) -> &SyncSettings {
        &self.settings
    }

    /// `true` while this replica syncs `id`.
    pub fn is_running(&self, id: &str) -> bool {
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(id)
    }

    /// Manual trigger: marks `id` due now and wakes the scheduler.
    ///
    /// # Errors
    /// [`StoreError::UnknownConnection`](crate::store::StoreError::UnknownConnection) when not
    /// configured; store errors.
    pub async fn trigger(&self, id: &str) -> Result<(), crate::store::StoreError> {
        if !self.connections.iter().any(|c| c.id == id) {
            return Err(crate::store::StoreError::UnknownConnection(id.to_owned()));
        }
        self.store.request_sync(id).await?;
        self.manual
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.to_owned());
        self.notify.notify_one();
        Ok(())
    }

    /// Runs the scheduling loop until `shutdown` is cancelled, then waits up to
    /// `shutdown_grace` for running syncs (they are cancelled too and abandon their current
    /// batch, which the next run re-reads from the last checkpoint).
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        let mut last_prune: Option<Instant> = None;
        if let Err(e) = self.store.mark_abandoned_runs(now_ms()).await {
            tracing::warn!(error = %e, "could not mark abandoned runs");
        }
        loop {
            if shutdown.is_cancelled() {
                break;
            }
            if last_prune.is_none_or(|t| t.elapsed() > Duration::from_secs(3600)) {
                last_prune = Some(Instant::now());
                self.prune().await;
            }
            self.claim_and_spawn(&shutdown).await;
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(self.settings.poll_interval) => {}
                () = self.notify.notified() => {}
            }
        }
        self.tracker.close();
        if tokio::time::timeout(self.settings.shutdown_grace, self.tracker.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                "shutdown grace elapsed with syncs still running; their uncommitted batches are abandoned"
            );
        }
    }

    async fn prune(&self) {
        let today = Utc::now().date_naive();
        let Some(cutoff) = today.checked_sub_months(Months::new(self.settings.retention_months))
        else {
            return;
        };
        let cutoff_ms = cutoff
            .and_hms_opt(0, 0, 0)
            .map_or(0, |d| d.and_utc().timestamp_millis());
        match self.store.prune(cutoff, cutoff_ms).await {
            Ok(n) if n > 0 => tracing::info!(deleted = n, %cutoff, "retention: pruned old costs"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "retention prune failed"),
        }
    }

    async fn claim_and_spawn(self: &Arc<Self>, shutdown: &CancellationToken) {
        loop {
            let ids: Vec<String> = {
                let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
                if running.len() >= self.settings.max_concurrent {
                    return;
                }
                self.connections
                    .iter()
                    .filter(|c| c.enabled && !running.contains(&c.id))
                    .map(|c| c.id.clone())
                    .collect()
            };
            let claimed_at = now_ms();
            let lease = match self
                .store
                .claim_next(
                    &ids,
                    &self.settings.replica_id,
                    claimed_at,
                    self.settings.lease_ttl,
                )
                .await
            {
                Ok(Some(l)) => l,
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "claiming a connection failed");
                    return;
                }
            };
            let trigger = if self
                .manual
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&lease.connection_id)
            {
                "manual"
            } else {
                "schedule"
            };
            self.running
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(lease.connection_id.clone());
            let this = Arc::clone(self);
            let cancel = shutdown.child_token();
            self.tracker.spawn(async move {
                let id = lease.connection_id.clone();
                let report = this.sync_leased(lease, trigger, claimed_at, cancel).await;
                tracing::info!(connection = %id, run = %report.run_id, status = %report.status, "sync finished");
                this.running.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
                this.notify.notify_one();
            });
        }
    }

    /// Claims `id` (if due and free) and syncs it now, in the caller's task. For tests and
    /// one-shot runs.
    ///
    /// Returns `None` when the connection is not due or leased elsewhere.
    ///
    /// # Errors
    /// Store errors while claiming.
    pub async fn sync_now(
        &self,
        id: &str,
        cancel: CancellationToken,
    ) -> Result<Option<SyncReport>, crate::store::StoreError> {
        let claimed_at = now_ms();
        let Some(lease) = self
            .store
            .claim_next(
                &[id.to_owned()],
                &self.settings.replica_id,
                claimed_at,
                self.settings.lease_ttl,
            )
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(
            self.sync_leased(lease, "manual", claimed_at, cancel).await,
        ))
    }

    /// Runs one sync of a leased connection, then records the run and releases the lease.
    pub async fn sync_leased(
        &self,
        lease: Lease,
        trigger: &str,
        claimed_at: i64,
        cancel: CancellationToken,
    ) -> SyncReport {
        let started = Instant::now();
        let run_id = uuid::Uuid::new_v4().to_string();
        let conn_id = lease.connection_id.clone();
        let Some(handle) = self.connections.iter().find(|c| c.id == conn_id).cloned() else {
            return SyncReport {
                run_id,
                status: "failed".into(),
                error: Some(format!("connection {conn_id} is not configured")),
            };
        };
        if let Err(e) = self.store.start_run(&run_id, &lease, trigger).await {
            tracing::warn!(connection = %conn_id, error = %e, "could not record run start");
        }
        // Heartbeat: renew the lease; on loss, cancel the run.
        let lost = CancellationToken::new();
        let hb_cancel = cancel.clone();
        let hb_lost = lost.clone();
        let hb_store = self.store.clone();
        let hb_lease = lease.clone();
        let ttl = self.settings.lease_ttl;
        let heartbeat = tokio::spawn(async move {
            loop {
                tokio::time::sleep(ttl / 3).await;
                match hb_store.renew_lease(&hb_lease, now_ms(), ttl).await {
                    Ok(()) => {}
                    Err(crate::store::StoreError::LeaseLost(_)) => {
                        hb_lost.cancel();
                        hb_cancel.cancel();
                        return;
                    }
                    Err(e) => tracing::warn!(error = %e, "lease renewal failed; retrying"),
                }
            }
        });

        let mut stats = None;
        let (status, error) = 'run: {
            if let Some(p) = handle.provider.probe().await
                && let Err(e) = self.store.set_permissions(&conn_id, &p).await
            {
                tracing::warn!(error = %e, "could not store permission probe");
            }
            let source = match handle.provider.source().await {
                Ok(s) => s,
                Err(e) => break 'run ("failed".to_owned(), Some(e.to_string())),
            };
            let checkpoint = match self.store.checkpoint(&conn_id).await {
                Ok(c) => c,
                Err(e) => break 'run ("failed".to_owned(), Some(e.to_string())),
            };
            let mut sink = StoreSink::new(
                self.store.clone(),
                lease.clone(),
                run_id.clone(),
                self.settings.lease_ttl,
                self.metrics.clone(),
            );
            let result = source
                .discover(
                    checkpoint,
                    CancellationSignal::from_token(cancel.clone()),
                    &mut sink,
                )
                .await;
            match result {
                Ok(outcome) => {
                    let abandoned = sink.pending();
                    match outcome.status {
                        RunStatus::Cancelled if lost.is_cancelled() => (
                            "lease_lost".to_owned(),
                            Some("lease taken over by another replica".to_owned()),
                        ),
                        RunStatus::Cancelled => {
                            tracing::info!(connection = %conn_id, abandoned, "sync cancelled; uncommitted events abandoned");
                            ("cancelled".to_owned(), None)
                        }
                        RunStatus::Partial => {
                            stats = Some(outcome.stats);
                            ("partial".to_owned(), None)
                        }
                        _ => {
                            stats = Some(outcome.stats);
                            ("complete".to_owned(), None)
                        }
                    }
                }
                Err(DiscoveryError::Sink(e)) if sink.lease_lost() => {
                    ("lease_lost".to_owned(), Some(e.to_string()))
                }
                Err(e) => ("failed".to_owned(), Some(error_chain(&e))),
            }
        };
        heartbeat.abort();

        let now = now_ms();
        let failed = status == "failed";
        let next_due_at = match status.as_str() {
            "complete" | "partial" => {
                Some(now + dur_ms(handle.interval) + jitter_ms(self.settings.jitter))
            }
            "failed" => {
                let failures = self.store.consecutive_failures(&conn_id).await.unwrap_or(0) + 1;
                let d = backoff_delay(
                    self.settings.backoff_initial,
                    self.settings.backoff_max,
                    failures,
                );
                Some(now + dur_ms(d) + jitter_ms(self.settings.jitter.min(d)))
            }
            _ => None,
        };
        let end = RunEnd {
            status: status.clone(),
            error: error.clone(),
            stats: stats.clone(),
            next_due_at,
            failed,
            claimed_at,
        };
        if let Err(e) = self.store.finish_run(&run_id, &lease, &end).await {
            tracing::warn!(connection = %conn_id, error = %e, "could not record run end");
        }
        if let Some(e) = &error {
            tracing::warn!(connection = %conn_id, run = %run_id, status = %status, error = %e, "sync did not complete");
        }
        self.metrics
            .record_sync(&conn_id, &status, started.elapsed(), stats.as_ref());
        SyncReport {
            run_id,
            status,
            error,
        }
    }
}

/// An error with its sources, `: `-separated.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let m = c.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        cur = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let i = Duration::from_secs(60);
        let m = Duration::from_secs(3600);
        assert_eq!(backoff_delay(i, m, 1), Duration::from_secs(60));
        assert_eq!(backoff_delay(i, m, 2), Duration::from_secs(120));
        assert_eq!(backoff_delay(i, m, 4), Duration::from_secs(480));
        assert_eq!(backoff_delay(i, m, 10), m);
        assert_eq!(backoff_delay(i, m, 1000), m);
    }
}
