//! Export formats shared by the CLI and the service: the JSON document, NDJSON events, the SMP
//! expense file-import CSV, a richer costs CSV, and LeanIX LDIF.
//!
//! Every function writes to any [`std::io::Write`]; nothing is buffered beyond one record
//! except where the format needs the whole document (JSON, LDIF).

use std::collections::BTreeMap;
use std::io::Write;

use async_trait::async_trait;
use saas_discovery::{
    Cost, DiscoveryEvent, Document, EventSink, Money, MoneyTotals, ServiceId, SinkError,
};
use serde::Serialize;

/// Header of the SMP expense-management file import (LeanIX SMP template), exactly.
pub const SMP_CSV_HEADER: [&str; 6] = [
    "transaction_date",
    "transaction_id",
    "vendor_description",
    "expense_description",
    "amount",
    "currency",
];

/// Header of [`write_costs_csv`].
pub const COSTS_CSV_HEADER: [&str; 25] = [
    "transaction_date",
    "cost_id",
    "service_id",
    "service_name",
    "vendor_description",
    "expense_description",
    "amount",
    "currency",
    "posted_amount",
    "posted_currency",
    "exchange_rate",
    "owner_login_id",
    "owner_name",
    "owner_email",
    "owner_department",
    "source_kind",
    "report_id",
    "entry_id",
    "itemization_id",
    "invoice_id",
    "also_seen_in",
    "report_status",
    "payment_type",
    "confidence",
    "confidence_band",
];

/// LDIF `connectorType`.
pub const LDIF_CONNECTOR_TYPE: &str = "concur-smp";
/// LDIF `lxVersion`.
pub const LDIF_LX_VERSION: &str = "1.0.0";

