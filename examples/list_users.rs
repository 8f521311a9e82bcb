//! List every user of a company with Identity v4.1 (cursor paging) and print the normalised
//! [`UserSummary`](concur_client::models::user::UserSummary) that discovery uses to name owners.
//!
//! `cargo run -p concur-smp-examples --example list_users`
//!
//! `users().list_v4_1().count(n).stream()` follows `nextCursor` until the last page; a repeated
//! cursor ends the stream with an error instead of looping. Identity v4 (`users().list()`,
//! `startIndex`/`count`) and Users v3 (`users().list_v3()`) work the same way.
//!
//! Until the simulator serves Identity, the example runs against a mockito server started in
//! [`backend`] (the only function to change to point it at the simulator).

use concur_client::{AuthMode, Client, TokenRecord};
use futures::StreamExt;

/// Starts the fake Concur backend and returns it (keep it alive) with a client pointed at it.
async fn backend() -> anyhow::Result<(mockito::ServerGuard, Client)> {
    let mut server = mockito::Server::new_async().await;
    let base = server.url();
    let user = |id: &str, first: &str, last: &str, dept: &str, cc: &str, active: bool| {
        let login = format!(
            "{}.{}@example.com",
            first.to_lowercase(),
            last.to_lowercase()
        );
        serde_json::json!({
            "id": id, "userName": login, "active": active, "displayName": format!("{first} {last}"),
            "name": {"givenName": first, "familyName": last},
            "emails": [{"value": login, "type": "work", "primary": true}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
                {"employeeNumber": format!("EMP-{id}"), "department": dept, "costCenter": cc}
        })
    };
    let page = |users: Vec<serde_json::Value>, next: Option<&str>| {
        let mut v = serde_json::json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 3, "itemsPerPage": users.len(), "Resources": users});
        if let Some(c) = next {
            v["nextCursor"] = c.into();
        }
        v.to_string()
    };
    server
        .mock("GET", "/profile/identity/v4.1/Users")
        .match_query(mockito::Matcher::Exact("count=2".into()))
        .with_body(page(
            vec![
                user("1001", "Ada", "Testperson", "Finance", "CC-100", true),
                user("1002", "Alan", "Sampleman", "Engineering", "CC-200", true),
            ],
            Some("c2"),
        ))
        .create_async()
        .await;
    server
        .mock("GET", "/profile/identity/v4.1/Users")
        .match_query(mockito::Matcher::UrlEncoded("cursor".into(), "c2".into()))
        .with_body(page(
            vec![user("1003", "Grace", "Exampleton", "IT", "CC-300", false)],
            None,
        ))
        .create_async()
        .await;

    let token = TokenRecord::new(
        "example-token",
        None,
        chrono::Utc::now() + chrono::Duration::hours(1),
        url::Url::parse(&base)?,
        AuthMode::CompanyAuthToken,
    );
    let client = Client::builder().base_url(&base).token(token).build()?;
    Ok((server, client))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (_backend, client) = backend().await?;
    let mut users = client.users().list_v4_1().count(2).stream();
    let (mut ok, mut bad) = (0, 0);
    println!(
        "{:<28} {:<18} {:<12} {:<8} {:<6} employee",
        "login", "name", "department", "cost ctr", "active"
    );
    while let Some(user) = users.next().await {
        match user {
            Ok(u) => {
                let s = u.summary();
                println!(
                    "{:<28} {:<18} {:<12} {:<8} {:<6} {}",
                    s.login_id.unwrap_or_default(),
                    s.display_name.unwrap_or_default(),
                    s.department.unwrap_or_default(),
                    s.cost_center.unwrap_or_default(),
                    s.active.map_or("?", |a| if a { "yes" } else { "no" }),
                    s.employee_number.unwrap_or_default(),
                );
                ok += 1;
            }
            // a record that does not decode is reported and skipped; paging errors end the stream
            Err(e) => {
                eprintln!("skipped: {e}");
                bad += 1;
            }
        }
    }
    println!("{ok} user(s), {bad} problem(s)");
    Ok(())
}
