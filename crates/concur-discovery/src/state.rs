//! The checkpoint: resume cursor plus what earlier runs emitted (for retractions, findings,
//! unmatched spend and cross-source de-duplication).
//!
//! The checkpoint value is one JSON **string** holding the state's JSON text (a compact
//! representation: a store keeps one string instead of a large JSON tree). The state, version 1:
//! `{"v":1,"system":"concur","connection_id":"acme","cursor":"2026-11-15T00:00:00",
//!   "invoice_cursor":…,"reports":{"<ReportID>":{"costs":[…],"unmatched":[…]}},
//!   "invoices":{"<ID>":{…}},"services":{"zoom":{"confidence":0.95,"evidence":[…]}}}`.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

use chrono::{NaiveDate, NaiveDateTime};
use saas_discovery::{
    Checkpoint, Cost, CostId, CostSourceKind, DiscoveryError, Evidence, Money, ServiceId, SourceRef,
};
use serde::{Deserialize, Serialize};

use crate::mapping::{MAX_EVIDENCE, SYSTEM, UnmatchedItem};

/// Current checkpoint format version.
pub(crate) const VERSION: u32 = 1;

/// A [`CostId`] kept as its 128 bits (16 bytes inline instead of a 34-byte string on the
/// heap); serialized exactly like the cost id (`c_` + 32 hex digits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct CompactId(u128);

impl CompactId {
    pub(crate) fn of(id: &CostId) -> Self {
        let hex = id.as_str().strip_prefix("c_").unwrap_or(id.as_str());
        Self(u128::from_str_radix(hex, 16).unwrap_or(0))
    }

    pub(crate) fn to_cost_id(self) -> CostId {
        CostId::from_raw(format!("c_{:032x}", self.0))
    }
}

impl PartialEq<CostId> for CompactId {
    fn eq(&self, other: &CostId) -> bool {
        *self == CompactId::of(other)
    }
}

impl Serialize for CompactId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("c_{:032x}", self.0))
    }
}

impl<'de> Deserialize<'de> for CompactId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let hex = text
            .strip_prefix("c_")
            .ok_or_else(|| serde::de::Error::custom("cost id must start with c_"))?;
        u128::from_str_radix(hex, 16)
            .map(Self)
            .map_err(serde::de::Error::custom)
    }
}

/// What is remembered of one emitted (or merged) cost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct CostSummary {
    /// Cost id.
    pub id: CompactId,
    /// Service (shared: one allocation per distinct service, not per cost).
    #[serde(rename = "s", with = "shared_service")]
    pub service: Arc<ServiceId>,
    /// Transaction date.
    #[serde(rename = "d")]
    pub date: NaiveDate,
    /// Transaction amount, stored as `"12.30 EUR"`.
    #[serde(rename = "a", with = "compact_money")]
    pub amount: Money,
    /// Entry id.
    #[serde(rename = "e")]
    pub entry_id: Box<str>,
    /// Itemization id, for itemizations.
    #[serde(rename = "i", default, skip_serializing_if = "Option::is_none")]
    pub itemization_id: Option<Box<str>>,
    /// The invoice id this line was merged into (cross-source de-duplication): the cost was
    /// not emitted under its own id.
    #[serde(rename = "m", default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<Box<str>>,
}

impl CostSummary {
    pub(crate) fn of(cost: &Cost) -> Self {
        Self {
            id: CompactId::of(&cost.id),
            service: intern(&cost.service_id),
            date: cost.date,
            amount: cost.amount,
            entry_id: cost.source.entry_id.as_deref().unwrap_or_default().into(),
            itemization_id: cost.source.itemization_id.as_deref().map(Into::into),
            merged_into: None,
        }
    }

    /// The source reference of the expense line.
    pub(crate) fn source_ref(&self, report_id: &str) -> SourceRef {
        match &self.itemization_id {
            Some(i) => SourceRef::new(SYSTEM, CostSourceKind::Itemization)
                .with_report_id(report_id)
                .with_entry_id(&*self.entry_id)
                .with_itemization_id(&**i),
            None => SourceRef::new(SYSTEM, CostSourceKind::ExpenseEntry)
                .with_report_id(report_id)
                .with_entry_id(&*self.entry_id),
        }
    }
}

/// Service ids in use, shared by every cost summary (bounded by the number of distinct
/// services: the catalog's products plus user rules).
static SERVICES: LazyLock<Mutex<HashSet<Arc<ServiceId>>>> =
    LazyLock::new(|| Mutex::new(HashSet::new()));

