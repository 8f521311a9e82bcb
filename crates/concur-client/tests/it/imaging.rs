//! Imaging endpoints against mockito, including the expired-image-URL refetch.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use concur_client::Error;
use concur_client::models::imaging::ImageKind;
use concur_client::models::receipt::ImageOnlyReceipt;
use concur_client::{ErrorKind, PaginationErrorReason};
use futures::StreamExt;
use mockito::Matcher;

use crate::family_mock::{BEARER, client, fixture};

fn image_xml(url: &str) -> String {
    format!(
        r#"<Image xmlns="http://www.concursolutions.com/api/image/2011/02" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
  <Id>A2C40CEE415B43B2A0BE</Id>
  <Url>{}</Url>
</Image>"#,
        url.replace('&', "&amp;")
    )
}

#[tokio::test]
async fn image_v1_url_is_xml_and_unescaped() {
    let mut server = mockito::Server::new_async().await;
    let m = server
        .mock("GET", "/api/image/v1.0/expenseentry/gWent%24ry1")
        .match_header("authorization", BEARER)
        .match_header("accept", "application/xml")
        .with_header("content-type", "application/xml")
        .with_body(fixture("image-v1-get-expenseentry-url-response.xml"))
        .expect(1)
        .create_async()
        .await;
    let img = client(&server)
        .imaging()
        .image_url(ImageKind::ExpenseEntry, "gWent$ry1")
        .await
        .unwrap()
        .unwrap();
    m.assert_async().await;
    assert_eq!(img.id.as_deref(), Some("A2C40CEE415B43B2A0BE"));
    assert_eq!(
        img.url.unwrap().as_str(),
        "https://api.example.com/getImage?cid=able999999&val=F9B35244G86"
    );
}

#[tokio::test]
async fn no_image_is_none_not_an_error() {
    let mut server = mockito::Server::new_async().await;
    let _not_found = server
        .mock("GET", "/api/image/v1.0/receipt/NOIMG")
        .with_status(404)
        .with_body(r#"<Error><Message>Not found</Message></Error>"#)
        .create_async()
        .await;
    let _empty = server
        .mock("GET", "/api/image/v1.0/invoice/PR1")
        .with_body(fixture("image-v1-post-receipt-response.xml"))
        .create_async()
        .await;
    let c = client(&server);
    assert_eq!(
        c.imaging()
            .image_url(ImageKind::Receipt, "NOIMG")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        c.imaging()
            .download(ImageKind::Receipt, "NOIMG")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        c.imaging()
            .image_url(ImageKind::Invoice, "PR1")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        c.imaging()
            .download(ImageKind::Invoice, "PR1")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn expired_image_url_asks_for_a_fresh_url_once() {
    let mut server = mockito::Server::new_async().await;
    let base = server.url();
    let calls = Arc::new(AtomicUsize::new(0));
    let calls2 = calls.clone();
    let url_mock = server
        .mock("GET", "/api/image/v1.0/report/RPT1")
        .match_header("authorization", BEARER)
        .with_body_from_request(move |_| {
            let n = calls2.fetch_add(1, Ordering::SeqCst) + 1;
            image_xml(&format!("{base}/img/RPT1.pdf?sig={n}&exp=900")).into_bytes()
        })
        .expect(2)
        .create_async()
        .await;
    let expired = server
        .mock("GET", "/img/RPT1.pdf")
        .match_query(Matcher::UrlEncoded("sig".into(), "1".into()))
        .match_header("authorization", Matcher::Missing)
        .with_status(403)
        .with_body("<Error>AccessDenied: Request has expired</Error>")
        .expect(1)
        .create_async()
        .await;
    let fresh = server
        .mock("GET", "/img/RPT1.pdf")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("sig".into(), "2".into()),
            Matcher::UrlEncoded("exp".into(), "900".into()),
        ]))
        .match_header("authorization", Matcher::Missing)
        .with_header("content-type", "application/pdf")
        .with_body(b"%PDF-1.4 fake report".as_slice())
        .expect(1)
        .create_async()
        .await;
    let data = client(&server)
        .imaging()
        .download(ImageKind::Report, "RPT1")
        .await
        .unwrap()
        .unwrap();
    url_mock.assert_async().await;
    expired.assert_async().await;
    fresh.assert_async().await;
    assert_eq!(data.bytes, b"%PDF-1.4 fake report");
    assert_eq!(data.content_type.as_deref(), Some("application/pdf"));
    assert_eq!(data.extension(), "pdf");
}

