//! Exit codes and the mapping from errors to one clear line plus a hint.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | ok |
//! | 1 | anything else (network, I/O, server) |
//! | 2 | usage (bad flags, unreadable input files) |
//! | 3 | authentication (bad or expired credentials, `invalid_grant`, untrusted base URL) |
//! | 4 | permission (the Expense Report API group is not granted) |
//! | 5 | partial (finished, output written, but some records or pages were not read) |

use std::fmt;

use saas_discovery::DiscoveryError;

/// The process exit codes of `concur-smp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Exit {
    /// 0: success.
    Ok,
    /// 1: any other failure.
    Failure,
    /// 2: usage error.
    Usage,
    /// 3: authentication failed (including an untrusted geolocation / base URL).
    Auth,
    /// 4: the Expense Report permission is missing.
    Permission,
    /// 5: the run finished with a partial result; output was written.
    Partial,
}

impl Exit {
    /// The numeric process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::Auth => 3,
            Exit::Permission => 4,
            Exit::Partial => 5,
        }
    }
}

/// A failure the CLI reports: an exit code, one line of message, and an optional hint.
///
/// Messages never contain secrets (they are built from the libraries' errors, which redact
/// tokens, passwords and client secrets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Exit code.
    pub exit: Exit,
    /// One line: what went wrong.
    pub message: String,
    /// One line: what to do about it.
    pub hint: Option<String>,
}

impl Failure {
    /// A failure with an exit code and message.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: one_line(&message.into()),
            hint: None,
        }
    }

    /// A usage failure (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    /// Adds a hint.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(one_line(&hint.into()));
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

const LOGIN_AGAIN: &str =
    "run `concur-smp login` again (or set CONCUR_* credentials in the environment)";

/// Maps a concur-client error to a [`Failure`].
pub fn from_client_error(e: &concur_client::Error) -> Failure {
    use concur_client::Error as E;
    match e {
        E::ReauthorizeRequired(_) => Failure::new(Exit::Auth, format!("Concur rejected the refresh token ({e})"))
            .hint(format!("the stored token is no longer valid: {LOGIN_AGAIN}")),
        E::Authentication(_) => Failure::new(Exit::Auth, format!("Concur rejected the credentials ({e})")).hint(
            "check CONCUR_CLIENT_ID, CONCUR_CLIENT_SECRET and the user's login/password or tokens; then run `concur-smp login`",
        ),
        E::UntrustedBaseUrl { url, context } => Failure::new(
            Exit::Auth,
            format!("untrusted geolocation or base URL {url} ({context}); no credential was sent there"),
        )
        .hint("Concur hosts end in .concursolutions.com; pass --base-url explicitly to use a proxy, test server or the simulator"),
        E::Permission { api_group, .. } => Failure::new(Exit::Permission, format!("permission denied: {e}")).hint(format!(
            "grant the {api_group} API to the partner application (Administration > Company > Web Services) and give the user the Web Services Administrator role; `concur-smp check` lists what is missing"
        )),
        E::Transport { .. } => Failure::new(Exit::Failure, format!("{e}"))
            .hint("check the network connection and the base URL (--base-url / CONCUR_BASE_URL)"),
        E::Throttled { .. } => Failure::new(Exit::Failure, format!("{e}")).hint("Concur is rate limiting; try again later"),
        E::Server { .. } => Failure::new(Exit::Failure, format!("{e}"))
            .hint("Concur answered with server errors; try again later (quote the correlation id to SAP Concur support)"),
        E::TokenStore { .. } => Failure::new(Exit::Failure, format!("{e}"))
            .hint("check that the state / config directory is writable (CONCUR_SMP_CONFIG_DIR, --state)"),
        E::Config(_) => Failure::new(Exit::Usage, format!("{e}")).hint("see `concur-smp help`"),
        _ => Failure::new(Exit::Failure, format!("{e}")),
    }
}

