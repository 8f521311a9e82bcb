//! Stable identifiers.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

use crate::CostSourceKind;

/// A stable service identifier: a lowercase slug such as `zoom` or `microsoft-365`.
///
/// Slugs use `a-z`, `0-9` and `-`, start with a letter or digit and are 1..=64 bytes long.
/// The same product always has the same id on every run and in every export.
///
/// Cloning is cheap (the slug is shared, reference-counted): a discovery run hands the same
/// id to thousands of costs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ServiceId(Arc<str>);

/// Error returned when a string is not a valid [`ServiceId`] slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid service id {0:?}: expected a lowercase slug of a-z, 0-9 and '-' (1 to 64 bytes)")]
pub struct InvalidServiceId(pub String);

impl ServiceId {
    /// Validates and wraps a slug.
    ///
    /// # Errors
    /// [`InvalidServiceId`] when `s` is empty, longer than 64 bytes, or contains anything
    /// but `a-z`, `0-9` and `-`, or starts with `-`.
    pub fn new(s: impl Into<String>) -> Result<Self, InvalidServiceId> {
        let s = s.into();
        let ok = !s.is_empty()
            && s.len() <= 64
            && !s.starts_with('-')
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(Arc::from(s)))
        } else {
            Err(InvalidServiceId(s))
        }
    }

    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ServiceId {
    type Error = InvalidServiceId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl From<ServiceId> for String {
    fn from(id: ServiceId) -> String {
        id.0.to_string()
    }
}

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for ServiceId {
    type Err = InvalidServiceId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

/// A stable cost identifier, derived from the connection's configured identity and the
/// source record id (see [`CostId::derive`]). Same record, same id on every run.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CostId(String);

impl CostId {
    /// Wraps an id that was derived earlier (for example read back from a store).
    pub fn from_raw(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Derives the stable id of a cost record.
    ///
    /// * `connection_id`: the connection's *configured* identity (for example the name the
    ///   operator gave the Concur connection, or the company UUID). Never a URL, never a token
    ///   field, never anything optional that can appear or disappear between runs.
    /// * `kind`: which kind of source record it is (an entry and an invoice may share numbers).
    /// * `record_id`: the source's own record id exactly as sent (e.g. Concur `EntryID`,
    ///   `ItemizationID`, invoice `ID`).
    ///
    /// Result: `c_` followed by the first 32 lowercase hex digits (128 bits) of SHA-256 over a
    /// length-prefixed encoding: for each of the parts `"saas-discovery/cost/v1"`,
    /// `connection_id`, `kind.as_str()`, `record_id`, the byte length as a big-endian `u64`
    /// followed by the UTF-8 bytes. The encoding is unambiguous (`("a","bc")` and `("ab","c")`
    /// differ) and stable: same inputs, same id on every run and every machine.
    pub fn derive(connection_id: &str, kind: CostSourceKind, record_id: &str) -> Self {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for part in [
            "saas-discovery/cost/v1",
            connection_id,
            kind.as_str(),
            record_id,
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        let digest = h.finalize();
        let hex = hex::encode(digest);
        Self(format!("c_{}", &hex[..32]))
    }
}

impl fmt::Display for CostId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
