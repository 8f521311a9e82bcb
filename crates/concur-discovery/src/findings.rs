//! Suspicious spending: consolidation candidates, duplicate charges, spend spikes.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use saas_discovery::{CostId, Finding, FindingKind, Money, ServiceId, YearMonth};

#[cfg(test)]
use crate::state::CompactId;
use crate::state::CostFact;

/// A month's spend must be at least this multiple of the baseline to be a spike.
const SPIKE_FACTOR: Decimal = Decimal::TWO;
/// … and at least this much above it (in the currency's units).
const SPIKE_MIN_INCREASE: Decimal = Decimal::ONE_HUNDRED;
/// Cost ids listed at most per spike finding.
const MAX_IDS: usize = 20;

/// Computes every finding over the given costs. `name` gives a service's display name.
/// Deterministic: the output is sorted and does not depend on the input order. Works by
/// sorting `facts` in place (no per-cost maps: memory stays flat on large companies).
pub(crate) fn findings(
    facts: &mut [CostFact<'_>],
    name: &dyn Fn(&ServiceId) -> String,
) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(multiple_owners(facts, name));
    out.extend(duplicates(facts, name));
    out.extend(spikes(facts, name));
    out.sort();
    out.dedup();
    out
}

/// The same service paid by several owners: one finding per service, listing each owner's
/// latest cost.
fn multiple_owners(
    facts: &mut [CostFact<'_>],
    name: &dyn Fn(&ServiceId) -> String,
) -> Vec<Finding> {
    facts.sort_unstable_by(|a, b| {
        (a.service, a.owner, a.date, a.id).cmp(&(b.service, b.owner, b.date, b.id))
    });
    let mut out = Vec::new();
    for group in facts.chunk_by(|a, b| a.service == b.service) {
        let latest: Vec<CostId> = group
            .iter()
            .filter(|f| !f.owner.is_empty() && !f.amount.is_negative())
            .collect::<Vec<_>>()
            .chunk_by(|a, b| a.owner == b.owner)
            .filter_map(|run| run.last().map(|f| f.id.to_cost_id()))
            .collect();
        if latest.len() >= 2 {
            let s = group[0].service;
            out.push(Finding::new(
                FindingKind::MultipleOwners,
                format!(
                    "{} people pay for {} separately: consolidation candidate",
                    latest.len(),
                    name(s)
                ),
                s.clone(),
                latest,
            ));
        }
    }
    out
}

/// Same owner, service, amount and date on distinct records.
fn duplicates(facts: &mut [CostFact<'_>], name: &dyn Fn(&ServiceId) -> String) -> Vec<Finding> {
    type Key<'a> = (&'a ServiceId, &'a str, chrono::NaiveDate, &'a str, Decimal);
    fn key_of<'a>(f: &CostFact<'a>) -> Key<'a> {
        (
            f.service,
            f.owner,
            f.date,
            f.amount.currency().code(),
            f.amount.amount(),
        )
    }
    facts.sort_unstable_by(|a, b| key_of(a).cmp(&key_of(b)).then(a.id.cmp(&b.id)));
    let mut out = Vec::new();
    for group in facts.chunk_by(|a, b| key_of(a) == key_of(b)) {
        let f = &group[0];
        if group.len() < 2 || f.amount.is_negative() || f.amount.is_zero() {
            continue;
        }
        let records: BTreeSet<(&str, &str)> = group.iter().map(|g| g.record).collect();
        if records.len() < 2 {
            continue;
        }
        out.push(Finding::new(
            FindingKind::DuplicateCharge,
            format!(
                "{} identical charges of {} for {} by {} on {}",
                records.len(),
                f.amount,
                name(f.service),
                f.owner,
                f.date
            ),
            f.service.clone(),
            group.iter().map(|g| g.id.to_cost_id()).collect(),
        ));
    }
    out
}

