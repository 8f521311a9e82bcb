//! Simulator configuration: tenants, sizes, enabled API groups, faults and demo credentials.

use std::time::Duration;

use chrono::NaiveDate;

/// Well-known OAuth2 client id of the simulator (any tenant).
pub const DEMO_CLIENT_ID: &str = "0d5e6f0a-5a1b-4c5e-9f00-00000000c1d0";
/// Well-known OAuth2 client secret of the simulator.
pub const DEMO_CLIENT_SECRET: &str = "sim-client-secret-9f3c2a7e-demo";
/// Login of the "Web Services admin" user of the first tenant.
pub const DEMO_USERNAME: &str = "wsadmin@demo.example.com";
/// Password of every simulated user (admin and employees).
pub const DEMO_PASSWORD: &str = "demo-password";
/// A refresh token for the first tenant's admin, valid when the server starts (rotates on use).
pub const DEMO_REFRESH_TOKEN: &str = "sim-rt-demo-0000000000000000000000";
/// Company UUID of the first tenant (for `credtype=authtoken`).
pub const DEMO_COMPANY_UUID: &str = "8c9f2b1e-0000-4d3a-9a51-5e1f0c0ffee0";
/// Company request token of the first tenant (for `credtype=authtoken`, reusable).
pub const DEMO_REQUEST_TOKEN: &str = "sim-request-token-demo-company";
/// Legacy (pre-2017) consumer key accepted by `/net2/oauth2/accesstoken.ashx` (`X-ConsumerKey`).
pub const DEMO_CONSUMER_KEY: &str = "SimLegacyConsumerKey01";
/// Default fixed "now" of the synthetic company (data covers the 12 months before it).
pub const DEFAULT_NOW: (i32, u32, u32) = (2026, 11, 15);

/// Which data a tenant serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TenantData {
    /// Two reports assembled from the official SAP Concur samples.
    Docs,
    /// Generated company of the given size.
    Generated(Size),
}

/// Size of a generated company. See `docs/simulator.md` for exact counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Size {
    /// 10 employees, 40 reports, ~200 entries; every feature appears at least once.
    Tiny,
    /// 1,000 employees, 12 monthly reports each (12,000 reports), ~52,700 entries.
    Demo,
    /// 21,000 employees, 252,000 reports, ~1,110,000 entries, generated lazily.
    Large,
}

impl Size {
    /// Parse `tiny`, `demo` or `large`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "tiny" => Some(Self::Tiny),
            "demo" => Some(Self::Demo),
            "large" => Some(Self::Large),
            _ => None,
        }
    }
}

/// API groups a tenant can have enabled (a disabled group answers 403).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApiGroup {
    /// Expense v3 reports/entries/itemizations/allocations and Expense v4.
    ExpenseReport,
    /// Invoice v3 payment requests, digests and vendors.
    Invoice,
    /// Image v1 and Receipts v4.
    Imaging,
    /// List v4.
    ListItems,
    /// Users v3 and Identity v4 / v4.1.
    Users,
}

impl ApiGroup {
    /// Every group.
    pub const ALL: [ApiGroup; 5] = [
        Self::ExpenseReport,
        Self::Invoice,
        Self::Imaging,
        Self::ListItems,
        Self::Users,
    ];
    /// The snake_case name (`expense_report`, `invoice`, `imaging`, `list_items`, `users`).
    pub fn name(self) -> &'static str {
        match self {
            Self::ExpenseReport => "expense_report",
            Self::Invoice => "invoice",
            Self::Imaging => "imaging",
            Self::ListItems => "list_items",
            Self::Users => "users",
        }
    }
    /// Parse a snake_case name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.name() == s)
    }
}

/// Deterministic fault injection. Request numbers count every API request (token requests
/// included) to the tenant, starting at 1.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    /// Added latency on every request.
    pub latency: Option<Duration>,
    /// Every `every`-th request gets `burst` consecutive 429s with `retry-after: retry_after`.
    pub rate_limit: Option<RateLimitFault>,
    /// Every `n`-th API request answers 503 (v3 error body).
    pub server_error_every: Option<u64>,
    /// Seeded random 5xx: probability in per-mille (0..=1000) using `seed`.
    pub server_error_permille: Option<(u32, u64)>,
    /// Every `n`-th API request has its connection dropped without a response.
    pub drop_connection_every: Option<u64>,
    /// Access tokens expire after this many (real) seconds, overriding the token lifetime.
    pub token_expiry_secs: Option<u64>,
    /// The `NextPage` of v3 report lists repeats the same page after this many pages.
    pub repeating_next_page_after: Option<u32>,
    /// After `after_requests` API requests, the report at `report_index` has its
    /// `LastModifiedDate` (and its entries' `LastModified`) bumped to the simulated now.
    pub modify_during_crawl: Option<ModifyFault>,
    /// Reports (by index) whose header `Total` disagrees with the sum of their entries (+ 1.00).
    pub total_mismatch_reports: Vec<usize>,
}

/// See [`Faults::rate_limit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitFault {
    /// Period in requests.
    pub every: u64,
    /// Consecutive 429 answers per period.
    pub burst: u64,
    /// `retry-after` header value in seconds.
    pub retry_after: u64,
}

/// See [`Faults::modify_during_crawl`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModifyFault {
    /// Requests after which the modification happens.
    pub after_requests: u64,
    /// Report index (0-based, in list order) to modify.
    pub report_index: usize,
}

