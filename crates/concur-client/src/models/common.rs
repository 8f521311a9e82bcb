//! Shared model types and tolerant serde helpers.
//!
//! Concur has no single format for dates, amounts or booleans (see the API summary §3.5–3.6):
//!
//! * dates: `2013-09-02T19:05:57.687` (no zone, 0–3 fractional digits), date-only fields as
//!   `2016-04-04T00:00:00`, Invoice v3 `2019-03-01 00:00:00.0`, v4 `2021-11-17T22:44:09Z`,
//!   plain `2019-03-01`, Receipts v4 image-only `Wed May 24 2017 16:14:17 GMT+00:00`;
//! * amounts: JSON numbers (`1900`, `307.01`, `0E-8`) or strings (`"480.00000000"`);
//! * booleans: `true`, `"true"`, `"Y"`/`"N"`, `1`/`0`.
//!
//! The `de_opt_*` helpers accept all of them, plus `null`, absence (with `#[serde(default)]`)
//! and the empty string (→ `None`). Use them as
//! `#[serde(default, deserialize_with = "crate::models::common::de_opt_decimal")]`.
//! Date-times without a zone are returned as [`NaiveDateTime`] in Concur's (server or user
//! local) time; values with a zone are converted to UTC and returned naive.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// A v3 custom or org-unit field (`Custom1..40`, `OrgUnit1..6`): `{Type, Value, Code, ListItemID}`,
/// plus `Label` and `Sequence` on allocations. `Type` is one of Amount, Boolean, ConnectedList,
/// Date, Integer, List, Number, Text; `Value` is at most 48 characters.
///
/// Doc: <https://developer.concur.com/api-reference/expense/expense-report/v3.reports.html>
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomField {
    /// Field type (`Text`, `List`, `Amount`...).
    #[serde(rename = "Type", default, deserialize_with = "de_opt_string")]
    pub field_type: Option<String>,
    /// The value as Concur renders it.
    #[serde(rename = "Value", default, deserialize_with = "de_opt_string")]
    pub value: Option<String>,
    /// The list item code, for list fields.
    #[serde(rename = "Code", default, deserialize_with = "de_opt_string")]
    pub code: Option<String>,
    /// The list item id, for list fields.
    #[serde(rename = "ListItemID", default, deserialize_with = "de_opt_string")]
    pub list_item_id: Option<String>,
    /// The label (allocations).
    #[serde(
        rename = "Label",
        default,
        deserialize_with = "de_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub label: Option<String>,
    /// The sequence (allocations).
    #[serde(
        rename = "Sequence",
        default,
        deserialize_with = "de_opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub sequence: Option<i64>,
}

/// `{ID, URI}` returned by v3 POSTs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreatedResource {
    /// The new resource's id.
    #[serde(rename = "ID", default, deserialize_with = "de_opt_string")]
    pub id: Option<String>,
    /// The new resource's URI.
    #[serde(rename = "URI", default, deserialize_with = "de_opt_string")]
    pub uri: Option<String>,
}

/// Extracts the `CustomN` / `OrgUnitN` objects from a model's extra fields (nulls skipped),
/// sorted by number.
pub(crate) fn custom_fields(
    extra: &serde_json::Map<String, Value>,
    prefix: &str,
) -> Vec<(u8, CustomField)> {
    let mut out: Vec<(u8, CustomField)> = extra
        .iter()
        .filter_map(|(k, v)| {
            let n: u8 = k.strip_prefix(prefix)?.parse().ok()?;
            match v {
                Value::Object(_) => serde_json::from_value(v.clone()).ok().map(|c| (n, c)),
                // Invoice-style plain strings.
                Value::String(s) if !s.is_empty() => Some((
                    n,
                    CustomField {
                        value: Some(s.clone()),
                        ..Default::default()
                    },
                )),
                _ => None,
            }
        })
        .collect();
    out.sort_by_key(|(n, _)| *n);
    out
}

