//! Aggregations every consumer needs: spend per service and month, per owner, annual run-rate,
//! conversion into one reporting currency, and the service aggregates (first/last seen, owners).

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, Months, NaiveDate};
use iso_currency::Currency;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Cost, Money, MoneyError, MoneyTotals, Owner, Service, ServiceId, ServiceOwner};

/// A calendar month, serialized as `"YYYY-MM"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

impl YearMonth {
    /// The month of a date.
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    /// A month; `None` unless `month` is in `1..=12`.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        (1..=12).contains(&month).then_some(Self { year, month })
    }

    /// The year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The month, `1..=12`.
    pub fn month(&self) -> u32 {
        self.month
    }

    /// Months since year 0 (for differences).
    fn index(&self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let bad = || serde::de::Error::custom(format!("invalid month {s:?}: expected YYYY-MM"));
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        YearMonth::new(year, month).ok_or_else(bad)
    }
}

/// Spend on one service in one month in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServiceMonthSpend {
    /// The service.
    pub service_id: ServiceId,
    /// The calendar month of the costs' transaction dates.
    pub month: YearMonth,
    /// Sum of the costs' `amount` (transaction currency) in that month and currency.
    pub total: Money,
    /// Number of costs summed.
    pub cost_count: u64,
}

/// Spend per service, per calendar month (of the transaction date), per transaction currency.
///
/// Sorted by service id, then month, then currency code. Currencies are never mixed.
///
/// # Errors
/// [`MoneyError::Overflow`].
pub fn spend_by_service_month<'a>(
    costs: impl IntoIterator<Item = &'a Cost>,
) -> Result<Vec<ServiceMonthSpend>, MoneyError> {
    let mut map: BTreeMap<(ServiceId, YearMonth, &'static str), (Money, u64)> = BTreeMap::new();
    for c in costs {
        let key = (
            c.service_id.clone(),
            YearMonth::of(c.date),
            c.amount.currency().code(),
        );
        match map.get_mut(&key) {
            Some((total, n)) => {
                *total = total.checked_add(&c.amount)?;
                *n += 1;
            }
            None => {
                map.insert(key, (c.amount, 1));
            }
        }
    }
    Ok(map
        .into_iter()
        .map(
            |((service_id, month, _), (total, cost_count))| ServiceMonthSpend {
                service_id,
                month,
                total,
                cost_count,
            },
        )
        .collect())
}

/// Spend of one owner across services.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OwnerSpend {
    /// The owner (details from their most recent cost; see [`aggregate_service`]).
    pub owner: Owner,
    /// Total spend per currency, sorted by currency code.
    pub spend: Vec<Money>,
    /// Number of costs.
    pub cost_count: u64,
    /// Services they paid for, sorted.
    pub service_ids: Vec<ServiceId>,
}

/// Spend per owner (keyed by `owner.login_id`), sorted by login id.
///
/// # Errors
/// [`MoneyError::Overflow`].
pub fn spend_by_owner<'a>(
    costs: impl IntoIterator<Item = &'a Cost>,
) -> Result<Vec<OwnerSpend>, MoneyError> {
    let mut sorted: Vec<&Cost> = costs.into_iter().collect();
    sorted.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
    let mut map: BTreeMap<String, (Owner, MoneyTotals, u64, Vec<ServiceId>)> = BTreeMap::new();
    for c in sorted {
        let entry = map
            .entry(c.owner.login_id.clone())
            .or_insert_with(|| (c.owner.clone(), MoneyTotals::new(), 0, Vec::new()));
        merge_owner(&mut entry.0, &c.owner);
        entry.1.add(&c.amount)?;
        entry.2 += 1;
        if let Err(pos) = entry.3.binary_search(&c.service_id) {
            entry.3.insert(pos, c.service_id.clone());
        }
    }
    Ok(map
        .into_values()
        .map(|(owner, totals, cost_count, service_ids)| OwnerSpend {
            owner,
            spend: totals.to_vec(),
            cost_count,
            service_ids,
        })
        .collect())
}

/// Annualised run-rate per transaction currency, as of `as_of` (inclusive).
///
/// # Rule
/// For each currency, consider the costs dated on or before `as_of` (later costs are
/// ignored):
/// * the **window** is the 12 months ending at `as_of`: dates `d` with
///   `as_of - 12 months < d <= as_of` (e.g. as of 2026-06-30: 2025-07-01..=2026-06-30);
/// * if the earliest cost in that currency lies **before** the window start
///   (at least 12 months of history), the run-rate is the **sum of the costs in the window**;
/// * otherwise (shorter history) it is the **monthly average × 12**: the sum divided by the
///   number of calendar months from the month of the earliest cost to the month of `as_of`,
///   both included, times 12. (A single annual payment within a short history is therefore
///   over-estimated; the rule favours monthly subscriptions, the common case.)
///
/// The result is rounded to the currency's minor units, sorted by currency code, and only
/// contains currencies with at least one cost in the window (an abandoned subscription drops
/// out instead of showing `0`).
///
/// # Errors
/// [`MoneyError::Overflow`].
pub fn annual_run_rate<'a>(
    costs: impl IntoIterator<Item = &'a Cost>,
    as_of: NaiveDate,
) -> Result<Vec<Money>, MoneyError> {
    annual_run_rate_observed(costs, as_of, None)
}

