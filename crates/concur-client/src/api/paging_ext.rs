//! Envelope decoders for the paging styles of the Invoice, Imaging, List, Users and Receipts
//! families, plugged into the generic [`Paginator`](crate::Paginator) (see `pagination.rs`).
//!
//! All of them are strict about the envelope: a body without the expected collection key (or
//! with a collection that is not an array) is [`Error::Decode`], never an empty page. Items
//! are decoded one by one; an item that fails is kept in [`Page::skipped`].
//!
//! | Style | Envelope | Next cursor |
//! |---|---|---|
//! | v3 offset token | `{Items \| PaymentRequestDigest \| Vendor: [...], NextPage, TotalCount?}` | `NextPage` URL, followed verbatim |
//! | List v4 (HAL) | `{content: [...], page: {number, totalPages, ...}, links: [{rel, href}]}` | `links[rel=next]`, else `page=number+1` while `number < totalPages` |
//! | SCIM v4 | `{totalResults, startIndex, itemsPerPage, Resources}` | `startIndex + n` while below `totalResults` |
//! | Identity v4.1 | `{totalResults, itemsPerPage, Resources, nextCursor?}` | `cursor=nextCursor` |
//! | Receipts v4 | `{receiptsImages: [...], next?}` | `next` URL |

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use url::Url;

use crate::error::{Error, Result};
use crate::http::RawResponse;
use crate::pagination::{Cursor, Page, decode_items};

fn decode_err(resp: &RawResponse, path: &str, message: impl Into<String>) -> Error {
    Error::Decode {
        endpoint: resp.endpoint.clone(),
        path: path.into(),
        message: message.into(),
    }
}

