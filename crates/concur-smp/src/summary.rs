//! The human-readable run summary (and `--rates`, reporting-currency totals).
//!
//! Sections: top services by annualised spend per currency (with owners and confidence
//! band), reporting-currency totals when rates are given, unmatched software spend, findings,
//! warnings, run statistics.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use chrono::NaiveDate;
use saas_discovery::{
    Currency, Decimal, Document, Money, RateTable, ServiceId, annual_run_rate, parse_currency,
    parse_decimal, run_rate_by_service_observed,
};

use crate::error::Failure;

/// Reads a rates CSV: `currency,rate_to_reporting_currency` per line (an optional header line
/// is skipped; `#` comments and blank lines are ignored). The reporting currency is `reporting`
/// when given, else the one currency whose rate is exactly 1.
///
/// # Errors
/// A usage [`Failure`] naming the file and line of the first bad row.
pub fn read_rates(path: &Path, reporting: Option<&str>) -> anyhow::Result<RateTable> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::usage(format!(
            "cannot read the rates file {}: {e}",
            path.display()
        ))
    })?;
    parse_rates(&text, reporting).map_err(|m| {
        Failure::usage(format!("rates file {}: {m}", path.display()))
            .hint("one `currency,rate_to_reporting_currency` per line, e.g. `EUR,1.08`; the reporting currency has rate 1")
            .into()
    })
}

/// Parses rates text (see [`read_rates`]).
///
/// # Errors
/// A message naming the first bad line.
pub fn parse_rates(text: &str, reporting: Option<&str>) -> Result<RateTable, String> {
    let mut rows: Vec<(Currency, Decimal)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let mut parts = l.split(',').map(str::trim);
        let (Some(code), Some(rate), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("line {}: expected `currency,rate`", i + 1));
        };
        let currency = match parse_currency(code) {
            Ok(c) => c,
            Err(_) if rows.is_empty() && i == 0 => continue, // header
            Err(_) => return Err(format!("line {}: unknown currency code {code:?}", i + 1)),
        };
        let rate =
            parse_decimal(rate).map_err(|_| format!("line {}: invalid rate {rate:?}", i + 1))?;
        if rate <= Decimal::ZERO {
            return Err(format!("line {}: the rate must be positive", i + 1));
        }
        rows.push((currency, rate));
    }
    let reporting = match reporting {
        Some(code) => {
            parse_currency(code).map_err(|_| format!("unknown reporting currency {code:?}"))?
        }
        None => {
            let ones: Vec<Currency> = rows
                .iter()
                .filter(|(_, r)| *r == Decimal::ONE)
                .map(|(c, _)| *c)
                .collect();
            match ones.as_slice() {
                [one] => *one,
                [] => return Err("no currency has rate 1; add the reporting currency with rate 1 or pass --reporting-currency".into()),
                _ => return Err("several currencies have rate 1; pass --reporting-currency".into()),
            }
        }
    };
    let mut table = RateTable::new(reporting);
    for (c, r) in rows {
        table.insert(c, r);
    }
    Ok(table)
}

fn money_list(v: &[Money]) -> String {
    if v.is_empty() {
        return "-".into();
    }
    v.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" + ")
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Options of [`render`].
#[derive(Clone, Debug)]
pub struct SummaryOptions<'a> {
    /// Title line (e.g. the company).
    pub title: String,
    /// Services shown per currency.
    pub top: usize,
    /// Date the annualised spend is computed for.
    pub as_of: NaiveDate,
    /// Start of what the crawl observed (its lookback): history for the annualised spend is
    /// counted from here, so an annual payment seen in a 12-month crawl is not multiplied up.
    pub observed_since: Option<NaiveDate>,
    /// Optional rates for reporting-currency totals.
    pub rates: Option<&'a RateTable>,
    /// Status line (e.g. `complete`).
    pub status: String,
}