fn value_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(v) => Some(v),
    })
}

/// Parses a Concur date-time in any documented form (see the module docs).
pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    const NAIVE: &[&str] = &[
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%m/%d/%Y %I:%M:%S %p",
    ];
    for f in NAIVE {
        if let Ok(v) = NaiveDateTime::parse_from_str(s, f) {
            return Some(v);
        }
    }
    if let Ok(v) = DateTime::parse_from_rfc3339(s) {
        return Some(v.with_timezone(&Utc).naive_utc());
    }
    // `2021-11-17T22:44:09.000164+0000` and friends
    if let Ok(v) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(v.with_timezone(&Utc).naive_utc());
    }
    // Receipts v4 image-only: `Wed May 24 2017 16:14:17 GMT+00:00`
    if let Some(rest) = s.split_once(" GMT") {
        let joined = format!("{} {}", rest.0, rest.1);
        if let Ok(v) = DateTime::parse_from_str(&joined, "%a %b %d %Y %H:%M:%S %:z") {
            return Some(v.with_timezone(&Utc).naive_utc());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// Optional date-time in any Concur form; `null`, absent and `""` are `None`.
///
/// # Errors
/// A serde error naming the unparsable text.
pub fn de_opt_datetime<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
    match value_opt(d)? {
        None => Ok(None),
        Some(Value::String(s)) => parse_datetime(&s)
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("unrecognised date-time {s:?}"))),
        Some(Value::Number(n)) => {
            // Epoch seconds (or milliseconds when too large for seconds).
            let i = n
                .as_i64()
                .ok_or_else(|| D::Error::custom("invalid epoch value"))?;
            let dt = if i.abs() > 100_000_000_000 {
                DateTime::from_timestamp_millis(i)
            } else {
                DateTime::from_timestamp(i, 0)
            };
            dt.map(|d| Some(d.naive_utc()))
                .ok_or_else(|| D::Error::custom("epoch value out of range"))
        }
        Some(other) => Err(D::Error::custom(format!(
            "expected a date-time, got {other}"
        ))),
    }
}

/// Optional date (a date-time's date part is taken: `2016-04-04T00:00:00` → 2016-04-04).
///
/// # Errors
/// A serde error naming the unparsable text.
pub fn de_opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    Ok(de_opt_datetime(d)?.map(|dt| dt.date()))
}

/// Parses an exact decimal from text (`"480.00000000"`, `"1e-8"`, `"0E-8"`, `"1,234.5"` is refused).
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let s = s.trim();
    if s.contains(['e', 'E']) {
        Decimal::from_scientific(s).ok()
    } else {
        Decimal::from_str_exact(s)
            .or_else(|_| Decimal::from_str(s))
            .ok()
    }
}

/// Optional exact decimal from a JSON number or string; `null`, absent and `""` are `None`.
/// The number is read from its literal JSON text (through `RawValue`), never through `f64`:
/// `12345678901234.5678` keeps every digit and `0E-8` keeps its scale of 8.
///
/// # Errors
/// A serde error for text that is not a number.
pub fn de_opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    super::serde_helpers_ext::decimal_opt(d)
}

/// Optional boolean from `true`/`false`, `"true"`/`"false"`, `"Y"`/`"N"`, `"yes"`/`"no"`,
/// `1`/`0`; `null`, absent and `""` are `None`.
///
/// # Errors
/// A serde error for any other value.
pub fn de_opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match value_opt(d)? {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(0) => Ok(Some(false)),
            Some(1) => Ok(Some(true)),
            _ => Err(D::Error::custom(format!("expected a boolean, got {n}"))),
        },
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "y" | "yes" | "1" => Ok(Some(true)),
            "false" | "n" | "no" | "0" => Ok(Some(false)),
            _ => Err(D::Error::custom(format!("expected a boolean, got {s:?}"))),
        },
        Some(other) => Err(D::Error::custom(format!("expected a boolean, got {other}"))),
    }
}

