//! Run bookkeeping: checkpoints, statistics, progress, retractions.

use serde::{Deserialize, Serialize};

use crate::CostId;

/// An opaque, serializable resume point.
///
/// Only the source that produced a checkpoint interprets it; stores persist it verbatim (as
/// JSON) and hand it back to [`DiscoverySource::discover`](crate::DiscoverySource::discover).
/// Everything a source emitted *before* a checkpoint event is covered by it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Checkpoint(serde_json::Value);

impl Checkpoint {
    /// Wraps a source-defined JSON value.
    pub fn new(value: serde_json::Value) -> Self {
        Self(value)
    }

    /// The JSON value.
    pub fn as_value(&self) -> &serde_json::Value {
        &self.0
    }

    /// Unwraps the JSON value.
    pub fn into_value(self) -> serde_json::Value {
        self.0
    }
}

/// A non-fatal problem noticed during a run (one broken record, a skipped API group…).
///
/// JSON: `{"code":"decode_error","message":"…","record":"report 1234 entry 56"}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Warning {
    /// Stable machine-readable code in snake_case, e.g. `decode_error`, `coverage_gap`,
    /// `optional_group_skipped`.
    pub code: String,
    /// Human-readable message. Never contains secrets.
    pub message: String,
    /// The record concerned, as a free-form reference (e.g. `report 1234 entry 56`), if any.
    pub record: Option<String>,
}

impl Warning {
    /// A warning without record reference.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            record: None,
        }
    }

    /// Sets the record reference.
    #[must_use]
    pub fn with_record(mut self, record: impl Into<String>) -> Self {
        self.record = Some(record.into());
        self
    }
}

/// Run statistics, filled by the source (mapper). All counters start at 0
/// ([`Stats::default`]); missing fields in input JSON read as 0 / empty, so fields can be
/// added later without breaking stored documents.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Stats {
    /// Expense reports read.
    pub reports_read: u64,
    /// Expense entries read.
    pub entries_read: u64,
    /// Itemizations read.
    pub itemizations_read: u64,
    /// Invoices (payment requests) read.
    pub invoices_read: u64,
    /// Card transactions read.
    pub card_transactions_read: u64,
    /// Costs emitted.
    pub costs_emitted: u64,
    /// Records excluded as personal (non-reimbursable personal expense).
    pub excluded_personal: u64,
    /// Records excluded because of their report / approval status.
    pub excluded_status: u64,
    /// Records excluded by a user "ignore" rule.
    pub excluded_rule: u64,
    /// Records classified as not software spend.
    pub not_software: u64,
    /// Software-looking records that matched no service (see
    /// [`UnmatchedSpend`](crate::UnmatchedSpend)).
    pub unmatched: u64,
    /// Records that could not be decoded (counted, skipped; the rest still flowed).
    pub decode_errors: u64,
    /// Fetches that failed after retries.
    pub fetch_errors: u64,
    /// Warnings about incomplete coverage (e.g. date range or group not readable).
    pub coverage_warnings: u64,
    /// Retractions emitted.
    pub retractions: u64,
    /// API calls made.
    pub api_calls: u64,
    /// Retries made.
    pub retries: u64,
    /// Optional API groups skipped (e.g. `invoice` when the user lacks the role).
    pub optional_groups_skipped: Vec<String>,
    /// Non-fatal warnings, in the order they occurred.
    pub warnings: Vec<Warning>,
}

impl Stats {
    /// Empty statistics (same as [`Stats::default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a warning.
    pub fn warn(&mut self, warning: Warning) {
        self.warnings.push(warning);
    }

    /// Adds every counter of `other` to `self` and appends its lists (skipped groups are kept
    /// distinct).
    pub fn merge(&mut self, other: &Stats) {
        self.reports_read += other.reports_read;
        self.entries_read += other.entries_read;
        self.itemizations_read += other.itemizations_read;
        self.invoices_read += other.invoices_read;
        self.card_transactions_read += other.card_transactions_read;
        self.costs_emitted += other.costs_emitted;
        self.excluded_personal += other.excluded_personal;
        self.excluded_status += other.excluded_status;
        self.excluded_rule += other.excluded_rule;
        self.not_software += other.not_software;
        self.unmatched += other.unmatched;
        self.decode_errors += other.decode_errors;
        self.fetch_errors += other.fetch_errors;
        self.coverage_warnings += other.coverage_warnings;
        self.retractions += other.retractions;
        self.api_calls += other.api_calls;
        self.retries += other.retries;
        for g in &other.optional_groups_skipped {
            if !self.optional_groups_skipped.contains(g) {
                self.optional_groups_skipped.push(g.clone());
            }
        }
        self.warnings.extend(other.warnings.iter().cloned());
    }

    /// `true` when the run may have missed data: `fetch_errors`, `decode_errors` or
    /// `coverage_warnings` above 0 (the CLI maps this to exit code 5, "partial result").
    /// Exclusions and skipped optional groups (not enabled for the company) are statistics,
    /// not a partial result.
    pub fn is_partial(&self) -> bool {
        self.fetch_errors > 0 || self.decode_errors > 0 || self.coverage_warnings > 0
    }
}

/// A cost that no longer exists at the source (deleted entry, report recalled…): stores
/// delete it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Retraction {
    /// The cost to remove.
    pub cost_id: CostId,
    /// Why, e.g. `entry deleted at source`.
    pub reason: String,
}

impl Retraction {
    /// A retraction.
    pub fn new(cost_id: CostId, reason: impl Into<String>) -> Self {
        Self {
            cost_id,
            reason: reason.into(),
        }
    }
}

/// Progress of a run, for progress bars and logs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Progress {
    /// Phase name, e.g. `reports`, `entries`, `invoices`.
    pub phase: String,
    /// Units done in this phase.
    pub done: u64,
    /// Total units in this phase, when known.
    pub total: Option<u64>,
}

impl Progress {
    /// A progress report.
    pub fn new(phase: impl Into<String>, done: u64, total: Option<u64>) -> Self {
        Self {
            phase: phase.into(),
            done,
            total,
        }
    }
}
