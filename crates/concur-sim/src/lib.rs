//! Local SAP Concur API simulator with a deterministic synthetic company, for demos, tests and
//! benchmarks.
//!
//! Start it in-process with [`SimServer::start`]; it serves the Concur shapes documented in
//! `docs/simulator.md` (OAuth2 token endpoint, Expense v3/v4, Invoice v3, Image v1, Receipts
//! v4, List v4, Identity v4/v4.1, Users v3) on `127.0.0.1` and stops when dropped.
//!
//! ```no_run
//! # async fn demo() -> Result<(), concur_sim::SimError> {
//! use concur_sim::{SimConfig, SimServer, Size, TenantConfig};
//! let sim = SimServer::start(SimConfig::new().tenant(TenantConfig::generated("demo", Size::Tiny))).await?;
//! println!("{}", sim.base_url());
//! # Ok(()) }
//! ```

#![recursion_limit = "512"]

pub mod config;
pub mod data;
pub mod docs;
pub mod generator;
pub mod model;
mod server;
pub mod truth;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use secrecy::SecretString;

pub use config::{
    ApiGroup, DEFAULT_NOW, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_COMPANY_UUID,
    DEMO_CONSUMER_KEY, DEMO_PASSWORD, DEMO_REFRESH_TOKEN, DEMO_REQUEST_TOKEN, DEMO_USERNAME,
    Faults, ModifyFault, RateLimitFault, SimConfig, Size, TenantConfig, TenantData,
};
pub use data::Data;
pub use generator::Company;
pub use truth::{TruthRow, ground_truth, write_ground_truth_csv};

use server::{Principal, Shared, Tenant};

