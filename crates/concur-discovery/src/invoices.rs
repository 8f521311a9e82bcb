//! Invoice v3 payment requests as a second cost source, with cross-source de-duplication
//! against expense lines (same service, date and amount: one cost, the invoice kept, the
//! expense line named in `also_seen_in`).
//!
//! Doc pages: <https://developer.concur.com/api-reference/invoice/v3.payment-request-digest.html>,
//! <https://developer.concur.com/api-reference/invoice/v3.payment-request.html>.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use futures::StreamExt;
use saas_discovery::{
    CostId, CostSourceKind, DiscoveryError, DiscoveryEvent, Money, Retraction, ServiceId,
    SourceRef, Stats,
};

use concur_client::models::invoice::{PaymentRequest, PaymentRequestDigest};

use crate::mapping::{Line, LineInput, SYSTEM, map_line};
use crate::source::{CallError, Emitter, Shared, coverage, fetch_all};
use crate::state::{InvoiceState, State};

/// One invoice's new contribution.
pub(crate) struct InvoiceUpdate {
    pub id: String,
    pub state: InvoiceState,
}

/// What the invoice phase read.
pub(crate) struct InvoiceBatch {
    pub stats: Stats,
    pub updates: Vec<InvoiceUpdate>,
    pub failed: bool,
}

/// Digests with their payment requests (`None` for deleted ones), as read.
pub(crate) struct InvoiceFetch {
    stats: Stats,
    results: Vec<(
        PaymentRequestDigest,
        Result<Option<PaymentRequest>, CallError>,
    )>,
}

/// Reads the payment request digests modified since the invoice cursor (minus the overlap)
/// or the lookback, then each payment request.
pub(crate) async fn fetch_invoices(
    sh: &Shared,
    state: &State,
    crawl_start: NaiveDateTime,
) -> Result<InvoiceFetch, CallError> {
    let after = match state.invoice_cursor {
        Some(c) => c - sh.cfg.overlap,
        None => crawl_start - sh.cfg.lookback,
    };
    let mk = || {
        sh.client
            .invoice()
            .payment_request_digests()
            .last_modified_date_after(after.date())
            .limit(1000)
            .paginator()
    };
    let (digests, skipped) = fetch_all(sh, true, mk, None).await?;
    let mut stats = Stats::default();
    for e in skipped {
        stats.decode_errors += 1;
        coverage(
            &mut stats,
            "decode_error",
            format!("an invoice digest could not be decoded: {e}"),
            "invoices",
        );
    }
    let results: Vec<(
        PaymentRequestDigest,
        Result<Option<PaymentRequest>, CallError>,
    )> = futures::stream::iter(digests)
        .map(|d| async move {
            if d.is_deleted == Some(true) {
                return (d, Ok(None));
            }
            let id = d.payment_request_id.clone().unwrap_or_else(|| d.id.clone());
            let r = sh
                .call(true, sh.client.invoice().payment_request(&id))
                .await
                .map(Some);
            (d, r)
        })
        .buffered(sh.cfg.concurrency.max(1))
        .collect()
        .await;
    Ok(InvoiceFetch { stats, results })
}

/// Maps what [`fetch_invoices`] read (after the users are known, for owner details).
pub(crate) fn map_invoices(sh: &Shared, fetch: InvoiceFetch) -> Result<InvoiceBatch, CallError> {
    let InvoiceFetch { mut stats, results } = fetch;
    let mut updates = Vec::new();
    let mut failed = false;
    for (d, r) in results {
        let id = d.payment_request_id.clone().unwrap_or_else(|| d.id.clone());
        match r {
            Ok(pr) => {
                stats.invoices_read += 1;
                let st = map_invoice(sh, &d, pr.as_ref(), &mut stats);
                updates.push(InvoiceUpdate { id, state: st });
            }
            Err(CallError::Failed(msg)) => {
                failed = true;
                stats.fetch_errors += 1;
                coverage(
                    &mut stats,
                    "fetch_failed",
                    format!("invoice could not be read: {msg}"),
                    format!("invoice {id}"),
                );
            }
            Err(e) => return Err(e),
        }
    }
    Ok(InvoiceBatch {
        stats,
        updates,
        failed,
    })
}

