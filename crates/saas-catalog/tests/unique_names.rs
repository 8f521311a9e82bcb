//! Catalog hygiene: two different non-umbrella products never share a domain or a legal /
//! billing entity (after the matcher's own normalisation), unless one is the other's parent.
//! A shared name makes the matcher's answer depend on tie-breaking instead of the data.

use std::collections::BTreeMap;

use saas_catalog::{Catalog, Product};

fn related(a: &Product, b: &Product) -> bool {
    a.parent.as_ref() == Some(&b.id) || b.parent.as_ref() == Some(&a.id)
}

/// Every (key, owners) pair where at least two unrelated non-umbrella products share the key.
fn conflicts<'a>(
    catalog: &'a Catalog,
    names: impl Fn(&'a Product) -> Vec<String>,
) -> Vec<(String, Vec<&'a str>)> {
    let mut by_key: BTreeMap<String, Vec<&Product>> = BTreeMap::new();
    for p in catalog.products().iter().filter(|p| !p.umbrella) {
        let mut keys = names(p);
        keys.sort();
        keys.dedup();
        for k in keys.into_iter().filter(|k| !k.is_empty()) {
            by_key.entry(k).or_default().push(p);
        }
    }
    let mut out = Vec::new();
    for (key, owners) in by_key {
        let clash = owners
            .iter()
            .enumerate()
            .any(|(i, a)| owners[i + 1..].iter().any(|b| !related(a, b)));
        if clash {
            out.push((key, owners.iter().map(|p| p.id.as_str()).collect()));
        }
    }
    out
}

#[test]
fn no_domain_shared_by_unrelated_products() {
    let catalog = Catalog::builtin().unwrap();
    let found = conflicts(&catalog, |p| {
        p.domains
            .iter()
            .map(|d| d.trim().to_ascii_lowercase())
            .collect()
    });
    assert!(found.is_empty(), "shared domains: {found:#?}");
}

#[test]
fn no_entity_shared_by_unrelated_products() {
    let catalog = Catalog::builtin().unwrap();
    let norm = catalog.normalizer();
    let found = conflicts(&catalog, |p| {
        p.entities.iter().map(|e| norm.phrase(e)).collect()
    });
    assert!(found.is_empty(), "shared entities: {found:#?}");
}

#[test]
fn checker_detects_a_shared_domain() {
    let toml = r#"
[[product]]
id = "alpha"
name = "Alpha"
vendor = "Alpha Co"
category = "crm"
domains = ["shared.example"]
aliases = ["alpha crm"]

[[product]]
id = "beta"
name = "Beta"
vendor = "Beta Co"
category = "crm"
domains = ["shared.example"]
aliases = ["beta crm"]
entities = ["Beta Holdings Inc"]
"#;
    let catalog = Catalog::from_toml_str(toml).unwrap();
    let found = conflicts(&catalog, |p| p.domains.clone());
    assert_eq!(
        found,
        vec![("shared.example".to_string(), vec!["alpha", "beta"])]
    );
    let entities = conflicts(&catalog, |p| {
        p.entities
            .iter()
            .map(|e| catalog.normalizer().phrase(e))
            .collect()
    });
    assert!(entities.is_empty());
}