/// Errors of the export functions.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// Writing failed.
    #[error("export write failed: {0}")]
    Io(#[from] std::io::Error),
    /// JSON serialization failed.
    #[error("export JSON serialization failed: {0}")]
    Json(#[from] serde_json::Error),
    /// CSV writing failed.
    #[error("export CSV failed: {0}")]
    Csv(#[from] csv::Error),
    /// Totals overflowed.
    #[error("export totals failed: {0}")]
    Money(#[from] saas_discovery::MoneyError),
}

/// Writes the JSON document of `docs/model.md` (pretty-printed, trailing newline).
///
/// # Errors
/// [`ExportError::Io`] / [`ExportError::Json`].
pub fn write_json<W: Write>(doc: &Document, mut w: W) -> Result<(), ExportError> {
    serde_json::to_writer_pretty(&mut w, doc)?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(())
}

/// One NDJSON line: `{"type":"service"|"cost"|"retraction"|"unmatched"|"finding"|
/// "progress"|"checkpoint"|"stats","data":{…}}`; `data` has the model's JSON shape.
#[derive(Serialize)]
struct Line<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'a str,
    data: &'a T,
}

fn write_line<W: Write, T: Serialize>(w: &mut W, kind: &str, data: &T) -> Result<(), ExportError> {
    serde_json::to_writer(&mut *w, &Line { kind, data })?;
    w.write_all(b"\n")?;
    Ok(())
}

/// Writes one event as one NDJSON line (see [`NdjsonSink`] for the shape).
///
/// # Errors
/// [`ExportError::Io`] / [`ExportError::Json`].
pub fn write_event<W: Write>(event: &DiscoveryEvent, mut w: W) -> Result<(), ExportError> {
    match event {
        DiscoveryEvent::Service(s) => write_line(&mut w, "service", s),
        DiscoveryEvent::Cost(c) => write_line(&mut w, "cost", c),
        DiscoveryEvent::Retraction(r) => write_line(&mut w, "retraction", r),
        DiscoveryEvent::Unmatched(u) => write_line(&mut w, "unmatched", u),
        DiscoveryEvent::Finding(f) => write_line(&mut w, "finding", f),
        DiscoveryEvent::Progress(p) => write_line(&mut w, "progress", p),
        DiscoveryEvent::Checkpoint(c) => write_line(&mut w, "checkpoint", c),
        DiscoveryEvent::Stats(s) => write_line(&mut w, "stats", s),
        _ => Ok(()),
    }
}

/// Writes a finished document as NDJSON events: every service, then every cost, unmatched
/// spend, finding, and the stats last (one JSON object per line).
///
/// # Errors
/// [`ExportError::Io`] / [`ExportError::Json`].
pub fn write_ndjson<W: Write>(doc: &Document, mut w: W) -> Result<(), ExportError> {
    for s in &doc.services {
        write_line(&mut w, "service", s)?;
    }
    for c in &doc.costs {
        write_line(&mut w, "cost", c)?;
    }
    for u in &doc.unmatched {
        write_line(&mut w, "unmatched", u)?;
    }
    for f in &doc.findings {
        write_line(&mut w, "finding", f)?;
    }
    write_line(&mut w, "stats", &doc.stats)?;
    w.flush()?;
    Ok(())
}

/// An [`EventSink`] that streams every event as one NDJSON line as it arrives (nothing is
/// buffered, so memory stays flat on any company size). Progress events are skipped unless
/// [`NdjsonSink::with_progress`] is set.
#[derive(Debug)]
pub struct NdjsonSink<W> {
    w: W,
    progress: bool,
}

impl<W: Write + Send> NdjsonSink<W> {
    /// A sink writing to `w`.
    pub fn new(w: W) -> Self {
        Self { w, progress: false }
    }

    /// Also writes progress events.
    #[must_use]
    pub fn with_progress(mut self, on: bool) -> Self {
        self.progress = on;
        self
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.w
    }
}

#[async_trait]
impl<W: Write + Send> EventSink for NdjsonSink<W> {
    async fn emit(&mut self, event: DiscoveryEvent) -> Result<(), SinkError> {
        if matches!(event, DiscoveryEvent::Progress(_)) && !self.progress {
            return Ok(());
        }
        write_event(&event, &mut self.w)
            .map_err(|e| SinkError::with_source("writing NDJSON failed", e))?;
        if matches!(
            event,
            DiscoveryEvent::Checkpoint(_) | DiscoveryEvent::Stats(_)
        ) {
            self.w
                .flush()
                .map_err(|e| SinkError::with_source("flushing NDJSON failed", e))?;
        }
        Ok(())
    }
}

/// Writes the SMP expense file-import CSV: header exactly
/// `transaction_date,transaction_id,vendor_description,expense_description,amount,currency`,
/// one row per cost: date `YYYY-MM-DD`, the stable cost id, the vendor descriptor as given
/// (the service name when there is none), the description, the amount in the transaction
/// currency at its minor units (negative for refunds) and the ISO 4217 code.
///
/// # Errors
/// [`ExportError::Csv`] / [`ExportError::Io`].
pub fn write_smp_csv<W: Write>(doc: &Document, w: W) -> Result<(), ExportError> {
    let names = service_names(doc);
    let mut out = csv::Writer::from_writer(w);
    out.write_record(SMP_CSV_HEADER)?;
    for c in &doc.costs {
        let vendor = c
            .vendor_descriptor
            .clone()
            .unwrap_or_else(|| names.get(&c.service_id).cloned().unwrap_or_default());
        out.write_record([
            c.date.format("%Y-%m-%d").to_string(),
            c.id.to_string(),
            vendor,
            c.description.clone().unwrap_or_default(),
            c.amount.amount_string(),
            c.amount.currency().code().to_owned(),
        ])?;
    }
    out.flush()?;
    Ok(())
}

fn service_names(doc: &Document) -> BTreeMap<ServiceId, String> {
    doc.services
        .iter()
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect()
}

fn also_seen(c: &Cost) -> String {
    c.source
        .also_seen_in
        .iter()
        .map(|r| {
            let id = r.record_id().unwrap_or("");
            format!("{}:{}", r.kind, id)
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// Writes the richer costs CSV ([`COSTS_CSV_HEADER`]): one row per cost with service, owner,
/// posted amount, exchange rate, source ids and confidence.
///
/// # Errors
/// [`ExportError::Csv`] / [`ExportError::Io`].
pub fn write_costs_csv<W: Write>(doc: &Document, w: W) -> Result<(), ExportError> {
    let names = service_names(doc);
    let mut out = csv::Writer::from_writer(w);
    out.write_record(COSTS_CSV_HEADER)?;
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    for c in &doc.costs {
        out.write_record([
            c.date.format("%Y-%m-%d").to_string(),
            c.id.to_string(),
            c.service_id.to_string(),
            names.get(&c.service_id).cloned().unwrap_or_default(),
            s(&c.vendor_descriptor),
            s(&c.description),
            c.amount.amount_string(),
            c.amount.currency().code().to_owned(),
            c.posted_amount
                .map(|m| m.amount_string())
                .unwrap_or_default(),
            c.posted_amount
                .map(|m| m.currency().code().to_owned())
                .unwrap_or_default(),
            c.exchange_rate.map(|r| r.to_string()).unwrap_or_default(),
            c.owner.login_id.clone(),
            s(&c.owner.name),
            s(&c.owner.email),
            s(&c.owner.department),
            c.source.kind.to_string(),
            s(&c.source.report_id),
            s(&c.source.entry_id),
            s(&c.source.itemization_id),
            s(&c.source.invoice_id),
            also_seen(c),
            s(&c.report_status),
            s(&c.payment_type),
            format!("{}", c.confidence.score()),
            c.confidence.band().to_string(),
        ])?;
    }
    out.flush()?;
    Ok(())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Ldif<'a> {
    connector_type: &'a str,
    connector_id: &'a str,
    connector_version: &'a str,
    lx_version: &'a str,
    description: String,
    processing_direction: &'a str,
    processing_mode: &'a str,
    content: Vec<LdifItem>,
}

#[derive(Serialize)]
struct LdifItem {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    data: serde_json::Value,
}

/// Writes a LeanIX LDIF document: header `connectorType` `concur-smp`, `connectorId` the
/// connection id, `connectorVersion` this crate's version, `lxVersion` `1.0.0`,
/// `processingDirection` `inbound`, `processingMode` `partial`; then one `Application` item per
/// service (`id` = service id) whose `data` holds `name`, `vendor`, `category`, `domains`,
/// `firstSeen`, `lastSeen`, `costTotals` (one `{amount,currency}` per currency), `costCount`,
/// `owners` (login ids), `ownerDetails` (login, name, e-mail, department, spend),
/// `confidence` and `confidenceBand`.
///
/// # Errors
/// [`ExportError::Json`] / [`ExportError::Io`] / [`ExportError::Money`].
pub fn write_ldif<W: Write>(doc: &Document, mut w: W) -> Result<(), ExportError> {
    let mut totals: BTreeMap<&ServiceId, (MoneyTotals, u64)> = BTreeMap::new();
    for c in &doc.costs {
        let t = totals.entry(&c.service_id).or_default();
        t.0.add(&c.amount)?;
        t.1 += 1;
    }
    let mut content = Vec::with_capacity(doc.services.len());
    for s in &doc.services {
        let (tot, count): (Vec<Money>, u64) = totals
            .get(&s.id)
            .map(|(t, n)| (t.to_vec(), *n))
            .unwrap_or_default();
        let data = serde_json::json!({
            "name": s.name,
            "vendor": s.vendor,
            "category": s.category,
            "domains": s.domains,
            "firstSeen": s.first_seen,
            "lastSeen": s.last_seen,
            "costTotals": tot,
            "costCount": count,
            "owners": s.owners.iter().map(|o| o.owner.login_id.clone()).collect::<Vec<_>>(),
            "ownerDetails": s.owners.iter().map(|o| serde_json::json!({
                "loginId": o.owner.login_id,
                "name": o.owner.name,
                "email": o.owner.email,
                "department": o.owner.department,
                "spend": o.spend,
                "costCount": o.cost_count,
            })).collect::<Vec<_>>(),
            "confidence": s.confidence.score(),
            "confidenceBand": s.confidence.band().as_str(),
        });
        content.push(LdifItem {
            kind: "Application",
            id: s.id.to_string(),
            data,
        });
    }
    let ldif = Ldif {
        connector_type: LDIF_CONNECTOR_TYPE,
        connector_id: &doc.source.connection_id,
        connector_version: env!("CARGO_PKG_VERSION"),
        lx_version: LDIF_LX_VERSION,
        description: format!(
            "SaaS services discovered in SAP Concur ({} services, {} costs)",
            doc.services.len(),
            doc.costs.len()
        ),
        processing_direction: "inbound",
        processing_mode: "partial",
        content,
    };
    serde_json::to_writer_pretty(&mut w, &ldif)?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Document {
        Document::example().unwrap()
    }

    #[test]
    fn smp_csv_has_exact_header_and_one_row_per_cost() {
        let d = doc();
        let mut buf = Vec::new();
        write_smp_csv(&d, &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "transaction_date,transaction_id,vendor_description,expense_description,amount,currency"
        );
        assert_eq!(lines.count(), d.costs.len());
        let first = &d.costs[0];
        assert!(text.contains(&first.id.to_string()));
        assert!(text.contains(&first.amount.amount_string()));
    }

    #[test]
    fn costs_csv_columns_line_up() {
        let d = doc();
        let mut buf = Vec::new();
        write_costs_csv(&d, &mut buf).unwrap();
        let mut r = csv::Reader::from_reader(buf.as_slice());
        assert_eq!(r.headers().unwrap().len(), COSTS_CSV_HEADER.len());
        let rows: Vec<_> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), d.costs.len());
        assert_eq!(&rows[0][1], d.costs[0].id.as_str());
        assert_eq!(&rows[0][2], d.costs[0].service_id.as_str());
        assert_eq!(&rows[0][11], d.costs[0].owner.login_id.as_str());
    }

    #[test]
    fn ldif_header_and_items() {
        let d = doc();
        let mut buf = Vec::new();
        write_ldif(&d, &mut buf).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v["connectorType"], "concur-smp");
        assert_eq!(v["connectorId"], d.source.connection_id.as_str());
        assert_eq!(v["connectorVersion"], env!("CARGO_PKG_VERSION"));
        assert_eq!(v["lxVersion"], "1.0.0");
        assert_eq!(v["processingDirection"], "inbound");
        assert_eq!(v["processingMode"], "partial");
        let items = v["content"].as_array().unwrap();
        assert_eq!(items.len(), d.services.len());
        assert_eq!(items[0]["type"], "Application");
        assert_eq!(items[0]["id"], d.services[0].id.as_str());
        assert!(items[0]["data"]["costTotals"].is_array());
    }

    #[test]
    fn json_and_ndjson_round_trip() {
        let d = doc();
        let mut buf = Vec::new();
        write_json(&d, &mut buf).unwrap();
        let back: Document = serde_json::from_slice(&buf).unwrap();
        assert_eq!(back, d);
        let mut buf = Vec::new();
        write_ndjson(&d, &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            lines.len(),
            d.services.len() + d.costs.len() + d.unmatched.len() + d.findings.len() + 1
        );
        assert_eq!(lines.last().unwrap()["type"], "stats");
        assert_eq!(lines[0]["type"], "service");
    }

    #[tokio::test]
    async fn ndjson_sink_streams_events() {
        let d = doc();
        let mut sink = NdjsonSink::new(Vec::new());
        sink.emit(DiscoveryEvent::Service(d.services[0].clone()))
            .await
            .unwrap();
        sink.emit(DiscoveryEvent::Cost(d.costs[0].clone()))
            .await
            .unwrap();
        sink.emit(DiscoveryEvent::Progress(saas_discovery::Progress::new(
            "x", 1, None,
        )))
        .await
        .unwrap();
        let text = String::from_utf8(sink.into_inner()).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(
            text.lines()
                .nth(1)
                .unwrap()
                .starts_with("{\"type\":\"cost\"")
        );
    }
}
