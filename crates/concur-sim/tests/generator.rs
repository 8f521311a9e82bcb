//! Generator determinism, sizes and feature coverage (library only, no HTTP).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use concur_sim::{Company, Data, Size, ground_truth};
use sha2::{Digest, Sha256};

fn now() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 15).unwrap()
}

fn hash_reports(c: &Company, range: std::ops::Range<usize>) -> String {
    let mut h = Sha256::new();
    for i in range {
        let b = c.report(i).unwrap();
        h.update(serde_json::to_vec(&b.report).unwrap());
        for e in &b.entries {
            h.update(serde_json::to_vec(&e.entry).unwrap());
            for x in &e.itemizations {
                h.update(serde_json::to_vec(x).unwrap());
            }
            for x in &e.allocations {
                h.update(serde_json::to_vec(x).unwrap());
            }
        }
    }
    hex::encode(h.finalize())
}

#[test]
fn tiny_is_byte_identical_for_a_seed_and_differs_across_seeds() {
    let a = Company::new("demo", Size::Tiny, 42, now()).unwrap();
    let b = Company::new("demo", Size::Tiny, 42, now()).unwrap();
    let c = Company::new("demo", Size::Tiny, 43, now()).unwrap();
    let n = a.report_count();
    assert_eq!(hash_reports(&a, 0..n), hash_reports(&b, 0..n));
    assert_ne!(hash_reports(&a, 0..n), hash_reports(&c, 0..n));
    // repeated generation of the same report is identical too
    assert_eq!(a.report(7), a.report(7));
}

#[test]
fn demo_slice_is_deterministic() {
    let a = Company::new("demo", Size::Demo, 7, now()).unwrap();
    let b = Company::new("demo", Size::Demo, 7, now()).unwrap();
    assert_eq!(hash_reports(&a, 500..560), hash_reports(&b, 500..560));
}

#[test]
fn tiny_sizes_and_feature_coverage() {
    let c = Company::new("demo", Size::Tiny, 42, now()).unwrap();
    assert_eq!(c.employees.len(), 10);
    assert_eq!(c.report_count(), 40);
    let entries = c.entry_count();
    assert!((150..=260).contains(&entries), "tiny entries {entries}");
    let data = Data::Generated(Box::new(c));
    let rows: Vec<_> = ground_truth(&data).collect();
    let scen: HashSet<&str> = rows.iter().map(|r| r.scenario).collect();
    for s in [
        "refund",
        "personal_software",
        "reseller",
        "reseller_item",
        "hotel",
        "hotel_item",
        "near_miss",
        "invoice",
        "subscription_monthly",
    ] {
        assert!(scen.contains(s), "tiny lacks scenario {s}: {scen:?}");
    }
    assert!(
        rows.iter()
            .any(|r| r.scenario == "refund" && r.amount.is_sign_negative())
    );
    // several owners pay for the same product
    let Data::Generated(c) = &data else {
        unreachable!()
    };
    let mut owners: HashMap<usize, HashSet<u32>> = HashMap::new();
    for s in &c.subscriptions {
        owners.entry(s.product).or_default().insert(s.owner);
    }
    assert!(owners.values().any(|o| o.len() >= 2));
    // personal expenses are flagged IsPersonal
    let personal = (0..c.report_count())
        .flat_map(|i| c.report(i).unwrap().entries)
        .filter(|e| e.truth.scenario == "personal_software")
        .all(|e| e.entry.is_personal);
    assert!(personal);
}

#[test]
fn demo_counts_and_product_coverage() {
    let c = Company::new("demo", Size::Demo, 42, now()).unwrap();
    assert_eq!(c.employees.len(), 1000);
    assert_eq!(c.report_count(), 12_000);
    let n = c.entry_count();
    assert!((45_000..=60_000).contains(&n), "demo entries {n}");
    let products: HashSet<usize> = c.subscriptions.iter().map(|s| s.product).collect();
    assert!(products.len() >= 150, "{}", products.len());
    let currencies: HashSet<&str> = c.employees.iter().map(|e| e.site.currency).collect();
    for cur in ["USD", "EUR", "GBP", "CHF", "JPY", "INR"] {
        assert!(currencies.contains(cur));
    }
    // names are obviously fake
    assert!(
        c.employees
            .iter()
            .all(|e| e.login.ends_with("@demo.example.com"))
    );
    assert_eq!(c.employees[0].login, "ada.testperson@demo.example.com");
}

#[test]
fn ids_round_trip() {
    let c = Company::new("demo", Size::Tiny, 42, now()).unwrap();
    for i in 0..c.report_count() {
        let id = c.report_id(i);
        assert_eq!(id.len(), 20);
        assert_eq!(c.report_index(&id), Some(i));
        let b = c.report(i).unwrap();
        for (n, e) in b.entries.iter().enumerate() {
            assert_eq!(
                c.decode_child_id(&e.entry.id).map(|x| (x.1, x.2)),
                Some((i, n))
            );
            assert_eq!(e.entry.report_id, id);
        }
    }
    assert_eq!(c.report_index("F4F027007E814C1CA70E"), None);
}

#[test]
fn descriptor_products_are_core_product_ids() {
    let core = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../saas-catalog/data/core-products.txt"
    ))
    .unwrap();
    let ids: HashSet<&str> = core
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split(" | ").next())
        .collect();
    let data = concur_sim::generator::descriptors::DescriptorData::embedded().unwrap();
    assert!(data.software.len() >= 150);
    for p in &data.software {
        assert!(
            ids.contains(p.id.as_str()),
            "{} is not a core product id",
            p.id
        );
        assert!(!p.d.is_empty());
    }
    assert!(data.other.iter().filter(|o| o.near_miss.is_some()).count() >= 10);
}

#[test]
fn ground_truth_csv_matches_served_ids() {
    let c = Company::new("demo", Size::Tiny, 42, now()).unwrap();
    let first = c.report(0).unwrap();
    let data = Data::Generated(Box::new(c));
    let mut buf = Vec::new();
    let n = concur_sim::write_ground_truth_csv(&data, &mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    assert_eq!(text.lines().count(), n + 1);
    assert!(
        text.starts_with(
            "kind,id,report_id,product_id,is_software,scenario,vendor,amount,currency\n"
        )
    );
    let e = &first.entries[0];
    assert!(text.contains(&format!("entry,{},{}", e.entry.id, e.entry.report_id)));
    // every software subscription line carries a product id
    for r in ground_truth(&data) {
        if r.scenario.starts_with("subscription") || r.scenario == "refund" {
            assert!(r.product_id.is_some() && r.is_software);
        }
        if r.scenario == "near_miss" {
            assert!(r.product_id.is_none() && !r.is_software);
        }
    }
}

#[test]
fn flat_priced_products_are_not_invoiced_per_seat() {
    let c = Company::new("demo", Size::Demo, 42, now()).unwrap();
    let flat = ["workday", "qualtrics", "stripe", "digitalocean", "docebo"];
    let mut checked = 0;
    for inv in &c.invoices {
        let Some(pid) = inv.truth.product_id.as_deref() else {
            continue;
        };
        if flat.contains(&pid) {
            checked += 1;
            assert!(
                inv.lines.iter().all(|(d, _)| !d.contains("seats")),
                "{pid}: {:?}",
                inv.lines
            );
        }
    }
    assert!(
        checked > 0,
        "no invoice of a flat-priced product in the demo company"
    );
}
