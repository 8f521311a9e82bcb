use chrono::NaiveDate;
use rust_decimal_macros::dec;
use saas_discovery::{
    ConversionError, Cost, CostId, CostSource, CostSourceKind, Currency, Document, Money, Owner,
    RateTable, ServiceId, SourceRef, YearMonth, aggregate_service, annual_run_rate,
    run_rate_by_service, spend_by_owner, spend_by_service_month,
};

fn cost(n: u32, service: &str, date: &str, amount: &str, cur: Currency, owner: &str) -> Cost {
    let id = format!("E{n}");
    Cost::new(
        CostId::derive("t", CostSourceKind::ExpenseEntry, &id),
        ServiceId::new(service).unwrap(),
        date.parse::<NaiveDate>().unwrap(),
        Money::parse(amount, cur).unwrap(),
        Owner::new(owner),
        CostSource::new(SourceRef::new("test", CostSourceKind::ExpenseEntry).with_entry_id(id)),
    )
}

fn m(a: &str, c: Currency) -> Money {
    Money::parse(a, c).unwrap()
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn spend_per_service_month_currency() {
    let doc = Document::example().unwrap();
    let rows = spend_by_service_month(&doc.costs).unwrap();
    let got: Vec<(String, String, String, u64)> = rows
        .iter()
        .map(|r| {
            (
                r.service_id.to_string(),
                r.month.to_string(),
                r.total.to_string(),
                r.cost_count,
            )
        })
        .collect();
    let want = [
        ("figma", "2026-10", "540.00 EUR", 1),
        ("figma", "2026-10", "1800 JPY", 1),
        ("slack", "2026-10", "87.50 EUR", 1),
        ("zoom", "2026-09", "15.99 USD", 1),
        ("zoom", "2026-10", "13.99 EUR", 1),
        ("zoom", "2026-10", "31.98 USD", 2),
    ];
    let want: Vec<(String, String, String, u64)> = want
        .iter()
        .map(|(a, b, c, n)| (a.to_string(), b.to_string(), c.to_string(), *n))
        .collect();
    assert_eq!(got, want);
    assert_eq!(serde_json::to_value(rows[0].month).unwrap(), "2026-10");
    assert_eq!(YearMonth::new(2026, 13), None);
}

#[test]
fn spend_per_owner() {
    let doc = Document::example().unwrap();
    let owners = spend_by_owner(&doc.costs).unwrap();
    let ada = &owners[0];
    assert_eq!(ada.owner.login_id, "ada.testperson@example.com");
    assert_eq!(ada.owner.name.as_deref(), Some("Ada Testperson"));
    assert_eq!(ada.spend, vec![m("47.97", Currency::USD)]);
    assert_eq!(ada.cost_count, 3);
    assert_eq!(owners.len(), 5);
    let grace = owners
        .iter()
        .find(|o| o.owner.login_id.starts_with("grace"))
        .unwrap();
    assert_eq!(grace.spend, vec![m("13.99", Currency::EUR)]);
    assert_eq!(grace.service_ids, vec![ServiceId::new("zoom").unwrap()]);

    // mixed currencies stay separate, details come from the latest cost
    let mut a = cost(1, "zoom", "2026-01-01", "10", Currency::EUR, "x");
    a.owner = a
        .owner
        .clone()
        .with_name("Old Name")
        .with_department("Dept A");
    let mut b = cost(2, "slack", "2026-02-01", "5", Currency::USD, "x");
    b.owner = b.owner.clone().with_name("New Name");
    let c = cost(3, "zoom", "2026-03-01", "2.5", Currency::EUR, "x");
    let o = spend_by_owner([&c, &b, &a]).unwrap();
    assert_eq!(o.len(), 1);
    assert_eq!(
        o[0].spend,
        vec![m("12.50", Currency::EUR), m("5.00", Currency::USD)]
    );
    assert_eq!(o[0].owner.name.as_deref(), Some("New Name"));
    assert_eq!(o[0].owner.department.as_deref(), Some("Dept A"));
    assert_eq!(o[0].service_ids.len(), 2);
}

#[test]
fn run_rate_with_full_history_is_trailing_twelve_month_sum() {
    // monthly 10 EUR from 2025-01-15 to 2026-06-15 (18 costs)
    let mut costs = Vec::new();
    for i in 0..18u32 {
        let (y, mo) = (2025 + (i / 12) as i32, i % 12 + 1);
        costs.push(cost(
            i,
            "zoom",
            &format!("{y}-{mo:02}-15"),
            "10",
            Currency::EUR,
            "a",
        ));
    }
    // a cost after as_of is ignored
    costs.push(cost(99, "zoom", "2026-07-15", "1000", Currency::EUR, "a"));
    assert_eq!(
        annual_run_rate(&costs, d("2026-06-30")).unwrap(),
        vec![m("120.00", Currency::EUR)]
    );
    // window is (as_of - 12 months, as_of]: 2025-06-15 excluded when as_of is 2026-06-15
    assert_eq!(
        annual_run_rate(&costs, d("2026-06-15")).unwrap(),
        vec![m("120.00", Currency::EUR)]
    );
    assert_eq!(
        annual_run_rate(&costs, d("2026-06-14")).unwrap(),
        vec![m("120.00", Currency::EUR)]
    );
    // long after the last cost: nothing in the window, currency drops out
    assert!(annual_run_rate(&costs, d("2028-01-01")).unwrap().is_empty());
}

#[test]
fn run_rate_with_short_history_is_monthly_average_times_twelve() {
    let costs = vec![
        cost(1, "zoom", "2026-04-10", "10", Currency::EUR, "a"),
        cost(2, "zoom", "2026-05-10", "10", Currency::EUR, "a"),
        cost(3, "zoom", "2026-06-10", "10", Currency::EUR, "a"),
        cost(4, "figma", "2026-06-01", "1000", Currency::JPY, "a"),
        cost(5, "figma", "2026-03-01", "7", Currency::USD, "a"),
    ];
    // EUR: 30 over 3 months (Apr..Jun) -> 120; JPY: 1000 over 1 month -> 12000;
    // USD: 7 over 4 months (Mar..Jun) -> 21
    assert_eq!(
        annual_run_rate(&costs, d("2026-06-30")).unwrap(),
        vec![
            m("120.00", Currency::EUR),
            m("12000", Currency::JPY),
            m("21.00", Currency::USD)
        ]
    );
    // rounding to minor units: 10 EUR over 7 months -> 17.142857.. -> 17.14
    let one = vec![cost(1, "zoom", "2026-01-31", "10", Currency::EUR, "a")];
    assert_eq!(
        annual_run_rate(&one, d("2026-07-01")).unwrap(),
        vec![m("17.14", Currency::EUR)]
    );
    let per = run_rate_by_service(&costs, d("2026-06-30")).unwrap();
    assert_eq!(per.len(), 2);
    assert_eq!(
        per[&ServiceId::new("figma").unwrap()],
        vec![m("12000", Currency::JPY), m("21.00", Currency::USD)]
    );
}

#[test]
fn run_rate_observed_counts_history_from_the_observation_start() {
    // one annual payment 5 months before as_of, seen by a crawl that read 12 months back
    let annual = vec![cost(
        1,
        "digitalocean",
        "2026-02-10",
        "1200",
        Currency::EUR,
        "a",
    )];
    // without the observation start: 1200 over 5 months (Feb..Jun) x 12 = 2880
    assert_eq!(
        saas_discovery::annual_run_rate_observed(&annual, d("2026-06-30"), None).unwrap(),
        vec![m("2880.00", Currency::EUR)]
    );
    // observed for a full year: the trailing 12-month sum, the annual fee itself
    assert_eq!(
        saas_discovery::annual_run_rate_observed(&annual, d("2026-06-30"), Some(d("2025-06-30")))
            .unwrap(),
        vec![m("1200.00", Currency::EUR)]
    );
    // observed for 6 months (Jan..Jun): 1200 x 12 / 6 = 2400
    assert_eq!(
        saas_discovery::annual_run_rate_observed(&annual, d("2026-06-30"), Some(d("2026-01-01")))
            .unwrap(),
        vec![m("2400.00", Currency::EUR)]
    );
    // an observation start after the earliest cost never shortens the history
    assert_eq!(
        saas_discovery::run_rate_by_service_observed(
            &annual,
            d("2026-06-30"),
            Some(d("2026-05-01"))
        )
        .unwrap()[&ServiceId::new("digitalocean").unwrap()],
        vec![m("2880.00", Currency::EUR)]
    );
}

#[test]
fn rate_table_conversion() {
    let rates = RateTable::new(Currency::EUR)
        .with_rate(Currency::USD, dec!(0.9))
        .with_rate(Currency::JPY, dec!(0.0061));
    assert_eq!(
        rates.convert(&m("15.99", Currency::USD)).unwrap(),
        m("14.39", Currency::EUR)
    );
    assert_eq!(
        rates.convert(&m("1800", Currency::JPY)).unwrap(),
        m("10.98", Currency::EUR)
    );
    assert_eq!(
        rates.convert(&m("3", Currency::EUR)).unwrap(),
        m("3.00", Currency::EUR)
    );
    // 3 x 0.005 USD->EUR-ish: sum rounded once
    let r2 = RateTable::new(Currency::EUR).with_rate(Currency::USD, dec!(0.5));
    let items = [
        m("0.01", Currency::USD),
        m("0.01", Currency::USD),
        m("0.01", Currency::USD),
    ];
    assert_eq!(r2.convert_sum(&items).unwrap(), m("0.02", Currency::EUR));
    assert_eq!(
        rates.convert(&m("1", Currency::GBP)),
        Err(ConversionError::MissingRate {
            from: Currency::GBP,
            to: Currency::EUR
        })
    );
    assert_eq!(
        rates.convert_sum(&[m("1", Currency::EUR), m("1", Currency::CHF)]),
        Err(ConversionError::MissingRate {
            from: Currency::CHF,
            to: Currency::EUR
        })
    );
}

#[test]
fn service_aggregate() {
    let costs = vec![
        cost(1, "zoom", "2026-05-02", "10", Currency::EUR, "b"),
        cost(2, "zoom", "2026-03-01", "5", Currency::USD, "a"),
        cost(3, "zoom", "2026-04-01", "2.345", Currency::EUR, "b"),
    ];
    let agg = aggregate_service(&costs).unwrap();
    assert_eq!(agg.first_seen, Some(d("2026-03-01")));
    assert_eq!(agg.last_seen, Some(d("2026-05-02")));
    assert_eq!(agg.cost_count, 3);
    assert_eq!(
        agg.totals,
        vec![m("12.35", Currency::EUR), m("5.00", Currency::USD)]
    );
    assert_eq!(agg.owners.len(), 2);
    assert_eq!(agg.owners[0].owner.login_id, "a");
    assert_eq!(agg.owners[1].spend, vec![m("12.35", Currency::EUR)]);
    assert_eq!(agg.owners[1].cost_count, 2);
    let empty = aggregate_service(&[]).unwrap();
    assert_eq!(empty.first_seen, None);
    assert!(empty.owners.is_empty());
}