fn map_invoice(
    sh: &Shared,
    d: &PaymentRequestDigest,
    pr: Option<&PaymentRequest>,
    stats: &mut Stats,
) -> InvoiceState {
    let Some(pr) = pr else {
        // deleted
        return InvoiceState::default();
    };
    let id = pr.id.clone();
    let login = d.owner_login_id.clone().unwrap_or_default();
    let owner = sh.owner_for(
        &login,
        d.owner_name.as_deref().or(pr.employee_name.as_deref()),
    );
    let vendor = pr
        .vendor_remit_address
        .as_ref()
        .and_then(|v| v.vendor_name.clone())
        .or_else(|| d.vendor_name.clone());
    let description: Option<String> = {
        let lines: Vec<&str> = pr
            .line_items
            .iter()
            .filter_map(|l| l.description.as_deref())
            .filter(|s| !s.trim().is_empty())
            .take(5)
            .collect();
        if lines.is_empty() {
            pr.name.clone()
        } else {
            Some(lines.join("; "))
        }
    };
    let expense_type = pr
        .line_items
        .iter()
        .find_map(|l| l.expense_type_code.as_deref());
    let status = pr
        .approval_status
        .as_deref()
        .or(d.approval_status_code.as_deref());
    let input = LineInput {
        source: SourceRef::new(SYSTEM, CostSourceKind::Invoice).with_invoice_id(id.clone()),
        record: format!("invoice {id}"),
        date: pr.invoice_date.or(d.user_defined_date).or(d.create_date),
        amount: pr.invoice_amount.or(d.total),
        currency_code: pr.currency_code.as_deref().or(d.currency_code.as_deref()),
        posted_amount: None,
        posted_currency_code: None,
        exchange_rate: None,
        vendor: vendor.as_deref(),
        vendor_fallback: None,
        expense_type,
        description: description.as_deref(),
        payment_type: pr.payment_method.as_deref().or(d.payment_method.as_deref()),
        status,
        is_personal: false,
        item_text: None,
        vendor_is_supplier: true,
    };
    let m = map_line(&sh.map_ctx(), &input, &owner);
    for w in m.warnings {
        stats.warn(w);
    }
    match m.line {
        Line::Cost(c) => InvoiceState {
            cost: Some(*c),
            ..InvoiceState::default()
        },
        Line::Unmatched(u) => {
            stats.unmatched += 1;
            InvoiceState {
                unmatched: Some(*u),
                ..InvoiceState::default()
            }
        }
        Line::NotSoftware => {
            stats.not_software += 1;
            InvoiceState::default()
        }
        Line::Rule => {
            stats.excluded_rule += 1;
            InvoiceState::default()
        }
        Line::Bad => {
            stats.decode_errors += 1;
            InvoiceState::default()
        }
        Line::Personal | Line::Zero => InvoiceState::default(),
    }
}

type Key = (ServiceId, chrono::NaiveDate, Money);

/// Index of expense lines that are emitted under their own id (candidates for merging).
pub(crate) fn expense_index(state: &State) -> HashMap<Key, Vec<(String, CostId)>> {
    let mut idx: HashMap<Key, Vec<(String, CostId)>> = HashMap::new();
    for (rid, r) in &state.reports {
        for c in &r.costs {
            if c.merged_into.is_none() {
                idx.entry((ServiceId::clone(&c.service), c.date, c.amount))
                    .or_default()
                    .push((rid.clone(), c.id.to_cost_id()));
            }
        }
    }
    idx
}

/// Applies a batch: stores each invoice, merges it with a matching expense line (retracting
/// that line's own cost), emits the invoice cost or retracts a removed one.
pub(crate) async fn apply_batch(
    em: &mut Emitter<'_>,
    state: &mut State,
    updates: Vec<InvoiceUpdate>,
) -> Result<(), DiscoveryError> {
    let mut idx = if updates.iter().any(|u| u.state.cost.is_some()) {
        expense_index(state)
    } else {
        HashMap::new()
    };
    for u in updates {
        let prev = state.invoices.remove(&u.id).unwrap_or_default();
        let mut new = u.state;
        if let Some(prev_cost) = &prev.cost
            && new.cost.as_ref().map(|c| &c.id) != Some(&prev_cost.id)
        {
            em.emit(DiscoveryEvent::Retraction(Retraction::new(
                prev_cost.id.clone(),
                format!("invoice {} deleted or no longer software spend", u.id),
            )))
            .await?;
        }
        if let Some(c) = new.cost.clone() {
            state
                .services
                .entry(c.service_id.clone())
                .or_default()
                .absorb(c.confidence.score(), &c.evidence);
            // keep an earlier merge when it still matches
            let still = prev.merged.as_ref().filter(|(rid, cid)| {
                state
                    .reports
                    .get(rid)
                    .and_then(|r| r.costs.iter().find(|x| x.id == *cid))
                    .is_some_and(|x| {
                        *x.service == c.service_id && x.date == c.date && x.amount == c.amount
                    })
            });
            if let Some(m) = still {
                new.merged = Some(m.clone());
            } else if let Some(list) = idx.get_mut(&(c.service_id.clone(), c.date, c.amount))
                && !list.is_empty()
            {
                list.sort();
                let (rid, cid) = list.remove(0);
                if let Some(r) = state.reports.get_mut(&rid)
                    && let Some(s) = r.costs.iter_mut().find(|x| x.id == cid)
                {
                    s.merged_into = Some(u.id.as_str().into());
                }
                em.emit(DiscoveryEvent::Retraction(Retraction::new(
                    cid.clone(),
                    format!(
                        "merged into invoice {} (same service, date and amount)",
                        u.id
                    ),
                )))
                .await?;
                new.merged = Some((rid, cid));
            }
        }
        let has = new != InvoiceState::default();
        if has {
            state.invoices.insert(u.id.clone(), new);
            em.emit_invoice(state, &u.id).await?;
        }
    }
    Ok(())
}
