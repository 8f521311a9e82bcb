//! Runs against the simulator: golden snapshots, determinism, resume, faults, retractions,
//! optional groups and failures.

mod common;

use chrono::TimeDelta;
use common::*;
use concur_sim::{ApiGroup, Faults, Size, TenantConfig};
use saas_discovery::testing::CollectingSink;
use saas_discovery::{CancellationSignal, DiscoveryError, DiscoverySource, Document, RunStatus};

fn same_data(a: &Document, b: &Document) {
    assert_eq!(a.services, b.services, "services differ");
    assert_eq!(a.costs, b.costs, "costs differ");
    assert_eq!(a.unmatched, b.unmatched, "unmatched differ");
    assert_eq!(a.findings, b.findings, "findings differ");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tiny_golden_snapshot() {
    let sim = start_tiny().await;
    let doc = run_doc(&source(&sim, "tiny", config("sim-tiny"))).await;
    assert!(doc.costs.len() > 50, "{}", doc.costs.len());
    insta::assert_json_snapshot!("tiny_summary", summary(&doc));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docs_golden_snapshot() {
    let sim = start(TenantConfig::docs("docs")).await;
    let src = source(
        &sim,
        "docs",
        config("sim-docs")
            .with_lookback(TimeDelta::days(365 * 15))
            .with_window(TimeDelta::days(365)),
    );
    let (sink, out) = run(&src, None).await;
    let doc = sink.document(fixed_time()).unwrap();
    assert!(doc.stats.reports_read >= 1, "{:?}", doc.stats);
    assert_ne!(out.status, RunStatus::Cancelled);
    insta::assert_json_snapshot!(
        "docs_summary",
        serde_json::json!({
            "summary": summary(&doc),
            "reports_read": doc.stats.reports_read,
            "entries_read": doc.stats.entries_read,
            "itemizations_read": doc.stats.itemizations_read,
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runs_give_identical_output() {
    let sim = start_tiny().await;
    let src = source(&sim, "tiny", config("sim-tiny"));
    let mut a = run_doc(&src).await;
    let mut b = run_doc(&src).await;
    // the first run also fetched the token
    assert_eq!(a.stats.api_calls, b.stats.api_calls + 1);
    a.stats.api_calls = 0;
    b.stats.api_calls = 0;
    let ja = serde_json::to_string(&a).unwrap();
    let jb = serde_json::to_string(&b).unwrap();
    assert_eq!(ja, jb);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_after_window_k_and_resuming_gives_the_uninterrupted_result() {
    let sim = start_tiny().await;
    let src = source(&sim, "tiny", config("sim-tiny"));
    let full = run_doc(&src).await;
    for k in [1usize, 4, 9] {
        let cancel = CancellationSignal::new();
        let mut sink = StopAfter {
            inner: CollectingSink::with_source(src.document_source()),
            k,
            seen: 0,
            cancel: cancel.clone(),
        };
        let out = src.discover(None, cancel, &mut sink).await.unwrap();
        assert_eq!(out.status, RunStatus::Cancelled, "k={k}");
        let cp = sink.inner.last_checkpoint().cloned();
        assert!(cp.is_some());
        let mut inner = sink.inner;
        // uncommitted events after the last checkpoint are lost, as in a crash
        inner.rollback();
        let partial_costs = inner.costs().len();
        assert!(
            partial_costs < full.costs.len(),
            "k={k}: nothing left to resume"
        );
        let out2 = src
            .discover(cp, CancellationSignal::new(), &mut inner)
            .await
            .unwrap();
        assert_ne!(out2.status, RunStatus::Cancelled);
        let resumed = inner.document(fixed_time()).unwrap();
        same_data(&full, &resumed);
    }
}

async fn faulty_equals_clean(spec: &str) {
    let clean_sim = start_tiny().await;
    let clean = run_doc(&source(&clean_sim, "tiny", config("sim-tiny"))).await;
    let faults = Faults::parse(spec).unwrap();
    let sim = start(TenantConfig::generated("tiny", Size::Tiny).faults(faults)).await;
    let src = source(&sim, "tiny", config("sim-tiny"));
    let (sink, out) = run(&src, None).await;
    let doc = sink.document(fixed_time()).unwrap();
    assert_eq!(
        out.status,
        RunStatus::Complete,
        "{spec}: {:?}",
        doc.stats.warnings
    );
    same_data(&clean, &doc);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_gives_the_clean_result() {
    faulty_equals_clean("429_every=5,429_burst=2,retry_after=0").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_give_the_clean_result() {
    faulty_equals_clean("5xx_every=7").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_gives_the_clean_result() {
    faulty_equals_clean("latency_ms=3").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recalled_and_deleted_reports_are_retracted_on_the_next_sync() {
    let sim = start_tiny().await;
    let src = source(&sim, "tiny", config("sim-tiny"));
    let (mut sink, _) = run(&src, None).await;
    let before = sink.document(fixed_time()).unwrap();
    // two reports that have costs
    let mut reports: Vec<String> = before
        .costs
        .iter()
        .filter_map(|c| c.source.report_id.clone())
        .collect();
    reports.sort();
    reports.dedup();
    let (recalled, deleted) = (reports[0].clone(), reports[1].clone());
    let n_recalled = before
        .costs
        .iter()
        .filter(|c| c.source.report_id.as_deref() == Some(&recalled))
        .count();
    let n_deleted = before
        .costs
        .iter()
        .filter(|c| c.source.report_id.as_deref() == Some(&deleted))
        .count();
    sim.recall_report("tiny", &recalled).unwrap();
    sim.delete_report("tiny", &deleted).unwrap();
    let cp = sink.last_checkpoint().cloned();
    let later = config("sim-tiny").with_crawl_start(sim_now() + TimeDelta::days(1));
    let src2 = source(&sim, "tiny", later);
    let out = src2
        .discover(cp, CancellationSignal::new(), &mut sink)
        .await
        .unwrap();
    let after = sink.document(fixed_time()).unwrap();
    assert_eq!(out.stats.retractions as usize, n_recalled + n_deleted);
    assert!(
        after
            .costs
            .iter()
            .all(|c| c.source.report_id.as_deref() != Some(&recalled))
    );
    assert!(
        after
            .costs
            .iter()
            .all(|c| c.source.report_id.as_deref() != Some(&deleted))
    );
    assert_eq!(
        after.costs.len(),
        before.costs.len() - n_recalled - n_deleted
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_modified_during_the_crawl_is_picked_up_by_the_next_run() {
    let faults = Faults::parse("modify_after=10,modify_report=3").unwrap();
    let sim = start(TenantConfig::generated("tiny", Size::Tiny).faults(faults)).await;
    let src = source(&sim, "tiny", config("sim-tiny"));
    let (mut sink, _) = run(&src, None).await;
    let cp = sink.last_checkpoint().cloned();
    let later = config("sim-tiny").with_crawl_start(sim_now() + TimeDelta::days(1));
    let src2 = source(&sim, "tiny", later.clone());
    src2.discover(cp, CancellationSignal::new(), &mut sink)
        .await
        .unwrap();
    let incremental = sink.document(fixed_time()).unwrap();
    let fresh = run_doc(&source(&sim, "tiny", later)).await;
    same_data(&fresh, &incremental);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn optional_groups_are_skipped_and_noted() {
    let sim =
        start(TenantConfig::generated("tiny", Size::Tiny).groups(&[ApiGroup::ExpenseReport])).await;
    let (sink, out) = run(&source(&sim, "tiny", config("sim-tiny")), None).await;
    let mut skipped = out.stats.optional_groups_skipped.clone();
    skipped.sort();
    assert_eq!(skipped, vec!["invoice".to_owned(), "users".to_owned()]);
    // skipped optional groups are statistics, not a partial result
    assert_eq!(out.status, RunStatus::Complete);
    assert!(
        out.stats
            .warnings
            .iter()
            .any(|w| w.code == "optional_group_skipped")
    );
    assert!(sink.costs().values().all(|c| c.source.invoice_id.is_none()));
    assert!(sink.costs().len() > 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_expense_permission_is_a_permission_failure() {
    let sim = start(
        TenantConfig::generated("tiny", Size::Tiny).groups(&[ApiGroup::Invoice, ApiGroup::Users]),
    )
    .await;
    let err = run_err(&source(&sim, "tiny", config("sim-tiny"))).await;
    assert!(matches!(err, DiscoveryError::Permission(_)), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_are_an_authentication_failure() {
    let sim = start_tiny().await;
    let c = sim.credentials("tiny").unwrap();
    let client = concur_client::Client::builder()
        .base_url(&c.base_url)
        .credentials(concur_client::Credentials::new(
            c.client_id.clone(),
            "wrong-secret",
        ))
        .grant(concur_client::Grant::password(
            c.username.clone(),
            "wrong-password",
        ))
        .build()
        .unwrap();
    let src = concur_discovery::ConcurSource::new(client, matcher(), config("sim-tiny")).unwrap();
    let err = run_err(&src).await;
    assert!(matches!(err, DiscoveryError::Authentication(_)), "{err:?}");
    assert!(!format!("{err}").contains("wrong-password"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_total_mismatch_is_a_coverage_warning_naming_the_report() {
    let faults = Faults::parse("total_mismatch=2").unwrap();
    let sim = start(TenantConfig::generated("tiny", Size::Tiny).faults(faults)).await;
    let data = sim.data("tiny").unwrap();
    let rid = data.report(2).unwrap().report.id.clone();
    let (_, out) = run(
        &source(
            &sim,
            "tiny",
            config("sim-tiny").with_statuses(concur_discovery::StatusPolicy::All),
        ),
        None,
    )
    .await;
    let w: Vec<_> = out
        .stats
        .warnings
        .iter()
        .filter(|w| w.code == "total_mismatch")
        .collect();
    assert_eq!(w.len(), 1, "{:?}", out.stats.warnings);
    assert_eq!(
        w[0].record.as_deref(),
        Some(format!("report {rid}").as_str())
    );
    assert_eq!(out.stats.coverage_warnings, 1);
    assert_eq!(out.status, RunStatus::Partial);
}
