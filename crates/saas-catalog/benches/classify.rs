//! Matcher throughput over the dev set (one thread) and catalog load time.
//!
//! Run with `cargo bench -p saas-catalog`. Items/s are classifications per second.

use std::sync::{Arc, OnceLock};

use divan::{Bencher, black_box, counter::ItemsCount};
use saas_catalog::{Catalog, Input, Matcher, Rules};

fn main() {
    divan::main();
}

struct Row {
    descriptor: String,
    expense_type: Option<String>,
    description: Option<String>,
    exact: bool,
}

struct Fixture {
    matcher: Matcher,
    rows: Vec<Row>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let catalog = Arc::new(Catalog::builtin().expect("builtin catalog"));
        let matcher = Matcher::new(catalog, Rules::empty()).expect("matcher");
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/devset.csv");
        let mut rdr = csv::Reader::from_path(path).expect("devset");
        let mut rows = Vec::new();
        for rec in rdr.records() {
            let rec = rec.expect("csv");
            let opt = |i: usize| Some(rec[i].to_string()).filter(|s| !s.is_empty());
            rows.push(Row {
                descriptor: rec[0].to_string(),
                expense_type: opt(1),
                description: opt(2),
                exact: false,
            });
        }
        // "exact hits": rows whose first classification is an exact (non-fuzzy) product match
        for r in &mut rows {
            let c = matcher.classify(&input(r));
            r.exact = c.service.is_some()
                && c.evidence.first().is_some_and(|e| {
                    matches!(
                        e.kind,
                        saas_catalog::EvidenceKind::Alias
                            | saas_catalog::EvidenceKind::Entity
                            | saas_catalog::EvidenceKind::Pattern
                            | saas_catalog::EvidenceKind::Domain
                            | saas_catalog::EvidenceKind::BillingEntity
                    )
                });
        }
        Fixture { matcher, rows }
    })
}

fn input(r: &Row) -> Input<'_> {
    Input {
        descriptor: &r.descriptor,
        expense_type: r.expense_type.as_deref(),
        description: r.description.as_deref(),
    }
}

/// Exact catalog hits only (descriptor + type + description as in the dev set).
#[divan::bench]
fn exact_hits(bencher: Bencher<'_, '_>) {
    let f = fixture();
    let rows: Vec<&Row> = f.rows.iter().filter(|r| r.exact).collect();
    bencher.counter(ItemsCount::new(rows.len())).bench(|| {
        for r in &rows {
            black_box(f.matcher.classify(black_box(&input(r))));
        }
    });
}

/// Exact hits on the descriptor alone (no type, no description).
#[divan::bench]
fn exact_hits_descriptor_only(bencher: Bencher<'_, '_>) {
    let f = fixture();
    let rows: Vec<&Row> = f.rows.iter().filter(|r| r.exact).collect();
    bencher.counter(ItemsCount::new(rows.len())).bench(|| {
        for r in &rows {
            let i = Input {
                descriptor: &r.descriptor,
                expense_type: None,
                description: None,
            };
            black_box(f.matcher.classify(black_box(&i)));
        }
    });
}

/// Every dev-set row, end to end (rules, exact, truncation, fuzzy, description, stage 1).
#[divan::bench]
fn end_to_end(bencher: Bencher<'_, '_>) {
    let f = fixture();
    bencher.counter(ItemsCount::new(f.rows.len())).bench(|| {
        for r in &f.rows {
            black_box(f.matcher.classify(black_box(&input(r))));
        }
    });
}

/// Loading and validating the embedded catalog (parse + index build).
#[divan::bench(sample_count = 20)]
fn catalog_load() -> Catalog {
    Catalog::builtin().expect("builtin catalog")
}

/// The normaliser alone on the exact-hit rows: descriptor (prefixes, codes, tails) and
/// description (free text), one `Normalized` reused.
#[divan::bench]
fn normalize_exact_rows(bencher: Bencher<'_, '_>) {
    let f = fixture();
    let rows: Vec<&Row> = f.rows.iter().filter(|r| r.exact).collect();
    let norm = f.matcher.catalog().normalizer();
    let mut d = saas_catalog::Normalized::default();
    let mut s = saas_catalog::Normalized::default();
    bencher
        .counter(ItemsCount::new(rows.len()))
        .bench_local(|| {
            for r in &rows {
                norm.normalize_into(black_box(&r.descriptor), &mut d);
                norm.normalize_text_into(black_box(r.description.as_deref().unwrap_or("")), &mut s);
                black_box((&d, &s));
            }
        });
}
