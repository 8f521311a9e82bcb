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
