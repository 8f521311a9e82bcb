//! One test per fault switch, plus the mutation hooks.

mod common;

use std::time::{Duration, Instant};

use common::*;
use concur_sim::{Faults, Size, TenantConfig};

fn faulty(spec: &str) -> TenantConfig {
    TenantConfig::generated("demo", Size::Tiny).faults(Faults::parse(spec).unwrap())
}

fn reports_url(base: &str) -> String {
    format!("{base}/api/v3.0/expense/reports?user=ALL&limit=5")
}

#[tokio::test]
async fn latency() {
    let sim = with(faulty("latency_ms=150")).await;
    let tok = admin_token(&sim).await;
    let t = Instant::now();
    assert_eq!(get(&tok, &reports_url(sim.base_url())).await.status(), 200);
    assert!(t.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn rate_limit_bursts_with_retry_after() {
    let sim = with(faulty("429_every=4,429_burst=2,retry_after=3")).await;
    let tok = admin_token(&sim).await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let r = get(&tok, &reports_url(sim.base_url())).await;
        let code = r.status().as_u16();
        if code == 429 {
            assert_eq!(r.headers()["retry-after"], "3");
            let v: serde_json::Value = r.json().await.unwrap();
            assert_eq!(v["Message"], "Too Many Requests");
        }
        statuses.push(code);
    }
    assert_eq!(statuses, [200, 200, 429, 429, 200, 200, 429, 429]);
}

#[tokio::test]
async fn server_errors_every_n() {
    let sim = with(faulty("5xx_every=3")).await;
    let tok = admin_token(&sim).await;
    let mut s = Vec::new();
    for _ in 0..6 {
        s.push(
            get(&tok, &reports_url(sim.base_url()))
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(s, [200, 200, 503, 200, 200, 503]);
}

#[tokio::test]
async fn seeded_random_server_errors_are_reproducible() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let sim = with(faulty("5xx_permille=400,seed=9")).await;
        let tok = admin_token(&sim).await;
        let mut s = Vec::new();
        for _ in 0..20 {
            s.push(
                get(&tok, &reports_url(sim.base_url()))
                    .await
                    .status()
                    .as_u16(),
            );
        }
        runs.push(s);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].contains(&503) && runs[0].contains(&200));
}

