//! End-to-end runs against the simulator's `tiny` tenant: the happy path and accuracy.

mod common;

use common::*;
use saas_discovery::RunStatus;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tiny_end_to_end_json_document() {
    let sim = start_tiny().await;
    let src = source(&sim, "tiny", config("sim-tiny"));
    let (sink, out) = run(&src, None).await;
    assert_eq!(out.status, RunStatus::Complete, "{:?}", out.stats.warnings);
    let doc = sink.document(fixed_time()).unwrap();
    doc.validate().unwrap();
    let s = &doc.stats;
    assert_eq!(s.reports_read, 40);
    assert_eq!(s.invoices_read, 6);
    assert!(s.entries_read > 150, "{}", s.entries_read);
    assert!(s.itemizations_read > 0);
    assert!(s.excluded_personal > 0 && s.excluded_status > 0 && s.not_software > 0);
    assert_eq!(s.costs_emitted as usize, doc.costs.len());
    assert!(s.api_calls > 40);
    // every owner got the Users details
    assert!(
        doc.costs
            .iter()
            .all(|c| c.owner.email.is_some() && c.owner.name.is_some())
    );
    // refunds stay negative
    assert!(doc.costs.iter().any(|c| c.amount.is_negative()));
    // itemized entries: itemizations are costs, their parents never are
    let itemized_parents: Vec<_> = doc
        .costs
        .iter()
        .filter(|c| c.source.itemization_id.is_some())
        .filter_map(|c| c.source.entry_id.clone())
        .collect();
    assert!(!itemized_parents.is_empty());
    assert!(doc.costs.iter().all(|c| {
        c.source.itemization_id.is_some()
            || c.source
                .entry_id
                .as_ref()
                .is_none_or(|e| !itemized_parents.contains(e))
    }));
    // the JSON export round-trips
    let mut buf = Vec::new();
    concur_discovery::write_json(&doc, &mut buf).unwrap();
    let back: saas_discovery::Document = serde_json::from_slice(&buf).unwrap();
    assert_eq!(back, doc);
    assert!(
        doc.findings
            .iter()
            .any(|f| f.kind == saas_discovery::FindingKind::MultipleOwners)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tiny_precision_and_recall() {
    let sim = start_tiny().await;
    let src = source(&sim, "tiny", config("sim-tiny"));
    let doc = run_doc(&src).await;
    let a = accuracy(&sim, "tiny", &doc);
    eprintln!(
        "precision {:.3} recall {:.3} (expected {}, predicted {}, correct {})\nwrong: {:#?}\nmissed: {:#?}",
        a.precision, a.recall, a.expected, a.predicted, a.correct, a.wrong, a.missed
    );
    assert!(a.precision >= 0.97, "precision {}", a.precision);
    assert!(a.recall >= 0.93, "recall {}", a.recall);
}
