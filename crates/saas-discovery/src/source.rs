//! The [`DiscoverySource`] trait, its events, the [`EventSink`] and cancellation.

use std::error::Error as StdError;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::{Checkpoint, Cost, Finding, Progress, Retraction, Service, Stats, UnmatchedSpend};

/// One thing a [`DiscoverySource`] tells its sink, in order.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // events are moved once each; boxing buys nothing
pub enum DiscoveryEvent {
    /// A service (upsert by `id`). Emitted before the first cost that refers to it.
    Service(Service),
    /// A cost (upsert by `id`).
    Cost(Cost),
    /// A cost that no longer exists at the source: delete it.
    Retraction(Retraction),
    /// Unmatched software spend (upsert by `vendor`; the value replaces the previous one).
    Unmatched(UnmatchedSpend),
    /// A finding for review (de-duplicated by value).
    Finding(Finding),
    /// Progress information; changes no data.
    Progress(Progress),
    /// A resume point. Everything emitted before it is covered by it, so a store can commit
    /// those events and the checkpoint in one transaction.
    Checkpoint(Checkpoint),
    /// Final run statistics, emitted once at the end of a completed run.
    Stats(Stats),
}

/// Error returned by an [`EventSink`]; the source stops cleanly and returns
/// [`DiscoveryError::Sink`].
#[derive(Debug, thiserror::Error)]
#[error("event sink failed: {message}")]
pub struct SinkError {
    message: String,
    #[source]
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl SinkError {
    /// A sink error with a message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// A sink error with a message and an underlying cause (e.g. a database error).
    pub fn with_source(
        message: impl Into<String>,
        source: impl StdError + Send + Sync + 'static,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Receives the events of a discovery run (a store, a document builder, a printer…).
///
/// Async and fallible: when `emit` fails, the source must stop emitting and return
/// [`DiscoveryError::Sink`] without panicking.
#[async_trait]
pub trait EventSink: Send {
    /// Handles one event.
    ///
    /// # Errors
    /// [`SinkError`] when the event cannot be handled; the run then stops.
    async fn emit(&mut self, event: DiscoveryEvent) -> Result<(), SinkError>;
}

/// Cooperative cancellation for a run (wraps a [`CancellationToken`]). Clones share state.
#[derive(Clone, Debug, Default)]
pub struct CancellationSignal(CancellationToken);

impl CancellationSignal {
    /// A fresh, not-cancelled signal.
    pub fn new() -> Self {
        Self::default()
    }

    /// Wraps an existing token (e.g. the service's shutdown token or a child of it).
    pub fn from_token(token: CancellationToken) -> Self {
        Self(token)
    }

    /// Requests cancellation.
    pub fn cancel(&self) {
        self.0.cancel();
    }

    /// `true` once cancellation was requested.
    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }

    /// Resolves when cancellation is requested (for `tokio::select!`).
    pub async fn cancelled(&self) {
        self.0.cancelled().await;
    }

    /// The underlying token.
    pub fn token(&self) -> &CancellationToken {
        &self.0
    }
}

impl From<CancellationToken> for CancellationSignal {
    fn from(token: CancellationToken) -> Self {
        Self(token)
    }
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RunStatus {
    /// Everything was read.
    Complete,
    /// The run finished but some data could not be read (see [`Stats::is_partial`]).
    Partial,
    /// The run stopped early because cancellation was requested; resume from the last
    /// checkpoint.
    Cancelled,
}

/// Result of a run that did not fail.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct DiscoveryOutcome {
    /// How it ended.
    pub status: RunStatus,
    /// The last checkpoint emitted, if any.
    pub last_checkpoint: Option<Checkpoint>,
    /// Number of events emitted (all kinds).
    pub events_emitted: u64,
    /// Final statistics (the same value as the `Stats` event, when one was emitted).
    pub stats: Stats,
}

impl DiscoveryOutcome {
    /// An outcome.
    pub fn new(
        status: RunStatus,
        last_checkpoint: Option<Checkpoint>,
        events_emitted: u64,
        stats: Stats,
    ) -> Self {
        Self {
            status,
            last_checkpoint,
            events_emitted,
            stats,
        }
    }
}

/// Why a run failed. Events emitted before the failure (up to the last checkpoint) remain
/// valid.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// The sink failed; the source stopped.
    #[error(transparent)]
    Sink(#[from] SinkError),
    /// The source rejected the credentials (CLI exit code 3).
    #[error("authentication failed: {0}")]
    Authentication(String),
    /// The credentials lack a required permission / API group (CLI exit code 4).
    #[error("permission denied: {0}")]
    Permission(String),
    /// The checkpoint was not produced by this source or is malformed.
    #[error("invalid checkpoint: {0}")]
    InvalidCheckpoint(String),
    /// Any other source failure (network, server…).
    #[error("{message}")]
    Source {
        /// What failed.
        message: String,
        /// Underlying cause.
        #[source]
        source: Option<Box<dyn StdError + Send + Sync + 'static>>,
    },
}

impl DiscoveryError {
    /// A [`DiscoveryError::Source`] with only a message.
    pub fn source_message(message: impl Into<String>) -> Self {
        Self::Source {
            message: message.into(),
            source: None,
        }
    }

    /// A [`DiscoveryError::Source`] wrapping a cause.
    pub fn source_error(
        message: impl Into<String>,
        source: impl StdError + Send + Sync + 'static,
    ) -> Self {
        Self::Source {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

/// A system that discovers SaaS services and costs (Concur, a card feed, a test fake…).
///
/// Object safe: use `Box<dyn DiscoverySource>` / `Arc<dyn DiscoverySource>`.
///
/// # Contract
/// * **Idempotent**: the same source data gives the same events with the same ids
///   ([`ServiceId`](crate::ServiceId) slugs, [`CostId::derive`](crate::CostId::derive)) on
///   every run, so a store can upsert.
/// * **Checkpoints**: everything emitted before a [`DiscoveryEvent::Checkpoint`] is covered by
///   it. Resuming with `Some(checkpoint)` (the last one the sink accepted) loses nothing and
///   duplicates nothing: the final set of services, costs, unmatched spend and findings equals
///   that of an uninterrupted run. Events after the last checkpoint may be emitted again.
/// * Services are emitted before the costs that refer to them.
/// * **Cancellation**: check `cancel` between records; on cancellation return
///   `Ok(outcome)` with [`RunStatus::Cancelled`] (no `Stats` event needed).
/// * **Sink failures**: when [`EventSink::emit`] fails, stop and return
///   [`DiscoveryError::Sink`]; never panic.
/// * On completion emit one [`DiscoveryEvent::Stats`] as the last event.
#[async_trait]
pub trait DiscoverySource: Send + Sync {
    /// A short stable name of the source, e.g. `concur`.
    fn name(&self) -> &str;

    /// Runs discovery, streaming events into `sink`.
    ///
    /// `checkpoint`: `None` for a full run, or the last checkpoint this source emitted.
    ///
    /// # Errors
    /// [`DiscoveryError`] when the run cannot continue (sink failure, authentication,
    /// permission, invalid checkpoint, source failure).
    async fn discover(
        &self,
        checkpoint: Option<Checkpoint>,
        cancel: CancellationSignal,
        sink: &mut dyn EventSink,
    ) -> Result<DiscoveryOutcome, DiscoveryError>;
}

/// A `Vec` records every event in order (handy in tests and for buffering).
#[async_trait]
impl EventSink for Vec<DiscoveryEvent> {
    async fn emit(&mut self, event: DiscoveryEvent) -> Result<(), SinkError> {
        self.push(event);
        Ok(())
    }
}
