//! The router without a socket (`app(state)` + `oneshot`).

use std::collections::BTreeSet;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::common::*;

const V1_ROUTES: &[(&str, &str)] = &[
    ("GET", "/v1/connections"),
    ("POST", "/v1/connections/acme/sync"),
    ("GET", "/v1/services"),
    ("GET", "/v1/services/zoom"),
    ("GET", "/v1/costs"),
    ("GET", "/v1/unmatched"),
    ("GET", "/v1/findings"),
    ("GET", "/v1/sync-runs"),
    ("POST", "/v1/owners/ada.testperson@example.com/purge"),
];

async fn synced() -> Harness {
    let h = harness(vec![("acme", Arc::new(fake("acme")))]).await;
    let r = h
        .scheduler
        .sync_now("acme", CancellationToken::new())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status, "complete");
    h
}

#[tokio::test]
async fn every_v1_route_needs_a_key() {
    let h = synced().await;
    for (method, uri) in V1_ROUTES {
        let none = call(&h.state, method, uri, None).await;
        assert_eq!(none.status, 401, "{method} {uri} without key");
        assert_eq!(none.json()["error"]["code"], "unauthorized");
        assert!(
            none.headers
                .get("www-authenticate")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        let wrong = call(&h.state, method, uri, Some("test-api-key-0123456780")).await;
        assert_eq!(wrong.status, 401, "{method} {uri} with a wrong key");
        let basic = {
            let req = axum::http::Request::builder()
                .method(*method)
                .uri(*uri)
                .header("authorization", format!("Basic {KEY}"))
                .body(axum::body::Body::empty())
                .unwrap();
            tower::ServiceExt::oneshot(concur_smpd::app(h.state.clone()), req)
                .await
                .unwrap()
        };
        assert_eq!(
            basic.status(),
            401,
            "{method} {uri} with a non-bearer scheme"
        );
    }
    // The purge is last in the list: with the key, every route answers.
    for (method, uri) in V1_ROUTES {
        let ok = call(&h.state, method, uri, Some(KEY)).await;
        assert!(
            ok.status.is_success(),
            "{method} {uri}: {} {}",
            ok.status,
            ok.text
        );
    }
}

#[tokio::test]
async fn open_endpoints_need_no_key() {
    let h = synced().await;
    let health = call(&h.state, "GET", "/healthz", None).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");

    let ready = call(&h.state, "GET", "/readyz", None).await;
    assert_eq!(ready.status, 200, "{}", ready.text);
    let v = ready.json();
    assert_eq!(v["ready"], true);
    assert_eq!(v["store"]["ok"], true);
    assert_eq!(v["store"]["backend"], "sqlite");
    assert_eq!(v["connections"][0]["id"], "acme");
    assert_eq!(v["connections"][0]["last_status"], "complete");

    let metrics = call(&h.state, "GET", "/metrics", None).await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    assert!(
        metrics
            .text
            .contains("concur_smpd_syncs_total{connection=\"acme\",status=\"complete\"} 1"),
        "{}",
        metrics.text
    );
    assert!(
        metrics
            .text
            .contains("concur_smpd_costs_upserted_total{connection=\"acme\"} 12")
    );
    assert!(metrics.text.contains("concur_smpd_costs_stored 11"));
    assert!(metrics.text.contains(
        "concur_smpd_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"} 1"
    ));

    assert_eq!(call(&h.state, "GET", "/nope", None).await.status, 404);
}

#[tokio::test]
async fn served_openapi_equals_checked_in_document() {
    let h = synced().await;
    let served = call(&h.state, "GET", "/openapi.json", None).await;
    assert_eq!(served.status, 200);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let served_pretty = serde_json::to_string_pretty(&served.json()).unwrap() + "\n";
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(path, &served_pretty).unwrap();
    }
    let checked_in =
        std::fs::read_to_string(path).expect("docs/openapi.json (UPDATE_OPENAPI=1 writes it)");
    assert_eq!(
        served_pretty, checked_in,
        "run with UPDATE_OPENAPI=1 and commit docs/openapi.json"
    );
    // Every route of the router is documented.
    let doc = served.json();
    for (method, uri) in V1_ROUTES {
        let templ = uri
            .replace("/acme/", "/{id}/")
            .replace("/zoom", "/{id}")
            .replace("ada.testperson@example.com", "{login_id}");
        assert!(
            doc["paths"][&templ][method.to_lowercase()].is_object(),
            "{method} {templ} missing from the OpenAPI document"
        );
    }
}