#[tokio::test]
async fn a_second_refusal_is_an_error_after_exactly_two_url_calls() {
    let mut server = mockito::Server::new_async().await;
    let base = server.url();
    let url_mock = server
        .mock("GET", "/api/image/v1.0/receipt/IMG1")
        .with_body(image_xml(&format!("{base}/img/IMG1.png?sig=x")))
        .expect(2)
        .create_async()
        .await;
    let img = server
        .mock("GET", "/img/IMG1.png")
        .match_query(Matcher::Any)
        .with_status(404)
        .expect(2)
        .create_async()
        .await;
    let err = client(&server)
        .imaging()
        .download(ImageKind::Receipt, "IMG1")
        .await
        .unwrap_err();
    url_mock.assert_async().await;
    img.assert_async().await;
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn download_from_an_untrusted_host_is_refused() {
    let mut server = mockito::Server::new_async().await;
    let _m = server
        .mock("GET", "/api/image/v1.0/receipt/IMG2")
        .with_body(image_xml("http://images.evil.test/x.png?a=1"))
        .create_async()
        .await;
    let err = client(&server)
        .imaging()
        .download(ImageKind::Receipt, "IMG2")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UntrustedBaseUrl { .. }), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Auth);
}

#[tokio::test]
async fn receipt_images_v3_list_and_get() {
    let mut server = mockito::Server::new_async().await;
    let list = server
        .mock("GET", "/api/v3.0/expense/receiptimages")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("user".into(), "ada.testperson@example.com".into()),
            Matcher::UrlEncoded("limit".into(), "25".into()),
        ]))
        .match_header("authorization", BEARER)
        .with_body(fixture("expense-v3-receiptimages-list.json"))
        .expect(1)
        .create_async()
        .await;
    let get = server
        .mock(
            "GET",
            "/api/v3.0/expense/receiptimages/SampleReceiptImageId2",
        )
        .match_header("accept", "application/xml")
        .with_body(fixture("image-v3-receiptimages-get.xml"))
        .expect(1)
        .create_async()
        .await;
    let c = client(&server);
    let page = c
        .imaging()
        .receipt_images()
        .user("ada.testperson@example.com")
        .limit(25)
        .send()
        .await
        .unwrap();
    list.assert_async().await;
    assert_eq!(page.items.len(), 3);
    assert!(!page.has_next());
    let img = c
        .imaging()
        .receipt_image_url(&page.items[1].id)
        .await
        .unwrap()
        .unwrap();
    get.assert_async().await;
    assert_eq!(
        img.url.unwrap().host_str(),
        Some("imagingupload.concursolutions.com")
    );
}

#[tokio::test]
async fn receipts_v4_get_and_user_list() {
    let mut server = mockito::Server::new_async().await;
    let one = serde_json::json!({
        "dateTimeReceived": "2016-09-28T21:41:21.087Z", "id": "85b76a2bf51a4ed7b8b252994d7d9e2b", "image": "",
        "receipt": {"total": "112.71", "currencyCode": "USD", "seller": {"name": "ACME Corporation"}},
        "userId": "08bdda1e-0d4f-4261-9f1b-f9b8d9f817d6",
        "validationSchema": "http://schema.concursolutions.com/car-rental-receipt.schema.json"
    });
    let get = server
        .mock("GET", "/receipts/v4/85b76a2bf51a4ed7b8b252994d7d9e2b")
        .match_header("authorization", BEARER)
        .with_body(one.to_string())
        .expect(1)
        .create_async()
        .await;
    let list = server
        .mock(
            "GET",
            "/receipts/v4/users/08bdda1e-0d4f-4261-9f1b-f9b8d9f817d6",
        )
        .match_header("authorization", BEARER)
        .with_body(serde_json::json!({"receipts": [one.clone(), one]}).to_string())
        .expect(1)
        .create_async()
        .await;
    let c = client(&server);
    let r = c
        .imaging()
        .receipt_v4("85b76a2bf51a4ed7b8b252994d7d9e2b")
        .await
        .unwrap();
    get.assert_async().await;
    assert_eq!(r.image, None);
    let doc = r.document().unwrap();
    assert_eq!(doc.total, Some(rust_decimal_macros::dec!(112.71)));
    assert_eq!(
        doc.seller.unwrap().name.as_deref(),
        Some("ACME Corporation")
    );
    let all = c
        .imaging()
        .user_receipts_v4("08bdda1e-0d4f-4261-9f1b-f9b8d9f817d6")
        .await
        .unwrap();
    list.assert_async().await;
    assert_eq!(all.receipts.len(), 2);
}