/// Errors of the simulator API.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Binding or serving failed.
    #[error("simulator I/O: {0}")]
    Io(#[from] std::io::Error),
    /// Generating a company failed.
    #[error(transparent)]
    Gen(#[from] generator::GenError),
    /// Loading the docs samples failed.
    #[error(transparent)]
    Docs(#[from] docs::DocsError),
    /// No tenant with that name.
    #[error("unknown tenant `{0}`")]
    UnknownTenant(String),
    /// No report with that id in the tenant.
    #[error("unknown report `{0}`")]
    UnknownReport(String),
}

/// Credentials of one tenant (all secrets wrapped; `Debug` redacts them).
#[derive(Clone, Debug)]
pub struct Credentials {
    /// Base URL of the simulator (`http://127.0.0.1:PORT`), also the token's geolocation.
    pub base_url: String,
    /// OAuth2 client id.
    pub client_id: String,
    /// OAuth2 client secret.
    pub client_secret: SecretString,
    /// Web Services admin login.
    pub username: String,
    /// Password (every simulated user has [`DEMO_PASSWORD`]).
    pub password: SecretString,
    /// A refresh token valid at start (rotates on first use).
    pub refresh_token: SecretString,
    /// Company UUID (for `credtype=authtoken`).
    pub company_uuid: String,
    /// Company request token (for `credtype=authtoken`).
    pub request_token: SecretString,
}

/// Build a tenant's data (used by the server and by the CLI's `ground-truth`).
///
/// # Errors
/// [`SimError::Gen`] / [`SimError::Docs`] on broken embedded data.
pub fn build_data(
    t: &TenantConfig,
    now: chrono::NaiveDate,
) -> Result<(Data, Vec<data::User>), SimError> {
    Ok(match t.data {
        TenantData::Docs => Data::docs()?,
        TenantData::Generated(size) => {
            let c = Company::new(&t.name, size, t.seed, now)?;
            let users = Data::generated_users(&c);
            (Data::Generated(Box::new(c)), users)
        }
    })
}

/// A running simulator; stops when dropped.
pub struct SimServer {
    base_url: String,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for SimServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimServer")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

fn default_refresh(i: usize, name: &str) -> String {
    if i == 0 {
        DEMO_REFRESH_TOKEN.to_owned()
    } else {
        format!("sim-rt-{name}-0000000000000000000000")
    }
}

impl SimServer {
    /// Build every tenant, bind `127.0.0.1:{port}` and serve in a background task.
    ///
    /// # Errors
    /// [`SimError::Io`] if the port cannot be bound; data errors from [`build_data`].
    pub async fn start(mut config: SimConfig) -> Result<SimServer, SimError> {
        if config.tenants.is_empty() {
            config
                .tenants
                .push(TenantConfig::generated("demo", Size::Tiny));
        }
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://127.0.0.1:{}", addr.port());
        let mut tenants = Vec::new();
        let mut refresh = HashMap::new();
        for (i, tc) in config.tenants.iter().enumerate() {
            let (data, users) = build_data(tc, config.now)?;
            let (admin_login, company_uuid, request_token) = if i == 0 {
                (
                    DEMO_USERNAME.to_owned(),
                    DEMO_COMPANY_UUID.to_owned(),
                    DEMO_REQUEST_TOKEN.to_owned(),
                )
            } else {
                (
                    format!("wsadmin@{}.example.com", tc.name),
                    uuid::Uuid::new_v5(
                        &uuid::Uuid::NAMESPACE_DNS,
                        format!("{}.example.com", tc.name).as_bytes(),
                    )
                    .to_string(),
                    format!("sim-request-token-{}", tc.name),
                )
            };
            refresh.insert(default_refresh(i, &tc.name), (i, Principal::Admin));
            tenants.push(Tenant {
                cfg: tc.clone(),
                data,
                users,
                admin_login,
                company_uuid,
                request_token,
                requests: AtomicU64::new(0),
                overrides: RwLock::new(HashMap::new()),
                modify_fired: AtomicBool::new(false),
                extra: Mutex::new(server::TenantState::default()),
            });
        }
        let shared = Arc::new(Shared {
            base_url: base_url.clone(),
            config,
            tenants,
            tokens: Mutex::new(HashMap::new()),
            refresh: Mutex::new(refresh),
            clock: server::Clock::new(),
            serial: AtomicU64::new(1),
        });
        let app = server::router(shared.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(SimServer {
            base_url,
            shared,
            shutdown: Some(tx),
            handle,
        })
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn tenant(&self, name: &str) -> Result<(usize, &Tenant), SimError> {
        self.shared
            .tenants
            .iter()
            .enumerate()
            .find(|(_, t)| t.cfg.name == name)
            .ok_or_else(|| SimError::UnknownTenant(name.to_owned()))
    }

    /// Credentials of a tenant (the first tenant's are the `DEMO_*` constants).
    ///
    /// # Errors
    /// [`SimError::UnknownTenant`].
    pub fn credentials(&self, tenant: &str) -> Result<Credentials, SimError> {
        let (i, t) = self.tenant(tenant)?;
        Ok(Credentials {
            base_url: self.base_url.clone(),
            client_id: self.shared.config.client_id.clone(),
            client_secret: SecretString::from(self.shared.config.client_secret.clone()),
            username: t.admin_login.clone(),
            password: SecretString::from(DEMO_PASSWORD.to_owned()),
            refresh_token: SecretString::from(default_refresh(i, tenant)),
            company_uuid: t.company_uuid.clone(),
            request_token: SecretString::from(t.request_token.clone()),
        })
    }

    /// The tenant's data (for counting, ground truth, or checking served values).
    ///
    /// # Errors
    /// [`SimError::UnknownTenant`].
    pub fn data(&self, tenant: &str) -> Result<&Data, SimError> {
        Ok(&self.tenant(tenant)?.1.data)
    }

    fn report_idx(&self, tenant: &str, report_id: &str) -> Result<&Tenant, SimError> {
        let (_, t) = self.tenant(tenant)?;
        if t.data.report_index(report_id).is_none() {
            return Err(SimError::UnknownReport(report_id.to_owned()));
        }
        Ok(t)
    }

    /// Recall a report: it goes back to `A_NOTF` / `P_NOTP` with no submit date, and its
    /// `LastModifiedDate` moves to the simulated now.
    ///
    /// # Errors
    /// Unknown tenant or report.
    pub fn recall_report(&self, tenant: &str, report_id: &str) -> Result<(), SimError> {
        let t = self.report_idx(tenant, report_id)?;
        let i = t.data.report_index(report_id).unwrap_or(0);
        let now = self.shared.data_now();
        t.set_override(i, |o| {
            o.recalled = true;
            o.modified = Some(now);
        });
        Ok(())
    }

    /// Delete a report: it disappears from every list and single GETs answer 404.
    ///
    /// # Errors
    /// Unknown tenant or report.
    pub fn delete_report(&self, tenant: &str, report_id: &str) -> Result<(), SimError> {
        let t = self.report_idx(tenant, report_id)?;
        let i = t.data.report_index(report_id).unwrap_or(0);
        t.set_override(i, |o| o.deleted = true);
        Ok(())
    }

    /// Bump a report's `LastModifiedDate` (and its entries' `LastModified`) to the simulated now.
    ///
    /// # Errors
    /// Unknown tenant or report.
    pub fn touch_report(&self, tenant: &str, report_id: &str) -> Result<(), SimError> {
        let t = self.report_idx(tenant, report_id)?;
        let i = t.data.report_index(report_id).unwrap_or(0);
        let now = self.shared.data_now();
        t.set_override(i, |o| o.modified = Some(now));
        Ok(())
    }

    /// Advance the simulated clock (token and image-URL expiry, modification times).
    pub fn advance_time(&self, d: Duration) {
        self.shared.clock.advance(d);
    }

    /// API requests served to a tenant so far (token requests not counted).
    ///
    /// # Errors
    /// [`SimError::UnknownTenant`].
    pub fn request_count(&self, tenant: &str) -> Result<u64, SimError> {
        Ok(self.tenant(tenant)?.1.requests.load(Ordering::SeqCst))
    }

    /// Stop serving now (also done on drop).
    pub fn stop(mut self) {
        self.stop_inner();
    }

    fn stop_inner(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.handle.abort();
    }

    /// Wait until the server task ends (e.g. after ctrl-c handling in the CLI).
    pub async fn wait(mut self) {
        let h = std::mem::replace(&mut self.handle, tokio::spawn(async {}));
        let _ = h.await;
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        self.stop_inner();
    }
}
