//! Credentials from flags / environment, and building a [`concur_client::Client`].
//!
//! Mode choice when `--auth-mode` is not given (first that applies):
//! 1. `CONCUR_CONSUMER_KEY` set: legacy partner application (consumer key + login + password);
//! 2. `CONCUR_COMPANY_UUID` or `CONCUR_REQUEST_TOKEN`: company request token;
//! 3. `CONCUR_REFRESH_TOKEN`: refresh token;
//! 4. `CONCUR_USERNAME`: password grant;
//! 5. `CONCUR_CLIENT_ID` only: client credentials.

use std::io::IsTerminal as _;
use std::sync::Arc;

use concur_client::{Client, Credentials, Grant, TokenRecord, TokenStore};
use url::Url;

use crate::cli::{AuthModeArg, ConnArgs};
use crate::error::{Exit, Failure};

/// Where the first token is obtained when no base URL is given (most modes).
pub const DEFAULT_BASE_URL: &str = "https://us.api.concursolutions.com/";
/// Where company request tokens are exchanged when no base URL is given (Concur's GLZ).
pub const COMPANY_BASE_URL: &str = "https://glz.api.concursolutions.com/";
/// Where the legacy flow starts when no base URL is given.
pub const LEGACY_BASE_URL: &str = "https://www.concursolutions.com/";

/// Credentials taken from flags or the environment (secrets wrapped by concur-client types).
#[derive(Clone, Debug)]
pub struct EnvCredentials {
    /// The mode chosen.
    pub mode: AuthModeArg,
    /// The base URL given explicitly, if any.
    pub explicit_base_url: Option<Url>,
    /// The OAuth2 client id and secret (absent in legacy mode).
    pub credentials: Option<Credentials>,
    /// The grant.
    pub grant: Grant,
}

impl EnvCredentials {
    /// The URL the first token is obtained from.
    pub fn token_base_url(&self) -> Url {
        if let Some(u) = &self.explicit_base_url {
            return u.clone();
        }
        let d = match self.mode {
            AuthModeArg::Company => COMPANY_BASE_URL,
            AuthModeArg::Legacy => LEGACY_BASE_URL,
            _ => DEFAULT_BASE_URL,
        };
        Url::parse(d).expect("constant base URLs parse")
    }

    /// The client id, if any.
    pub fn client_id(&self) -> Option<String> {
        self.credentials.as_ref().map(|c| c.client_id().to_owned())
    }
}

/// Parses an explicitly given base URL.
///
/// # Errors
/// A usage [`Failure`] for an invalid URL; an authentication [`Failure`] (exit 3) for a
/// look-alike of a Concur host (see [`looks_like_concur_but_untrusted`]).
pub fn parse_base_url(s: &str) -> anyhow::Result<Url> {
    let u = Url::parse(s.trim()).map_err(|e| {
        Failure::usage(format!("invalid base URL {s:?}: {e}"))
            .hint("use a URL such as https://us2.api.concursolutions.com")
    })?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err(Failure::usage(format!("invalid base URL {s:?}: not an http(s) URL")).into());
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(Failure::usage("the base URL must not contain a user name or password").into());
    }
    if looks_like_concur_but_untrusted(&u) {
        return Err(Failure::new(
            Exit::Auth,
            format!(
                "untrusted base URL {}: it looks like a Concur host but is not https on *.concursolutions.com / *.concurcdc.cn; no credential was sent there",
                u.origin().ascii_serialization()
            ),
        )
        .hint("use your company's Concur geolocation, e.g. https://us2.api.concursolutions.com (see docs/cli.md)")
        .into());
    }
    Ok(u)
}

/// A host that names Concur (`concursolutions` / `concurcdc`) but fails concur-client's trust
/// rule (whole DNS labels, `https`): a look-alike such as `concursolutions.com.evil.test` or a
/// plain-`http` Concur URL. Other explicit hosts (loopback simulator, proxy, test server) stay
/// allowed.
fn looks_like_concur_but_untrusted(u: &Url) -> bool {
    let Some(host) = u.host_str() else {
        return false;
    };
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    let names_concur = h.contains("concursolutions") || h.contains("concurcdc");
    names_concur && !(u.scheme() == "https" && concur_client::trust::is_concur_host(&h))
}

/// Whether we may prompt (stdin and stderr are terminals).
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

fn prompt_secret(what: &str, env: &str, interactive: bool) -> anyhow::Result<String> {
    if !interactive {
        return Err(Failure::usage(format!("{what} is missing"))
            .hint(format!(
                "set {env} (or the matching flag); concur-smp only prompts on a terminal"
            ))
            .into());
    }
    let v = rpassword::prompt_password(format!("{what}: "))
        .map_err(|e| Failure::usage(format!("cannot read {what} from the terminal: {e}")))?;
    if v.is_empty() {
        return Err(Failure::usage(format!("{what} is empty")).into());
    }
    Ok(v)
}

