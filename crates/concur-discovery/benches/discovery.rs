//! Discovery benchmark against the simulator on loopback (`harness = false`; run through
//! `scripts/bench-discovery.sh`).
//!
//! ```text
//! cargo bench -p concur-discovery --bench discovery -- --company demo --mode floor,full
//! cargo bench -p concur-discovery --bench discovery -- --company tiny --latency-ms 150 --mode full,serial
//! cargo bench -p concur-discovery --bench discovery -- --base-url http://127.0.0.1:PORT --mode full
//! ```
//!
//! Modes: `floor` (fetch and JSON-decode the same pages as discovery, same windows and
//! concurrency, nothing else), `full` (the whole `ConcurSource` run into a counting sink),
//! `serial` (the same run with concurrency 1: one request at a time). Prints one JSON line per
//! mode and the process peak RSS (`VmHWM`).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use concur_client::models::expense::{Entry, Itemization, Report};
use concur_client::{Client, Credentials, Grant, Paginator};
use concur_discovery::{ConcurSource, ConcurSourceConfig, StatusPolicy};
use concur_sim::{Faults, SimConfig, SimServer, Size, TenantConfig};
use futures::StreamExt;
use saas_catalog::{Catalog, Matcher, Rules};
use saas_discovery::{CancellationSignal, DiscoveryEvent, DiscoverySource, EventSink, SinkError};
use tokio::sync::Semaphore;

struct Args {
    company: String,
    modes: Vec<String>,
    latency_ms: u64,
    concurrency: usize,
    base_url: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        company: "demo".into(),
        modes: vec!["floor".into(), "full".into()],
        latency_ms: 0,
        concurrency: 4,
        base_url: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().unwrap_or_default();
        match k.as_str() {
            "--company" => a.company = v(),
            "--mode" => a.modes = v().split(',').map(str::to_owned).collect(),
            "--latency-ms" => a.latency_ms = v().parse().unwrap_or(0),
            "--concurrency" => a.concurrency = v().parse().unwrap_or(4),
            "--base-url" => a.base_url = Some(v()),
            _ => {} // `--bench` and friends from cargo
        }
    }
    a
}

fn crawl_start() -> NaiveDateTime {
    let (y, m, d) = concur_sim::DEFAULT_NOW;
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

fn client(base: &str) -> Client {
    Client::builder()
        .base_url(base)
        .credentials(Credentials::new(
            concur_sim::DEMO_CLIENT_ID,
            concur_sim::DEMO_CLIENT_SECRET,
        ))
        .grant(Grant::password(
            concur_sim::DEMO_USERNAME,
            concur_sim::DEMO_PASSWORD,
        ))
        .build()
        .expect("client")
}

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

#[derive(Default)]
struct CountingSink {
    events: u64,
    costs: u64,
    checkpoint_bytes: usize,
}

#[async_trait]
impl EventSink for CountingSink {
    async fn emit(&mut self, e: DiscoveryEvent) -> Result<(), SinkError> {
        self.events += 1;
        match &e {
            DiscoveryEvent::Cost(_) => self.costs += 1,
            DiscoveryEvent::Checkpoint(c) => {
                self.checkpoint_bytes = c.as_value().as_str().map_or(0, str::len);
            }
            _ => {}
        }
        Ok(())
    }
}

async fn full(base: &str, concurrency: usize, matcher: Arc<Matcher>) -> serde_json::Value {
    let cfg = ConcurSourceConfig::new("bench")
        .with_crawl_start(crawl_start())
        .with_concurrency(concurrency);
    let src = ConcurSource::new(client(base), matcher, cfg).expect("source");
    let mut sink = CountingSink::default();
    let t = Instant::now();
    let out = src
        .discover(None, CancellationSignal::new(), &mut sink)
        .await
        .expect("discovery");
    let secs = t.elapsed().as_secs_f64();
    serde_json::json!({
        "seconds": secs,
        "status": format!("{:?}", out.status),
        "reports": out.stats.reports_read,
        "entries": out.stats.entries_read,
        "itemizations": out.stats.itemizations_read,
        "invoices": out.stats.invoices_read,
        "costs": sink.costs,
        "events": sink.events,
        "api_calls": out.stats.api_calls,
        "checkpoint_bytes": sink.checkpoint_bytes,
    })
}

async fn all_pages<T: Send + 'static>(
    sem: &Semaphore,
    mk: impl Fn() -> Paginator<T>,
) -> (usize, u64) {
    let mut n = 0usize;
    let mut calls = 0u64;
    let mut seen = HashSet::new();
    let mut page = {
        let _p = sem.acquire().await.expect("sem");
        calls += 1;
        mk().send().await.expect("page")
    };
    loop {
        n += page.items.len();
        let Some(c) = page.next.take() else { break };
        if !seen.insert(c.clone()) {
            break;
        }
        let _p = sem.acquire().await.expect("sem");
        calls += 1;
        page = mk().send_at(&c).await.expect("page");
    }
    (n, calls)
}