#[tokio::test]
async fn costs_page_with_cursor_and_filter() {
    let h = synced().await;
    let mut seen = Vec::new();
    let mut uri = "/v1/costs?limit=4".to_owned();
    let mut pages = 0;
    loop {
        let r = get(&h.state, &uri).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let v = r.json();
        pages += 1;
        for c in v["items"].as_array().unwrap() {
            seen.push((
                c["date"].as_str().unwrap().to_owned(),
                c["id"].as_str().unwrap().to_owned(),
            ));
            assert_eq!(c["connection_id"], "acme");
        }
        match v["next_cursor"].as_str() {
            Some(cur) => uri = format!("/v1/costs?limit=4&cursor={cur}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 11);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "ordered by date then id");
    assert_eq!(
        seen.iter().collect::<BTreeSet<_>>().len(),
        11,
        "no duplicates across pages"
    );

    let zoom = get(&h.state, "/v1/costs?service=zoom").await.json();
    assert_eq!(zoom["items"].as_array().unwrap().len(), 6);
    let first = &zoom["items"][0];
    assert_eq!(first["service_id"], "zoom");
    assert_eq!(first["amount"]["amount"], "20.00");
    assert_eq!(first["amount"]["currency"], "EUR");
    assert_eq!(first["owner"]["name"], "Ada Testperson");
    assert_eq!(first["source"]["entry_id"], "E10");

    let grace = get(&h.state, "/v1/costs?owner=grace.testperson@example.com")
        .await
        .json();
    assert_eq!(grace["items"].as_array().unwrap().len(), 5);
    let from = day(4).to_string();
    let to = day(1).to_string();
    let window = get(&h.state, &format!("/v1/costs?from={from}&to={to}"))
        .await
        .json();
    assert_eq!(
        window["items"].as_array().unwrap().len(),
        4,
        "day(4)..=day(1)"
    );
    let none = get(
        &h.state,
        "/v1/costs?service=zoom&owner=grace.testperson@example.com",
    )
    .await
    .json();
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
    assert!(none["next_cursor"].is_null());

    for bad in [
        "/v1/costs?from=2026-13-01",
        "/v1/costs?cursor=%%%",
        "/v1/costs?limit=0",
        "/v1/costs?limit=x",
    ] {
        let r = get(&h.state, bad).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        assert_eq!(r.json()["error"]["code"], "bad_request");
    }
}

#[tokio::test]
async fn services_unmatched_findings_runs() {
    let h = synced().await;
    let list = get(&h.state, "/v1/services").await.json();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], "slack");
    assert_eq!(items[1]["id"], "zoom");
    assert_eq!(items[1]["name"], "Zoom Workplace");
    assert_eq!(items[1]["connection_id"], "acme");
    assert_eq!(items[1]["first_seen"], day(10).to_string());
    assert_eq!(
        items[1]["owners"][0]["owner"]["login_id"],
        "ada.testperson@example.com"
    );
    assert_eq!(items[1]["owners"][0]["cost_count"], 6);
    // 10+12+14+16+18+20 = 90 EUR
    assert_eq!(items[1]["owners"][0]["spend"][0]["amount"], "90.00");

    let one = get(&h.state, "/v1/services/zoom").await;
    assert_eq!(one.status, 200);
    assert_eq!(one.json()["vendor"], "Zoom Communications");
    let missing = get(&h.state, "/v1/services/nothing").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"]["code"], "not_found");

    let unmatched = get(&h.state, "/v1/unmatched").await.json();
    assert_eq!(unmatched["items"][0]["vendor"], "obscure tool");
    assert_eq!(unmatched["items"][0]["totals"][0]["amount"], "5.00");
    let findings = get(&h.state, "/v1/findings?connection=acme").await.json();
    assert_eq!(findings["items"][0]["kind"], "duplicate_charge");
    assert_eq!(
        findings["items"][0]["cost_ids"].as_array().unwrap().len(),
        2
    );

    let runs = get(&h.state, "/v1/sync-runs?connection=acme").await.json();
    let run = &runs["items"][0];
    assert_eq!(run["status"], "complete");
    assert_eq!(run["trigger"], "manual");
    assert_eq!(run["costs_upserted"], 12);
    assert_eq!(run["stats"]["costs_emitted"], 12);
    assert!(run["finished_at"].is_string());

    let conns = get(&h.state, "/v1/connections").await.json();
    let c = &conns["items"][0];
    assert_eq!(c["id"], "acme");
    assert_eq!(c["enabled"], true);
    assert!(
        c.get("checkpoint").is_none(),
        "checkpoint internals are not exposed"
    );
    assert!(
        !conns.to_string().to_lowercase().contains("token\""),
        "no token fields"
    );

    let unknown = call(&h.state, "POST", "/v1/connections/nope/sync", Some(KEY)).await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn purge_through_the_api() {
    let h = synced().await;
    let r = call(
        &h.state,
        "POST",
        "/v1/owners/grace.testperson@example.com/purge",
        Some(KEY),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["costs_updated"], 5);
    let pseudo = v["pseudonym"].as_str().unwrap().to_owned();
    let costs = get(&h.state, &format!("/v1/costs?owner={pseudo}"))
        .await
        .json();
    assert_eq!(costs["items"].as_array().unwrap().len(), 5);
    assert!(costs["items"][0]["owner"]["name"].is_null());
    assert!(costs["items"][0]["owner"]["email"].is_null());
    let old = get(&h.state, "/v1/costs?owner=grace.testperson@example.com")
        .await
        .json();
    assert_eq!(old["items"].as_array().unwrap().len(), 0);
    let services = get(&h.state, "/v1/services/slack").await.text;
    assert!(!services.contains("Grace Testperson") && !services.contains("grace.testperson"));
}

/// A provider whose permission probe says Expense Report is not granted.
struct NoExpenseGroup;

#[async_trait::async_trait]
impl concur_smpd::sync::SourceProvider for NoExpenseGroup {
    fn system(&self) -> &str {
        "concur"
    }
    async fn source(
        &self,
    ) -> Result<Arc<dyn saas_discovery::DiscoverySource>, concur_smpd::sync::ProviderError> {
        Err(concur_smpd::sync::ProviderError(
            "permission denied: Expense Report".into(),
        ))
    }
    async fn probe(&self) -> Option<serde_json::Value> {
        Some(serde_json::json!({"ok": false, "groups": {"expense_report": {"outcome": "missing"}}}))
    }
}

#[tokio::test]
async fn readyz_reports_a_missing_permission() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(dir.path()).await;
    let metrics = Arc::new(concur_smpd::metrics::Metrics::new());
    let handle = concur_smpd::sync::ConnectionHandle {
        id: "acme".into(),
        provider: Arc::new(NoExpenseGroup),
        interval: std::time::Duration::from_secs(3600),
        enabled: true,
    };
    let scheduler = Arc::new(concur_smpd::sync::Scheduler::new(
        store.clone(),
        concur_smpd::sync::SyncSettings::for_tests("r"),
        vec![handle],
        metrics.clone(),
    ));
    scheduler.register().await.unwrap();
    let state = concur_smpd::AppState::new(
        store,
        scheduler.clone(),
        metrics,
        &[secrecy::SecretString::from(KEY.to_owned())],
    );
    assert_eq!(
        call(&state, "GET", "/readyz", None).await.status,
        200,
        "nothing probed yet"
    );
    let r = scheduler
        .sync_now("acme", CancellationToken::new())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status, "failed");
    let ready = call(&state, "GET", "/readyz", None).await;
    assert_eq!(ready.status, 503, "{}", ready.text);
    let v = ready.json();
    assert_eq!(v["ready"], false);
    assert_eq!(v["store"]["ok"], true);
    assert_eq!(
        v["connections"][0]["permissions"]["groups"]["expense_report"]["outcome"],
        "missing"
    );
    assert_eq!(v["connections"][0]["last_status"], "failed");
    assert!(
        v["connections"][0]["last_error"]
            .as_str()
            .unwrap()
            .contains("Expense Report")
    );
}
