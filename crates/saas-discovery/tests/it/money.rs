use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use saas_discovery::{
    Currency, Money, MoneyError, MoneyTotals, parse_decimal, totals_per_currency,
};

fn eur(s: &str) -> Money {
    Money::parse(s, Currency::EUR).unwrap()
}

#[test]
fn parses_concur_style_amounts() {
    assert_eq!(eur("12.3").amount_string(), "12.30");
    assert_eq!(eur("1900").amount_string(), "1900.00");
    assert_eq!(eur("123.4500").amount_string(), "123.45");
    assert_eq!(eur("0E-8").amount_string(), "0.00");
    assert_eq!(eur(" -5.5 ").amount_string(), "-5.50");
    assert_eq!(eur("1.5e3").amount_string(), "1500.00");
    assert_eq!(eur("+7").amount_string(), "7.00");
    for bad in [
        "", " ", "abc", "1,5", "1_000", "12.3.4", ".", "-", "NaN", "1e",
    ] {
        assert!(
            matches!(
                Money::parse(bad, Currency::EUR),
                Err(MoneyError::InvalidAmount(_))
            ),
            "{bad:?} should be rejected"
        );
    }
}

#[test]
fn from_json_amount_accepts_numbers_and_strings() {
    let v: serde_json::Value =
        serde_json::from_str("[12.3, \"1900\", 1900, \"0E-8\", 0E-8, null, true]").unwrap();
    let a = v.as_array().unwrap();
    let got: Vec<String> = a[..5]
        .iter()
        .map(|x| {
            Money::from_json_amount(x, Currency::USD)
                .unwrap()
                .amount_string()
        })
        .collect();
    assert_eq!(got, ["12.30", "1900.00", "1900.00", "0.00", "0.00"]);
    assert!(Money::from_json_amount(&a[5], Currency::USD).is_err());
    assert!(Money::from_json_amount(&a[6], Currency::USD).is_err());
}

#[test]
fn rounds_to_minor_units_half_away_from_zero() {
    assert_eq!(
        Money::parse("1234.5", Currency::JPY)
            .unwrap()
            .amount_string(),
        "1235"
    );
    assert_eq!(
        Money::parse("1234.4", Currency::JPY)
            .unwrap()
            .amount_string(),
        "1234"
    );
    assert_eq!(
        Money::parse("0.125", Currency::USD)
            .unwrap()
            .amount_string(),
        "0.13"
    );
    assert_eq!(
        Money::parse("-0.125", Currency::USD)
            .unwrap()
            .amount_string(),
        "-0.13"
    );
    assert_eq!(
        Money::parse("1.23456", Currency::BHD)
            .unwrap()
            .amount_string(),
        "1.235"
    );
    assert_eq!(
        Money::parse("2", Currency::BHD).unwrap().amount_string(),
        "2.000"
    );
    assert_eq!(
        Money::parse("1.00005", Currency::CLF)
            .unwrap()
            .amount_string(),
        "1.0001"
    );
}

#[test]
fn currencies_without_exponent_stay_unrounded() {
    assert_eq!(Currency::XAU.exponent(), None);
    let gold = Money::parse("1.234567", Currency::XAU).unwrap();
    assert_eq!(gold.amount(), dec!(1.234567));
    assert_eq!(gold.amount_string(), "1.234567");
    assert_eq!(
        serde_json::to_string(&gold).unwrap(),
        r#"{"amount":"1.234567","currency":"XAU"}"#
    );
}

