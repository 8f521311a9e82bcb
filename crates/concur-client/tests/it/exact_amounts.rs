//! Amounts with more significant digits than an `f64` holds (`12345678901234.5678`) or a scale
//! to keep (`0E-8`) arrive exactly through every list envelope and nested collection.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::family_mock::client;

const BIG: &str = "12345678901234.5678";

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// Invoice digests go through the strict v3 envelope decoder (`api/paging_ext.rs`).
#[tokio::test]
async fn invoice_digest_totals_are_exact_in_a_v3_page() {
    let mut server = mockito::Server::new_async().await;
    let _m = server
        .mock("GET", "/api/v3.0/invoice/paymentrequestdigests")
        .with_body(format!(
            r#"{{"Items":[{{"ID":"D1","Total":{BIG},"CurrencyCode":"USD"}},{{"ID":"D2","Total":0E-8}}],"PaymentRequestDigest":[],"TotalCount":2,"NextPage":null}}"#
        ))
        .create_async()
        .await;
    let page = client(&server)
        .invoice()
        .payment_request_digests()
        .paginator()
        .send()
        .await
        .unwrap();
    assert!(page.skipped.is_empty(), "{:?}", page.skipped);
    assert_eq!(page.total_count, Some(2));
    assert_eq!(page.items[0].total, Some(d(BIG)));
    assert_eq!(page.items[0].total.unwrap().to_string(), BIG);
    assert_eq!(page.items[1].total.unwrap().scale(), 8);
}

/// Line items and allocations sit in XML-style wrappers (`LineItems: {LineItem: [...]}`).
#[tokio::test]
async fn invoice_line_items_and_allocations_are_exact() {
    let mut server = mockito::Server::new_async().await;
    let _m = server
        .mock("GET", "/api/v3.0/invoice/paymentrequest/X")
        .with_body(format!(
            r#"{{"ID":"X","InvoiceAmount":{BIG},"LineItems":{{"LineItem":[
                {{"LineItemId":"L1","UnitPrice":{BIG},"TotalPrice":0.1,
                  "Allocations":{{"Allocation":{{"AllocationAmount":{BIG},"Percentage":100.00000000}}}}}}]}}}}"#
        ))
        .create_async()
        .await;
    let pr = client(&server)
        .invoice()
        .payment_request("X")
        .await
        .unwrap();
    assert_eq!(pr.invoice_amount.unwrap().to_string(), BIG);
    let li = &pr.line_items[0];
    assert_eq!(li.unit_price.unwrap().to_string(), BIG);
    assert_eq!(li.total_price, Some(d("0.1")));
    assert_eq!(
        li.allocations[0].allocation_amount.unwrap().to_string(),
        BIG
    );
    assert_eq!(
        li.allocations[0].percentage.unwrap().to_string(),
        "100.00000000"
    );
}
