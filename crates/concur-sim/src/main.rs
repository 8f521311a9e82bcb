//! `concur-sim`: run the Concur API simulator on loopback, or export a tenant's ground truth.
//!
//! ```text
//! concur-sim --port 0 --tenant demo [--tenant docs] [--faults 429_every=10,retry_after=0] [--seed 42]
//! concur-sim ground-truth --tenant demo > truth.csv
//! ```

use std::io::Write as _;

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand};
use concur_sim::{
    ApiGroup, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_COMPANY_UUID, DEMO_PASSWORD,
    DEMO_REFRESH_TOKEN, DEMO_REQUEST_TOKEN, DEMO_USERNAME, Faults, SimConfig, SimServer, Size,
    TenantConfig, build_data, write_ground_truth_csv,
};

#[derive(Parser, Debug)]
#[command(
    name = "concur-sim",
    version,
    about = "Local SAP Concur API simulator with a synthetic company"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Option<Cmd>,
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Tenant: `tiny`, `demo`, `large`, `docs`, or `NAME=SIZE` (SIZE one of those). Repeatable;
    /// the first tenant gets the printed demo credentials.
    #[arg(long = "tenant", default_value = "demo")]
    tenants: Vec<String>,
    /// Generator seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Fault spec applied to every tenant, e.g. `latency_ms=5,429_every=10,retry_after=0`.
    #[arg(long)]
    faults: Option<String>,
    /// Enabled API groups (comma-separated: expense_report,invoice,imaging,list_items,users).
    #[arg(long)]
    groups: Option<String>,
    /// Fixed "now" of the data (YYYY-MM-DD).
    #[arg(long)]
    now: Option<chrono::NaiveDate>,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    token_lifetime: u64,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Write the ground truth of a tenant as CSV to stdout.
    GroundTruth {
        /// Tenant (as for the server).
        #[arg(long, default_value = "demo")]
        tenant: String,
        /// Generator seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Fixed "now" of the data (YYYY-MM-DD).
        #[arg(long)]
        now: Option<chrono::NaiveDate>,
    },
}

fn tenant(spec: &str, seed: u64) -> anyhow::Result<TenantConfig> {
    let (name, kind) = spec.split_once('=').unwrap_or((spec, spec));
    if kind == "docs" {
        return Ok(TenantConfig::docs(name));
    }
    let size = Size::parse(kind)
        .with_context(|| format!("unknown tenant size `{kind}` (tiny, demo, large, docs)"))?;
    Ok(TenantConfig::generated(name, size).seed(seed))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let default_now = SimConfig::new().now;
    if let Some(Cmd::GroundTruth {
        tenant: t,
        seed,
        now,
    }) = &cli.cmd
    {
        let tc = tenant(t, *seed)?;
        let (data, _) = build_data(&tc, now.unwrap_or(default_now))?;
        let stdout = std::io::stdout();
        let n = write_ground_truth_csv(&data, stdout.lock())?;
        eprintln!("wrote {n} ground-truth rows");
        return Ok(());
    }
    let faults = match &cli.faults {
        Some(s) => Faults::parse(s).map_err(anyhow::Error::msg)?,
        None => Faults::default(),
    };
    let groups: Option<Vec<ApiGroup>> = match &cli.groups {
        Some(g) => Some(
            g.split(',')
                .map(|x| {
                    ApiGroup::parse(x.trim()).with_context(|| format!("unknown API group `{x}`"))
                })
                .collect::<anyhow::Result<_>>()?,
        ),
        None => None,
    };
    let mut cfg = SimConfig::new()
        .port(cli.port)
        .now(cli.now.unwrap_or(default_now))
        .access_token_lifetime(std::time::Duration::from_secs(cli.token_lifetime));
    if cli.tenants.is_empty() {
        bail!("at least one --tenant is required");
    }
    for t in &cli.tenants {
        let mut tc = tenant(t, cli.seed)?.faults(faults.clone());
        if let Some(g) = &groups {
            tc = tc.groups(g);
        }
        cfg = cfg.tenant(tc);
    }
    let sim = SimServer::start(cfg).await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "CONCUR_BASE_URL={}", sim.base_url())?;
    writeln!(out, "CONCUR_CLIENT_ID={DEMO_CLIENT_ID}")?;
    writeln!(out, "CONCUR_CLIENT_SECRET={DEMO_CLIENT_SECRET}")?;
    writeln!(out, "CONCUR_USERNAME={DEMO_USERNAME}")?;
    writeln!(out, "CONCUR_PASSWORD={DEMO_PASSWORD}")?;
    writeln!(out, "CONCUR_REFRESH_TOKEN={DEMO_REFRESH_TOKEN}")?;
    writeln!(out, "CONCUR_COMPANY_UUID={DEMO_COMPANY_UUID}")?;
    writeln!(out, "CONCUR_REQUEST_TOKEN={DEMO_REQUEST_TOKEN}")?;
    out.flush()?;
    drop(out);
    tokio::signal::ctrl_c().await?;
    sim.stop();
    Ok(())
}
