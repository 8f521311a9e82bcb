//! Shared helpers for the simulator-backed tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use concur_client::{Client, Credentials, Grant, RetryConfig};
use concur_discovery::{ConcurSource, ConcurSourceConfig};
use concur_sim::{SimConfig, SimServer, Size, TenantConfig};
use saas_catalog::{Catalog, Matcher, Rules};
use saas_discovery::testing::CollectingSink;
use saas_discovery::{
    CancellationSignal, Checkpoint, DiscoveryError, DiscoveryEvent, DiscoveryOutcome,
    DiscoverySource, Document, EventSink, SinkError,
};
use secrecy::ExposeSecret;

pub fn matcher() -> Arc<Matcher> {
    static M: OnceLock<Arc<Matcher>> = OnceLock::new();
    M.get_or_init(|| Arc::new(Matcher::new(Catalog::builtin().unwrap(), Rules::empty()).unwrap()))
        .clone()
}

pub fn sim_now() -> NaiveDateTime {
    let (y, m, d) = concur_sim::DEFAULT_NOW;
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
}

pub async fn start(tenant: TenantConfig) -> SimServer {
    SimServer::start(SimConfig::new().tenant(tenant))
        .await
        .unwrap()
}

pub async fn start_tiny() -> SimServer {
    start(TenantConfig::generated("tiny", Size::Tiny)).await
}

pub fn client(sim: &SimServer, tenant: &str) -> Client {
    let c = sim.credentials(tenant).unwrap();
    Client::builder()
        .base_url(&c.base_url)
        .credentials(Credentials::new(
            c.client_id.clone(),
            c.client_secret.expose_secret().to_owned(),
        ))
        .grant(Grant::password(
            c.username.clone(),
            c.password.expose_secret().to_owned(),
        ))
        .retry(
            RetryConfig::default()
                .with_max_attempts(8)
                .with_min_delay(std::time::Duration::from_millis(1))
                .with_max_delay(std::time::Duration::from_millis(20))
                .with_jitter(false),
        )
        .build()
        .unwrap()
}

pub fn config(connection: &str) -> ConcurSourceConfig {
    ConcurSourceConfig::new(connection).with_crawl_start(sim_now())
}

pub fn source(sim: &SimServer, tenant: &str, cfg: ConcurSourceConfig) -> ConcurSource {
    ConcurSource::new(client(sim, tenant), matcher(), cfg).unwrap()
}

pub fn fixed_time() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 15, 0, 0, 0).unwrap()
}

/// Runs once into a fresh sink.
pub async fn run(src: &ConcurSource, cp: Option<Checkpoint>) -> (CollectingSink, DiscoveryOutcome) {
    let mut sink = CollectingSink::with_source(src.document_source());
    let out = src
        .discover(cp, CancellationSignal::new(), &mut sink)
        .await
        .unwrap();
    (sink, out)
}

pub async fn run_doc(src: &ConcurSource) -> Document {
    let (sink, _) = run(src, None).await;
    sink.document(fixed_time()).unwrap()
}

/// A sink that forwards to a collecting sink and cancels the run after `k` checkpoints.
pub struct StopAfter {
    pub inner: CollectingSink,
    pub k: usize,
    pub seen: usize,
    pub cancel: CancellationSignal,
}

#[async_trait]
impl EventSink for StopAfter {
    async fn emit(&mut self, e: DiscoveryEvent) -> Result<(), SinkError> {
        let cp = matches!(e, DiscoveryEvent::Checkpoint(_));
        self.inner.emit(e).await?;
        if cp {
            self.seen += 1;
            if self.seen >= self.k {
                self.cancel.cancel();
            }
        }
        Ok(())
    }
}

pub async fn run_err(src: &ConcurSource) -> DiscoveryError {
    let mut sink = CollectingSink::new();
    src.discover(None, CancellationSignal::new(), &mut sink)
        .await
        .unwrap_err()
}