/// Renders the summary of `doc`.
pub fn render(doc: &Document, opts: &SummaryOptions<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "== {} ==", opts.title);
    let _ = writeln!(
        out,
        "run: {}; {} services, {} costs, {} unmatched vendors, {} findings",
        opts.status,
        doc.services.len(),
        doc.costs.len(),
        doc.unmatched.len(),
        doc.findings.len()
    );
    let names: BTreeMap<&ServiceId, &saas_discovery::Service> =
        doc.services.iter().map(|s| (&s.id, s)).collect();
    let rr = run_rate_by_service_observed(&doc.costs, opts.as_of, opts.observed_since)
        .unwrap_or_default();
    // per currency: (service, run rate)
    let mut per_currency: BTreeMap<&'static str, Vec<(&ServiceId, Money)>> = BTreeMap::new();
    for (id, rates) in &rr {
        for m in rates {
            if let Some((k, _)) = names.get_key_value(id) {
                per_currency
                    .entry(m.currency().code())
                    .or_default()
                    .push((*k, *m));
            }
        }
    }
    let _ = writeln!(
        out,
        "\nTop services by annualised spend (as of {}):",
        opts.as_of
    );
    if per_currency.is_empty() {
        let _ = writeln!(out, "  (no software costs found)");
    }
    for (code, mut list) in per_currency {
        list.sort_by(|a, b| b.1.amount().cmp(&a.1.amount()).then_with(|| a.0.cmp(b.0)));
        let _ = writeln!(out, "  {code}:");
        for (id, m) in list.iter().take(opts.top) {
            let Some(s) = names.get(id) else { continue };
            let mut owners: Vec<&saas_discovery::ServiceOwner> = s.owners.iter().collect();
            owners.sort_by(|a, b| {
                b.cost_count
                    .cmp(&a.cost_count)
                    .then_with(|| a.owner.login_id.cmp(&b.owner.login_id))
            });
            let owner_names: Vec<String> = owners
                .iter()
                .take(3)
                .map(|o| {
                    o.owner
                        .name
                        .clone()
                        .unwrap_or_else(|| o.owner.login_id.clone())
                })
                .collect();
            let more = owners.len().saturating_sub(3);
            let _ = writeln!(
                out,
                "    {:<28} {:>14}/yr  {:<11}  owners: {}{}",
                truncate(&s.name, 28),
                m.amount().round_dp(2).to_string(),
                s.confidence.band().as_str(),
                if owner_names.is_empty() {
                    "-".into()
                } else {
                    owner_names.join(", ")
                },
                if more > 0 {
                    format!(" +{more}")
                } else {
                    String::new()
                }
            );
        }
        if list.len() > opts.top {
            let _ = writeln!(out, "    … and {} more", list.len() - opts.top);
        }
    }
    if let Some(rates) = opts.rates {
        let rc = rates.reporting_currency().code();
        let _ = writeln!(out, "\nAnnualised spend in {rc} (--rates):");
        let mut conv: Vec<(&ServiceId, Money)> = Vec::new();
        let mut missing: Vec<&'static str> = Vec::new();
        for (id, list) in &rr {
            let mut sum = Decimal::ZERO;
            for m in list {
                match rates.convert(m) {
                    Ok(c) => sum += c.amount(),
                    Err(saas_discovery::ConversionError::MissingRate { from, .. }) => {
                        if !missing.contains(&from.code()) {
                            missing.push(from.code());
                        }
                    }
                    Err(_) => {}
                }
            }
            conv.push((id, Money::new(sum, rates.reporting_currency())));
        }
        conv.sort_by(|a, b| b.1.amount().cmp(&a.1.amount()).then_with(|| a.0.cmp(b.0)));
        let total = conv
            .iter()
            .fold(Decimal::ZERO, |acc, (_, m)| acc + m.amount());
        for (id, m) in conv.iter().take(opts.top) {
            let name = names
                .get(id)
                .map(|s| s.name.as_str())
                .unwrap_or(id.as_str());
            let _ = writeln!(
                out,
                "    {:<28} {:>14}/yr",
                truncate(name, 28),
                m.amount().round_dp(2).to_string()
            );
        }
        let _ = writeln!(
            out,
            "    {:<28} {:>14}/yr",
            "TOTAL",
            total.round_dp(2).to_string()
        );
        if !missing.is_empty() {
            let _ = writeln!(
                out,
                "    (no rate for {}; those amounts are left out)",
                missing.join(", ")
            );
        }
        let totals = saas_discovery::totals_per_currency(doc.costs.iter().map(|c| &c.amount))
            .unwrap_or_default();
        if let Ok(all) = rates.convert_sum(&totals) {
            let _ = writeln!(out, "    all costs in the document: {all}");
        }
    }
    let _ = writeln!(
        out,
        "\nUnmatched software spend ({} vendors):",
        doc.unmatched.len()
    );
    let mut un: Vec<&saas_discovery::UnmatchedSpend> = doc.unmatched.iter().collect();
    un.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.vendor.cmp(&b.vendor)));
    for u in un.iter().take(opts.top) {
        let example = u.descriptors.first().map(String::as_str).unwrap_or("");
        let _ = writeln!(
            out,
            "    {:<28} {:>4} charges  {}  e.g. {:?}",
            truncate(&u.vendor, 28),
            u.count,
            money_list(&u.totals),
            truncate(example, 40)
        );
    }
    if un.len() > opts.top {
        let _ = writeln!(out, "    … and {} more", un.len() - opts.top);
    }
    let _ = writeln!(out, "\nFindings ({}):", doc.findings.len());
    let mut kinds: BTreeMap<&'static str, usize> = BTreeMap::new();
    for f in &doc.findings {
        *kinds.entry(f.kind.as_str()).or_default() += 1;
    }
    if kinds.len() > 1 {
        let by: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let _ = writeln!(out, "    by kind: {}", by.join(", "));
    }
    for f in doc.findings.iter().take(opts.top) {
        let _ = writeln!(out, "    [{}] {}", f.kind, f.message);
    }
    if doc.findings.len() > opts.top {
        let _ = writeln!(out, "    … and {} more", doc.findings.len() - opts.top);
    }
    let st = &doc.stats;
    let _ = writeln!(out, "\nWarnings ({}):", st.warnings.len());
    for w in st.warnings.iter().take(opts.top) {
        let rec = w
            .record
            .as_deref()
            .map(|r| format!(" [{r}]"))
            .unwrap_or_default();
        let _ = writeln!(out, "    {}: {}{rec}", w.code, w.message);
    }
    if st.warnings.len() > opts.top {
        let _ = writeln!(
            out,
            "    … and {} more (see stats.warnings in the JSON)",
            st.warnings.len() - opts.top
        );
    }
    let _ = writeln!(out, "\nRun statistics:");
    let _ = writeln!(
        out,
        "    read: {} reports, {} entries, {} itemizations, {} invoices",
        st.reports_read, st.entries_read, st.itemizations_read, st.invoices_read
    );
    let _ = writeln!(
        out,
        "    costs emitted: {}; excluded: {} personal, {} by status, {} by rule; not software: {}; unmatched: {}; retractions: {}",
        st.costs_emitted,
        st.excluded_personal,
        st.excluded_status,
        st.excluded_rule,
        st.not_software,
        st.unmatched,
        st.retractions
    );
    let _ = writeln!(
        out,
        "    errors: {} fetch, {} decode; coverage warnings: {}; API calls: {}, retries: {}",
        st.fetch_errors, st.decode_errors, st.coverage_warnings, st.api_calls, st.retries
    );
    if !st.optional_groups_skipped.is_empty() {
        let _ = writeln!(
            out,
            "    optional groups skipped: {}",
            st.optional_groups_skipped.join(", ")
        );
    }
    out
}

