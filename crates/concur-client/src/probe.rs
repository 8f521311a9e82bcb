//! Permission probe: one cheap read per API group the SMP setup guide asks the partner
//! application to enable (Expense Report, Invoice, Imaging, List Items, Users).
//!
//! [`Client::probe_permissions`] runs the five reads concurrently and never fails as a whole:
//! each group gets a [`ProbeOutcome`]:
//!
//! * `Granted`: the read answered 2xx (and its envelope decoded);
//! * `Missing`: 403, with the scope or role Concur named (when it did) and the admin step that
//!   grants it ([`ApiGroup::admin_step`]);
//! * `Unavailable`: 404, or an answer saying the product is not enabled for the company;
//! * `Error`: anything else (authentication, throttling, server, transport, decode).
//!
//! When an endpoint of a group is missing (404), the group's other endpoint is tried (List
//! v4 → Lists v3, Identity v4 → Users v3, Receipt Image v3 → Image v1 with an id that cannot
//! exist, where Concur's 404 "image not found" body proves the call was authorized), so older
//! or partial companies are not reported unavailable.
//! The CLI's `check` command and the service's readiness report are built on this.
//!
//! Setup guide: Administration > Company > Web Services > Register Partner Application (the
//! five API checkboxes), and Administration > Company > Company admin > User Permissions
//! (roles Expense User, Expense Processor, Invoice User, Invoice Processor, Web Services
//! Administrator).

use futures::future::join_all;
use reqwest::Method;

use crate::api::paging_ext::{hal_page, scim_start_index_page, v3_strict};
use crate::error::ErrorKind;
use crate::http::RawResponse;
use crate::pagination::Page;
use crate::{Client, Error, Request, Result};

/// An API group of the partner application registration.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ApiGroup {
    /// "Expense Report - Add, Approve, or Update Expense Reports".
    ExpenseReport,
    /// "Invoice Report - Add, Approve, or Update Invoice Reports".
    Invoice,
    /// "Imaging - Add or Retrieve Report and Line Item Images".
    Imaging,
    /// "List Items - Add, Update, or Delete List Items".
    ListItems,
    /// "Users - Add or Update User Accounts".
    Users,
}

impl ApiGroup {
    /// Every group, in the order of the setup guide.
    pub const ALL: [ApiGroup; 5] = [
        ApiGroup::ExpenseReport,
        ApiGroup::Invoice,
        ApiGroup::Imaging,
        ApiGroup::ListItems,
        ApiGroup::Users,
    ];

    /// Short display name (`Expense Report`, `Invoice`, `Imaging`, `List Items`, `Users`).
    pub fn display_name(self) -> &'static str {
        match self {
            Self::ExpenseReport => "Expense Report",
            Self::Invoice => "Invoice",
            Self::Imaging => "Imaging",
            Self::ListItems => "List Items",
            Self::Users => "Users",
        }
    }

    /// The checkbox label on the partner application form.
    pub fn partner_app_api(self) -> &'static str {
        match self {
            Self::ExpenseReport => "Expense Report - Add, Approve, or Update Expense Reports",
            Self::Invoice => "Invoice Report - Add, Approve, or Update Invoice Reports",
            Self::Imaging => "Imaging - Add or Retrieve Report and Line Item Images",
            Self::ListItems => "List Items - Add, Update, or Delete List Items",
            Self::Users => "Users - Add or Update User Accounts",
        }
    }

    /// User roles the connecting account needs for this group.
    pub fn roles(self) -> &'static [&'static str] {
        match self {
            Self::ExpenseReport => &[
                "Expense User",
                "Expense Processor",
                "Web Services Administrator",
            ],
            Self::Invoice => &[
                "Invoice User",
                "Invoice Processor",
                "Web Services Administrator",
            ],
            Self::Imaging | Self::ListItems | Self::Users => &["Web Services Administrator"],
        }
    }

    /// Scopes that grant the probed reads: legacy partner-app codes and OAuth2 scopes.
    pub fn scopes(self) -> &'static [&'static str] {
        match self {
            Self::ExpenseReport => &["EXPRPT", "expense.report.read", "expense.report.readwrite"],
            Self::Invoice => &["INVPMT", "INVVEN", "invoice.read"],
            Self::Imaging => &["IMAGE", "receipts.read", "spenddocs.receipts.read"],
            Self::ListItems => &["LIST", "spend.list.read", "spend.listitem.read"],
            Self::Users => &[
                "USER",
                "identity.user.core.read",
                "identity.user.enterprise.read",
                "user.read",
            ],
        }
    }

    /// The Concur admin step that grants this group.
    pub fn admin_step(self) -> String {
        format!(
            "In Concur: Administration > Company > Web Services > Register Partner Application > \
             (the app) > enable \"{}\"; then Administration > Company > Company admin > User \
             Permissions (Authentication Admin for OAuth 2.0 apps): give the connecting user {}.",
            self.partner_app_api(),
            self.roles().join(", ")
        )
    }

    /// The reads tried for this group, in order.
    fn probes(self) -> &'static [Probe] {
        const LIMIT1: &[(&str, &str)] = &[("limit", "1")];
        const EXPENSE: &[Probe] = &[Probe::read("api/v3.0/expense/reports", LIMIT1)];
        const INVOICE: &[Probe] = &[Probe::read(
            "api/v3.0/invoice/paymentrequestdigests",
            LIMIT1,
        )];
        const IMAGING: &[Probe] = &[
            Probe::read("api/v3.0/expense/receiptimages", LIMIT1),
            // Image v1 has no list: ask for an image id that cannot exist. An authorized
            // caller gets Concur's 404 "image not found" body; an unauthorized one a 403.
            Probe {
                path: "api/image/v1.0/receipt/concur-client-permission-probe",
                query: &[],
                not_found_is_granted: true,
            },
        ];
        const LISTS: &[Probe] = &[
            Probe::read("list/v4/lists", &[("page", "1")]),
            Probe::read("api/v3.0/common/lists", LIMIT1),
        ];
        const USERS: &[Probe] = &[
            Probe::read("profile/identity/v4/Users", &[("count", "1")]),
            Probe::read("api/v3.0/common/users", LIMIT1),
        ];
        match self {
            Self::ExpenseReport => EXPENSE,
            Self::Invoice => INVOICE,
            Self::Imaging => IMAGING,
            Self::ListItems => LISTS,
            Self::Users => USERS,
        }
    }
}

