//! Generic paging: [`Page`], [`Cursor`] and [`Paginator`].
//!
//! Every list call offers `send()` (one page), `pages()` (a `Stream` of pages) and `stream()`
//! (a `Stream` of items). A [`Paginator`] is built from the first [`Request`] plus a decode
//! function that maps one response envelope to a [`Page`] (items + next cursor). The cursor
//! kinds cover every Concur paging style: v3 `NextPage` links (followed verbatim, so filters
//! survive every page), opaque offsets, page numbers (List v4), SCIM `startIndex` and
//! Identity v4.1 `cursor`.
//!
//! Guards: a repeated cursor, or an empty page that still has a next cursor, ends the stream
//! with [`Error::Pagination`]; a next link that fails the [trust rule](crate::trust) ends it
//! with [`Error::UntrustedBaseUrl`]. Items that fail to decode do **not** end the stream:
//! [`Page::skipped`] keeps their decode errors and `stream()` yields them as `Err` items
//! between the good ones.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use url::Url;

use crate::error::{Error, PaginationErrorReason, Result};
use crate::http::{RawResponse, Request, decode_value};

/// Where the next page starts. Opaque: built by each API family's decoder.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Cursor(pub(crate) CursorKind);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum CursorKind {
    /// An absolute URL followed verbatim (v3 `NextPage`, Receipts v4 `next`, List v4 `next` link).
    NextUrl(Url),
    /// An opaque `offset` query value.
    Offset(String),
    /// A 1-based `page` number (List v4).
    PageNumber(u32),
    /// A 1-based SCIM `startIndex`.
    StartIndex(u32),
    /// An opaque `cursor` (Identity v4.1 `nextCursor`).
    Cursor(String),
}

impl Cursor {
    /// Follow this absolute URL verbatim.
    pub(crate) fn next_url(url: Url) -> Self {
        Self(CursorKind::NextUrl(url))
    }
    /// Set `offset=<value>` on the first request.
    #[allow(dead_code)]
    pub(crate) fn offset(value: impl Into<String>) -> Self {
        Self(CursorKind::Offset(value.into()))
    }
    /// Set `page=<n>` on the first request.
    #[allow(dead_code)]
    pub(crate) fn page_number(n: u32) -> Self {
        Self(CursorKind::PageNumber(n))
    }
    /// Set `startIndex=<n>` on the first request.
    #[allow(dead_code)]
    pub(crate) fn start_index(n: u32) -> Self {
        Self(CursorKind::StartIndex(n))
    }
    /// Set `cursor=<value>` on the first request.
    #[allow(dead_code, clippy::self_named_constructors)]
    pub(crate) fn cursor(value: impl Into<String>) -> Self {
        Self(CursorKind::Cursor(value.into()))
    }

    /// For logs: the kind and a non-secret summary (a next URL shows its path only).
    fn describe(&self) -> String {
        match &self.0 {
            CursorKind::NextUrl(u) => format!("next link {}", u.path()),
            CursorKind::Offset(o) => format!("offset {o}"),
            CursorKind::PageNumber(n) => format!("page {n}"),
            CursorKind::StartIndex(n) => format!("startIndex {n}"),
            CursorKind::Cursor(c) => format!("cursor {c}"),
        }
    }
}

impl std::fmt::Debug for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cursor({})", self.describe())
    }
}

/// One page of a list call.
#[derive(Debug)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items that decoded.
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
    /// Total number of records, when the API says (Invoice `TotalCount`, SCIM `totalResults`).
    pub total_count: Option<u64>,
    /// Decode errors of items that were skipped (each names its JSON path, e.g. `Items[3].TransactionAmount`).
    pub skipped: Vec<Error>,
}

impl<T> Page<T> {
    /// A page with items and a next cursor.
    pub(crate) fn new(items: Vec<T>, next: Option<Cursor>) -> Self {
        Self {
            items,
            next,
            total_count: None,
            skipped: Vec::new(),
        }
    }

    /// Whether another page follows.
    pub fn has_next(&self) -> bool {
        self.next.is_some()
    }
}

