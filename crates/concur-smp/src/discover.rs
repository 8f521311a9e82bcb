//! `concur-smp discover`.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::{NaiveTime, TimeDelta, Utc};
use concur_discovery::{ConcurSource, ConcurSourceConfig, export};
use saas_discovery::{CancellationSignal, DiscoveryEvent, Document, RateTable, RunStatus};

use crate::cli::{DiscoverArgs, OutputFormat};
use crate::error::{Exit, Failure};
use crate::login::{Resolved, fallback_to_env, resolve};
use crate::runner::{RunInput, RunResult};
use crate::summary::{SummaryOptions, is_partial, read_rates, render};

/// The default connection id.
pub const DEFAULT_CONNECTION_ID: &str = "concur";

/// Writes `doc` (or this run's events) in `format` to `w`.
///
/// # Errors
/// Export / I/O errors.
pub fn write_format(
    format: OutputFormat,
    doc: &Document,
    events: Option<&[DiscoveryEvent]>,
    summary: &str,
    mut w: impl Write,
) -> anyhow::Result<()> {
    match format {
        OutputFormat::Table => w.write_all(summary.as_bytes())?,
        OutputFormat::Json => export::write_json(doc, &mut w)?,
        OutputFormat::Ndjson => match events {
            Some(ev) => {
                for e in ev {
                    export::write_event(e, &mut w)?;
                }
            }
            None => export::write_ndjson(doc, &mut w)?,
        },
        OutputFormat::Csv => export::write_costs_csv(doc, &mut w)?,
        OutputFormat::SmpCsv => export::write_smp_csv(doc, &mut w)?,
        OutputFormat::Ldif => export::write_ldif(doc, &mut w)?,
    }
    w.flush()?;
    Ok(())
}

/// Writes `f` to `path` through a temporary file and a rename (so a reader never sees half a
/// file).
///
/// # Errors
/// I/O errors.
pub fn write_file_atomic(
    path: &Path,
    f: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let mut w = std::io::BufWriter::new(file);
    let r = f(&mut w).and_then(|()| {
        w.flush()?;
        Ok(())
    });
    drop(w);
    match r {
        Ok(()) => {
            std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Cancels `signal` on the first ctrl-c; a second ctrl-c exits at once.
pub fn cancel_on_ctrl_c(signal: CancellationSignal) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!(
                "interrupted: stopping at the next record; the state keeps the last checkpoint (ctrl-c again to quit now)"
            );
            signal.cancel();
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
}

async fn run_once(
    resolved: &Resolved,
    args: &DiscoverArgs,
    matcher: Arc<saas_catalog::Matcher>,
    connection_id: &str,
    cancel: CancellationSignal,
    progress: bool,
) -> anyhow::Result<RunResult> {
    let mut cfg = ConcurSourceConfig::new(connection_id).with_concurrency(args.concurrency.max(1));
    if let Some(since) = args.since {
        let start = since.and_time(NaiveTime::MIN);
        let now = Utc::now().naive_utc();
        let lookback = now - start;
        if lookback <= TimeDelta::zero() {
            return Err(Failure::usage(format!("--since {since} is in the future")).into());
        }
        cfg = cfg.with_lookback(lookback);
    }
    let source = ConcurSource::new(resolved.client.clone(), matcher, cfg)
        .map_err(|e| Failure::usage(format!("invalid discovery settings: {e}")))?;
    let state = if resolved.is_state {
        Some(resolved.store.get())
    } else {
        None
    };
    let input = RunInput {
        document_source: source.document_source(),
        previous: state.as_ref().and_then(|s| s.document.clone()),
        checkpoint: state.as_ref().and_then(|s| s.checkpoint.clone()),
        store: resolved.is_state.then(|| resolved.store.clone()),
        progress,
        label: "discover".into(),
    };
    Ok(crate::runner::run(&source, input, cancel).await?)
}

/// `concur-smp discover`.
///
/// # Errors
/// Usage, authentication, permission and other failures (see [`crate::error`]).
pub async fn run(args: &DiscoverArgs, quiet: bool) -> anyhow::Result<Exit> {
    let matcher = crate::classify::build_matcher(args.rules.as_deref())?;
    let rates: Option<RateTable> = match &args.rates {
        Some(p) => Some(read_rates(p, args.reporting_currency.as_deref())?),
        None => None,
    };
    let mut resolved = resolve(args.state.as_deref(), &args.conn)?;
    let connection_id = args
        .connection_id
        .clone()
        .or_else(|| {
            if resolved.is_state {
                resolved.store.get().connection_id
            } else {
                None
            }
        })
        .unwrap_or_else(|| DEFAULT_CONNECTION_ID.to_owned());
    // Authenticate first (falls back to the environment once when a stored token is rejected).
    let (r, _token) = crate::login::authenticate(resolved, &args.conn).await?;
    resolved = r;
    let cancel = CancellationSignal::new();
    cancel_on_ctrl_c(cancel.clone());
    let progress = !quiet;
    tracing::info!(source = %resolved.source, "discovering");
    let mut result = run_once(
        &resolved,
        args,
        matcher.clone(),
        &connection_id,
        cancel.clone(),
        progress,
    )
    .await;
    if let Err(e) = &result
        && crate::connect::is_stale_token_error(e)
        && let Some(next) = fallback_to_env(&resolved, &args.conn)?
    {
        resolved = next;
        result = run_once(&resolved, args, matcher, &connection_id, cancel, progress).await;
    }
    let result = result?;
    let status = result.outcome.status;
    let doc_for_output = if args.changes_only {
        &result.changes_document
    } else {
        &result.document
    };
    let as_of = Utc::now().date_naive();
    let status_text = match status {
        RunStatus::Complete if is_partial(&result.document.stats) => "complete with gaps (partial)",
        RunStatus::Complete => "complete",
        RunStatus::Partial => "partial",
        RunStatus::Cancelled => "interrupted",
        _ => "finished",
    };
    let summary = render(
        &result.document,
        &SummaryOptions {
            title: format!(
                "SAP Concur discovery: {} ({})",
                connection_id,
                result.document.source.base_url.as_deref().unwrap_or("")
            ),
            top: args.top,
            as_of,
            // --since, or the first run's default 12-month lookback
            observed_since: args
                .since
                .or_else(|| as_of.checked_sub_months(chrono::Months::new(12))),
            rates: rates.as_ref(),
            status: status_text.into(),
        },
    );
    let events = args.changes_only.then_some(result.changes.as_slice());
    match &args.output {
        Some(path) => {
            write_file_atomic(path, |w| {
                write_format(args.format, doc_for_output, events, &summary, w)
            })?;
            if !quiet && args.format != OutputFormat::Table {
                print!("{summary}");
            }
            if !quiet {
                println!("\nwrote {}", path.display());
            }
        }
        None => {
            let stdout = std::io::stdout();
            write_format(args.format, doc_for_output, events, &summary, stdout.lock())?;
            if !quiet && args.format != OutputFormat::Table {
                eprint!("{summary}");
            }
        }
    }
    match status {
        RunStatus::Cancelled => Err(Failure::new(
            Exit::Failure,
            "interrupted; the output and the state hold everything up to the last checkpoint",
        )
        .hint("run the same command again to continue from the checkpoint")
        .into()),
        RunStatus::Partial => Ok(Exit::Partial),
        _ if is_partial(&result.document.stats) => Ok(Exit::Partial),
        _ => Ok(Exit::Ok),
    }
}
