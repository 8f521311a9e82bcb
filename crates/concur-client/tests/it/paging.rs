//! Paging scenarios: NextPage verbatim, loop guards, trust rule, per-item decode errors.

use concur_client::{Error, PaginationErrorReason};
use futures::{StreamExt, TryStreamExt};
use mockito::Matcher;

use crate::util::*;

#[tokio::test]
async fn next_page_is_followed_verbatim_and_filters_survive_every_page() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let filters = || {
        vec![
            Matcher::UrlEncoded("user".into(), "ALL".into()),
            Matcher::UrlEncoded("modifiedDateAfter".into(), "2026-01-01T00:00:00.000".into()),
            Matcher::UrlEncoded("limit".into(), "2".into()),
        ]
    };
    let next1 = format!(
        "{url}/api/v3.0/expense/reports?user=ALL&modifiedDateAfter=2026-01-01T00%3A00%3A00.000&limit=2&offset=gW%24page2"
    );
    let next2 = format!(
        "{url}/api/v3.0/expense/reports?user=ALL&modifiedDateAfter=2026-01-01T00%3A00%3A00.000&limit=2&offset=gW%24page3"
    );
    let p1 = server
        .mock("GET", "/api/v3.0/expense/reports")
        .match_query(Matcher::AllOf(filters()))
        .with_body(v3_reports_page(&["R1", "R2"], Some(&next1)))
        .expect(1)
        .create_async()
        .await;
    let mut f2 = filters();
    f2.push(Matcher::UrlEncoded("offset".into(), "gW$page2".into()));
    let p2 = server
        .mock("GET", "/api/v3.0/expense/reports")
        .match_query(Matcher::AllOf(f2))
        .with_body(v3_reports_page(&["R3", "R4"], Some(&next2)))
        .expect(1)
        .create_async()
        .await;
    let mut f3 = filters();
    f3.push(Matcher::UrlEncoded("offset".into(), "gW$page3".into()));
    let p3 = server
        .mock("GET", "/api/v3.0/expense/reports")
        .match_query(Matcher::AllOf(f3))
        .with_body(v3_reports_page(&["R5"], None))
        .expect(1)
        .create_async()
        .await;
    let (client, _) = client_with_token(&url);
    let since = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let ids: Vec<String> = client
        .expense()
        .reports()
        .list()
        .user_all()
        .modified_after(since)
        .limit(2)
        .stream()
        .map_ok(|r| r.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["R1", "R2", "R3", "R4", "R5"]);
    p1.assert_async().await;
    p2.assert_async().await;
    p3.assert_async().await;

    // pages(): three pages, the last without a next cursor.
    let pages: Vec<_> = client
        .expense()
        .reports()
        .list()
        .user_all()
        .modified_after(since)
        .limit(2)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(),
        [2, 2, 1]
    );
    assert!(pages[0].has_next() && !pages[2].has_next());
}

#[tokio::test]
async fn a_repeating_next_page_stops_with_an_error() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let same = format!("{url}/api/v3.0/expense/entries?reportID=R1&offset=X");
    server
        .mock("GET", "/api/v3.0/expense/entries?reportID=R1")
        .with_body(serde_json::json!({"Items":[{"ID":"E1"}],"NextPage": same}).to_string())
        .expect(1)
        .create_async()
        .await;
    let again = server
        .mock("GET", "/api/v3.0/expense/entries?reportID=R1&offset=X")
        .with_body(serde_json::json!({"Items":[{"ID":"E2"}],"NextPage": same}).to_string())
        .expect(1)
        .create_async()
        .await;
    let (client, _) = client_with_token(&url);
    let results: Vec<_> = client
        .expense()
        .entries()
        .list()
        .report_id("R1")
        .stream()
        .collect()
        .await;
    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!(results[0].as_ref().unwrap().id, "E1");
    assert_eq!(results[1].as_ref().unwrap().id, "E2");
    match &results[2] {
        Err(Error::Pagination { reason, endpoint }) => {
            assert_eq!(*reason, PaginationErrorReason::RepeatedCursor);
            assert_eq!(endpoint, "GET /api/v3.0/expense/entries");
        }
        other => panic!("{other:?}"),
    }
    again.assert_async().await;
}

