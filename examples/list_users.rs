//! List every user of a company with Identity v4 (SCIM `startIndex`/`count` paging) and print
//! the normalised `UserSummary` that discovery uses to name cost owners.
//!
//! Simulator (in-process `tiny` company, no network):
//! `cargo run -p concur-smp-examples --example list_users`
//!
//! Real company or external simulator: set `CONCUR_BASE_URL`, `CONCUR_CLIENT_ID`,
//! `CONCUR_CLIENT_SECRET` and `CONCUR_USERNAME` + `CONCUR_PASSWORD` (or
//! `CONCUR_REFRESH_TOKEN`), see [`concur_smp_examples::connect`]. Identity needs a company or
//! admin token.
//!
//! `users().list().count(n).pages()` yields one `Page` per request (`total_count` is SCIM
//! `totalResults`; the next `startIndex` is the previous one plus the items received); a user
//! that does not decode is in `Page::skipped` and the walk goes on. `stream()` gives the users
//! one by one; Identity v4.1 (`list_v4_1()`, cursor paging, up to 1000 per page) works the same.

use concur_smp_examples::connect;
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let conn = connect().await?;
    println!("connected to {}", conn.target);
    println!(
        "{:<40} {:<22} {:<14} {:<10} {:<6} employee",
        "login", "name", "department", "cost ctr", "active"
    );
    // count(4) only keeps the pages small so that paging shows; Identity v4 allows up to 100.
    let mut pages = conn.client.users().list().count(4).pages();
    let (mut n, mut users, mut skipped) = (0, 0, 0);
    while let Some(page) = pages.try_next().await? {
        n += 1;
        let total = page.total_count.map_or("?".to_owned(), |t| t.to_string());
        println!("-- page {n}: {} user(s) of {total}", page.items.len());
        for u in &page.items {
            let s = u.summary();
            println!(
                "{:<40} {:<22} {:<14} {:<10} {:<6} {}",
                s.login_id.unwrap_or_default(),
                s.display_name.unwrap_or_default(),
                s.department.unwrap_or_default(),
                s.cost_center.unwrap_or_default(),
                s.active.map_or("?", |a| if a { "yes" } else { "no" }),
                s.employee_number.unwrap_or_default(),
            );
        }
        for err in &page.skipped {
            eprintln!("skipped: {err}");
        }
        users += page.items.len();
        skipped += page.skipped.len();
    }
    println!("{users} user(s) in {n} page(s), {skipped} skipped");
    Ok(())
}