fn need(v: &Option<String>, what: &str, env: &str) -> anyhow::Result<String> {
    match v.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s.to_owned()),
        _ => Err(Failure::usage(format!("{what} is missing"))
            .hint(format!(
                "set {env} or pass the matching flag (see `concur-smp help login`)"
            ))
            .into()),
    }
}

fn secret(v: &Option<String>, what: &str, env: &str, interactive: bool) -> anyhow::Result<String> {
    match v.as_deref() {
        Some(s) if !s.is_empty() => Ok(s.to_owned()),
        _ => prompt_secret(what, env, interactive),
    }
}

fn has(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.trim().is_empty())
}

/// Whether the inputs name any credential at all.
pub fn any_credentials(conn: &ConnArgs) -> bool {
    detect_mode(conn).is_some()
}

fn detect_mode(conn: &ConnArgs) -> Option<AuthModeArg> {
    if let Some(m) = conn.auth_mode {
        return Some(m);
    }
    if has(&conn.consumer_key) {
        Some(AuthModeArg::Legacy)
    } else if has(&conn.company_uuid) || has(&conn.request_token) {
        Some(AuthModeArg::Company)
    } else if has(&conn.refresh_token) {
        Some(AuthModeArg::RefreshToken)
    } else if has(&conn.username) {
        Some(AuthModeArg::Password)
    } else if has(&conn.client_id) {
        Some(AuthModeArg::ClientCredentials)
    } else {
        None
    }
}

/// The app credentials (client id and secret), prompting for a missing secret.
///
/// # Errors
/// Usage failure when the client id is missing or the secret cannot be obtained.
fn app_credentials(conn: &ConnArgs, interactive: bool) -> anyhow::Result<Credentials> {
    let id = need(&conn.client_id, "the OAuth2 client id", "CONCUR_CLIENT_ID")?;
    let secret = secret(
        &conn.client_secret,
        "the OAuth2 client secret",
        "CONCUR_CLIENT_SECRET",
        interactive,
    )?;
    Ok(Credentials::new(id, secret))
}

/// The app credentials when both id and secret are given (no prompt): used to refresh a
/// stored token.
pub fn app_credentials_if_present(conn: &ConnArgs) -> Option<Credentials> {
    match (&conn.client_id, &conn.client_secret) {
        (Some(i), Some(s)) if !i.trim().is_empty() && !s.is_empty() => {
            Some(Credentials::new(i.trim(), s.clone()))
        }
        _ => None,
    }
}

/// Reads credentials from flags / environment. `Ok(None)` when nothing is given.
///
/// # Errors
/// Usage failures for incomplete inputs (a missing secret is prompted for when `interactive`).
pub fn env_credentials(
    conn: &ConnArgs,
    interactive: bool,
) -> anyhow::Result<Option<EnvCredentials>> {
    let Some(mode) = detect_mode(conn) else {
        return Ok(None);
    };
    let explicit_base_url = conn
        .base_url
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(parse_base_url)
        .transpose()?;
    let (credentials, grant) = match mode {
        AuthModeArg::Legacy => {
            let key = need(
                &conn.consumer_key,
                "the consumer key",
                "CONCUR_CONSUMER_KEY",
            )?;
            let user = need(&conn.username, "the login (user name)", "CONCUR_USERNAME")?;
            let pw = secret(
                &conn.password,
                "the Concur password",
                "CONCUR_PASSWORD",
                interactive,
            )?;
            (None, Grant::legacy(key, user, pw))
        }
        AuthModeArg::Company => {
            let creds = app_credentials(conn, interactive)?;
            let uuid = need(
                &conn.company_uuid,
                "the company UUID",
                "CONCUR_COMPANY_UUID",
            )?;
            let rt = secret(
                &conn.request_token,
                "the company request token",
                "CONCUR_REQUEST_TOKEN",
                interactive,
            )?;
            (Some(creds), Grant::company(uuid, rt))
        }
        AuthModeArg::RefreshToken => {
            let creds = app_credentials(conn, interactive)?;
            let rt = secret(
                &conn.refresh_token,
                "the refresh token",
                "CONCUR_REFRESH_TOKEN",
                interactive,
            )?;
            (Some(creds), Grant::refresh_token(rt))
        }
        AuthModeArg::Password => {
            let creds = app_credentials(conn, interactive)?;
            let user = need(&conn.username, "the login (user name)", "CONCUR_USERNAME")?;
            let pw = secret(
                &conn.password,
                "the Concur password",
                "CONCUR_PASSWORD",
                interactive,
            )?;
            (Some(creds), Grant::password(user, pw))
        }
        AuthModeArg::ClientCredentials => (
            Some(app_credentials(conn, interactive)?),
            Grant::ClientCredentials,
        ),
    };
    Ok(Some(EnvCredentials {
        mode,
        explicit_base_url,
        credentials,
        grant,
    }))
}

