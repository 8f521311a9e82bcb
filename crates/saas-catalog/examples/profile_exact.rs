//! Profiling driver for the matcher's hot path (see `docs/catalog.md` §6, Benchmarks).
//!
//! Build with `cargo build --profile bench -p saas-catalog --example profile_exact`, then run
//! `target/release/examples/profile_exact`:
//!
//! - `N`: classifies the dev set's exact-hit rows `N` times (default 200); prints the fastest
//!   pass and the mean, in ns per classification;
//! - `N x norm [only]`: also times the normaliser alone (descriptor + description);
//! - `PER_ROW=1 … 1`: each row timed alone, slowest first;
//! - `1 dump`: every dev-set classification (each row, its descriptor alone, its description
//!   as a descriptor), one per line, to diff the output of two builds;
//! - `one TEXT…`: the normaliser on each string (fastest of 40 × 20,000 calls);
//! - `row DESCRIPTOR [TYPE] [DESCRIPTION]`: one input 2,000 times (for
//!   `valgrind --tool=callgrind --toggle-collect='saas_catalog::matcher::Matcher::classify'`).
use std::sync::Arc;

use saas_catalog::{Catalog, EvidenceKind, Input, Matcher, Rules};

type Row = (String, Option<String>, Option<String>);

fn input(r: &Row) -> Input<'_> {
    Input {
        descriptor: &r.0,
        expense_type: r.1.as_deref(),
        description: r.2.as_deref(),
    }
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    if std::env::args().nth(1).is_some_and(|s| s == "row") {
        let a: Vec<String> = std::env::args().skip(2).collect();
        let catalog = Arc::new(Catalog::builtin().expect("builtin catalog"));
        let matcher = Matcher::new(catalog, Rules::empty()).expect("matcher");
        let i = Input {
            descriptor: &a[0],
            expense_type: a.get(1).map(String::as_str).filter(|s| !s.is_empty()),
            description: a.get(2).map(String::as_str).filter(|s| !s.is_empty()),
        };
        for _ in 0..2000 {
            std::hint::black_box(matcher.classify(std::hint::black_box(&i)));
        }
        eprintln!("{:?}", matcher.classify(&i));
        return;
    }
    if std::env::args().nth(1).is_some_and(|s| s == "one") {
        let catalog = Catalog::builtin().expect("builtin catalog");
        let norm = catalog.normalizer();
        let mut d = saas_catalog::Normalized::default();
        for text in std::env::args().skip(2) {
            let mut best = f64::MAX;
            for _ in 0..40 {
                let t = std::time::Instant::now();
                for _ in 0..20_000 {
                    norm.normalize_into(std::hint::black_box(&text), &mut d);
                    std::hint::black_box(&d);
                }
                best = best.min(t.elapsed().as_nanos() as f64 / 20_000.0);
            }
            eprintln!("{text:?}: {best:.0} ns (fastest of 40) -> {:?}", d.text());
        }
        return;
    }
    let all = std::env::args().nth(2).is_some_and(|s| s == "all");
    let dump = std::env::args().nth(2).is_some_and(|s| s == "dump");
    let catalog = Arc::new(Catalog::builtin().expect("builtin catalog"));
    let matcher = Matcher::new(catalog, Rules::empty()).expect("matcher");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/devset.csv");
    let mut rdr = csv::Reader::from_path(path).expect("devset");
    let mut rows: Vec<Row> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.expect("csv");
        let opt = |i: usize| Some(rec[i].to_string()).filter(|s| !s.is_empty());
        rows.push((rec[0].to_string(), opt(1), opt(2)));
    }
    if dump {
        // every dev-set row, plus each descriptor alone and each description as a descriptor
        for r in &rows {
            let c = matcher.classify(&input(r));
            println!("{:?}\t{c:?}", r.0);
            let c = matcher.classify(&Input {
                descriptor: &r.0,
                expense_type: None,
                description: None,
            });
            println!("{:?}\t{c:?}", r.0);
            if let Some(d) = &r.2 {
                let c = matcher.classify(&Input {
                    descriptor: d,
                    expense_type: r.1.as_deref(),
                    description: Some(&r.0),
                });
                println!("{d:?}\t{c:?}");
            }
        }
        return;
    }
    if !all {
        rows.retain(|r| {
            let c = matcher.classify(&input(r));
            c.service.is_some()
                && c.evidence.first().is_some_and(|e| {
                    matches!(
                        e.kind,
                        EvidenceKind::Alias
                            | EvidenceKind::Entity
                            | EvidenceKind::Pattern
                            | EvidenceKind::Domain
                            | EvidenceKind::BillingEntity
                    )
                })
        });
    }
    if std::env::args().nth(3).is_some_and(|s| s == "norm") {
        let norm = matcher.catalog().normalizer();
        let mut d = saas_catalog::Normalized::default();
        let mut s = saas_catalog::Normalized::default();
        if std::env::args().nth(4).is_some() {
            for _ in 0..n {
                for r in &rows {
                    norm.normalize_into(std::hint::black_box(&r.0), &mut d);
                    std::hint::black_box(&d);
                }
            }
            return;
        }
        let t = std::time::Instant::now();
        for _ in 0..n {
            for r in &rows {
                norm.normalize_into(std::hint::black_box(&r.0), &mut d);
                norm.normalize_text_into(
                    std::hint::black_box(r.2.as_deref().unwrap_or("")),
                    &mut s,
                );
                std::hint::black_box((&d, &s));
            }
        }
        let dt = t.elapsed();
        eprintln!(
            "normalize only: {:.0} ns/row",
            dt.as_nanos() as f64 / (n * rows.len()) as f64
        );
        let t = std::time::Instant::now();
        for _ in 0..n {
            for r in &rows {
                norm.normalize_into(std::hint::black_box(&r.0), &mut d);
                std::hint::black_box(&d);
            }
        }
        let dt = t.elapsed();
        eprintln!(
            "normalize descriptor: {:.0} ns/row",
            dt.as_nanos() as f64 / (n * rows.len()) as f64
        );
        if std::env::args().nth(4).is_some() {
            return;
        }
    }
    if std::env::var_os("PER_ROW").is_some() {
        let mut per: Vec<(f64, String)> = rows
            .iter()
            .map(|r| {
                let mut best = f64::MAX;
                for _ in 0..50 {
                    let t = std::time::Instant::now();
                    for _ in 0..20 {
                        std::hint::black_box(matcher.classify(std::hint::black_box(&input(r))));
                    }
                    best = best.min(t.elapsed().as_nanos() as f64 / 20.0);
                }
                (best, format!("{:?} | {:?} | {:?}", r.0, r.1, r.2))
            })
            .collect();
        per.sort_by(|a, b| b.0.total_cmp(&a.0));
        let total: f64 = per.iter().map(|p| p.0).sum();
        eprintln!(
            "sum of per-row fastest: {:.0} ns/row",
            total / per.len() as f64
        );
        for (t, r) in per.iter().take(25) {
            eprintln!("{t:8.0} ns  {r}");
        }
        let top: f64 = per.iter().take(per.len() / 10).map(|p| p.0).sum();
        eprintln!(
            "slowest 10% of rows: {:.0}% of the time",
            100.0 * top / total
        );
        return;
    }
    let t = std::time::Instant::now();
    let mut k = 0usize;
    let mut best = f64::MAX;
    for _ in 0..n {
        let t = std::time::Instant::now();
        for r in &rows {
            let c = matcher.classify(std::hint::black_box(&input(r)));
            k += c.evidence.len();
            std::hint::black_box(c);
        }
        best = best.min(t.elapsed().as_nanos() as f64 / rows.len() as f64);
    }
    eprintln!("fastest pass: {best:.0} ns/classification");
    let dt = t.elapsed();
    eprintln!(
        "{} rows x {n}: {:.0} ns/classification ({k})",
        rows.len(),
        dt.as_nanos() as f64 / (n * rows.len()) as f64
    );
}
