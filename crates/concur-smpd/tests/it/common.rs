//! Shared fixtures: a deterministic fake company, a tempfile SQLite harness, request helpers.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Days, NaiveDate, Utc};
use concur_smpd::metrics::Metrics;
use concur_smpd::store::{Store, StoreOptions};
use concur_smpd::sync::{ConnectionHandle, Scheduler, StaticProvider, SyncSettings};
use concur_smpd::{AppState, app};
use saas_discovery::{
    Cost, CostId, CostSource, CostSourceKind, DiscoveryEvent, DiscoverySource, Finding,
    FindingKind, Money, Owner, Retraction, Service, ServiceId, SourceRef, UnmatchedSpend,
};
use secrecy::SecretString;
use tower::ServiceExt as _;

pub const KEY: &str = "test-api-key-0123456789";

pub fn ada() -> Owner {
    Owner::new("ada.testperson@example.com")
        .with_name("Ada Testperson")
        .with_email("ada.testperson@example.com")
        .with_department("Engineering")
}

pub fn grace() -> Owner {
    Owner::new("grace.testperson@example.com")
        .with_name("Grace Testperson")
        .with_email("grace.testperson@example.com")
}

pub fn day(i: u64) -> NaiveDate {
    Utc::now()
        .date_naive()
        .checked_sub_days(Days::new(i * 3 + 1))
        .unwrap()
}

pub fn cost_id(conn: &str, i: usize) -> CostId {
    CostId::derive(conn, CostSourceKind::ExpenseEntry, &format!("E{i}"))
}

/// 2 services, 12 costs (even: zoom, odd: slack; even: Ada, odd: Grace; 10.00 + i EUR),
/// one retraction (cost 11), one unmatched bucket, one finding. 11 costs remain.
pub fn records(conn: &str) -> Vec<DiscoveryEvent> {
    let zoom = ServiceId::new("zoom").unwrap();
    let slack = ServiceId::new("slack").unwrap();
    let mut ev = vec![
        DiscoveryEvent::Service(
            Service::new(zoom.clone(), "Zoom Workplace").with_vendor("Zoom Communications"),
        ),
        DiscoveryEvent::Service(
            Service::new(slack.clone(), "Slack").with_category("collaboration"),
        ),
    ];
    for i in 0..12usize {
        let (svc, owner) = if i % 2 == 0 {
            (zoom.clone(), ada())
        } else {
            (slack.clone(), grace())
        };
        let amount = Money::parse_with_code(&format!("{}.00", 10 + i), "EUR").unwrap();
        let src = CostSource::new(
            SourceRef::new("fake", CostSourceKind::ExpenseEntry).with_entry_id(format!("E{i}")),
        );
        let c = Cost::new(cost_id(conn, i), svc, day(i as u64), amount, owner, src)
            .with_vendor_descriptor(if i % 2 == 0 {
                "ZOOM.US 888-799-9666"
            } else {
                "SLACK T0123"
            });
        ev.push(DiscoveryEvent::Cost(c));
    }
    ev.push(DiscoveryEvent::Retraction(Retraction::new(
        cost_id(conn, 11),
        "entry deleted at source",
    )));
    let mut u = UnmatchedSpend::new("obscure tool");
    u.record(
        "OBSCURE TOOL INC",
        Money::parse_with_code("5.00", "USD").unwrap(),
        day(2),
        &ada(),
        SourceRef::new("fake", CostSourceKind::ExpenseEntry).with_entry_id("U1"),
    )
    .unwrap();
    ev.push(DiscoveryEvent::Unmatched(u));
    ev.push(DiscoveryEvent::Finding(Finding::new(
        FindingKind::DuplicateCharge,
        "Two identical Zoom charges.",
        zoom,
        vec![cost_id(conn, 0), cost_id(conn, 2)],
    )));
    ev
}

pub fn fake(conn: &str) -> saas_discovery::testing::FakeSource {
    saas_discovery::testing::FakeSource::new(records(conn)).checkpoint_every(4)
}

pub struct Harness {
    pub _dir: tempfile::TempDir,
    pub store: Store,
    pub scheduler: Arc<Scheduler>,
    pub metrics: Arc<Metrics>,
    pub state: AppState,
}

pub async fn sqlite_store(dir: &std::path::Path) -> Store {
    let url = format!("sqlite://{}?mode=rwc", dir.join("smpd.db").display());
    Store::connect(&StoreOptions::new(url)).await.unwrap()
}

pub async fn harness(sources: Vec<(&str, Arc<dyn DiscoverySource>)>) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(dir.path()).await;
    harness_on(dir, store, sources, SyncSettings::for_tests("test-replica")).await
}

pub async fn harness_on(
    dir: tempfile::TempDir,
    store: Store,
    sources: Vec<(&str, Arc<dyn DiscoverySource>)>,
    settings: SyncSettings,
) -> Harness {
    let handles = sources
        .into_iter()
        .map(|(id, s)| ConnectionHandle {
            id: id.to_owned(),
            provider: Arc::new(StaticProvider::new(s)),
            interval: std::time::Duration::from_secs(3600),
            enabled: true,
        })
        .collect();
    let metrics = Arc::new(Metrics::new());
    let scheduler = Arc::new(Scheduler::new(
        store.clone(),
        settings,
        handles,
        metrics.clone(),
    ));
    scheduler.register().await.unwrap();
    let state = AppState::new(
        store.clone(),
        scheduler.clone(),
        metrics.clone(),
        &[SecretString::from(KEY.to_owned())],
    );
    Harness {
        _dir: dir,
        store,
        scheduler,
        metrics,
        state,
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

pub async fn call(state: &AppState, method: &str, uri: &str, key: Option<&str>) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(k) = key {
        req = req.header("authorization", format!("Bearer {k}"));
    }
    let resp = app(state.clone())
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    Reply {
        status,
        headers,
        text: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

pub async fn get(state: &AppState, uri: &str) -> Reply {
    call(state, "GET", uri, Some(KEY)).await
}
