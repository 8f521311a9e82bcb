//! Money: a [`Decimal`] amount in an ISO 4217 currency, rounded to the currency's minor units.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use iso_currency::Currency;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

/// Errors from parsing or combining [`Money`] values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// The amount text is not a decimal number (Concur sends numbers such as `12.3`,
    /// strings such as `"1900"` or `"123.4500"`, and sometimes scientific notation `0E-8`).
    #[error("invalid amount {0:?}: expected a decimal number such as 12.30 or 0E-8")]
    InvalidAmount(String),
    /// The currency code is not an ISO 4217 alphabetic code.
    #[error("invalid currency code {0:?}: expected an ISO 4217 code such as EUR")]
    InvalidCurrency(String),
    /// Two amounts in different currencies were combined; convert first (see
    /// [`RateTable`](crate::RateTable)).
    #[error("cannot combine {left} and {right} amounts: currencies differ")]
    CurrencyMismatch {
        /// Currency of the left operand.
        left: Currency,
        /// Currency of the right operand.
        right: Currency,
    },
    /// The result does not fit into a [`Decimal`] (about ±7.9e28).
    #[error("amount overflow in {0}")]
    Overflow(Currency),
}

/// An amount of money in one ISO 4217 currency.
///
/// * `amount` is a [`Decimal`] (never `f64`), rounded on construction to the currency's minor
///   units as given by ISO 4217 ([`Currency::exponent`]): JPY 0 digits, USD/EUR 2, BHD 3.
///   Rounding is *half away from zero* (commercial rounding: `0.125 USD` → `0.13`,
///   `-0.125` → `-0.13`). The stored scale always equals the exponent, so `12.3 EUR` is kept
///   and printed as `12.30`.
/// * Currencies without minor units in ISO 4217 (precious metals such as `XAU`, `XAG`, and
///   codes such as `XXX`, `XDR`) have no exponent: the amount is kept **unrounded, exactly as
///   parsed** (scale preserved).
/// * Adding is only defined within one currency: [`Money::checked_add`] returns
///   [`MoneyError::CurrencyMismatch`] instead of panicking; there is deliberately no `Add` impl.
///
/// JSON shape (a public contract): `{"amount":"12.30","currency":"EUR"}`. The amount is always
/// a decimal **string** at the currency's minor units. Deserializing also accepts a JSON number
/// (`{"amount":12.3,"currency":"EUR"}`) or scientific notation (`"0E-8"`), and rounds.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// Creates money, rounding `amount` to the currency's minor units (see type docs).
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self {
            amount: round_to_minor_units(amount, currency),
            currency,
        }
    }

    /// Zero in `currency` (at its minor units, e.g. `0.00 EUR`).
    pub fn zero(currency: Currency) -> Self {
        Self::new(Decimal::ZERO, currency)
    }

    /// Parses a Concur-style amount text (`"12.3"`, `"1900"`, `"123.4500"`, `"0E-8"`,
    /// surrounding whitespace ignored) in `currency`, rounding to minor units.
    ///
    /// # Errors
    /// [`MoneyError::InvalidAmount`] when the text is not a decimal number.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, MoneyError> {
        Ok(Self::new(parse_decimal(amount)?, currency))
    }

    /// Parses an amount and an ISO 4217 currency code (`"EUR"`; case-insensitive, trimmed).
    ///
    /// # Errors
    /// [`MoneyError::InvalidAmount`] or [`MoneyError::InvalidCurrency`].
    pub fn parse_with_code(amount: &str, currency_code: &str) -> Result<Self, MoneyError> {
        let currency = parse_currency(currency_code)?;
        Self::parse(amount, currency)
    }

    /// Builds money from a JSON value as Concur sends it: a number (`12.3`, `1900`) or a string
    /// (`"123.4500"`, `"0E-8"`).
    ///
    /// # Errors
    /// [`MoneyError::InvalidAmount`] for any other JSON value (null, bool, object, array).
    pub fn from_json_amount(
        amount: &serde_json::Value,
        currency: Currency,
    ) -> Result<Self, MoneyError> {
        match amount {
            serde_json::Value::Number(n) => Self::parse(&n.to_string(), currency),
            serde_json::Value::String(s) => Self::parse(s, currency),
            other => Err(MoneyError::InvalidAmount(other.to_string())),
        }
    }

    /// The amount, at the currency's minor units.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The ISO 4217 currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// `true` when the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// `true` when the amount is below zero (a refund or credit).
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// The same amount with the opposite sign.
    #[must_use]
    pub fn negated(&self) -> Self {
        Self::new(-self.amount, self.currency)
    }

    /// Adds two amounts of the same currency.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`] when the currencies differ; [`MoneyError::Overflow`]
    /// when the sum does not fit a [`Decimal`].
    pub fn checked_add(&self, other: &Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            });
        }
        self.amount
            .checked_add(other.amount)
            .map(|a| Money::new(a, self.currency))
            .ok_or(MoneyError::Overflow(self.currency))
    }

    /// Subtracts `other` from `self` (same currency only).
    ///
    /// # Errors
    /// As [`Money::checked_add`].
    pub fn checked_sub(&self, other: &Money) -> Result<Money, MoneyError> {
        self.checked_add(&other.negated())
    }

    /// Sums amounts that must all be in `currency`; an empty input gives zero.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`] on the first amount in another currency;
    /// [`MoneyError::Overflow`].
    pub fn sum<'a>(
        currency: Currency,
        items: impl IntoIterator<Item = &'a Money>,
    ) -> Result<Money, MoneyError> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), |acc, m| acc.checked_add(m))
    }

    /// The amount as a string at the currency's minor units (`"12.30"`), as serialized.
    pub fn amount_string(&self) -> String {
        self.amount.to_string()
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({} {})", self.amount, self.currency.code())
    }
}

