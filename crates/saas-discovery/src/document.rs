//! The exported JSON document and a builder that applies events like a store.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    Checkpoint, Cost, CostId, DiscoveryEvent, Finding, MoneyError, Progress, Service, ServiceId,
    Stats, UnmatchedSpend, aggregate_services,
};

/// Which connection a document describes.
///
/// JSON: `{"system":"concur","connection_id":"acme-prod","company_id":"…","company_name":"…","base_url":"https://us2.api.concursolutions.com"}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DocumentSource {
    /// Source system, e.g. `concur`.
    pub system: String,
    /// The connection's configured identity (the same string used in
    /// [`CostId::derive`](crate::CostId::derive)).
    pub connection_id: String,
    /// Company id at the source (Concur company UUID), if known.
    pub company_id: Option<String>,
    /// Company name, if known.
    pub company_name: Option<String>,
    /// API base URL (Concur geolocation), if known. Never contains credentials.
    pub base_url: Option<String>,
}

impl DocumentSource {
    /// A source with system and connection id only.
    pub fn new(system: impl Into<String>, connection_id: impl Into<String>) -> Self {
        Self {
            system: system.into(),
            connection_id: connection_id.into(),
            company_id: None,
            company_name: None,
            base_url: None,
        }
    }

    /// Sets the company id.
    #[must_use]
    pub fn with_company_id(mut self, v: impl Into<String>) -> Self {
        self.company_id = Some(v.into());
        self
    }

    /// Sets the company name.
    #[must_use]
    pub fn with_company_name(mut self, v: impl Into<String>) -> Self {
        self.company_name = Some(v.into());
        self
    }

    /// Sets the base URL.
    #[must_use]
    pub fn with_base_url(mut self, v: impl Into<String>) -> Self {
        self.base_url = Some(v.into());
        self
    }
}

/// The JSON document the CLI and the service export (see `docs/model.md`).
///
/// A **public contract**: fields are only ever added. Every top-level field is always present
/// (lists may be empty). Ordering is deterministic: services by `id`, costs by `date` then
/// `id`, unmatched by `vendor`, findings by `service_id`, `kind`, `cost_ids`, `message`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Document {
    /// Version of this document format ([`Document::SCHEMA_VERSION`]).
    #[serde(default = "default_schema_version")]
    pub schema_version: u32,
    /// Which connection it describes.
    pub source: DocumentSource,
    /// When it was generated (RFC 3339, UTC).
    pub generated_at: DateTime<Utc>,
    /// Discovered services.
    pub services: Vec<Service>,
    /// Costs; every `service_id` is one of `services[].id`.
    pub costs: Vec<Cost>,
    /// Software spend that matched no service.
    pub unmatched: Vec<UnmatchedSpend>,
    /// Findings for review.
    pub findings: Vec<Finding>,
    /// Statistics of the run that produced it.
    pub stats: Stats,
}

fn default_schema_version() -> u32 {
    Document::SCHEMA_VERSION
}

/// A document that breaks an invariant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// A cost refers to a service that is not in the document.
    #[error("cost {cost_id} refers to unknown service {service_id}")]
    UnknownService {
        /// The cost.
        cost_id: CostId,
        /// Its service id.
        service_id: ServiceId,
    },
    /// Aggregation overflowed.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl Document {
    /// The current document format version.
    pub const SCHEMA_VERSION: u32 = 1;

    /// The example document of `docs/model.md` as JSON text (byte-identical to the doc).
    pub fn example_json() -> &'static str {
        include_str!("../tests/fixtures/model-example.json")
    }

    /// The example document of `docs/model.md`, parsed.
    ///
    /// # Errors
    /// Never in practice (the example is tested); returns the parse error otherwise.
    pub fn example() -> Result<Document, serde_json::Error> {
        serde_json::from_str(Self::example_json())
    }

    /// Checks that every cost refers to a service of the document.
    ///
    /// # Errors
    /// [`DocumentError::UnknownService`] for the first offending cost.
    pub fn validate(&self) -> Result<(), DocumentError> {
        let ids: BTreeSet<&ServiceId> = self.services.iter().map(|s| &s.id).collect();
        for c in &self.costs {
            if !ids.contains(&c.service_id) {
                return Err(DocumentError::UnknownService {
                    cost_id: c.id.clone(),
                    service_id: c.service_id.clone(),
                });
            }
        }
        Ok(())
    }
}

