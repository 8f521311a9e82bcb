//! Bad records from a mock Concur: counted and reported, the rest of the run unaffected.

use std::sync::Arc;

use chrono::{NaiveDate, TimeDelta};
use concur_client::{Client, Credentials, Grant, RetryConfig};
use concur_discovery::{ConcurSource, ConcurSourceConfig};
use mockito::Matcher as M;
use saas_catalog::{Catalog, Matcher, Rules};
use saas_discovery::testing::CollectingSink;
use saas_discovery::{CancellationSignal, DiscoverySource, RunStatus};

fn entry(
    id: &str,
    vendor: serde_json::Value,
    amount: serde_json::Value,
    currency: &str,
    date: &str,
) -> serde_json::Value {
    serde_json::json!({
        "ID": id, "ReportID": "R1", "ReportOwnerID": "ada.testperson@example.com",
        "ExpenseTypeName": "Software", "PaymentTypeName": "Company Card",
        "TransactionDate": date, "TransactionAmount": amount, "TransactionCurrencyCode": currency,
        "ExchangeRate": 1, "PostedAmount": 0, "VendorDescription": vendor,
        "Description": "monthly subscription", "IsPersonal": false, "HasItemizations": false
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_records_are_counted_and_the_rest_flows() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let _token = server
        .mock("POST", "/oauth2/v0/token")
        .with_body(
            serde_json::json!({"access_token":"acc","token_type":"Bearer","expires_in":3600,
                "refresh_token":"rt","scope":"x","geolocation": url})
            .to_string(),
        )
        .create_async()
        .await;
    let report = serde_json::json!({"Items":[{
        "ID":"R1","Name":"Software","Total": 30.0,"CurrencyCode":"USD",
        "OwnerLoginID":"ada.testperson@example.com","OwnerName":"Ada Testperson",
        "ApprovalStatusCode":"A_APPR","ApprovalStatusName":"Approved",
        "LastModifiedDate":"2026-11-01T10:00:00"}],"NextPage":null});
    let _reports = server
        .mock("GET", "/api/v3.0/expense/reports")
        .match_query(M::UrlEncoded("user".into(), "ALL".into()))
        .with_body(report.to_string())
        .create_async()
        .await;
    let big = "ZOOM.US ".repeat(1300);
    let mut good = entry(
        "E-good",
        "ZOOM.US 888-799-9666".into(),
        30.into(),
        "USD",
        "2026-10-04T00:00:00",
    );
    good["PostedAmount"] = 30.into();
    let entries = serde_json::json!({"Items":[
        good,
        entry("E-novendor", serde_json::Value::Null, 12.into(), "USD", "2026-10-05T00:00:00"),
        entry("E-badcur", "SLACK T0123".into(), 8.into(), "XQZ", "2026-10-05T00:00:00"),
        entry("E-zero", "FIGMA".into(), 0.into(), "USD", "2026-10-05T00:00:00"),
        entry("E-olddate", "NOTION".into(), 10.into(), "USD", "1899-01-01T00:00:00"),
        entry("E-future", "NOTION".into(), 10.into(), "USD", "2999-01-01T00:00:00"),
        entry("E-big", big.into(), 5.into(), "USD", "2026-10-06T00:00:00"),
        entry("E-undecodable", "ASANA".into(), "not-a-number".into(), "USD", "2026-10-06T00:00:00"),
    ],"NextPage":null});
    let _entries = server
        .mock("GET", "/api/v3.0/expense/entries")
        .match_query(M::AllOf(vec![
            M::UrlEncoded("reportID".into(), "R1".into()),
            M::UrlEncoded("user".into(), "ada.testperson@example.com".into()),
        ]))
        .with_body(entries.to_string())
        .create_async()
        .await;
    let _other = server
        .mock(
            "GET",
            M::Regex("^/(api/v3.0/(invoice|common)|profile)".into()),
        )
        .with_status(404)
        .with_body(r#"{"Error":{"Message":"Not Found"}}"#)
        .create_async()
        .await;

    let client = Client::builder()
        .base_url(&url)
        .credentials(Credentials::new("id", "secret"))
        .grant(Grant::password("ada.testperson@example.com", "pw"))
        .retry(RetryConfig::none())
        .build()
        .unwrap();
    let matcher = Arc::new(Matcher::new(Catalog::builtin().unwrap(), Rules::empty()).unwrap());
    let now = NaiveDate::from_ymd_opt(2026, 11, 15)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let cfg = ConcurSourceConfig::new("mock")
        .with_crawl_start(now)
        .with_lookback(TimeDelta::days(30))
        .with_window(TimeDelta::days(30));
    let src = ConcurSource::new(client, matcher, cfg).unwrap();
    let mut sink = CollectingSink::with_source(src.document_source());
    let out = src
        .discover(None, CancellationSignal::new(), &mut sink)
        .await
        .unwrap();
    let s = &out.stats;
    let codes: Vec<(&str, Option<&str>)> = s
        .warnings
        .iter()
        .map(|w| (w.code.as_str(), w.record.as_deref()))
        .collect();
    eprintln!("{codes:#?}");
    // the good entry flows
    let costs: Vec<_> = sink.costs().values().collect();
    assert!(
        costs
            .iter()
            .any(|c| c.service_id.as_str() == "zoom"
                && c.source.entry_id.as_deref() == Some("E-good"))
    );
    assert_eq!(s.entries_read, 7, "7 decoded entries");
    // undecodable amount: skipped by the client, counted as a decode error + coverage warning
    // bad currency, two absurd dates: decode errors
    assert_eq!(s.decode_errors, 4);
    assert!(codes.contains(&("invalid_currency", Some("report R1 entry E-badcur"))));
    assert!(codes.contains(&("invalid_date", Some("report R1 entry E-olddate"))));
    assert!(codes.contains(&("invalid_date", Some("report R1 entry E-future"))));
    assert!(codes.contains(&("zero_amount", Some("report R1 entry E-zero"))));
    assert!(codes.contains(&("missing_vendor", Some("report R1 entry E-novendor"))));
    assert!(codes.contains(&("oversized_field", Some("report R1 entry E-big"))));
    assert!(
        codes
            .iter()
            .any(|(c, r)| *c == "decode_error" && *r == Some("report R1"))
    );
    // the 10 kB descriptor is cut, not dropped
    let big_cost = costs
        .iter()
        .find(|c| c.source.entry_id.as_deref() == Some("E-big"));
    if let Some(c) = big_cost {
        assert!(c.vendor_descriptor.as_ref().unwrap().len() <= 256);
    }
    assert_eq!(out.status, RunStatus::Partial);
    let doc = sink.document(chrono::Utc::now()).unwrap();
    doc.validate().unwrap();
}
