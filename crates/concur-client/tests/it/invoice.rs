//! Invoice v3 endpoints against mockito: method, path, query, headers and decoded values.

use chrono::NaiveDate;
use concur_client::Error;
use concur_client::models::invoice::{InvoiceVendor, PaymentRequestDigest};
use futures::TryStreamExt;
use mockito::Matcher;
use rust_decimal_macros::dec;

use crate::family_mock::{BEARER, client, fixture};

fn q(k: &str, v: &str) -> Matcher {
    Matcher::UrlEncoded(k.into(), v.into())
}

#[tokio::test]
async fn payment_request_digests_filters_and_next_page() {
    let mut server = mockito::Server::new_async().await;
    let next = format!(
        "{}/api/v3.0/invoice/paymentrequestdigests?offset=gWqX%24abc&limit=2&approvalStatus=A_APPR",
        server.url()
    );
    let page1 = serde_json::json!({
        "Items": [
            {"ID": "D1", "URI": "https://x/D1", "PaymentRequestId": "PR1", "ApprovalStatusCode": "A_APPR",
             "PaymentStatusCode": "P_PAID", "CreateDate": "2024-01-05 10:11:12.0", "PaidDate": "2024-02-01",
             "CurrencyCode": "USD", "Total": "1234.50000000", "InvoiceNumber": "INV-1", "IsDeleted": "false",
             "OwnerLoginID": "ada.testperson@example.com", "OwnerName": "Ada Testperson", "VendorName": "Acme SaaS Inc"},
            {"ID": "D2", "PaymentRequestId": "PR2", "Total": "0.00000000", "CurrencyCode": "EUR", "IsDeleted": true,
             "VendorName": "Globex"}
        ],
        "PaymentRequestDigest": [],
        "TotalCount": 3,
        "NextPage": next
    });
    let m1 = server
        .mock("GET", "/api/v3.0/invoice/paymentrequestdigests")
        .match_query(Matcher::AllOf(vec![
            q("limit", "2"),
            q("approvalStatus", "A_APPR"),
            q("createDateAfter", "2024-01-01"),
        ]))
        .match_header("authorization", BEARER)
        .match_header("accept", "application/json")
        .with_header("content-type", "application/json")
        .with_body(page1.to_string())
        .expect(1)
        .create_async()
        .await;
    let m2 = server
        .mock("GET", "/api/v3.0/invoice/paymentrequestdigests")
        .match_query(Matcher::AllOf(vec![q("offset", "gWqX$abc"), q("limit", "2")]))
        .match_header("authorization", BEARER)
        .with_body(
            r#"{"Items":[{"ID":"D3","Total":"7.25","CurrencyCode":"USD","IsDeleted":"true"}],"TotalCount":3,"NextPage":null}"#,
        )
        .expect(1)
        .create_async()
        .await;

    let c = client(&server);
    let all: Vec<PaymentRequestDigest> = c
        .invoice()
        .payment_request_digests()
        .limit(2)
        .approval_status("A_APPR")
        .create_date_after(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap())
        .stream()
        .try_collect()
        .await
        .unwrap();
    m1.assert_async().await;
    m2.assert_async().await;
    assert_eq!(all.len(), 3);
    let d1 = &all[0];
    assert_eq!(d1.total, Some(dec!(1234.5)));
    assert_eq!(d1.total.unwrap().to_string(), "1234.50000000");
    assert_eq!(d1.is_deleted, Some(false));
    assert_eq!(d1.create_date.unwrap().to_string(), "2024-01-05 10:11:12");
    assert_eq!(d1.paid_date.unwrap().to_string(), "2024-02-01 00:00:00");
    assert_eq!(
        d1.owner_login_id.as_deref(),
        Some("ada.testperson@example.com")
    );
    assert_eq!(all[1].is_deleted, Some(true));
    assert_eq!(all[1].currency_code.as_deref(), Some("EUR"));
    assert_eq!(all[2].total, Some(dec!(7.25)));

    // send() gives the first page with its total count
    let page = c.invoice().payment_request_digests().limit(2).send().await;
    // (no mock for this query: the server answers 501; it must be an error, not zero rows)
    assert!(page.is_err());
}

