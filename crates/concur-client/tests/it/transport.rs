//! Transport scenarios: retries, throttling, refresh on 401, headers, encoding.

use std::time::{Duration, Instant};

use concur_client::{Error, RetryConfig};
use futures::future::join_all;
use mockito::Matcher;

use crate::util::*;

#[tokio::test]
async fn throttled_429_waits_at_least_the_floor_and_gives_up_after_the_cap() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let m = server
        .mock("GET", "/api/v3.0/expense/reports")
        .with_status(429)
        .with_header("retry-after", "0")
        .with_body(
            r#"{"error":{"id":"security.rate.limit.reached","message":"Too many requests"}}"#,
        )
        .expect(4)
        .create_async()
        .await;
    let retry = RetryConfig::default()
        .with_max_attempts(10)
        .with_min_delay(Duration::from_millis(10))
        .with_retry_after_floor(Duration::from_secs(1))
        .with_max_total_delay(Duration::from_secs(3))
        .with_jitter(false);
    let store = std::sync::Arc::new(concur_client::MemoryTokenStore::with_token(record(
        &url, "acc-1", None, 3600,
    )));
    let client = builder(&url)
        .retry(retry)
        .token_store(store)
        .build()
        .unwrap();
    let start = Instant::now();
    let err = client.expense().reports().list().send().await.unwrap_err();
    let elapsed = start.elapsed();
    match &err {
        Error::Throttled {
            attempts,
            retry_after,
            detail,
        } => {
            assert_eq!(*attempts, 4);
            assert_eq!(*retry_after, Some(Duration::ZERO));
            assert_eq!(detail.code.as_deref(), Some("security.rate.limit.reached"));
        }
        other => panic!("{other:?}"),
    }
    // Waits 1 s + 1 s + 1 s (floor), then a 4th wait would exceed the 3 s cap.
    assert!(elapsed >= Duration::from_secs(3), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    let s = client.metrics().snapshot();
    assert_eq!((s.calls, s.retries, s.throttled, s.errors), (4, 3, 4, 1));
    assert!(err.is_retryable());
    m.assert_async().await;
}

#[tokio::test]
async fn throttle_pause_applies_to_other_requests() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    server
        .mock("GET", "/api/v3.0/expense/reports/A")
        .with_status(429)
        .with_header("retry-after", "2")
        .create_async()
        .await;
    server
        .mock("GET", "/api/v3.0/expense/reports/B")
        .with_body(r#"{"ID":"B"}"#)
        .expect(1)
        .create_async()
        .await;
    // No retries for A, so it returns right after the 429; B must still wait the pause.
    let store = std::sync::Arc::new(concur_client::MemoryTokenStore::with_token(record(
        &url, "acc-1", None, 3600,
    )));
    let client = builder(&url)
        .retry(RetryConfig::none())
        .token_store(store)
        .build()
        .unwrap();
    let err = client
        .expense()
        .reports()
        .get("A")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Throttled { .. }));
    let start = Instant::now();
    client.expense().reports().get("B").send().await.unwrap();
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(1900),
        "B waited only {waited:?}"
    );
}