/// One probe read.
struct Probe {
    path: &'static str,
    query: &'static [(&'static str, &'static str)],
    /// A 404 that carries a Concur error body means "authorized, no such resource".
    not_found_is_granted: bool,
}

impl Probe {
    const fn read(path: &'static str, query: &'static [(&'static str, &'static str)]) -> Self {
        Self {
            path,
            query,
            not_found_is_granted: false,
        }
    }
}

impl std::fmt::Display for ApiGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.display_name())
    }
}

/// The outcome of probing one group.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProbeOutcome {
    /// The read succeeded.
    Granted,
    /// 403: the app or the user lacks access.
    Missing {
        /// The scope or role Concur named in its answer, when it named one of the group's.
        concur_named: Option<String>,
        /// Concur's message (and code), e.g. `Forbidden Request`.
        message: Option<String>,
        /// What to do in Concur ([`ApiGroup::admin_step`]).
        admin_step: String,
    },
    /// 404 or product not enabled for the company.
    Unavailable {
        /// Concur's message, if any.
        message: Option<String>,
    },
    /// Any other failure.
    Error {
        /// Broad class ([`ErrorKind`]).
        kind: ErrorKind,
        /// The error, rendered (no secrets).
        message: String,
    },
}

impl ProbeOutcome {
    /// `granted`, `missing`, `unavailable` or `error`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Granted => "granted",
            Self::Missing { .. } => "missing",
            Self::Unavailable { .. } => "unavailable",
            Self::Error { .. } => "error",
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Self::Granted => 3,
            Self::Missing { .. } => 2,
            Self::Error { .. } => 1,
            Self::Unavailable { .. } => 0,
        }
    }
}

/// The result for one group.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProbeResult {
    /// The group.
    pub group: ApiGroup,
    /// `GET /path` of the read that decided the outcome.
    pub endpoint: String,
    /// HTTP status of that read, when there was a response.
    pub status: Option<u16>,
    /// The `concur-correlationid` of that read, when Concur sent one.
    pub correlation_id: Option<String>,
    /// The outcome.
    pub outcome: ProbeOutcome,
}

impl ProbeResult {
    /// Whether the group is usable.
    pub fn is_granted(&self) -> bool {
        self.outcome == ProbeOutcome::Granted
    }
}

/// The probe of all five groups.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PermissionReport {
    /// One result per group, in [`ApiGroup::ALL`] order.
    pub results: Vec<ProbeResult>,
}

impl PermissionReport {
    /// Whether every group is granted.
    pub fn all_granted(&self) -> bool {
        self.results.iter().all(ProbeResult::is_granted)
    }

    /// The result of one group.
    pub fn get(&self, group: ApiGroup) -> Option<&ProbeResult> {
        self.results.iter().find(|r| r.group == group)
    }

    /// The groups that are not granted.
    pub fn not_granted(&self) -> impl Iterator<Item = &ProbeResult> {
        self.results.iter().filter(|r| !r.is_granted())
    }
}

impl Client {
    /// Probes the five API groups (one cheap `limit=1` read each, run concurrently) and
    /// reports granted / missing / unavailable / error per group. Never fails as a whole.
    pub async fn probe_permissions(&self) -> PermissionReport {
        let results = join_all(ApiGroup::ALL.iter().map(|g| self.probe_group(*g))).await;
        PermissionReport { results }
    }

