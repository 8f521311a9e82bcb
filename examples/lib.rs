//! Shared plumbing of the runnable recipes in this folder (`[[example]]` targets, run with
//! `cargo run -p concur-smp-examples --example NAME`).
//!
//! Every example starts with [`connect`]: without `CONCUR_BASE_URL` it starts the Concur
//! simulator (`concur-sim`, `tiny` generated company) in-process on `127.0.0.1` and logs in
//! with its demo admin; with `CONCUR_BASE_URL` set it talks to that company (a real Concur
//! data center or an external `concur-sim`) with the credentials from the environment. Either
//! way authentication goes through the real `concur-client` OAuth2 flow (token endpoint,
//! `geolocation`, refresh).

use chrono::NaiveDate;
use concur_client::secret::ExposeSecret;
use concur_client::{Client, Credentials, Grant};
use concur_sim::{SimConfig, SimServer, Size, TenantConfig};

/// The simulator tenant the examples use (`tiny`: 10 employees, 40 reports, 6 invoices).
pub const SIM_TENANT: &str = "tiny";

/// A connected client, plus the in-process simulator when one was started (it stops when
/// the `Connection` is dropped, so keep it alive while using `client`).
#[derive(Debug)]
pub struct Connection {
    /// The client; no request has been sent yet (the first call obtains the token).
    pub client: Client,
    /// Where the client points, for display: `simulator (http://127.0.0.1:PORT)` or the base URL.
    pub target: String,
    sim: Option<SimServer>,
}

impl Connection {
    /// `true` when talking to the in-process simulator.
    pub fn is_simulator(&self) -> bool {
        self.sim.is_some()
    }

    /// "Today" in the company's data: the simulator's fixed clock date
    /// ([`concur_sim::DEFAULT_NOW`], 2026-11-15: its data covers the 12 months before) or the
    /// current UTC date for a real company. Use it to build date filters.
    pub fn today(&self) -> NaiveDate {
        let (y, m, d) = concur_sim::DEFAULT_NOW;
        match (&self.sim, NaiveDate::from_ymd_opt(y, m, d)) {
            (Some(_), Some(date)) => date,
            _ => chrono::Utc::now().date_naive(),
        }
    }
}

/// Connects to Concur and returns a ready [`Client`] inside a [`Connection`].
///
/// * `CONCUR_BASE_URL` unset: starts `concur-sim` in-process (tenant [`SIM_TENANT`]) and uses
///   the password grant with its Web Services admin (`wsadmin@demo.example.com`, the
///   `concur_sim::DEMO_*` credentials).
/// * `CONCUR_BASE_URL` set (e.g. `https://us.api.concursolutions.com`, or the URL printed by
///   `concur-sim --tenant tiny`): needs `CONCUR_CLIENT_ID` and `CONCUR_CLIENT_SECRET`, then
///   either `CONCUR_USERNAME` + `CONCUR_PASSWORD` (password grant, preferred when both are
///   set) or `CONCUR_REFRESH_TOKEN` (refresh-token grant; Concur rotates it, so it is good
///   for one run only unless you store the new one).
///
/// Nothing is sent yet; the first API call obtains the token and follows its `geolocation`.
///
/// # Errors
/// A missing environment variable, a simulator that cannot bind `127.0.0.1`, or an invalid
/// base URL.
pub async fn connect() -> anyhow::Result<Connection> {
    let Ok(base_url) = std::env::var("CONCUR_BASE_URL") else {
        return connect_simulator().await;
    };
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let need = |name: &str| var(name).ok_or_else(|| anyhow::anyhow!("{name} is not set"));
    let credentials = Credentials::new(need("CONCUR_CLIENT_ID")?, need("CONCUR_CLIENT_SECRET")?);
    let grant = match (var("CONCUR_USERNAME"), var("CONCUR_PASSWORD")) {
        (Some(user), Some(password)) => Grant::password(user, password),
        _ => Grant::refresh_token(need("CONCUR_REFRESH_TOKEN").map_err(|_| {
            anyhow::anyhow!("set CONCUR_USERNAME + CONCUR_PASSWORD or CONCUR_REFRESH_TOKEN")
        })?),
    };
    let client = Client::builder()
        .base_url(&base_url)
        .credentials(credentials)
        .grant(grant)
        .build()?;
    Ok(Connection {
        client,
        target: base_url,
        sim: None,
    })
}

async fn connect_simulator() -> anyhow::Result<Connection> {
    let sim =
        SimServer::start(SimConfig::new().tenant(TenantConfig::generated(SIM_TENANT, Size::Tiny)))
            .await?;
    let c = sim.credentials(SIM_TENANT)?;
    let client = Client::builder()
        .base_url(&c.base_url)
        .credentials(Credentials::new(
            c.client_id.clone(),
            c.client_secret.expose_secret(),
        ))
        .grant(Grant::password(
            c.username.clone(),
            c.password.expose_secret(),
        ))
        .build()?;
    Ok(Connection {
        client,
        target: format!("simulator ({})", c.base_url),
        sim: Some(sim),
    })
}
