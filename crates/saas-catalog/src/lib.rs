//! SaaS catalog and vendor-descriptor matcher: decides whether a charge (expense entry or
//! invoice line) is software spend, and which product it is.
//!
//! ```no_run
//! use saas_catalog::{Catalog, Input, Matcher, Rules};
//! let catalog = Catalog::builtin()?;
//! let matcher = Matcher::new(catalog, Rules::empty())?;
//! let c = matcher.classify(&Input {
//!     descriptor: "ZOOM.US 888-799-9666 CA",
//!     expense_type: Some("Software"),
//!     description: None,
//! });
//! assert!(c.is_software);
//! assert_eq!(c.service.as_ref().map(|s| s.as_str()), Some("zoom"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The policy (what counts as software spend), the catalog schema, the matching stages and
//! the rules format are documented in `docs/catalog.md`.

mod catalog;
mod fxhash;
mod index;
mod matcher;
pub mod normalize;
mod policy;
mod rules;

pub use catalog::{Catalog, CatalogError, CatalogIssue, Category, LoadOptions, Product, Vendor};
pub use compact_str::CompactString;
pub use matcher::{
    Classification, Evidence, EvidenceKind, Field, Input, Matcher, MatcherError, NotIdentifiable,
};
pub use normalize::{Normalized, Normalizer};
pub use policy::{Policy, PolicyError, PrefixKind, PrefixRule};
pub use rules::{Rule, RuleAction, RuleField, Rules, RulesError};
pub use saas_discovery::ServiceId;
