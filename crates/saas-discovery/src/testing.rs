//! Test helpers (feature `test-util`): an in-memory [`FakeSource`] and a store-like
//! [`CollectingSink`].
//!
//! ```
//! # async fn demo() {
//! use saas_discovery::testing::{CollectingSink, FakeSource};
//! use saas_discovery::{CancellationSignal, DiscoverySource, Document};
//!
//! let doc = Document::example().unwrap();
//! let source = FakeSource::from_document(&doc).checkpoint_every(2);
//! let mut sink = CollectingSink::new();
//! source.discover(None, CancellationSignal::new(), &mut sink).await.unwrap();
//! assert_eq!(sink.costs().len(), doc.costs.len());
//! # }
//! ```

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    CancellationSignal, Checkpoint, Cost, CostId, DiscoveryError, DiscoveryEvent, DiscoveryOutcome,
    DiscoverySource, Document, DocumentBuilder, DocumentError, DocumentSource, EventSink, Finding,
    RunStatus, Service, ServiceId, SinkError, Stats, UnmatchedSpend,
};

/// An in-memory [`DiscoverySource`] over a fixed list of records (events).
///
/// * Emits the records in order; after every `checkpoint_every` records it emits a
///   [`Checkpoint`] `{"source": <name>, "next": <index of the next record>}`, and one more after
///   the last record; then a final [`Stats`] event (`costs_emitted`, `retractions` counted for
///   this run).
/// * Resumes from its own checkpoint (records before `next` are not emitted again); a
///   checkpoint from another source or out of range gives
///   [`DiscoveryError::InvalidCheckpoint`].
/// * [`FakeSource::stop_after`]`(k)`: after emitting `k` events (any kind, checkpoints
///   included) it returns a [`DiscoveryError::Source`], simulating a crash.
/// * Honours cancellation between records ([`RunStatus::Cancelled`]).
#[derive(Clone, Debug)]
pub struct FakeSource {
    name: String,
    records: Vec<DiscoveryEvent>,
    checkpoint_every: usize,
    stop_after: Option<u64>,
}

impl FakeSource {
    /// A source named `fake` over `records` (checkpoint and stats events in the list are
    /// emitted as given, but prefer leaving them out), checkpointing every 10 records.
    pub fn new(records: Vec<DiscoveryEvent>) -> Self {
        Self {
            name: "fake".to_owned(),
            records,
            checkpoint_every: 10,
            stop_after: None,
        }
    }

    /// A source emitting a document's services, costs (in document order), unmatched spend
    /// and findings, in that order.
    pub fn from_document(doc: &Document) -> Self {
        let mut records = Vec::new();
        records.extend(doc.services.iter().cloned().map(DiscoveryEvent::Service));
        records.extend(doc.costs.iter().cloned().map(DiscoveryEvent::Cost));
        records.extend(doc.unmatched.iter().cloned().map(DiscoveryEvent::Unmatched));
        records.extend(doc.findings.iter().cloned().map(DiscoveryEvent::Finding));
        Self::new(records)
    }

    /// Sets the source name (default `fake`).
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Emits a checkpoint after every `n` records (`0` is treated as `1`).
    #[must_use]
    pub fn checkpoint_every(mut self, n: usize) -> Self {
        self.checkpoint_every = n.max(1);
        self
    }

    /// Fails with [`DiscoveryError::Source`] once `k` events were emitted in a run.
    #[must_use]
    pub fn stop_after(mut self, k: u64) -> Self {
        self.stop_after = Some(k);
        self
    }

    /// The records.
    pub fn records(&self) -> &[DiscoveryEvent] {
        &self.records
    }

    fn start_index(&self, checkpoint: Option<&Checkpoint>) -> Result<usize, DiscoveryError> {
        let Some(cp) = checkpoint else { return Ok(0) };
        let v = cp.as_value();
        let bad =
            || DiscoveryError::InvalidCheckpoint(format!("not a checkpoint of {}", self.name));
        if v.get("source").and_then(|s| s.as_str()) != Some(self.name.as_str()) {
            return Err(bad());
        }
        let next = v
            .get("next")
            .and_then(serde_json::Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(bad)?;
        if next > self.records.len() {
            return Err(bad());
        }
        Ok(next)
    }

    fn checkpoint(&self, next: usize) -> Checkpoint {
        Checkpoint::new(serde_json::json!({ "source": self.name, "next": next }))
    }
}

struct Emitter<'a> {
    sink: &'a mut dyn EventSink,
    emitted: u64,
    stop_after: Option<u64>,
    last_checkpoint: Option<Checkpoint>,
}

impl Emitter<'_> {
    async fn emit(&mut self, event: DiscoveryEvent) -> Result<(), DiscoveryError> {
        if self.stop_after.is_some_and(|k| self.emitted >= k) {
            return Err(DiscoveryError::source_message(format!(
                "fake source stopped after {} events",
                self.emitted
            )));
        }
        if let DiscoveryEvent::Checkpoint(cp) = &event {
            self.last_checkpoint = Some(cp.clone());
        }
        self.sink.emit(event).await?;
        self.emitted += 1;
        Ok(())
    }
}

#[async_trait]
impl DiscoverySource for FakeSource {
    fn name(&self) -> &str {
        &self.name
    }

