//! `concur-smp check`: the SMP setup guide as an executable checklist.
//!
//! 1. Authentication works (a token is obtained or refreshed).
//! 2. Each API group of the partner application (Expense Report, Invoice, Imaging, List
//!    Items, Users) is granted or missing (`Client::probe_permissions`), each missing one with
//!    the Concur admin step that fixes it.
//!
//! Exit 4 when Expense Report is missing; the other groups only reduce coverage.

use concur_client::ErrorKind;
use concur_client::probe::{ApiGroup, PermissionReport, ProbeOutcome};
use serde_json::json;

use crate::cli::{CheckArgs, CheckFormat};
use crate::error::{Exit, Failure};
use crate::login::{authenticate, resolve};

/// What losing a group costs.
pub fn coverage_note(g: ApiGroup) -> &'static str {
    match g {
        ApiGroup::ExpenseReport => {
            "required: expense reports are the main source of services and costs"
        }
        ApiGroup::Invoice => {
            "reduced coverage: invoices (payment requests) are not read as a second cost source"
        }
        ApiGroup::Imaging => "reduced coverage: receipt images cannot be linked",
        ApiGroup::ListItems => {
            "reduced coverage: list items (cost centers, custom lists) are not resolved"
        }
        ApiGroup::Users => {
            "reduced coverage: owners are shown by login only (no names, e-mails, departments)"
        }
        _ => "reduced coverage",
    }
}

fn outcome_detail(o: &ProbeOutcome) -> Option<String> {
    match o {
        ProbeOutcome::Granted => None,
        ProbeOutcome::Missing {
            concur_named,
            message,
            ..
        } => {
            let mut s = message.clone().unwrap_or_else(|| "forbidden".into());
            if let Some(n) = concur_named {
                s.push_str(&format!(" (Concur names {n})"));
            }
            Some(s)
        }
        ProbeOutcome::Unavailable { message } => Some(
            message
                .clone()
                .unwrap_or_else(|| "not available for this company".into()),
        ),
        ProbeOutcome::Error { message, .. } => Some(message.clone()),
        _ => None,
    }
}

/// Renders the checklist as text.
pub fn render_table(base_url: &str, source: &str, report: &PermissionReport) -> String {
    let mut out = String::new();
    out.push_str("SAP Concur setup check\n");
    out.push_str(&format!(
        "  [ok]      authentication ({source}; API base URL {base_url})\n"
    ));
    for r in &report.results {
        let label = match &r.outcome {
            ProbeOutcome::Granted => "[ok]     ",
            ProbeOutcome::Missing { .. } => "[missing]",
            ProbeOutcome::Unavailable { .. } => "[n/a]    ",
            _ => "[error]  ",
        };
        out.push_str(&format!(
            "  {label} {:<15} {}\n",
            r.group.display_name(),
            r.outcome.label()
        ));
        if !r.is_granted() {
            if let Some(d) = outcome_detail(&r.outcome) {
                out.push_str(&format!("            {}: {d}\n", r.endpoint));
            }
            out.push_str(&format!("            {}\n", coverage_note(r.group)));
            out.push_str(&format!("            fix: {}\n", r.group.admin_step()));
        }
    }
    out
}

fn render_json(base_url: &str, source: &str, report: &PermissionReport) -> serde_json::Value {
    let groups: Vec<_> = report
        .results
        .iter()
        .map(|r| {
            json!({
                "group": r.group,
                "name": r.group.display_name(),
                "status": r.outcome.label(),
                "endpoint": r.endpoint,
                "http_status": r.status,
                "detail": outcome_detail(&r.outcome),
                "coverage": if r.is_granted() { None } else { Some(coverage_note(r.group)) },
                "fix": if r.is_granted() { None } else { Some(r.group.admin_step()) },
            })
        })
        .collect();
    json!({
        "authentication": {"status": "ok", "source": source, "base_url": base_url},
        "groups": groups,
        "expense_report_granted": report.get(ApiGroup::ExpenseReport).is_some_and(|r| r.is_granted()),
    })
}

/// `concur-smp check`.
///
/// # Errors
/// Authentication failures (exit 3); a missing Expense Report group (exit 4).
pub async fn run(args: &CheckArgs) -> anyhow::Result<Exit> {
    let resolved = resolve(args.state.as_deref(), &args.conn)?;
    let (resolved, token) = authenticate(resolved, &args.conn).await?;
    let base = resolved.client.base_url().to_string();
    let source = resolved.source.to_string();
    let report = resolved.client.probe_permissions().await;
    let _ = token;
    match args.format {
        CheckFormat::Table => print!("{}", render_table(&base, &source, &report)),
        CheckFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&render_json(&base, &source, &report))?
        ),
    }
    let Some(expense) = report.get(ApiGroup::ExpenseReport) else {
        return Err(anyhow::anyhow!(
            "the permission probe returned no Expense Report result"
        ));
    };
    match &expense.outcome {
        ProbeOutcome::Granted => {
            let reduced: Vec<_> = report
                .not_granted()
                .map(|r| r.group.display_name())
                .collect();
            if !reduced.is_empty() {
                eprintln!("note: reduced coverage without {}", reduced.join(", "));
            }
            Ok(Exit::Ok)
        }
        ProbeOutcome::Error {
            kind: ErrorKind::Auth,
            message,
        } => Err(Failure::new(
            Exit::Auth,
            format!("Concur rejected the token when reading expense reports: {message}"),
        )
        .hint("run `concur-smp login` again")
        .into()),
        ProbeOutcome::Error { message, .. } => Err(Failure::new(
            Exit::Failure,
            format!("could not check the Expense Report permission: {message}"),
        )
        .hint("try again; check the network and the base URL")
        .into()),
        _ => Err(Failure::new(
            Exit::Permission,
            "the Expense Report API group is not granted",
        )
        .hint(ApiGroup::ExpenseReport.admin_step())
        .into()),
    }
}
