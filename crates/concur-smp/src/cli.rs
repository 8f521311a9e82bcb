//! Command-line definitions (clap derive, with environment variables).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::classify::ClassifyFormat;

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  error (network, server, I/O)
  2  usage error
  3  authentication failed (bad or expired credentials, invalid_grant, untrusted base URL)
  4  permission denied (Expense Report not granted)
  5  partial result (finished, output written, some records or pages not read)

Start with `concur-smp demo` (no account, no network needed).
`concur-smp model-example` prints the example JSON document of docs/model.md.";

/// Discover SaaS services and costs in a SAP Concur company, for a SaaS Management Platform.
#[derive(Debug, Parser)]
#[command(
    name = "concur-smp",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors on stderr; no progress bars.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the full discovery against a built-in simulated Concur company (no account, no
    /// network) and write every export.
    Demo(DemoArgs),
    /// Obtain a token and store it (0600) in the config directory.
    Login(LoginArgs),
    /// Delete the stored token (revoking it at Concur where Concur allows).
    Logout(LogoutArgs),
    /// The SMP setup guide as a checklist: authentication and each API group.
    Check(CheckArgs),
    /// Discover services and costs (incremental with --state).
    Discover(Box<DiscoverArgs>),
    /// Classify vendor descriptors from a CSV file (offline).
    Classify(ClassifyArgs),
    /// Print the example JSON document of docs/model.md.
    #[command(hide = true)]
    ModelExample,
}

/// Size of the demo company.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DemoSize {
    /// 10 employees, 40 reports (fast; for tests).
    Tiny,
    /// 1,000 employees, ~50,000 entries.
    Demo,
}

/// `demo` options.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Output directory.
    #[arg(long, value_name = "DIR", default_value = "concur-smp-demo")]
    pub out: PathBuf,
    /// Size of the simulated demo company.
    #[arg(long, value_enum, default_value_t = DemoSize::Demo)]
    pub size: DemoSize,
    /// Number of services in the summary.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
}

/// How to obtain a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuthModeArg {
    /// Company request token with the company UUID (`credtype=authtoken`).
    Company,
    /// A user's login and password (`grant_type=password`).
    Password,
    /// A refresh token obtained elsewhere.
    RefreshToken,
    /// The app's own token (`client_credentials`).
    ClientCredentials,
    /// The legacy partner application: consumer key + login + password.
    Legacy,
}

/// Connection and credential inputs (flags or environment).
#[derive(Clone, Debug, Default, Args)]
pub struct ConnArgs {
    /// API base URL used to obtain the token. Given explicitly (flag or CONCUR_BASE_URL), its
    /// host is trusted (simulator, proxy, test server); otherwise Concur's own hosts only.
    #[arg(long, env = "CONCUR_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// OAuth2 client id of the app.
    #[arg(long, env = "CONCUR_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,
    /// OAuth2 client secret (prompted when missing and interactive).
    #[arg(
        long,
        env = "CONCUR_CLIENT_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub client_secret: Option<String>,
    /// Login (e-mail) of the connecting user (password and legacy modes).
    #[arg(long, env = "CONCUR_USERNAME", value_name = "LOGIN")]
    pub username: Option<String>,
    /// Password of the connecting user (prompted when missing and interactive).
    #[arg(
        long,
        env = "CONCUR_PASSWORD",
        hide_env_values = true,
        value_name = "PASSWORD"
    )]
    pub password: Option<String>,
    /// A refresh token (refresh-token mode).
    #[arg(
        long,
        env = "CONCUR_REFRESH_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub refresh_token: Option<String>,
    /// Company UUID (company mode).
    #[arg(long, env = "CONCUR_COMPANY_UUID", value_name = "UUID")]
    pub company_uuid: Option<String>,
    /// Company request token (company mode; prompted when missing and interactive).
    #[arg(
        long,
        env = "CONCUR_REQUEST_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub request_token: Option<String>,
    /// Legacy partner-application consumer key; the legacy flow is used only when it is set.
    #[arg(long, env = "CONCUR_CONSUMER_KEY", value_name = "KEY")]
    pub consumer_key: Option<String>,
    /// Force an authentication mode (default: chosen from the inputs given; see docs/cli.md).
    #[arg(long, value_enum)]
    pub auth_mode: Option<AuthModeArg>,
}

/// `login` options.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Credentials.
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// `logout` options.
#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Only delete the local token; do not call Concur to revoke it.
    #[arg(long)]
    pub no_revoke: bool,
    /// Also accepted for revocation of OAuth2 tokens (not needed for the local delete).
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// `check` options.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// State file to take the token from (and to store rotated tokens in).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,
    /// Credentials.
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// `check` output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// A human-readable checklist.
    Table,
    /// JSON.
    Json,
}

/// `discover` output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A human-readable summary.
    Table,
    /// The docs/model.md JSON document.
    Json,
    /// One event per line.
    Ndjson,
    /// Detailed costs CSV (service, owner, source columns).
    Csv,
    /// The SMP expense file-import CSV.
    SmpCsv,
    /// LeanIX LDIF.
    Ldif,
}

/// `discover` options.
#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// Start of the first run's window (YYYY-MM-DD, report modification date); default 12
    /// months back. Ignored when the state has a checkpoint.
    #[arg(long, value_name = "DATE")]
    pub since: Option<chrono::NaiveDate>,
    /// State file: token, checkpoint and everything discovered so far (incremental runs).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Output file (default: stdout).
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// User rules (TOML; see docs/catalog.md).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Exchange rates CSV `currency,rate_to_reporting_currency` for reporting-currency totals.
    #[arg(long, value_name = "FILE")]
    pub rates: Option<PathBuf>,
    /// Reporting currency of --rates (default: the currency whose rate is 1).
    #[arg(long, value_name = "CODE", requires = "rates")]
    pub reporting_currency: Option<String>,
    /// Write only this run's events (new, changed and retracted records).
    #[arg(long)]
    pub changes_only: bool,
    /// Connection id used in cost ids (default: from the state file, else `concur`).
    #[arg(long, env = "CONCUR_SMP_CONNECTION_ID", value_name = "ID")]
    pub connection_id: Option<String>,
    /// Maximum concurrent requests to Concur.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub concurrency: usize,
    /// Number of services in the summary.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Credentials (used when neither the state nor the login store holds a token).
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// `classify` options.
#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// Input CSV (`-` or absent: stdin).
    #[arg(long, short, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ClassifyFormat::Csv)]
    pub format: ClassifyFormat,
    /// User rules (TOML; see docs/catalog.md).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_discover() {
        let c = Cli::try_parse_from([
            "concur-smp",
            "discover",
            "--base-url",
            "http://127.0.0.1:1",
            "--format",
            "smp-csv",
            "--since",
            "2025-01-01",
        ])
        .unwrap();
        let Command::Discover(d) = c.command else {
            panic!()
        };
        assert_eq!(d.format, OutputFormat::SmpCsv);
        assert_eq!(d.conn.base_url.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(d.since, chrono::NaiveDate::from_ymd_opt(2025, 1, 1));
    }
}