#[tokio::test]
async fn image_only_receipts_follow_next_and_stop_on_a_repeated_link() {
    let mut server = mockito::Server::new_async().await;
    let next = format!(
        "{}/receipts/v4/users/U1/image-only-receipts/page/2",
        server.url()
    );
    let item = |id: &str| {
        serde_json::json!({"id": id, "userId": "U1", "dateTimeReceived": "Wed May 24 2017 16:14:17 GMT+00:00",
                           "image": format!("https://us.api.concursolutions.com/receipts/v4/image-only-receipts/{id}/image")})
    };
    let p1 = server
        .mock("GET", "/receipts/v4/users/U1/image-only-receipts")
        .match_header("authorization", BEARER)
        .with_body(
            serde_json::json!({"receiptsImages": [item("r1"), item("r2")], "next": next})
                .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    // page 2 points at itself: the paginator must stop with an error instead of looping
    let p2 = server
        .mock("GET", "/receipts/v4/users/U1/image-only-receipts/page/2")
        .match_header("authorization", BEARER)
        .with_body(serde_json::json!({"receiptsImages": [item("r3")], "next": next}).to_string())
        .expect(1)
        .create_async()
        .await;
    let items: Vec<Result<ImageOnlyReceipt, Error>> = client(&server)
        .imaging()
        .image_only_receipts("U1")
        .stream()
        .collect()
        .await;
    p1.assert_async().await;
    p2.assert_async().await;
    assert_eq!(items.len(), 4);
    let ids: Vec<String> = items
        .iter()
        .take(3)
        .map(|r| r.as_ref().unwrap().id.clone())
        .collect();
    assert_eq!(ids, ["r1", "r2", "r3"]);
    assert_eq!(
        items[0]
            .as_ref()
            .unwrap()
            .date_time_received
            .unwrap()
            .to_rfc3339(),
        "2017-05-24T16:14:17+00:00"
    );
    match &items[3] {
        Err(Error::Pagination { reason, .. }) => {
            assert_eq!(*reason, PaginationErrorReason::RepeatedCursor)
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn spend_document_receipt_get() {
    let mut server = mockito::Server::new_async().await;
    let m = server
        .mock(
            "GET",
            "/spend-documents/v4/receipts/4d3a8d80-0f93-4b0b-bed1-2724a354858c",
        )
        .match_header("authorization", BEARER)
        .with_body(fixture("spenddocs-v4-receipt-get.json"))
        .expect(1)
        .create_async()
        .await;
    let d = client(&server)
        .imaging()
        .spend_document_receipt("4d3a8d80-0f93-4b0b-bed1-2724a354858c")
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(d.metadata.id, "4d3a8d80-0f93-4b0b-bed1-2724a354858c");
    assert_eq!(d.documents[0].representation, "display");
}

#[tokio::test]
async fn download_url_without_refetch() {
    let mut server = mockito::Server::new_async().await;
    let ok = server
        .mock("GET", "/img/direct.jpg")
        .match_query(Matcher::UrlEncoded("sig".into(), "ok".into()))
        .match_header("authorization", Matcher::Missing)
        .with_header("content-type", "image/jpeg")
        .with_body([0xFF, 0xD8, 0xFF, 0xE0].as_slice())
        .expect(1)
        .create_async()
        .await;
    let expired = server
        .mock("GET", "/img/direct.jpg")
        .match_query(Matcher::UrlEncoded("sig".into(), "old".into()))
        .with_status(403)
        .expect(1)
        .create_async()
        .await;
    let c = client(&server);
    let url = url::Url::parse(&format!("{}/img/direct.jpg?sig=ok", server.url())).unwrap();
    let img = c.imaging().download_url(&url).await.unwrap();
    assert_eq!((img.bytes.len(), img.extension()), (4, "jpg"));
    let old = url::Url::parse(&format!("{}/img/direct.jpg?sig=old", server.url())).unwrap();
    let err = c.imaging().download_url(&old).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Permission {
                api_group: "Imaging",
                ..
            }
        ),
        "{err:?}"
    );
    ok.assert_async().await;
    expired.assert_async().await;
}