#[tokio::test]
async fn dropped_connection() {
    let sim = with(faulty("drop_every=2")).await;
    let tok = admin_token(&sim).await;
    let ok = get(&tok, &reports_url(sim.base_url())).await;
    assert!(ok.json::<serde_json::Value>().await.is_ok());
    let dropped = client()
        .get(reports_url(sim.base_url()))
        .bearer_auth(&tok)
        .header("Accept", "application/json")
        .send()
        .await;
    let failed = match dropped {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(failed, "the second request must fail mid-response");
}

#[tokio::test]
async fn token_expiry_every_n_seconds() {
    let sim = with(faulty("token_expiry_secs=30")).await;
    let t = token_for(&sim, concur_sim::DEMO_USERNAME).await;
    assert_eq!(t["expires_in"], "30");
    let tok = t["access_token"].as_str().unwrap();
    assert_eq!(get(tok, &reports_url(sim.base_url())).await.status(), 200);
    sim.advance_time(Duration::from_secs(31));
    let r = get(tok, &reports_url(sim.base_url())).await;
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn repeating_next_page() {
    let sim = with(faulty("repeat_next_page_after=2")).await;
    let tok = admin_token(&sim).await;
    let p1 = get_json(&tok, &reports_url(sim.base_url())).await;
    let u2 = p1["NextPage"].as_str().unwrap().to_owned();
    let p2 = get_json(&tok, &u2).await;
    assert_eq!(
        p2["NextPage"].as_str().unwrap(),
        u2,
        "page 2 points to itself"
    );
    let p2b = get_json(&tok, &u2).await;
    assert_eq!(p2b["Items"], p2["Items"]);
}

#[tokio::test]
async fn modified_during_crawl() {
    let sim = with(faulty("modify_after=2,modify_report=0")).await;
    let tok = admin_token(&sim).await;
    let first = get_json(&tok, &reports_url(sim.base_url())).await;
    let before = first["Items"][0]["LastModifiedDate"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(before.as_str() < "2026-11-15");
    get_json(&tok, &reports_url(sim.base_url())).await;
    let after = get_json(&tok, &reports_url(sim.base_url())).await;
    let bumped = after["Items"][0]["LastModifiedDate"].as_str().unwrap();
    assert!(bumped.starts_with("2026-11-15T12:00"), "{bumped}");
    let rid = after["Items"][0]["ID"].as_str().unwrap();
    let entries = get_json(
        &tok,
        &format!(
            "{}/api/v3.0/expense/entries?user=ALL&reportID={rid}",
            sim.base_url()
        ),
    )
    .await;
    assert!(
        entries["Items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["LastModified"].as_str().unwrap() == bumped)
    );
    // a modifiedDateAfter crawl now finds it
    let inc = get_json(
        &tok,
        &format!(
            "{}/api/v3.0/expense/reports?user=ALL&modifiedDateAfter=2026-11-15",
            sim.base_url()
        ),
    )
    .await;
    assert_eq!(inc["Items"][0]["ID"], rid);
}

#[tokio::test]
async fn header_total_disagrees_with_entries() {
    let sim = with(faulty("total_mismatch=0")).await;
    let tok = admin_token(&sim).await;
    let base = sim.base_url();
    let reports = get_json(
        &tok,
        &format!("{base}/api/v3.0/expense/reports?user=ALL&limit=2"),
    )
    .await;
    for (k, r) in reports["Items"].as_array().unwrap().iter().enumerate() {
        let rid = r["ID"].as_str().unwrap();
        let es = crawl(
            &tok,
            &format!("{base}/api/v3.0/expense/entries?user=ALL&reportID={rid}"),
        )
        .await;
        let sum: rust_decimal::Decimal = es
            .iter()
            .map(|e| {
                e["PostedAmount"]
                    .to_string()
                    .parse::<rust_decimal::Decimal>()
                    .unwrap()
            })
            .sum();
        let total: rust_decimal::Decimal = r["Total"].to_string().parse().unwrap();
        if k == 0 {
            assert_eq!(total, sum + rust_decimal::Decimal::ONE);
        } else {
            assert_eq!(total, sum);
        }
    }
}

#[tokio::test]
async fn recall_and_delete_hooks() {
    let sim = tiny().await;
    let tok = admin_token(&sim).await;
    let base = sim.base_url();
    let all = crawl(
        &tok,
        &format!("{base}/api/v3.0/expense/reports?user=ALL&limit=100"),
    )
    .await;
    let submitted = all
        .iter()
        .find(|r| r["ApprovalStatusCode"] == "A_APPR")
        .unwrap();
    let rid = submitted["ID"].as_str().unwrap();
    sim.recall_report("demo", rid).unwrap();
    let owner = submitted["OwnerLoginID"].as_str().unwrap();
    let r = get_json(
        &tok,
        &format!("{base}/api/v3.0/expense/reports/{rid}?user={owner}"),
    )
    .await;
    assert_eq!(r["ApprovalStatusCode"], "A_NOTF");
    assert!(r["SubmitDate"].is_null());
    assert!(
        r["LastModifiedDate"].as_str().unwrap() > submitted["LastModifiedDate"].as_str().unwrap()
    );
    sim.delete_report("demo", rid).unwrap();
    assert_eq!(
        get(
            &tok,
            &format!("{base}/api/v3.0/expense/reports/{rid}?user={owner}")
        )
        .await
        .status(),
        404
    );
    let after = crawl(
        &tok,
        &format!("{base}/api/v3.0/expense/reports?user=ALL&limit=100"),
    )
    .await;
    assert_eq!(after.len(), all.len() - 1);
    let es = crawl(
        &tok,
        &format!("{base}/api/v3.0/expense/entries?user=ALL&reportID={rid}"),
    )
    .await;
    assert!(es.is_empty());
    assert!(sim.delete_report("demo", "NOPE").is_err());
}

#[test]
fn fault_spec_parsing() {
    let f = Faults::parse("latency_ms=5,429_every=10,429_burst=2,retry_after=0,5xx_every=7,drop_every=13,token_expiry_secs=30,repeat_next_page_after=2,modify_after=5,modify_report=1,total_mismatch=3").unwrap();
    assert_eq!(f.latency, Some(Duration::from_millis(5)));
    assert_eq!(f.rate_limit.unwrap().burst, 2);
    assert_eq!(f.modify_during_crawl.unwrap().report_index, 1);
    assert_eq!(f.total_mismatch_reports, vec![3]);
    assert!(Faults::parse("bogus=1").is_err());
    assert!(Faults::parse("latency_ms=x").is_err());
}