#[tokio::test]
async fn an_empty_page_with_a_next_link_is_an_error() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    server
        .mock("GET", "/api/v3.0/expense/itemizations")
        .with_body(serde_json::json!({"Items":[],"NextPage": format!("{url}/api/v3.0/expense/itemizations?offset=2")}).to_string())
        .expect(1)
        .create_async()
        .await;
    let (client, _) = client_with_token(&url);
    let err = client
        .expense()
        .itemizations()
        .list()
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Pagination {
                reason: PaginationErrorReason::EmptyPageWithNext,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_untrusted_next_page_is_refused_and_not_fetched() {
    let mut server = mockito::Server::new_async().await;
    let mut foreign = mockito::Server::new_async().await;
    let trap = foreign
        .mock("GET", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let url = server.url();
    server
        .mock("GET", "/api/v3.0/expense/reports")
        .with_body(v3_reports_page(
            &["R1"],
            Some(&format!(
                "{}/api/v3.0/expense/reports?offset=2",
                foreign.url()
            )),
        ))
        .create_async()
        .await;
    let (client, _) = client_with_token(&url);
    let results: Vec<_> = client.expense().reports().list().stream().collect().await;
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().id, "R1");
    assert!(
        matches!(
            &results[1],
            Err(Error::UntrustedBaseUrl {
                context: "next-page link",
                ..
            })
        ),
        "{:?}",
        results[1]
    );
    trap.assert_async().await;
}

#[tokio::test]
async fn a_broken_record_is_reported_and_the_rest_flow() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    server
        .mock("GET", "/api/v3.0/expense/entries")
        .with_body(
            r#"{"Items":[{"ID":"E1","TransactionAmount":10},{"ID":"E2","TransactionAmount":"ten"},{"ID":"E3","TransactionAmount":"30.5"}],"NextPage":null}"#,
        )
        .create_async()
        .await;
    let (client, _) = client_with_token(&url);
    let page = client.expense().entries().list().send().await.unwrap();
    assert_eq!(
        page.items.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["E1", "E3"]
    );
    assert_eq!(page.skipped.len(), 1);
    match &page.skipped[0] {
        Error::Decode { path, endpoint, .. } => {
            assert_eq!(path, "Items[1].TransactionAmount");
            assert_eq!(endpoint, "GET /api/v3.0/expense/entries");
        }
        other => panic!("{other:?}"),
    }
    let results: Vec<_> = client.expense().entries().list().stream().collect().await;
    assert_eq!(results.len(), 3);
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 2);
}

#[tokio::test]
async fn max_pages_stops_quietly_and_streams_are_static_send() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    server
        .mock("GET", "/api/v3.0/expense/reports")
        .with_body(v3_reports_page(
            &["R1"],
            Some(&format!("{url}/api/v3.0/expense/reports?offset=2")),
        ))
        .create_async()
        .await;
    let (client, _) = client_with_token(&url);
    let stream = client
        .expense()
        .reports()
        .list()
        .paginator()
        .max_pages(1)
        .stream();
    // 'static + Send: can be moved into a spawned task.
    let ids = tokio::spawn(async move { stream.map_ok(|r| r.id).try_collect::<Vec<_>>().await })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ids, ["R1"]);
}

#[tokio::test]
async fn v3_body_without_items_is_a_decode_error_not_zero_rows() {
    let mut server = mockito::Server::new_async().await;
    let _m = server
        .mock(
            "GET",
            mockito::Matcher::Regex("^/api/v3.0/expense/reports".into()),
        )
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(r#"{"content":[],"links":{}}"#)
        .create_async()
        .await;
    let (client, _store) = crate::util::client_with_token(&server.url());
    let err = client
        .expense()
        .reports()
        .list()
        .user_all()
        .send()
        .await
        .unwrap_err();
    match err {
        concur_client::Error::Decode { path, message, .. } => {
            assert_eq!(path, "Items");
            assert!(message.contains("no Items"), "{message}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}