/// A month whose spend on a service (one currency) is at least twice the average of the
/// three months before it (with spend in at least two of them) and at least 100 above it.
fn spikes(facts: &mut [CostFact<'_>], name: &dyn Fn(&ServiceId) -> String) -> Vec<Finding> {
    facts.sort_unstable_by(|a, b| {
        (a.service, a.amount.currency().code(), a.date, a.id).cmp(&(
            b.service,
            b.amount.currency().code(),
            b.date,
            b.id,
        ))
    });
    let mut out = Vec::new();
    for series in
        facts.chunk_by(|a, b| a.service == b.service && a.amount.currency() == b.amount.currency())
    {
        let cur = series[0].amount.currency();
        let service = series[0].service;
        let months: BTreeMap<YearMonth, Decimal> =
            series.iter().fold(BTreeMap::new(), |mut m, f| {
                *m.entry(YearMonth::of(f.date)).or_insert(Decimal::ZERO) += f.amount.amount();
                m
            });
        for (ym, total) in &months {
            let prev: Vec<Decimal> = (1..=3)
                .map(|k| {
                    prev_month(*ym, k)
                        .and_then(|p| months.get(&p))
                        .copied()
                        .unwrap_or(Decimal::ZERO)
                })
                .collect();
            if prev.iter().filter(|t| **t > Decimal::ZERO).count() < 2 {
                continue;
            }
            let baseline = prev.iter().copied().sum::<Decimal>() / Decimal::from(3);
            if baseline > Decimal::ZERO
                && *total >= baseline * SPIKE_FACTOR
                && *total - baseline >= SPIKE_MIN_INCREASE
            {
                let mut ids: Vec<CostId> = series
                    .iter()
                    .filter(|f| YearMonth::of(f.date) == *ym)
                    .map(|f| f.id.to_cost_id())
                    .collect();
                ids.sort();
                ids.truncate(MAX_IDS);
                out.push(Finding::new(
                    FindingKind::SpendSpike,
                    format!(
                        "spend on {} rose to {} in {} from an average of {} over the 3 months before",
                        name(service),
                        Money::new(*total, cur),
                        ym,
                        Money::new(baseline, cur)
                    ),
                    service.clone(),
                    ids,
                ));
            }
        }
    }
    out
}

fn prev_month(ym: YearMonth, k: u32) -> Option<YearMonth> {
    let idx = ym.year() * 12 + (ym.month() as i32 - 1) - k as i32;
    YearMonth::new(idx.div_euclid(12), idx.rem_euclid(12) as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;
    use saas_discovery::parse_currency;

    fn fact(
        id: &str,
        s: &str,
        owner: &str,
        date: (i32, u32, u32),
        amount: Decimal,
        rec: &str,
    ) -> CostFact<'static> {
        let leak = |x: &str| -> &'static str { Box::leak(x.to_owned().into_boxed_str()) };
        let (r, e) = rec.split_once('/').unwrap();
        CostFact {
            id: CompactId::of(&CostId::from_raw(id)),
            service: Box::leak(Box::new(ServiceId::new(s).unwrap())),
            owner: leak(owner),
            date: NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap(),
            amount: Money::new(amount, parse_currency("USD").unwrap()),
            record: (leak(r), leak(e)),
        }
    }

    /// The id a test fact gets back (its name read as hex).
    fn cid(x: &str) -> CostId {
        CompactId::of(&CostId::from_raw(x)).to_cost_id()
    }

    fn name(s: &ServiceId) -> String {
        s.as_str().to_uppercase()
    }

    #[test]
    fn multiple_owners_lists_latest_cost_per_owner() {
        let f = vec![
            fact("c1", "zoom", "ada", (2026, 1, 5), dec!(15), "r1/e1"),
            fact("c2", "zoom", "ada", (2026, 2, 5), dec!(15), "r2/e1"),
            fact("c3", "zoom", "bob", (2026, 2, 7), dec!(15), "r3/e1"),
            fact("c4", "slack", "bob", (2026, 2, 7), dec!(8), "r3/e2"),
        ];
        let out = findings(&mut f.clone(), &name);
        let mo: Vec<_> = out
            .iter()
            .filter(|x| x.kind == FindingKind::MultipleOwners)
            .collect();
        assert_eq!(mo.len(), 1);
        assert_eq!(mo[0].service_id.as_str(), "zoom");
        assert_eq!(mo[0].cost_ids, vec![cid("c2"), cid("c3")]);
        assert!(mo[0].message.starts_with("2 people pay for ZOOM"));
    }

    #[test]
    fn duplicates_need_distinct_records() {
        let f = vec![
            fact("c1", "zoom", "ada", (2026, 1, 5), dec!(15), "r1/e1"),
            fact("c2", "zoom", "ada", (2026, 1, 5), dec!(15), "r1/e2"),
            fact("c3", "zoom", "ada", (2026, 1, 6), dec!(15), "r1/e3"),
            // two itemizations of one entry are not duplicates
            fact("c4", "slack", "ada", (2026, 1, 5), dec!(8), "r1/e4"),
            fact("c5", "slack", "ada", (2026, 1, 5), dec!(8), "r1/e4"),
        ];
        let d: Vec<_> = findings(&mut f.clone(), &name)
            .into_iter()
            .filter(|x| x.kind == FindingKind::DuplicateCharge)
            .collect();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].cost_ids, vec![cid("c1"), cid("c2")]);
    }

    #[test]
    fn spike_detected_against_three_month_baseline() {
        let mut f = vec![];
        for m in 1..=3 {
            f.push(fact(
                &format!("a{m}"),
                "figma",
                "ada",
                (2026, m, 3),
                dec!(100),
                &format!("r{m}/e"),
            ));
        }
        f.push(fact("a4", "figma", "ada", (2026, 4, 3), dec!(450), "r4/e"));
        f.push(fact("a5", "figma", "ada", (2026, 5, 3), dec!(110), "r5/e"));
        let s: Vec<_> = findings(&mut f.clone(), &name)
            .into_iter()
            .filter(|x| x.kind == FindingKind::SpendSpike)
            .collect();
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].cost_ids, vec![cid("a4")]);
        assert!(s[0].message.contains("2026-04"), "{}", s[0].message);
    }

    #[test]
    fn prev_month_wraps_years() {
        let ym = YearMonth::new(2026, 1).unwrap();
        assert_eq!(prev_month(ym, 1), YearMonth::new(2025, 12));
        assert_eq!(prev_month(ym, 3), YearMonth::new(2025, 10));
    }
}