/// Maps one response to a page (each API family supplies one).
pub(crate) type DecodeFn<T> = Arc<dyn Fn(&RawResponse) -> Result<Page<T>> + Send + Sync>;
/// Builds the request for a cursor from the first request.
pub(crate) type ApplyCursorFn = Arc<dyn Fn(&Request, &Cursor) -> Result<Request> + Send + Sync>;

/// The default way to apply a cursor: follow a next URL verbatim, or set `offset`, `page`,
/// `startIndex` or `cursor` on the first request (keeping its other parameters).
pub(crate) fn default_apply(first: &Request, cursor: &Cursor) -> Result<Request> {
    Ok(match &cursor.0 {
        CursorKind::NextUrl(u) => Request::get_url(first.client.clone(), u.clone())
            .api_group(first.api_group)
            .with_headers_of(first),
        CursorKind::Offset(o) => first.clone().set_query("offset", o.clone()),
        CursorKind::PageNumber(n) => first.clone().set_query("page", n.to_string()),
        CursorKind::StartIndex(n) => first.clone().set_query("startIndex", n.to_string()),
        CursorKind::Cursor(c) => first.clone().set_query("cursor", c.clone()),
    })
}

impl Request {
    fn with_headers_of(mut self, other: &Request) -> Self {
        for (k, v) in &other.headers {
            self.headers.insert(k.clone(), v.clone());
        }
        self
    }
}

/// Drives a list call page by page. Owns its [`Client`](crate::Client) (through the first
/// request), so its streams are `'static + Send`.
pub struct Paginator<T> {
    first: Request,
    decode: DecodeFn<T>,
    apply: ApplyCursorFn,
    max_pages: Option<u32>,
    fail: Option<Error>,
}

impl<T> std::fmt::Debug for Paginator<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator")
            .field("first", &self.first)
            .field("max_pages", &self.max_pages)
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Paginator<T> {
    /// A paginator from the first request and a decoder for one response.
    pub(crate) fn new(
        first: Request,
        decode: impl Fn(&RawResponse) -> Result<Page<T>> + Send + Sync + 'static,
    ) -> Self {
        Self {
            first,
            decode: Arc::new(decode),
            apply: Arc::new(default_apply),
            max_pages: None,
            fail: None,
        }
    }

    /// A paginator whose first page fails with `error` (invalid builder arguments).
    pub(crate) fn failing(client: &crate::Client, error: Error) -> Self {
        let mut p = Self::new(
            Request::new(client.clone(), reqwest::Method::GET, ""),
            |_| Err(Error::Config("unreachable".into())),
        );
        p.fail = Some(error);
        p
    }

    /// Replaces how a cursor turns into the next request (e.g. a POST `.search` body cursor).
    #[allow(dead_code)]
    pub(crate) fn with_cursor_fn(
        mut self,
        f: impl Fn(&Request, &Cursor) -> Result<Request> + Send + Sync + 'static,
    ) -> Self {
        self.apply = Arc::new(f);
        self
    }

    /// Stops (without error) after `n` pages.
    pub fn max_pages(mut self, n: u32) -> Self {
        self.max_pages = Some(n.max(1));
        self
    }

    /// Sends the first page.
    ///
    /// # Errors
    /// Any request error, or [`Error::Decode`] when the envelope itself cannot be decoded.
    pub async fn send(self) -> Result<Page<T>> {
        if let Some(e) = self.fail {
            return Err(e);
        }
        let resp = self.first.clone().send().await?;
        (self.decode)(&resp)
    }

    /// Sends the page that `cursor` (from an earlier [`Page::next`]) points to.
    ///
    /// # Errors
    /// As [`Paginator::send`], plus [`Error::UntrustedBaseUrl`] for an untrusted next link.
    pub async fn send_at(self, cursor: &Cursor) -> Result<Page<T>> {
        if let Some(e) = self.fail {
            return Err(e);
        }
        let req = (self.apply)(&self.first, cursor)?;
        let resp = req.send().await?;
        (self.decode)(&resp)
    }

    /// All pages, lazily, as a stream. Ends after the last page, or with one `Err` (after
    /// which it yields nothing).
    pub fn pages(mut self) -> BoxStream<'static, Result<Page<T>>> {
        enum Next {
            First,
            At(Cursor),
            Fail(Error),
            Done,
        }
        struct State<T> {
            p: Paginator<T>,
            next: Next,
            seen: HashSet<Cursor>,
            count: u32,
        }
        let next = match self.fail.take() {
            Some(e) => Next::Fail(e),
            None => Next::First,
        };
        let st = State {
            p: self,
            next,
            seen: HashSet::new(),
            count: 0,
        };
        stream::try_unfold(st, |mut st| async move {
            let req = match std::mem::replace(&mut st.next, Next::Done) {
                Next::Done => return Ok(None),
                Next::Fail(e) => {
                    st.p.first_client().metrics().record_error();
                    return Err(e);
                }
                Next::First => st.p.first.clone(),
                Next::At(c) => (st.p.apply)(&st.p.first, &c)?,
            };
            let endpoint = st.p.first.endpoint();
            let resp = req.send().await?;
            let page = (st.p.decode)(&resp)?;
            st.count += 1;
            tracing::debug!(endpoint = %endpoint, page = st.count, items = page.items.len(), has_next = page.next.is_some(), "page");
            if let Some(next) = &page.next {
                if page.items.is_empty() && page.skipped.is_empty() {
                    st.p.first_client().metrics().record_error();
                    return Err(Error::Pagination {
                        endpoint,
                        reason: PaginationErrorReason::EmptyPageWithNext,
                    });
                }
                if let CursorKind::NextUrl(u) = &next.0
                    && !st.p.first_client().inner.transport.is_trusted(u)
                {
                    st.next = Next::Fail(Error::UntrustedBaseUrl {
                        url: crate::trust::display_url(u),
                        context: "next-page link",
                    });
                    return Ok(Some((page, st)));
                }
                if !st.seen.insert(next.clone()) {
                    st.next = Next::Fail(Error::Pagination {
                        endpoint,
                        reason: PaginationErrorReason::RepeatedCursor,
                    });
                } else if st.p.max_pages.is_some_and(|m| st.count >= m) {
                    st.next = Next::Done;
                } else {
                    st.next = Next::At(next.clone());
                }
            }
            Ok(Some((page, st)))
        })
        .boxed()
    }

    /// All items of all pages, lazily. Transport, trust and paging errors end the stream;
    /// an item that fails to decode is yielded as one `Err` and the stream goes on.
    pub fn stream(self) -> BoxStream<'static, Result<T>> {
        self.pages()
            .map_ok(|page| {
                stream::iter(
                    page.items
                        .into_iter()
                        .map(Ok)
                        .chain(page.skipped.into_iter().map(Err)),
                )
            })
            .try_flatten()
            .boxed()
    }
}

