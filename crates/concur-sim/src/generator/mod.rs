//! Deterministic synthetic company: employees, subscriptions, reports generated lazily from
//! `(seed, report index)`, invoices, and the ground truth.
//!
//! Only the employees, the subscriptions, the invoices and a small per-report index
//! ([`ReportMeta`]: owner, period, entry count, statuses, dates) live in memory; a report's
//! entries are rebuilt on demand by [`Company::report`] with the same bytes every time.

pub mod descriptors;
mod names;

use chrono::{Datelike, Duration as ChronoDuration, Months, NaiveDate, NaiveDateTime, NaiveTime};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

use crate::config::Size;
use crate::model::{
    Allocation, CustomFields, Entry, EntryBundle, Itemization, Report, ReportBundle, Truth,
};
use descriptors::{Cadence, DescriptorData, OtherVendor, SoftwareProduct};

/// Where an employee works (country, reimbursement currency, city, subdivision).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Site {
    /// ISO 3166-1 alpha-2 country.
    pub country: &'static str,
    /// ISO 3166-2 subdivision.
    pub subdivision: &'static str,
    /// Reimbursement currency (ISO 4217).
    pub currency: &'static str,
    /// City (may contain non-ASCII letters).
    pub city: &'static str,
}

const SITES: &[Site] = &[
    Site {
        country: "US",
        subdivision: "US-NY",
        currency: "USD",
        city: "New York",
    },
    Site {
        country: "US",
        subdivision: "US-CA",
        currency: "USD",
        city: "San Francisco",
    },
    Site {
        country: "US",
        subdivision: "US-TX",
        currency: "USD",
        city: "Austin",
    },
    Site {
        country: "DE",
        subdivision: "DE-BE",
        currency: "EUR",
        city: "Berlin",
    },
    Site {
        country: "DE",
        subdivision: "DE-BY",
        currency: "EUR",
        city: "München",
    },
    Site {
        country: "FR",
        subdivision: "FR-IDF",
        currency: "EUR",
        city: "Paris",
    },
    Site {
        country: "GB",
        subdivision: "GB-LND",
        currency: "GBP",
        city: "London",
    },
    Site {
        country: "CH",
        subdivision: "CH-ZH",
        currency: "CHF",
        city: "Zürich",
    },
    Site {
        country: "JP",
        subdivision: "JP-13",
        currency: "JPY",
        city: "Tokyo",
    },
    Site {
        country: "IN",
        subdivision: "IN-KA",
        currency: "INR",
        city: "Bengaluru",
    },
    Site {
        country: "CA",
        subdivision: "CA-ON",
        currency: "CAD",
        city: "Toronto",
    },
    Site {
        country: "AU",
        subdivision: "AU-NSW",
        currency: "AUD",
        city: "Sydney",
    },
];

/// Units of `currency` per 1 USD (fixed simulation rates).
pub fn usd_rate(currency: &str) -> Decimal {
    let r = match currency {
        "EUR" => "0.92",
        "GBP" => "0.79",
        "CHF" => "0.88",
        "JPY" => "150",
        "INR" => "83",
        "CAD" => "1.36",
        "AUD" => "1.52",
        _ => "1",
    };
    r.parse().unwrap_or(Decimal::ONE)
}

/// Minor-unit digits of a currency (0 for JPY, 2 otherwise here).
pub fn currency_digits(currency: &str) -> u32 {
    if currency == "JPY" { 0 } else { 2 }
}

/// A generated employee (obviously fake name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Employee {
    /// 0-based index.
    pub index: u32,
    /// Given name.
    pub first: String,
    /// Family name.
    pub last: String,
    /// Login id / e-mail (`ada.testperson@TENANT.example.com`).
    pub login: String,
    /// Employee number.
    pub employee_id: String,
    /// Identity v4 UUID (lower case).
    pub uuid: String,
    /// Work site.
    pub site: Site,
}

impl Employee {
    /// "First Last".
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}

/// A recurring software subscription paid by one employee.
#[derive(Clone, Debug, PartialEq)]
pub struct Subscription {
    /// Index into the product list.
    pub product: usize,
    /// Paying employee.
    pub owner: u32,
    /// Monthly or annual (usage counts as monthly).
    pub annual: bool,
    /// First month (0 = 12 months before now) with a charge.
    pub start_month: u8,
    /// Last month (exclusive) with a charge (cancellation).
    pub end_month: u8,
    /// Seats at the start.
    pub seats: u32,
    /// One more seat every `growth_every` months (0 = no growth).
    pub growth_every: u8,
    /// Price factor in per-mille of list price (discounts, tiers).
    pub price_permille: u32,
    /// Preferred descriptor variant.
    pub variant: usize,
    /// Charged in USD (foreign currency) rather than the employee's currency.
    pub charged_in_usd: bool,
}

/// A generated Invoice v3 payment request from a software vendor.
#[derive(Clone, Debug, PartialEq)]
pub struct Invoice {
    /// Payment request id (20 hex).
    pub id: String,
    /// Vendor display name.
    pub vendor_name: String,
    /// Vendor code.
    pub vendor_code: String,
    /// Invoice number.
    pub invoice_number: String,
    /// Amount (in `currency`).
    pub amount: Decimal,
    /// ISO 4217 currency.
    pub currency: String,
    /// Invoice date.
    pub date: NaiveDate,
    /// Approving / requesting employee.
    pub owner: u32,
    /// Line item descriptions with amounts.
    pub lines: Vec<(String, Decimal)>,
    /// Ground truth.
    pub truth: Truth,
    /// Last modification time.
    pub last_modified: NaiveDateTime,
}

/// Per-report index kept in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportMeta {
    /// Owner employee index.
    pub owner: u32,
    /// Reporting period number (0..periods).
    pub period: u8,
    /// Number of entries.
    pub entry_count: u16,
    /// Approval status index into [`APPROVAL`].
    pub approval: u8,
    /// Payment status index into [`PAYMENT`].
    pub payment: u8,
    /// Creation time.
    pub created: NaiveDateTime,
    /// Submission time (if submitted).
    pub submitted: Option<NaiveDateTime>,
    /// Payment time (if paid).
    pub paid: Option<NaiveDateTime>,
    /// Last modification time.
    pub last_modified: NaiveDateTime,
}

