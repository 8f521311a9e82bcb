//! Suspicious spending: consolidation candidates, duplicate charges, spend spikes.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use saas_discovery::{CostId, Finding, FindingKind, Money, ServiceId, YearMonth};

use crate::state::CostFact;

/// A month's spend must be at least this multiple of the baseline to be a spike.
const SPIKE_FACTOR: Decimal = Decimal::TWO;
/// … and at least this much above it (in the currency's units).
const SPIKE_MIN_INCREASE: Decimal = Decimal::ONE_HUNDRED;
/// Cost ids listed at most per spike finding.
const MAX_IDS: usize = 20;

/// Computes every finding over the given costs. `name` gives a service's display name.
/// Deterministic: the output is sorted and does not depend on the input order.
pub(crate) fn findings(facts: &[CostFact], name: &dyn Fn(&ServiceId) -> String) -> Vec<Finding> {
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
fn multiple_owners(facts: &[CostFact], name: &dyn Fn(&ServiceId) -> String) -> Vec<Finding> {
    let mut by_service: BTreeMap<&ServiceId, BTreeMap<&str, (chrono::NaiveDate, &CostId)>> =
        BTreeMap::new();
    for f in facts {
        if f.owner.is_empty() || f.amount.is_negative() {
            continue;
        }
        let e = by_service
            .entry(&f.service)
            .or_default()
            .entry(f.owner.as_str())
            .or_insert((f.date, &f.id));
        if (f.date, &f.id) > (e.0, e.1) {
            *e = (f.date, &f.id);
        }
    }
    by_service
        .into_iter()
        .filter(|(_, owners)| owners.len() >= 2)
        .map(|(s, owners)| {
            Finding::new(
                FindingKind::MultipleOwners,
                format!(
                    "{} people pay for {} separately: consolidation candidate",
                    owners.len(),
                    name(s)
                ),
                s.clone(),
                owners.values().map(|(_, id)| (*id).clone()).collect(),
            )
        })
        .collect()
}

/// Same owner, service, amount and date on distinct records.
fn duplicates(facts: &[CostFact], name: &dyn Fn(&ServiceId) -> String) -> Vec<Finding> {
    type Key<'a> = (&'a ServiceId, &'a str, chrono::NaiveDate, &'a str, Decimal);
    let mut groups: BTreeMap<Key<'_>, (BTreeSet<&str>, Vec<CostId>, Money)> = BTreeMap::new();
    for f in facts {
        if f.amount.is_negative() || f.amount.is_zero() {
            continue;
        }
        let key = (
            &f.service,
            f.owner.as_str(),
            f.date,
            f.amount.currency().code(),
            f.amount.amount(),
        );
        let g = groups
            .entry(key)
            .or_insert_with(|| (BTreeSet::new(), Vec::new(), f.amount));
        g.0.insert(f.record.as_str());
        g.1.push(f.id.clone());
    }
    groups
        .into_iter()
        .filter(|(_, (records, _, _))| records.len() >= 2)
        .map(|((s, owner, date, _, _), (records, ids, amount))| {
            Finding::new(
                FindingKind::DuplicateCharge,
                format!(
                    "{} identical charges of {} for {} by {} on {}",
                    records.len(),
                    amount,
                    name(s),
                    owner,
                    date
                ),
                s.clone(),
                ids,
            )
        })
        .collect()
}

/// A month whose spend on a service (one currency) is at least twice the average of the
/// three months before it (with spend in at least two of them) and at least 100 above it.
fn spikes(facts: &[CostFact], name: &dyn Fn(&ServiceId) -> String) -> Vec<Finding> {
    type Series = BTreeMap<YearMonth, (Decimal, Vec<CostId>)>;
    let mut series: BTreeMap<(&ServiceId, &str), (Series, Money)> = BTreeMap::new();
    for f in facts {
        let s = series
            .entry((&f.service, f.amount.currency().code()))
            .or_insert_with(|| (BTreeMap::new(), Money::zero(f.amount.currency())));
        let m =
            s.0.entry(YearMonth::of(f.date))
                .or_insert((Decimal::ZERO, Vec::new()));
        m.0 += f.amount.amount();
        m.1.push(f.id.clone());
    }
    let mut out = Vec::new();
    for ((service, _), (months, zero)) in &series {
        for (ym, (total, ids)) in months {
            let prev: Vec<Decimal> = (1..=3)
                .map(|k| {
                    prev_month(*ym, k)
                        .and_then(|p| months.get(&p))
                        .map_or(Decimal::ZERO, |(t, _)| *t)
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
                let mut ids = ids.clone();
                ids.sort();
                ids.truncate(MAX_IDS);
                let cur = zero.currency();
                out.push(Finding::new(
                    FindingKind::SpendSpike,
                    format!(
                        "spend on {} rose to {} in {} from an average of {} over the 3 months before",
                        name(service),
                        Money::new(*total, cur),
                        ym,
                        Money::new(baseline, cur)
                    ),
                    (*service).clone(),
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
    ) -> CostFact {
        CostFact {
            id: CostId::from_raw(id),
            service: ServiceId::new(s).unwrap(),
            owner: owner.into(),
            date: NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap(),
            amount: Money::new(amount, parse_currency("USD").unwrap()),
            record: rec.into(),
        }
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
        let out = findings(&f, &name);
        let mo: Vec<_> = out
            .iter()
            .filter(|x| x.kind == FindingKind::MultipleOwners)
            .collect();
        assert_eq!(mo.len(), 1);
        assert_eq!(mo[0].service_id.as_str(), "zoom");
        assert_eq!(
            mo[0].cost_ids,
            vec![CostId::from_raw("c2"), CostId::from_raw("c3")]
        );
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
        let d: Vec<_> = findings(&f, &name)
            .into_iter()
            .filter(|x| x.kind == FindingKind::DuplicateCharge)
            .collect();
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].cost_ids,
            vec![CostId::from_raw("c1"), CostId::from_raw("c2")]
        );
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
        let s: Vec<_> = findings(&f, &name)
            .into_iter()
            .filter(|x| x.kind == FindingKind::SpendSpike)
            .collect();
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].cost_ids, vec![CostId::from_raw("a4")]);
        assert!(s[0].message.contains("2026-04"), "{}", s[0].message);
    }

    #[test]
    fn prev_month_wraps_years() {
        let ym = YearMonth::new(2026, 1).unwrap();
        assert_eq!(prev_month(ym, 1), YearMonth::new(2025, 12));
        assert_eq!(prev_month(ym, 3), YearMonth::new(2025, 10));
    }
}
