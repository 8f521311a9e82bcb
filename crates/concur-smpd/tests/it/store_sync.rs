//! Store semantics and the scheduler, over SQLite with the fake source.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use concur_smpd::crypto::TokenCipher;
use concur_smpd::store::now_ms;
use concur_smpd::sync::SyncSettings;
use saas_discovery::testing::{CollectingSink, FakeSource};
use saas_discovery::{
    CancellationSignal, Checkpoint, DiscoveryError, DiscoveryEvent, DiscoveryOutcome,
    DiscoverySource, EventSink, RunStatus, Stats,
};
use tokio_util::sync::CancellationToken;

use crate::common::*;

#[tokio::test]
async fn sync_stores_everything_once() {
    let h = harness(vec![("acme", Arc::new(fake("acme")))]).await;
    let r = h
        .scheduler
        .sync_now("acme", CancellationToken::new())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status, "complete", "{r:?}");
    let costs = h.store.all_costs("acme").await.unwrap();
    assert_eq!(costs.len(), 11);
    assert!(
        !costs.iter().any(|c| c.id == cost_id("acme", 11)),
        "retracted cost is gone"
    );
    assert_eq!(costs[0].date, day(10), "oldest first");
    assert_eq!(costs[0].amount.amount().to_string(), "20.00");
    let services = h.store.services(None, None).await.unwrap();
    assert_eq!(services.len(), 2);
    let (_, slack) = &services[0];
    assert_eq!(slack.id.as_str(), "slack");
    assert_eq!(slack.owners.len(), 1, "aggregated from costs");
    assert_eq!(
        slack.owners[0].owner.login_id,
        "grace.testperson@example.com"
    );
    assert_eq!(slack.first_seen, Some(day(9)));
    assert_eq!(slack.last_seen, Some(day(1)));
    assert_eq!(h.store.unmatched(None).await.unwrap().len(), 1);
    assert_eq!(h.store.findings(None).await.unwrap().len(), 1);

    let runs = h.store.sync_runs(Some("acme"), 10).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, "complete");
    assert_eq!(runs[0].costs_upserted, 12);
    assert_eq!(runs[0].retractions, 1);
    assert_eq!(
        runs[0].batches, 6,
        "17 records / 4 per checkpoint = 5 checkpoints + stats"
    );
    assert_eq!(runs[0].stats.as_ref().unwrap().costs_emitted, 12);

    // Not due again: the next sync is scheduled an interval later.
    assert!(
        h.scheduler
            .sync_now("acme", CancellationToken::new())
            .await
            .unwrap()
            .is_none()
    );
    let state = &h.store.connections().await.unwrap()[0];
    assert!(state.next_due_at.unwrap().timestamp_millis() > now_ms() + 3_000_000);
    assert!(state.lease_owner.is_none(), "lease released");

    // A manual trigger makes it due; the incremental run resumes from the checkpoint.
    h.scheduler.trigger("acme").await.unwrap();
    let r = h
        .scheduler
        .sync_now("acme", CancellationToken::new())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status, "complete");
    assert_eq!(
        h.store.all_costs("acme").await.unwrap(),
        costs,
        "no duplicate, no change"
    );
    let runs = h.store.sync_runs(Some("acme"), 10).await.unwrap();
    assert_eq!(
        runs[0].costs_upserted, 0,
        "nothing re-read after the last checkpoint"
    );
}