/// Approval statuses (code, name).
pub const APPROVAL: [(&str, &str); 4] = [
    ("A_NOTF", "Not Submitted"),
    ("A_PEND", "Submitted & Pending Approval"),
    ("A_APPR", "Approved"),
    ("A_RESU", "Sent Back to Employee"),
];
/// Payment statuses (code, name).
pub const PAYMENT: [(&str, &str); 3] = [
    ("P_NOTP", "Not Paid"),
    ("P_PROC", "Payment Processing"),
    ("P_PAID", "Sent for Payment"),
];

/// Expense types (code, name, spend category code, spend category name).
const TYPES: &[(&str, &str, &str, &str)] = &[
    ("SUBSC", "Subscriptions", "OTHER", "Other"),
    ("SOFTW", "Software", "OFFIC", "Office Supplies & Equipment"),
    ("ONLIN", "Online Services", "OTHER", "Other"),
    (
        "OFFSP",
        "Office Supplies",
        "OFFIC",
        "Office Supplies & Equipment",
    ),
    ("MISCL", "Miscellaneous", "OTHER", "Other"),
    ("AIRFR", "Airfare", "AIRFA", "Airfare"),
    (
        "LODNG",
        "Hotel",
        "LODGA",
        "Lodging - Track Room Rate Spending",
    ),
    (
        "LODTX",
        "Hotel Tax",
        "LODGA",
        "Lodging - Track Room Rate Spending",
    ),
    ("BUSML", "Business Meal (attendees)", "MEALS", "Meals"),
    ("LUNCH", "Lunch", "MEALS", "Meals"),
    ("DINNR", "Dinner", "MEALS", "Meals"),
    ("TAXIX", "Taxi", "GRTRN", "Ground Transportation"),
    ("TRAIN", "Train", "GRTRN", "Ground Transportation"),
    ("CARRT", "Car Rental", "CARRT", "Car Rental"),
    ("GASXX", "Fuel", "GASXX", "Gas"),
    ("PARKG", "Parking", "GRTRN", "Ground Transportation"),
    ("CELPH", "Mobile/Cellular Phone", "COMMU", "Communications"),
    ("POSTG", "Postage", "OFFIC", "Office Supplies & Equipment"),
    ("SEMNR", "Seminar/Course Fees", "TRAIN", "Training"),
    ("PUBSB", "Publications/Subscriptions", "OTHER", "Other"),
    (
        "COMPU",
        "Computer Equipment",
        "OFFIC",
        "Office Supplies & Equipment",
    ),
    (
        "LODIN",
        "Hotel Internet",
        "LODGA",
        "Lodging - Track Room Rate Spending",
    ),
    ("PERSN", "Personal Care", "OTHER", "Other"),
];

fn ty(code: &str) -> (&'static str, &'static str, &'static str, &'static str) {
    TYPES
        .iter()
        .copied()
        .find(|t| t.0 == code)
        .unwrap_or(TYPES[4])
}

const PAYMENT_TYPES: [(&str, &str); 3] = [
    ("gWsimCASH$pAAAAAAAAAAAAAAAAA", "Cash"),
    ("gWsimAMEX$pAAAAAAAAAAAAAAAAA", "American Express Corporate"),
    ("gWsimCBCP$pAAAAAAAAAAAAAAAAA", "Company Paid"),
];

/// Size parameters.
#[derive(Clone, Copy, Debug)]
struct Params {
    employees: u32,
    periods: u8,
    subs_per_employee_x10: u32,
    other_max: u32,
    invoices: u32,
}

fn params(size: Size) -> Params {
    match size {
        Size::Tiny => Params {
            employees: 10,
            periods: 4,
            subs_per_employee_x10: 12,
            other_max: 6,
            invoices: 6,
        },
        Size::Demo => Params {
            employees: 1000,
            periods: 12,
            subs_per_employee_x10: 17,
            other_max: 7,
            invoices: 240,
        },
        Size::Large => Params {
            employees: 21_000,
            periods: 12,
            subs_per_employee_x10: 17,
            other_max: 7,
            invoices: 2400,
        },
    }
}

/// What one entry is, decided before its details are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plan {
    Charge { sub: u32, month: u8 },
    Refund { sub: u32, month: u8 },
    OneOff { product: u16 },
    PersonalSoftware { product: u16 },
    Reseller,
    Hotel,
    Other { vendor: u16 },
}

/// Error building a company.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// The embedded descriptor file does not parse.
    #[error("descriptors.toml: {0}")]
    Descriptors(#[from] toml::de::Error),
}

/// A generated company (one tenant's data).
#[derive(Debug)]
pub struct Company {
    /// Seed.
    pub seed: u64,
    /// Size.
    pub size: Size,
    /// The fixed "now" (data covers the 12 months before the first day of its month).
    pub now: NaiveDate,
    /// Tenant name (e-mail domain `NAME.example.com`).
    pub tenant: String,
    /// Employees.
    pub employees: Vec<Employee>,
    /// Subscriptions.
    pub subscriptions: Vec<Subscription>,
    /// Invoices.
    pub invoices: Vec<Invoice>,
    /// Report index.
    pub index: Vec<ReportMeta>,
    data: DescriptorData,
    subs_by_owner: Vec<Vec<u32>>,
    near_miss: Vec<u16>,
    other_weighted: Vec<u16>,
    software_weighted: Vec<u16>,
    params: Params,
    salt: u32,
    mask: u64,
}

pub(crate) fn mix(seed: u64, a: u64, b: u64) -> u64 {
    // splitmix64 over the three inputs
    let mut z =
        seed ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xD1B5_4A32_D192_ED69);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn rng(seed: u64, a: u64, b: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(mix(seed, a, b))
}

/// Concur-style timestamp: no offset, 0 to 3 fractional digits (trailing zeros trimmed).
pub fn fmt_ts(t: NaiveDateTime) -> String {
    let base = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let ms = t.and_utc().timestamp_subsec_millis();
    if ms == 0 {
        return base;
    }
    let frac = format!("{ms:03}");
    format!("{base}.{}", frac.trim_end_matches('0'))
}

