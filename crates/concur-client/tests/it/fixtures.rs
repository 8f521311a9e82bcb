//! Every official fixture of these endpoints (auth-*, expense-v3-*, error-*) decodes.

use concur_client::models::common::CreatedResource;
use concur_client::models::expense::{Allocation, Entry, Itemization, Report};
use rust_decimal_macros::dec;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::util::*;

#[derive(Deserialize)]
struct Envelope<T> {
    #[serde(rename = "Items")]
    items: Vec<T>,
    #[serde(rename = "NextPage", default)]
    next_page: Option<String>,
}

fn decode<T: DeserializeOwned>(name: &str) -> T {
    let text = fixture(name);
    let mut de = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut de)
        .unwrap_or_else(|e| panic!("{name}: {} at {}", e.inner(), e.path()))
}

fn dt(s: &str) -> chrono::NaiveDateTime {
    concur_client::models::common::parse_datetime(s).unwrap()
}

#[test]
fn expense_v3_reports() {
    let list: Envelope<Report> = decode("expense-v3-reports-list.json");
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.next_page, None);
    let r = &list.items[0];
    assert_eq!(r.id, "F4F027007E814C1CA70E");
    assert_eq!(r.name.as_deref(), Some("Canadian Tax"));
    assert_eq!(r.total, Some(dec!(1900)));
    assert_eq!(r.currency_code.as_deref(), Some("CAD"));
    assert_eq!(r.amount_due_employee, Some(dec!(1500)));
    assert_eq!(r.paid_date, Some(dt("2013-09-02T19:46:01.570")));
    assert_eq!(r.create_date, Some(dt("2013-09-02T19:05:57.687")));
    assert_eq!(r.user_defined_date, Some(dt("2013-09-02T00:00:00")));
    assert_eq!(r.last_modified_date, Some(dt("2013-09-02T19:46:01.980")));
    assert_eq!(
        r.owner_login_id.as_deref(),
        Some("CAtraveler@concurconnect2.com")
    );
    assert_eq!(r.owner_name.as_deref(), Some("Canadian Traveler"));
    assert_eq!(r.approval_status_code.as_deref(), Some("A_APPR"));
    assert_eq!(r.payment_status_code.as_deref(), Some("P_PAID"));
    assert_eq!(r.approver_login_id, None);
    assert_eq!(r.receipts_received, Some(false));
    assert!(r.custom_fields().is_empty() && r.org_units().is_empty());

    let one: Report = decode("expense-v3-reports-get.json");
    assert_eq!(one.total, Some(dec!(307.01)));
    assert_eq!(one.approval_status_code.as_deref(), Some("A_NOTF"));
    assert_eq!(one.create_date, Some(dt("2016-04-04T23:33:08.210")));
    assert_eq!(one.submit_date, None);

    let digests: Envelope<Report> = decode("expense-v3-reportdigests-list.json");
    assert_eq!(digests.items[0].id, "SampleID");
    assert_eq!(digests.items[0].total, Some(dec!(56.1)));
    assert_eq!(
        digests.items[0]
            .extra
            .get("ReportHeaderLastModifiedDate")
            .and_then(|v| v.as_str()),
        Some("2014-09-30T11:47:24.197")
    );
}

#[test]
fn expense_v3_entries() {
    let e: Entry = decode("expense-v3-entries-get.json");
    assert_eq!(e.id, "gWidFO7ikXV66iSvqtG6Yd0wZ$s4ftzvzTCg");
    assert_eq!(e.report_id.as_deref(), Some("39BD9F7C5C3F4986A6A5"));
    assert_eq!(e.expense_type_code.as_deref(), Some("GASXX"));
    assert_eq!(e.expense_type_name.as_deref(), Some("Fuel"));
    assert_eq!(e.spend_category_name.as_deref(), Some("Gas"));
    assert_eq!(e.payment_type_name.as_deref(), Some("Cash"));
    assert_eq!(e.transaction_date, Some(dt("2016-04-04")));
    assert_eq!(e.transaction_amount, Some(dec!(100)));
    assert_eq!(e.transaction_currency_code.as_deref(), Some("USD"));
    assert_eq!(e.exchange_rate, Some(dec!(1)));
    assert_eq!(e.posted_amount, Some(dec!(100)));
    assert_eq!(e.approved_amount, Some(dec!(100)));
    assert_eq!(e.vendor_description.as_deref(), Some("Chevron"));
    assert_eq!(e.vendor_list_item_name.as_deref(), Some("Chevron"));
    assert_eq!(e.is_personal, Some(false));
    assert_eq!(e.location_name, None, "empty string is None");
    assert_eq!(e.journey, None);
    assert_eq!(e.last_modified, Some(dt("2016-04-22T21:50:46.893")));
    let created: CreatedResource = decode("expense-v3-entries-create-response.json");
    assert!(created.id.is_some() && created.uri.is_some());
}

