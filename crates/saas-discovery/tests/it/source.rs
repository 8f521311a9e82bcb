use std::sync::Arc;

use chrono::{DateTime, Utc};
use saas_discovery::testing::{CollectingSink, FakeSource};
use saas_discovery::{
    CancellationSignal, Checkpoint, DiscoveryError, DiscoveryEvent, DiscoverySource, Document,
    Retraction, RunStatus,
};

fn at() -> DateTime<Utc> {
    "2026-11-29T21:00:00Z".parse().unwrap()
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

/// The example document's records plus a retraction of one cost and its re-emission, so the
/// order of events matters.
fn records() -> (Document, Vec<DiscoveryEvent>) {
    let doc = Document::example().unwrap();
    let mut recs = FakeSource::from_document(&doc).records().to_vec();
    let victim = doc.costs[2].clone();
    recs.push(DiscoveryEvent::Retraction(Retraction::new(
        victim.id.clone(),
        "deleted at source",
    )));
    recs.push(DiscoveryEvent::Cost(victim));
    (doc, recs)
}

fn final_doc(sink: &CollectingSink) -> serde_json::Value {
    let mut v = serde_json::to_value(sink.document(at()).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("stats");
    v
}

#[test]
fn object_safe_and_idempotent() {
    block_on(async {
        let (doc, recs) = records();
        let source: Arc<dyn DiscoverySource> = Arc::new(FakeSource::new(recs).checkpoint_every(3));
        assert_eq!(source.name(), "fake");
        let mut a = CollectingSink::new();
        let out = source
            .discover(None, CancellationSignal::new(), &mut a)
            .await
            .unwrap();
        assert_eq!(out.status, RunStatus::Complete);
        assert_eq!(out.stats.costs_emitted, 8);
        assert_eq!(out.stats.retractions, 1);
        assert_eq!(a.stats(), &out.stats);
        assert_eq!(a.last_checkpoint(), out.last_checkpoint.as_ref());
        let mut b = CollectingSink::new();
        source
            .discover(None, CancellationSignal::new(), &mut b)
            .await
            .unwrap();
        assert_eq!(final_doc(&a), final_doc(&b));
        assert_eq!(a.costs().len(), doc.costs.len());
        // the final set equals the example document (apart from stats)
        let mut expected = serde_json::to_value(&doc).unwrap();
        expected.as_object_mut().unwrap().remove("stats");
        let mut got = final_doc(&a);
        got["source"] = expected["source"].clone();
        assert_eq!(got, expected);
        // a second run on the same sink changes nothing either
        source
            .discover(None, CancellationSignal::new(), &mut a)
            .await
            .unwrap();
        assert_eq!(final_doc(&a), final_doc(&b));
    });
}

#[test]
fn resume_after_crash_loses_and_duplicates_nothing() {
    block_on(async {
        let (_, recs) = records();
        let n = recs.len() as u64;
        let mut reference = CollectingSink::new();
        FakeSource::new(recs.clone())
            .discover(None, CancellationSignal::new(), &mut reference)
            .await
            .unwrap();
        let expected = final_doc(&reference);
        let expected_cost_events = reference.committed_cost_events();
        assert_eq!(expected_cost_events, 8);

        for every in [1usize, 2, 3, 5, 100] {
            // total events of a full run: records + checkpoints + stats
            let total = n + n.div_ceil(every as u64) + 1;
            for k in 0..=total {
                let mut sink = CollectingSink::new();
                let crashing = FakeSource::new(recs.clone())
                    .checkpoint_every(every)
                    .stop_after(k);
                let first = crashing
                    .discover(None, CancellationSignal::new(), &mut sink)
                    .await;
                if k < total {
                    assert!(
                        matches!(first, Err(DiscoveryError::Source { .. })),
                        "every={every} k={k}"
                    );
                    sink.rollback(); // the crash loses uncommitted events
                    let resume_from: Option<Checkpoint> = sink.last_checkpoint().cloned();
                    FakeSource::new(recs.clone())
                        .checkpoint_every(every)
                        .discover(resume_from, CancellationSignal::new(), &mut sink)
                        .await
                        .unwrap();
                } else {
                    first.unwrap();
                }
                assert_eq!(final_doc(&sink), expected, "every={every} k={k}");
                // no record committed twice, none lost
                assert_eq!(
                    sink.committed_cost_events(),
                    expected_cost_events,
                    "every={every} k={k}"
                );
                assert!(sink.pending().is_empty());
            }
        }
    });
}

#[test]
fn failing_sink_stops_the_source_cleanly() {
    block_on(async {
        let (_, recs) = records();
        let mut sink = CollectingSink::new().fail_after(4);
        let err = FakeSource::new(recs)
            .checkpoint_every(3)
            .discover(None, CancellationSignal::new(), &mut sink)
            .await
            .unwrap_err();
        assert!(matches!(err, DiscoveryError::Sink(_)));
        assert_eq!(
            err.to_string(),
            "event sink failed: collecting sink refuses event 5 (fail_after)"
        );
        assert_eq!(sink.received(), 4);
        // 3 records + checkpoint committed, nothing after
        assert_eq!(sink.services().len(), 3);
        assert_eq!(sink.pending().len(), 0);
    });
}

#[test]
fn cancellation_and_bad_checkpoints() {
    block_on(async {
        let (_, recs) = records();
        let cancel = CancellationSignal::new();
        cancel.cancel();
        let mut sink = CollectingSink::new();
        let out = FakeSource::new(recs.clone())
            .discover(None, cancel, &mut sink)
            .await
            .unwrap();
        assert_eq!(out.status, RunStatus::Cancelled);
        assert_eq!(out.events_emitted, 0);
        assert_eq!(sink.received(), 0);

        for bad in [
            serde_json::json!({"source": "other", "next": 1}),
            serde_json::json!({"source": "fake", "next": 999}),
            serde_json::json!("garbage"),
        ] {
            let r = FakeSource::new(recs.clone())
                .discover(
                    Some(Checkpoint::new(bad)),
                    CancellationSignal::new(),
                    &mut sink,
                )
                .await;
            assert!(matches!(r, Err(DiscoveryError::InvalidCheckpoint(_))));
        }
    });
}

#[test]
fn vec_and_document_builder_are_sinks() {
    block_on(async {
        let (doc, recs) = records();
        let source = FakeSource::new(recs.clone()).checkpoint_every(4);
        let mut events: Vec<DiscoveryEvent> = Vec::new();
        let out = source
            .discover(None, CancellationSignal::new(), &mut events)
            .await
            .unwrap();
        // records + ceil(n/4) checkpoints + stats
        assert_eq!(events.len(), recs.len() + recs.len().div_ceil(4) + 1);
        assert_eq!(out.events_emitted, events.len() as u64);
        assert!(matches!(events.last(), Some(DiscoveryEvent::Stats(_))));
        let mut builder = saas_discovery::DocumentBuilder::new(doc.source.clone());
        source
            .discover(None, CancellationSignal::new(), &mut builder)
            .await
            .unwrap();
        let built = builder.build(doc.generated_at).unwrap();
        assert_eq!(built.costs, doc.costs);
        assert_eq!(built.services, doc.services);
        assert_eq!(builder.last_checkpoint(), out.last_checkpoint.as_ref());
    });
}