/// Total annualised spend of all costs (per currency), for one-line summaries.
pub fn total_run_rate(doc: &Document, as_of: NaiveDate) -> Vec<Money> {
    annual_run_rate(&doc.costs, as_of).unwrap_or_default()
}

/// Whether the run missed data (exit code 5): fetch or decode errors or coverage warnings.
/// Exclusions and optional groups that are not enabled are statistics, not partial results.
pub fn is_partial(stats: &saas_discovery::Stats) -> bool {
    stats.fetch_errors > 0 || stats.decode_errors > 0 || stats.coverage_warnings > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_with_header_and_rate_one() {
        let t = parse_rates(
            "currency,rate_to_reporting_currency\nUSD,1\nEUR,1.08\n",
            None,
        )
        .unwrap();
        assert_eq!(t.reporting_currency().code(), "USD");
        assert_eq!(
            t.rate(parse_currency("EUR").unwrap()),
            Some(parse_decimal("1.08").unwrap())
        );
    }

    #[test]
    fn rates_errors_name_the_line() {
        assert!(
            parse_rates("USD,1\nQQQ,2\n", None)
                .unwrap_err()
                .contains("line 2")
        );
        assert!(
            parse_rates("EUR,1.08\n", None)
                .unwrap_err()
                .contains("rate 1")
        );
        assert!(
            parse_rates("USD,1\nEUR,abc\n", None)
                .unwrap_err()
                .contains("line 2")
        );
        let t = parse_rates("EUR,1.08\n", Some("USD")).unwrap();
        assert_eq!(t.reporting_currency().code(), "USD");
    }

    #[test]
    fn summary_of_the_model_example() {
        let doc = Document::example().unwrap();
        let rates = parse_rates("USD,1\nEUR,1.10\nGBP,1.25\n", None).unwrap();
        let s = render(
            &doc,
            &SummaryOptions {
                title: "example".into(),
                top: 5,
                as_of: NaiveDate::from_ymd_opt(2026, 11, 15).unwrap(),
                observed_since: None,
                rates: Some(&rates),
                status: "complete".into(),
            },
        );
        assert!(s.contains("Top services by annualised spend"), "{s}");
        assert!(s.contains("Run statistics"), "{s}");
        for svc in &doc.services {
            if doc.costs.iter().any(|c| c.service_id == svc.id) {
                assert!(
                    s.contains(&truncate(&svc.name, 28)),
                    "{} missing in\n{s}",
                    svc.name
                );
            }
        }
        assert!(s.contains("Annualised spend in USD"));
    }
}