/// Crash after k events, resume: the store equals an uninterrupted run, and after the crash it
/// holds exactly what a transactional sink committed (everything up to the last checkpoint).
#[tokio::test]
async fn crash_then_resume_equals_uninterrupted_run() {
    let reference = harness(vec![("acme", Arc::new(fake("acme")))]).await;
    reference
        .scheduler
        .sync_now("acme", CancellationToken::new())
        .await
        .unwrap()
        .unwrap();
    let want_costs = reference.store.all_costs("acme").await.unwrap();
    let want_services = reference.store.services(None, None).await.unwrap();
    let want_unmatched = reference.store.unmatched(None).await.unwrap();
    let want_findings = reference.store.findings(None).await.unwrap();

    for k in [0u64, 1, 3, 5, 8, 13, 17, 21] {
        let crashing = harness(vec![("acme", Arc::new(fake("acme").stop_after(k)))]).await;
        let r = crashing
            .scheduler
            .sync_now("acme", CancellationToken::new())
            .await
            .unwrap()
            .unwrap();
        if k < 22 {
            assert_eq!(r.status, "failed", "k={k}");
        }
        // What a transactional sink keeps after the same crash.
        let mut sink = CollectingSink::new();
        let _ = fake("acme")
            .stop_after(k)
            .discover(None, CancellationSignal::new(), &mut sink)
            .await;
        sink.rollback();
        let committed = crashing.store.all_costs("acme").await.unwrap();
        assert_eq!(committed.len(), sink.costs().len(), "k={k}");
        let cp = crashing.store.checkpoint("acme").await.unwrap();
        assert_eq!(cp.as_ref(), sink.last_checkpoint(), "k={k}");

        // Restart: a new scheduler over the same store with a healthy source.
        let dir = tempfile::tempdir().unwrap();
        let resumed = harness_on(
            dir,
            crashing.store.clone(),
            vec![("acme", Arc::new(fake("acme")))],
            SyncSettings::for_tests("replica-2"),
        )
        .await;
        resumed.scheduler.trigger("acme").await.unwrap();
        let r = resumed
            .scheduler
            .sync_now("acme", CancellationToken::new())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(r.status, "complete", "k={k}");
        assert_eq!(
            resumed.store.all_costs("acme").await.unwrap(),
            want_costs,
            "k={k}"
        );
        assert_eq!(
            resumed.store.services(None, None).await.unwrap(),
            want_services,
            "k={k}"
        );
        assert_eq!(
            resumed.store.unmatched(None).await.unwrap(),
            want_unmatched,
            "k={k}"
        );
        assert_eq!(
            resumed.store.findings(None).await.unwrap(),
            want_findings,
            "k={k}"
        );
    }
}

#[tokio::test]
async fn failures_back_off_and_success_resets() {
    let settings = SyncSettings {
        backoff_initial: Duration::from_secs(60),
        backoff_max: Duration::from_secs(600),
        ..SyncSettings::for_tests("r")
    };
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(dir.path()).await;
    let h = harness_on(
        dir,
        store,
        vec![("acme", Arc::new(fake("acme").stop_after(2)))],
        settings,
    )
    .await;
    let before = now_ms();
    let r = h
        .scheduler
        .sync_now("acme", CancellationToken::new())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status, "failed");
    assert!(
        r.error
            .as_deref()
            .unwrap()
            .contains("stopped after 2 events"),
        "{r:?}"
    );
    let st = &h.store.connections().await.unwrap()[0];
    assert_eq!(st.consecutive_failures, 1);
    assert_eq!(st.last_status.as_deref(), Some("failed"));
    let due = st.next_due_at.unwrap().timestamp_millis();
    assert!(
        due >= before + 60_000 && due < before + 70_000,
        "first backoff is 60 s"
    );
    h.store.request_sync("acme").await.unwrap();
    h.scheduler
        .sync_now("acme", CancellationToken::new())
        .await
        .unwrap()
        .unwrap();
    let st = &h.store.connections().await.unwrap()[0];
    assert_eq!(st.consecutive_failures, 2);
    let due = st.next_due_at.unwrap().timestamp_millis();
    assert!(due >= now_ms() + 110_000, "second backoff is 120 s");
    assert_eq!(
        h.metrics
            .get("concur_smpd_sync_errors_total", &[("connection", "acme")]),
        2.0
    );
}

/// Emits the first `n` records and a checkpoint, then more records without a checkpoint,
/// then waits for cancellation.
struct HangingSource {
    records: Vec<DiscoveryEvent>,
    n: usize,
}

#[async_trait]
impl DiscoverySource for HangingSource {
    fn name(&self) -> &str {
        "hanging"
    }
    async fn discover(
        &self,
        _checkpoint: Option<Checkpoint>,
        cancel: CancellationSignal,
        sink: &mut dyn EventSink,
    ) -> Result<DiscoveryOutcome, DiscoveryError> {
        for r in &self.records[..self.n] {
            sink.emit(r.clone()).await?;
        }
        let cp = Checkpoint::new(serde_json::json!({"source": "fake", "next": self.n}));
        sink.emit(DiscoveryEvent::Checkpoint(cp.clone())).await?;
        for r in &self.records[self.n..self.n + 3] {
            sink.emit(r.clone()).await?;
        }
        cancel.cancelled().await;
        Ok(DiscoveryOutcome::new(
            RunStatus::Cancelled,
            Some(cp),
            0,
            Stats::default(),
        ))
    }
}

