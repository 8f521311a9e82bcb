//! Services: discovered SaaS applications.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Confidence, Evidence, Money, Owner, ServiceId};

/// Where a service definition came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ServiceOrigin {
    /// A catalogued product (`saas-catalog`).
    Catalog,
    /// A user rule ("match descriptor X to app Y").
    Rule,
    /// Anything else (also: an origin this version does not know).
    #[serde(other)]
    Other,
}

/// One owner of a service with what they spent on it.
///
/// JSON: `{"owner":{…Owner…},"spend":[{"amount":"29.98","currency":"EUR"}],"cost_count":2}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServiceOwner {
    /// The person.
    pub owner: Owner,
    /// Their total spend on the service, one entry per currency, sorted by currency code.
    pub spend: Vec<Money>,
    /// Number of costs they have on the service.
    pub cost_count: u64,
}

impl ServiceOwner {
    /// An owner with the given spend totals and cost count.
    pub fn new(owner: Owner, spend: Vec<Money>, cost_count: u64) -> Self {
        Self {
            owner,
            spend,
            cost_count,
        }
    }
}

/// A discovered SaaS application (from the catalog or from a user rule).
///
/// `first_seen`, `last_seen` and `owners` are aggregates of the service's costs; use
/// [`aggregate_services`](crate::aggregate_services) (the [`DocumentBuilder`](crate::DocumentBuilder)
/// does this) so every consumer computes them the same way. Build with [`Service::new`]
/// and the `with_*` setters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Service {
    /// Stable slug, e.g. `zoom`.
    pub id: ServiceId,
    /// Product name, e.g. `Zoom Workplace`.
    pub name: String,
    /// Vendor (company) name, e.g. `Zoom Communications`, if known.
    pub vendor: Option<String>,
    /// Category, e.g. `collaboration`, if known.
    pub category: Option<String>,
    /// Web domains of the product, e.g. `["zoom.us"]`.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Date of the earliest cost (transaction date), `null` when there is no cost.
    pub first_seen: Option<NaiveDate>,
    /// Date of the latest cost, `null` when there is no cost.
    pub last_seen: Option<NaiveDate>,
    /// Who paid, with spend per currency; sorted by `owner.login_id`.
    #[serde(default)]
    pub owners: Vec<ServiceOwner>,
    /// How sure discovery is that this service is in use.
    pub confidence: Confidence,
    /// Why it matched.
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    /// Catalog or user rule.
    pub origin: ServiceOrigin,
}

impl Service {
    /// A catalog service with no vendor, category, domains, costs or evidence, confidence
    /// [`Confidence::CERTAIN`].
    pub fn new(id: ServiceId, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
            vendor: None,
            category: None,
            domains: Vec::new(),
            first_seen: None,
            last_seen: None,
            owners: Vec::new(),
            confidence: Confidence::CERTAIN,
            evidence: Vec::new(),
            origin: ServiceOrigin::Catalog,
        }
    }

    /// Sets the vendor.
    #[must_use]
    pub fn with_vendor(mut self, vendor: impl Into<String>) -> Self {
        self.vendor = Some(vendor.into());
        self
    }

    /// Sets the category.
    #[must_use]
    pub fn with_category(mut self, category: impl Into<String>) -> Self {
        self.category = Some(category.into());
        self
    }

    /// Adds a domain.
    #[must_use]
    pub fn with_domain(mut self, domain: impl Into<String>) -> Self {
        self.domains.push(domain.into());
        self
    }

    /// Sets the confidence.
    #[must_use]
    pub fn with_confidence(mut self, c: Confidence) -> Self {
        self.confidence = c;
        self
    }

    /// Adds one piece of evidence.
    #[must_use]
    pub fn with_evidence(mut self, e: Evidence) -> Self {
        self.evidence.push(e);
        self
    }

    /// Sets the origin.
    #[must_use]
    pub fn with_origin(mut self, origin: ServiceOrigin) -> Self {
        self.origin = origin;
        self
    }
}
