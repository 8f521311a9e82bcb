//! Expense v3 endpoints end to end against mockito with the official payloads.

use futures::TryStreamExt;
use rust_decimal_macros::dec;

use crate::util::*;

#[tokio::test]
async fn reports_entries_itemizations_allocations() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let reports = server
        .mock("GET", "/api/v3.0/expense/reports?user=ALL&submitDateAfter=2013-01-01&paymentStatusCode=P_PAID&currencyCode=CAD&approverLoginID=boss%40example.com")
        .match_header("authorization", "Bearer acc-1")
        .with_body(fixture("expense-v3-reports-list.json"))
        .expect(1)
        .create_async()
        .await;
    let entries = server
        .mock(
            "GET",
            "/api/v3.0/expense/entries?user=ALL&reportID=F4F027007E814C1CA70E",
        )
        .with_body(format!(
            r#"{{"Items":[{}],"NextPage":null}}"#,
            fixture("expense-v3-entries-get.json")
        ))
        .expect(1)
        .create_async()
        .await;
    let items = server
        .mock(
            "GET",
            "/api/v3.0/expense/itemizations?entryID=gWidFO7ikXV66iSvqtG6Yd0wZ%24s4ftzvzTCg",
        )
        .with_body(fixture("expense-v3-itemizations-list.json"))
        .expect(1)
        .create_async()
        .await;
    let alloc = server
        .mock(
            "GET",
            "/api/v3.0/expense/allocations/gWmudeHM8AuFikny3Hrpz%24s2gaNvc0E7Xfyw",
        )
        .with_body(fixture("expense-v3-allocations-get.json"))
        .expect(1)
        .create_async()
        .await;
    let (client, _) = client_with_token(&url);
    let day = chrono::NaiveDate::from_ymd_opt(2013, 1, 1).unwrap();
    let reports_found: Vec<_> = client
        .expense()
        .reports()
        .list()
        .user_all()
        .submit_after(day)
        .payment_status_code("P_PAID")
        .currency_code("CAD")
        .approver_login_id("boss@example.com")
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(reports_found.len(), 1);
    let report = &reports_found[0];
    assert_eq!(report.total_approved_amount, Some(dec!(1900)));

    let es = client
        .expense()
        .entries()
        .list()
        .user_all()
        .report_id(&report.id)
        .send()
        .await
        .unwrap();
    assert_eq!(es.items.len(), 1);
    assert!(!es.has_next());
    let entry = &es.items[0];
    assert_eq!(entry.vendor_description.as_deref(), Some("Chevron"));

    let its = client
        .expense()
        .itemizations()
        .list()
        .entry_id(&entry.id)
        .send()
        .await
        .unwrap();
    assert_eq!(its.items[0].expense_type_name.as_deref(), Some("Hotel Tax"));

    let a = client
        .expense()
        .allocations()
        .get("gWmudeHM8AuFikny3Hrpz$s2gaNvc0E7Xfyw")
        .send()
        .await
        .unwrap();
    assert_eq!(a.percentage, Some(dec!(100)));
    reports.assert_async().await;
    entries.assert_async().await;
    items.assert_async().await;
    alloc.assert_async().await;
}

#[test]
fn custom_fields_are_objects() {
    let json = r#"{"ID":"R9","Custom1":{"Type":"List","Value":"Engineering","Code":"ENG","ListItemID":"gW1"},"OrgUnit2":{"Type":"Text","Value":"EMEA","Code":null,"ListItemID":null},"Custom2":null,"SomethingNew":42}"#;
    let r: concur_client::models::expense::Report = serde_json::from_str(json).unwrap();
    let c = r.custom_fields();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].0, 1);
    assert_eq!(c[0].1.value.as_deref(), Some("Engineering"));
    assert_eq!(c[0].1.code.as_deref(), Some("ENG"));
    assert_eq!(c[0].1.field_type.as_deref(), Some("List"));
    let o = r.org_units();
    assert_eq!((o[0].0, o[0].1.value.as_deref()), (2, Some("EMEA")));
    assert_eq!(r.extra.get("SomethingNew"), Some(&serde_json::json!(42)));
    // Everything but the id may be missing.
    let bare: concur_client::models::expense::Entry =
        serde_json::from_str(r#"{"ID":"E"}"#).unwrap();
    assert_eq!(bare.transaction_amount, None);
    assert!(serde_json::from_str::<concur_client::models::expense::Entry>("{}").is_err());
}

/// Amounts stay exact through the normal list path (`{Items, NextPage}` envelope) and the
/// single-get path; custom fields still land in `extra`.
#[tokio::test]
async fn entry_amounts_are_exact_through_list_and_get() {
    use std::str::FromStr;

    use rust_decimal::Decimal;

    let entry = r#"{"ID":"E1","ReportID":"F4F027007E814C1CA70E","TransactionCurrencyCode":"USD",
        "TransactionAmount":123.4500,"PostedAmount":0.1,"ApprovedAmount":12345678901234.5678,
        "ExchangeRate":0E-8,
        "Custom1":{"Type":"List","Value":"Engineering","Code":"ENG","ListItemID":"gW1"}}"#;
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let list = server
        .mock("GET", "/api/v3.0/expense/entries")
        .with_body(format!(r#"{{"Items":[{entry}],"NextPage":null}}"#))
        .expect(1)
        .create_async()
        .await;
    let get = server
        .mock("GET", "/api/v3.0/expense/entries/E1")
        .with_body(entry)
        .expect(1)
        .create_async()
        .await;
    let (client, _) = client_with_token(&url);
    let page = client.expense().entries().list().send().await.unwrap();
    assert!(page.skipped.is_empty(), "{:?}", page.skipped);
    assert!(!page.has_next());
    let single = client.expense().entries().get("E1").send().await.unwrap();
    for e in [&page.items[0], &single] {
        assert_eq!(
            e.transaction_amount,
            Some(Decimal::from_str("123.4500").unwrap())
        );
        assert_eq!(e.transaction_amount.unwrap().to_string(), "123.4500");
        assert_eq!(e.posted_amount, Some(Decimal::from_str("0.1").unwrap()));
        // f64 would give 12345678901234.568.
        assert_eq!(
            e.approved_amount,
            Some(Decimal::from_str("12345678901234.5678").unwrap())
        );
        assert_eq!(
            e.approved_amount.unwrap().to_string(),
            "12345678901234.5678"
        );
        assert_eq!(
            e.exchange_rate,
            Some(Decimal::from_scientific("0E-8").unwrap())
        );
        assert_eq!(e.exchange_rate.unwrap().scale(), 8);
        let custom = e.custom_fields();
        assert_eq!(custom.len(), 1);
        assert_eq!((custom[0].0, custom[0].1.code.as_deref()), (1, Some("ENG")));
        assert!(e.extra.contains_key("Custom1"));
    }
    list.assert_async().await;
    get.assert_async().await;
}

/// A wrong-type amount in a single entry is a Decode error naming `TransactionAmount`.
#[tokio::test]
async fn wrong_type_amount_names_the_field() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    server
        .mock("GET", "/api/v3.0/expense/entries/E2")
        .with_body(r#"{"ID":"E2","TransactionAmount":{"Value":12}}"#)
        .create_async()
        .await;
    let (client, _) = client_with_token(&url);
    match client.expense().entries().get("E2").send().await {
        Err(concur_client::Error::Decode { path, message, .. }) => {
            assert_eq!(path, "TransactionAmount");
            assert!(message.contains("invalid decimal"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}
