//! Run SaaS discovery over a Concur company: which software services it pays for, what they
//! cost and who owns them, as the SMP JSON document.
//!
//! Simulator (in-process `tiny` company, no network):
//! `cargo run -p concur-smp-examples --example discover_saas [OUT.json]`
//!
//! Real company or external simulator: set `CONCUR_BASE_URL`, `CONCUR_CLIENT_ID`,
//! `CONCUR_CLIENT_SECRET` and `CONCUR_USERNAME` + `CONCUR_PASSWORD` (or
//! `CONCUR_REFRESH_TOKEN`), see [`concur_smp_examples::connect`]. Reads the last 365 days.
//!
//! `ConcurSource` (a `saas_discovery::DiscoverySource`) crawls Expense v3 reports, entries and
//! itemizations, Invoice v3 and Users, classifies each spend line with the built-in
//! `saas-catalog` matcher and streams events into a sink; here a `DocumentBuilder` collects
//! them. The summary goes to stderr; the JSON document to stdout, or to the file given as the
//! first argument.

use std::sync::Arc;

use concur_discovery::{ConcurSource, ConcurSourceConfig};
use concur_smp_examples::connect;
use saas_catalog::{Catalog, Matcher, Rules};
use saas_discovery::{CancellationSignal, DiscoverySource, DocumentBuilder, aggregate_service};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let conn = connect().await?;
    eprintln!("connected to {}", conn.target);
    let matcher = Arc::new(Matcher::new(Catalog::builtin()?, Rules::empty())?);
    let mut config = ConcurSourceConfig::new("example");
    if conn.is_simulator() {
        // the simulator's data ends at its fixed "now", not at the wall clock
        config = config.with_crawl_start(conn.today().and_time(chrono::NaiveTime::MIN));
    }
    let source = ConcurSource::new(conn.client.clone(), matcher, config)?;

    let mut doc = DocumentBuilder::new(source.document_source());
    let outcome = source
        .discover(None, CancellationSignal::new(), &mut doc)
        .await?;
    let doc = doc.build(chrono::Utc::now())?;

    eprintln!("{:<28} {:<20} {:>6}  total", "service", "category", "costs");
    for s in &doc.services {
        let agg = aggregate_service(doc.costs.iter().filter(|c| c.service_id == s.id))?;
        let totals: Vec<String> = agg.totals.iter().map(ToString::to_string).collect();
        let category = s.category.as_deref().unwrap_or("-");
        eprintln!(
            "{:<28} {category:<20} {:>6}  {}",
            s.name,
            agg.cost_count,
            totals.join(" + ")
        );
    }
    let all = aggregate_service(&doc.costs)?;
    let totals: Vec<String> = all.totals.iter().map(ToString::to_string).collect();
    let st = &doc.stats;
    eprintln!(
        "{} service(s), {} cost(s), total {}; {:?} run: {} reports, {} entries, {} invoices, {} unmatched vendors, {} API calls",
        doc.services.len(),
        doc.costs.len(),
        totals.join(" + "),
        outcome.status,
        st.reports_read,
        st.entries_read,
        st.invoices_read,
        doc.unmatched.len(),
        st.api_calls,
    );

    match std::env::args().nth(1) {
        Some(path) => {
            concur_discovery::write_json(&doc, std::fs::File::create(&path)?)?;
            eprintln!("wrote {path}");
        }
        None => concur_discovery::write_json(&doc, std::io::stdout().lock())?,
    }
    Ok(())
}
