//! The docs tenant: self-consistent, and every sample field value preserved (except link ids).

mod common;

use std::collections::HashSet;

use common::*;
use concur_sim::TenantConfig;
use serde_json::Value;

const LINK_KEYS: [&str; 3] = ["EntryID", "URI", "ExpenseID"];

fn sample(name: &str) -> Value {
    let path = format!("{}/data/samples/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn items(name: &str) -> Vec<Value> {
    let v = sample(name);
    match v.get("Items") {
        Some(Value::Array(a)) => a.clone(),
        _ => vec![v],
    }
}

/// Every key of the sample is served with the same value (link ids excepted).
fn assert_preserved(sample: &Value, served: &Value) {
    for (k, v) in sample.as_object().unwrap() {
        if LINK_KEYS.contains(&k.as_str()) {
            continue;
        }
        assert_eq!(served.get(k), Some(v), "field {k} of {}", sample["ID"]);
    }
}

#[tokio::test]
async fn docs_tenant_is_consistent_and_preserves_sample_values() {
    let sim = with(TenantConfig::docs("docs")).await;
    let admin = admin_token(&sim).await;
    let base = sim.base_url();
    let reports = crawl(&admin, &format!("{base}/api/v3.0/expense/reports?user=ALL")).await;
    assert_eq!(reports.len(), 2);
    let mut sample_reports = items("expense-v3-reports-list.json");
    sample_reports.push(sample("expense-v3-reports-get.json"));
    for s in &sample_reports {
        let served = reports
            .iter()
            .find(|r| r["ID"] == s["ID"])
            .expect("sample report served");
        assert_preserved(s, served);
        // the single GET (user=owner) returns the same
        let one = get_json(
            &admin,
            &format!(
                "{base}/api/v3.0/expense/reports/{}?user={}",
                s["ID"].as_str().unwrap(),
                s["OwnerLoginID"].as_str().unwrap()
            ),
        )
        .await;
        assert_preserved(s, &one);
    }
    let rids: HashSet<&str> = reports.iter().map(|r| r["ID"].as_str().unwrap()).collect();
    let entries = crawl(&admin, &format!("{base}/api/v3.0/expense/entries?user=ALL")).await;
    assert_eq!(entries.len(), 3);
    assert!(
        entries
            .iter()
            .all(|e| rids.contains(e["ReportID"].as_str().unwrap()))
    );
    let s = sample("expense-v3-entries-get.json");
    let served = entries.iter().find(|e| e["ID"] == s["ID"]).unwrap();
    assert_preserved(&s, served);
    // entry owners match report owners
    for e in &entries {
        let r = reports.iter().find(|r| r["ID"] == e["ReportID"]).unwrap();
        assert_eq!(e["ReportOwnerID"], r["OwnerLoginID"]);
    }
    let eids: HashSet<&str> = entries.iter().map(|e| e["ID"].as_str().unwrap()).collect();
    let its = crawl(
        &admin,
        &format!("{base}/api/v3.0/expense/itemizations?user=ALL"),
    )
    .await;
    let mut sample_its = items("expense-v3-itemizations-list.json");
    sample_its.push(sample("expense-v3-itemizations-get.json"));
    assert_eq!(its.len(), sample_its.len());
    for s in &sample_its {
        let served = its.iter().find(|x| x["ID"] == s["ID"]).unwrap();
        assert_preserved(s, served);
        assert!(eids.contains(served["EntryID"].as_str().unwrap()));
    }
    let allocs = crawl(
        &admin,
        &format!("{base}/api/v3.0/expense/allocations?user=ALL"),
    )
    .await;
    let mut sample_allocs = items("expense-v3-allocations-list.json");
    sample_allocs.push(sample("expense-v3-allocations-get.json"));
    assert_eq!(allocs.len(), sample_allocs.len());
    for s in &sample_allocs {
        let served = allocs.iter().find(|x| x["ID"] == s["ID"]).unwrap();
        assert_preserved(s, served);
        assert!(
            eids.contains(served["EntryID"].as_str().unwrap()),
            "allocation links to a served entry"
        );
    }
    // a sample id with `$` works on single GETs
    let id = "gWidFO7ikXV66iSvqtG6Yd0wZ%24s4ftzvzTCg";
    let one = get_json(
        &admin,
        &format!("{base}/api/v3.0/expense/entries/{id}?user=jimadmin@concurconnect2.com"),
    )
    .await;
    assert_eq!(one["VendorDescription"], "Chevron");
}