impl Faults {
    /// Parse a comma-separated fault spec, e.g.
    /// `latency_ms=5,429_every=10,429_burst=2,retry_after=0,5xx_every=7,5xx_permille=50,seed=1,drop_every=13,token_expiry_secs=30,repeat_next_page_after=2,modify_after=5,modify_report=0,total_mismatch=3`.
    ///
    /// # Errors
    /// Returns a message naming the first bad key or value.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut f = Faults::default();
        let mut rl = RateLimitFault {
            every: 0,
            burst: 1,
            retry_after: 0,
        };
        let mut permille: Option<u32> = None;
        let mut seed = 0u64;
        let mut modify = ModifyFault {
            after_requests: 0,
            report_index: 0,
        };
        let mut has_modify = false;
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("fault `{part}` is not key=value"))?;
            let n: u64 = v
                .parse()
                .map_err(|_| format!("fault `{k}`: `{v}` is not a number"))?;
            match k {
                "latency_ms" => f.latency = Some(Duration::from_millis(n)),
                "429_every" => rl.every = n,
                "429_burst" => rl.burst = n,
                "retry_after" => rl.retry_after = n,
                "5xx_every" => f.server_error_every = Some(n),
                "5xx_permille" => permille = Some(u32::try_from(n.min(1000)).unwrap_or(1000)),
                "seed" => seed = n,
                "drop_every" => f.drop_connection_every = Some(n),
                "token_expiry_secs" => f.token_expiry_secs = Some(n),
                "repeat_next_page_after" => {
                    f.repeating_next_page_after = Some(u32::try_from(n).unwrap_or(u32::MAX));
                }
                "modify_after" => {
                    modify.after_requests = n;
                    has_modify = true;
                }
                "modify_report" => {
                    modify.report_index = usize::try_from(n).unwrap_or(0);
                    has_modify = true;
                }
                "total_mismatch" => f
                    .total_mismatch_reports
                    .push(usize::try_from(n).unwrap_or(0)),
                _ => return Err(format!("unknown fault `{k}`")),
            }
        }
        if rl.every > 0 {
            f.rate_limit = Some(rl);
        }
        if let Some(p) = permille {
            f.server_error_permille = Some((p, seed));
        }
        if has_modify {
            f.modify_during_crawl = Some(modify);
        }
        Ok(f)
    }
}

/// One tenant (company) served by the simulator.
#[derive(Clone, Debug)]
pub struct TenantConfig {
    /// Short name (`demo`, `docs`, `acme`...): also the e-mail domain `NAME.example.com`.
    pub name: String,
    /// Data source.
    pub data: TenantData,
    /// Generator seed.
    pub seed: u64,
    /// Enabled API groups (default: all).
    pub groups: Vec<ApiGroup>,
    /// Faults (default: none).
    pub faults: Faults,
}

impl TenantConfig {
    /// A generated tenant with all groups enabled, seed 42 and no faults.
    pub fn generated(name: &str, size: Size) -> Self {
        Self {
            name: name.to_owned(),
            data: TenantData::Generated(size),
            seed: 42,
            groups: ApiGroup::ALL.to_vec(),
            faults: Faults::default(),
        }
    }
    /// The docs tenant (built from the official samples).
    pub fn docs(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            data: TenantData::Docs,
            seed: 0,
            groups: ApiGroup::ALL.to_vec(),
            faults: Faults::default(),
        }
    }
    /// Set the seed.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Enable only these groups.
    #[must_use]
    pub fn groups(mut self, groups: &[ApiGroup]) -> Self {
        self.groups = groups.to_vec();
        self
    }
    /// Set the faults.
    #[must_use]
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }
}

/// Server configuration (builder style).
///
/// ```
/// use concur_sim::{SimConfig, Size, TenantConfig};
/// let cfg = SimConfig::new().tenant(TenantConfig::generated("demo", Size::Tiny));
/// assert_eq!(cfg.tenants.len(), 1);
/// ```
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Tenants; the first one owns the `DEMO_*` credentials. Empty means one `demo` tiny tenant.
    pub tenants: Vec<TenantConfig>,
    /// Port to bind on 127.0.0.1 (0 = any free port).
    pub port: u16,
    /// Access-token lifetime (default 3600 s).
    pub access_token_lifetime: Duration,
    /// The company's fixed "now" (default 2026-11-15); data covers the 12 months before it.
    pub now: NaiveDate,
    /// OAuth2 client id accepted by the token endpoint.
    pub client_id: String,
    /// OAuth2 client secret accepted by the token endpoint.
    pub client_secret: String,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl SimConfig {
    /// Defaults: no tenants yet (a `demo` tiny tenant is used if none is added), port 0.
    pub fn new() -> Self {
        Self {
            tenants: Vec::new(),
            port: 0,
            access_token_lifetime: Duration::from_secs(3600),
            now: NaiveDate::from_ymd_opt(DEFAULT_NOW.0, DEFAULT_NOW.1, DEFAULT_NOW.2)
                .unwrap_or_default(),
            client_id: DEMO_CLIENT_ID.to_owned(),
            client_secret: DEMO_CLIENT_SECRET.to_owned(),
        }
    }
    /// Add a tenant.
    #[must_use]
    pub fn tenant(mut self, t: TenantConfig) -> Self {
        self.tenants.push(t);
        self
    }
    /// Bind to this port (0 = any).
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }
    /// Access-token lifetime.
    #[must_use]
    pub fn access_token_lifetime(mut self, d: Duration) -> Self {
        self.access_token_lifetime = d;
        self
    }
    /// The fixed "now" of the data.
    #[must_use]
    pub fn now(mut self, now: NaiveDate) -> Self {
        self.now = now;
        self
    }
    /// Client credentials accepted by the token endpoint.
    #[must_use]
    pub fn client(mut self, id: &str, secret: &str) -> Self {
        self.client_id = id.to_owned();
        self.client_secret = secret.to_owned();
        self
    }
}