#[tokio::test]
async fn a_503_then_200_succeeds_with_exactly_one_retry() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let fail = server
        .mock("GET", "/api/v3.0/expense/reports/R1")
        .with_status(503)
        .with_body("Service Unavailable")
        .expect(1)
        .create_async()
        .await;
    let ok = server
        .mock("GET", "/api/v3.0/expense/reports/R1")
        .with_body(r#"{"ID":"R1","Total":307.01}"#)
        .expect(1)
        .create_async()
        .await;
    let (client, _) = client_with_token(&url);
    let r = client.expense().reports().get("R1").send().await.unwrap();
    assert_eq!(r.total.unwrap().to_string(), "307.01");
    let s = client.metrics().snapshot();
    assert_eq!((s.calls, s.retries, s.errors), (2, 1, 0));
    fail.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn a_400_is_sent_exactly_once() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let m = server
        .mock("GET", "/api/v3.0/expense/reports")
        .with_status(400)
        .with_header(
            "Concur-Correlationid",
            "2803b8f8-a42b-43c2-a739-b8768e4759b8",
        )
        .with_body(fixture("error-v1-v3-generic-error.xml"))
        .expect(1)
        .create_async()
        .await;
    let (client, _) = client_with_token(&url);
    let err = client.expense().reports().list().send().await.unwrap_err();
    match &err {
        Error::InvalidRequest(d) => {
            assert_eq!(d.status, 400);
            assert_eq!(
                d.message.as_deref(),
                Some("Invalid User:dutchinw@example.com")
            );
            assert_eq!(
                d.error_id.as_deref(),
                Some("A55930EA-D39C-463B-A12A-356F4853F27C")
            );
            assert_eq!(
                d.correlation_id.as_deref(),
                Some("2803b8f8-a42b-43c2-a739-b8768e4759b8")
            );
            assert_eq!(d.endpoint, "GET /api/v3.0/expense/reports");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.correlation_id(),
        Some("2803b8f8-a42b-43c2-a739-b8768e4759b8")
    );
    assert!(!err.is_retryable());
    m.assert_async().await;
}

#[tokio::test]
async fn non_idempotent_post_is_not_retried() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let m = server
        .mock("POST", "/api/v3.0/expense/reports")
        .with_status(503)
        .expect(1)
        .create_async()
        .await;
    let (client, _) = client_with_token(&url);
    let err = client
        .raw()
        .post("api/v3.0/expense/reports")
        .json(&serde_json::json!({"Name": "New"}))
        .unwrap()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Server { attempts: 1, .. }), "{err:?}");
    m.assert_async().await;
}

#[tokio::test]
async fn ten_concurrent_401s_cause_exactly_one_refresh() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let refresh = server
        .mock("POST", "/oauth2/v0/token")
        .match_body(Matcher::UrlEncoded("refresh_token".into(), "rt-1".into()))
        .with_body(token_body("acc-2", Some("rt-2"), &url, "3600"))
        .expect(1)
        .create_async()
        .await;
    let old = server
        .mock(
            "GET",
            Matcher::Regex(r"^/api/v3\.0/expense/reports/R\d+$".into()),
        )
        .match_header("authorization", "Bearer acc-1")
        .with_status(401)
        .expect(10)
        .create_async()
        .await;
    let new = server
        .mock(
            "GET",
            Matcher::Regex(r"^/api/v3\.0/expense/reports/R\d+$".into()),
        )
        .match_header("authorization", "Bearer acc-2")
        .with_body(r#"{"ID":"ok"}"#)
        .expect(10)
        .create_async()
        .await;
    let (client, store) = client_with_token(&url);
    // Take the token once so all ten start with acc-1.
    client.authenticate().await.unwrap();
    let calls = (0..10).map(|i| {
        let c = client.clone();
        tokio::spawn(async move { c.expense().reports().get(format!("R{i}")).send().await })
    });
    for r in join_all(calls).await {
        assert_eq!(r.unwrap().unwrap().id, "ok");
    }
    assert_eq!(client.metrics().token_refreshes(), 1);
    assert_eq!(store.save_count(), 1);
    refresh.assert_async().await;
    old.assert_async().await;
    new.assert_async().await;
}

#[tokio::test]
async fn v3_403_refreshes_once_then_is_a_permission_error() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let refresh = server
        .mock("POST", "/oauth2/v0/token")
        .with_body(token_body("acc-2", Some("rt-2"), &url, "3600"))
        .expect(1)
        .create_async()
        .await;
    let api = server
        .mock("GET", "/api/v3.0/expense/reports")
        .match_query(Matcher::UrlEncoded("user".into(), "ALL".into()))
        .with_status(403)
        .with_body(r#"{"Error":{"Message":"Forbidden Request","Server-Time":"2019-03-12T07:56:32","Id":"65F6"}}"#)
        .expect(2)
        .create_async()
        .await;
    let (client, _) = client_with_token(&url);
    let err = client
        .expense()
        .reports()
        .list()
        .user_all()
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::Permission { api_group, detail } => {
            assert_eq!(*api_group, "Expense v3");
            assert_eq!(detail.message.as_deref(), Some("Forbidden Request"));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("Expense v3"));
    refresh.assert_async().await;
    api.assert_async().await;
}

