//! Runs a [`DiscoverySource`] into a store-like sink: events are buffered and committed at each
//! checkpoint (together with the checkpoint itself, into the state file when there is one), so
//! an interrupted run leaves exactly what the last checkpoint covers.

use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use saas_discovery::{
    CancellationSignal, Checkpoint, DiscoveryError, DiscoveryEvent, DiscoveryOutcome,
    DiscoverySource, Document, DocumentBuilder, DocumentSource, EventSink, SinkError,
};

use crate::state::StateStore;

/// Inputs of one run.
#[derive(Debug)]
pub struct RunInput {
    /// The `source` block of the documents.
    pub document_source: DocumentSource,
    /// Everything known before this run (from the state file).
    pub previous: Option<Document>,
    /// The checkpoint to resume from.
    pub checkpoint: Option<Checkpoint>,
    /// The state file to commit into at each checkpoint (`None`: nothing persisted).
    pub store: Option<StateStore>,
    /// Whether to draw a progress bar (stderr, only when it is a terminal).
    pub progress: bool,
    /// Label of the progress bar.
    pub label: String,
}

/// What a run produced.
#[derive(Debug)]
pub struct RunResult {
    /// How the source ended.
    pub outcome: DiscoveryOutcome,
    /// Everything known (previous state plus this run, up to the last checkpoint when
    /// cancelled).
    pub document: Document,
    /// Only this run's committed events (for `--changes-only`).
    pub changes: Vec<DiscoveryEvent>,
    /// A document of only this run's events.
    pub changes_document: Document,
}

struct StoreSink {
    committed: DocumentBuilder,
    changes: DocumentBuilder,
    change_events: Vec<DiscoveryEvent>,
    pending: Vec<DiscoveryEvent>,
    store: Option<StateStore>,
    bar: ProgressBar,
    connection_id: String,
}

impl StoreSink {
    fn commit(&mut self) {
        for e in self.pending.drain(..) {
            self.committed.apply(e.clone());
            self.changes.apply(e.clone());
            self.change_events.push(e);
        }
    }

    fn persist(&self, checkpoint: Option<&Checkpoint>) -> Result<(), SinkError> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        let doc = self
            .committed
            .build(Utc::now())
            .map_err(|e| SinkError::with_source("the discovered data is inconsistent", e))?;
        let cp = checkpoint.cloned();
        let conn = self.connection_id.clone();
        store
            .update(move |s| {
                if cp.is_some() {
                    s.checkpoint = cp;
                }
                s.document = Some(doc);
                s.connection_id = Some(conn);
            })
            .map_err(|e| SinkError::new(format!("cannot write the state file: {e:#}")))
    }
}

#[async_trait]
impl EventSink for StoreSink {
    async fn emit(&mut self, event: DiscoveryEvent) -> Result<(), SinkError> {
        match event {
            DiscoveryEvent::Progress(p) => {
                if let Some(t) = p.total {
                    self.bar.set_length(t);
                }
                self.bar.set_position(p.done);
                self.bar.set_message(p.phase);
            }
            DiscoveryEvent::Checkpoint(cp) => {
                self.commit();
                self.committed.apply(DiscoveryEvent::Checkpoint(cp.clone()));
                self.persist(Some(&cp))?;
            }
            other => {
                if matches!(other, DiscoveryEvent::Cost(_)) {
                    self.bar.inc(0);
                }
                self.pending.push(other);
            }
        }
        Ok(())
    }
}

fn seed(builder: &mut DocumentBuilder, doc: &Document) {
    for s in &doc.services {
        builder.apply(DiscoveryEvent::Service(s.clone()));
    }
    for c in &doc.costs {
        builder.apply(DiscoveryEvent::Cost(c.clone()));
    }
    for u in &doc.unmatched {
        builder.apply(DiscoveryEvent::Unmatched(u.clone()));
    }
    for f in &doc.findings {
        builder.apply(DiscoveryEvent::Finding(f.clone()));
    }
}

fn progress_bar(on: bool, label: &str) -> ProgressBar {
    if !on {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{spinner} {prefix} {msg} {pos}/{len} [{elapsed}]")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.set_prefix(label.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Runs `source` (resuming from `input.checkpoint`) until it completes or `cancel` fires.
///
/// Completed (or partial) runs commit everything; a cancelled run keeps only what the last
/// checkpoint covers (already in the state file).
///
/// # Errors
/// The source's [`DiscoveryError`] (the state file then holds the last checkpoint).
pub async fn run(
    source: &dyn DiscoverySource,
    input: RunInput,
    cancel: CancellationSignal,
) -> Result<RunResult, DiscoveryError> {
    let mut committed = DocumentBuilder::new(input.document_source.clone());
    if let Some(prev) = &input.previous {
        seed(&mut committed, prev);
    }
    let connection_id = input.document_source.connection_id.clone();
    let mut sink = StoreSink {
        committed,
        changes: DocumentBuilder::new(input.document_source.clone()),
        change_events: Vec::new(),
        pending: Vec::new(),
        store: input.store,
        bar: progress_bar(input.progress, &input.label),
        connection_id,
    };
    let result = source.discover(input.checkpoint, cancel, &mut sink).await;
    sink.bar.finish_and_clear();
    let outcome = result?;
    if outcome.status != saas_discovery::RunStatus::Cancelled {
        sink.commit();
        sink.persist(None)?;
    } else {
        sink.pending.clear();
    }
    let now = Utc::now();
    let document = sink.committed.build(now).map_err(|e| {
        DiscoveryError::Sink(SinkError::with_source(
            "the discovered data is inconsistent",
            e,
        ))
    })?;
    // Services referred to by this run's costs must be present even if an earlier run
    // emitted them.
    let missing: Vec<_> = sink
        .changes
        .costs()
        .values()
        .filter(|c| !sink.changes.services().contains_key(&c.service_id))
        .filter_map(|c| sink.committed.services().get(&c.service_id).cloned())
        .collect();
    for s in missing {
        sink.changes.apply(DiscoveryEvent::Service(s));
    }
    let changes_document = sink.changes.build(now).map_err(|e| {
        DiscoveryError::Sink(SinkError::with_source(
            "the discovered data is inconsistent",
            e,
        ))
    })?;
    Ok(RunResult {
        outcome,
        document,
        changes: sink.change_events,
        changes_document,
    })
}
