//! [`StoreSink`]: an [`EventSink`] that buffers a source's events and commits them together
//! with the checkpoint that covers them, in one store transaction.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use saas_discovery::{DiscoveryEvent, EventSink, SinkError};

use crate::metrics::Metrics;
use crate::store::{Lease, Store, StoreError};

/// Buffers events until a [`DiscoveryEvent::Checkpoint`] (or the final
/// [`DiscoveryEvent::Stats`]) arrives, then commits the buffer and the checkpoint atomically.
///
/// Whatever is still buffered when the run stops (crash, cancellation, error) is dropped: the
/// next run resumes from the last committed checkpoint and emits it again.
pub struct StoreSink {
    store: Store,
    lease: Lease,
    run_id: String,
    lease_ttl: Duration,
    metrics: Arc<Metrics>,
    pending: Vec<DiscoveryEvent>,
    lease_lost: bool,
}

impl StoreSink {
    /// A sink writing `lease.connection_id`'s data for run `run_id`.
    pub fn new(
        store: Store,
        lease: Lease,
        run_id: impl Into<String>,
        lease_ttl: Duration,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            store,
            lease,
            run_id: run_id.into(),
            lease_ttl,
            metrics,
            pending: Vec::new(),
            lease_lost: false,
        }
    }

    /// Events buffered but not committed.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// `true` once a commit found that the lease was taken over.
    pub fn lease_lost(&self) -> bool {
        self.lease_lost
    }

    async fn commit(
        &mut self,
        checkpoint: Option<saas_discovery::Checkpoint>,
    ) -> Result<(), SinkError> {
        let events = std::mem::take(&mut self.pending);
        match self
            .store
            .commit_batch(
                &self.lease,
                &self.run_id,
                events,
                checkpoint.as_ref(),
                self.lease_ttl,
            )
            .await
        {
            Ok(r) => {
                self.metrics.record_batch(&self.lease.connection_id, &r);
                Ok(())
            }
            Err(StoreError::LeaseLost(c)) => {
                self.lease_lost = true;
                Err(SinkError::new(format!(
                    "lease on connection {c} was lost; batch not written"
                )))
            }
            Err(e) => Err(SinkError::with_source("store commit failed", e)),
        }
    }
}

#[async_trait]
impl EventSink for StoreSink {
    async fn emit(&mut self, event: DiscoveryEvent) -> Result<(), SinkError> {
        match event {
            DiscoveryEvent::Checkpoint(cp) => self.commit(Some(cp)).await,
            DiscoveryEvent::Stats(s) => {
                self.pending.push(DiscoveryEvent::Stats(s));
                self.commit(None).await
            }
            DiscoveryEvent::Progress(_) => Ok(()),
            other => {
                self.pending.push(other);
                Ok(())
            }
        }
    }
}
