//! Token endpoint, Expense v3 paging/filters, user rules and permission switches over HTTP.

mod common;

use std::collections::HashSet;

use common::*;
use concur_sim::{
    ApiGroup, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_COMPANY_UUID, DEMO_REFRESH_TOKEN,
    DEMO_REQUEST_TOKEN, Size, TenantConfig,
};

#[tokio::test]
async fn password_grant_returns_concur_shape_with_geolocation() {
    let sim = tiny().await;
    let t = token_for(&sim, concur_sim::DEMO_USERNAME).await;
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], "3600");
    assert_eq!(t["geolocation"], sim.base_url());
    assert!(t["refresh_token"].as_str().unwrap().starts_with("sim-rt-"));
    assert!(t["id_token"].is_string());
    let bad = client()
        .post(format!("{}/oauth2/v0/token", sim.base_url()))
        .form(&[
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("grant_type", "password"),
            ("username", "x"),
            ("password", "y"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(bad.headers().contains_key("concur-correlationid"));
    let v: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(v["error"], "invalid_grant");
    assert_eq!(v["code"], 5);
}

async fn refresh(sim: &concur_sim::SimServer, rt: &str) -> reqwest::Response {
    client()
        .post(format!("{}/oauth2/v0/token", sim.base_url()))
        .form(&[
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn refresh_rotates_and_old_token_is_invalid_grant() {
    let sim = tiny().await;
    let r1 = refresh(&sim, DEMO_REFRESH_TOKEN).await;
    assert_eq!(r1.status(), 200);
    let v1: serde_json::Value = r1.json().await.unwrap();
    let new_rt = v1["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(new_rt, DEMO_REFRESH_TOKEN);
    let again = refresh(&sim, DEMO_REFRESH_TOKEN).await;
    assert_eq!(again.status(), 400);
    let e: serde_json::Value = again.json().await.unwrap();
    assert_eq!(e["error"], "invalid_grant");
    assert_eq!(e["code"], 108);
    assert_eq!(refresh(&sim, &new_rt).await.status(), 200);
}

#[tokio::test]
async fn revoking_connections_invalidates_the_users_refresh_tokens() {
    let sim = tiny().await;
    let v: serde_json::Value = refresh(&sim, DEMO_REFRESH_TOKEN)
        .await
        .json()
        .await
        .unwrap();
    let access = v["access_token"].as_str().unwrap();
    let rt = v["refresh_token"].as_str().unwrap();
    let url = format!("{}/app-mgmt/v0/connections", sim.base_url());
    let unauth = client().delete(&url).send().await.unwrap();
    assert_eq!(unauth.status(), 401);
    let r = client()
        .delete(&url)
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let e: serde_json::Value = refresh(&sim, rt).await.json().await.unwrap();
    assert_eq!(e["error"], "invalid_grant");
    assert_eq!(e["code"], 108);
}

#[tokio::test]
async fn company_authtoken_and_client_credentials() {
    let sim = tiny().await;
    let r = client()
        .post(format!("{}/oauth2/v0/token", sim.base_url()))
        .form(&[
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("grant_type", "password"),
            ("credtype", "authtoken"),
            ("username", DEMO_COMPANY_UUID),
            ("password", DEMO_REQUEST_TOKEN),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    let tok = v["access_token"].as_str().unwrap();
    // a company token may read every user's reports
    let all = get_json(
        tok,
        &format!(
            "{}/api/v3.0/expense/reports?user=ALL&limit=100",
            sim.base_url()
        ),
    )
    .await;
    assert_eq!(all["Items"].as_array().unwrap().len(), 40);
    let cc = client()
        .post(format!("{}/oauth2/v0/token", sim.base_url()))
        .form(&[
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("grant_type", "client_credentials"),
        ])
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = cc.json().await.unwrap();
    assert!(v.get("refresh_token").is_none());
    assert_eq!(v["geolocation"], sim.base_url());
}

#[tokio::test]
async fn reports_paging_keeps_filters_and_covers_everything() {
    let sim = tiny().await;
    let tok = admin_token(&sim).await;
    let base = sim.base_url();
    let first = get_json(&tok, &format!("{base}/api/v3.0/expense/reports?user=ALL&limit=7&paymentStatusCode=P_PAID,P_NOTP,P_PROC")).await;
    assert_eq!(first["Items"].as_array().unwrap().len(), 7);
    let next = first["NextPage"].as_str().unwrap();
    assert!(next.starts_with(base), "absolute NextPage: {next}");
    assert!(
        next.contains("user=ALL")
            && next.contains("limit=7")
            && next.contains("paymentStatusCode=P_PAID%2CP_NOTP%2CP_PROC"),
        "{next}"
    );
    let all = crawl(
        &tok,
        &format!("{base}/api/v3.0/expense/reports?user=ALL&limit=7"),
    )
    .await;
    assert_eq!(all.len(), 40);
    let ids: HashSet<_> = all
        .iter()
        .map(|r| r["ID"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 40);
    // default limit is 25; more than 100 is rejected with a v3 error body
    let d = get_json(&tok, &format!("{base}/api/v3.0/expense/reports?user=ALL")).await;
    assert_eq!(d["Items"].as_array().unwrap().len(), 25);
    let big = get(
        &tok,
        &format!("{base}/api/v3.0/expense/reports?user=ALL&limit=101"),
    )
    .await;
    assert_eq!(big.status(), 400);
    let e: serde_json::Value = big.json().await.unwrap();
    assert!(e["Message"].is_string() && e["Server-Time"].is_string() && e["Id"].is_string());
}

#[tokio::test]
async fn report_filters() {
    let sim = tiny().await;
    let tok = admin_token(&sim).await;
    let base = sim.base_url();
    let all = crawl(
        &tok,
        &format!("{base}/api/v3.0/expense/reports?user=ALL&limit=100"),
    )
    .await;
    let paid = crawl(
        &tok,
        &format!("{base}/api/v3.0/expense/reports?user=ALL&limit=100&paymentStatusCode=P_PAID"),
    )
    .await;
    assert!(!paid.is_empty() && paid.len() < all.len());
    assert!(paid.iter().all(|r| r["PaymentStatusCode"] == "P_PAID"));
    let appr = crawl(
        &tok,
        &format!("{base}/api/v3.0/expense/reports?user=ALL&approvalStatusCode=A_NOTF"),
    )
    .await;
    assert!(appr.iter().all(|r| r["ApprovalStatusCode"] == "A_NOTF"));
    let cut = "2026-06-01";
    let after = crawl(
        &tok,
        &format!("{base}/api/v3.0/expense/reports?user=ALL&modifiedDateAfter={cut}"),
    )
    .await;
    let before = crawl(
        &tok,
        &format!("{base}/api/v3.0/expense/reports?user=ALL&modifiedDateBefore={cut}"),
    )
    .await;
    assert_eq!(after.len() + before.len(), all.len());
    assert!(
        after
            .iter()
            .all(|r| r["LastModifiedDate"].as_str().unwrap() > cut)
    );
    let sub = crawl(&tok, &format!("{base}/api/v3.0/expense/reports?user=ALL&submitDateAfter=2026-01-01T00:00:00&submitDateBefore=2026-07-01")).await;
    assert!(sub.iter().all(|r| {
        let s = r["SubmitDate"].as_str().unwrap();
        ("2026-01-01"..="2026-07-01").contains(&s)
    }));
}

#[tokio::test]
async fn user_rules() {
    let sim = tiny().await;
    let base = sim.base_url();
    let admin = admin_token(&sim).await;
    // admin without user: its own (no) reports
    let own = get_json(&admin, &format!("{base}/api/v3.0/expense/reports")).await;
    assert_eq!(own["Items"].as_array().unwrap().len(), 0);
    // an employee sees only their own reports, cannot use user=ALL or act for others
    let ada = token_for(&sim, "ada.testperson@demo.example.com").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mine = crawl(&ada, &format!("{base}/api/v3.0/expense/reports")).await;
    assert_eq!(mine.len(), 4);
    assert!(
        mine.iter()
            .all(|r| r["OwnerLoginID"] == "ada.testperson@demo.example.com")
    );
    assert_eq!(
        get(&ada, &format!("{base}/api/v3.0/expense/reports?user=ALL"))
            .await
            .status(),
        403
    );
    assert_eq!(
        get(
            &ada,
            &format!("{base}/api/v3.0/expense/reports?user=bert.testperson@demo.example.com")
        )
        .await
        .status(),
        403
    );
    // admin acting for a user
    let bert = crawl(
        &admin,
        &format!("{base}/api/v3.0/expense/reports?user=bert.testperson@demo.example.com"),
    )
    .await;
    assert!(
        bert.len() == 4
            && bert
                .iter()
                .all(|r| r["OwnerLoginID"] == "bert.testperson@demo.example.com")
    );
    // single resource: user=ALL not allowed; user=<owner> works; owner token works
    let id = mine[0]["ID"].as_str().unwrap();
    assert_eq!(
        get(
            &admin,
            &format!("{base}/api/v3.0/expense/reports/{id}?user=ALL")
        )
        .await
        .status(),
        400
    );
    let one = get_json(
        &admin,
        &format!("{base}/api/v3.0/expense/reports/{id}?user=ada.testperson@demo.example.com"),
    )
    .await;
    assert_eq!(one["ID"], id);
    assert_eq!(one["URI"], format!("{base}/api/v3.0/expense/reports/{id}"));
    assert_eq!(
        get_json(&ada, &format!("{base}/api/v3.0/expense/reports/{id}")).await["ID"],
        id
    );
    let bert_tok = token_for(&sim, "bert.testperson@demo.example.com").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        get(&bert_tok, &format!("{base}/api/v3.0/expense/reports/{id}"))
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn entries_itemizations_allocations_link_up() {
    let sim = tiny().await;
    let base = sim.base_url();
    let admin = admin_token(&sim).await;
    let entries = crawl(
        &admin,
        &format!("{base}/api/v3.0/expense/entries?user=ALL&limit=33"),
    )
    .await;
    let expected = match sim.data("demo").unwrap() {
        concur_sim::Data::Generated(c) => c.entry_count(),
        _ => unreachable!(),
    };
    assert_eq!(entries.len(), expected);
    let ids: HashSet<_> = entries.iter().map(|e| e["ID"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), expected);
    let reports = crawl(
        &admin,
        &format!("{base}/api/v3.0/expense/reports?user=ALL&limit=100"),
    )
    .await;
    let rids: HashSet<_> = reports.iter().map(|r| r["ID"].as_str().unwrap()).collect();
    assert!(
        entries
            .iter()
            .all(|e| rids.contains(e["ReportID"].as_str().unwrap()))
    );
    // reportID filter
    let rid = reports[0]["ID"].as_str().unwrap();
    let of_one = crawl(
        &admin,
        &format!("{base}/api/v3.0/expense/entries?user=ALL&reportID={rid}"),
    )
    .await;
    assert!(!of_one.is_empty() && of_one.iter().all(|e| e["ReportID"] == rid));
    // itemizations link to itemized entries
    let its = crawl(
        &admin,
        &format!("{base}/api/v3.0/expense/itemizations?user=ALL&limit=100"),
    )
    .await;
    assert!(!its.is_empty());
    for it in &its {
        let e = entries.iter().find(|e| e["ID"] == it["EntryID"]).unwrap();
        assert_eq!(e["HasItemizations"], true);
    }
    let allocs = crawl(
        &admin,
        &format!("{base}/api/v3.0/expense/allocations?user=ALL&limit=100"),
    )
    .await;
    assert!(allocs.len() >= expected);
    assert!(allocs.iter().all(|a| a["Percentage"].is_string()));
    // single GETs with a `$` in the id (percent-encoded)
    let eid = entries[0]["ID"].as_str().unwrap();
    assert!(eid.contains('$'));
    let owner = entries[0]["ReportOwnerID"].as_str().unwrap();
    let one = get_json(
        &admin,
        &format!(
            "{base}/api/v3.0/expense/entries/{}?user={owner}",
            eid.replace('$', "%24")
        ),
    )
    .await;
    assert_eq!(one["ID"], eid);
    assert_eq!(one, entries[0]);
}

#[tokio::test]
async fn xml_without_accept_json_and_missing_token_401() {
    let sim = tiny().await;
    let base = sim.base_url();
    let admin = admin_token(&sim).await;
    let r = client()
        .get(format!("{base}/api/v3.0/expense/reports?user=ALL&limit=2"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("xml")
    );
    let body = r.text().await.unwrap();
    assert!(body.contains("<Reports") && body.contains("<Report>") && body.contains("<NextPage>"));
    let no = client()
        .get(format!("{base}/api/v3.0/expense/reports"))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(no.status(), 401);
    assert!(no.headers().contains_key("concur-correlationid"));
    let cid = client()
        .get(format!("{base}/api/v3.0/expense/reports"))
        .header("concur-correlationid", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(cid.headers()["concur-correlationid"], "abc-123");
}

#[tokio::test]
async fn permission_switches() {
    let sim = with(TenantConfig::generated("demo", Size::Tiny).groups(&[ApiGroup::Users])).await;
    let admin = admin_token(&sim).await;
    let r = get(
        &admin,
        &format!("{}/api/v3.0/expense/reports?user=ALL", sim.base_url()),
    )
    .await;
    assert_eq!(r.status(), 403);
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(v["Message"].as_str().unwrap().contains("expense_report"));
}

#[tokio::test]
async fn token_lifetime_and_expiry() {
    let sim = concur_sim::SimServer::start(
        concur_sim::SimConfig::new()
            .tenant(TenantConfig::generated("demo", Size::Tiny))
            .access_token_lifetime(std::time::Duration::from_secs(60)),
    )
    .await
    .unwrap();
    let t = token_for(&sim, concur_sim::DEMO_USERNAME).await;
    assert_eq!(t["expires_in"], "60");
    let tok = t["access_token"].as_str().unwrap();
    assert_eq!(
        get(tok, &format!("{}/api/v3.0/expense/reports", sim.base_url()))
            .await
            .status(),
        200
    );
    sim.advance_time(std::time::Duration::from_secs(61));
    assert_eq!(
        get(tok, &format!("{}/api/v3.0/expense/reports", sim.base_url()))
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn malformed_ids_and_offsets_are_clean_errors() {
    let sim = tiny().await;
    let base = sim.base_url();
    let admin = admin_token(&sim).await;
    for id in ["gW%C3%A9abc", "gWe%24", "%F0%9F%98%80", "x"] {
        let r = get(
            &admin,
            &format!("{base}/api/v3.0/expense/entries/{id}?user=ada.testperson@demo.example.com"),
        )
        .await;
        assert_eq!(r.status(), 404, "{id}");
    }
    let r = get(
        &admin,
        &format!("{base}/api/v3.0/expense/reports?user=ALL&offset=not-a-token"),
    )
    .await;
    assert_eq!(r.status(), 400);
    let r = get(
        &admin,
        &format!("{base}/api/v3.0/expense/reports?user=ALL&modifiedDateAfter=yesterday"),
    )
    .await;
    assert_eq!(r.status(), 400);
}
