//! `concur-smp demo`: the full discovery against the built-in simulator, no account, no
//! network.
//!
//! Starts `concur_sim::SimServer` on 127.0.0.1 (random port) with the `demo` company and the
//! `docs` tenant (built from SAP Concur's official samples), runs the discovery over real HTTP
//! with the simulator's demo credentials, prints a summary and writes, per tenant,
//! `discovery.json`, `smp-import.csv`, `costs.csv` and `leanix.ldif` (the docs tenant under
//! `docs/`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use chrono::{NaiveTime, TimeDelta};
use concur_client::{Client, Credentials, Grant};
use concur_discovery::{ConcurSource, ConcurSourceConfig, export};
use concur_sim::{SimConfig, SimServer, Size, TenantConfig};
use saas_discovery::{CancellationSignal, Document, RunStatus};
use secrecy::ExposeSecret as _;

use crate::cli::{DemoArgs, DemoSize};
use crate::discover::{cancel_on_ctrl_c, write_file_atomic};
use crate::error::{Exit, Failure};
use crate::runner::RunInput;
use crate::summary::{SummaryOptions, render};

/// Files written per tenant.
pub const FILES: [&str; 4] = [
    "discovery.json",
    "smp-import.csv",
    "costs.csv",
    "leanix.ldif",
];

/// Writes the four export files of `doc` into `dir`.
///
/// # Errors
/// I/O and export errors.
pub fn write_exports(dir: &Path, doc: &Document) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut out = Vec::new();
    for name in FILES {
        let path = dir.join(name);
        write_file_atomic(&path, |w| {
            match name {
                "discovery.json" => export::write_json(doc, w)?,
                "smp-import.csv" => export::write_smp_csv(doc, w)?,
                "costs.csv" => export::write_costs_csv(doc, w)?,
                _ => export::write_ldif(doc, w)?,
            }
            Ok(())
        })?;
        out.push(path);
    }
    Ok(out)
}

struct TenantRun {
    doc: Document,
    status: RunStatus,
    files: Vec<PathBuf>,
}

async fn run_tenant(
    sim: &SimServer,
    tenant: &str,
    sim_now: chrono::NaiveDate,
    matcher: Arc<saas_catalog::Matcher>,
    dir: &Path,
    cancel: CancellationSignal,
    progress: bool,
) -> anyhow::Result<TenantRun> {
    let creds = sim.credentials(tenant)?;
    let client = Client::builder()
        .base_url(&creds.base_url)
        .credentials(Credentials::new(
            &creds.client_id,
            creds.client_secret.expose_secret(),
        ))
        .grant(Grant::password(
            &creds.username,
            creds.password.expose_secret(),
        ))
        .build()?;
    // The simulated company's "now" is fixed; crawl up to the end of that day, 13 months back.
    // The docs tenant holds the official samples, modified in 2013-2016: read from 2010 on.
    let crawl_start = (sim_now + TimeDelta::days(1)).and_time(NaiveTime::MIN);
    let mut cfg = ConcurSourceConfig::new(tenant).with_crawl_start(crawl_start);
    cfg = if tenant == "docs" {
        let since = chrono::NaiveDate::from_ymd_opt(2010, 1, 1)
            .unwrap_or(sim_now)
            .and_time(NaiveTime::MIN);
        cfg.with_lookback(crawl_start - since)
            .with_window(TimeDelta::days(366))
    } else {
        cfg.with_lookback(TimeDelta::days(400))
    };
    let source = ConcurSource::new(client, matcher, cfg)?;
    let input = RunInput {
        document_source: source
            .document_source()
            .with_company_name(format!("{tenant} (simulated)")),
        previous: None,
        checkpoint: None,
        store: None,
        progress,
        label: tenant.to_owned(),
    };
    let result = crate::runner::run(&source, input, cancel).await?;
    let files = if result.outcome.status == RunStatus::Cancelled {
        Vec::new()
    } else {
        write_exports(dir, &result.document)?
    };
    Ok(TenantRun {
        doc: result.document,
        status: result.outcome.status,
        files,
    })
}

/// `concur-smp demo`.
///
/// # Errors
/// Simulator, discovery and I/O failures.
pub async fn run(args: &DemoArgs, quiet: bool) -> anyhow::Result<Exit> {
    let size = match args.size {
        DemoSize::Tiny => Size::Tiny,
        DemoSize::Demo => Size::Demo,
    };
    let config = SimConfig::new()
        .tenant(TenantConfig::generated("demo", size))
        .tenant(TenantConfig::docs("docs"));
    let sim_now = config.now;
    if !quiet {
        eprintln!(
            "starting the simulator (demo company, size {:?}; docs tenant)…",
            args.size
        );
    }
    let sim = SimServer::start(config)
        .await
        .context("cannot start the simulator")?;
    tracing::info!(base_url = sim.base_url(), "simulator running");
    let matcher = crate::classify::build_matcher(None)?;
    let cancel = CancellationSignal::new();
    cancel_on_ctrl_c(cancel.clone());
    let demo = run_tenant(
        &sim,
        "demo",
        sim_now,
        matcher.clone(),
        &args.out,
        cancel.clone(),
        !quiet,
    )
    .await?;
    let docs = if demo.status == RunStatus::Cancelled {
        None
    } else {
        Some(
            run_tenant(
                &sim,
                "docs",
                sim_now,
                matcher,
                &args.out.join("docs"),
                cancel,
                !quiet,
            )
            .await?,
        )
    };
    sim.stop();
    let mut cancelled = demo.status == RunStatus::Cancelled;
    for (label, run) in [
        ("demo company", Some(&demo)),
        ("docs tenant (official SAP Concur samples)", docs.as_ref()),
    ] {
        let Some(run) = run else { continue };
        cancelled |= run.status == RunStatus::Cancelled;
        let status = match run.status {
            RunStatus::Complete => "complete",
            RunStatus::Partial => "complete with gaps",
            RunStatus::Cancelled => "interrupted",
            _ => "finished",
        };
        let text = render(
            &run.doc,
            &SummaryOptions {
                title: format!("concur-smp demo: {label}"),
                top: args.top,
                as_of: sim_now,
                // the demo crawl reads the default 12 months back
                observed_since: sim_now.checked_sub_months(chrono::Months::new(12)),
                rates: None,
                status: status.into(),
            },
        );
        println!("{text}");
        if !run.files.is_empty() {
            println!("files:");
            for f in &run.files {
                println!("    {}", f.display());
            }
            println!();
        }
    }
    if cancelled {
        return Err(Failure::new(Exit::Failure, "the demo was interrupted").into());
    }
    Ok(Exit::Ok)
}