/// `12.30 EUR`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency.code())
    }
}

/// Rounds `amount` to the minor units of `currency` (half away from zero) and sets the scale
/// to exactly that many digits. Currencies without an ISO 4217 exponent are returned unchanged.
pub fn round_to_minor_units(amount: Decimal, currency: Currency) -> Decimal {
    match currency.exponent() {
        Some(exp) => {
            let dp = u32::from(exp);
            let mut rounded =
                amount.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
            rounded.rescale(dp);
            rounded
        }
        None => amount,
    }
}

/// Parses a decimal as Concur sends it: plain (`12.3`, `-5`, `123.4500`) or scientific
/// (`0E-8`, `1.5e3`). Surrounding whitespace is ignored.
///
/// # Errors
/// [`MoneyError::InvalidAmount`] when the text is empty or not a number.
pub fn parse_decimal(text: &str) -> Result<Decimal, MoneyError> {
    let t = text.trim();
    let invalid = || MoneyError::InvalidAmount(text.to_owned());
    if t.is_empty() {
        return Err(invalid());
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.contains(['e', 'E']) {
        Decimal::from_scientific(t).map_err(|_| invalid())
    } else {
        if !t.bytes().any(|b| b.is_ascii_digit()) || t.contains('_') {
            return Err(invalid());
        }
        Decimal::from_str(t).map_err(|_| invalid())
    }
}

/// Parses an ISO 4217 alphabetic code (trimmed, case-insensitive).
///
/// # Errors
/// [`MoneyError::InvalidCurrency`] for unknown codes.
pub fn parse_currency(code: &str) -> Result<Currency, MoneyError> {
    Currency::from_code(&code.trim().to_ascii_uppercase())
        .ok_or_else(|| MoneyError::InvalidCurrency(code.to_owned()))
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Money", 2)?;
        s.serialize_field("amount", &self.amount_string())?;
        s.serialize_field("currency", self.currency.code())?;
        s.end()
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MoneyVisitor)
    }
}

struct MoneyVisitor;

impl<'de> Visitor<'de> for MoneyVisitor {
    type Value = Money;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"an object {"amount": "12.30", "currency": "EUR"}"#)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Money, A::Error> {
        let mut amount: Option<Decimal> = None;
        let mut currency: Option<Currency> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "amount" => {
                    let AmountRepr(d) = map.next_value()?;
                    amount = Some(d);
                }
                "currency" => {
                    let code: String = map.next_value()?;
                    currency = Some(parse_currency(&code).map_err(de::Error::custom)?);
                }
                _ => {
                    let _: de::IgnoredAny = map.next_value()?;
                }
            }
        }
        let amount = amount.ok_or_else(|| de::Error::missing_field("amount"))?;
        let currency = currency.ok_or_else(|| de::Error::missing_field("currency"))?;
        Ok(Money::new(amount, currency))
    }
}

/// A decimal given as a JSON string or number.
struct AmountRepr(Decimal);

impl<'de> Deserialize<'de> for AmountRepr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AmountVisitor).map(AmountRepr)
    }
}

struct AmountVisitor;

impl Visitor<'_> for AmountVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal amount as a string or a number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        parse_decimal(v).map_err(E::custom)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        if !v.is_finite() {
            return Err(E::custom("amount is not a finite number"));
        }
        // Shortest round-trip text of the float, then exact decimal parsing.
        parse_decimal(&v.to_string()).map_err(E::custom)
    }
}

/// Serde helpers for `Option<Decimal>` fields that accept a string or a JSON number and always
/// serialize as a decimal string (or `null`).
pub(crate) mod opt_decimal {
    use super::AmountRepr;
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.serialize_str(&d.to_string()),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Decimal>, D::Error> {
        Ok(Option::<AmountRepr>::deserialize(d)?.map(|a| a.0))
    }
}

/// Per-currency running totals (never mixes currencies).
///
/// Serializes as a list of [`Money`] sorted by currency code, e.g.
/// `[{"amount":"10.00","currency":"EUR"},{"amount":"5.00","currency":"USD"}]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MoneyTotals {
    totals: BTreeMap<&'static str, Money>,
}

impl MoneyTotals {
    /// Empty totals.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `money` to the total of its currency.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] when the total would not fit a [`Decimal`].
    pub fn add(&mut self, money: &Money) -> Result<(), MoneyError> {
        let code = money.currency().code();
        let next = match self.totals.get(code) {
            Some(total) => total.checked_add(money)?,
            None => *money,
        };
        self.totals.insert(code, next);
        Ok(())
    }

    /// The total in `currency`, if any amount in it was added.
    pub fn get(&self, currency: Currency) -> Option<Money> {
        self.totals.get(currency.code()).copied()
    }

    /// `true` when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.totals.is_empty()
    }

    /// The totals sorted by currency code.
    pub fn to_vec(&self) -> Vec<Money> {
        self.totals.values().copied().collect()
    }
}

impl Serialize for MoneyTotals {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.totals.values())
    }
}

/// Sums a list of money per currency; the result is sorted by currency code.
///
/// # Errors
/// [`MoneyError::Overflow`].
pub fn totals_per_currency<'a>(
    items: impl IntoIterator<Item = &'a Money>,
) -> Result<Vec<Money>, MoneyError> {
    let mut t = MoneyTotals::new();
    for m in items {
        t.add(m)?;
    }
    Ok(t.to_vec())
}
