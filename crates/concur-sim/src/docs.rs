//! The `docs` tenant: the official SAP Concur samples assembled into a self-consistent company.
//!
//! * Reports: `expense-v3-reports-list.json` (report `F4F027007E814C1CA70E`, "Canadian Tax") and
//!   `expense-v3-reports-get.json` (report `39BD9F7C5C3F4986A6A5`, "Test 02"), unchanged.
//! * Entries: `expense-v3-entries-get.json` (already in report `39BD…`), unchanged; plus one
//!   parent entry per itemization sample whose parent entry has no sample (ids kept from the
//!   itemization's `EntryID`; hotel fields derived from the itemization, `HasItemizations: true`).
//! * Itemizations: `expense-v3-itemizations-list.json` and `-get.json`, unchanged.
//! * Allocations: `expense-v3-allocations-get.json` re-linked to the sample entry;
//!   `expense-v3-allocations-list.json` items re-linked to the two derived parent entries (only
//!   `EntryID` changes, every other value is kept).
//!
//! `URI` fields are rewritten to the simulator's base URL when served.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::model::{Allocation, Entry, EntryBundle, Itemization, Report, ReportBundle, Truth};

/// Embedded sample: reports list.
pub const REPORTS_LIST: &str = include_str!("../data/samples/expense-v3-reports-list.json");
/// Embedded sample: report get.
pub const REPORTS_GET: &str = include_str!("../data/samples/expense-v3-reports-get.json");
/// Embedded sample: entry get.
pub const ENTRIES_GET: &str = include_str!("../data/samples/expense-v3-entries-get.json");
/// Embedded sample: itemizations list.
pub const ITEMIZATIONS_LIST: &str =
    include_str!("../data/samples/expense-v3-itemizations-list.json");
/// Embedded sample: itemization get.
pub const ITEMIZATIONS_GET: &str = include_str!("../data/samples/expense-v3-itemizations-get.json");
/// Embedded sample: allocations list.
pub const ALLOCATIONS_LIST: &str = include_str!("../data/samples/expense-v3-allocations-list.json");
/// Embedded sample: allocation get.
pub const ALLOCATIONS_GET: &str = include_str!("../data/samples/expense-v3-allocations-get.json");

/// Error loading an embedded sample.
#[derive(Debug, thiserror::Error)]
#[error("embedded sample {name}: {source}")]
pub struct DocsError {
    name: &'static str,
    #[source]
    source: serde_json::Error,
}

fn parse<T: DeserializeOwned>(name: &'static str, text: &str) -> Result<T, DocsError> {
    serde_json::from_str(text).map_err(|source| DocsError { name, source })
}

fn items<T: DeserializeOwned>(name: &'static str, text: &str) -> Result<Vec<T>, DocsError> {
    let v: Value = parse(name, text)?;
    let arr = v.get("Items").cloned().unwrap_or(Value::Array(Vec::new()));
    serde_json::from_value(arr).map_err(|source| DocsError { name, source })
}

fn derived_parent(template: &Entry, it: &Itemization, currency: &str) -> Entry {
    let mut e = template.clone();
    e.id = it.entry_id.clone();
    e.uri = String::new();
    e.report_id = it.report_id.clone();
    e.report_owner_id = it.report_owner_id.clone();
    e.expense_type_code = "LODNG".to_owned();
    e.expense_type_name = "Hotel".to_owned();
    e.spend_category_code = it.spend_category_code.clone();
    e.spend_category_name = it.spend_category_name.clone();
    e.transaction_date = it.transaction_date.clone();
    e.transaction_currency_code = currency.to_owned();
    e.transaction_amount = it.transaction_amount;
    e.exchange_rate = rust_decimal::Decimal::ONE;
    e.posted_amount = it.posted_amount;
    e.approved_amount = it.approved_amount;
    e.vendor_description = Some("Hotel".to_owned());
    e.vendor_list_item_id = None;
    e.vendor_list_item_name = None;
    e.location_id = it.location_id.clone();
    e.location_name = it.location_name.clone();
    e.location_subdivision = it.location_subdivision.clone();
    e.location_country = it.location_country.clone();
    e.description = None;
    e.has_itemizations = true;
    e.last_modified = it.last_modified.clone();
    e.expense_id = None;
    e
}

fn non_software(scenario: &'static str) -> Truth {
    Truth {
        product_id: None,
        is_software: false,
        scenario,
    }
}

/// Build the docs tenant's reports (in list order: "Canadian Tax", then "Test 02").
///
/// # Errors
/// [`DocsError`] if an embedded sample does not parse (a build defect caught by tests).
pub fn docs_reports() -> Result<Vec<ReportBundle>, DocsError> {
    let mut reports: Vec<Report> = items("expense-v3-reports-list.json", REPORTS_LIST)?;
    reports.push(parse("expense-v3-reports-get.json", REPORTS_GET)?);
    let sample_entry: Entry = parse("expense-v3-entries-get.json", ENTRIES_GET)?;
    let mut its: Vec<Itemization> = items("expense-v3-itemizations-list.json", ITEMIZATIONS_LIST)?;
    its.push(parse("expense-v3-itemizations-get.json", ITEMIZATIONS_GET)?);
    let mut allocs: Vec<Allocation> = items("expense-v3-allocations-list.json", ALLOCATIONS_LIST)?;
    let mut alloc_get: Allocation = parse("expense-v3-allocations-get.json", ALLOCATIONS_GET)?;
    alloc_get.entry_id = sample_entry.id.clone();

    let mut bundles: Vec<ReportBundle> = reports
        .into_iter()
        .map(|report| ReportBundle {
            report,
            entries: Vec::new(),
        })
        .collect();
    let find = |b: &Vec<ReportBundle>, id: &str| b.iter().position(|r| r.report.id == id);
    // the sample entry (its ReportID already names "Test 02")
    if let Some(ri) = find(&bundles, &sample_entry.report_id) {
        bundles[ri].entries.push(EntryBundle {
            entry: sample_entry.clone(),
            itemizations: Vec::new(),
            allocations: vec![alloc_get],
            truth: non_software("docs_sample"),
            itemization_truth: Vec::new(),
        });
    }
    // derived parents for the itemization samples; list allocations re-linked in order
    for it in its {
        let Some(ri) = find(&bundles, &it.report_id) else {
            continue;
        };
        let currency = bundles[ri].report.currency_code.clone();
        let parent = derived_parent(&sample_entry, &it, &currency);
        let mut allocations = Vec::new();
        if !allocs.is_empty() {
            let mut a = allocs.remove(0);
            a.entry_id = parent.id.clone();
            allocations.push(a);
        }
        bundles[ri].entries.push(EntryBundle {
            entry: parent,
            itemizations: vec![it],
            allocations,
            truth: non_software("docs_derived_parent"),
            itemization_truth: vec![non_software("docs_sample")],
        });
    }
    Ok(bundles)
}