#[tokio::test]
async fn shutdown_abandons_the_uncommitted_batch_and_resumes() {
    let src = HangingSource {
        records: records("acme"),
        n: 5,
    };
    let h = harness(vec![("acme", Arc::new(src))]).await;
    let cancel = CancellationToken::new();
    let c2 = cancel.clone();
    let sched = h.scheduler.clone();
    let task = tokio::spawn(async move { sched.sync_now("acme", c2).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let st = &h.store.connections().await.unwrap()[0];
    assert_eq!(
        st.lease_owner.as_deref(),
        Some("test-replica"),
        "leased while running"
    );
    cancel.cancel();
    let r = task.await.unwrap().unwrap().unwrap();
    assert_eq!(r.status, "cancelled");
    // 2 services + 3 costs committed with the checkpoint; the 3 later costs were abandoned.
    assert_eq!(h.store.all_costs("acme").await.unwrap().len(), 3);
    let st = &h.store.connections().await.unwrap()[0];
    assert!(st.lease_owner.is_none());
    assert!(
        st.next_due_at.unwrap().timestamp_millis() <= now_ms(),
        "still due: resumes at once"
    );

    // Restart with the real fake source: it resumes from next=5 and completes the set.
    let dir = tempfile::tempdir().unwrap();
    let again = harness_on(
        dir,
        h.store.clone(),
        vec![("acme", Arc::new(fake("acme")))],
        SyncSettings::for_tests("r2"),
    )
    .await;
    let r = again
        .scheduler
        .sync_now("acme", CancellationToken::new())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status, "complete");
    assert_eq!(again.store.all_costs("acme").await.unwrap().len(), 11);
}

#[tokio::test]
async fn scheduler_loop_runs_due_connections_and_manual_triggers() {
    let h = harness(vec![
        ("acme", Arc::new(fake("acme")) as Arc<dyn DiscoverySource>),
        (
            "beta",
            Arc::new(FakeSource::new(records("beta")).checkpoint_every(2)),
        ),
    ])
    .await;
    let token = CancellationToken::new();
    let task = tokio::spawn(h.scheduler.clone().run(token.clone()));
    let wait_runs = |n: usize| {
        let store = h.store.clone();
        async move {
            for _ in 0..200 {
                let runs = store.sync_runs(None, 100).await.unwrap();
                if runs.iter().filter(|r| r.status != "running").count() >= n {
                    return runs;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            panic!("timed out waiting for {n} runs");
        }
    };
    let runs = wait_runs(2).await;
    assert!(
        runs.iter()
            .all(|r| r.trigger == "schedule" && r.status == "complete"),
        "{runs:?}"
    );
    assert_eq!(h.store.all_costs("beta").await.unwrap().len(), 11);

    let reply = call(&h.state, "POST", "/v1/connections/beta/sync", Some(KEY)).await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    assert_eq!(reply.json()["status"], "queued");
    let runs = wait_runs(3).await;
    assert_eq!(
        runs.iter()
            .filter(|r| r.trigger == "manual" && r.connection_id == "beta")
            .count(),
        1
    );
    token.cancel();
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn tokens_are_encrypted_at_rest() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(dir.path()).await;
    let cipher = TokenCipher::new(&[42u8; 32]);
    let secret = br#"{"refresh_token":"rt-very-secret-value"}"#;
    store.save_token(&cipher, "acme", secret).await.unwrap();
    assert_eq!(
        store.load_token(&cipher, "acme").await.unwrap().unwrap(),
        secret
    );
    assert!(store.load_token(&cipher, "other").await.unwrap().is_none());
    let wrong = TokenCipher::new(&[1u8; 32]);
    assert!(store.load_token(&wrong, "acme").await.is_err());
    store.close().await;
    let raw = std::fs::read(dir.path().join("smpd.db")).unwrap();
    let wal = std::fs::read(dir.path().join("smpd.db-wal")).unwrap_or_default();
    for bytes in [raw, wal] {
        assert!(
            !bytes.windows(10).any(|w| w == b"very-secre"),
            "plaintext token on disk"
        );
    }
}

#[tokio::test]
async fn retention_prunes_old_costs() {
    let h = harness(vec![("acme", Arc::new(fake("acme")))]).await;
    h.scheduler
        .sync_now("acme", CancellationToken::new())
        .await
        .unwrap()
        .unwrap();
    // Costs are dated day(0)..day(10); keep day(4) and newer.
    let deleted = h.store.prune(day(4), 0).await.unwrap();
    assert_eq!(deleted, 6, "day(5)..day(10)");
    let left = h.store.all_costs("acme").await.unwrap();
    assert_eq!(left.len(), 5);
    assert!(left.iter().all(|c| c.date >= day(4)));
}

#[tokio::test]
async fn purge_pseudonymises_now_and_on_future_syncs() {
    let h = harness(vec![
        ("acme", Arc::new(fake("acme")) as Arc<dyn DiscoverySource>),
        ("beta", Arc::new(fake("beta"))),
    ])
    .await;
    h.scheduler
        .sync_now("acme", CancellationToken::new())
        .await
        .unwrap()
        .unwrap();
    let res = h
        .store
        .purge_owner("ada.testperson@example.com")
        .await
        .unwrap();
    assert_eq!(res.costs_updated, 6);
    assert_eq!(res.unmatched_updated, 1);
    assert_eq!(res.owners_deleted, 1);
    assert!(res.pseudonym.starts_with("anon-") && res.pseudonym.len() == 21);
    let costs = h.store.all_costs("acme").await.unwrap();
    let ada_costs: Vec<_> = costs
        .iter()
        .filter(|c| c.owner.login_id == res.pseudonym)
        .collect();
    assert_eq!(
        ada_costs.len(),
        6,
        "costs stay, attributed to the pseudonym"
    );
    assert!(
        ada_costs
            .iter()
            .all(|c| c.owner.name.is_none() && c.owner.email.is_none())
    );
    assert_eq!(
        ada_costs[0].owner.department.as_deref(),
        Some("Engineering")
    );
    let u = &h.store.unmatched(None).await.unwrap()[0].1;
    assert_eq!(u.owners[0].login_id, res.pseudonym);

    // A later sync (here: another connection) pseudonymises the same person on write.
    h.scheduler
        .sync_now("beta", CancellationToken::new())
        .await
        .unwrap()
        .unwrap();
    let beta = h.store.all_costs("beta").await.unwrap();
    assert_eq!(
        beta.iter()
            .filter(|c| c.owner.login_id == res.pseudonym)
            .count(),
        6
    );
    let dump = serde_json::to_string(&h.store.all_costs("beta").await.unwrap()).unwrap();
    assert!(!dump.contains("Ada Testperson") && !dump.contains("ada.testperson"));
    assert!(dump.contains("Grace Testperson"), "others untouched");
}

#[tokio::test]
async fn token_store_round_trips_and_survives_a_new_key() {
    use concur_client::{AuthMode, TokenRecord, TokenStore as _};
    use concur_smpd::concur::StoreTokenStore;
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(dir.path()).await;
    let ts = StoreTokenStore::new(store.clone(), TokenCipher::new(&[5u8; 32]), "acme");
    assert!(ts.load().await.unwrap().is_none());
    let rec = TokenRecord::new(
        "access-token-value",
        Some("rotating-refresh-token-value".to_owned()),
        chrono::Utc::now(),
        url::Url::parse("https://us2.api.concursolutions.com/").unwrap(),
        AuthMode::Password,
    );
    ts.save(&rec).await.unwrap();
    let back = ts.load().await.unwrap().unwrap();
    assert_eq!(
        serde_json::to_value(&back).unwrap(),
        serde_json::to_value(&rec).unwrap()
    );
    assert!(!format!("{ts:?}").contains("refresh-token-value"));
    // A rotated CONCUR_SMPD_TOKEN_KEY cannot read it: the client falls back to its grant.
    let other = StoreTokenStore::new(store.clone(), TokenCipher::new(&[6u8; 32]), "acme");
    assert!(other.load().await.unwrap().is_none());
    // Nothing readable on disk.
    store.close().await;
    for f in ["smpd.db", "smpd.db-wal"] {
        let bytes = std::fs::read(dir.path().join(f)).unwrap_or_default();
        assert!(!bytes.windows(16).any(|w| w == b"rotating-refresh"), "{f}");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn sqlite_database_file_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let _store = sqlite_store(dir.path()).await;
    let mode = std::fs::metadata(dir.path().join("smpd.db"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "database file mode {mode:o}");
}

/// SQLite has no migration lock: a service and an admin tool (or two replicas) opening a new
/// database file at the same moment must both end up with a migrated store, not one of them
/// failing with "table … already exists".
#[tokio::test]
async fn concurrent_opens_of_a_new_sqlite_file_all_succeed() {
    for round in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("concur-smpd.db").display());
        let opts = concur_smpd::store::StoreOptions::new(url);
        use concur_smpd::store::Store;
        let (a, b, c, d) = tokio::join!(
            Store::connect(&opts),
            Store::connect(&opts),
            Store::connect(&opts),
            Store::connect(&opts)
        );
        for (i, r) in [a, b, c, d].into_iter().enumerate() {
            let store = r.unwrap_or_else(|e| panic!("round {round}, open {i}: {e}"));
            assert!(store.sync_runs(Some("acme"), 1).await.unwrap().is_empty());
            store.close().await;
        }
    }
}