/// A client that obtains its first token with `env` and saves every token to `store`.
///
/// # Errors
/// Client configuration errors.
pub fn client_from_env(
    env: &EnvCredentials,
    store: Option<Arc<dyn TokenStore>>,
) -> anyhow::Result<Client> {
    let mut b = Client::builder()
        .base_url_parsed(env.token_base_url())
        .grant(env.grant.clone());
    if let Some(c) = &env.credentials {
        b = b.credentials(c.clone());
    }
    if let Some(s) = store {
        b = b.token_store(s);
    }
    Ok(b.build()?)
}

/// A client that continues from a stored token (loaded from `store`, which also receives
/// rotated tokens). `explicit` is a base URL given on the command line (trusted); the stored
/// token's own base URL came from our own 0600 file and is trusted too.
///
/// # Errors
/// Client configuration errors.
pub fn client_from_stored(
    token: &TokenRecord,
    explicit: Option<&Url>,
    credentials: Option<Credentials>,
    store: Arc<dyn TokenStore>,
) -> anyhow::Result<Client> {
    let base = explicit.cloned().unwrap_or_else(|| token.base_url.clone());
    let mut b = Client::builder()
        .base_url_parsed(base)
        .trust_origin(token.base_url.as_str())
        .token_store(store);
    if let Some(c) = credentials {
        b = b.credentials(c);
    }
    Ok(b.build()?)
}

/// Whether an error means the stored token can no longer be used (so the environment's
/// credentials may be tried once).
pub fn is_stale_token_error(e: &anyhow::Error) -> bool {
    for c in e.chain() {
        if let Some(ce) = c.downcast_ref::<concur_client::Error>() {
            return matches!(
                ce,
                concur_client::Error::ReauthorizeRequired(_)
                    | concur_client::Error::Authentication(_)
            );
        }
        if let Some(de) = c.downcast_ref::<saas_discovery::DiscoveryError>() {
            return matches!(de, saas_discovery::DiscoveryError::Authentication(m) if !m.to_ascii_lowercase().contains("untrusted"));
        }
        if let Some(f) = c.downcast_ref::<Failure>() {
            return f.exit == Exit::Auth && !f.message.contains("untrusted");
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> ConnArgs {
        ConnArgs::default()
    }

    #[test]
    fn mode_detection_order() {
        let mut c = conn();
        assert!(env_credentials(&c, false).unwrap().is_none());
        c.client_id = Some("id".into());
        c.client_secret = Some("sec".into());
        assert_eq!(
            env_credentials(&c, false).unwrap().unwrap().mode,
            AuthModeArg::ClientCredentials
        );
        c.username = Some("ada@example.com".into());
        c.password = Some("pw".into());
        assert_eq!(
            env_credentials(&c, false).unwrap().unwrap().mode,
            AuthModeArg::Password
        );
        c.refresh_token = Some("rt".into());
        assert_eq!(
            env_credentials(&c, false).unwrap().unwrap().mode,
            AuthModeArg::RefreshToken
        );
        c.company_uuid = Some("uuid".into());
        c.request_token = Some("req".into());
        let e = env_credentials(&c, false).unwrap().unwrap();
        assert_eq!(e.mode, AuthModeArg::Company);
        assert_eq!(e.token_base_url().as_str(), COMPANY_BASE_URL);
        c.consumer_key = Some("key".into());
        let e = env_credentials(&c, false).unwrap().unwrap();
        assert_eq!(e.mode, AuthModeArg::Legacy);
        assert!(e.credentials.is_none());
    }

    #[test]
    fn missing_secret_without_terminal_is_usage() {
        let mut c = conn();
        c.client_id = Some("id".into());
        c.username = Some("ada@example.com".into());
        let err = env_credentials(&c, false).unwrap_err();
        let f = crate::error::classify(&err);
        assert_eq!(f.exit, Exit::Usage);
        assert!(f.hint.unwrap().contains("CONCUR_CLIENT_SECRET"));
    }

    #[test]
    fn explicit_base_url_is_used() {
        let mut c = conn();
        c.client_id = Some("id".into());
        c.client_secret = Some("s".into());
        c.base_url = Some("http://127.0.0.1:8080".into());
        let e = env_credentials(&c, false).unwrap().unwrap();
        assert_eq!(e.token_base_url().as_str(), "http://127.0.0.1:8080/");
        c.base_url = Some("ftp://x".into());
        assert!(env_credentials(&c, false).is_err());
    }

    #[test]
    fn concur_look_alike_base_url_is_an_auth_failure() {
        for bad in [
            "https://concursolutions.com.evil.test",
            "https://us.api.concursolutions.com.evil.test/",
            "https://evilconcursolutions.com",
            "http://us2.api.concursolutions.com",
        ] {
            let err = parse_base_url(bad).unwrap_err();
            let f = crate::error::classify(&err);
            assert_eq!(f.exit, Exit::Auth, "{bad}");
            assert!(f.message.contains("untrusted"), "{}", f.message);
        }
        for good in [
            "https://us2.api.concursolutions.com",
            "https://cn.api.concurcdc.cn/",
            "http://127.0.0.1:8080",
            "https://proxy.example.com",
        ] {
            assert!(parse_base_url(good).is_ok(), "{good}");
        }
    }
}