/// Optional string; numbers and booleans are accepted and rendered as text; `null`, absent and
/// `""` are `None`.
///
/// # Errors
/// A serde error for arrays and objects.
pub fn de_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(if s.is_empty() { None } else { Some(s) }),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(Value::Bool(b)) => Ok(Some(b.to_string())),
        Some(other) => Err(D::Error::custom(format!("expected text, got {other}"))),
    }
}

/// Optional integer from a JSON number or string.
///
/// # Errors
/// A serde error for non-integers.
pub fn de_opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match value_opt(d)? {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("expected an integer, got {n}"))),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("expected an integer, got {s:?}"))),
        Some(other) => Err(D::Error::custom(format!(
            "expected an integer, got {other}"
        ))),
    }
}

/// A required id that may arrive as a string or a number.
///
/// # Errors
/// A serde error when it is missing, null or not scalar.
pub fn de_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    de_opt_string(d)?.ok_or_else(|| D::Error::custom("missing id"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[derive(Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "de_opt_datetime")]
        d: Option<NaiveDateTime>,
        #[serde(default, deserialize_with = "de_opt_decimal")]
        a: Option<Decimal>,
        #[serde(default, deserialize_with = "de_opt_bool")]
        b: Option<bool>,
    }

    fn t(j: &str) -> T {
        serde_json::from_str(j).unwrap()
    }

    #[test]
    fn dates() {
        for (s, want) in [
            ("2013-09-02T19:05:57.687", "2013-09-02T19:05:57.687"),
            ("2013-09-02T19:46:01.57", "2013-09-02T19:46:01.570"),
            ("2013-09-02T19:46:01.5", "2013-09-02T19:46:01.500"),
            ("2013-09-02T00:00:00", "2013-09-02T00:00:00.000"),
            ("2019-03-01 00:00:00.0", "2019-03-01T00:00:00.000"),
            ("2019-03-01", "2019-03-01T00:00:00.000"),
            ("2021-11-17T22:44:09.000164Z", "2021-11-17T22:44:09.000"),
            ("2021-11-17T23:44:09+01:00", "2021-11-17T22:44:09.000"),
            (
                "Wed May 24 2017 16:14:17 GMT+00:00",
                "2017-05-24T16:14:17.000",
            ),
        ] {
            let got = parse_datetime(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(got.format("%Y-%m-%dT%H:%M:%S%.3f").to_string(), want, "{s}");
        }
        assert!(t(r#"{"d":null}"#).d.is_none());
        assert!(t(r#"{}"#).d.is_none());
        assert!(t(r#"{"d":""}"#).d.is_none());
        assert!(serde_json::from_str::<T>(r#"{"d":"yesterday"}"#).is_err());
    }

    #[test]
    fn decimals_and_bools() {
        assert_eq!(t(r#"{"a":1900}"#).a, Some(dec!(1900)));
        assert_eq!(t(r#"{"a":307.01}"#).a, Some(dec!(307.01)));
        assert_eq!(
            t(r#"{"a":"100.00000000"}"#).a.unwrap().to_string(),
            "100.00000000"
        );
        assert_eq!(t(r#"{"a":0E-8}"#).a, Some(dec!(0)));
        assert_eq!(
            t(r#"{"a":12345678901234.5678}"#).a.unwrap().to_string(),
            "12345678901234.5678"
        );
        assert_eq!(t(r#"{"a":"0E-8"}"#).a, Some(dec!(0)));
        assert_eq!(t(r#"{"a":null}"#).a, None);
        assert!(serde_json::from_str::<T>(r#"{"a":"abc"}"#).is_err());
        assert_eq!(t(r#"{"b":"Y"}"#).b, Some(true));
        assert_eq!(t(r#"{"b":"false"}"#).b, Some(false));
        assert_eq!(t(r#"{"b":1}"#).b, Some(true));
        assert_eq!(t(r#"{"b":null}"#).b, None);
    }
}
