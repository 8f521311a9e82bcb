//! A tenant's data source: a generated [`Company`] or the docs samples, behind one interface.

use chrono::NaiveDateTime;

use crate::generator::{APPROVAL, Company, PAYMENT};
use crate::model::ReportBundle;

/// A user of a tenant (employee or sample owner).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// Login id (e-mail form).
    pub login: String,
    /// Given name.
    pub first: String,
    /// Family name.
    pub last: String,
    /// Employee number.
    pub employee_id: String,
    /// Identity v4 UUID (lower case).
    pub uuid: String,
    /// ISO country.
    pub country: String,
    /// Reimbursement currency.
    pub currency: String,
}

/// The per-report fields used for filtering, without generating the report.
#[derive(Clone, Copy, Debug)]
pub struct MetaView<'a> {
    /// Owner (index into the tenant's users).
    pub owner: u32,
    /// `LastModifiedDate`.
    pub last_modified: NaiveDateTime,
    /// `SubmitDate`.
    pub submitted: Option<NaiveDateTime>,
    /// `ApprovalStatusCode`.
    pub approval: &'a str,
    /// `PaymentStatusCode`.
    pub payment: &'a str,
}

struct DocsMeta {
    owner: u32,
    last_modified: NaiveDateTime,
    submitted: Option<NaiveDateTime>,
    approval: String,
    payment: String,
}

/// Data of one tenant.
pub enum Data {
    /// Generated company.
    Generated(Box<Company>),
    /// Docs samples (fully in memory).
    Docs {
        /// Reports with entries.
        reports: Vec<ReportBundle>,
        /// Meta per report.
        meta: Vec<DocsMetaPub>,
    },
}

/// Opaque meta row of the docs tenant.
pub struct DocsMetaPub(DocsMeta);

impl std::fmt::Debug for Data {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Data::Generated(c) => {
                write!(f, "Generated({:?}, {} reports)", c.size, c.report_count())
            }
            Data::Docs { reports, .. } => write!(f, "Docs({} reports)", reports.len()),
        }
    }
}

/// Parse a Concur v3 timestamp (`2013-09-02T19:46:01.57`, 0-3 fraction digits, no offset).
pub fn parse_ts(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok()
}

impl Data {
    /// Build the docs data and its users.
    ///
    /// # Errors
    /// A sample that does not parse.
    pub fn docs() -> Result<(Self, Vec<User>), crate::docs::DocsError> {
        let reports = crate::docs::docs_reports()?;
        let mut users: Vec<User> = Vec::new();
        let mut meta = Vec::new();
        for b in &reports {
            let r = &b.report;
            let owner = match users.iter().position(|u| u.login == r.owner_login_id) {
                Some(p) => p,
                None => {
                    let (first, last) = r.owner_name.split_once(' ').unwrap_or((&r.owner_name, ""));
                    users.push(User {
                        login: r.owner_login_id.clone(),
                        first: first.to_owned(),
                        last: last.to_owned(),
                        employee_id: format!("DOC{}", users.len() + 1),
                        uuid: uuid::Uuid::new_v5(
                            &uuid::Uuid::NAMESPACE_URL,
                            r.owner_login_id.as_bytes(),
                        )
                        .to_string(),
                        country: r.country.clone().unwrap_or_default(),
                        currency: r.currency_code.clone(),
                    });
                    users.len() - 1
                }
            };
            meta.push(DocsMetaPub(DocsMeta {
                owner: u32::try_from(owner).unwrap_or(0),
                last_modified: parse_ts(&r.last_modified_date).unwrap_or_default(),
                submitted: r.submit_date.as_deref().and_then(parse_ts),
                approval: r.approval_status_code.clone(),
                payment: r.payment_status_code.clone(),
            }));
        }
        Ok((Data::Docs { reports, meta }, users))
    }

    /// Users of a generated company.
    pub fn generated_users(c: &Company) -> Vec<User> {
        c.employees
            .iter()
            .map(|e| User {
                login: e.login.clone(),
                first: e.first.clone(),
                last: e.last.clone(),
                employee_id: e.employee_id.clone(),
                uuid: e.uuid.clone(),
                country: e.site.country.to_owned(),
                currency: e.site.currency.to_owned(),
            })
            .collect()
    }

    /// Number of reports.
    pub fn report_count(&self) -> usize {
        match self {
            Data::Generated(c) => c.report_count(),
            Data::Docs { reports, .. } => reports.len(),
        }
    }

    /// Meta of report `i` (panics never; `i` must be `< report_count()`, else a default row).
    pub fn meta(&self, i: usize) -> Option<MetaView<'_>> {
        match self {
            Data::Generated(c) => c.index.get(i).map(|m| MetaView {
                owner: m.owner,
                last_modified: m.last_modified,
                submitted: m.submitted,
                approval: APPROVAL[usize::from(m.approval)].0,
                payment: PAYMENT[usize::from(m.payment)].0,
            }),
            Data::Docs { meta, .. } => meta.get(i).map(|m| MetaView {
                owner: m.0.owner,
                last_modified: m.0.last_modified,
                submitted: m.0.submitted,
                approval: &m.0.approval,
                payment: &m.0.payment,
            }),
        }
    }

    /// Full report `i`.
    pub fn report(&self, i: usize) -> Option<ReportBundle> {
        match self {
            Data::Generated(c) => c.report(i),
            Data::Docs { reports, .. } => reports.get(i).cloned(),
        }
    }

    /// Number of entries of report `i` without generating it.
    pub fn entry_count(&self, i: usize) -> usize {
        match self {
            Data::Generated(c) => c.index.get(i).map_or(0, |m| usize::from(m.entry_count)),
            Data::Docs { reports, .. } => reports.get(i).map_or(0, |r| r.entries.len()),
        }
    }

    /// Report index by id.
    pub fn report_index(&self, id: &str) -> Option<usize> {
        match self {
            Data::Generated(c) => c.report_index(id),
            Data::Docs { reports, .. } => reports.iter().position(|r| r.report.id == id),
        }
    }

    /// Locate an entry / itemization / allocation id: (report index, entry number).
    pub fn locate_child(&self, kind: char, id: &str) -> Option<(usize, usize)> {
        match self {
            Data::Generated(c) => {
                let (k, ri, n, _) = c.decode_child_id(id)?;
                (k == kind).then_some((ri, n))
            }
            Data::Docs { reports, .. } => {
                for (ri, r) in reports.iter().enumerate() {
                    for (n, e) in r.entries.iter().enumerate() {
                        let hit = match kind {
                            'e' => e.entry.id == id,
                            'i' => e.itemizations.iter().any(|x| x.id == id),
                            'a' => e.allocations.iter().any(|x| x.id == id),
                            _ => false,
                        };
                        if hit {
                            return Some((ri, n));
                        }
                    }
                }
                None
            }
        }
    }
}