    async fn discover(
        &self,
        checkpoint: Option<Checkpoint>,
        cancel: CancellationSignal,
        sink: &mut dyn EventSink,
    ) -> Result<DiscoveryOutcome, DiscoveryError> {
        let start = self.start_index(checkpoint.as_ref())?;
        let mut out = Emitter {
            sink,
            emitted: 0,
            stop_after: self.stop_after,
            last_checkpoint: checkpoint,
        };
        let mut stats = Stats::default();
        for (i, record) in self.records.iter().enumerate().skip(start) {
            if cancel.is_cancelled() {
                return Ok(DiscoveryOutcome::new(
                    RunStatus::Cancelled,
                    out.last_checkpoint,
                    out.emitted,
                    stats,
                ));
            }
            match record {
                DiscoveryEvent::Cost(_) => stats.costs_emitted += 1,
                DiscoveryEvent::Retraction(_) => stats.retractions += 1,
                _ => {}
            }
            out.emit(record.clone()).await?;
            if (i + 1) % self.checkpoint_every == 0 || i + 1 == self.records.len() {
                out.emit(DiscoveryEvent::Checkpoint(self.checkpoint(i + 1)))
                    .await?;
            }
        }
        out.emit(DiscoveryEvent::Stats(stats.clone())).await?;
        Ok(DiscoveryOutcome::new(
            RunStatus::Complete,
            out.last_checkpoint,
            out.emitted,
            stats,
        ))
    }
}

/// An [`EventSink`] that applies events like a transactional store.
///
/// Events are buffered; a [`DiscoveryEvent::Checkpoint`] or [`DiscoveryEvent::Stats`] event
/// commits the buffer (with the checkpoint) into a [`DocumentBuilder`]. [`CollectingSink::rollback`]
/// drops uncommitted events (simulating a crash), [`CollectingSink::commit`] commits them
/// (e.g. after a cancelled run). Accessors show the **committed** state.
#[derive(Clone, Debug)]
pub struct CollectingSink {
    committed: DocumentBuilder,
    pending: Vec<DiscoveryEvent>,
    received: u64,
    committed_cost_events: u64,
    fail_after: Option<u64>,
}

impl Default for CollectingSink {
    fn default() -> Self {
        Self::new()
    }
}

impl CollectingSink {
    /// An empty sink for a `fake` / `test` connection.
    pub fn new() -> Self {
        Self::with_source(DocumentSource::new("fake", "test"))
    }

    /// An empty sink whose documents carry `source`.
    pub fn with_source(source: DocumentSource) -> Self {
        Self {
            committed: DocumentBuilder::new(source),
            pending: Vec::new(),
            received: 0,
            committed_cost_events: 0,
            fail_after: None,
        }
    }

    /// Makes `emit` fail with a [`SinkError`] once `n` events were accepted.
    #[must_use]
    pub fn fail_after(mut self, n: u64) -> Self {
        self.fail_after = Some(n);
        self
    }

    /// Commits the buffered events.
    pub fn commit(&mut self) {
        for e in self.pending.drain(..) {
            if matches!(e, DiscoveryEvent::Cost(_)) {
                self.committed_cost_events += 1;
            }
            self.committed.apply(e);
        }
    }

    /// Drops the buffered (uncommitted) events.
    pub fn rollback(&mut self) {
        self.pending.clear();
    }

    /// Events accepted so far (committed or not).
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Number of `Cost` events ever committed (counts re-deliveries, unlike [`Self::costs`]).
    pub fn committed_cost_events(&self) -> u64 {
        self.committed_cost_events
    }

    /// Events buffered since the last commit.
    pub fn pending(&self) -> &[DiscoveryEvent] {
        &self.pending
    }

    /// Committed services by id.
    pub fn services(&self) -> &BTreeMap<ServiceId, Service> {
        self.committed.services()
    }

    /// Committed costs by id.
    pub fn costs(&self) -> &BTreeMap<CostId, Cost> {
        self.committed.costs()
    }

    /// Committed unmatched spend by vendor.
    pub fn unmatched(&self) -> &BTreeMap<String, UnmatchedSpend> {
        self.committed.unmatched()
    }

    /// Committed findings.
    pub fn findings(&self) -> &BTreeSet<Finding> {
        self.committed.findings()
    }

    /// Committed statistics (last `Stats` event).
    pub fn stats(&self) -> &Stats {
        self.committed.stats()
    }

    /// The last committed checkpoint: the one to resume from.
    pub fn last_checkpoint(&self) -> Option<&Checkpoint> {
        self.committed.last_checkpoint()
    }

    /// The committed state as a [`Document`] (see [`DocumentBuilder::build`]).
    ///
    /// # Errors
    /// As [`DocumentBuilder::build`].
    pub fn document(&self, generated_at: DateTime<Utc>) -> Result<Document, DocumentError> {
        self.committed.build(generated_at)
    }

    /// The underlying committed builder.
    pub fn builder(&self) -> &DocumentBuilder {
        &self.committed
    }
}

#[async_trait]
impl EventSink for CollectingSink {
    async fn emit(&mut self, event: DiscoveryEvent) -> Result<(), SinkError> {
        if self.fail_after.is_some_and(|n| self.received >= n) {
            return Err(SinkError::new(format!(
                "collecting sink refuses event {} (fail_after)",
                self.received + 1
            )));
        }
        self.received += 1;
        let commits = matches!(
            event,
            DiscoveryEvent::Checkpoint(_) | DiscoveryEvent::Stats(_)
        );
        self.pending.push(event);
        if commits {
            self.commit();
        }
        Ok(())
    }
}