#[tokio::test]
async fn every_request_carries_accept_json_language_and_user_agent() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let ua = Matcher::Regex(format!("^concur-client/{}$", env!("CARGO_PKG_VERSION")));
    let token = server
        .mock("POST", "/oauth2/v0/token")
        .match_header("accept", "application/json")
        .match_header("accept-language", "fr-CA")
        .match_header("user-agent", ua.clone())
        .with_body(token_body("acc-1", Some("rt-1"), &url, "3600"))
        .expect(1)
        .create_async()
        .await;
    let api = server
        .mock("GET", "/api/v3.0/expense/entries")
        .match_header("accept", "application/json")
        .match_header("accept-language", "fr-CA")
        .match_header("user-agent", ua)
        .with_body(r#"{"Items":[]}"#)
        .expect(1)
        .create_async()
        .await;
    let client = builder(&url)
        .accept_language("fr-CA")
        .grant(concur_client::Grant::ClientCredentials)
        .build()
        .unwrap();
    client.expense().entries().list().send().await.unwrap();
    token.assert_async().await;
    api.assert_async().await;
}

#[tokio::test]
async fn base_url_prefix_is_kept_for_token_and_api_calls() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let prefixed = format!("{url}/concur/");
    let token = server
        .mock("POST", "/concur/oauth2/v0/token")
        .with_body(token_body(
            "acc-1",
            Some("rt-1"),
            &format!("{url}/concur"),
            "3600",
        ))
        .expect(1)
        .create_async()
        .await;
    let api = server
        .mock("GET", "/concur/api/v3.0/expense/allocations?entryID=E1")
        .with_body(r#"{"Items":[]}"#)
        .expect(1)
        .create_async()
        .await;
    let client = builder(&prefixed)
        .grant(concur_client::Grant::ClientCredentials)
        .build()
        .unwrap();
    client
        .expense()
        .allocations()
        .list()
        .entry_id("E1")
        .send()
        .await
        .unwrap();
    token.assert_async().await;
    api.assert_async().await;
}

#[tokio::test]
async fn query_values_and_path_ids_are_percent_encoded() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let list = server
        .mock(
            "GET",
            "/api/v3.0/expense/reports?limit=50&user=ada%2Btest%40example.com&approvalStatusCode=A_APPR%2CA_PEND",
        )
        .with_body(r#"{"Items":[]}"#)
        .expect(1)
        .create_async()
        .await;
    let one = server
        .mock("GET", "/api/v3.0/expense/entries/gWidFO7ikXV66iSvqtG6Yd0wZ%24s4ftzvzTCg?user=ada%2Btest%40example.com")
        .with_body(fixture("expense-v3-entries-get.json"))
        .expect(1)
        .create_async()
        .await;
    let (client, _) = client_with_token(&url);
    client
        .expense()
        .reports()
        .list()
        .limit(50)
        .user("ada+test@example.com")
        .approval_status_code("A_APPR,A_PEND")
        .send()
        .await
        .unwrap();
    let e = client
        .expense()
        .entries()
        .get("gWidFO7ikXV66iSvqtG6Yd0wZ$s4ftzvzTCg")
        .user("ada+test@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(e.id, "gWidFO7ikXV66iSvqtG6Yd0wZ$s4ftzvzTCg");
    list.assert_async().await;
    one.assert_async().await;
}

#[tokio::test]
async fn raw_escape_hatch_and_not_found() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    server
        .mock("GET", "/api/v3.2/common/connectionrequests?limit=5")
        .match_header("authorization", "Bearer acc-1")
        .with_body(r#"{"Items":[{"ID":"c1"}],"NextPage":null}"#)
        .create_async()
        .await;
    server
        .mock("GET", "/api/v3.0/expense/reports/NOPE")
        .with_status(404)
        .with_body(r#"{"Error":{"Message":"Report not found","Id":"X"}}"#)
        .create_async()
        .await;
    let (client, _) = client_with_token(&url);
    let v: serde_json::Value = client
        .raw()
        .get("/api/v3.2/common/connectionrequests")
        .query("limit", "5")
        .send_json()
        .await
        .unwrap();
    assert_eq!(v["Items"][0]["ID"], "c1");
    let err = client
        .expense()
        .reports()
        .get("NOPE")
        .send()
        .await
        .unwrap_err();
    match err {
        Error::NotFound(d) => assert_eq!(d.message.as_deref(), Some("Report not found")),
        other => panic!("{other:?}"),
    }
    let err = client
        .expense()
        .reports()
        .get("R")
        .user("ALL")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)));
    let err = client
        .expense()
        .reports()
        .list()
        .limit(101)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)));
}