impl<T> Paginator<T> {
    fn first_client(&self) -> &crate::Client {
        &self.first.client
    }
}

/// Generates `send()`, `pages()` and `stream()` on a list builder that has
/// `pub fn paginator(self) -> Paginator<$item>`.
macro_rules! list_methods {
    ($item:ty) => {
        /// Sends the request and returns the first page.
        ///
        /// # Errors
        /// Any [`Error`](crate::Error) from the request or the envelope decoding.
        pub async fn send(self) -> $crate::Result<$crate::Page<$item>> {
            self.paginator().send().await
        }

        /// All pages as a `'static + Send` stream (see [`Paginator::pages`](crate::Paginator::pages)).
        pub fn pages(
            self,
        ) -> ::futures::stream::BoxStream<'static, $crate::Result<$crate::Page<$item>>> {
            self.paginator().pages()
        }

        /// All items of all pages as a `'static + Send` stream (see
        /// [`Paginator::stream`](crate::Paginator::stream)).
        pub fn stream(self) -> ::futures::stream::BoxStream<'static, $crate::Result<$item>> {
            self.paginator().stream()
        }
    };
}
pub(crate) use list_methods;

/// One collection item, as parsed JSON or as its literal text.
pub(crate) trait ItemSource {
    /// Decodes the item, the path in errors prefixed by `prefix` (e.g. `Items[3]`).
    fn decode<T: DeserializeOwned>(self, endpoint: &str, prefix: &str) -> Result<T>;
}

impl ItemSource for serde_json::Value {
    fn decode<T: DeserializeOwned>(self, endpoint: &str, prefix: &str) -> Result<T> {
        decode_value(self, endpoint, prefix)
    }
}