/// The same requests as a discovery run (users, invoices, report windows, entries and
/// itemizations of counting reports), decoded into the client models, nothing else.
async fn floor(base: &str, concurrency: usize) -> serde_json::Value {
    let client = client(base);
    let sem = Arc::new(Semaphore::new(concurrency));
    let t = Instant::now();
    let start = crawl_start();
    let (users, mut calls) =
        all_pages(&sem, || client.users().list_v3().limit(100).paginator()).await;
    let after = (start - TimeDelta::days(365)).date();
    let digests: Vec<_> = {
        let _p = sem.acquire().await.expect("sem");
        calls += 1;
        client
            .invoice()
            .payment_request_digests()
            .last_modified_date_after(after)
            .limit(1000)
            .send()
            .await
            .expect("digests")
            .items
    };
    let inv: Vec<_> = futures::stream::iter(digests)
        .map(|d| {
            let client = client.clone();
            let sem = sem.clone();
            async move {
                let _p = sem.acquire().await.expect("sem");
                let id = d.payment_request_id.clone().unwrap_or(d.id.clone());
                client
                    .invoice()
                    .payment_request(&id)
                    .await
                    .expect("invoice")
            }
        })
        .buffered(concurrency)
        .collect()
        .await;
    calls += inv.len() as u64;
    let mut windows = Vec::new();
    let mut a = start - TimeDelta::days(365);
    while a < start {
        let b = (a + TimeDelta::days(30)).min(start);
        windows.push((a, b));
        a = b;
    }
    let policy = StatusPolicy::default();
    let results: Vec<(usize, usize, u64)> = futures::stream::iter(windows)
        .map(|(a, b)| {
            let client = client.clone();
            let sem = sem.clone();
            let policy = policy.clone();
            tokio::spawn(async move {
                let list = client
                    .expense()
                    .reports()
                    .list()
                    .user_all()
                    .modified_after(a)
                    .modified_before(b)
                    .limit(100);
                let mut entries = 0usize;
                let mut reports = 0usize;
                let mut calls = 0u64;
                let mut page = {
                    let _p = sem.acquire().await.expect("sem");
                    calls += 1;
                    list.clone().send().await.expect("reports")
                };
                loop {
                    let items: Vec<Report> = std::mem::take(&mut page.items);
                    reports += items.len();
                    let per: Vec<(usize, u64)> = futures::stream::iter(items)
                        .filter(|r| {
                            std::future::ready(policy.counts(r.approval_status_code.as_deref()))
                        })
                        .map(|r| {
                            let client = client.clone();
                            let sem = sem.clone();
                            async move {
                                let login = r.owner_login_id.clone().unwrap_or_default();
                                let (es, mut c): (Vec<Entry>, u64) = {
                                    let mut v = Vec::new();
                                    let mut calls = 0;
                                    let mk = || {
                                        client
                                            .expense()
                                            .entries()
                                            .list()
                                            .report_id(r.id.clone())
                                            .user(login.clone())
                                            .limit(100)
                                            .paginator()
                                    };
                                    let mut p = {
                                        let _p = sem.acquire().await.expect("sem");
                                        calls += 1;
                                        mk().send().await.expect("entries")
                                    };
                                    loop {
                                        v.append(&mut p.items);
                                        let Some(cur) = p.next.take() else { break };
                                        let _p = sem.acquire().await.expect("sem");
                                        calls += 1;
                                        p = mk().send_at(&cur).await.expect("entries");
                                    }
                                    (v, calls)
                                };
                                if es.iter().any(|e| e.has_itemizations == Some(true)) {
                                    let (_, k) = all_pages::<Itemization>(&sem, || {
                                        client
                                            .expense()
                                            .itemizations()
                                            .list()
                                            .report_id(r.id.clone())
                                            .user(login.clone())
                                            .limit(100)
                                            .paginator()
                                    })
                                    .await;
                                    c += k;
                                }
                                (es.len(), c)
                            }
                        })
                        .buffered(4)
                        .collect()
                        .await;
                    for (n, c) in per {
                        entries += n;
                        calls += c;
                    }
                    let Some(c) = page.next.take() else { break };
                    let _p = sem.acquire().await.expect("sem");
                    calls += 1;
                    page = list.clone().paginator().send_at(&c).await.expect("reports");
                }
                (reports, entries, calls)
            })
        })
        .buffer_unordered(concurrency)
        .map(|r| r.expect("task"))
        .collect()
        .await;
    let secs = t.elapsed().as_secs_f64();
    let (reports, entries, c): (usize, usize, u64) = results
        .iter()
        .fold((0, 0, 0), |acc, r| (acc.0 + r.0, acc.1 + r.1, acc.2 + r.2));
    serde_json::json!({
        "seconds": secs,
        "users": users,
        "invoices": inv.len(),
        "reports": reports,
        "entries": entries,
        "api_calls": calls + c,
    })
}

fn main() {
    let a = args();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let size = Size::parse(&a.company).unwrap_or(Size::Demo);
        let sim;
        let base = match &a.base_url {
            Some(b) => b.clone(),
            None => {
                let mut faults = Faults::default();
                if a.latency_ms > 0 {
                    faults.latency = Some(Duration::from_millis(a.latency_ms));
                }
                sim = SimServer::start(
                    SimConfig::new().tenant(TenantConfig::generated("demo", size).faults(faults)),
                )
                .await
                .expect("simulator");
                sim.base_url().to_owned()
            }
        };
        let matcher = Arc::new(
            Matcher::new(Catalog::builtin().expect("catalog"), Rules::empty()).expect("matcher"),
        );
        for mode in &a.modes {
            let r = match mode.as_str() {
                "floor" => floor(&base, a.concurrency).await,
                "full" => full(&base, a.concurrency, matcher.clone()).await,
                "serial" => full(&base, 1, matcher.clone()).await,
                other => serde_json::json!({"error": format!("unknown mode {other}")}),
            };
            println!(
                "{}",
                serde_json::json!({
                    "company": a.company,
                    "mode": mode,
                    "latency_ms": a.latency_ms,
                    "concurrency": if mode == "serial" { 1 } else { a.concurrency },
                    "result": r,
                    "peak_rss_kb_so_far": vm_hwm_kb(),
                })
            );
        }
    });
}