/// The shared copy of `id`.
pub(crate) fn intern(id: &ServiceId) -> Arc<ServiceId> {
    let mut set = match SERVICES.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(s) = set.get(id) {
        return Arc::clone(s);
    }
    let s = Arc::new(id.clone());
    set.insert(Arc::clone(&s));
    s
}

/// An interned [`ServiceId`], serialized as the plain id.
mod shared_service {
    use std::sync::Arc;

    use saas_discovery::ServiceId;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<S: Serializer>(id: &Arc<ServiceId>, s: S) -> Result<S::Ok, S::Error> {
        id.as_ref().serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<ServiceId>, D::Error> {
        ServiceId::deserialize(d).map(|id| super::intern(&id))
    }
}

/// `Money` as one string `"12.30 EUR"` (half the size of the object form).
mod compact_money {
    use saas_discovery::Money;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(crate) fn serialize<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!(
            "{} {}",
            m.amount_string(),
            m.currency().code()
        ))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let text = String::deserialize(d)?;
        let (amount, code) = text
            .split_once(' ')
            .ok_or_else(|| D::Error::custom(format!("bad amount {text:?}")))?;
        Money::parse_with_code(amount, code).map_err(D::Error::custom)
    }
}

/// What one report contributed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ReportState {
    /// The report owner's login (the owner of every cost of the report).
    #[serde(rename = "o", default, with = "shared_owner")]
    pub owner: Arc<str>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub costs: Vec<CostSummary>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmatched: Vec<UnmatchedItem>,
}

/// A report owner's login shared by every report of that owner, serialized as the plain
/// string.
mod shared_owner {
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(o: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(o)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
        String::deserialize(d).map(Arc::from)
    }
}

/// The distinct owner logins of a state (one allocation per owner, not per report). Not
/// part of the checkpoint; equal whatever it holds.
#[derive(Clone, Debug, Default)]
pub(crate) struct Owners(HashSet<Arc<str>>);

impl PartialEq for Owners {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Owners {
    /// The shared copy of `login`.
    pub(crate) fn intern(&mut self, login: &str) -> Arc<str> {
        if let Some(s) = self.0.get(login) {
            return Arc::clone(s);
        }
        let s: Arc<str> = Arc::from(login);
        self.0.insert(Arc::clone(&s));
        s
    }
}

/// What one invoice contributed (invoices are few; the full cost is kept so that a later
/// matching expense line can be merged into it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct InvoiceState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Cost>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unmatched: Option<UnmatchedItem>,
    /// `(report id, expense cost id)` merged into this invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged: Option<(String, CostId)>,
}

/// Accumulated match information of a service.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ServiceState {
    pub confidence: f64,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

fn evidence_key(e: &Evidence) -> (String, String, String, String) {
    (
        format!("{:?}", e.kind),
        e.field.clone().unwrap_or_default(),
        e.value.clone(),
        e.detail.clone().unwrap_or_default(),
    )
}

impl ServiceState {
    /// Order-independent merge: max confidence, evidence union (sorted, bounded).
    pub(crate) fn absorb(&mut self, confidence: f64, evidence: &[Evidence]) {
        if confidence > self.confidence {
            self.confidence = confidence;
        }
        for e in evidence {
            if !self.evidence.contains(e) {
                self.evidence.push(e.clone());
            }
        }
        self.evidence.sort_by_key(evidence_key);
        self.evidence.truncate(MAX_EVIDENCE);
    }
}

/// The whole checkpoint state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct State {
    pub v: u32,
    pub system: String,
    pub connection_id: String,
    /// Expense windows are complete up to this `modifiedDateBefore` (exclusive).
    #[serde(default)]
    pub cursor: Option<NaiveDateTime>,
    /// Invoices are complete up to this time.
    #[serde(default)]
    pub invoice_cursor: Option<NaiveDateTime>,
    #[serde(default)]
    pub reports: BTreeMap<String, ReportState>,
    #[serde(default)]
    pub invoices: BTreeMap<String, InvoiceState>,
    #[serde(default)]
    pub services: BTreeMap<ServiceId, ServiceState>,
    /// Interned owner logins of `reports`.
    #[serde(skip)]
    pub owners: Owners,
}

impl State {
    pub(crate) fn new(connection_id: &str) -> Self {
        Self {
            v: VERSION,
            system: SYSTEM.to_owned(),
            connection_id: connection_id.to_owned(),
            cursor: None,
            invoice_cursor: None,
            reports: BTreeMap::new(),
            invoices: BTreeMap::new(),
            services: BTreeMap::new(),
            owners: Owners::default(),
        }
    }

