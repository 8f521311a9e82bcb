//! `login`, `logout`, and the credential resolution shared by `check` and `discover`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use concur_client::{AuthMode, Client, TokenRecord, TokenStore};
use secrecy::ExposeSecret as _;

use crate::cli::{ConnArgs, LoginArgs, LogoutArgs};
use crate::connect::{
    EnvCredentials, app_credentials_if_present, client_from_env, client_from_stored,
    env_credentials, interactive, parse_base_url,
};
use crate::error::{Exit, Failure};
use crate::state::{StateStore, login_token_path};

/// Where the token in use came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialSource {
    /// The token stored in a `--state` file.
    State(PathBuf),
    /// The token stored by `concur-smp login`.
    Login(PathBuf),
    /// Credentials from flags / environment (the token is then saved to the store).
    Environment,
}

impl std::fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CredentialSource::State(p) => write!(f, "the token in {}", p.display()),
            CredentialSource::Login(p) => write!(f, "the login token in {}", p.display()),
            CredentialSource::Environment => f.write_str("the credentials in the environment"),
        }
    }
}

/// A client ready to use, with the store that receives its tokens.
#[derive(Debug)]
pub struct Resolved {
    /// The client.
    pub client: Client,
    /// Where its token came from.
    pub source: CredentialSource,
    /// Where its tokens are saved (the `--state` file or the login token file).
    pub store: StateStore,
    /// Whether the store is a `--state` file.
    pub is_state: bool,
}

fn no_credentials() -> Failure {
    Failure::new(Exit::Auth, "no credentials: no stored token and no CONCUR_* credentials in the environment").hint(
        "run `concur-smp login`, or set CONCUR_CLIENT_ID, CONCUR_CLIENT_SECRET and CONCUR_USERNAME/CONCUR_PASSWORD (see docs/cli.md)",
    )
}

/// Whether a stored token belongs to an explicitly given base URL: same origin, or a token
/// whose geolocation is one of Concur's own hosts (Concur hands out a geolocation that differs
/// from the host the token was requested from). A token from another simulator, proxy or test
/// server is not used for this one.
pub fn token_fits_base_url(token: &TokenRecord, explicit: &url::Url) -> bool {
    use concur_client::trust::{Origin, is_concur_host};
    if Origin::of(&token.base_url) == Origin::of(explicit) {
        return true;
    }
    let concur = |u: &url::Url| u.scheme() == "https" && u.host_str().is_some_and(is_concur_host);
    concur(&token.base_url) && concur(explicit)
}

/// Picks the credentials, first that exists: the token in `--state`; the login token (only
/// without `--state`); the environment.
///
/// # Errors
/// Usage / authentication failures when no credentials are available or inputs are invalid.
pub fn resolve(state: Option<&Path>, conn: &ConnArgs) -> anyhow::Result<Resolved> {
    let (store, is_state) = match state {
        Some(p) => (StateStore::open(p)?, true),
        None => (StateStore::open(login_token_path()?)?, false),
    };
    let explicit = conn
        .base_url
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(parse_base_url)
        .transpose()?;
    let snapshot = store.get();
    let token = snapshot.token.filter(|t| {
        let keep = explicit.as_ref().is_none_or(|e| token_fits_base_url(t, e));
        if !keep {
            store.forget_token();
            tracing::info!(
                token_base_url = %t.base_url,
                "ignoring the stored token: it was issued by another API host than --base-url"
            );
        }
        keep
    });
    if let Some(token) = token {
        let client = client_from_stored(
            &token,
            explicit.as_ref(),
            app_credentials_if_present(conn),
            Arc::new(store.clone()) as Arc<dyn TokenStore>,
        )?;
        let source = if is_state {
            CredentialSource::State(store.path().to_path_buf())
        } else {
            CredentialSource::Login(store.path().to_path_buf())
        };
        return Ok(Resolved {
            client,
            source,
            store,
            is_state,
        });
    }
    let env = env_credentials(conn, interactive())?.ok_or_else(no_credentials)?;
    let client = client_from_env(&env, Some(Arc::new(store.clone())))?;
    remember_env(&store, &env)?;
    Ok(Resolved {
        client,
        source: CredentialSource::Environment,
        store,
        is_state,
    })
}

fn remember_env(store: &StateStore, env: &EnvCredentials) -> anyhow::Result<()> {
    let base = env.explicit_base_url.as_ref().map(|u| u.to_string());
    let id = env.client_id();
    if store.exists() {
        store.update(|s| {
            s.base_url = base;
            s.client_id = id;
        })
    } else {
        Ok(())
    }
}

/// After the stored token failed (e.g. `invalid_grant`), the environment's credentials are
/// tried once: the stale token is removed from the store and a client from the environment is
/// returned. `Ok(None)` when the token did not come from a store or the environment has no
/// credentials.
///
/// # Errors
/// Usage failures for incomplete environment inputs; state write errors.
pub fn fallback_to_env(resolved: &Resolved, conn: &ConnArgs) -> anyhow::Result<Option<Resolved>> {
    if resolved.source == CredentialSource::Environment {
        return Ok(None);
    }
    let Some(env) = env_credentials(conn, interactive())? else {
        return Ok(None);
    };
    tracing::warn!(
        "the stored token was rejected; trying the credentials from the environment once"
    );
    resolved.store.update(|s| s.token = None)?;
    let client = client_from_env(&env, Some(Arc::new(resolved.store.clone())))?;
    remember_env(&resolved.store, &env)?;
    Ok(Some(Resolved {
        client,
        source: CredentialSource::Environment,
        store: resolved.store.clone(),
        is_state: resolved.is_state,
    }))
}

