//! `concur-smp`: a thin, friendly command line over the concur-smp libraries.
//!
//! * `demo`: discovery against the built-in simulator (no account, no network).
//! * `login` / `logout`: obtain / delete a token (0600 file in the config directory).
//! * `check`: the SMP setup guide as an executable checklist.
//! * `discover`: discovery against a Concur company, incremental with `--state`.
//! * `classify`: classify vendor descriptors from a CSV file, offline.
//!
//! The reference is `docs/cli.md`. Exit codes are in [`error::Exit`]. Logs go to stderr
//! (`-v`, `RUST_LOG`); secrets never reach the output, the logs or any file except the 0600
//! token and state files.

pub mod check;
pub mod classify;
pub mod cli;
pub mod connect;
pub mod demo;
pub mod discover;
pub mod error;
pub mod login;
pub mod runner;
pub mod state;
pub mod summary;

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::{Cli, Command};
use crate::error::{Exit, Failure};

fn init_logging(verbose: u8, quiet: bool) {
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info,concur_client=info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(verbose >= 2)
        .try_init();
}

fn install_panic_hook() {
    if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
        return;
    }
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".into());
        let first = msg.lines().next().unwrap_or("");
        eprintln!("error: internal error: {first}");
        eprintln!("hint: this is a bug in concur-smp; run with RUST_BACKTRACE=1 and report it");
    }));
}

/// Runs one parsed command.
///
/// # Errors
/// Any failure; see [`error::classify`].
pub async fn dispatch(cli: Cli) -> anyhow::Result<Exit> {
    match &cli.command {
        Command::Demo(a) => demo::run(a, cli.quiet).await,
        Command::Login(a) => login::login(a).await,
        Command::Logout(a) => login::logout(a).await,
        Command::Check(a) => check::run(a).await,
        Command::Discover(a) => discover::run(a, cli.quiet).await,
        Command::ModelExample => {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            out.write_all(saas_discovery::Document::example_json().as_bytes())?;
            out.flush()?;
            Ok(Exit::Ok)
        }
        Command::Classify(a) => {
            classify::run(a.input.as_deref(), a.format, a.rules.as_deref())?;
            Ok(Exit::Ok)
        }
    }
}

/// Prints a failure as one line plus a hint on stderr.
pub fn report(f: &Failure) {
    eprintln!("error: {}", f.message);
    if let Some(h) = &f.hint {
        eprintln!("hint: {h}");
    }
}

fn clap_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind as K;
    match e.kind() {
        K::DisplayHelp | K::DisplayVersion => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        K::DisplayHelpOnMissingArgumentOrSubcommand | K::MissingSubcommand => {
            eprint!("{}", e.render());
            ExitCode::from(Exit::Usage.code())
        }
        _ => {
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or("error: invalid arguments");
            let first = if first.starts_with("error:") {
                first.to_owned()
            } else {
                format!("error: {first}")
            };
            eprintln!("{first}");
            let tip = text
                .lines()
                .map(str::trim)
                .find_map(|l| l.strip_prefix("tip: "))
                .map(|t| format!("{t}; see `concur-smp --help`"))
                .unwrap_or_else(|| {
                    "see `concur-smp --help` (or `concur-smp help <command>`)".to_owned()
                });
            eprintln!("hint: {tip}");
            ExitCode::from(Exit::Usage.code())
        }
    }
}

/// The whole program: parse arguments, set up logging, run, map the result to an exit code.
pub fn main_entry() -> ExitCode {
    install_panic_hook();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => return clap_error(&e),
    };
    init_logging(cli.verbose, cli.quiet);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            report(&Failure::new(
                Exit::Failure,
                format!("cannot start the async runtime: {e}"),
            ));
            return ExitCode::from(Exit::Failure.code());
        }
    };
    let result = runtime.block_on(dispatch(cli));
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(Exit::Partial) => {
            eprintln!(
                "warning: partial result: some records or pages could not be read (see the warnings); the output was written"
            );
            ExitCode::from(Exit::Partial.code())
        }
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            let f = error::classify(&e);
            tracing::debug!(error = ?e, "command failed");
            report(&f);
            ExitCode::from(f.exit.code())
        }
    }
}
