//! [`ConcurSource`]: the crawl (windows, pages, per-report reads, invoices, users) and the
//! ordered emission of events and checkpoints.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{NaiveDateTime, TimeDelta, Utc};
use futures::StreamExt;
use saas_catalog::{Matcher, Rules};
use saas_discovery::{
    CancellationSignal, Checkpoint, Confidence, Cost, CostSource, DiscoveryError, DiscoveryEvent,
    DiscoveryOutcome, DiscoverySource, DocumentSource, EventSink, Owner, Progress, Retraction,
    RunStatus, ServiceId, Stats, UnmatchedSpend, Warning,
};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use concur_client::models::expense::{Entry, Itemization, Report};
use concur_client::{Client, Cursor, Page, Paginator};

use crate::config::ConcurSourceConfig;
use crate::findings::findings;
use crate::mapping::{
    Line, MapCtx, ReportCtx, UnmatchedItem, entry_input, itemization_input, map_line, max_date_for,
    service_for,
};
use crate::state::{CostSummary, ReportState, State};

/// Warnings kept in the statistics at most (the counters keep counting).
const MAX_WARNINGS: usize = 1000;
/// Prefix of the message of a 404 [`CallError::Failed`].
const NOT_FOUND: &str = "not found";
/// Pages followed at most per listing (guards against a server that never ends).
const MAX_PAGES: usize = 100_000;

