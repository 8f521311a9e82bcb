//! Process metrics in the Prometheus text exposition format (version 0.0.4).
//!
//! Counters are per process (per replica); sum them across replicas in Prometheus.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use crate::store::BatchResult;

/// (name, type, help) of every metric, in output order.
const FAMILIES: &[(&str, &str, &str)] = &[
    (
        "concur_smpd_syncs_total",
        "counter",
        "Finished syncs by connection and status.",
    ),
    (
        "concur_smpd_sync_errors_total",
        "counter",
        "Failed syncs by connection.",
    ),
    (
        "concur_smpd_sync_duration_seconds_sum",
        "counter",
        "Total wall time of finished syncs.",
    ),
    (
        "concur_smpd_sync_duration_seconds_count",
        "counter",
        "Number of timed syncs.",
    ),
    (
        "concur_smpd_sync_last_duration_seconds",
        "gauge",
        "Wall time of the last finished sync.",
    ),
    (
        "concur_smpd_batches_total",
        "counter",
        "Batches (transactions) committed.",
    ),
    (
        "concur_smpd_costs_upserted_total",
        "counter",
        "Costs written (inserted or updated).",
    ),
    (
        "concur_smpd_retractions_total",
        "counter",
        "Costs deleted by retractions.",
    ),
    (
        "concur_smpd_source_api_calls_total",
        "counter",
        "Concur API calls made by syncs.",
    ),
    (
        "concur_smpd_source_retries_total",
        "counter",
        "Concur API retries made by syncs.",
    ),
    (
        "concur_smpd_source_decode_errors_total",
        "counter",
        "Records that could not be decoded.",
    ),
    (
        "concur_smpd_source_fetch_errors_total",
        "counter",
        "Fetches that failed after retries.",
    ),
    (
        "concur_smpd_http_requests_total",
        "counter",
        "HTTP API requests by method, route and status.",
    ),
    (
        "concur_smpd_http_request_duration_seconds_sum",
        "counter",
        "Total HTTP API request time.",
    ),
    (
        "concur_smpd_http_request_duration_seconds_count",
        "counter",
        "Number of HTTP API requests timed.",
    ),
    (
        "concur_smpd_concur_requests_total",
        "counter",
        "HTTP requests sent to Concur by this replica's clients (retries included).",
    ),
    (
        "concur_smpd_concur_retries_total",
        "counter",
        "Requests to Concur that were retries.",
    ),
    (
        "concur_smpd_concur_throttled_total",
        "counter",
        "Concur answers 429 (throttled).",
    ),
    (
        "concur_smpd_concur_errors_total",
        "counter",
        "Concur requests that failed after retries.",
    ),
    (
        "concur_smpd_concur_token_refreshes_total",
        "counter",
        "Concur tokens obtained or refreshed.",
    ),
    (
        "concur_smpd_costs_stored",
        "gauge",
        "Costs currently in the store.",
    ),
    ("concur_smpd_up", "gauge", "1 while the process runs."),
];

/// Thread-safe metric registry.
#[derive(Debug, Default)]
pub struct Metrics {
    values: Mutex<BTreeMap<(&'static str, String), f64>>,
}

fn esc(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn labels(pairs: &[(&str, &str)]) -> String {
    let inner: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", esc(v)))
        .collect();
    if inner.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", inner.join(","))
    }
}

impl Metrics {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    fn add(&self, name: &'static str, label_pairs: &[(&str, &str)], v: f64) {
        let mut m = self.values.lock().unwrap_or_else(|e| e.into_inner());
        *m.entry((name, labels(label_pairs))).or_insert(0.0) += v;
    }

    fn set(&self, name: &'static str, label_pairs: &[(&str, &str)], v: f64) {
        let mut m = self.values.lock().unwrap_or_else(|e| e.into_inner());
        m.insert((name, labels(label_pairs)), v);
    }

    /// Reads one value (tests).
    pub fn get(&self, name: &str, label_pairs: &[(&str, &str)]) -> f64 {
        let m = self.values.lock().unwrap_or_else(|e| e.into_inner());
        m.iter()
            .find(|((n, l), _)| *n == name && *l == labels(label_pairs))
            .map_or(0.0, |(_, v)| *v)
    }