#[test]
fn expense_v3_itemizations_and_allocations() {
    let list: Envelope<Itemization> = decode("expense-v3-itemizations-list.json");
    let i = &list.items[0];
    assert_eq!(i.expense_type_code.as_deref(), Some("LODTX"));
    assert_eq!(i.transaction_amount, Some(dec!(20)));
    assert_eq!(i.location_country.as_deref(), Some("CA"));
    let one: Itemization = decode("expense-v3-itemizations-get.json");
    assert!(!one.id.is_empty());
    let allocs: Envelope<Allocation> = decode("expense-v3-allocations-list.json");
    assert_eq!(allocs.items.len(), 2);
    assert_eq!(
        allocs.items[0].percentage.unwrap().to_string(),
        "100.00000000"
    );
    assert_eq!(allocs.items[0].account_code1.as_deref(), Some("1"));
    assert_eq!(allocs.items[0].is_hidden, Some(true));
    assert_eq!(allocs.items[1].id, "gWmudeHM8AuFhxez1E72ExJPksvTH0KPPyw");
    let one: Allocation = decode("expense-v3-allocations-get.json");
    assert!(one.percentage.is_some());
    for f in [
        "expense-v3-reports-create-response.json",
        "expense-v3-itemizations-create-response.json",
        "expense-v3-attendees-create-response.json",
        "expense-v3-entryattendeeassociations-create-response.json",
    ] {
        let c: CreatedResource = decode(f);
        assert!(c.id.is_some(), "{f}");
    }
}

#[test]
fn other_expense_v3_collections_decode_as_envelopes() {
    // Resources without typed models here still follow the {Items, NextPage} envelope.
    for (f, n) in [
        ("expense-v3-attendees-list.json", 1),
        ("expense-v3-entryattendeeassociations-list.json", 2),
        ("expense-v3-expensegroupconfigurations-list.json", 1),
        ("expense-v3-quickexpenses-list.json", 1),
        ("expense-v3-receiptimages-list.json", 3),
    ] {
        let e: Envelope<serde_json::Map<String, serde_json::Value>> = decode(f);
        assert_eq!(e.items.len(), n, "{f}");
    }
    for f in [
        "expense-v3-attendees-get.json",
        "expense-v3-entryattendeeassociations-get.json",
        "expense-v3-expensegroupconfigurations-get.json",
    ] {
        let v: serde_json::Map<String, serde_json::Value> = decode(f);
        assert!(!v.is_empty(), "{f}");
    }
}

#[tokio::test]
async fn auth_token_fixtures_decode_through_the_token_flow() {
    use concur_client::secret::ExposeSecret;
    for f in [
        "auth-token-password-grant-response.json",
        "auth-token-refresh-grant-response.json",
        "auth-token-client-credentials-response.json",
        "auth-token-company-authtoken-grant-response.json",
        "auth-token-company-password-authtoken-response-tmc.json",
        "auth-token-refresh-after-exchange-response.json",
        "auth-token-otp-grant-response.json",
    ] {
        let mut server = mockito::Server::new_async().await;
        let url = server.url();
        let raw = fixture(f);
        let v: serde_json::Value = serde_json::from_str(&raw).unwrap();
        let body = raw
            .replace("https://us.api.concursolutions.com", &url)
            .replace("https://us.api.Concursolutions.com", &url);
        server
            .mock("POST", "/oauth2/v0/token")
            .with_body(body)
            .create_async()
            .await;
        let client = builder(&url)
            .grant(concur_client::Grant::ClientCredentials)
            .build()
            .unwrap();
        let rec = client
            .authenticate()
            .await
            .unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(
            rec.access_token.expose_secret(),
            v["access_token"].as_str().unwrap(),
            "{f}"
        );
        assert_eq!(
            rec.refresh_token
                .as_ref()
                .map(|t| t.expose_secret().to_owned()),
            v["refresh_token"].as_str().map(str::to_owned),
            "{f}"
        );
        assert_eq!(rec.base_url.as_str(), format!("{url}/"), "{f}");
    }
}

#[test]
fn error_fixtures_decode() {
    use concur_client::ApiErrorDetail;
    let d = ApiErrorDetail::from_body(
        400,
        "POST /x",
        fixture("error-v1-json-error-array.json").as_bytes(),
    );
    assert_eq!(
        d.message.as_deref(),
        Some("Missing or invalid location subdivision code.")
    );
    assert_eq!(
        d.error_id.as_deref(),
        Some("FA067608-3E83-4B3C-A421-187F2C498356")
    );
    let d = ApiErrorDetail::from_body(
        400,
        "GET /x",
        fixture("error-v1-v3-generic-error.xml").as_bytes(),
    );
    assert_eq!(
        d.message.as_deref(),
        Some("Invalid User:dutchinw@example.com")
    );
    assert_eq!(
        d.error_id.as_deref(),
        Some("A55930EA-D39C-463B-A12A-356F4853F27C")
    );
    let d = ApiErrorDetail::from_body(
        400,
        "PUT /x",
        fixture("error-travelprofile-v2-nested-error.xml").as_bytes(),
    );
    let m = d.message.unwrap();
    assert!(
        m.starts_with("E001 Cannot update this element: General/HasOpenBooking"),
        "{m}"
    );
    assert!(m.contains("General/AgencyNumber"), "{m}");
    assert_eq!(
        d.error_id.as_deref(),
        Some("D3772078-980A-48F7-BF7E-81D6AA04F047")
    );
    for f in [
        "auth-token-error-invalid-grant.json",
        "auth-token-company-authtoken-grant-error.json",
    ] {
        let d = ApiErrorDetail::from_body(400, "POST /oauth2/v0/token", fixture(f).as_bytes());
        assert_eq!(d.code.as_deref(), Some("invalid_grant/5"), "{f}");
        assert_eq!(d.oauth_code, Some(5));
        assert_eq!(
            d.message.as_deref(),
            Some("Incorrect Credentials. Please Retry")
        );
    }
}
