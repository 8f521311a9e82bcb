//! Configuration of a [`ConcurSource`](crate::ConcurSource).

use std::path::PathBuf;

use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

/// Which expense-report approval statuses count as spend.
///
/// Concur v3 `ApprovalStatusCode` values (see the Expense v3 Reports page,
/// <https://developer.concur.com/api-reference/expense/expense-report/v3.reports.html>):
/// `A_NOTF` Not Submitted, `A_PEND` Submitted & Pending Approval, `A_APPR` Approved,
/// `A_RESU` Sent Back to Employee, `A_PVAL` Pending Cost Object Approval, `A_PECO`,
/// `A_AAFH`, `A_ACCO`, `A_EXTV`, `A_FILE`, `A_PBDG`, `A_RHLD`, `A_TEXP` and custom codes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StatusPolicy {
    /// Default: every report that was submitted or is further in the workflow, i.e. every
    /// status except `A_NOTF` (not submitted or recalled) and `A_RESU` (sent back). A report
    /// without a status code does not count.
    #[default]
    SubmittedOrLater,
    /// Every report, whatever its status (drafts included).
    All,
    /// Only reports whose `ApprovalStatusCode` is in the list (compared case-insensitively).
    Only(Vec<String>),
}

impl StatusPolicy {
    /// `true` when a report with this `ApprovalStatusCode` counts.
    pub fn counts(&self, approval_status_code: Option<&str>) -> bool {
        let code = approval_status_code.map(str::trim).unwrap_or("");
        match self {
            StatusPolicy::All => true,
            StatusPolicy::SubmittedOrLater => {
                !code.is_empty()
                    && !code.eq_ignore_ascii_case("A_NOTF")
                    && !code.eq_ignore_ascii_case("A_RESU")
            }
            StatusPolicy::Only(list) => list.iter().any(|c| c.trim().eq_ignore_ascii_case(code)),
        }
    }
}

/// Configuration of a [`ConcurSource`](crate::ConcurSource).
///
/// Build with [`ConcurSourceConfig::new`] and the `with_*` setters; every field has a
/// documented default.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ConcurSourceConfig {
    /// The connection's configured identity, used in every
    /// [`CostId::derive`](saas_discovery::CostId::derive) and as LDIF `connectorId`
    /// (for example `acme-prod`). Never a URL or a secret.
    pub connection_id: String,
    /// How far back the first run (no checkpoint) reads, measured on the report's
    /// `LastModifiedDate`. Default 365 days, so annual renewals are seen.
    pub lookback: TimeDelta,
    /// Size of one `modifiedDateAfter`/`modifiedDateBefore` window. Default 30 days.
    pub window: TimeDelta,
    /// How far before the previous crawl start a resumed run begins again (absorbs clock
    /// differences: Concur v3 dates carry no time zone). Default 1 day.
    pub overlap: TimeDelta,
    /// Maximum concurrent HTTP requests for this company (one tokio semaphore), and maximum
    /// windows in flight. Default 4; at least 1.
    pub concurrency: usize,
    /// v3 page size (`limit`, 1..=100). Default 100.
    pub page_size: u32,
    /// Which report statuses count. Default [`StatusPolicy::SubmittedOrLater`].
    pub statuses: StatusPolicy,
    /// Optional user rules file (TOML, `saas-catalog` rules format, see `docs/catalog.md`);
    /// when set, the matcher is rebuilt over the same catalog with these rules.
    pub rules_file: Option<PathBuf>,
    /// The crawl start in Concur time (zone-less; used as `modifiedDateBefore` of the last
    /// window). `None` (default) means "now" in UTC. Inject a fixed value in tests.
    pub crawl_start: Option<NaiveDateTime>,
    /// Read Invoice v3 payment requests as a second cost source when the Invoice group is
    /// granted. Default `true`.
    pub read_invoices: bool,
    /// Read users (owner names, e-mails, departments) when the Users group is granted.
    /// Default `true`.
    pub read_users: bool,
    /// On a run with a checkpoint, ask Concur for every known report (one with costs or
    /// unmatched spend) that this run's windows did not return (`GET /reports/{id}` with the
    /// owner's login); a 404 means the report was deleted and its costs are retracted.
    /// Costs one request per such report. Default `true`.
    pub verify_deleted: bool,
}

impl ConcurSourceConfig {
    /// A configuration with defaults for the connection `connection_id`.
    pub fn new(connection_id: impl Into<String>) -> Self {
        Self {
            connection_id: connection_id.into(),
            lookback: TimeDelta::days(365),
            window: TimeDelta::days(30),
            overlap: TimeDelta::days(1),
            concurrency: 4,
            page_size: 100,
            statuses: StatusPolicy::default(),
            rules_file: None,
            crawl_start: None,
            read_invoices: true,
            read_users: true,
            verify_deleted: true,
        }
    }

    /// Sets the first-run lookback.
    #[must_use]
    pub fn with_lookback(mut self, d: TimeDelta) -> Self {
        self.lookback = d;
        self
    }

    /// Sets the window size.
    #[must_use]
    pub fn with_window(mut self, d: TimeDelta) -> Self {
        self.window = d;
        self
    }

    /// Sets the overlap of a resumed run.
    #[must_use]
    pub fn with_overlap(mut self, d: TimeDelta) -> Self {
        self.overlap = d;
        self
    }

    /// Sets the concurrency cap (clamped to at least 1).
    #[must_use]
    pub fn with_concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Sets the page size (clamped to 1..=100).
    #[must_use]
    pub fn with_page_size(mut self, n: u32) -> Self {
        self.page_size = n.clamp(1, 100);
        self
    }

    /// Sets the status policy.
    #[must_use]
    pub fn with_statuses(mut self, s: StatusPolicy) -> Self {
        self.statuses = s;
        self
    }

    /// Sets the rules file.
    #[must_use]
    pub fn with_rules_file(mut self, p: impl Into<PathBuf>) -> Self {
        self.rules_file = Some(p.into());
        self
    }

    /// Fixes the crawl start (Concur time).
    #[must_use]
    pub fn with_crawl_start(mut self, t: NaiveDateTime) -> Self {
        self.crawl_start = Some(t);
        self
    }

    /// Enables or disables the Invoice source.
    #[must_use]
    pub fn with_invoices(mut self, on: bool) -> Self {
        self.read_invoices = on;
        self
    }

    /// Enables or disables the deleted-report check of resumed runs.
    #[must_use]
    pub fn with_verify_deleted(mut self, on: bool) -> Self {
        self.verify_deleted = on;
        self
    }

    /// Enables or disables the Users lookup.
    #[must_use]
    pub fn with_users(mut self, on: bool) -> Self {
        self.read_users = on;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_counts_submitted_and_later() {
        let p = StatusPolicy::default();
        assert!(p.counts(Some("A_PEND")));
        assert!(p.counts(Some("A_APPR")));
        assert!(p.counts(Some("A_EXTV")));
        assert!(!p.counts(Some("A_NOTF")));
        assert!(!p.counts(Some("a_resu")));
        assert!(!p.counts(None));
        assert!(StatusPolicy::All.counts(Some("A_NOTF")));
        let only = StatusPolicy::Only(vec!["A_APPR".into()]);
        assert!(only.counts(Some("a_appr")));
        assert!(!only.counts(Some("A_PEND")));
    }

    #[test]
    fn defaults() {
        let c = ConcurSourceConfig::new("acme")
            .with_concurrency(0)
            .with_page_size(500);
        assert_eq!(c.lookback, TimeDelta::days(365));
        assert_eq!(c.concurrency, 1);
        assert_eq!(c.page_size, 100);
    }
}