/// Builds a [`Document`] from [`DiscoveryEvent`]s, applying them like a store would:
/// services upsert by `id`, costs upsert by `id`, retractions delete costs, unmatched spend
/// upserts by `vendor`, findings are de-duplicated, the last `Stats` event wins, the last
/// checkpoint is remembered, progress changes nothing.
#[derive(Clone, Debug)]
pub struct DocumentBuilder {
    source: DocumentSource,
    services: BTreeMap<ServiceId, Service>,
    costs: BTreeMap<CostId, Cost>,
    unmatched: BTreeMap<String, UnmatchedSpend>,
    findings: BTreeSet<Finding>,
    stats: Stats,
    last_checkpoint: Option<Checkpoint>,
    last_progress: Option<Progress>,
}

impl DocumentBuilder {
    /// An empty builder for `source`.
    pub fn new(source: DocumentSource) -> Self {
        Self {
            source,
            services: BTreeMap::new(),
            costs: BTreeMap::new(),
            unmatched: BTreeMap::new(),
            findings: BTreeSet::new(),
            stats: Stats::default(),
            last_checkpoint: None,
            last_progress: None,
        }
    }

    /// Applies one event.
    pub fn apply(&mut self, event: DiscoveryEvent) {
        match event {
            DiscoveryEvent::Service(s) => {
                self.services.insert(s.id.clone(), s);
            }
            DiscoveryEvent::Cost(c) => {
                self.costs.insert(c.id.clone(), c);
            }
            DiscoveryEvent::Retraction(r) => {
                self.costs.remove(&r.cost_id);
            }
            DiscoveryEvent::Unmatched(u) => {
                self.unmatched.insert(u.vendor.clone(), u);
            }
            DiscoveryEvent::Finding(f) => {
                self.findings.insert(f);
            }
            DiscoveryEvent::Progress(p) => self.last_progress = Some(p),
            DiscoveryEvent::Checkpoint(c) => self.last_checkpoint = Some(c),
            DiscoveryEvent::Stats(s) => self.stats = s,
        }
    }

    /// Services by id.
    pub fn services(&self) -> &BTreeMap<ServiceId, Service> {
        &self.services
    }

    /// Costs by id.
    pub fn costs(&self) -> &BTreeMap<CostId, Cost> {
        &self.costs
    }

    /// Unmatched spend by normalized vendor.
    pub fn unmatched(&self) -> &BTreeMap<String, UnmatchedSpend> {
        &self.unmatched
    }

    /// Findings.
    pub fn findings(&self) -> &BTreeSet<Finding> {
        &self.findings
    }

    /// Statistics of the last `Stats` event.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The last checkpoint applied.
    pub fn last_checkpoint(&self) -> Option<&Checkpoint> {
        self.last_checkpoint.as_ref()
    }

    /// The last progress event applied.
    pub fn last_progress(&self) -> Option<&Progress> {
        self.last_progress.as_ref()
    }

    /// Builds the document: deterministic ordering (see [`Document`]); service aggregates
    /// (`first_seen`, `last_seen`, `owners`) recomputed from the final costs with
    /// [`aggregate_services`]; findings that refer to a cost no longer present are dropped.
    ///
    /// # Errors
    /// [`DocumentError::UnknownService`] when a cost refers to a service never emitted;
    /// [`DocumentError::Money`] on overflow.
    pub fn build(&self, generated_at: DateTime<Utc>) -> Result<Document, DocumentError> {
        let mut costs: Vec<Cost> = self.costs.values().cloned().collect();
        costs.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
        let mut services: Vec<Service> = self.services.values().cloned().collect();
        aggregate_services(&mut services, &costs)?;
        let mut findings: Vec<Finding> = self
            .findings
            .iter()
            .filter(|f| f.cost_ids.iter().all(|id| self.costs.contains_key(id)))
            .cloned()
            .collect();
        findings.sort_by(|a, b| {
            (&a.service_id, a.kind, &a.cost_ids, &a.message).cmp(&(
                &b.service_id,
                b.kind,
                &b.cost_ids,
                &b.message,
            ))
        });
        let doc = Document {
            schema_version: Document::SCHEMA_VERSION,
            source: self.source.clone(),
            generated_at,
            services,
            costs,
            unmatched: self.unmatched.values().cloned().collect(),
            findings,
            stats: self.stats.clone(),
        };
        doc.validate()?;
        Ok(doc)
    }
}

/// A [`DocumentBuilder`] is itself a (non-transactional) sink: every event is applied at once.
#[async_trait::async_trait]
impl crate::EventSink for DocumentBuilder {
    async fn emit(&mut self, event: DiscoveryEvent) -> Result<(), crate::SinkError> {
        self.apply(event);
        Ok(())
    }
}