/// Authenticates (refreshing a stored token when due), falling back to the environment once
/// when the stored token is rejected.
///
/// # Errors
/// Authentication failures.
pub async fn authenticate(
    resolved: Resolved,
    conn: &ConnArgs,
) -> anyhow::Result<(Resolved, TokenRecord)> {
    match resolved.client.authenticate().await {
        Ok(t) => Ok((resolved, t)),
        Err(e) => {
            let err = anyhow::Error::new(e);
            if crate::connect::is_stale_token_error(&err)
                && let Some(next) = fallback_to_env(&resolved, conn)?
            {
                let t = next.client.authenticate().await?;
                return Ok((next, t));
            }
            if let Some(concur_client::Error::Config(m)) =
                err.downcast_ref::<concur_client::Error>()
                && m.contains("credentials")
            {
                return Err(Failure::new(
                    Exit::Auth,
                    "the stored token expired and cannot be refreshed without the app's client id and secret",
                )
                .hint("set CONCUR_CLIENT_ID and CONCUR_CLIENT_SECRET, or run `concur-smp login` again")
                .into());
            }
            Err(err)
        }
    }
}

fn mode_name(m: AuthMode) -> &'static str {
    match m {
        AuthMode::Password => "password",
        AuthMode::CompanyAuthToken => "company request token",
        AuthMode::RefreshToken => "refresh token",
        AuthMode::ClientCredentials => "client credentials",
        AuthMode::Legacy => "legacy partner application",
        _ => "other",
    }
}

/// `concur-smp login`.
///
/// # Errors
/// Usage, authentication and I/O failures.
pub async fn login(args: &LoginArgs) -> anyhow::Result<Exit> {
    let env = env_credentials(&args.conn, interactive())?.ok_or_else(|| {
        Failure::usage("no credentials given").hint(
            "set CONCUR_CLIENT_ID and CONCUR_CLIENT_SECRET plus CONCUR_USERNAME (password), CONCUR_REFRESH_TOKEN, CONCUR_COMPANY_UUID + CONCUR_REQUEST_TOKEN, or CONCUR_CONSUMER_KEY (legacy); see docs/cli.md",
        )
    })?;
    let client = client_from_env(&env, None)?;
    let token = client.authenticate().await?;
    let path = login_token_path()?;
    let store = StateStore::open(&path)?;
    let summary = format!(
        "logged in ({}); API base URL {}; access token valid until {}{}",
        mode_name(token.auth_mode),
        token.base_url,
        token.expires_at.format("%Y-%m-%d %H:%M UTC"),
        if token.refresh_token.is_some() {
            " (refreshable)"
        } else {
            ""
        }
    );
    store.update(|s| {
        s.token = Some(token);
        s.base_url = env.explicit_base_url.as_ref().map(|u| u.to_string());
        s.client_id = env.client_id();
    })?;
    println!("{summary}");
    println!("token stored in {} (mode 0600)", path.display());
    Ok(Exit::Ok)
}

/// Revokes a token at Concur: `DELETE /app-mgmt/v0/connections` (OAuth2: all of the user's
/// refresh tokens for the app) or `POST /net2/oauth2/revoketoken.ashx` (legacy).
async fn revoke(token: &TokenRecord) -> anyhow::Result<()> {
    if token.auth_mode == AuthMode::ClientCredentials {
        anyhow::bail!(
            "app tokens (client credentials) cannot be revoked; they expire within the hour"
        );
    }
    let client = Client::builder()
        .token(token.clone())
        .request_timeout(Duration::from_secs(20))
        .retry(concur_client::RetryConfig::none())
        .build()?;
    let req = if token.auth_mode == AuthMode::Legacy {
        client
            .raw()
            .post("net2/oauth2/revoketoken.ashx")
            .query("token", token.access_token.expose_secret())
    } else {
        client.raw().delete("app-mgmt/v0/connections")
    };
    req.send().await?;
    Ok(())
}

/// `concur-smp logout`.
///
/// # Errors
/// I/O failures deleting the token file.
pub async fn logout(args: &LogoutArgs) -> anyhow::Result<Exit> {
    let _ = &args.conn;
    let path = login_token_path()?;
    let store = StateStore::open(&path)?;
    let Some(token) = store.get().token else {
        let existed = store.delete()?;
        println!(
            "not logged in{}",
            if existed {
                format!("; removed {}", path.display())
            } else {
                String::new()
            }
        );
        return Ok(Exit::Ok);
    };
    if args.no_revoke {
        println!("not revoking the token at Concur (--no-revoke)");
    } else {
        match revoke(&token).await {
            Ok(()) => println!("revoked the token at Concur"),
            Err(e) => {
                let f = crate::error::classify(&e);
                println!("could not revoke the token at Concur: {}", f.message);
            }
        }
    }
    store.delete()?;
    println!("logged out: deleted {}", path.display());
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(base: &str) -> TokenRecord {
        TokenRecord::new(
            "a",
            None,
            chrono::Utc::now(),
            url::Url::parse(base).unwrap(),
            AuthMode::Password,
        )
    }

    #[test]
    fn stored_token_must_fit_the_explicit_base_url() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert!(token_fits_base_url(
            &token("http://127.0.0.1:8080/"),
            &u("http://127.0.0.1:8080")
        ));
        assert!(!token_fits_base_url(
            &token("http://127.0.0.1:8080/"),
            &u("http://127.0.0.1:8081")
        ));
        assert!(token_fits_base_url(
            &token("https://us2.api.concursolutions.com/"),
            &u("https://us.api.concursolutions.com")
        ));
        assert!(!token_fits_base_url(
            &token("https://us2.api.concursolutions.com/"),
            &u("http://127.0.0.1:8080")
        ));
    }
}