#[test]
fn serializes_as_string_amount_and_code() {
    assert_eq!(
        serde_json::to_string(&eur("12.3")).unwrap(),
        r#"{"amount":"12.30","currency":"EUR"}"#
    );
    let jpy = Money::parse("1800", Currency::JPY).unwrap();
    assert_eq!(
        serde_json::to_string(&jpy).unwrap(),
        r#"{"amount":"1800","currency":"JPY"}"#
    );
    let m: Money = serde_json::from_str(r#"{"amount":12.3,"currency":"EUR"}"#).unwrap();
    assert_eq!(m, eur("12.30"));
    let m: Money = serde_json::from_str(r#"{"currency":"usd","amount":"0E-8","extra":1}"#).unwrap();
    assert_eq!(m.amount_string(), "0.00");
    assert_eq!(m.currency(), Currency::USD);
    assert!(serde_json::from_str::<Money>(r#"{"amount":"1","currency":"ZZZ"}"#).is_err());
    assert!(serde_json::from_str::<Money>(r#"{"amount":"1"}"#).is_err());
    assert!(serde_json::from_str::<Money>(r#"{"amount":null,"currency":"EUR"}"#).is_err());
}

#[test]
fn adding_within_one_currency_only() {
    assert_eq!(eur("0.1").checked_add(&eur("0.2")).unwrap(), eur("0.30"));
    assert_eq!(eur("1").checked_sub(&eur("2.5")).unwrap(), eur("-1.50"));
    let usd = Money::parse("1", Currency::USD).unwrap();
    assert_eq!(
        eur("1").checked_add(&usd),
        Err(MoneyError::CurrencyMismatch {
            left: Currency::EUR,
            right: Currency::USD
        })
    );
    assert_eq!(
        Money::sum(Currency::EUR, &[eur("1"), usd]),
        Err(MoneyError::CurrencyMismatch {
            left: Currency::EUR,
            right: Currency::USD
        })
    );
    assert_eq!(Money::sum(Currency::EUR, &[]).unwrap(), eur("0"));
    let max = Money::new(Decimal::MAX, Currency::JPY);
    assert_eq!(
        max.checked_add(&max),
        Err(MoneyError::Overflow(Currency::JPY))
    );
    let t = totals_per_currency(&[eur("1"), usd, eur("2.5")]).unwrap();
    assert_eq!(
        t,
        vec![eur("3.50"), Money::parse("1", Currency::USD).unwrap()]
    );
    let mut totals = MoneyTotals::new();
    totals.add(&usd).unwrap();
    assert_eq!(
        serde_json::to_string(&totals).unwrap(),
        r#"[{"amount":"1.00","currency":"USD"}]"#
    );
    assert_eq!(eur("12.3").to_string(), "12.30 EUR");
}

fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(vec![
        Currency::EUR,
        Currency::USD,
        Currency::JPY,
        Currency::BHD,
        Currency::CLF,
        Currency::XAU,
    ])
}

proptest! {
    #[test]
    fn parse_round_serde_roundtrip(units in -10_000_000_000i64..10_000_000_000i64, scale in 0u32..9, c in currency()) {
        let d = Decimal::new(units, scale);
        let text = d.to_string();
        let m = Money::parse(&text, c).unwrap();
        // rounding: at most half a minor unit away, scale equals the exponent
        if let Some(exp) = c.exponent() {
            prop_assert_eq!(m.amount().scale(), u32::from(exp));
            let half = Decimal::new(5, u32::from(exp) + 1);
            prop_assert!((m.amount() - d).abs() <= half);
            // idempotent
            prop_assert_eq!(Money::new(m.amount(), c), m);
        } else {
            prop_assert_eq!(m.amount(), d);
        }
        // serde round trip, text and value
        let json = serde_json::to_string(&m).unwrap();
        let back: Money = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, m);
        prop_assert_eq!(serde_json::to_string(&back).unwrap(), json);
        // scientific notation parses to the same value
        let sci = format!("{units}E-{scale}");
        prop_assert_eq!(Money::parse(&sci, c).unwrap(), m);
        prop_assert_eq!(parse_decimal(&sci).unwrap(), d);
    }

    #[test]
    fn mixed_currencies_are_errors(a in -1_000_000i64..1_000_000, b in -1_000_000i64..1_000_000, x in currency(), y in currency()) {
        let ma = Money::new(Decimal::new(a, 2), x);
        let mb = Money::new(Decimal::new(b, 2), y);
        let r = ma.checked_add(&mb);
        if x == y {
            prop_assert_eq!(r.unwrap().amount(), ma.amount() + mb.amount());
        } else {
            prop_assert_eq!(r, Err(MoneyError::CurrencyMismatch { left: x, right: y }));
        }
    }
}