#[tokio::test]
async fn digests_in_the_duplicate_array_and_bad_envelopes() {
    let mut server = mockito::Server::new_async().await;
    let _ok = server
        .mock("GET", "/api/v3.0/invoice/paymentrequestdigests")
        .match_query(q("limit", "1"))
        .with_body(
            r#"{"PaymentRequestDigest":[{"ID":"D9","Total":"5"}],"TotalCount":"1","NextPage":""}"#,
        )
        .create_async()
        .await;
    let _bad = server
        .mock("GET", "/api/v3.0/invoice/paymentrequestdigests")
        .match_query(q("limit", "2"))
        .with_body(r#"{"Records":[{"ID":"D9"}]}"#)
        .create_async()
        .await;
    let c = client(&server);
    let page = c
        .invoice()
        .payment_request_digests()
        .limit(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].total, Some(dec!(5)));
    assert_eq!(page.total_count, Some(1));
    assert!(!page.has_next());
    let err = c
        .invoice()
        .payment_request_digests()
        .limit(2)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn payment_request_get_with_line_items_and_vendor() {
    let mut server = mockito::Server::new_async().await;
    let body = serde_json::json!({
        "ID": "gWid$pr1", "URI": "https://x", "Name": "Annual SaaS", "InvoiceNumber": "INV-77",
        "CurrencyCode": "USD", "InvoiceAmount": "12000.00000000", "TotalApprovedAmount": "12000.00",
        "ShippingAmount": "0E-8", "InvoiceDate": "2019-03-01 00:00:00.0", "PaymentDueDate": "2019-04-01 00:00:00.0",
        "ApprovalStatus": "Approved", "PaymentStatus": "Paid", "EmployeeName": "Ada Testperson",
        "VendorRemitAddress": {"VendorCode": "ACME01", "VendorName": "Acme SaaS Inc", "Address1": "1 Example Way",
                               "City": "Springfield", "CountryCode": "US", "AddressCode": "MAIN"},
        "LineItems": {"LineItem": [
            {"LineItemId": "L1", "RequestLineItemNumber": "1", "Description": "Seats", "Quantity": "100.00000000",
             "UnitPrice": "120.00000000", "TotalPrice": "12000.00000000", "IsMatched": "false",
             "Allocations": {"Allocation": {"AllocationAmount": "12000.00", "Percentage": "100.00000000", "Custom1": "CC-10"}}}
        ]}
    });
    let m = server
        .mock("GET", "/api/v3.0/invoice/paymentrequest/gWid%24pr1")
        .match_header("authorization", BEARER)
        .with_body(body.to_string())
        .expect(1)
        .create_async()
        .await;
    let pr = client(&server)
        .invoice()
        .payment_request("gWid$pr1")
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(pr.id, "gWid$pr1");
    assert_eq!(pr.invoice_amount, Some(dec!(12000)));
    assert_eq!(pr.shipping_amount.unwrap().scale(), 8);
    assert_eq!(pr.invoice_date.unwrap().to_string(), "2019-03-01 00:00:00");
    let v = pr.vendor_remit_address.as_ref().unwrap();
    assert_eq!(v.vendor_name.as_deref(), Some("Acme SaaS Inc"));
    assert_eq!(v.vendor_code.as_deref(), Some("ACME01"));
    assert_eq!(pr.line_items.len(), 1);
    let li = &pr.line_items[0];
    assert_eq!(li.request_line_item_number, Some(1));
    assert_eq!(li.quantity, Some(dec!(100)));
    assert_eq!(li.is_matched, Some(false));
    assert_eq!(li.allocations[0].percentage, Some(dec!(100)));
    assert_eq!(li.allocations[0].custom1.as_deref(), Some("CC-10"));
}

#[tokio::test]
async fn payment_request_bad_amount_is_a_decode_error_naming_the_field() {
    let mut server = mockito::Server::new_async().await;
    let _m = server
        .mock("GET", "/api/v3.0/invoice/paymentrequest/X")
        .with_body(r#"{"ID":"X","InvoiceAmount":"12,000.00"}"#)
        .create_async()
        .await;
    let err = client(&server)
        .invoice()
        .payment_request("X")
        .await
        .unwrap_err();
    match err {
        Error::Decode { path, .. } => assert_eq!(path, "InvoiceAmount"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn vendors_v31_search() {
    let mut server = mockito::Server::new_async().await;
    let body = serde_json::json!({
        "Items": null,
        "Vendor": [{"ID": "V1", "VendorCode": "ACME01", "AddressCode": "MAIN", "VendorName": "Acme SaaS Inc",
                    "TaxID": "12-3456789", "Approved": "true", "PaymentTerms": "30", "CurrencyCode": "USD",
                    "PaymentMethodType": "ACH", "Country": "United States", "CountryCode": "US"}],
        "TotalCount": 1, "NextPage": null, "RequestRunSummary": null
    });
    let m = server
        .mock("GET", "/api/v3.1/invoice/vendors")
        .match_query(Matcher::AllOf(vec![
            q("vendorName", "Acme"),
            q("searchType", "begins"),
            q("limit", "1000"),
        ]))
        .match_header("authorization", BEARER)
        .with_body(body.to_string())
        .expect(1)
        .create_async()
        .await;
    let vendors: Vec<InvoiceVendor> = client(&server)
        .invoice()
        .vendors()
        .vendor_name("Acme")
        .search_type("begins")
        .limit(5000)
        .stream()
        .try_collect()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(vendors.len(), 1);
    let v = &vendors[0];
    assert_eq!(v.vendor_name.as_deref(), Some("Acme SaaS Inc"));
    assert_eq!(v.approved, Some(true));
    assert_eq!(v.payment_terms, Some(30));
    assert_eq!(v.tax_id.as_deref(), Some("12-3456789"));
}

#[tokio::test]
async fn sales_tax_validation_requests_from_the_official_sample() {
    let mut server = mockito::Server::new_async().await;
    let m = server
        .mock("GET", "/api/v3.0/invoice/salestaxvalidationrequest")
        .match_query(Matcher::AllOf(vec![
            q("limit", "10"),
            q("modifiedafter", "2019-02-01"),
        ]))
        .match_header("authorization", BEARER)
        .with_body(fixture("invoice-v3-salestaxvalidationrequest-list.json"))
        .expect(1)
        .create_async()
        .await;
    let page = client(&server)
        .invoice()
        .sales_tax_validation_requests()
        .limit(10)
        .modified_after(NaiveDate::from_ymd_opt(2019, 2, 1).unwrap())
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(page.total_count, Some(1));
    assert_eq!(page.items[0].total, Some(dec!(500)));
    assert_eq!(page.items[0].line_items.len(), 2);
}

#[tokio::test]
async fn invoice_403_is_a_permission_error_with_concur_message() {
    let mut server = mockito::Server::new_async().await;
    let _m = server
        .mock("GET", "/api/v3.0/invoice/paymentrequest/X")
        .with_status(403)
        .with_body(fixture("invoice-v3-salestaxvalidationrequest-error.json"))
        .create_async()
        .await;
    let err = client(&server)
        .invoice()
        .payment_request("X")
        .await
        .unwrap_err();
    match &err {
        Error::Permission { api_group, detail } => {
            assert_eq!(*api_group, "Invoice");
            assert_eq!(detail.message.as_deref(), Some("Forbidden Request"));
        }
        other => panic!("{other:?}"),
    }
}
