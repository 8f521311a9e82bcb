//! Match confidence and evidence.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// How sure discovery is that a record belongs to a service: a score in `0.0..=1.0` plus the
/// named [`ConfidenceBand`] it falls in.
///
/// JSON: `{"score":0.92,"band":"very_likely"}`. The band is always derived from the score
/// (a `band` in input JSON is ignored and recomputed), so the two never disagree.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize)]
pub struct Confidence {
    score: f64,
    band: ConfidenceBand,
}

/// Error for a confidence score outside `0.0..=1.0` (or NaN).
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("invalid confidence score {0}: expected a number in 0.0..=1.0")]
pub struct InvalidConfidence(pub f64);

impl Confidence {
    /// Full certainty (`1.0`, very likely), e.g. for a user rule that names the service.
    pub const CERTAIN: Confidence = Confidence {
        score: 1.0,
        band: ConfidenceBand::VeryLikely,
    };

    /// Validates a score.
    ///
    /// # Errors
    /// [`InvalidConfidence`] when `score` is NaN or outside `0.0..=1.0`.
    pub fn new(score: f64) -> Result<Self, InvalidConfidence> {
        if (0.0..=1.0).contains(&score) {
            Ok(Self {
                score,
                band: ConfidenceBand::for_score(score),
            })
        } else {
            Err(InvalidConfidence(score))
        }
    }

    /// Clamps any score into `0.0..=1.0` (NaN becomes `0.0`); for computed scores.
    pub fn clamped(score: f64) -> Self {
        let s = if score.is_nan() {
            0.0
        } else {
            score.clamp(0.0, 1.0)
        };
        Self {
            score: s,
            band: ConfidenceBand::for_score(s),
        }
    }

    /// The score in `0.0..=1.0`.
    pub fn score(&self) -> f64 {
        self.score
    }

    /// The band of the score.
    pub fn band(&self) -> ConfidenceBand {
        self.band
    }
}

impl<'de> Deserialize<'de> for Confidence {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Repr {
            score: f64,
        }
        let r = Repr::deserialize(deserializer)?;
        Confidence::new(r.score).map_err(serde::de::Error::custom)
    }
}

/// Named confidence bands (LeanIX SMP style).
///
/// | band | score |
/// |---|---|
/// | `very_likely` | `>= 0.8` |
/// | `likely` | `>= 0.6` |
/// | `possible` | `>= 0.4` |
/// | `unlikely` | `< 0.4` |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfidenceBand {
    /// Score below 0.4.
    Unlikely,
    /// Score in `0.4..0.6`.
    Possible,
    /// Score in `0.6..0.8`.
    Likely,
    /// Score `0.8` or more.
    VeryLikely,
}

impl ConfidenceBand {
    /// The band a score falls in.
    pub fn for_score(score: f64) -> Self {
        if score >= 0.8 {
            Self::VeryLikely
        } else if score >= 0.6 {
            Self::Likely
        } else if score >= 0.4 {
            Self::Possible
        } else {
            Self::Unlikely
        }
    }

    /// The snake_case name used in JSON (`very_likely`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Unlikely => "unlikely",
            Self::Possible => "possible",
            Self::Likely => "likely",
            Self::VeryLikely => "very_likely",
        }
    }
}

impl fmt::Display for ConfidenceBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reason why a record matched a service.
///
/// JSON: `{"kind":"catalog_alias","field":"vendor_descriptor","value":"ZOOM.US 888-799-9666","detail":"alias zoom.us"}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Evidence {
    /// What kind of signal matched.
    pub kind: EvidenceKind,
    /// The record field the signal was found in (e.g. `vendor_descriptor`, `description`,
    /// `expense_type`), if any.
    pub field: Option<String>,
    /// The text (or code) that matched, as found in the record.
    pub value: String,
    /// Free-text detail, e.g. the catalog alias or the rule id.
    pub detail: Option<String>,
}

impl Evidence {
    /// Evidence of `kind` found as `value` (field and detail unset).
    pub fn new(kind: EvidenceKind, value: impl Into<String>) -> Self {
        Self {
            kind,
            field: None,
            value: value.into(),
            detail: None,
        }
    }

    /// Sets the record field.
    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Sets the detail.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// Kinds of [`Evidence`]. Unknown kinds in input JSON read as [`EvidenceKind::Other`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EvidenceKind {
    /// The catalogued product or vendor name matched.
    CatalogName,
    /// A catalogued alias / descriptor pattern matched.
    CatalogAlias,
    /// A catalogued domain (e.g. `zoom.us`) appeared.
    CatalogDomain,
    /// A user rule matched.
    UserRule,
    /// The card merchant category code is a software MCC (5734, 5817, 5815, 7372, 7379).
    MerchantCategory,
    /// The expense type or spend category suggests software.
    ExpenseType,
    /// A software keyword appeared in the description or business purpose.
    Keyword,
    /// Anything else (also: a kind this version does not know).
    #[serde(other)]
    Other,
}