    /// Probes one group (see [`Client::probe_permissions`]).
    pub async fn probe_group(&self, group: ApiGroup) -> ProbeResult {
        let mut best: Option<ProbeResult> = None;
        for probe in group.probes() {
            let mut req =
                Request::new(self.clone(), Method::GET, probe.path).api_group(group.display_name());
            for (k, v) in probe.query {
                req = req.query(*k, *v);
            }
            let endpoint = req.endpoint();
            let res = probe_one(group, req, probe).await;
            let r = ProbeResult {
                group,
                endpoint,
                status: res.1,
                correlation_id: res.2,
                outcome: res.0,
            };
            let unavailable = matches!(r.outcome, ProbeOutcome::Unavailable { .. });
            if best
                .as_ref()
                .is_none_or(|b| r.outcome.rank() > b.outcome.rank())
            {
                best = Some(r);
            }
            // Only fall back to the older endpoint when the newer one does not exist.
            if !unavailable {
                break;
            }
        }
        best.unwrap_or_else(|| ProbeResult {
            group,
            endpoint: String::new(),
            status: None,
            correlation_id: None,
            outcome: ProbeOutcome::Error {
                kind: ErrorKind::Other,
                message: "no probe defined".into(),
            },
        })
    }
}

/// Checks the envelope too: a 2xx with an unexpected body is an error, not "granted".
fn check_envelope(path: &str, resp: &RawResponse) -> Result<()> {
    let r: Result<Page<serde_json::Value>> = if path.starts_with("list/v4") {
        hal_page(resp)
    } else if path.starts_with("profile/identity") {
        scim_start_index_page(resp)
    } else {
        v3_strict(resp, &["Items", "PaymentRequestDigest"])
    };
    r.map(|_| ())
}

/// Messages that mean the company does not have the product at all (not a missing grant).
const PRODUCT_NOT_ENABLED: &[&str] = &[
    "product is not enabled",
    "product not enabled",
    "not licensed",
    "not subscribed",
    "module is not enabled",
    "feature is not enabled",
    "is not activated for",
    "not enabled for this company",
    "not enabled for the company",
];

/// Words that show a 403 is about the app's or user's grants, not about the product.
const GRANT_WORDS: &[&str] = &[
    "application",
    "scope",
    "role",
    "permission",
    "api group",
    "consumer",
];

async fn probe_one(
    group: ApiGroup,
    req: Request,
    probe: &Probe,
) -> (ProbeOutcome, Option<u16>, Option<String>) {
    match req.send().await {
        Ok(resp) => {
            let status = Some(resp.status);
            let corr = resp.correlation_id.clone();
            if probe.not_found_is_granted {
                return (ProbeOutcome::Granted, status, corr);
            }
            match check_envelope(probe.path, &resp) {
                Ok(()) => (ProbeOutcome::Granted, status, corr),
                Err(e) => (
                    ProbeOutcome::Error {
                        kind: e.kind(),
                        message: e.to_string(),
                    },
                    status,
                    corr,
                ),
            }
        }
        Err(e) => {
            let status = e.status();
            let corr = e.correlation_id().map(str::to_owned);
            if let Error::NotFound(d) = &e
                && probe.not_found_is_granted
                && d.message.is_some()
            {
                return (ProbeOutcome::Granted, status, corr);
            }
            (classify(group, &e), status, corr)
        }
    }
}

fn message_of(e: &Error) -> Option<String> {
    let d = e.detail()?;
    match (&d.code, &d.message) {
        (Some(c), Some(m)) => Some(format!("{m} ({c})")),
        (None, Some(m)) => Some(m.clone()),
        (Some(c), None) => Some(c.clone()),
        (None, None) => None,
    }
}

fn classify(group: ApiGroup, e: &Error) -> ProbeOutcome {
    let message = message_of(e);
    let lower = message.as_deref().unwrap_or("").to_ascii_lowercase();
    let product_missing = PRODUCT_NOT_ENABLED.iter().any(|p| lower.contains(p))
        && !GRANT_WORDS.iter().any(|w| lower.contains(w));
    if product_missing {
        return ProbeOutcome::Unavailable { message };
    }
    match e {
        Error::NotFound(_) => ProbeOutcome::Unavailable { message },
        Error::Permission { .. } => {
            let concur_named = group
                .scopes()
                .iter()
                .chain(group.roles().iter())
                .find(|s| lower.contains(&s.to_ascii_lowercase()))
                .map(|s| (*s).to_owned());
            ProbeOutcome::Missing {
                concur_named,
                message,
                admin_step: group.admin_step(),
            }
        }
        other => ProbeOutcome::Error {
            kind: other.kind(),
            message: other.to_string(),
        },
    }
}
