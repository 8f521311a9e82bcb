//! List expense reports with Expense v3 and print one line per report.
//!
//! `cargo run -p concur-smp-examples --example list_reports`
//!
//! Shows the full client path: a password grant on `/oauth2/v0/token`, the token's
//! `geolocation` becoming the base URL, `user=ALL` with a modified-date filter, and paging that
//! follows `NextPage` verbatim (the filters survive on every page).
//!
//! Until the simulator serves Expense v3, the example runs against a mockito server started in
//! [`backend`]: that is the only function to change to point it at the simulator or a real
//! Concur company (then drop the mocks and pass real credentials).

use concur_client::{Client, Credentials, Grant};
use futures::TryStreamExt;

/// Starts the fake Concur backend and returns it (keep it alive) with a client pointed at it.
async fn backend() -> anyhow::Result<(mockito::ServerGuard, Client)> {
    let mut server = mockito::Server::new_async().await;
    let base = server.url();
    let token = serde_json::json!({
        "expires_in": "3600", "token_type": "Bearer", "scope": "EXPRPT",
        "access_token": "example-access-token", "refresh_token": "example-refresh-token",
        "geolocation": base,
    });
    server
        .mock("POST", "/oauth2/v0/token")
        .with_body(token.to_string())
        .create_async()
        .await;
    let report = |id: &str, name: &str, owner: &str, total: &str, ccy: &str, status: &str| {
        serde_json::json!({
            "ID": id, "Name": name, "OwnerLoginID": owner,
            "OwnerName": owner.split('@').next().unwrap_or_default().replace('.', " "),
            "Total": total, "CurrencyCode": ccy,
            "ApprovalStatusCode": status, "PaymentStatusCode": "P_NOTP",
            "LastModifiedDate": "2026-03-02T10:15:00.5", "SubmitDate": null,
        })
    };
    let page2 = format!(
        "{base}/api/v3.0/expense/reports?user=ALL&modifiedDateAfter=2026-01-01&limit=2&offset=page2"
    );
    server
        .mock("GET", "/api/v3.0/expense/reports?limit=2&user=ALL&modifiedDateAfter=2026-01-01")
        .with_body(
            serde_json::json!({"Items": [
                report("F4F027007E814C1CA70E", "Berlin offsite", "ada.testperson@example.com", "1299.90", "EUR", "A_APPR"),
                report("39BD9F7C5C3F4986A6A5", "SaaS renewals Q1", "alan.sampleman@example.com", "4800.00", "USD", "A_PEND"),
            ], "NextPage": page2})
            .to_string(),
        )
        .create_async()
        .await;
    server
        .mock("GET", "/api/v3.0/expense/reports?user=ALL&modifiedDateAfter=2026-01-01&limit=2&offset=page2")
        .with_body(
            serde_json::json!({"Items": [
                report("0A1B2C3D4E5F60718293", "Conference travel", "grace.exampleton@example.org", "612.45", "GBP", "A_NOTF"),
            ], "NextPage": null})
            .to_string(),
        )
        .create_async()
        .await;
    let client = Client::builder()
        .base_url(&base)
        .credentials(Credentials::new(
            "example-client-id",
            "example-client-secret",
        ))
        .grant(Grant::password(
            "ada.testperson@example.com",
            "example-password",
        ))
        .build()?;
    Ok((server, client))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (_server, client) = backend().await?;
    let since = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid date");
    let mut reports = client
        .expense()
        .reports()
        .list()
        .user_all()
        .modified_after(since)
        .limit(2)
        .stream();
    while let Some(r) = reports.try_next().await? {
        println!(
            "{:<22} {:<20} {:<30} {:>10} {} {}",
            r.id,
            r.name.as_deref().unwrap_or("-"),
            r.owner_login_id.as_deref().unwrap_or("-"),
            r.total.map(|t| t.to_string()).unwrap_or_default(),
            r.currency_code.as_deref().unwrap_or("-"),
            r.approval_status_code.as_deref().unwrap_or("-"),
        );
    }
    let m = client.metrics().snapshot();
    println!(
        "api calls: {} (retries {}, token refreshes {})",
        m.calls, m.retries, m.token_refreshes
    );
    Ok(())
}