/// Literal item text: numbers reach the model as written (exact decimals, never `f64`).
impl ItemSource for Box<RawValue> {
    fn decode<T: DeserializeOwned>(self, endpoint: &str, prefix: &str) -> Result<T> {
        let mut de = serde_json::Deserializer::from_str(self.get());
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let inner = e.path().to_string();
            let path = if inner == "." {
                prefix.to_owned()
            } else {
                format!("{prefix}.{inner}")
            };
            Error::Decode {
                endpoint: endpoint.to_owned(),
                path,
                message: e.inner().to_string(),
            }
        })
    }
}

/// Decodes items one by one; failures are returned separately with their paths
/// (`{key}[{index}]...`).
pub(crate) fn decode_items<T: DeserializeOwned, V: ItemSource>(
    values: Vec<V>,
    endpoint: &str,
    key: &str,
) -> (Vec<T>, Vec<Error>) {
    let mut items = Vec::with_capacity(values.len());
    let mut skipped = Vec::new();
    for (i, v) in values.into_iter().enumerate() {
        match v.decode(endpoint, &format!("{key}[{i}]")) {
            Ok(t) => items.push(t),
            Err(e) => {
                tracing::warn!(error = %e, "skipping a record that does not decode");
                skipped.push(e);
            }
        }
    }
    (items, skipped)
}

/// Decodes a v3 collection envelope `{"Items":[...], "NextPage": "<url>"|null, "TotalCount"?}`.
/// `NextPage` null, missing or empty ends the listing; otherwise it is followed verbatim.
///
/// # Errors
/// [`Error::Decode`] when the body is not a JSON object or `NextPage` is not a URL.
pub(crate) fn v3_page<T: DeserializeOwned>(resp: &RawResponse) -> Result<Page<T>> {
    // Items stay literal JSON text until their model decodes them: a `serde_json::Value` would
    // turn every amount into an `f64` first.
    let raw: Box<RawValue> = resp.json()?;
    let not_object = || Error::Decode {
        endpoint: resp.endpoint.clone(),
        path: ".".into(),
        message: "expected a JSON object with Items".into(),
    };
    let mut obj: BTreeMap<String, Box<RawValue>> =
        serde_json::from_str(raw.get()).map_err(|_| not_object())?;
    // A body without `Items` is not a v3 collection (an HTML error page, another family's
    // envelope): a decode error, never "zero rows".
    let values = take_raw_array(&mut obj, "Items").map_err(|message| Error::Decode {
        endpoint: resp.endpoint.clone(),
        path: "Items".into(),
        message: message.into(),
    })?;
    let (items, skipped) = decode_items(values, &resp.endpoint, "Items");
    let scalar = |key: &str| -> Option<serde_json::Value> {
        obj.get(key)
            .and_then(|r| serde_json::from_str(r.get()).ok())
    };
    let next = match scalar("NextPage") {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
            let url = Url::parse(s.trim()).map_err(|e| Error::Decode {
                endpoint: resp.endpoint.clone(),
                path: "NextPage".into(),
                message: format!("not a URL: {e}"),
            })?;
            Some(Cursor::next_url(url))
        }
        _ => None,
    };
    let total_count = scalar("TotalCount").and_then(|v| match v {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    Ok(Page {
        items,
        next,
        total_count,
        skipped,
    })
}

/// Reads a JSON array (or a single object, as swagger sometimes describes `Items`, or null) at
/// `key` of an object, keeping each element as literal JSON.
///
/// # Errors
/// A message when `key` is absent or holds neither an array, an object nor null.
pub(crate) fn take_raw_array(
    obj: &mut BTreeMap<String, Box<RawValue>>,
    key: &str,
) -> std::result::Result<Vec<Box<RawValue>>, &'static str> {
    let Some(raw) = obj.remove(key) else {
        return Err("unexpected envelope: the response has no Items array");
    };
    match raw.get().trim_start().as_bytes().first() {
        Some(b'[') => serde_json::from_str(raw.get())
            .map_err(|_| "unexpected envelope: Items is not a JSON array"),
        Some(b'n') => Ok(Vec::new()),
        Some(b'{') => Ok(vec![raw]),
        _ => Err("unexpected envelope: Items is neither an array nor an object"),
    }
}