/// [`annual_run_rate`] for a source that was **observed since** `observed_since` (for example
/// the start of a 12-month first crawl): history is counted from that date rather than from
/// the earliest cost, so a single annual payment seen in a 12-month crawl counts once per
/// year instead of being multiplied up. With `observed_since` at or before the start of the
/// 12-month window the result is simply the sum of the window; with `None` this is exactly
/// [`annual_run_rate`].
///
/// # Errors
/// [`MoneyError::Overflow`].
pub fn annual_run_rate_observed<'a>(
    costs: impl IntoIterator<Item = &'a Cost>,
    as_of: NaiveDate,
    observed_since: Option<NaiveDate>,
) -> Result<Vec<Money>, MoneyError> {
    let window_start = as_of.checked_sub_months(Months::new(12));
    // per currency: (earliest date, window totals)
    let mut per: BTreeMap<&'static str, (NaiveDate, Option<Money>)> = BTreeMap::new();
    for c in costs {
        if c.date > as_of {
            continue;
        }
        let code = c.amount.currency().code();
        let in_window = window_start.is_none_or(|ws| c.date > ws);
        let entry = per.entry(code).or_insert((c.date, None));
        entry.0 = entry.0.min(c.date);
        if in_window {
            entry.1 = Some(match entry.1 {
                Some(t) => t.checked_add(&c.amount)?,
                None => c.amount,
            });
        }
    }
    let mut out = Vec::new();
    for (first, total) in per.into_values() {
        let Some(total) = total else { continue };
        let first = observed_since.map_or(first, |o| o.min(first));
        let full_history = window_start.is_some_and(|ws| first <= ws);
        if full_history {
            out.push(total);
        } else {
            let months = YearMonth::of(as_of).index() - YearMonth::of(first).index() + 1;
            let months = Decimal::from(months.max(1));
            let currency = total.currency();
            let annual = total
                .amount()
                .checked_mul(Decimal::from(12))
                .and_then(|v| v.checked_div(months))
                .ok_or(MoneyError::Overflow(currency))?;
            out.push(Money::new(annual, currency));
        }
    }
    Ok(out)
}

/// [`annual_run_rate`] per service, keyed and sorted by service id.
///
/// # Errors
/// [`MoneyError::Overflow`].
pub fn run_rate_by_service<'a>(
    costs: impl IntoIterator<Item = &'a Cost>,
    as_of: NaiveDate,
) -> Result<BTreeMap<ServiceId, Vec<Money>>, MoneyError> {
    run_rate_by_service_observed(costs, as_of, None)
}

/// [`annual_run_rate_observed`] per service, keyed and sorted by service id.
///
/// # Errors
/// [`MoneyError::Overflow`].
pub fn run_rate_by_service_observed<'a>(
    costs: impl IntoIterator<Item = &'a Cost>,
    as_of: NaiveDate,
    observed_since: Option<NaiveDate>,
) -> Result<BTreeMap<ServiceId, Vec<Money>>, MoneyError> {
    let mut groups: BTreeMap<ServiceId, Vec<&Cost>> = BTreeMap::new();
    for c in costs {
        groups.entry(c.service_id.clone()).or_default().push(c);
    }
    let mut out = BTreeMap::new();
    for (id, cs) in groups {
        let rr = annual_run_rate_observed(cs, as_of, observed_since)?;
        if !rr.is_empty() {
            out.insert(id, rr);
        }
    }
    Ok(out)
}

/// Errors converting into a reporting currency.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConversionError {
    /// The rate table has no rate for this currency.
    #[error("no exchange rate from {from} to {to} in the rate table")]
    MissingRate {
        /// The currency without a rate.
        from: Currency,
        /// The reporting currency.
        to: Currency,
    },
    /// Arithmetic overflow.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// Exchange rates into one reporting currency, provided by the caller (this crate never
/// fetches rates).
///
/// A rate `r` for currency `C` means `1 C = r` units of the reporting currency. The reporting
/// currency itself always converts at `1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateTable {
    reporting: Currency,
    rates: BTreeMap<Currency, Decimal>,
}

impl RateTable {
    /// An empty table converting into `reporting`.
    pub fn new(reporting: Currency) -> Self {
        Self {
            reporting,
            rates: BTreeMap::new(),
        }
    }

    /// Adds or replaces the rate of `currency` (builder style).
    #[must_use]
    pub fn with_rate(mut self, currency: Currency, rate_to_reporting: Decimal) -> Self {
        self.insert(currency, rate_to_reporting);
        self
    }

    /// Adds or replaces the rate of `currency`.
    pub fn insert(&mut self, currency: Currency, rate_to_reporting: Decimal) {
        self.rates.insert(currency, rate_to_reporting);
    }