fn object(resp: &RawResponse, what: &str) -> Result<Map<String, Value>> {
    match resp.json::<Value>()? {
        Value::Object(o) => Ok(o),
        other => Err(decode_err(
            resp,
            ".",
            format!("expected a JSON object with {what}, found {}", kind(&other)),
        )),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Takes the array at the first of `keys` that is present. `null` is an empty collection;
/// a missing key or a non-array value is a decode error.
fn array_at(
    resp: &RawResponse,
    obj: &mut Map<String, Value>,
    keys: &[&str],
) -> Result<(String, Vec<Value>)> {
    for key in keys {
        match obj.remove(*key) {
            None => continue,
            Some(Value::Null) => continue,
            Some(Value::Array(a)) => return Ok(((*key).to_owned(), a)),
            Some(other) => {
                return Err(decode_err(
                    resp,
                    key,
                    format!("expected an array, found {}", kind(&other)),
                ));
            }
        }
    }
    // every key absent or null: only acceptable when at least one key was present as null
    Err(decode_err(
        resp,
        ".",
        format!("expected a collection under {}", keys.join(" or ")),
    ))
}

fn url_at(resp: &RawResponse, obj: &Map<String, Value>, key: &str) -> Result<Option<Url>> {
    match obj.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Url::parse(s.trim())
            .map(Some)
            .map_err(|e| decode_err(resp, key, format!("not a URL: {e}"))),
        Some(Value::Null) | None => Ok(None),
        Some(Value::String(_)) => Ok(None),
        Some(other) => Err(decode_err(
            resp,
            key,
            format!("expected a URL, found {}", kind(other)),
        )),
    }
}

fn u64_at(obj: &Map<String, Value>, key: &str) -> Option<u64> {
    match obj.get(key)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The elements of the array at `key` (already checked by [`array_at`]) as literal JSON, so
/// that amounts reach the models as written (a `Value` holds non-integers as `f64`).
fn exact_items(resp: &RawResponse, key: &str, checked: Vec<Value>) -> Result<Vec<Box<RawValue>>> {
    if checked.is_empty() {
        return Ok(Vec::new());
    }
    let mut obj: BTreeMap<String, Box<RawValue>> = resp.json()?;
    let raw = obj
        .remove(key)
        .ok_or_else(|| decode_err(resp, key, "collection disappeared"))?;
    serde_json::from_str(raw.get()).map_err(|e| decode_err(resp, key, e.to_string()))
}

/// v3 collection: the items under the first present key of `keys` (Invoice sends `Items` and
/// a duplicate `PaymentRequestDigest`/`Vendor` array), `NextPage` followed verbatim,
/// `TotalCount` when present. `Items: null` with no alternative is an empty last page.
pub(crate) fn v3_strict<T: DeserializeOwned>(resp: &RawResponse, keys: &[&str]) -> Result<Page<T>> {
    let mut obj = object(resp, "Items")?;
    let explicit_null = keys
        .iter()
        .any(|k| matches!(obj.get(*k), Some(Value::Null)));
    let (key, values) = match array_at(resp, &mut obj, keys) {
        Ok(v) => v,
        Err(_) if explicit_null => (keys[0].to_owned(), Vec::new()),
        Err(e) => return Err(e),
    };
    let values = exact_items(resp, &key, values)?;
    let (items, skipped) = decode_items(values, &resp.endpoint, &key);
    let next = url_at(resp, &obj, "NextPage")?.map(Cursor::next_url);
    let mut page = Page::new(items, next);
    page.total_count = u64_at(&obj, "TotalCount");
    page.skipped = skipped;
    Ok(page)
}

/// List v4 page (`content`, `page`, `links`).
pub(crate) fn hal_page<T: DeserializeOwned>(resp: &RawResponse) -> Result<Page<T>> {
    let mut obj = object(resp, "content")?;
    let (_, values) = array_at(resp, &mut obj, &["content"])?;
    let values = exact_items(resp, "content", values)?;
    let (items, skipped) = decode_items(values, &resp.endpoint, "content");
    let next_link = match obj.get("links") {
        Some(Value::Array(links)) => links.iter().find_map(|l| {
            let rel = l.get("rel")?.as_str()?;
            if rel.eq_ignore_ascii_case("next") {
                l.get("href")?.as_str().map(str::to_owned)
            } else {
                None
            }
        }),
        Some(Value::Object(map)) => map
            .get("next")
            .and_then(|n| n.get("href").or(Some(n)))
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    };
    let page_info = obj.get("page").and_then(Value::as_object);
    let number = page_info.and_then(|p| u64_at(p, "number"));
    let total_pages = page_info.and_then(|p| u64_at(p, "totalPages"));
    let next = if let Some(href) = next_link {
        let url = Url::parse(&href)
            .map_err(|e| decode_err(resp, "links.next", format!("not a URL: {e}")))?;
        Some(Cursor::next_url(url))
    } else {
        match (number, total_pages) {
            (Some(n), Some(t)) if n < t => Some(Cursor::page_number(
                u32::try_from(n + 1).unwrap_or(u32::MAX),
            )),
            _ => None,
        }
    };
    let mut page = Page::new(items, next);
    page.total_count = page_info.and_then(|p| u64_at(p, "totalElements"));
    page.skipped = skipped;
    Ok(page)
}

fn scim_resources(resp: &RawResponse, obj: &mut Map<String, Value>) -> Result<(Vec<Value>, u64)> {
    let total = u64_at(obj, "totalResults")
        .ok_or_else(|| decode_err(resp, "totalResults", "missing SCIM totalResults"))?;
    let values = match obj.remove("Resources") {
        Some(Value::Array(a)) => a,
        // RFC 7644: Resources may be omitted when there are no results.
        None | Some(Value::Null) if total == 0 => Vec::new(),
        None | Some(Value::Null) => {
            return Err(decode_err(
                resp,
                "Resources",
                format!("missing although totalResults is {total}"),
            ));
        }
        Some(other) => {
            return Err(decode_err(
                resp,
                "Resources",
                format!("expected an array, found {}", kind(&other)),
            ));
        }
    };
    Ok((values, total))
}

/// Identity v4 SCIM page paged by `startIndex` (1-based) / `count`.
pub(crate) fn scim_start_index_page<T: DeserializeOwned>(resp: &RawResponse) -> Result<Page<T>> {
    let mut obj = object(resp, "Resources")?;
    let (values, total) = scim_resources(resp, &mut obj)?;
    let start = u64_at(&obj, "startIndex").unwrap_or(1).max(1);
    let n = values.len() as u64;
    let values = exact_items(resp, "Resources", values)?;
    let (items, skipped) = decode_items(values, &resp.endpoint, "Resources");
    let next_index = start + n;
    let next = if n > 0 && next_index <= total {
        Some(Cursor::start_index(
            u32::try_from(next_index).unwrap_or(u32::MAX),
        ))
    } else {
        None
    };
    let mut page = Page::new(items, next);
    page.total_count = Some(total);
    page.skipped = skipped;
    Ok(page)
}

/// Identity v4.1 SCIM page paged by `cursor` / `nextCursor`.
pub(crate) fn scim_cursor_page<T: DeserializeOwned>(resp: &RawResponse) -> Result<Page<T>> {
    let mut obj = object(resp, "Resources")?;
    let (values, total) = scim_resources(resp, &mut obj)?;
    let values = exact_items(resp, "Resources", values)?;
    let (items, skipped) = decode_items(values, &resp.endpoint, "Resources");
    let next = match obj.get("nextCursor") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(Cursor::cursor(s.trim())),
        _ => None,
    };
    let mut page = Page::new(items, next);
    page.total_count = Some(total);
    page.skipped = skipped;
    Ok(page)
}

/// A `{<key>: [...], next?: "<url>"}` page (Receipts v4 image-only receipts).
pub(crate) fn next_link_page<T: DeserializeOwned>(
    resp: &RawResponse,
    key: &str,
) -> Result<Page<T>> {
    let mut obj = object(resp, key)?;
    let (k, values) = array_at(resp, &mut obj, &[key])?;
    let values = exact_items(resp, &k, values)?;
    let (items, skipped) = decode_items(values, &resp.endpoint, &k);
    let next = url_at(resp, &obj, "next")?.map(Cursor::next_url);
    let mut page = Page::new(items, next);
    page.skipped = skipped;
    Ok(page)
}
