//! Tolerant serde helpers for the Invoice, Imaging, List, Users and Expense v4 models.
//!
//! Concur sends the same kind of value in many shapes (see `concur-api.md` §3.5 and §3.6):
//!
//! * amounts as JSON numbers with 8 decimals (`525.00000000`), in scientific notation (`0E-8`),
//!   or as strings (`"480.00000000"`, Invoice v3);
//! * booleans as JSON booleans, `"true"`/`"false"` strings (Invoice v3) or `Y`/`N` (legacy v1);
//! * dates as `2019-03-01 00:00:00.0` (Invoice v3), `2021-11-17T00:00:00.000` (Identity),
//!   `2021-11-17T22:44:09.000164Z`, `YYYY-MM-DD`, or `Wed May 24 2017 16:14:17 GMT+00:00`
//!   (Receipts v4 image-only receipts).
//!
//! Decimals are decoded from the literal JSON text through [`serde_json::value::RawValue`], so
//! no value ever passes through `f64` (`0E-8` keeps its scale of 8, `12345678901.12345678` keeps
//! every digit). All helpers are meant for `#[serde(default, deserialize_with = "...")]` on
//! `Option` fields: a missing key, `null` and `""` all become `None`; anything else that does not
//! parse is a decode error naming the field, never a silent `None`.

use chrono::{DateTime, FixedOffset, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::{self, Deserializer};
use serde_json::value::RawValue;

/// Decodes an optional decimal from a JSON number (exact text), a JSON string, `null` or `""`.
pub(crate) fn decimal_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let raw: Option<Box<RawValue>> = Option::deserialize(d)?;
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.get().trim();
    if text == "null" {
        return Ok(None);
    }
    let owned;
    let body = if text.starts_with('"') {
        owned = serde_json::from_str::<String>(text).map_err(de::Error::custom)?;
        owned.as_str()
    } else {
        text
    };
    if body.trim().is_empty() {
        return Ok(None);
    }
    super::common::parse_decimal(body)
        .map(Some)
        .ok_or_else(|| de::Error::custom(format!("invalid decimal `{body}`")))
}

/// Decodes a required decimal (same shapes as [`decimal_opt`], but `null` is an error).
pub(crate) fn decimal_req<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    decimal_opt(d)?.ok_or_else(|| de::Error::custom("expected a decimal, found null"))
}

fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    Ok(s.and_then(|s| {
        let t = s.trim();
        if t.is_empty() {
            None
        } else {
            Some(t.to_owned())
        }
    }))
}

/// Parses an instant: RFC 3339 (`2021-11-17T22:44:09.000164Z`, `2016-09-29T15:05:00-08:00`),
/// `2016-09-29T15:05:00-0800`, the JavaScript `Date.toString()` form used by Receipts v4
/// image-only receipts (`Wed May 24 2017 16:14:17 GMT+00:00`) and RFC 2822
/// (`Mon, 08 May 2017 23:05:52 GMT`).
pub(crate) fn parse_utc_datetime(s: &str) -> Option<DateTime<Utc>> {
    let t = s.trim();
    if let Ok(v) = DateTime::parse_from_rfc3339(t) {
        return Some(v.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%a %b %d %Y %H:%M:%S GMT%:z",
        "%a %b %d %Y %H:%M:%S GMT%z",
    ] {
        if let Ok(v) = DateTime::<FixedOffset>::parse_from_str(t, fmt) {
            return Some(v.with_timezone(&Utc));
        }
    }
    if let Ok(v) = DateTime::parse_from_rfc2822(t) {
        return Some(v.with_timezone(&Utc));
    }
    None
}

/// Decodes an optional UTC instant (see [`parse_utc_datetime`]).
pub(crate) fn utc_datetime_opt<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    match opt_string(d)? {
        None => Ok(None),
        Some(s) => parse_utc_datetime(&s)
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("invalid timestamp `{s}`"))),
    }
}

/// Decodes `null` as an empty vector.
pub(crate) fn vec_or_null<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[derive(Deserialize)]
    struct D {
        #[serde(default, deserialize_with = "decimal_opt")]
        v: Option<Decimal>,
    }

    fn dv(json: &str) -> Option<Decimal> {
        serde_json::from_str::<D>(json).unwrap().v
    }

    #[test]
    fn decimals_keep_exact_text() {
        let z = dv(r#"{"v":0E-8}"#).unwrap();
        assert_eq!(z, Decimal::ZERO);
        assert_eq!(z.scale(), 8);
        assert_eq!(
            dv(r#"{"v":525.00000000}"#).unwrap().to_string(),
            "525.00000000"
        );
        assert_eq!(dv(r#"{"v":"480.00000000"}"#), Some(dec!(480)));
        assert_eq!(
            dv(r#"{"v":12345678901.12345678}"#).unwrap().to_string(),
            "12345678901.12345678"
        );
        assert_eq!(dv(r#"{"v":null}"#), None);
        assert_eq!(dv(r#"{"v":""}"#), None);
        assert_eq!(dv(r#"{}"#), None);
        assert!(serde_json::from_str::<D>(r#"{"v":"abc"}"#).is_err());
        // through serde_json::Value as well (numbers are f64 there; values stay equal)
        let v: serde_json::Value = serde_json::from_str(r#"{"v":25.5}"#).unwrap();
        assert_eq!(serde_json::from_value::<D>(v).unwrap().v, Some(dec!(25.5)));
    }

    #[test]
    fn dates_in_every_shape() {
        let js = parse_utc_datetime("Wed May 24 2017 16:14:17 GMT+00:00").unwrap();
        assert_eq!(js.to_rfc3339(), "2017-05-24T16:14:17+00:00");
        let micro = parse_utc_datetime("2021-11-17T22:44:09.000164Z").unwrap();
        assert_eq!(micro.timestamp_subsec_micros(), 164);
        let rfc2822 = parse_utc_datetime("Mon, 08 May 2017 23:05:52 GMT").unwrap();
        assert_eq!(rfc2822.to_rfc3339(), "2017-05-08T23:05:52+00:00");
        let no_colon = parse_utc_datetime("2016-09-29T15:05:00-0800").unwrap();
        assert_eq!(no_colon.to_rfc3339(), "2016-09-29T23:05:00+00:00");
        assert!(parse_utc_datetime("yesterday").is_none());
    }
}
