//! PostgreSQL: the same store semantics, leasing across replicas, stale-lease takeover.
//!
//! Reads the URL from `CONCUR_SMPD_TEST_DATABASE_URL` (e.g.
//! `postgres://postgres@127.0.0.1:5432/test`); each test uses its own schema. Without the
//! variable the tests print why they are skipped and pass.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use concur_smpd::store::{Backend, Store, StoreError, StoreOptions, now_ms};
use concur_smpd::sync::SyncSettings;
use saas_discovery::testing::FakeSource;
use saas_discovery::{
    CancellationSignal, Checkpoint, DiscoveryError, DiscoveryEvent, DiscoveryOutcome,
    DiscoverySource, EventSink,
};
use tokio_util::sync::CancellationToken;

use crate::common::*;

const ENV: &str = "CONCUR_SMPD_TEST_DATABASE_URL";

struct PgSchema {
    url: String,
    schema: String,
}

impl PgSchema {
    fn new() -> Option<Self> {
        let Ok(url) = std::env::var(ENV) else {
            eprintln!(
                "skipping PostgreSQL test: {ENV} is not set (e.g. postgres://postgres@127.0.0.1:5432/test)"
            );
            return None;
        };
        let schema = format!("smpd_test_{}", uuid::Uuid::new_v4().simple());
        Some(Self { url, schema })
    }

    async fn store(&self) -> Store {
        Store::connect(&StoreOptions {
            url: self.url.clone(),
            schema: Some(self.schema.clone()),
            max_connections: 4,
        })
        .await
        .unwrap()
    }

    async fn drop_schema(&self) {
        let s = self.store().await;
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA {} CASCADE",
            self.schema
        )))
        .execute(s.pool())
        .await;
        s.close().await;
    }
}

#[tokio::test]
async fn pg_store_syncs_like_sqlite() {
    let Some(pg) = PgSchema::new() else { return };
    let store = pg.store().await;
    assert_eq!(store.backend(), Backend::Postgres);
    let dir = tempfile::tempdir().unwrap();
    let h = harness_on(
        dir,
        store.clone(),
        vec![("acme", Arc::new(fake("acme").stop_after(9)))],
        SyncSettings::for_tests("a"),
    )
    .await;
    assert_eq!(
        h.scheduler
            .sync_now("acme", CancellationToken::new())
            .await
            .unwrap()
            .unwrap()
            .status,
        "failed"
    );
    let dir = tempfile::tempdir().unwrap();
    let h = harness_on(
        dir,
        store.clone(),
        vec![("acme", Arc::new(fake("acme")))],
        SyncSettings::for_tests("b"),
    )
    .await;
    h.scheduler.trigger("acme").await.unwrap();
    assert_eq!(
        h.scheduler
            .sync_now("acme", CancellationToken::new())
            .await
            .unwrap()
            .unwrap()
            .status,
        "complete"
    );

    // Same result as the uninterrupted SQLite reference.
    let reference = harness(vec![("acme", Arc::new(fake("acme")))]).await;
    reference
        .scheduler
        .sync_now("acme", CancellationToken::new())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store.all_costs("acme").await.unwrap(),
        reference.store.all_costs("acme").await.unwrap()
    );
    assert_eq!(
        store.services(None, None).await.unwrap(),
        reference.store.services(None, None).await.unwrap()
    );
    assert_eq!(
        store.findings(None).await.unwrap(),
        reference.store.findings(None).await.unwrap()
    );
    let page = get(&h.state, "/v1/costs?limit=5&service=zoom").await.json();
    assert_eq!(page["items"].as_array().unwrap().len(), 5);
    assert!(page["next_cursor"].is_string());
    let purge = store
        .purge_owner("ada.testperson@example.com")
        .await
        .unwrap();
    assert_eq!(purge.costs_updated, 6);
    let cipher = concur_smpd::crypto::TokenCipher::new(&[3u8; 32]);
    store.save_token(&cipher, "acme", b"tok").await.unwrap();
    assert_eq!(
        store.load_token(&cipher, "acme").await.unwrap().unwrap(),
        b"tok"
    );
    store.close().await;
    pg.drop_schema().await;
}

#[tokio::test]
async fn pg_concurrent_claims_give_one_lease() {
    let Some(pg) = PgSchema::new() else { return };
    let a = pg.store().await;
    let b = pg.store().await;
    a.ensure_connection("acme", "fake").await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let s = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            s.claim_next(
                &["acme".to_owned()],
                &format!("replica-{i}"),
                now_ms(),
                Duration::from_secs(60),
            )
            .await
            .unwrap()
        }));
    }
    let mut winners = 0;
    for t in tasks {
        if t.await.unwrap().is_some() {
            winners += 1;
        }
    }
    assert_eq!(winners, 1, "exactly one replica holds the lease");
    a.close().await;
    b.close().await;
    pg.drop_schema().await;
}

