//! Things for a human to review: unmatched software spend and findings.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{CostId, Money, MoneyError, MoneyTotals, Owner, ServiceId, SourceRef};

/// Spend that looks like software but matches no catalogued product and no rule.
///
/// Kept for review and **never** turned into a [`Service`](crate::Service) by guessing. One
/// value per normalized vendor name (the key). Build with [`UnmatchedSpend::new`] and
/// [`UnmatchedSpend::record`], which keeps the lists sorted, de-duplicated and bounded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UnmatchedSpend {
    /// Normalized vendor name (lowercase, punctuation folded), the key of this bucket.
    pub vendor: String,
    /// The raw vendor descriptors seen, distinct, sorted, at most
    /// [`UnmatchedSpend::MAX_DESCRIPTORS`].
    pub descriptors: Vec<String>,
    /// Total spend, one entry per currency, sorted by currency code.
    pub totals: Vec<Money>,
    /// Number of records.
    pub count: u64,
    /// Earliest transaction date, `null` before any record.
    pub first_date: Option<NaiveDate>,
    /// Latest transaction date, `null` before any record.
    pub last_date: Option<NaiveDate>,
    /// Distinct owners (by `login_id`), sorted by `login_id`.
    pub owners: Vec<Owner>,
    /// Example source records (the first ones by sort order), at most
    /// [`UnmatchedSpend::MAX_EXAMPLES`].
    pub examples: Vec<SourceRef>,
}

impl UnmatchedSpend {
    /// Maximum number of distinct raw descriptors kept.
    pub const MAX_DESCRIPTORS: usize = 20;
    /// Maximum number of example source references kept.
    pub const MAX_EXAMPLES: usize = 5;

    /// An empty bucket for `vendor` (already normalized by the caller).
    pub fn new(vendor: impl Into<String>) -> Self {
        Self {
            vendor: vendor.into(),
            descriptors: Vec::new(),
            totals: Vec::new(),
            count: 0,
            first_date: None,
            last_date: None,
            owners: Vec::new(),
            examples: Vec::new(),
        }
    }

    /// Adds one record to the bucket.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] if a total overflows (the bucket is then unchanged).
    pub fn record(
        &mut self,
        descriptor: &str,
        amount: Money,
        date: NaiveDate,
        owner: &Owner,
        source: SourceRef,
    ) -> Result<(), MoneyError> {
        let mut totals = MoneyTotals::new();
        for m in &self.totals {
            totals.add(m)?;
        }
        totals.add(&amount)?;
        self.totals = totals.to_vec();
        self.count += 1;
        self.first_date = Some(self.first_date.map_or(date, |d| d.min(date)));
        self.last_date = Some(self.last_date.map_or(date, |d| d.max(date)));
        if let Err(pos) = self
            .descriptors
            .binary_search_by(|d| d.as_str().cmp(descriptor))
            && self.descriptors.len() < Self::MAX_DESCRIPTORS
        {
            self.descriptors.insert(pos, descriptor.to_owned());
        }
        match self
            .owners
            .binary_search_by(|o| o.login_id.cmp(&owner.login_id))
        {
            Ok(_) => {}
            Err(pos) => self.owners.insert(pos, owner.clone()),
        }
        if let Err(pos) = self.examples.binary_search(&source) {
            self.examples.insert(pos, source);
            self.examples.truncate(Self::MAX_EXAMPLES);
        }
        Ok(())
    }
}

/// What a [`Finding`] is about. Unknown kinds in input JSON read as [`FindingKind::Other`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FindingKind {
    /// The same charge appears more than once (same service, date and amount, different
    /// records).
    DuplicateCharge,
    /// Several people pay for the same service separately: a consolidation candidate.
    #[serde(alias = "consolidation_candidate")]
    MultipleOwners,
    /// Spend on a service rose sharply compared with earlier months.
    SpendSpike,
    /// Anything else (also: a kind this version does not know).
    #[serde(other)]
    Other,
}

impl FindingKind {
    /// The snake_case name used in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::DuplicateCharge => "duplicate_charge",
            Self::MultipleOwners => "multiple_owners",
            Self::SpendSpike => "spend_spike",
            Self::Other => "other",
        }
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something a reviewer should look at.
///
/// JSON: `{"kind":"duplicate_charge","message":"…","service_id":"zoom","cost_ids":["c_…","c_…"]}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Finding {
    /// What kind of finding.
    pub kind: FindingKind,
    /// Human-readable explanation (English, one sentence).
    pub message: String,
    /// The service concerned.
    pub service_id: ServiceId,
    /// The costs it refers to, sorted.
    pub cost_ids: Vec<CostId>,
}

impl Finding {
    /// A finding; `cost_ids` are sorted and de-duplicated.
    pub fn new(
        kind: FindingKind,
        message: impl Into<String>,
        service_id: ServiceId,
        mut cost_ids: Vec<CostId>,
    ) -> Self {
        cost_ids.sort();
        cost_ids.dedup();
        Self {
            kind,
            message: message.into(),
            service_id,
            cost_ids,
        }
    }
}
