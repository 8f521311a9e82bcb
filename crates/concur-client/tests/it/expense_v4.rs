//! Expense Reports v4 endpoints against mockito (official samples as bodies).

use concur_client::Error;
use concur_client::models::expense_v4::{ContextType, ExchangeOperation};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use crate::family_mock::{BEARER, client, fixture};

const USER: &str = "32C2FCC3-B2E8-4907-9672-5B3F49B1C643";
const REPORT: &str = "764428DD6A664AF0BFCB";
const EXPENSE: &str = "84FCBB92BD4E5342B849DAC29FD163A1";

fn base() -> String {
    format!("/expensereports/v4/users/{USER}/context/TRAVELER/reports/{REPORT}")
}

#[tokio::test]
async fn report_get() {
    let mut server = mockito::Server::new_async().await;
    let m = server
        .mock("GET", base().as_str())
        .match_header("authorization", BEARER)
        .match_header("accept", "application/json")
        .with_body(fixture("expense-v4-reports-get.json"))
        .expect(1)
        .create_async()
        .await;
    let r = client(&server)
        .expense_v4()
        .report(USER, ContextType::Traveler, REPORT)
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(r.report_id, REPORT);
    assert_eq!(r.claimed_amount.as_ref().unwrap().value, dec!(525));
    let zero = r.personal_amount.as_ref().unwrap().value;
    assert_eq!((zero, zero.scale()), (Decimal::ZERO, 8));
    assert_eq!(r.policy.as_deref(), Some("JH - US Expense Policy"));
}

#[tokio::test]
async fn expenses_of_a_report_expense_get_and_itemizations() {
    let mut server = mockito::Server::new_async().await;
    let list = server
        .mock("GET", format!("{}/expenses", base()).as_str())
        .match_header("authorization", BEARER)
        .with_body(fixture("expense-v4-report-expenses-list.json"))
        .expect(1)
        .create_async()
        .await;
    let one = server
        .mock("GET", format!("{}/expenses/{EXPENSE}", base()).as_str())
        .match_header("authorization", BEARER)
        .with_body(fixture("expense-v4-expense-get.json"))
        .expect(1)
        .create_async()
        .await;
    let items = server
        .mock(
            "GET",
            format!("{}/expenses/{EXPENSE}/itemizations", base()).as_str(),
        )
        .match_header("authorization", BEARER)
        .with_body(fixture("expense-v4-expense-itemizations-list.json"))
        .expect(1)
        .create_async()
        .await;
    let c = client(&server);
    let v4 = c.expense_v4();
    let expenses = v4
        .expenses(USER, ContextType::Traveler, REPORT)
        .send()
        .await
        .unwrap();
    assert_eq!(expenses.len(), 2);
    assert_eq!(
        expenses[1].vendor.as_ref().unwrap().description.as_deref(),
        Some("Antioch Construction")
    );
    let e = v4
        .expense(USER, ContextType::Traveler, REPORT, EXPENSE)
        .send()
        .await
        .unwrap();
    assert_eq!(
        e.exchange_rate.as_ref().unwrap().operation,
        ExchangeOperation::Multiply
    );
    assert_eq!(e.approved_amount.as_ref().unwrap().currency_code, "USD");
    let its = v4
        .itemizations(USER, ContextType::Traveler, REPORT, EXPENSE)
        .send()
        .await
        .unwrap();
    assert_eq!(its.len(), 2);
    assert_eq!(its[0].expense_type.as_ref().unwrap().id, "LUNCH");
    for m in [list, one, items] {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn expense_list_that_is_not_an_array_is_a_decode_error_and_404_is_not_found() {
    let mut server = mockito::Server::new_async().await;
    let _list = server
        .mock("GET", format!("{}/expenses", base()).as_str())
        .with_body(r#"{"content": []}"#)
        .create_async()
        .await;
    let _missing = server
        .mock("GET", base().as_str())
        .with_status(404)
        .with_body(r#"{"timestamp":"2023-04-12T15:22:44.248Z","httpStatus":"404 - Not Found","errorMessage":"Report not found","errorId":"x","path":"/"}"#)
        .create_async()
        .await;
    let c = client(&server);
    let err = c
        .expense_v4()
        .expenses(USER, ContextType::Traveler, REPORT)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    let err = c
        .expense_v4()
        .report(USER, ContextType::Traveler, REPORT)
        .send()
        .await
        .unwrap_err();
    match err {
        Error::NotFound(d) => assert_eq!(d.message.as_deref(), Some("Report not found")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn manager_context_path() {
    let mut server = mockito::Server::new_async().await;
    let m = server
        .mock(
            "GET",
            format!("/expensereports/v4/users/{USER}/context/MANAGER/reports/{REPORT}").as_str(),
        )
        .with_body(fixture("expense-v4-reports-get.json"))
        .expect(1)
        .create_async()
        .await;
    let req = client(&server)
        .expense_v4()
        .report(USER, ContextType::Manager, REPORT);
    assert_eq!(
        req.request().endpoint(),
        format!("GET /expensereports/v4/users/{USER}/context/MANAGER/reports/{REPORT}")
    );
    req.send().await.unwrap();
    m.assert_async().await;
}
