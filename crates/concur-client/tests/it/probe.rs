//! The permission probe on mocks: Invoice answers 403, Imaging 404, the others 200.

use concur_client::probe::{ApiGroup, ProbeOutcome};
use mockito::Matcher;

use crate::family_mock::{BEARER, client, fixture};

async fn ok(server: &mut mockito::ServerGuard, path: &str, body: &str) -> mockito::Mock {
    server
        .mock("GET", path)
        .match_query(Matcher::Any)
        .match_header("authorization", BEARER)
        .with_body(body)
        .expect(1)
        .create_async()
        .await
}

#[tokio::test]
async fn invoice_403_imaging_404_others_granted() {
    let mut server = mockito::Server::new_async().await;
    let exp = server
        .mock("GET", "/api/v3.0/expense/reports")
        .match_query(Matcher::UrlEncoded("limit".into(), "1".into()))
        .match_header("authorization", BEARER)
        .with_body(r#"{"Items":[],"NextPage":null}"#)
        .expect(1)
        .create_async()
        .await;
    let inv = server
        .mock("GET", "/api/v3.0/invoice/paymentrequestdigests")
        .match_query(Matcher::UrlEncoded("limit".into(), "1".into()))
        .with_status(403)
        .with_body(fixture("invoice-v3-salestaxvalidationrequest-error.json"))
        .expect(1)
        .create_async()
        .await;
    let img = server
        .mock("GET", "/api/v3.0/expense/receiptimages")
        .match_query(Matcher::Any)
        .with_status(404)
        .expect(1)
        .create_async()
        .await;
    // the Image v1 fallback: a bare 404 (no Concur error body) keeps "unavailable"
    let img_v1 = server
        .mock(
            "GET",
            "/api/image/v1.0/receipt/concur-client-permission-probe",
        )
        .with_status(404)
        .expect(1)
        .create_async()
        .await;
    let lists = ok(
        &mut server,
        "/list/v4/lists",
        &fixture("list-v4-category-lists-list.json"),
    )
    .await;
    let users = ok(
        &mut server,
        "/profile/identity/v4/Users",
        r#"{"schemas":[],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}"#,
    )
    .await;

    let report = client(&server).probe_permissions().await;
    for m in [exp, inv, img, img_v1, lists, users] {
        m.assert_async().await;
    }
    assert_eq!(report.results.len(), 5);
    assert!(!report.all_granted());
    assert!(report.get(ApiGroup::ExpenseReport).unwrap().is_granted());
    assert!(report.get(ApiGroup::ListItems).unwrap().is_granted());
    assert!(report.get(ApiGroup::Users).unwrap().is_granted());

    let invoice = report.get(ApiGroup::Invoice).unwrap();
    assert_eq!(invoice.status, Some(403));
    assert_eq!(
        invoice.endpoint,
        "GET /api/v3.0/invoice/paymentrequestdigests"
    );
    match &invoice.outcome {
        ProbeOutcome::Missing {
            message,
            admin_step,
            ..
        } => {
            assert!(message.as_deref().unwrap().contains("Forbidden Request"));
            assert!(
                admin_step.contains("Invoice Report - Add, Approve, or Update Invoice Reports")
            );
            assert!(admin_step.contains("Invoice Processor"));
            assert!(admin_step.contains("Administration > Company > Web Services"));
        }
        other => panic!("{other:?}"),
    }
    let imaging = report.get(ApiGroup::Imaging).unwrap();
    assert_eq!(imaging.status, Some(404));
    assert!(
        matches!(imaging.outcome, ProbeOutcome::Unavailable { .. }),
        "{:?}",
        imaging.outcome
    );
    let labels: Vec<&str> = report.results.iter().map(|r| r.outcome.label()).collect();
    assert_eq!(
        labels,
        ["granted", "missing", "unavailable", "granted", "granted"]
    );
    let not: Vec<ApiGroup> = report.not_granted().map(|r| r.group).collect();
    assert_eq!(not, [ApiGroup::Invoice, ApiGroup::Imaging]);
}

#[tokio::test]
async fn fallbacks_named_scopes_product_not_enabled_and_bad_envelopes() {
    let mut server = mockito::Server::new_async().await;
    // Expense: 200 but not a v3 envelope -> error, not granted
    let _exp = ok(
        &mut server,
        "/api/v3.0/expense/reports",
        r#"{"unexpected": true}"#,
    )
    .await;
    // Invoice: product not enabled -> unavailable
    let _inv = server
        .mock("GET", "/api/v3.0/invoice/paymentrequestdigests")
        .match_query(Matcher::Any)
        .with_status(403)
        .with_body(r#"{"Error":{"Message":"Invoice is not enabled for this company","Server-Time":"2019-03-12T07:56:32","Id":"X"}}"#)
        .create_async()
        .await;
    // Imaging: 403 naming the legacy scope
    let _img = server
        .mock("GET", "/api/v3.0/expense/receiptimages")
        .match_query(Matcher::Any)
        .with_status(403)
        .with_body(r#"{"Error":{"Message":"Missing scope IMAGE","Server-Time":"2019-03-12T07:56:32","Id":"Y"}}"#)
        .create_async()
        .await;
    // Lists: v4 404 -> v3 granted
    let _l4 = server
        .mock("GET", "/list/v4/lists")
        .match_query(Matcher::Any)
        .with_status(404)
        .create_async()
        .await;
    let l3 = ok(
        &mut server,
        "/api/v3.0/common/lists",
        r#"{"Items":[],"NextPage":null}"#,
    )
    .await;
    // Users: both 404 -> unavailable
    let _u4 = server
        .mock("GET", "/profile/identity/v4/Users")
        .match_query(Matcher::Any)
        .with_status(404)
        .create_async()
        .await;
    let _u3 = server
        .mock("GET", "/api/v3.0/common/users")
        .match_query(Matcher::Any)
        .with_status(404)
        .create_async()
        .await;

    let report = client(&server).probe_permissions().await;
    l3.assert_async().await;
    let exp = report.get(ApiGroup::ExpenseReport).unwrap();
    assert!(
        matches!(exp.outcome, ProbeOutcome::Error { .. }),
        "{:?}",
        exp.outcome
    );
    let inv = report.get(ApiGroup::Invoice).unwrap();
    assert!(
        matches!(inv.outcome, ProbeOutcome::Unavailable { .. }),
        "{:?}",
        inv.outcome
    );
    match &report.get(ApiGroup::Imaging).unwrap().outcome {
        ProbeOutcome::Missing { concur_named, .. } => {
            assert_eq!(concur_named.as_deref(), Some("IMAGE"))
        }
        other => panic!("{other:?}"),
    }
    let lists = report.get(ApiGroup::ListItems).unwrap();
    assert!(lists.is_granted());
    assert_eq!(lists.endpoint, "GET /api/v3.0/common/lists");
    let users = report.get(ApiGroup::Users).unwrap();
    assert!(matches!(users.outcome, ProbeOutcome::Unavailable { .. }));
    assert_eq!(ApiGroup::ListItems.to_string(), "List Items");
}

#[tokio::test]
async fn imaging_falls_back_to_image_v1_and_grant_messages_are_missing() {
    let mut server = mockito::Server::new_async().await;
    let _v3 = server
        .mock("GET", "/api/v3.0/expense/receiptimages")
        .match_query(Matcher::Any)
        .with_status(404)
        .create_async()
        .await;
    let v1 = server
        .mock("GET", "/api/image/v1.0/receipt/concur-client-permission-probe")
        .match_header("authorization", BEARER)
        .with_status(404)
        .with_body(r#"<Error><Message>Image not found</Message><Server-Time>2026-11-29T10:00:00</Server-Time><Id>Z</Id></Error>"#)
        .expect(1)
        .create_async()
        .await;
    let _inv = server
        .mock("GET", "/api/v3.0/invoice/paymentrequestdigests")
        .match_query(Matcher::Any)
        .with_status(403)
        .with_body(r#"{"Error":{"Message":"Forbidden: the company has not enabled the invoice API group for this application","Server-Time":"2026-11-29T10:00:00","Id":"Q"}}"#)
        .create_async()
        .await;
    let c = client(&server);
    let img = c.probe_group(ApiGroup::Imaging).await;
    v1.assert_async().await;
    assert!(img.is_granted(), "{:?}", img.outcome);
    assert_eq!(
        img.endpoint,
        "GET /api/image/v1.0/receipt/concur-client-permission-probe"
    );
    let inv = c.probe_group(ApiGroup::Invoice).await;
    assert!(
        matches!(inv.outcome, ProbeOutcome::Missing { .. }),
        "{:?}",
        inv.outcome
    );
}