    /// The reporting currency.
    pub fn reporting_currency(&self) -> Currency {
        self.reporting
    }

    /// The rate of `currency` (`1` for the reporting currency).
    pub fn rate(&self, currency: Currency) -> Option<Decimal> {
        if currency == self.reporting {
            Some(Decimal::ONE)
        } else {
            self.rates.get(&currency).copied()
        }
    }

    fn converted_raw(&self, money: &Money) -> Result<Decimal, ConversionError> {
        let rate = self
            .rate(money.currency())
            .ok_or(ConversionError::MissingRate {
                from: money.currency(),
                to: self.reporting,
            })?;
        money
            .amount()
            .checked_mul(rate)
            .ok_or(ConversionError::Money(MoneyError::Overflow(self.reporting)))
    }

    /// Converts one amount, rounded to the reporting currency's minor units.
    ///
    /// # Errors
    /// [`ConversionError::MissingRate`]; [`ConversionError::Money`] on overflow.
    pub fn convert(&self, money: &Money) -> Result<Money, ConversionError> {
        Ok(Money::new(self.converted_raw(money)?, self.reporting))
    }

    /// Converts and sums amounts in any currencies; rounding happens once, on the sum.
    ///
    /// # Errors
    /// [`ConversionError::MissingRate`] for the first currency without a rate;
    /// [`ConversionError::Money`] on overflow.
    pub fn convert_sum<'a>(
        &self,
        items: impl IntoIterator<Item = &'a Money>,
    ) -> Result<Money, ConversionError> {
        let mut sum = Decimal::ZERO;
        for m in items {
            sum = sum
                .checked_add(self.converted_raw(m)?)
                .ok_or(ConversionError::Money(MoneyError::Overflow(self.reporting)))?;
        }
        Ok(Money::new(sum, self.reporting))
    }
}

/// Aggregates of one service's costs.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ServiceAggregate {
    /// Earliest transaction date.
    pub first_seen: Option<NaiveDate>,
    /// Latest transaction date.
    pub last_seen: Option<NaiveDate>,
    /// Owners with spend per currency, sorted by login id.
    pub owners: Vec<ServiceOwner>,
    /// Total spend per currency, sorted by currency code.
    pub totals: Vec<Money>,
    /// Number of costs.
    pub cost_count: u64,
}

/// Computes first/last seen, owners with spend and totals from the costs of **one** service
/// (the caller filters by `service_id`).
///
/// Owners are keyed by `login_id`; their `name`, `email` and `department` come from their most
/// recent cost (by date, then cost id) that has the field set.
///
/// # Errors
/// [`MoneyError::Overflow`].
pub fn aggregate_service<'a>(
    costs: impl IntoIterator<Item = &'a Cost>,
) -> Result<ServiceAggregate, MoneyError> {
    let mut sorted: Vec<&Cost> = costs.into_iter().collect();
    sorted.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
    let mut owners: BTreeMap<String, (Owner, MoneyTotals, u64)> = BTreeMap::new();
    let mut totals = MoneyTotals::new();
    for c in &sorted {
        totals.add(&c.amount)?;
        let e = owners
            .entry(c.owner.login_id.clone())
            .or_insert_with(|| (c.owner.clone(), MoneyTotals::new(), 0));
        merge_owner(&mut e.0, &c.owner);
        e.1.add(&c.amount)?;
        e.2 += 1;
    }
    Ok(ServiceAggregate {
        first_seen: sorted.first().map(|c| c.date),
        last_seen: sorted.last().map(|c| c.date),
        owners: owners
            .into_values()
            .map(|(o, t, n)| ServiceOwner::new(o, t.to_vec(), n))
            .collect(),
        totals: totals.to_vec(),
        cost_count: sorted.len() as u64,
    })
}

/// Fills `first_seen`, `last_seen` and `owners` of every service from the costs whose
/// `service_id` matches (services without costs get `None`, `None`, `[]`). Catalog fields
/// (name, vendor, category, domains, confidence, evidence) are left as they are.
///
/// # Errors
/// [`MoneyError::Overflow`].
pub fn aggregate_services(services: &mut [Service], costs: &[Cost]) -> Result<(), MoneyError> {
    let mut groups: BTreeMap<&ServiceId, Vec<&Cost>> = BTreeMap::new();
    for c in costs {
        groups.entry(&c.service_id).or_default().push(c);
    }
    for s in services.iter_mut() {
        let agg = match groups.get(&s.id) {
            Some(cs) => aggregate_service(cs.iter().copied())?,
            None => ServiceAggregate::default(),
        };
        s.first_seen = agg.first_seen;
        s.last_seen = agg.last_seen;
        s.owners = agg.owners;
    }
    Ok(())
}

/// Newer non-empty owner details override older ones.
fn merge_owner(existing: &mut Owner, newer: &Owner) {
    if newer.name.is_some() {
        existing.name.clone_from(&newer.name);
    }
    if newer.email.is_some() {
        existing.email.clone_from(&newer.email);
    }
    if newer.department.is_some() {
        existing.department.clone_from(&newer.department);
    }
}