/// Maps a discovery error to a [`Failure`].
pub fn from_discovery_error(e: &DiscoveryError) -> Failure {
    match e {
        DiscoveryError::Authentication(m) => {
            let lower = m.to_ascii_lowercase();
            let f = Failure::new(Exit::Auth, format!("authentication failed: {m}"));
            if lower.contains("untrusted") {
                f.hint("the geolocation or base URL is untrusted; pass --base-url explicitly for a proxy, test server or the simulator")
            } else if lower.contains("refresh") || lower.contains("invalid_grant") || lower.contains("authorize again") {
                f.hint(format!("Concur rejected the refresh token — {LOGIN_AGAIN}"))
            } else {
                f.hint(format!("check the credentials; {LOGIN_AGAIN}"))
            }
        }
        DiscoveryError::Permission(m) => Failure::new(
            Exit::Permission,
            if m.to_ascii_lowercase().starts_with("permission denied") {
                m.clone()
            } else {
                format!("permission denied: {m}")
            },
        )
        .hint(
            "grant Expense Report to the partner application (Administration > Company > Web Services) and the roles Expense User/Processor and Web Services Administrator to the user; `concur-smp check` lists what is missing",
        ),
        DiscoveryError::InvalidCheckpoint(m) => Failure::new(Exit::Failure, format!("the state file's checkpoint is not usable: {m}"))
            .hint("use a new --state file (or delete the old one) to start a full run"),
        DiscoveryError::Sink(s) => Failure::new(Exit::Failure, format!("could not write results: {}", s.message()))
            .hint("check that the output and state paths are writable"),
        _ => {
            // Source errors may wrap a client error.
            let mut cur: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
            while let Some(c) = cur {
                if let Some(ce) = c.downcast_ref::<concur_client::Error>() {
                    let mut f = from_client_error(ce);
                    f.message = one_line(&format!("{e}: {}", f.message));
                    return f;
                }
                cur = c.source();
            }
            Failure::new(Exit::Failure, format!("{e}")).hint("run again with -v for details")
        }
    }
}

/// Maps any error of a command to a [`Failure`] (looks through the `anyhow` chain for
/// [`Failure`], [`DiscoveryError`] and [`concur_client::Error`]).
pub fn classify(err: &anyhow::Error) -> Failure {
    for cause in err.chain() {
        if let Some(f) = cause.downcast_ref::<Failure>() {
            return f.clone();
        }
        if let Some(d) = cause.downcast_ref::<DiscoveryError>() {
            return from_discovery_error(d);
        }
        if let Some(c) = cause.downcast_ref::<concur_client::Error>() {
            let mut f = from_client_error(c);
            let top = err.to_string();
            if !f.message.contains(&top) && top != c.to_string() {
                f.message = one_line(&format!("{top}: {}", f.message));
            }
            return f;
        }
    }
    Failure::new(Exit::Failure, format!("{err:#}")).hint("run again with -v for details")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(Exit::Ok.code(), 0);
        assert_eq!(Exit::Failure.code(), 1);
        assert_eq!(Exit::Usage.code(), 2);
        assert_eq!(Exit::Auth.code(), 3);
        assert_eq!(Exit::Permission.code(), 4);
        assert_eq!(Exit::Partial.code(), 5);
    }

    #[test]
    fn failure_is_one_line() {
        let f = Failure::new(Exit::Failure, "a\nb  c").hint("x\ny");
        assert_eq!(f.message, "a b c");
        assert_eq!(f.hint.as_deref(), Some("x y"));
    }

    #[test]
    fn anyhow_chain_finds_failure() {
        let e = anyhow::Error::new(Failure::usage("bad flag")).context("while parsing");
        let f = classify(&e);
        assert_eq!(f.exit, Exit::Usage);
        assert_eq!(f.message, "bad flag");
    }

    #[test]
    fn discovery_permission_is_4() {
        let e = anyhow::Error::new(DiscoveryError::Permission("Expense Report".into()));
        assert_eq!(classify(&e).exit, Exit::Permission);
        let e = anyhow::Error::new(DiscoveryError::Authentication("invalid_grant".into()));
        let f = classify(&e);
        assert_eq!(f.exit, Exit::Auth);
        assert!(f.hint.unwrap().contains("concur-smp login"));
    }

    #[test]
    fn other_errors_are_1() {
        let e = anyhow::anyhow!("disk full");
        assert_eq!(classify(&e).exit, Exit::Failure);
    }
}