    /// Sets the cumulative client counters of one connection (from the Concur client's own
    /// metrics): `(short name, value)` with names `requests`, `retries`, `throttled`, `errors`,
    /// `token_refreshes`; unknown names are ignored.
    pub fn set_client_counters(&self, connection: &str, counters: &[(&str, u64)]) {
        for (name, v) in counters {
            let family = match *name {
                "requests" => "concur_smpd_concur_requests_total",
                "retries" => "concur_smpd_concur_retries_total",
                "throttled" => "concur_smpd_concur_throttled_total",
                "errors" => "concur_smpd_concur_errors_total",
                "token_refreshes" => "concur_smpd_concur_token_refreshes_total",
                _ => continue,
            };
            self.set(family, &[("connection", connection)], *v as f64);
        }
    }

    /// Records a committed batch.
    pub fn record_batch(&self, connection: &str, r: &BatchResult) {
        let l = [("connection", connection)];
        self.add("concur_smpd_batches_total", &l, 1.0);
        self.add(
            "concur_smpd_costs_upserted_total",
            &l,
            r.costs_upserted as f64,
        );
        self.add("concur_smpd_retractions_total", &l, r.retractions as f64);
    }

    /// Records a finished sync.
    pub fn record_sync(
        &self,
        connection: &str,
        status: &str,
        duration: Duration,
        stats: Option<&saas_discovery::Stats>,
    ) {
        let l = [("connection", connection)];
        self.add(
            "concur_smpd_syncs_total",
            &[("connection", connection), ("status", status)],
            1.0,
        );
        if status == "failed" || status == "lease_lost" {
            self.add("concur_smpd_sync_errors_total", &l, 1.0);
        }
        self.add(
            "concur_smpd_sync_duration_seconds_sum",
            &l,
            duration.as_secs_f64(),
        );
        self.add("concur_smpd_sync_duration_seconds_count", &l, 1.0);
        self.set(
            "concur_smpd_sync_last_duration_seconds",
            &l,
            duration.as_secs_f64(),
        );
        if let Some(s) = stats {
            self.add("concur_smpd_source_api_calls_total", &l, s.api_calls as f64);
            self.add("concur_smpd_source_retries_total", &l, s.retries as f64);
            self.add(
                "concur_smpd_source_decode_errors_total",
                &l,
                s.decode_errors as f64,
            );
            self.add(
                "concur_smpd_source_fetch_errors_total",
                &l,
                s.fetch_errors as f64,
            );
        }
    }

    /// Records one HTTP API request.
    pub fn record_http(&self, method: &str, route: &str, status: u16, duration: Duration) {
        let status = status.to_string();
        self.add(
            "concur_smpd_http_requests_total",
            &[("method", method), ("route", route), ("status", &status)],
            1.0,
        );
        let l = [("route", route)];
        self.add(
            "concur_smpd_http_request_duration_seconds_sum",
            &l,
            duration.as_secs_f64(),
        );
        self.add("concur_smpd_http_request_duration_seconds_count", &l, 1.0);
    }

    /// Renders every metric; `costs_stored` is the current store count, if known.
    pub fn render(&self, costs_stored: Option<i64>) -> String {
        if let Some(n) = costs_stored {
            self.set("concur_smpd_costs_stored", &[], n as f64);
        }
        self.set("concur_smpd_up", &[], 1.0);
        let m = self.values.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = String::new();
        for (name, kind, help) in FAMILIES {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for ((n, l), v) in m.iter() {
                if n == name {
                    let _ = writeln!(out, "{name}{l} {v}");
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_labels_and_types() {
        let m = Metrics::new();
        m.record_http("GET", "/v1/costs", 200, Duration::from_millis(5));
        m.record_http("GET", "/v1/costs", 200, Duration::from_millis(5));
        m.record_sync("acme", "complete", Duration::from_secs(2), None);
        let text = m.render(Some(7));
        assert!(text.contains(
            "concur_smpd_http_requests_total{method=\"GET\",route=\"/v1/costs\",status=\"200\"} 2"
        ));
        assert!(
            text.contains("concur_smpd_syncs_total{connection=\"acme\",status=\"complete\"} 1")
        );
        assert!(text.contains("# TYPE concur_smpd_syncs_total counter"));
        assert!(text.contains("concur_smpd_costs_stored 7"));
        assert_eq!(
            m.get(
                "concur_smpd_sync_duration_seconds_sum",
                &[("connection", "acme")]
            ),
            2.0
        );
    }
}