    /// Reads a checkpoint produced by this source for this connection.
    pub(crate) fn from_checkpoint(
        c: &Checkpoint,
        connection_id: &str,
    ) -> Result<Self, DiscoveryError> {
        let parsed = match c.as_value() {
            serde_json::Value::String(text) => serde_json::from_str::<State>(text),
            other => serde_json::from_value::<State>(other.clone()),
        };
        let mut s = parsed.map_err(|e| {
            DiscoveryError::InvalidCheckpoint(format!("not a concur checkpoint: {e}"))
        })?;
        if s.v != VERSION || s.system != SYSTEM {
            return Err(DiscoveryError::InvalidCheckpoint(format!(
                "unsupported checkpoint (system {:?}, version {})",
                s.system, s.v
            )));
        }
        if s.connection_id != connection_id {
            return Err(DiscoveryError::InvalidCheckpoint(format!(
                "checkpoint belongs to connection {:?}, not {:?}",
                s.connection_id, connection_id
            )));
        }
        let State {
            reports, owners, ..
        } = &mut s;
        for r in reports.values_mut() {
            r.owner = owners.intern(&r.owner);
        }
        Ok(s)
    }

    #[cfg(test)]
    pub(crate) fn to_checkpoint(&self) -> Checkpoint {
        self.to_checkpoint_sized(0)
    }

    /// The checkpoint, serialized into a buffer of `capacity` bytes up front (the previous
    /// checkpoint's size: no doubling of a large buffer while writing).
    pub(crate) fn to_checkpoint_sized(&self, capacity: usize) -> Checkpoint {
        let mut buf = Vec::with_capacity(capacity);
        let text = match serde_json::to_writer(&mut buf, self) {
            Ok(()) => String::from_utf8(buf).unwrap_or_default(),
            Err(_) => String::new(),
        };
        Checkpoint::new(serde_json::Value::String(text))
    }

    /// Every emitted cost of one service (expense lines not merged into an invoice, and
    /// invoices), borrowed. One service at a time keeps the findings pass small.
    pub(crate) fn cost_facts(&self, service: &ServiceId) -> Vec<CostFact<'_>> {
        let mut out = Vec::new();
        for (rid, r) in &self.reports {
            for c in &r.costs {
                if c.merged_into.is_none() && *c.service == *service {
                    out.push(CostFact {
                        id: c.id,
                        service: &c.service,
                        owner: &r.owner,
                        date: c.date,
                        amount: c.amount,
                        record: (rid, &*c.entry_id),
                    });
                }
            }
        }
        for (iid, i) in &self.invoices {
            if let Some(c) = i.cost.as_ref().filter(|c| c.service_id == *service) {
                out.push(CostFact {
                    id: CompactId::of(&c.id),
                    service: &c.service_id,
                    owner: &c.owner.login_id,
                    date: c.date,
                    amount: c.amount,
                    record: ("invoice", iid),
                });
            }
        }
        out
    }
}

/// What the findings look at for one cost (borrowed from the state).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CostFact<'a> {
    pub id: CompactId,
    pub service: &'a ServiceId,
    pub owner: &'a str,
    pub date: NaiveDate,
    pub amount: Money,
    /// Distinct source record (report and entry, or `invoice` and id), so itemizations of one
    /// entry are never duplicates of each other.
    pub record: (&'a str, &'a str),
}

#[cfg(test)]
mod tests {
    use super::*;
    use saas_discovery::EvidenceKind;

    #[test]
    fn checkpoint_round_trip_and_validation() {
        let mut s = State::new("acme");
        s.cursor = chrono::NaiveDate::from_ymd_opt(2026, 11, 15)
            .unwrap()
            .and_hms_opt(0, 0, 0);
        s.reports.insert("R1".into(), ReportState::default());
        let cp = s.to_checkpoint();
        assert_eq!(State::from_checkpoint(&cp, "acme").unwrap(), s);
        assert!(matches!(
            State::from_checkpoint(&cp, "other"),
            Err(DiscoveryError::InvalidCheckpoint(_))
        ));
        assert!(matches!(
            State::from_checkpoint(&Checkpoint::new(serde_json::json!({"x":1})), "acme"),
            Err(DiscoveryError::InvalidCheckpoint(_))
        ));
    }

    #[test]
    fn service_state_merge_is_order_independent() {
        let a = Evidence::new(EvidenceKind::CatalogAlias, "zoom.us");
        let b = Evidence::new(EvidenceKind::Keyword, "subscription");
        let mut x = ServiceState::default();
        x.absorb(0.7, std::slice::from_ref(&a));
        x.absorb(0.9, std::slice::from_ref(&b));
        let mut y = ServiceState::default();
        y.absorb(0.9, &[b]);
        y.absorb(0.7, &[a]);
        assert_eq!(x, y);
        assert_eq!(x.confidence, 0.9);
    }
}