#[tokio::test]
async fn pg_stale_lease_is_taken_over_and_fenced() {
    let Some(pg) = PgSchema::new() else { return };
    let a = pg.store().await;
    let b = pg.store().await;
    a.ensure_connection("acme", "fake").await.unwrap();
    let ids = ["acme".to_owned()];
    let ttl = Duration::from_millis(800);
    let lease_a = a
        .claim_next(&ids, "replica-a", now_ms(), ttl)
        .await
        .unwrap()
        .unwrap();
    a.start_run("run-a", &lease_a, "schedule").await.unwrap();
    // Replica A "dies": it stops renewing. B cannot take the live lease…
    assert!(
        b.claim_next(&ids, "replica-b", now_ms(), ttl)
            .await
            .unwrap()
            .is_none()
    );
    tokio::time::sleep(Duration::from_millis(1000)).await;
    // …but takes the expired one over.
    let lease_b = b
        .claim_next(&ids, "replica-b", now_ms(), Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(lease_b.owner, "replica-b");
    // A wakes up: its writes are fenced off.
    let batch = vec![DiscoveryEvent::Cost(match &records("acme")[2] {
        DiscoveryEvent::Cost(c) => c.clone(),
        _ => unreachable!(),
    })];
    let cp = Checkpoint::new(serde_json::json!({"source": "fake", "next": 3}));
    assert!(matches!(
        a.commit_batch(&lease_a, "run-a", batch.clone(), Some(&cp), ttl)
            .await,
        Err(StoreError::LeaseLost(_))
    ));
    assert!(matches!(
        a.renew_lease(&lease_a, now_ms(), ttl).await,
        Err(StoreError::LeaseLost(_))
    ));
    assert_eq!(
        b.all_costs("acme").await.unwrap().len(),
        0,
        "nothing written by the stale replica"
    );
    assert!(b.checkpoint("acme").await.unwrap().is_none());
    // The abandoned run of A is marked as such once its lease is gone.
    b.start_run("run-b", &lease_b, "schedule").await.unwrap();
    b.commit_batch(&lease_b, "run-b", batch, Some(&cp), ttl)
        .await
        .unwrap();
    assert_eq!(b.all_costs("acme").await.unwrap().len(), 1);
    assert_eq!(b.checkpoint("acme").await.unwrap(), Some(cp));
    a.close().await;
    b.close().await;
    pg.drop_schema().await;
}

/// Wraps a source and records, per connection, how many discover() calls run at once.
struct Probe {
    inner: FakeSource,
    id: String,
    active: Arc<Mutex<HashMap<String, usize>>>,
    max_seen: Arc<AtomicUsize>,
    runs: Arc<AtomicUsize>,
}

#[async_trait]
impl DiscoverySource for Probe {
    fn name(&self) -> &str {
        self.inner.name()
    }
    async fn discover(
        &self,
        checkpoint: Option<Checkpoint>,
        cancel: CancellationSignal,
        sink: &mut dyn EventSink,
    ) -> Result<DiscoveryOutcome, DiscoveryError> {
        {
            let mut m = self.active.lock().unwrap();
            let n = m.entry(self.id.clone()).or_insert(0);
            *n += 1;
            self.max_seen.fetch_max(*n, Ordering::SeqCst);
        }
        self.runs.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(60)).await;
        // Always a full run (ignore the checkpoint) so every run writes.
        let _ = checkpoint;
        let r = self.inner.discover(None, cancel, sink).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        *self.active.lock().unwrap().get_mut(&self.id).unwrap() -= 1;
        r
    }
}

#[tokio::test]
async fn pg_two_replicas_never_sync_one_connection_concurrently() {
    let Some(pg) = PgSchema::new() else { return };
    let active = Arc::new(Mutex::new(HashMap::new()));
    let max_seen = Arc::new(AtomicUsize::new(0));
    let runs = Arc::new(AtomicUsize::new(0));
    let ids = ["acme", "beta", "gamma"];
    let mut replicas = Vec::new();
    for name in ["replica-a", "replica-b"] {
        let store = pg.store().await;
        let sources: Vec<(&str, Arc<dyn DiscoverySource>)> = ids
            .iter()
            .map(|id| {
                let p = Probe {
                    inner: FakeSource::new(records(id)).checkpoint_every(3),
                    id: (*id).to_owned(),
                    active: active.clone(),
                    max_seen: max_seen.clone(),
                    runs: runs.clone(),
                };
                (*id, Arc::new(p) as Arc<dyn DiscoverySource>)
            })
            .collect();
        let settings = SyncSettings {
            max_concurrent: 3,
            poll_interval: Duration::from_millis(10),
            ..SyncSettings::for_tests(name)
        };
        let dir = tempfile::tempdir().unwrap();
        replicas.push(harness_on(dir, store, sources, settings).await);
    }
    let token = CancellationToken::new();
    let tasks: Vec<_> = replicas
        .iter()
        .map(|h| tokio::spawn(h.scheduler.clone().run(token.clone())))
        .collect();
    // Keep every connection due for ~2 s: both replicas keep competing for all three.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while tokio::time::Instant::now() < deadline {
        for id in ids {
            replicas[0].store.request_sync(id).await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    token.cancel();
    for t in tasks {
        tokio::time::timeout(Duration::from_secs(10), t)
            .await
            .unwrap()
            .unwrap();
    }
    assert_eq!(
        max_seen.load(Ordering::SeqCst),
        1,
        "a connection was synced twice at once"
    );
    let all = replicas[0].store.sync_runs(None, 1000).await.unwrap();
    let complete = all.iter().filter(|r| r.status == "complete").count();
    assert!(complete >= 6, "only {complete} runs completed: {all:?}");
    assert!(runs.load(Ordering::SeqCst) >= complete);
    let by_replica: std::collections::BTreeSet<_> =
        all.iter().map(|r| r.replica.as_str()).collect();
    assert_eq!(
        by_replica.len(),
        2,
        "both replicas did work: {by_replica:?}"
    );
    // Overlapping runs never interleaved: each connection still has exactly its 11 costs.
    for id in ids {
        assert_eq!(
            replicas[1].store.all_costs(id).await.unwrap().len(),
            11,
            "{id}"
        );
    }
    for h in &replicas {
        h.store.close().await;
    }
    pg.drop_schema().await;
}