/// Error building a [`ConcurSource`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConcurSourceError {
    /// The rules file could not be read.
    #[error("cannot read rules file {path}: {source}")]
    RulesFile {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The rules file is invalid.
    #[error(transparent)]
    Rules(#[from] saas_catalog::RulesError),
    /// The rules do not fit the catalog (unknown service…).
    #[error(transparent)]
    Matcher(#[from] saas_catalog::MatcherError),
    /// A configuration value is out of range.
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// The SAP Concur discovery source: reads Expense v3 reports, entries and itemizations,
/// Invoice v3 payment requests and Users, classifies each spend line with the
/// `saas-catalog` matcher and streams services, costs, retractions, unmatched spend,
/// findings, checkpoints and statistics (see `docs/discovery.md`).
///
/// Doc pages: <https://developer.concur.com/api-reference/expense/expense-report/v3.reports.html>,
/// <https://developer.concur.com/api-reference/expense/expense-report/expense-entry.html>,
/// <https://developer.concur.com/api-reference/expense/expense-report/expense-itemization.html>,
/// <https://developer.concur.com/api-reference/invoice/v3.payment-request-digest.html>.
#[derive(Clone, Debug)]
pub struct ConcurSource {
    client: Client,
    matcher: Arc<Matcher>,
    config: ConcurSourceConfig,
}

impl ConcurSource {
    /// A source over `client` (already configured with credentials and base URL) and
    /// `matcher`. When `config.rules_file` is set the matcher is rebuilt over the same catalog
    /// with those rules.
    ///
    /// # Errors
    /// [`ConcurSourceError`] when the rules file cannot be read or does not fit the catalog,
    /// or a duration in the configuration is not positive.
    pub fn new(
        client: Client,
        matcher: Arc<Matcher>,
        config: ConcurSourceConfig,
    ) -> Result<Self, ConcurSourceError> {
        if config.window <= TimeDelta::zero() {
            return Err(ConcurSourceError::Config("window must be positive".into()));
        }
        if config.lookback <= TimeDelta::zero() {
            return Err(ConcurSourceError::Config(
                "lookback must be positive".into(),
            ));
        }
        if config.overlap < TimeDelta::zero() {
            return Err(ConcurSourceError::Config(
                "overlap must not be negative".into(),
            ));
        }
        if config.connection_id.trim().is_empty() {
            return Err(ConcurSourceError::Config(
                "connection id must not be empty".into(),
            ));
        }
        let matcher = match &config.rules_file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| {
                    ConcurSourceError::RulesFile {
                        path: path.display().to_string(),
                        source,
                    }
                })?;
                let rules = Rules::from_toml_str(&text)?;
                Arc::new(Matcher::new(matcher.catalog().clone(), rules)?)
            }
            None => matcher,
        };
        Ok(Self {
            client,
            matcher,
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ConcurSourceConfig {
        &self.config
    }

    /// The matcher in use.
    pub fn matcher(&self) -> &Arc<Matcher> {
        &self.matcher
    }

    /// The `source` block of an exported document for this connection (system `concur`,
    /// connection id, API base URL).
    pub fn document_source(&self) -> DocumentSource {
        let mut url = self.client.base_url();
        url.set_query(None);
        DocumentSource::new("concur", self.config.connection_id.clone())
            .with_base_url(url.as_str().trim_end_matches('/'))
    }
}

// ---------------------------------------------------------------------------------------------
// Shared crawl state

#[derive(Clone, Debug, Default)]
struct UserInfo {
    name: Option<String>,
    email: Option<String>,
    department: Option<String>,
}

/// Why a call did not return data.
#[derive(Debug)]
pub(crate) enum CallError {
    /// The crawl is stopping (fatal error elsewhere or cancellation).
    Aborted,
    /// Authentication or expense permission failure; recorded in `fatal`.
    Fatal,
    /// An optional group is not granted.
    OptionalDenied(String),
    /// Anything else (after the client's retries): the window fails.
    Failed(String),
}

pub(crate) struct Shared {
    pub(crate) client: Client,
    matcher: Arc<Matcher>,
    pub(crate) cfg: ConcurSourceConfig,
    sem: Semaphore,
    abort: CancellationToken,
    fatal: Mutex<Option<DiscoveryError>>,
    users: HashMap<String, UserInfo>,
    max_date: chrono::NaiveDate,
}

impl Shared {
    fn set_fatal(&self, e: DiscoveryError) {
        if let Ok(mut f) = self.fatal.lock()
            && f.is_none()
        {
            *f = Some(e);
        }
        self.abort.cancel();
    }

    fn take_fatal(&self) -> Option<DiscoveryError> {
        self.fatal.lock().ok().and_then(|mut f| f.take())
    }

    /// Runs one HTTP call under the company semaphore; stops at once when the crawl aborts.
    pub(crate) async fn call<T>(
        &self,
        optional: bool,
        fut: impl Future<Output = concur_client::Result<T>>,
    ) -> Result<T, CallError> {
        let _permit = tokio::select! {
            _ = self.abort.cancelled() => return Err(CallError::Aborted),
            p = self.sem.acquire() => p.map_err(|_| CallError::Aborted)?,
        };
        let r = tokio::select! {
            _ = self.abort.cancelled() => return Err(CallError::Aborted),
            r = fut => r,
        };
        r.map_err(|e| self.classify(optional, e))
    }

    fn classify(&self, optional: bool, e: concur_client::Error) -> CallError {
        use concur_client::Error as E;
        match e {
            E::NotFound(_) if optional => CallError::OptionalDenied(e.to_string()),
            E::NotFound(_) => CallError::Failed(e.to_string()),
            E::Authentication(_) | E::ReauthorizeRequired(_) | E::UntrustedBaseUrl { .. } => {
                self.set_fatal(DiscoveryError::Authentication(e.to_string()));
                CallError::Fatal
            }
            E::Permission { .. } if optional => CallError::OptionalDenied(e.to_string()),
            E::Permission { .. } => {
                self.set_fatal(DiscoveryError::Permission(e.to_string()));
                CallError::Fatal
            }
            other => CallError::Failed(other.to_string()),
        }
    }

    pub(crate) fn owner_for(&self, login: &str, name: Option<&str>) -> Owner {
        let mut o = Owner::new(login);
        let info = self.users.get(&login.to_lowercase());
        if let Some(n) = name
            .filter(|n| !n.trim().is_empty())
            .map(str::to_owned)
            .or_else(|| info.and_then(|i| i.name.clone()))
        {
            o = o.with_name(n);
        }
        if let Some(i) = info {
            if let Some(e) = &i.email {
                o = o.with_email(e.clone());
            }
            if let Some(d) = &i.department {
                o = o.with_department(d.clone());
            }
        }
        o
    }

    pub(crate) fn map_ctx(&self) -> MapCtx<'_> {
        MapCtx {
            connection_id: &self.cfg.connection_id,
            matcher: &self.matcher,
            max_date: self.max_date,
        }
    }
}

/// Follows every page of a listing, collecting items and per-item decode errors.
pub(crate) async fn fetch_all<T: Send + 'static>(
    sh: &Shared,
    optional: bool,
    mk: impl Fn() -> Paginator<T>,
    first: Option<Page<T>>,
) -> Result<(Vec<T>, Vec<String>), CallError> {
    let mut items = Vec::new();
    let mut skipped = Vec::new();
    let mut seen: HashSet<Cursor> = HashSet::new();
    let mut page = match first {
        Some(p) => p,
        None => sh.call(optional, mk().send()).await?,
    };
    for _ in 0..MAX_PAGES {
        skipped.extend(page.skipped.drain(..).map(|e| e.to_string()));
        let next = page.next.take();
        items.append(&mut page.items);
        let Some(c) = next else {
            return Ok((items, skipped));
        };
        if !seen.insert(c.clone()) {
            return Err(CallError::Failed(
                "the server repeated a next-page link".into(),
            ));
        }
        page = sh.call(optional, mk().send_at(&c)).await?;
    }
    Err(CallError::Failed("too many pages".into()))
}

// ---------------------------------------------------------------------------------------------
// Windows and reports

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Window {
    after: NaiveDateTime,
    before: NaiveDateTime,
}

/// Splits `[from, to)` into windows of `size` (the last one ends exactly at `to`).
fn plan_windows(from: NaiveDateTime, to: NaiveDateTime, size: TimeDelta) -> Vec<Window> {
    let mut out = Vec::new();
    let mut a = from;
    while a < to {
        let b = (a + size).min(to);
        out.push(Window {
            after: a,
            before: b,
        });
        a = b;
    }
    out
}

enum ReportKind {
    /// The report's status does not count: retract what it had.
    Excluded,
    /// Mapped lines (costs and unmatched only).
    Mapped(Vec<Line>),
    /// Could not be read: keep what it had.
    Failed,
}

struct ReportOutcome {
    report_id: String,
    kind: ReportKind,
}

/// What window tasks send to the run loop (bounded channel: back-pressure, no buffering of
/// whole windows).
enum Msg {
    /// One report, fully read and mapped.
    Report(ReportOutcome, Box<Stats>),
    /// A window ended (after all its reports were sent).
    WindowDone {
        index: usize,
        failed: bool,
        stats: Box<Stats>,
    },
}

pub(crate) fn coverage(
    stats: &mut Stats,
    code: &str,
    message: impl Into<String>,
    record: impl Into<String>,
) {
    stats.coverage_warnings += 1;
    stats.warn(Warning::new(code, message).with_record(record));
}

fn reports_list(sh: &Shared, w: Window) -> concur_client::api::expense::ListReports {
    sh.client
        .expense()
        .reports()
        .list()
        .user_all()
        .modified_after(w.after)
        .modified_before(w.before)
        .limit(sh.cfg.page_size)
}

async fn process_window(
    sh: Arc<Shared>,
    index: usize,
    w: Window,
    first: Option<Page<Report>>,
    tx: tokio::sync::mpsc::Sender<Msg>,
) {
    let mut stats = Stats::default();
    let mut failed = false;
    let mut seen: HashSet<Cursor> = HashSet::new();
    let list = reports_list(&sh, w);
    let mut page = match first {
        Some(p) => Ok(p),
        None => sh.call(false, list.clone().send()).await,
    };
    let mut pages = 0usize;
    loop {
        let mut p = match page {
            Ok(p) => p,
            Err(e) => {
                failed = true;
                if let CallError::Failed(msg) = e {
                    stats.fetch_errors += 1;
                    coverage(
                        &mut stats,
                        "fetch_failed",
                        format!("report list page failed: {msg}"),
                        format!("window {} .. {}", w.after, w.before),
                    );
                }
                break;
            }
        };
        pages += 1;
        for e in p.skipped.drain(..) {
            stats.decode_errors += 1;
            coverage(
                &mut stats,
                "decode_error",
                format!("a report could not be decoded: {e}"),
                format!("window {} .. {}", w.after, w.before),
            );
        }
        let items = std::mem::take(&mut p.items);
        let mut outs = futures::stream::iter(items)
            .map(|r| process_report(&sh, r))
            .buffered(sh.cfg.concurrency.max(1));
        while let Some((o, s)) = outs.next().await {
            if matches!(o.kind, ReportKind::Failed) {
                failed = true;
            }
            if tx.send(Msg::Report(o, Box::new(s))).await.is_err() {
                return; // the run loop stopped
            }
        }
        match p.next.take() {
            None => break,
            Some(c) => {
                if pages >= MAX_PAGES || !seen.insert(c.clone()) {
                    failed = true;
                    stats.fetch_errors += 1;
                    coverage(
                        &mut stats,
                        "fetch_failed",
                        "the server repeated a next-page link",
                        format!("window {} .. {}", w.after, w.before),
                    );
                    break;
                }
                page = sh.call(false, list.clone().paginator().send_at(&c)).await;
            }
        }
    }
    let _ = tx
        .send(Msg::WindowDone {
            index,
            failed,
            stats: Box::new(stats),
        })
        .await;
}

async fn process_report(sh: &Shared, report: Report) -> (ReportOutcome, Stats) {
    let mut stats = Stats::default();
    stats.reports_read = 1;
    let rid = report.id.clone();
    let login = report
        .owner_login_id
        .clone()
        .filter(|l| !l.trim().is_empty())
        .unwrap_or_default();
    if !sh
        .cfg
        .statuses
        .counts(report.approval_status_code.as_deref())
    {
        stats.excluded_status += 1;
        return (
            ReportOutcome {
                report_id: rid,
                kind: ReportKind::Excluded,
            },
            stats,
        );
    }
    let failed = |mut stats: Stats, what: &str, e: CallError| {
        if let CallError::Failed(msg) = e {
            stats.fetch_errors += 1;
            coverage(
                &mut stats,
                "fetch_failed",
                format!("{what} could not be read: {msg}"),
                format!("report {rid}"),
            );
        }
        (
            ReportOutcome {
                report_id: rid.clone(),
                kind: ReportKind::Failed,
            },
            stats,
        )
    };
    let entries_list = || {
        let mut l = sh
            .client
            .expense()
            .entries()
            .list()
            .report_id(rid.clone())
            .limit(sh.cfg.page_size);
        if !login.is_empty() {
            l = l.user(login.clone());
        }
        l.paginator()
    };
    let (entries, skipped): (Vec<Entry>, Vec<String>) =
        match fetch_all(sh, false, entries_list, None).await {
            Ok(x) => x,
            Err(e) => return failed(stats, "entries", e),
        };
    for e in &skipped {
        stats.decode_errors += 1;
        coverage(
            &mut stats,
            "decode_error",
            format!("an entry could not be decoded: {e}"),
            format!("report {rid}"),
        );
    }
    let mut itemizations: BTreeMap<String, Vec<Itemization>> = BTreeMap::new();
    if entries.iter().any(|e| e.has_itemizations == Some(true)) {
        let it_list = || {
            let mut l = sh
                .client
                .expense()
                .itemizations()
                .list()
                .report_id(rid.clone())
                .limit(sh.cfg.page_size);
            if !login.is_empty() {
                l = l.user(login.clone());
            }
            l.paginator()
        };
        let (its, skipped) = match fetch_all(sh, false, it_list, None).await {
            Ok(x) => x,
            Err(e) => return failed(stats, "itemizations", e),
        };
        for e in &skipped {
            stats.decode_errors += 1;
            coverage(
                &mut stats,
                "decode_error",
                format!("an itemization could not be decoded: {e}"),
                format!("report {rid}"),
            );
        }
        for it in its {
            if let Some(eid) = it.entry_id.clone() {
                itemizations.entry(eid).or_default().push(it);
            }
        }
    }
    reconcile(&report, &entries, skipped.len(), &mut stats);
    let owner = sh.owner_for(&login, report.owner_name.as_deref());
    let rc = ReportCtx::from_report(&report, owner);
    let ctx = sh.map_ctx();
    let mut lines = Vec::new();
    let mut take = |m: crate::mapping::Mapped, stats: &mut Stats| {
        for w in m.warnings {
            stats.warn(w);
        }
        match m.line {
            Line::Cost(_) => lines.push(m.line),
            Line::Unmatched(_) => {
                stats.unmatched += 1;
                lines.push(m.line);
            }
            Line::NotSoftware => stats.not_software += 1,
            Line::Personal => stats.excluded_personal += 1,
            Line::Rule => stats.excluded_rule += 1,
            Line::Zero => {}
            Line::Bad => stats.decode_errors += 1,
        }
    };
    for e in &entries {
        stats.entries_read += 1;
        if e.has_itemizations == Some(true) {
            match itemizations.get(&e.id) {
                Some(its) if !its.is_empty() => {
                    for it in its {
                        stats.itemizations_read += 1;
                        take(
                            map_line(&ctx, &itemization_input(&rc, e, it), &rc.owner),
                            &mut stats,
                        );
                    }
                    continue;
                }
                _ => {
                    coverage(
                        &mut stats,
                        "itemizations_missing",
                        "entry is itemized but no itemization was returned; the entry was classified instead",
                        format!("report {rid} entry {}", e.id),
                    );
                }
            }
        }
        take(map_line(&ctx, &entry_input(&rc, e), &rc.owner), &mut stats);
    }
    (
        ReportOutcome {
            report_id: rid.clone(),
            kind: ReportKind::Mapped(lines),
        },
        stats,
    )
}

/// Compares the report `Total` with the sum of its entries' `PostedAmount` (tolerance 0.01
/// in the report currency); a non-zero total without readable entries is also a gap.
fn reconcile(report: &Report, entries: &[Entry], undecoded: usize, stats: &mut Stats) {
    let Some(total) = report.total else {
        return;
    };
    let cur = report.currency_code.as_deref().unwrap_or("");
    let rid = &report.id;
    if entries.is_empty() {
        if !total.is_zero() {
            coverage(
                stats,
                "coverage_gap",
                format!("report total {total} {cur} but no readable entries"),
                format!("report {rid}"),
            );
        }
        return;
    }
    if undecoded > 0 {
        return; // already reported as decode errors
    }
    let sum: rust_decimal::Decimal = entries.iter().filter_map(|e| e.posted_amount).sum();
    if (sum - total).abs() > rust_decimal::Decimal::new(1, 2) {
        coverage(
            stats,
            "total_mismatch",
            format!("report total {total} {cur} differs from the sum of its entries {sum} {cur}"),
            format!("report {rid}"),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Emission

/// Applies results to the state and emits events in a deterministic order.
pub(crate) struct Emitter<'a> {
    sink: &'a mut dyn EventSink,
    matcher: Arc<Matcher>,
    emitted_services: BTreeSet<ServiceId>,
    events: u64,
    stats: Stats,
    last_checkpoint: Option<Checkpoint>,
    /// Size of the last checkpoint text (to pre-size the next one).
    checkpoint_len: usize,
}

impl Emitter<'_> {
    /// Emits a checkpoint of `state`; `keep` stores a copy for the outcome (only the last one
    /// of a run is kept: a copy per window would double the memory of large companies).
    async fn checkpoint(&mut self, state: &State, keep: bool) -> Result<(), DiscoveryError> {
        let cp = state.to_checkpoint_sized(self.checkpoint_len + self.checkpoint_len / 8);
        self.checkpoint_len = cp.as_value().as_str().map_or(0, str::len);
        if keep {
            self.last_checkpoint = Some(cp.clone());
        }
        self.emit(DiscoveryEvent::Checkpoint(cp)).await
    }

    /// The last checkpoint of a complete run (also kept for the outcome).
    async fn final_checkpoint(&mut self, state: State) -> Result<(), DiscoveryError> {
        let size = self.checkpoint_len + self.checkpoint_len / 8;
        self.emit(DiscoveryEvent::Checkpoint(state.to_checkpoint_sized(size)))
            .await?;
        // serialized again rather than cloned: a sink that stored the first one has released
        // it by now, so two large strings are never alive at once in a streaming setup
        self.last_checkpoint = Some(state.to_checkpoint_sized(size));
        Ok(())
    }

    /// Ends a cancelled run: one more checkpoint covering everything emitted so far.
    async fn cancelled(&mut self, state: &State) -> Result<DiscoveryOutcome, DiscoveryError> {
        self.checkpoint(state, true).await?;
        Ok(DiscoveryOutcome::new(
            RunStatus::Cancelled,
            self.last_checkpoint.take(),
            self.events,
            self.stats.clone(),
        ))
    }

    pub(crate) async fn emit(&mut self, e: DiscoveryEvent) -> Result<(), DiscoveryError> {
        if matches!(e, DiscoveryEvent::Cost(_)) {
            self.stats.costs_emitted += 1;
        }
        if matches!(e, DiscoveryEvent::Retraction(_)) {
            self.stats.retractions += 1;
        }
        self.sink.emit(e).await?;
        self.events += 1;
        Ok(())
    }

    async fn ensure_service(
        &mut self,
        state: &State,
        id: &ServiceId,
    ) -> Result<(), DiscoveryError> {
        if self.emitted_services.contains(id) {
            return Ok(());
        }
        self.emitted_services.insert(id.clone());
        let s = self.service_event(state, id);
        self.emit(s).await
    }

    fn service_event(&self, state: &State, id: &ServiceId) -> DiscoveryEvent {
        let st = state.services.get(id).cloned().unwrap_or_default();
        DiscoveryEvent::Service(service_for(
            &self.matcher,
            id,
            Confidence::clamped(st.confidence),
            &st.evidence,
        ))
    }

    pub(crate) async fn emit_invoice(
        &mut self,
        state: &State,
        iid: &str,
    ) -> Result<(), DiscoveryError> {
        let Some(inv) = state.invoices.get(iid) else {
            return Ok(());
        };
        let Some(cost) = &inv.cost else {
            return Ok(());
        };
        let mut cost = cost.clone();
        if let Some((rid, cid)) = &inv.merged
            && let Some(sum) = state
                .reports
                .get(rid)
                .and_then(|r| r.costs.iter().find(|c| c.id == *cid))
        {
            cost.source =
                CostSource::new(cost.source.reference()).with_also_seen_in(sum.source_ref(rid));
        }
        self.ensure_service(state, &cost.service_id).await?;
        self.emit(DiscoveryEvent::Cost(cost)).await
    }

    /// Applies one report's outcome: emits its costs (merging into matching invoices) and
    /// retracts what it no longer has.
    async fn apply_report(
        &mut self,
        state: &mut State,
        o: ReportOutcome,
    ) -> Result<(), DiscoveryError> {
        let rid = o.report_id;
        let prev = state.reports.remove(&rid).unwrap_or_default();
        let lines = match o.kind {
            ReportKind::Failed => {
                if prev != ReportState::default() {
                    state.reports.insert(rid, prev);
                }
                return Ok(());
            }
            ReportKind::Excluded => Vec::new(),
            ReportKind::Mapped(lines) => lines,
        };
        // Invoices previously merged with this report's lines are released first; a line
        // that still matches merges again below.
        let mut released: Vec<String> = Vec::new();
        for c in &prev.costs {
            if let Some(iid) = &c.merged_into
                && let Some(inv) = state.invoices.get_mut(&**iid)
                && inv.merged.as_ref().is_some_and(|(r, _)| r == &rid)
            {
                inv.merged = None;
                released.push(iid.to_string());
            }
        }
        let mut new = ReportState::default();
        for line in lines {
            match line {
                Line::Cost(c) => {
                    let c = *c;
                    if new.owner.is_empty() {
                        new.owner = state.owners.intern(&c.owner.login_id);
                    }
                    state
                        .services
                        .entry(c.service_id.clone())
                        .or_default()
                        .absorb(c.confidence.score(), &c.evidence);
                    let mut sum = CostSummary::of(&c);
                    if let Some(iid) = matching_invoice(state, &c) {
                        if let Some(inv) = state.invoices.get_mut(&iid) {
                            inv.merged = Some((rid.clone(), c.id.clone()));
                        }
                        sum.merged_into = Some(iid.as_str().into());
                        new.costs.push(sum);
                        // re-emitted below with the entry named in `also_seen_in`
                        if !released.contains(&iid) {
                            released.push(iid);
                        }
                    } else {
                        self.ensure_service(state, &c.service_id).await?;
                        new.costs.push(sum);
                        self.emit(DiscoveryEvent::Cost(c)).await?;
                    }
                }
                Line::Unmatched(u) => {
                    if new.owner.is_empty() {
                        new.owner = state.owners.intern(&u.owner.login_id);
                    }
                    new.unmatched.push(*u);
                }
                _ => {}
            }
        }
        let keep: HashSet<&crate::state::CompactId> = new
            .costs
            .iter()
            .filter(|c| c.merged_into.is_none())
            .map(|c| &c.id)
            .collect();
        let mut retract = Vec::new();
        for c in &prev.costs {
            if c.merged_into.is_none() && !keep.contains(&c.id) {
                retract.push(c.id.to_cost_id());
            }
        }
        // a line that was emitted before and is now merged into an invoice
        for c in &new.costs {
            if c.merged_into.is_some()
                && prev
                    .costs
                    .iter()
                    .any(|p| p.id == c.id && p.merged_into.is_none())
            {
                retract.push(c.id.to_cost_id());
            }
        }
        if !new.costs.is_empty() || !new.unmatched.is_empty() {
            new.costs.shrink_to_fit();
            new.unmatched.shrink_to_fit();
            state.reports.insert(rid.clone(), new);
        }
        for id in retract {
            self.emit(DiscoveryEvent::Retraction(Retraction::new(
                id,
                format!("no longer in report {rid} (recalled, sent back, deleted or changed)"),
            )))
            .await?;
        }
        released.sort();
        released.dedup();
        for iid in released {
            self.emit_invoice(state, &iid).await?;
        }
        Ok(())
    }
}

/// The first invoice (by id) with the same service, date and amount that is not merged with
/// another line yet.
fn matching_invoice(state: &State, c: &Cost) -> Option<String> {
    state.invoices.iter().find_map(|(iid, inv)| {
        let ic = inv.cost.as_ref()?;
        let free = match &inv.merged {
            None => true,
            Some((_, cid)) => cid == &c.id,
        };
        (free && ic.service_id == c.service_id && ic.date == c.date && ic.amount == c.amount)
            .then(|| iid.clone())
    })
}

/// Rebuilds the unmatched buckets from the state (deterministic order).
fn unmatched_buckets(state: &State) -> Vec<UnmatchedSpend> {
    let mut buckets: BTreeMap<String, UnmatchedSpend> = BTreeMap::new();
    let items = state
        .reports
        .values()
        .flat_map(|r| r.unmatched.iter())
        .chain(state.invoices.values().filter_map(|i| i.unmatched.as_ref()));
    let mut sorted: Vec<&UnmatchedItem> = items.collect();
    sorted.sort_by(|a, b| (&a.vendor, &a.source, a.date).cmp(&(&b.vendor, &b.source, b.date)));
    for u in sorted {
        let b = buckets
            .entry(u.vendor.clone())
            .or_insert_with(|| UnmatchedSpend::new(u.vendor.clone()));
        // an overflow leaves the bucket unchanged; nothing else to do
        let _ = b.record(&u.descriptor, u.amount, u.date, &u.owner, u.source.clone());
    }
    buckets.into_values().collect()
}

// ---------------------------------------------------------------------------------------------
// The run

#[async_trait]
impl DiscoverySource for ConcurSource {
    fn name(&self) -> &str {
        "concur"
    }

    async fn discover(
        &self,
        checkpoint: Option<Checkpoint>,
        cancel: CancellationSignal,
        sink: &mut dyn EventSink,
    ) -> Result<DiscoveryOutcome, DiscoveryError> {
        let cfg = &self.config;
        let mut state = match &checkpoint {
            Some(c) => State::from_checkpoint(c, &cfg.connection_id)?,
            None => State::new(&cfg.connection_id),
        };
        let crawl_start = cfg.crawl_start.unwrap_or_else(|| Utc::now().naive_utc());
        let from = match state.cursor {
            Some(c) => (c - cfg.overlap).min(crawl_start - cfg.overlap),
            None => crawl_start - cfg.lookback,
        };
        let windows = plan_windows(from, crawl_start, cfg.window);
        let metrics_before = self.client.metrics().snapshot();
        let abort = cancel.token().child_token();
        // whatever way this function returns, in-flight requests stop
        let _abort_guard = abort.clone().drop_guard();
        let mut sh = Shared {
            client: self.client.clone(),
            matcher: self.matcher.clone(),
            cfg: cfg.clone(),
            sem: Semaphore::new(cfg.concurrency.max(1)),
            abort: abort.clone(),
            fatal: Mutex::new(None),
            users: HashMap::new(),
            max_date: max_date_for(crawl_start),
        };
        let mut em = Emitter {
            sink,
            matcher: self.matcher.clone(),
            emitted_services: BTreeSet::new(),
            events: 0,
            stats: Stats::default(),
            last_checkpoint: None,
            checkpoint_len: 0,
        };

        // 1. The first page of the first window, alone (fails fast on credentials and on a
        //    missing Expense permission).
        let mut first = None;
        if let Some(w0) = windows.first() {
            match sh.call(false, reports_list(&sh, *w0).send()).await {
                Ok(p) => first = Some(p),
                Err(CallError::Fatal) => {
                    return Err(sh.take_fatal().unwrap_or_else(|| {
                        DiscoveryError::source_message("the first report page failed")
                    }));
                }
                Err(CallError::Aborted) => {
                    abort.cancel();
                    return em.cancelled(&state).await;
                }
                Err(_) => {} // retried as part of window 0
            }
        }

        // 2. Users and invoices (optional groups), read side by side. Invoices come before
        //    the expense windows so expense lines can be merged into them.
        let (users, invoices) = tokio::join!(
            async {
                if cfg.read_users {
                    Some(load_users(&sh).await)
                } else {
                    None
                }
            },
            async {
                if cfg.read_invoices {
                    Some(crate::invoices::fetch_invoices(&sh, &state, crawl_start).await)
                } else {
                    None
                }
            }
        );
        match users {
            None => {}
            Some(Ok((users, skipped))) => {
                sh.users = users;
                em.stats.decode_errors += skipped;
            }
            Some(Err(CallError::OptionalDenied(msg))) => skip_group(&mut em.stats, "users", &msg),
            Some(Err(CallError::Fatal)) => return Err(fatal_or(&sh)),
            Some(Err(CallError::Aborted)) => {
                abort.cancel();
                return em.cancelled(&state).await;
            }
            Some(Err(CallError::Failed(msg))) => {
                em.stats.fetch_errors += 1;
                em.stats.warn(Warning::new(
                    "fetch_failed",
                    format!("users could not be read; owners keep their report names: {msg}"),
                ));
            }
        }
        let sh = Arc::new(sh);
        let batch = invoices.map(|r| r.and_then(|f| crate::invoices::map_invoices(&sh, f)));
        match batch {
            None => {}
            Some(Ok(batch)) => {
                em.stats.merge(&batch.stats);
                crate::invoices::apply_batch(&mut em, &mut state, batch.updates).await?;
                if !batch.failed {
                    state.invoice_cursor = Some(crawl_start);
                }
            }
            Some(Err(CallError::OptionalDenied(msg))) => skip_group(&mut em.stats, "invoice", &msg),
            Some(Err(CallError::Fatal)) => return Err(fatal_or(&sh)),
            Some(Err(CallError::Aborted)) => {
                abort.cancel();
                return em.cancelled(&state).await;
            }
            Some(Err(CallError::Failed(msg))) => {
                em.stats.fetch_errors += 1;
                coverage(
                    &mut em.stats,
                    "fetch_failed",
                    format!("invoices could not be read: {msg}"),
                    "invoices",
                );
            }
        }

        // 4. Expense windows: up to K in flight; reports are applied as they arrive; the
        //    cursor advances over the contiguous prefix of completed, successful windows.
        let total = windows.len();
        let k = cfg.concurrency.max(1);
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(4 * k);
        let mut first_page = first.take();
        let jobs: Vec<_> = windows
            .iter()
            .copied()
            .enumerate()
            .map(|(i, w)| {
                let f = if i == 0 { first_page.take() } else { None };
                (i, w, f, tx.clone())
            })
            .collect();
        drop(tx);
        let driver_sh = sh.clone();
        let driver = tokio::spawn(async move {
            futures::stream::iter(jobs)
                .map(|(i, w, f, tx)| tokio::spawn(process_window(driver_sh.clone(), i, w, f, tx)))
                .buffer_unordered(k)
                .for_each(|_| async {})
                .await;
        });
        let _driver_guard = AbortOnDrop(driver);
        let mut done_flags = vec![false; total];
        let mut failed_flags = vec![false; total];
        let mut next_undone = 0usize;
        let mut blocked = false;
        let mut done = 0u64;
        // report ids seen by this run, as 64-bit hashes (a large company has 100,000s)
        let mut seen: HashSet<u64> = HashSet::new();
        while let Some(msg) = rx.recv().await {
            if let Some(e) = sh.take_fatal() {
                abort.cancel();
                return Err(e);
            }
            if cancel.is_cancelled() {
                {
                    abort.cancel();
                    return em.cancelled(&state).await;
                }
            }
            match msg {
                Msg::Report(o, s) => {
                    em.stats.merge(&s);
                    seen.insert(id_hash(&o.report_id));
                    em.apply_report(&mut state, o).await?;
                }
                Msg::WindowDone {
                    index,
                    failed,
                    stats,
                } => {
                    em.stats.merge(&stats);
                    done_flags[index] = true;
                    failed_flags[index] = failed;
                    while next_undone < total && done_flags[next_undone] && !blocked {
                        if failed_flags[next_undone] {
                            blocked = true;
                        } else {
                            state.cursor = Some(windows[next_undone].before);
                            next_undone += 1;
                        }
                    }
                    done += 1;
                    em.emit(DiscoveryEvent::Progress(Progress::new(
                        "windows",
                        done,
                        Some(total as u64),
                    )))
                    .await?;
                    em.checkpoint(&state, false).await?;
                }
            }
        }
        if let Some(e) = sh.take_fatal() {
            return Err(e);
        }
        if cancel.is_cancelled() {
            {
                abort.cancel();
                return em.cancelled(&state).await;
            }
        }
        if done < total as u64 {
            return Err(DiscoveryError::source_message(
                "a crawl task ended unexpectedly",
            ));
        }

        // 5. Known reports this run did not see: deleted ones are retracted.
        if cfg.verify_deleted && checkpoint.is_some() {
            let unseen: Vec<(String, String)> = state
                .reports
                .iter()
                .filter(|(rid, _)| !seen.contains(&id_hash(rid)))
                .map(|(rid, r)| (rid.clone(), r.owner.to_string()))
                .collect();
            let checks: Vec<(String, Result<Report, CallError>)> = futures::stream::iter(unseen)
                .map(|(rid, login)| {
                    let sh = sh.clone();
                    async move {
                        let mut g = sh.client.expense().reports().get(rid.clone());
                        if !login.is_empty() {
                            g = g.user(login);
                        }
                        let r = sh.call(false, g.send()).await;
                        (rid, r)
                    }
                })
                .buffered(k)
                .collect()
                .await;
            if let Some(e) = sh.take_fatal() {
                return Err(e);
            }
            for (rid, r) in checks {
                match r {
                    Err(CallError::Failed(msg)) if msg.starts_with(NOT_FOUND) => {
                        em.apply_report(
                            &mut state,
                            ReportOutcome {
                                report_id: rid,
                                kind: ReportKind::Excluded,
                            },
                        )
                        .await?;
                    }
                    Ok(report) if !cfg.statuses.counts(report.approval_status_code.as_deref()) => {
                        em.apply_report(
                            &mut state,
                            ReportOutcome {
                                report_id: rid,
                                kind: ReportKind::Excluded,
                            },
                        )
                        .await?;
                    }
                    _ => {}
                }
            }
        }

        drop(seen);

        // 6. Aggregates over everything known: unmatched spend, services, findings.
        for u in unmatched_buckets(&state) {
            em.emit(DiscoveryEvent::Unmatched(u)).await?;
        }
        let ids: Vec<ServiceId> = state.services.keys().cloned().collect();
        for id in &ids {
            let ev = em.service_event(&state, id);
            em.emit(ev).await?;
        }
        let names: HashMap<ServiceId, String> = ids
            .iter()
            .map(|id| {
                let n = self
                    .matcher
                    .catalog()
                    .product(id)
                    .map_or_else(|| id.to_string(), |p| p.name.clone());
                (id.clone(), n)
            })
            .collect();
        // one service at a time (every finding names one service): only that service's costs
        // are collected at once
        let mut found = Vec::new();
        for id in &ids {
            let mut facts = state.cost_facts(id);
            found.extend(findings(&mut facts, &|s: &ServiceId| {
                names.get(s).cloned().unwrap_or_else(|| s.to_string())
            }));
        }
        found.sort();
        found.dedup();
        for f in found {
            em.emit(DiscoveryEvent::Finding(f)).await?;
        }
        if blocked {
            // keep the cursor where it is; say so
            em.stats.warn(Warning::new(
                "checkpoint_held",
                "a window failed; the next run reads it again",
            ));
        }
        em.final_checkpoint(state).await?;

        let m = self.client.metrics().snapshot();
        em.stats.api_calls = m.calls.saturating_sub(metrics_before.calls);
        em.stats.retries = m.retries.saturating_sub(metrics_before.retries);
        // reports of concurrent windows arrive in any order: sort for a stable document
        em.stats.warnings.sort_by(|a, b| {
            (&a.record, &a.code, &a.message).cmp(&(&b.record, &b.code, &b.message))
        });
        if em.stats.warnings.len() > MAX_WARNINGS {
            em.stats.warnings.truncate(MAX_WARNINGS);
        }
        let status = if em.stats.is_partial() {
            RunStatus::Partial
        } else {
            RunStatus::Complete
        };
        let stats = em.stats.clone();
        em.emit(DiscoveryEvent::Stats(stats.clone())).await?;
        // moved, not cloned: a copy would put a second checkpoint string (50 MB on large
        // companies) next to the first one
        Ok(DiscoveryOutcome::new(
            status,
            em.last_checkpoint.take(),
            em.events,
            stats,
        ))
    }
}

fn id_hash(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// Aborts a spawned task when dropped (the run returned early).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn fatal_or(sh: &Shared) -> DiscoveryError {
    sh.take_fatal()
        .unwrap_or_else(|| DiscoveryError::source_message("the crawl stopped"))
}

fn skip_group(stats: &mut Stats, group: &str, msg: &str) {
    if !stats.optional_groups_skipped.iter().any(|g| g == group) {
        stats.optional_groups_skipped.push(group.to_owned());
    }
    stats.warn(Warning::new(
        "optional_group_skipped",
        format!("the {group} API group is not enabled or not granted; skipped ({msg})"),
    ));
}

async fn load_users(sh: &Shared) -> Result<(HashMap<String, UserInfo>, u64), CallError> {
    let mk = || sh.client.users().list_v3().limit(100).paginator();
    let (users, skipped) = fetch_all(sh, true, mk, None).await?;
    let mut out = HashMap::with_capacity(users.len());
    for u in users {
        let s = u.summary();
        if let Some(login) = s.login_id {
            out.insert(
                login.to_lowercase(),
                UserInfo {
                    name: s.display_name,
                    email: s.email,
                    department: s.department,
                },
            );
        }
    }
    Ok((out, skipped.len() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 1, d)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
    }

    use rust_decimal_macros::dec;
    use saas_discovery::testing::CollectingSink;
    use saas_discovery::{CostId, CostSourceKind, Money, SourceRef, parse_currency};

    fn matcher() -> Arc<Matcher> {
        Arc::new(Matcher::new(saas_catalog::Catalog::builtin().unwrap(), Rules::empty()).unwrap())
    }

    fn cost(kind: CostSourceKind, id: &str) -> Cost {
        let r = SourceRef::new("concur", kind);
        let r = match kind {
            CostSourceKind::Invoice => r.with_invoice_id(id),
            _ => r.with_report_id("R1").with_entry_id(id),
        };
        Cost::new(
            CostId::derive("acme", kind, id),
            ServiceId::new("zoom").unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            Money::new(dec!(149.90), parse_currency("USD").unwrap()),
            Owner::new("ada@example.com"),
            CostSource::new(r),
        )
    }

    fn emitter<'a>(sink: &'a mut CollectingSink) -> Emitter<'a> {
        Emitter {
            sink,
            matcher: matcher(),
            emitted_services: BTreeSet::new(),
            events: 0,
            stats: Stats::default(),
            last_checkpoint: None,
            checkpoint_len: 0,
        }
    }

    fn check_merged(sink: &CollectingSink) {
        let costs: Vec<&Cost> = sink.costs().values().collect();
        assert_eq!(costs.len(), 1, "{costs:?}");
        let kept = costs[0];
        assert_eq!(kept.source.kind, CostSourceKind::Invoice);
        assert_eq!(kept.source.invoice_id.as_deref(), Some("INV1"));
        assert_eq!(kept.source.also_seen_in.len(), 1);
        assert_eq!(kept.source.also_seen_in[0].entry_id.as_deref(), Some("E1"));
        assert!(
            sink.services()
                .contains_key(&ServiceId::new("zoom").unwrap())
        );
    }

    #[tokio::test]
    async fn expense_line_after_invoice_merges_into_it() {
        let mut state = State::new("acme");
        let mut sink = CollectingSink::new();
        {
            let mut em = emitter(&mut sink);
            let upd = crate::invoices::InvoiceUpdate {
                id: "INV1".into(),
                state: crate::state::InvoiceState {
                    cost: Some(cost(CostSourceKind::Invoice, "INV1")),
                    ..Default::default()
                },
            };
            crate::invoices::apply_batch(&mut em, &mut state, vec![upd])
                .await
                .unwrap();
            em.apply_report(
                &mut state,
                ReportOutcome {
                    report_id: "R1".into(),
                    kind: ReportKind::Mapped(vec![Line::Cost(Box::new(cost(
                        CostSourceKind::ExpenseEntry,
                        "E1",
                    )))]),
                },
            )
            .await
            .unwrap();
            em.emit(DiscoveryEvent::Checkpoint(state.to_checkpoint()))
                .await
                .unwrap();
        }
        check_merged(&sink);
        assert_eq!(
            state.reports["R1"].costs[0].merged_into.as_deref(),
            Some("INV1")
        );
    }

    #[tokio::test]
    async fn invoice_after_expense_line_retracts_the_line_and_keeps_the_invoice() {
        let mut state = State::new("acme");
        let mut sink = CollectingSink::new();
        {
            let mut em = emitter(&mut sink);
            em.apply_report(
                &mut state,
                ReportOutcome {
                    report_id: "R1".into(),
                    kind: ReportKind::Mapped(vec![Line::Cost(Box::new(cost(
                        CostSourceKind::ExpenseEntry,
                        "E1",
                    )))]),
                },
            )
            .await
            .unwrap();
            em.emit(DiscoveryEvent::Checkpoint(state.to_checkpoint()))
                .await
                .unwrap();
            let upd = crate::invoices::InvoiceUpdate {
                id: "INV1".into(),
                state: crate::state::InvoiceState {
                    cost: Some(cost(CostSourceKind::Invoice, "INV1")),
                    ..Default::default()
                },
            };
            crate::invoices::apply_batch(&mut em, &mut state, vec![upd])
                .await
                .unwrap();
            em.emit(DiscoveryEvent::Checkpoint(state.to_checkpoint()))
                .await
                .unwrap();
            assert_eq!(em.stats.retractions, 1);
        }
        check_merged(&sink);
    }

    #[tokio::test]
    async fn report_that_stops_counting_retracts_its_costs() {
        let mut state = State::new("acme");
        let mut sink = CollectingSink::new();
        let mut em = emitter(&mut sink);
        let line = || Line::Cost(Box::new(cost(CostSourceKind::ExpenseEntry, "E1")));
        em.apply_report(
            &mut state,
            ReportOutcome {
                report_id: "R1".into(),
                kind: ReportKind::Mapped(vec![line()]),
            },
        )
        .await
        .unwrap();
        // same content again: nothing to retract
        em.apply_report(
            &mut state,
            ReportOutcome {
                report_id: "R1".into(),
                kind: ReportKind::Mapped(vec![line()]),
            },
        )
        .await
        .unwrap();
        assert_eq!(em.stats.retractions, 0);
        // a failed read keeps what was there
        em.apply_report(
            &mut state,
            ReportOutcome {
                report_id: "R1".into(),
                kind: ReportKind::Failed,
            },
        )
        .await
        .unwrap();
        assert_eq!(em.stats.retractions, 0);
        assert!(state.reports.contains_key("R1"));
        em.apply_report(
            &mut state,
            ReportOutcome {
                report_id: "R1".into(),
                kind: ReportKind::Excluded,
            },
        )
        .await
        .unwrap();
        assert_eq!(em.stats.retractions, 1);
        assert!(!state.reports.contains_key("R1"));
    }

    #[test]
    fn windows_cover_the_range_exactly() {
        let w = plan_windows(t(1), t(10), TimeDelta::days(4));
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].after, t(1));
        assert_eq!(w[0].before, t(5));
        assert_eq!(w[2].before, t(10));
        for p in w.windows(2) {
            assert_eq!(p[0].before, p[1].after);
        }
        assert!(plan_windows(t(5), t(5), TimeDelta::days(1)).is_empty());
    }
}