/// Services and costs in a compact, stable form for snapshots.
pub fn summary(doc: &Document) -> serde_json::Value {
    let services: BTreeMap<_, _> = doc
        .services
        .iter()
        .map(|s| {
            (
                s.id.to_string(),
                serde_json::json!({
                    "name": s.name,
                    "first_seen": s.first_seen,
                    "last_seen": s.last_seen,
                    "owners": s.owners.len(),
                    "confidence": s.confidence.score(),
                }),
            )
        })
        .collect();
    let costs: Vec<_> = doc
        .costs
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {} {} {} {}",
                c.date,
                c.id,
                c.service_id,
                c.amount,
                c.owner.login_id,
                c.source.kind,
                c.source.reference().record_id().unwrap_or("").to_owned()
            )
        })
        .collect();
    serde_json::json!({
        "services": services,
        "costs": costs,
        "unmatched": doc.unmatched.iter().map(|u| format!("{} x{}", u.vendor, u.count)).collect::<Vec<_>>(),
        "findings": doc.findings.iter().map(|f| format!("{} {} {}", f.kind, f.service_id, f.cost_ids.len())).collect::<Vec<_>>(),
    })
}

/// Precision and recall of the product attribution against the generator's ground truth.
///
/// Expected: every spend line with a product in a report whose status counts (submitted or
/// later), not personal, with a non-zero amount (itemizations instead of their itemized
/// parent), plus invoices with a product. Predicted: every cost.
pub struct Accuracy {
    pub precision: f64,
    pub recall: f64,
    pub expected: usize,
    pub predicted: usize,
    pub correct: usize,
    pub wrong: Vec<String>,
    pub missed: Vec<String>,
}

pub fn accuracy(sim: &SimServer, tenant: &str, doc: &Document) -> Accuracy {
    use std::collections::{BTreeMap, BTreeSet};
    let data = sim.data(tenant).unwrap();
    let policy = concur_discovery::StatusPolicy::default();
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    let mut labelled: BTreeMap<String, Option<String>> = BTreeMap::new();
    for i in 0..data.report_count() {
        let b = data.report(i).unwrap();
        let counts = policy.counts(Some(&b.report.approval_status_code));
        for e in &b.entries {
            labelled.insert(e.entry.id.clone(), e.truth.product_id.clone());
            for (it, t) in e.itemizations.iter().zip(&e.itemization_truth) {
                labelled.insert(it.id.clone(), t.product_id.clone());
            }
            if !counts || e.entry.is_personal {
                continue;
            }
            if e.itemizations.is_empty() {
                if let Some(p) = &e.truth.product_id
                    && !e.entry.transaction_amount.is_zero()
                {
                    expected.insert(e.entry.id.clone(), p.clone());
                }
            } else {
                for (it, t) in e.itemizations.iter().zip(&e.itemization_truth) {
                    if let Some(p) = &t.product_id
                        && !it.transaction_amount.is_zero()
                    {
                        expected.insert(it.id.clone(), p.clone());
                    }
                }
            }
        }
    }
    for row in concur_sim::ground_truth(data).filter(|r| r.kind == "invoice") {
        labelled.insert(row.id.clone(), row.product_id.clone());
        if let Some(p) = row.product_id {
            expected.insert(row.id, p);
        }
    }
    let mut predicted: BTreeMap<String, String> = BTreeMap::new();
    for c in &doc.costs {
        let r = c.source.reference();
        let id = r.record_id().unwrap_or("").to_owned();
        predicted.insert(id, c.service_id.to_string());
        for o in &c.source.also_seen_in {
            if let Some(id) = o.record_id() {
                // merged lines count as found (same money movement)
                predicted.insert(id.to_owned(), c.service_id.to_string());
            }
        }
    }
    let mut correct = 0;
    let mut wrong = Vec::new();
    for (id, s) in &predicted {
        match labelled.get(id) {
            Some(Some(p)) if p == s => correct += 1,
            other => wrong.push(format!("{id}: predicted {s}, truth {other:?}")),
        }
    }
    let found: BTreeSet<&String> = expected
        .iter()
        .filter(|(id, p)| predicted.get(*id) == Some(*p))
        .map(|(id, _)| id)
        .collect();
    let missed = expected
        .iter()
        .filter(|(id, _)| !found.contains(id))
        .map(|(id, p)| format!("{id}: truth {p}, predicted {:?}", predicted.get(id)))
        .collect();
    Accuracy {
        precision: correct as f64 / predicted.len().max(1) as f64,
        recall: found.len() as f64 / expected.len().max(1) as f64,
        expected: expected.len(),
        predicted: predicted.len(),
        correct,
        wrong,
        missed,
    }
}
