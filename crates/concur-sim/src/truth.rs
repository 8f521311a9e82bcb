//! Ground truth export: for each entry, itemization and invoice id, the product id (or none)
//! and whether it is software spend, so discovery accuracy can be measured end to end.

use std::io::Write;

use rust_decimal::Decimal;

use crate::data::Data;

/// One labelled spend line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TruthRow {
    /// `entry`, `itemization` or `invoice`.
    pub kind: &'static str,
    /// Concur id of the line (v3 entry/itemization `ID`, or Invoice v3 payment request `ID`).
    pub id: String,
    /// Report id (entries/itemizations) or empty for invoices.
    pub report_id: String,
    /// Core product id (`saas-catalog/data/core-products.txt`) or `None`.
    pub product_id: Option<String>,
    /// Software spend (true also for software lines with no single product, e.g. resellers).
    pub is_software: bool,
    /// Scenario label (`subscription_monthly`, `refund`, `near_miss`, `hotel`, ...).
    pub scenario: &'static str,
    /// Vendor description as served (entries) / item description (itemizations) / vendor name.
    pub vendor: String,
    /// Amount in `currency` (transaction amount; negative for refunds).
    pub amount: Decimal,
    /// ISO 4217 currency of `amount`.
    pub currency: String,
}

/// Iterate the ground truth of a tenant's data (reports in order, then invoices). Lazily
/// generates each report; memory stays constant.
pub fn ground_truth(data: &Data) -> impl Iterator<Item = TruthRow> + '_ {
    let reports = (0..data.report_count()).flat_map(move |i| {
        let mut rows = Vec::new();
        if let Some(b) = data.report(i) {
            for e in b.entries {
                let cur = e.entry.transaction_currency_code.clone();
                rows.push(TruthRow {
                    kind: "entry",
                    id: e.entry.id.clone(),
                    report_id: e.entry.report_id.clone(),
                    product_id: e.truth.product_id.clone(),
                    is_software: e.truth.is_software,
                    scenario: e.truth.scenario,
                    vendor: e.entry.vendor_description.clone().unwrap_or_default(),
                    amount: e.entry.transaction_amount,
                    currency: cur.clone(),
                });
                for (it, tr) in e.itemizations.iter().zip(e.itemization_truth.iter()) {
                    rows.push(TruthRow {
                        kind: "itemization",
                        id: it.id.clone(),
                        report_id: it.report_id.clone(),
                        product_id: tr.product_id.clone(),
                        is_software: tr.is_software,
                        scenario: tr.scenario,
                        vendor: it.description.clone().unwrap_or_default(),
                        amount: it.transaction_amount,
                        currency: cur.clone(),
                    });
                }
            }
        }
        rows
    });
    let invoices: &[crate::generator::Invoice] = match data {
        Data::Generated(c) => &c.invoices,
        Data::Docs { .. } => &[],
    };
    reports.chain(invoices.iter().map(|inv| TruthRow {
        kind: "invoice",
        id: inv.id.clone(),
        report_id: String::new(),
        product_id: inv.truth.product_id.clone(),
        is_software: inv.truth.is_software,
        scenario: inv.truth.scenario,
        vendor: inv.vendor_name.clone(),
        amount: inv.amount,
        currency: inv.currency.clone(),
    }))
}

/// Write the ground truth as CSV with the header
/// `kind,id,report_id,product_id,is_software,scenario,vendor,amount,currency`
/// (`product_id` empty when none). Returns the number of data rows.
///
/// # Errors
/// I/O or CSV errors from the writer.
pub fn write_ground_truth_csv<W: Write>(data: &Data, w: W) -> Result<usize, csv::Error> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record([
        "kind",
        "id",
        "report_id",
        "product_id",
        "is_software",
        "scenario",
        "vendor",
        "amount",
        "currency",
    ])?;
    let mut n = 0;
    for r in ground_truth(data) {
        out.write_record([
            r.kind,
            &r.id,
            &r.report_id,
            r.product_id.as_deref().unwrap_or(""),
            if r.is_software { "true" } else { "false" },
            r.scenario,
            &r.vendor,
            &r.amount.to_string(),
            &r.currency,
        ])?;
        n += 1;
    }
    out.flush()?;
    Ok(n)
}
