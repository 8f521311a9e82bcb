//! Source-agnostic SaaS discovery model: services, costs, money, findings, and the
//! [`DiscoverySource`] trait that discovery sources (Concur, test fakes…) implement.
//!
//! This crate has no HTTP dependency and depends on none of the other workspace crates.
//!
//! * Money: [`Money`] (a `rust_decimal::Decimal` + ISO 4217 [`Currency`], rounded to minor
//!   units), [`MoneyTotals`], [`RateTable`].
//! * Model: [`Service`], [`Cost`], [`UnmatchedSpend`], [`Finding`], [`Stats`], [`Checkpoint`].
//! * Streaming: [`DiscoverySource`] emits [`DiscoveryEvent`]s into an [`EventSink`].
//! * Export: [`Document`] (the public JSON contract, see `docs/model.md`) built with
//!   [`DocumentBuilder`].
//! * Aggregations: [`spend_by_service_month`], [`spend_by_owner`], [`annual_run_rate`],
//!   [`aggregate_services`].
//! * Test helpers (feature `test-util`): [`testing::FakeSource`], [`testing::CollectingSink`].

mod aggregate;
mod confidence;
mod cost;
mod document;
mod ids;
mod money;
mod review;
mod run;
mod service;
mod source;
#[cfg(any(test, feature = "test-util"))]
pub mod testing;

pub use aggregate::{
    ConversionError, OwnerSpend, RateTable, ServiceAggregate, ServiceMonthSpend, YearMonth,
    aggregate_service, aggregate_services, annual_run_rate, annual_run_rate_observed,
    run_rate_by_service, run_rate_by_service_observed, spend_by_owner, spend_by_service_month,
};
pub use confidence::{Confidence, ConfidenceBand, Evidence, EvidenceKind, InvalidConfidence};
pub use cost::{Cost, CostSource, CostSourceKind, Owner, SourceRef};
pub use document::{Document, DocumentBuilder, DocumentError, DocumentSource};
pub use ids::{CostId, InvalidServiceId, ServiceId};
pub use money::{
    Money, MoneyError, MoneyTotals, parse_currency, parse_decimal, round_to_minor_units,
    totals_per_currency,
};
pub use review::{Finding, FindingKind, UnmatchedSpend};
pub use run::{Checkpoint, Progress, Retraction, Stats, Warning};
pub use service::{Service, ServiceOrigin, ServiceOwner};
pub use source::{
    CancellationSignal, DiscoveryError, DiscoveryEvent, DiscoveryOutcome, DiscoverySource,
    EventSink, RunStatus, SinkError,
};

/// Re-export of the date type used for transaction dates.
pub use chrono::NaiveDate;
/// Re-export of the ISO 4217 currency type used by [`Money`].
pub use iso_currency::Currency;
/// Re-export of the decimal type used by [`Money`].
pub use rust_decimal::Decimal;