#[tokio::test]
async fn connection_errors_are_retried_then_reported() {
    // A port nobody listens on (bind then drop).
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let (client, _) = client_with_token(&base);
    let err = client.expense().reports().list().send().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    let s = client.metrics().snapshot();
    assert_eq!((s.calls, s.retries), (4, 3));
}

#[tokio::test]
async fn pinned_proxy_base_rewrites_next_page_links() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let p1 = server
        .mock("GET", "/concur/api/v3.0/expense/reports")
        .with_body(v3_reports_page(
            &["R1"],
            Some("https://us.api.concursolutions.com/api/v3.0/expense/reports?offset=2&user=ALL"),
        ))
        .expect(1)
        .create_async()
        .await;
    let p2 = server
        .mock("GET", "/concur/api/v3.0/expense/reports?offset=2&user=ALL")
        .with_body(v3_reports_page(&["R2"], None))
        .expect(1)
        .create_async()
        .await;
    let store = std::sync::Arc::new(concur_client::MemoryTokenStore::with_token(record(
        "https://us.api.concursolutions.com",
        "acc-1",
        None,
        3600,
    )));
    let client = builder(&format!("{url}/concur/"))
        .base_url_policy(concur_client::BaseUrlPolicy::Pinned)
        .token_store(store)
        .build()
        .unwrap();
    let ids: Vec<String> = futures::TryStreamExt::try_collect(futures::TryStreamExt::map_ok(
        client.expense().reports().list().stream(),
        |r| r.id,
    ))
    .await
    .unwrap();
    assert_eq!(ids, ["R1", "R2"]);
    p1.assert_async().await;
    p2.assert_async().await;
}

#[tokio::test]
async fn client_side_rate_limit_is_shared_by_all_calls() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let m = server
        .mock(
            "GET",
            Matcher::Regex(r"^/api/v3\.0/expense/reports/R\d$".into()),
        )
        .with_body(r#"{"ID":"R"}"#)
        .expect(5)
        .create_async()
        .await;
    let store = std::sync::Arc::new(concur_client::MemoryTokenStore::with_token(record(
        &url, "acc-1", None, 3600,
    )));
    let client = builder(&url)
        .rate_limit_per_second(4)
        .token_store(store)
        .build()
        .unwrap();
    let start = Instant::now();
    let calls = (0..5).map(|i| {
        let c = client.clone();
        tokio::spawn(async move { c.expense().reports().get(format!("R{i}")).send().await })
    });
    for r in join_all(calls).await {
        r.unwrap().unwrap();
    }
    // 4 per second: a burst of 4, then the 5th waits about 250 ms.
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
    m.assert_async().await;
}
