//! `concur-smpd`: the discovery service binary (see `docs/service.md`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use concur_smpd::config::{Config, LogFormat};

/// Periodic SAP Concur discovery into a store, with an HTTP API for an SMP.
#[derive(Debug, Parser)]
#[command(name = "concur-smpd", version, about)]
struct Args {
    /// Configuration file (TOML); `CONCUR_SMPD_*` variables override its values.
    #[arg(
        long,
        short,
        env = "CONCUR_SMPD_CONFIG",
        default_value = "concur-smpd.toml"
    )]
    config: PathBuf,
    /// Validate the configuration and exit.
    #[arg(long)]
    check_config: bool,
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // No colour escapes in log files or journald: only on a terminal.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let config = match Config::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("concur-smpd: {e}");
            return ExitCode::from(2);
        }
    };
    if args.check_config {
        println!(
            "configuration ok: {} connection(s) [{}]; listen {}; store {}; sync_interval {}s; retention {} months",
            config.connections.len(),
            config
                .connections
                .iter()
                .map(|(id, c)| format!("{id}: client_id {}", c.client_id))
                .collect::<Vec<_>>()
                .join(", "),
            config.listen,
            concur_smpd::store::redact_url(&config.effective_store_url()),
            config.sync_interval.as_secs(),
            config.retention_months,
        );
        return ExitCode::SUCCESS;
    }
    init_tracing(config.log_format);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("concur-smpd: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(concur_smpd::run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("concur-smpd: {e:#}");
            ExitCode::FAILURE
        }
    }
}
