//! Maps SAP Concur expense reports and invoices to SaaS services and costs: [`ConcurSource`]
//! implements [`saas_discovery::DiscoverySource`] over a [`concur_client::Client`] and a
//! [`saas_catalog::Matcher`].
//!
//! ```no_run
//! # async fn run(client: concur_client::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use concur_discovery::{ConcurSource, ConcurSourceConfig, export};
//! use saas_discovery::{CancellationSignal, DiscoverySource, DocumentBuilder};
//!
//! let matcher = Arc::new(saas_catalog::Matcher::new(
//!     saas_catalog::Catalog::builtin()?,
//!     saas_catalog::Rules::empty(),
//! )?);
//! let source = ConcurSource::new(client, matcher, ConcurSourceConfig::new("acme-prod"))?;
//! let mut sink = saas_discovery::testing::CollectingSink::with_source(source.document_source());
//! # let _ = &mut sink;
//! # Ok(()) }
//! ```
//!
//! * Crawl: v3 reports with `user=ALL` in `modifiedDateAfter`/`modifiedDateBefore` windows, the
//!   entries and itemizations of each report (owner's login), Invoice v3 payment requests and
//!   Users v3 when those groups are granted. See `docs/discovery.md`.
//! * Checkpoints: the resume cursor plus what earlier runs emitted, so recalled or sent-back
//!   reports are retracted and findings cover all known costs.
//! * Exports: [`export`] (JSON document, NDJSON, SMP CSV, costs CSV, LeanIX LDIF).

mod config;
pub mod export;
mod findings;
mod invoices;
mod mapping;
mod source;
mod state;

pub use config::{ConcurSourceConfig, StatusPolicy};
pub use export::{
    ExportError, NdjsonSink, write_costs_csv, write_event, write_json, write_ldif, write_ndjson,
    write_smp_csv,
};
pub use source::{ConcurSource, ConcurSourceError};
