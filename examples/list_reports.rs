//! List every expense report modified in the last 90 days with Expense v3, then the entries
//! of the first one.
//!
//! Simulator (in-process `tiny` company, no network):
//! `cargo run -p concur-smp-examples --example list_reports`
//!
//! Real company or external simulator: set `CONCUR_BASE_URL`, `CONCUR_CLIENT_ID`,
//! `CONCUR_CLIENT_SECRET` and `CONCUR_USERNAME` + `CONCUR_PASSWORD` (or
//! `CONCUR_REFRESH_TOKEN`), see [`concur_smp_examples::connect`].
//!
//! Shows `user=ALL` with `modifiedDateAfter` (needs an admin or company token), paging that
//! follows `NextPage` verbatim (the filters survive on every page) as one item stream, and
//! `entries().list().report_id(..)`: amounts are exact `Decimal`s in the transaction currency.

use concur_smp_examples::connect;
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let conn = connect().await?;
    println!("connected to {}", conn.target);
    let since = conn.today() - chrono::Days::new(90);
    let expense = conn.client.expense();

    // limit(10) only makes the pages small so that paging shows; the default is 25, max 100.
    let mut reports = expense
        .reports()
        .list()
        .user_all()
        .modified_after(since)
        .limit(10)
        .stream();
    let mut first = None;
    let mut count = 0;
    while let Some(r) = reports.try_next().await? {
        println!(
            "{:<20} {:<28} {:<36} {:>10} {:<3} {}",
            r.id,
            r.name.as_deref().unwrap_or("-"),
            r.owner_login_id.as_deref().unwrap_or("-"),
            r.total.map(|t| t.to_string()).unwrap_or_default(),
            r.currency_code.as_deref().unwrap_or("-"),
            r.approval_status_code.as_deref().unwrap_or("-"),
        );
        count += 1;
        first.get_or_insert(r);
    }
    println!("{count} report(s) modified after {since}");

    let Some(report) = first else { return Ok(()) };
    println!(
        "\nentries of {} ({})",
        report.id,
        report.name.as_deref().unwrap_or("-")
    );
    let mut entries = expense
        .entries()
        .list()
        .user_all()
        .report_id(&report.id)
        .stream();
    while let Some(e) = entries.try_next().await? {
        println!(
            "  {} {:<24} {:<32} {:>10} {}",
            e.transaction_date
                .map(|d| d.date().to_string())
                .unwrap_or_default(),
            e.expense_type_name.as_deref().unwrap_or("-"),
            e.vendor_description.as_deref().unwrap_or("-"),
            e.transaction_amount
                .map(|a| a.to_string())
                .unwrap_or_default(),
            e.transaction_currency_code.as_deref().unwrap_or("-"),
        );
    }
    let m = conn.client.metrics().snapshot();
    println!(
        "api calls: {} (retries {}, token refreshes {})",
        m.calls, m.retries, m.token_refreshes
    );
    Ok(())
}