/// Concur-style date: `YYYY-MM-DDT00:00:00`.
pub fn fmt_day(d: NaiveDate) -> String {
    format!("{}T00:00:00", d.format("%Y-%m-%d"))
}

/// A descriptor template without placeholders (for item descriptions).
fn plain(template: &str) -> String {
    let mut out = String::new();
    let mut depth = false;
    for c in template.chars() {
        match c {
            '{' => depth = true,
            '}' => depth = false,
            c if !depth => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn round_to(d: Decimal, digits: u32) -> Decimal {
    d.round_dp_with_strategy(digits, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

fn dec(f: f64) -> Decimal {
    Decimal::from_f64(f).unwrap_or(Decimal::ZERO)
}

impl Company {
    /// Build a company (employees, subscriptions, invoices, report index). Cost is proportional
    /// to the number of reports, not entries: demo builds in milliseconds, large in well under a
    /// second in release builds.
    ///
    /// # Errors
    /// [`GenError`] if the embedded descriptor data is malformed.
    pub fn new(tenant: &str, size: Size, seed: u64, now: NaiveDate) -> Result<Self, GenError> {
        let data = DescriptorData::embedded()?;
        let params = params(size);
        let salt =
            u32::try_from(mix(seed, 0xC0FFEE, tenant.len() as u64) & 0xFFFF_FFFF).unwrap_or(0);
        let mask = mix(seed, 0xBEEF, 1) & 0xFFFF_FFFF_FFFF;
        let mut c = Company {
            seed,
            size,
            now,
            tenant: tenant.to_owned(),
            employees: Vec::new(),
            subscriptions: Vec::new(),
            invoices: Vec::new(),
            index: Vec::new(),
            subs_by_owner: Vec::new(),
            near_miss: Vec::new(),
            other_weighted: Vec::new(),
            software_weighted: Vec::new(),
            data,
            params,
            salt,
            mask,
        };
        for (i, o) in c.data.other.iter().enumerate() {
            let i = u16::try_from(i).unwrap_or(0);
            if o.near_miss.is_some() {
                // near misses are drawn by their own roll (weighted too)
                for _ in 0..o.w {
                    c.near_miss.push(i);
                }
            } else {
                for _ in 0..o.w {
                    c.other_weighted.push(i);
                }
            }
        }
        for (i, p) in c.data.software.iter().enumerate() {
            for _ in 0..p.w {
                c.software_weighted.push(u16::try_from(i).unwrap_or(0));
            }
        }
        c.build_employees();
        c.build_subscriptions();
        c.build_invoices();
        c.build_index();
        Ok(c)
    }

    /// Software products of the descriptor file.
    pub fn products(&self) -> &[SoftwareProduct] {
        &self.data.software
    }

    fn build_employees(&mut self) {
        let mut r = rng(self.seed, 1, 0);
        let combos = names::FIRST.len() * names::LAST.len();
        for i in 0..self.params.employees {
            let iu = i as usize;
            let first = names::FIRST[iu % names::FIRST.len()];
            let last = names::LAST[(iu / names::FIRST.len()) % names::LAST.len()];
            let suffix = if iu >= combos {
                format!("{}", iu / combos + 1)
            } else {
                String::new()
            };
            let login = format!(
                "{}.{}{}@{}.example.com",
                first.to_lowercase(),
                last.to_lowercase(),
                suffix,
                self.tenant
            );
            let site = SITES[if i < SITES.len() as u32 {
                iu
            } else {
                r.random_range(0..SITES.len())
            }];
            let uuid = uuid::Uuid::from_u128(
                u128::from(mix(self.seed, 2, u64::from(i))) << 64
                    | u128::from(mix(self.seed, 3, u64::from(i))),
            );
            let uuid = uuid::Builder::from_random_bytes(*uuid.as_bytes())
                .into_uuid()
                .to_string();
            self.employees.push(Employee {
                index: i,
                first: first.to_owned(),
                last: format!("{last}{suffix}"),
                login,
                employee_id: format!("E{:06}", i + 1),
                uuid,
                site,
            });
        }
    }

    fn build_subscriptions(&mut self) {
        let mut r = rng(self.seed, 4, 0);
        let n = self.params.employees * self.params.subs_per_employee_x10 / 10;
        let e = self.params.employees;
        let n_products = self.data.software.len();
        for k in 0..n {
            // the first pass covers every product once (demo/large) so that 150+ products appear
            let product = if (k as usize) < n_products && e >= 100 {
                k as usize
            } else {
                usize::from(*self.software_weighted.choose(&mut r).unwrap_or(&0))
            };
            let p = &self.data.software[product];
            // tiny: every employee owns at least one subscription; sub 1 shares sub 0's product
            let (owner, product) = if e < 100 && k < e {
                (
                    k,
                    if k == 1 {
                        self.subscriptions[0].product
                    } else {
                        product
                    },
                )
            } else {
                (r.random_range(0..e), product)
            };
            let p_cad = p.cadence;
            let annual = match p_cad {
                Cadence::Annual => true,
                Cadence::Mixed => r.random_bool(0.35),
                Cadence::OneOff => true,
                _ => false,
            };
            let start_month = if r.random_bool(0.6) {
                0
            } else {
                r.random_range(0..12u8)
            };
            let end_month = if r.random_bool(0.15) {
                r.random_range(start_month..=12u8).max(start_month + 1)
            } else {
                12
            };
            let seats = if p.seats {
                *[1u32, 1, 1, 2, 3, 5, 8, 12, 20]
                    .choose(&mut r)
                    .unwrap_or(&1)
            } else {
                1
            };
            let growth_every = if p.seats && r.random_bool(0.4) {
                r.random_range(1..=4u8)
            } else {
                0
            };
            let price_permille = r.random_range(800..=1100u32);
            let variant = r.random_range(0..p.d.len().max(1));
            let site = self.employees[owner as usize].site;
            let charged_in_usd = site.currency != "USD" && r.random_bool(0.4);
            self.subscriptions.push(Subscription {
                product,
                owner,
                annual,
                start_month,
                end_month,
                seats,
                growth_every,
                price_permille,
                variant,
                charged_in_usd,
            });
        }
        self.subs_by_owner = vec![Vec::new(); e as usize];
        for (i, s) in self.subscriptions.iter().enumerate() {
            self.subs_by_owner[s.owner as usize].push(u32::try_from(i).unwrap_or(0));
        }
    }

    fn build_invoices(&mut self) {
        let mut r = rng(self.seed, 5, 0);
        for i in 0..self.params.invoices {
            let product = usize::from(*self.software_weighted.choose(&mut r).unwrap_or(&0));
            let p = &self.data.software[product];
            let owner = r.random_range(0..self.params.employees);
            let currency = self.employees[owner as usize].site.currency.to_owned();
            // Drawn for every product so the random sequence (and everything after it) stays
            // the same; only per-seat products multiply by it (a flat plan is one "seat").
            let drawn_seats = r.random_range(5..200u32);
            let seats = if p.seats { drawn_seats } else { 1 };
            let months = if r.random_bool(0.7) { 12 } else { 1 };
            let unit = round_to(p.price * usd_rate(&currency), currency_digits(&currency));
            let amount = unit * Decimal::from(seats) * Decimal::from(months);
            let day = r.random_range(0..360i64);
            let date = self.window_start() + ChronoDuration::days(day);
            let vendor_name = p
                .legal
                .clone()
                .unwrap_or_else(|| self.render(&p.d[0], &mut r, owner));
            let (truth, lines) = if i % 7 == 3 {
                // a reseller invoice with two products
                let other = usize::from(*self.software_weighted.choose(&mut r).unwrap_or(&0));
                let half = round_to(amount / Decimal::from(2), 2);
                (
                    Truth {
                        product_id: None,
                        is_software: true,
                        scenario: "reseller_invoice",
                    },
                    vec![
                        (
                            if p.seats {
                                format!("{} licenses x{seats}", plain(&p.d[0]))
                            } else {
                                format!("{} subscription", plain(&p.d[0]))
                            },
                            half,
                        ),
                        (
                            format!("{} renewal", plain(&self.data.software[other].d[0])),
                            amount - half,
                        ),
                    ],
                )
            } else {
                (
                    Truth {
                        product_id: Some(p.id.clone()),
                        is_software: true,
                        scenario: "invoice",
                    },
                    vec![(
                        if p.seats {
                            format!("Subscription {months} month(s), {seats} seats")
                        } else {
                            format!("Subscription {months} month(s)")
                        },
                        amount,
                    )],
                )
            };
            let vendor_name = if i % 7 == 3 {
                "SHI INTERNATIONAL CORP".to_owned()
            } else {
                vendor_name
            };
            self.invoices.push(Invoice {
                id: format!(
                    "{:08X}{:012X}",
                    self.salt ^ 0x1A40_1CE0,
                    u64::from(i) ^ self.mask
                ),
                vendor_code: format!("V{:05}", product + 1),
                vendor_name,
                invoice_number: format!("INV-{}-{:05}", date.year(), r.random_range(0..100_000u32)),
                amount,
                currency,
                date,
                owner,
                lines,
                truth,
                last_modified: date.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default())
                    + ChronoDuration::days(3),
            });
        }
    }

    /// First day of the 12-month window.
    pub fn window_start(&self) -> NaiveDate {
        let first = self.now.with_day(1).unwrap_or(self.now);
        first.checked_sub_months(Months::new(12)).unwrap_or(first)
    }

    fn month_start(&self, m: u8) -> NaiveDate {
        let s = self.window_start();
        s.checked_add_months(Months::new(u32::from(m))).unwrap_or(s)
    }

    fn period_months(&self, period: u8) -> (u8, u8) {
        let p = u32::from(self.params.periods);
        let a = u32::from(period) * 12 / p;
        let b = (u32::from(period) + 1) * 12 / p;
        (u8::try_from(a).unwrap_or(0), u8::try_from(b).unwrap_or(12))
    }

    fn build_index(&mut self) {
        let n = self.params.employees as usize * usize::from(self.params.periods);
        let mut index = Vec::with_capacity(n);
        for i in 0..n {
            let (meta, _) = self.plan(i);
            index.push(meta);
        }
        self.index = index;
    }

    /// Number of reports.
    pub fn report_count(&self) -> usize {
        self.index.len()
    }

    /// Total number of entries (from the index).
    pub fn entry_count(&self) -> usize {
        self.index.iter().map(|m| usize::from(m.entry_count)).sum()
    }

    /// Report id of report `i` (20 upper-case hex digits, decodable by [`Company::report_index`]).
    pub fn report_id(&self, i: usize) -> String {
        format!("{:08X}{:012X}", self.salt, (i as u64) ^ self.mask)
    }

    /// Decode a report id (`None` if it is not one of this company's ids).
    pub fn report_index(&self, id: &str) -> Option<usize> {
        if id.len() != 20 || !id.is_char_boundary(8) {
            return None;
        }
        let salt = u32::from_str_radix(&id[..8], 16).ok()?;
        let rest = u64::from_str_radix(&id[8..], 16).ok()?;
        if salt != self.salt || id.chars().any(|c| c.is_ascii_lowercase()) {
            return None;
        }
        let i = usize::try_from(rest ^ self.mask).ok()?;
        (i < self.index.len()).then_some(i)
    }

    fn plan(&self, i: usize) -> (ReportMeta, Vec<Plan>) {
        let e = self.params.employees as usize;
        let owner = u32::try_from(i % e).unwrap_or(0);
        let period = u8::try_from(i / e).unwrap_or(0);
        let mut r = rng(self.seed, 10, i as u64);
        let (m0, m1) = self.period_months(period);
        let mut plans = Vec::new();
        for &s in &self.subs_by_owner[owner as usize] {
            let sub = &self.subscriptions[s as usize];
            for m in m0..m1 {
                if m < sub.start_month || m >= sub.end_month {
                    continue;
                }
                if sub.annual && m != sub.start_month {
                    continue;
                }
                plans.push(Plan::Charge { sub: s, month: m });
                if r.random_ratio(1, 40) {
                    plans.push(Plan::Refund { sub: s, month: m });
                }
            }
        }
        let n_other = r.random_range(0..=self.params.other_max);
        for _ in 0..n_other {
            let roll = r.random_range(0..100u32);
            let p = if roll < 6 {
                Plan::OneOff {
                    product: *self.software_weighted.choose(&mut r).unwrap_or(&0),
                }
            } else if roll < 9 {
                Plan::PersonalSoftware {
                    product: *self.software_weighted.choose(&mut r).unwrap_or(&0),
                }
            } else if roll < 10 {
                Plan::Reseller
            } else if roll < 18 {
                Plan::Hotel
            } else if roll < 27 {
                Plan::Other {
                    vendor: *self.near_miss.choose(&mut r).unwrap_or(&0),
                }
            } else {
                Plan::Other {
                    vendor: *self.other_weighted.choose(&mut r).unwrap_or(&0),
                }
            };
            plans.push(p);
        }
        // every company shows every feature within its first reports
        match i {
            0 => plans.extend([
                Plan::Hotel,
                Plan::Other {
                    vendor: self.near_miss.first().copied().unwrap_or(0),
                },
            ]),
            1 => {
                if let Some(&s) = self.subs_by_owner[owner as usize].first() {
                    plans.push(Plan::Refund {
                        sub: s,
                        month: m0.max(self.subscriptions[s as usize].start_month),
                    });
                }
            }
            2 => plans.push(Plan::PersonalSoftware { product: 0 }),
            3 => plans.push(Plan::Reseller),
            4 => plans.extend(
                (0..self.data.other.len())
                    .filter(|&v| self.data.other[v].near_miss.is_some())
                    .skip(1)
                    .take(4)
                    .map(|v| Plan::Other {
                        vendor: u16::try_from(v).unwrap_or(0),
                    }),
            ),
            _ => {}
        }
        plans.truncate(usize::from(u16::MAX));
        // header dates and statuses
        let period_end = self.month_start(m1);
        let create_day = period_end + ChronoDuration::days(r.random_range(0..6i64));
        let latest = self.now - ChronoDuration::days(1);
        let create_day = create_day.min(latest);
        let t = |r: &mut ChaCha8Rng, d: NaiveDate| {
            d.and_time(
                NaiveTime::from_hms_milli_opt(
                    r.random_range(7..20),
                    r.random_range(0..60),
                    r.random_range(0..60),
                    r.random_range(0..1000),
                )
                .unwrap_or_default(),
            )
        };
        let created = t(&mut r, create_day);
        let age = (self.now - create_day).num_days();
        let (approval, payment, submitted, paid) = if age > 40 || (age > 10 && r.random_bool(0.6)) {
            let sub_delay = r.random_range(0..3);
            let s = t(
                &mut r,
                (create_day + ChronoDuration::days(sub_delay)).min(latest),
            );
            let pay_delay = r.random_range(5..15);
            let paid_day = (s.date() + ChronoDuration::days(pay_delay)).min(latest);
            if paid_day < latest && r.random_ratio(9, 10) {
                (2u8, 2u8, Some(s), Some(t(&mut r, paid_day)))
            } else {
                (2, 1, Some(s), None)
            }
        } else if r.random_ratio(1, 12) {
            (3, 0, Some(created), None)
        } else if r.random_bool(0.5) {
            (1, 0, Some(t(&mut r, create_day)), None)
        } else {
            (0, 0, None, None)
        };
        let mut last_modified = [Some(created), submitted, paid]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(created);
        last_modified += ChronoDuration::milliseconds(r.random_range(50..5000));
        let meta = ReportMeta {
            owner,
            period,
            entry_count: u16::try_from(plans.len()).unwrap_or(u16::MAX),
            approval,
            payment,
            created,
            submitted: submitted.map(|s| s.max(created)),
            paid,
            last_modified,
        };
        (meta, plans)
    }

    fn render(&self, template: &str, r: &mut ChaCha8Rng, owner: u32) -> String {
        let mut out = String::with_capacity(template.len() + 8);
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let after = &rest[start..];
            let Some(end) = after.find('}') else {
                out.push_str(after);
                rest = "";
                break;
            };
            match &after[1..end] {
                "REF" => {
                    let n = r.random_range(6..=10);
                    for _ in 0..n {
                        let c = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"[r.random_range(0..34)];
                        out.push(char::from(c));
                    }
                }
                "NUM" => {
                    let n = r.random_range(3..=9);
                    for _ in 0..n {
                        out.push(char::from(b'0' + r.random_range(0..10u8)));
                    }
                }
                "CITY" => out.push_str(&self.employees[owner as usize].site.city.to_uppercase()),
                "CC" => out.push_str(self.employees[owner as usize].site.country),
                other => {
                    out.push('{');
                    out.push_str(other);
                    out.push('}');
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// Apply statement noise: processor prefix, truncation at 22-25 characters, typos.
    fn noise(&self, mut s: String, r: &mut ChaCha8Rng, allow_prefix: bool) -> String {
        if allow_prefix && r.random_ratio(1, 8) && !s.contains('*') {
            let p = self.data.processors.choose(r).cloned().unwrap_or_default();
            s = format!("{p}{s}");
        }
        if r.random_ratio(1, 25) {
            // typo: swap two adjacent ASCII letters
            let b: Vec<char> = s.chars().collect();
            if b.len() > 4 {
                let k = r.random_range(1..b.len() - 2);
                if b[k].is_ascii_alphabetic() && b[k + 1].is_ascii_alphabetic() {
                    let mut b = b;
                    b.swap(k, k + 1);
                    s = b.into_iter().collect();
                }
            }
        }
        if r.random_ratio(1, 4) {
            let cut = r.random_range(22..=25usize);
            if s.chars().count() > cut {
                s = s
                    .chars()
                    .take(cut)
                    .collect::<String>()
                    .trim_end()
                    .to_owned();
            }
        }
        if s.chars().count() > 64 {
            s = s.chars().take(64).collect();
        }
        s
    }

    /// Generate report `i` with all its entries (`None` if out of range). Deterministic: the
    /// same `(seed, i)` always gives the same report.
    pub fn report(&self, i: usize) -> Option<ReportBundle> {
        if i >= self.index.len() {
            return None;
        }
        let (meta, plans) = self.plan(i);
        let emp = &self.employees[meta.owner as usize];
        let currency = emp.site.currency;
        let digits = currency_digits(currency);
        let rid = self.report_id(i);
        let mut r = rng(self.seed, 11, i as u64);
        let (m0, m1) = self.period_months(meta.period);
        let mut entries = Vec::with_capacity(plans.len());
        let lm = fmt_ts(meta.last_modified);
        for (n, plan) in plans.iter().enumerate() {
            let month = r.random_range(m0..m1);
            let mut day = self.month_start(month) + ChronoDuration::days(r.random_range(0..28));
            let mut tx_currency = currency.to_owned();
            let mut itemizations: Vec<(String, String, Decimal, Truth)> = Vec::new();
            let mut personal = false;
            let (vendor, type_code, amount_usd_or_local, truth, local): (
                String,
                &str,
                Decimal,
                Truth,
                bool,
            ) = match *plan {
                Plan::Charge { sub, month } | Plan::Refund { sub, month } => {
                    let s = &self.subscriptions[sub as usize];
                    let p = &self.data.software[s.product];
                    day = self.month_start(month)
                        + ChronoDuration::days(i64::from(
                            u8::try_from(s.product % 27).unwrap_or(0),
                        ));
                    let seats = s.seats
                        + month
                            .saturating_sub(s.start_month)
                            .checked_div(s.growth_every)
                            .map_or(0, u32::from);
                    let mut amount =
                        p.price * Decimal::from(seats) * Decimal::from(s.price_permille)
                            / Decimal::from(1000);
                    if s.annual {
                        amount *= Decimal::from(12);
                    }
                    if p.cadence == Cadence::Usage {
                        amount =
                            amount * Decimal::from(r.random_range(40..160u32)) / Decimal::from(100);
                    }
                    let template = if r.random_ratio(3, 4) {
                        &p.d[s.variant % p.d.len()]
                    } else {
                        p.d.choose(&mut r).unwrap_or(&p.d[0])
                    };
                    let v = match (&p.legal, r.random_ratio(1, 10)) {
                        (Some(l), true) => l.clone(),
                        _ => self.noise(self.render(template, &mut r, s.owner), &mut r, true),
                    };
                    let ty = if r.random_ratio(1, 6) {
                        *["OFFSP", "MISCL", "PUBSB", "SEMNR"]
                            .choose(&mut r)
                            .unwrap_or(&"MISCL")
                    } else {
                        *["SUBSC", "SOFTW", "ONLIN"]
                            .choose(&mut r)
                            .unwrap_or(&"SOFTW")
                    };
                    if s.charged_in_usd {
                        tx_currency = "USD".to_owned();
                    }
                    let refund = matches!(plan, Plan::Refund { .. });
                    if refund {
                        day += ChronoDuration::days(r.random_range(1..10));
                        amount = -(amount * Decimal::from(r.random_range(20..=100u32))
                            / Decimal::from(100));
                    }
                    let scenario = if refund {
                        "refund"
                    } else if s.annual {
                        "subscription_annual"
                    } else {
                        "subscription_monthly"
                    };
                    (
                        v,
                        ty,
                        amount,
                        Truth {
                            product_id: Some(p.id.clone()),
                            is_software: true,
                            scenario,
                        },
                        false,
                    )
                }
                Plan::OneOff { product } | Plan::PersonalSoftware { product } => {
                    let p = &self.data.software[usize::from(product)];
                    let template = p.d.choose(&mut r).unwrap_or(&p.d[0]);
                    let v = self.noise(self.render(template, &mut r, meta.owner), &mut r, true);
                    personal = matches!(plan, Plan::PersonalSoftware { .. });
                    let amount = p.price * Decimal::from(r.random_range(1..=3u32));
                    let ty = if personal {
                        "MISCL"
                    } else {
                        *["SOFTW", "OFFSP", "COMPU", "MISCL"]
                            .choose(&mut r)
                            .unwrap_or(&"SOFTW")
                    };
                    let scenario = if personal {
                        "personal_software"
                    } else {
                        "one_off_software"
                    };
                    (
                        v,
                        ty,
                        amount,
                        Truth {
                            product_id: Some(p.id.clone()),
                            is_software: true,
                            scenario,
                        },
                        false,
                    )
                }
                Plan::Reseller => {
                    let a = usize::from(*self.software_weighted.choose(&mut r).unwrap_or(&0));
                    let b = usize::from(*self.software_weighted.choose(&mut r).unwrap_or(&1));
                    let pa = &self.data.software[a];
                    let pb = &self.data.software[b];
                    let amt_a = pa.price * Decimal::from(12 * r.random_range(1..=5u32));
                    let amt_b = pb.price * Decimal::from(12 * r.random_range(1..=5u32));
                    let rate = usd_rate(currency);
                    itemizations.push((
                        format!("{} annual licence", plain(&pa.d[0])),
                        "SOFTW".to_owned(),
                        round_to(amt_a * rate, digits),
                        Truth {
                            product_id: Some(pa.id.clone()),
                            is_software: true,
                            scenario: "reseller_item",
                        },
                    ));
                    itemizations.push((
                        format!("{} renewal", plain(&pb.d[0])),
                        "SOFTW".to_owned(),
                        round_to(amt_b * rate, digits),
                        Truth {
                            product_id: Some(pb.id.clone()),
                            is_software: true,
                            scenario: "reseller_item",
                        },
                    ));
                    let v = [
                        "SHI INTERNATIONAL CORP",
                        "CDW DIRECT",
                        "SOFTWAREONE AG",
                        "INSIGHT DIRECT",
                    ]
                    .choose(&mut r)
                    .copied()
                    .unwrap_or("CDW DIRECT")
                    .to_owned();
                    (
                        v,
                        "SOFTW",
                        amt_a + amt_b,
                        Truth {
                            product_id: None,
                            is_software: true,
                            scenario: "reseller",
                        },
                        false,
                    )
                }
                Plan::Hotel => {
                    let hv = self
                        .data
                        .other
                        .iter()
                        .find(|o| o.kind == "hotel" && o.near_miss.is_none());
                    let v = hv
                        .map(|o| {
                            self.render(o.d.choose(&mut r).unwrap_or(&o.d[0]), &mut r, meta.owner)
                        })
                        .unwrap_or_else(|| "HOTEL".to_owned());
                    let nights = r.random_range(1..=4u32);
                    let rate = usd_rate(currency);
                    let room = round_to(dec(r.random_range(90.0..300.0)) * rate, digits)
                        * Decimal::from(nights);
                    let tax = round_to(room * Decimal::new(12, 2), digits);
                    itemizations.push((
                        format!("Room x{nights}"),
                        "LODNG".to_owned(),
                        room,
                        Truth {
                            product_id: None,
                            is_software: false,
                            scenario: "hotel_item",
                        },
                    ));
                    itemizations.push((
                        "Room tax".to_owned(),
                        "LODTX".to_owned(),
                        tax,
                        Truth {
                            product_id: None,
                            is_software: false,
                            scenario: "hotel_item",
                        },
                    ));
                    if r.random_ratio(1, 3) {
                        let wifi = round_to(dec(14.95) * rate, digits);
                        itemizations.push((
                            "In-room internet".to_owned(),
                            "LODIN".to_owned(),
                            wifi,
                            Truth {
                                product_id: None,
                                is_software: false,
                                scenario: "hotel_item",
                            },
                        ));
                    }
                    let total: Decimal = itemizations.iter().map(|x| x.2).sum();
                    (
                        v,
                        "LODNG",
                        total,
                        Truth {
                            product_id: None,
                            is_software: false,
                            scenario: "hotel",
                        },
                        true,
                    )
                }
                Plan::Other { vendor } => {
                    let o: &OtherVendor = &self.data.other[usize::from(vendor)];
                    let v = self.noise(
                        self.render(o.d.choose(&mut r).unwrap_or(&o.d[0]), &mut r, meta.owner),
                        &mut r,
                        false,
                    );
                    let lo = o.amount[0].to_f64().unwrap_or(1.0);
                    let hi = o.amount[1].to_f64().unwrap_or(2.0).max(lo + 0.01);
                    let amount = dec(r.random_range(lo..hi));
                    let ty = match o.kind.as_str() {
                        "airfare" => "AIRFR",
                        "hotel" => "LODNG",
                        "meal" => *["LUNCH", "DINNR", "BUSML"]
                            .choose(&mut r)
                            .unwrap_or(&"LUNCH"),
                        "ground" => "TAXIX",
                        "train" => "TRAIN",
                        "car_rental" => "CARRT",
                        "fuel" => "GASXX",
                        "parking" => "PARKG",
                        "office" => "OFFSP",
                        "phone" => "CELPH",
                        "shipping" => "POSTG",
                        "training" => "SEMNR",
                        "publication" => "PUBSB",
                        "hardware" => "COMPU",
                        "personal_care" => "PERSN",
                        _ => "MISCL",
                    };
                    // near misses sometimes carry a misleading software expense type
                    let ty = if o.near_miss.is_some() && r.random_ratio(1, 5) {
                        "SOFTW"
                    } else {
                        ty
                    };
                    personal = o.kind == "personal_care";
                    let scenario = if o.near_miss.is_some() {
                        "near_miss"
                    } else {
                        "non_software"
                    };
                    (
                        v,
                        ty,
                        amount,
                        Truth {
                            product_id: None,
                            is_software: false,
                            scenario,
                        },
                        false,
                    )
                }
            };
            let day = day.min(self.month_start(m1) - ChronoDuration::days(1));
            // amounts: software priced in USD, converted to the transaction currency
            let tx_digits = currency_digits(&tx_currency);
            let tx_amount = if local {
                amount_usd_or_local
            } else {
                round_to(amount_usd_or_local * usd_rate(&tx_currency), tx_digits)
            };
            let exchange_rate = if tx_currency == currency {
                Decimal::ONE
            } else {
                usd_rate(currency) / usd_rate(&tx_currency)
            };
            let exchange_rate = exchange_rate.round_dp(6).normalize();
            let posted = round_to(tx_amount * exchange_rate, digits);
            let (code, name, scode, sname) = ty(type_code);
            let eid = format!("gWe{}${:02X}", &rid[8..], n);
            let pay = if matches!(plan, Plan::Charge { .. } | Plan::Refund { .. })
                || r.random_ratio(1, 2)
            {
                PAYMENT_TYPES[1]
            } else {
                PAYMENT_TYPES[r.random_range(0..3)]
            };
            let card = pay.1.starts_with("American");
            let has_items = !itemizations.is_empty();
            let entry = Entry {
                report_id: rid.clone(),
                report_owner_id: emp.login.clone(),
                expense_type_code: code.to_owned(),
                expense_type_name: name.to_owned(),
                spend_category_code: Some(scode.to_owned()),
                spend_category_name: Some(sname.to_owned()),
                payment_type_id: Some(pay.0.to_owned()),
                payment_type_name: Some(pay.1.to_owned()),
                transaction_date: fmt_day(day),
                transaction_currency_code: tx_currency.clone(),
                transaction_amount: tx_amount,
                exchange_rate,
                posted_amount: posted,
                approved_amount: posted,
                vendor_description: Some(vendor.clone()),
                vendor_list_item_id: None,
                vendor_list_item_name: None,
                location_id: None,
                location_name: Some(emp.site.city.to_owned()),
                location_subdivision: None,
                location_country: Some(emp.site.country.to_owned()),
                description: if has_items {
                    Some("Itemized".to_owned())
                } else {
                    None
                },
                is_personal: personal,
                is_billable: false,
                is_personal_card_charge: false,
                has_image: r.random_ratio(4, 5),
                is_image_required: true,
                receipt_received: false,
                tax_receipt_type: Some("R".to_owned()),
                electronic_receipt_id: None,
                company_card_transaction_id: card.then(|| {
                    format!(
                        "{:X}",
                        mix(self.seed, i as u64, n as u64) & 0xFFFF_FFFF_FFFF
                    )
                }),
                trip_id: None,
                has_itemizations: has_items,
                allocation_type: Some("N".to_owned()),
                has_attendees: type_code == "BUSML",
                has_vat: emp.site.currency != "USD",
                has_applied_cash_advance: false,
                has_comments: false,
                has_exceptions: false,
                is_paid_by_expense_pay: false,
                employee_bank_account_id: None,
                journey: None,
                last_modified: lm.clone(),
                form_id: None,
                custom: CustomFields::nulls(40),
                expense_id: Some(format!("{}{:012X}", rid, n)),
                id: eid.clone(),
                uri: String::new(),
            };
            let mut its = Vec::new();
            let mut its_truth = Vec::new();
            for (k, (desc, code, amount, truth)) in itemizations.into_iter().enumerate() {
                let (c, nme, sc, sn) = ty(&code);
                let posted = round_to(amount * exchange_rate, digits);
                its.push(Itemization {
                    entry_id: eid.clone(),
                    report_id: rid.clone(),
                    report_owner_id: emp.login.clone(),
                    expense_type_code: c.to_owned(),
                    expense_type_name: nme.to_owned(),
                    spend_category_code: Some(sc.to_owned()),
                    spend_category_name: Some(sn.to_owned()),
                    transaction_date: fmt_day(day),
                    transaction_amount: amount,
                    posted_amount: posted,
                    approved_amount: posted,
                    location_id: None,
                    location_name: Some(emp.site.city.to_owned()),
                    location_subdivision: None,
                    location_country: Some(emp.site.country.to_owned()),
                    description: Some(desc),
                    is_personal: false,
                    is_billable: false,
                    is_image_required: false,
                    allocation_type: Some("N".to_owned()),
                    has_comments: false,
                    has_exceptions: false,
                    last_modified: lm.clone(),
                    custom: CustomFields::nulls(40),
                    id: format!("gWi{}${:02X}{:02X}", &rid[8..], n, k),
                    uri: String::new(),
                });
                its_truth.push(truth);
            }
            let mut allocations = vec![Allocation {
                entry_id: eid.clone(),
                percentage: "100.00000000".to_owned(),
                is_percent_edited: false,
                is_hidden: true,
                account_code1: Some(format!("{}", 6000 + (meta.owner % 7) * 10)),
                account_code2: None,
                custom: CustomFields::nulls(20),
                id: format!("gWa{}${:02X}00", &rid[8..], n),
                uri: String::new(),
            }];
            if n % 11 == 5 {
                // a split allocation
                allocations[0].percentage = "60.00000000".to_owned();
                allocations[0].is_hidden = false;
                allocations[0].is_percent_edited = true;
                let mut second = allocations[0].clone();
                second.percentage = "40.00000000".to_owned();
                second.account_code1 = Some("7100".to_owned());
                second.id = format!("gWa{}${:02X}01", &rid[8..], n);
                allocations.push(second);
            }
            entries.push(EntryBundle {
                entry,
                itemizations: its,
                allocations,
                truth,
                itemization_truth: its_truth,
            });
        }
        let total: Decimal = entries.iter().map(|e| e.entry.posted_amount).sum();
        let personal: Decimal = entries
            .iter()
            .filter(|e| e.entry.is_personal)
            .map(|e| e.entry.posted_amount)
            .sum();
        let card: Decimal = entries
            .iter()
            .filter(|e| e.entry.payment_type_name.as_deref() == Some(PAYMENT_TYPES[1].1))
            .map(|e| e.entry.posted_amount)
            .sum();
        let (ac, an) = APPROVAL[usize::from(meta.approval)];
        let (pc, pn) = PAYMENT[usize::from(meta.payment)];
        let month_name = self.month_start(m0).format("%B %Y").to_string();
        let name = if m1 - m0 > 1 {
            format!(
                "{month_name} - {}",
                self.month_start(m1 - 1).format("%B %Y")
            )
        } else {
            format!("{month_name} expenses")
        };
        let report = Report {
            name,
            total,
            currency_code: currency.to_owned(),
            country: Some(emp.site.country.to_owned()),
            country_subdivision: Some(emp.site.subdivision.to_owned()),
            create_date: Some(fmt_ts(meta.created)),
            submit_date: meta.submitted.map(fmt_ts),
            processing_payment_date: meta.paid.map(|p| fmt_ts(p - ChronoDuration::hours(20))),
            paid_date: meta.paid.map(fmt_ts),
            receipts_received: meta.approval == 2,
            user_defined_date: Some(fmt_day(self.month_start(m1) - ChronoDuration::days(1))),
            last_comment: Some(String::new()),
            owner_login_id: emp.login.clone(),
            owner_name: emp.full_name(),
            approver_login_id: (meta.approval > 0).then(|| {
                self.employees[(meta.owner as usize + 1) % self.employees.len()]
                    .login
                    .clone()
            }),
            approver_name: (meta.approval > 0).then(|| {
                self.employees[(meta.owner as usize + 1) % self.employees.len()].full_name()
            }),
            approval_status_name: an.to_owned(),
            approval_status_code: ac.to_owned(),
            payment_status_name: pn.to_owned(),
            payment_status_code: pc.to_owned(),
            last_modified_date: lm,
            personal_amount: personal,
            amount_due_employee: total - card - personal,
            amount_due_company_card: card,
            total_claimed_amount: total - personal,
            total_approved_amount: if meta.approval == 2 {
                total - personal
            } else {
                Decimal::ZERO
            },
            ledger_name: Some("DEFAULT".to_owned()),
            policy_id: Some(format!("gWsimPOLICY{}", emp.site.country)),
            ever_sent_back: meta.approval == 3,
            has_exception: false,
            workflow_action_url: Some(String::new()),
            custom: CustomFields::nulls(20),
            id: rid,
            uri: String::new(),
        };
        Some(ReportBundle { report, entries })
    }

    /// Decode an entry/itemization/allocation id into (report index, entry number, child).
    pub fn decode_child_id(&self, id: &str) -> Option<(char, usize, usize, Option<usize>)> {
        let kind = id.strip_prefix("gW")?.chars().next()?;
        if !kind.is_ascii() {
            return None;
        }
        let body = id.get(3..)?;
        let (hex12, tail) = body.split_once('$')?;
        let rid = format!("{:08X}{hex12}", self.salt);
        let ri = self.report_index(&rid)?;
        let n = usize::from_str_radix(tail.get(..2)?, 16).ok()?;
        let child = match tail.get(2..4) {
            Some(c) if !c.is_empty() => Some(usize::from_str_radix(c, 16).ok()?),
            _ => None,
        };
        Some((kind, ri, n, child))
    }
}
