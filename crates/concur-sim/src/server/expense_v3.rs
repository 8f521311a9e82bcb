//! Expense v3.0: reports, entries, itemizations, allocations (`/api/v3.0/expense/...`).
//!
//! Sources: <https://developer.concur.com/api-reference/expense/expense-report/v3.reports.html>,
//! `expense-entry.html`, `expense-itemization.html`, `allocations/expense-allocations.html`.
//!
//! Paging: `limit` 1..=100 (default 25), opaque `offset` tokens, absolute `NextPage` URLs that
//! keep every other query parameter. `user`: absent = the token's own user; `ALL` = every user
//! (admin tokens only, collections only); a login = that user (admin, or the user themself).

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::{AppState, Family, Principal, Shared, Tenant, authorize, error, respond};
use crate::config::ApiGroup;
use crate::model::ReportBundle;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v3.0/expense/reports", get(list_reports))
        .route("/api/v3.0/expense/reports/{id}", get(get_report))
        .route("/api/v3.0/expense/entries", get(list_entries))
        .route("/api/v3.0/expense/entries/{id}", get(get_entry))
        .route("/api/v3.0/expense/itemizations", get(list_itemizations))
        .route("/api/v3.0/expense/itemizations/{id}", get(get_itemization))
        .route("/api/v3.0/expense/allocations", get(list_allocations))
        .route("/api/v3.0/expense/allocations/{id}", get(get_allocation))
}

/// Parsed query string (order kept, keys compared case-insensitively).
pub(crate) struct Query(pub Vec<(String, String)>);

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        Query(
            url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
        )
    }
    pub(crate) fn get(&self, k: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(a, _)| a.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.as_str())
    }
    /// `base + path + ?query` with `offset` replaced.
    pub(crate) fn next_url(
        &self,
        base: &str,
        path: &str,
        offset_key: &str,
        offset: &str,
    ) -> String {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.0 {
            if !k.eq_ignore_ascii_case(offset_key) {
                ser.append_pair(k, v);
            }
        }
        ser.append_pair(offset_key, offset);
        format!("{base}{path}?{}", ser.finish())
    }
}

/// A position in the walk: report index, entry number, child number, page number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Pos {
    pub report: usize,
    pub entry: usize,
    pub child: usize,
    pub page: u32,
}

pub(crate) fn encode_offset(p: Pos) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        "sim1:{}:{}:{}:{}",
        p.report, p.entry, p.child, p.page
    ))
}

pub(crate) fn decode_offset(s: &str) -> Option<Pos> {
    let raw = URL_SAFE_NO_PAD.decode(s.trim()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let mut it = text.strip_prefix("sim1:")?.split(':');
    Some(Pos {
        report: it.next()?.parse().ok()?,
        entry: it.next()?.parse().ok()?,
        child: it.next()?.parse().ok()?,
        page: it.next()?.parse().ok()?,
    })
}

/// Whose data a request covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    All,
    User(u32),
    Nobody,
}

impl Scope {
    fn covers(self, owner: u32) -> bool {
        match self {
            Scope::All => true,
            Scope::User(u) => u == owner,
            Scope::Nobody => false,
        }
    }
}

fn bad(h: &HeaderMap, m: &str) -> Response {
    error(Family::V3, StatusCode::BAD_REQUEST, m, h)
}

pub(crate) fn scope(
    t: &Tenant,
    p: Principal,
    user: Option<&str>,
    single: bool,
    h: &HeaderMap,
) -> Result<Scope, Response> {
    match user {
        None | Some("") => Ok(match p {
            Principal::User(u) => Scope::User(u),
            _ => {
                if single {
                    Scope::All // resolved by owner check in the caller
                } else {
                    Scope::Nobody
                }
            }
        }),
        Some(u) if u.eq_ignore_ascii_case("ALL") => {
            if single {
                Err(bad(
                    h,
                    "The user parameter value ALL is not allowed on requests for a single resource",
                ))
            } else if p.is_admin() {
                Ok(Scope::All)
            } else {
                Err(error(
                    Family::V3,
                    StatusCode::FORBIDDEN,
                    "user=ALL requires the Web Services Administrator role",
                    h,
                ))
            }
        }
        Some(login) => {
            let idx = t.user_index(login);
            match (p, idx) {
                (Principal::User(me), Some(i)) if me == i => Ok(Scope::User(i)),
                (Principal::User(_), _) => Err(error(
                    Family::V3,
                    StatusCode::FORBIDDEN,
                    "Acting for another user requires the Web Services Administrator role",
                    h,
                )),
                (_, Some(i)) => Ok(Scope::User(i)),
                (_, None) => Ok(Scope::Nobody),
            }
        }
    }
}

pub(crate) fn limit(
    q: &Query,
    h: &HeaderMap,
    max: usize,
    default: usize,
) -> Result<usize, Response> {
    match q.get("limit") {
        None | Some("") => Ok(default),
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(bad(
                h,
                &format!("limit must be an integer between 1 and {max}"),
            )),
        },
    }
}

pub(crate) fn offset(q: &Query, h: &HeaderMap) -> Result<Pos, Response> {
    match q.get("offset") {
        None | Some("") => Ok(Pos::default()),
        Some(s) => decode_offset(s).ok_or_else(|| bad(h, "The offset value is not valid")),
    }
}

fn parse_date(s: &str) -> Option<NaiveDateTime> {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0);
    }
    crate::data::parse_ts(s)
}

/// Effective meta of report `i` after overrides; `None` if deleted or out of range.
pub(crate) struct Eff<'a> {
    pub owner: u32,
    pub last_modified: NaiveDateTime,
    pub submitted: Option<NaiveDateTime>,
    pub approval: &'a str,
    pub payment: &'a str,
}

pub(crate) fn effective(t: &Tenant, i: usize) -> Option<Eff<'_>> {
    let m = t.data.meta(i)?;
    let mut e = Eff {
        owner: m.owner,
        last_modified: m.last_modified,
        submitted: m.submitted,
        approval: m.approval,
        payment: m.payment,
    };
    if let Some(o) = t.override_of(i) {
        if o.deleted {
            return None;
        }
        if o.recalled {
            e.approval = "A_NOTF";
            e.payment = "P_NOTP";
            e.submitted = None;
        }
        if let Some(m) = o.modified {
            e.last_modified = m;
        }
    }
    Some(e)
}

/// Load report `i` with overrides, fault adjustments and URIs applied.
pub(crate) fn load(st: &Shared, t: &Tenant, i: usize) -> Option<ReportBundle> {
    let mut b = t.data.report(i)?;
    if let Some(o) = t.override_of(i) {
        if o.deleted {
            return None;
        }
        if o.recalled {
            b.report.approval_status_code = "A_NOTF".to_owned();
            b.report.approval_status_name = "Not Submitted".to_owned();
            b.report.payment_status_code = "P_NOTP".to_owned();
            b.report.payment_status_name = "Not Paid".to_owned();
            b.report.submit_date = None;
            b.report.paid_date = None;
            b.report.processing_payment_date = None;
        }
        if let Some(m) = o.modified {
            let s = crate::generator::fmt_ts(m);
            b.report.last_modified_date = s.clone();
            for e in &mut b.entries {
                e.entry.last_modified = s.clone();
            }
        }
    }
    if t.cfg.faults.total_mismatch_reports.contains(&i) {
        b.report.total += rust_decimal::Decimal::ONE;
    }
    let base = &st.base_url;
    b.report.uri = format!("{base}/api/v3.0/expense/reports/{}", b.report.id);
    for e in &mut b.entries {
        e.entry.uri = format!("{base}/api/v3.0/expense/entries/{}", e.entry.id);
        for x in &mut e.itemizations {
            x.uri = format!("{base}/api/v3.0/expense/itemizations/{}", x.id);
        }
        for x in &mut e.allocations {
            x.uri = format!("{base}/api/v3.0/expense/allocations/{}", x.id);
        }
    }
    Some(b)
}

#[derive(Serialize)]
struct Page<T> {
    #[serde(rename = "Items")]
    items: Vec<T>,
    #[serde(rename = "NextPage")]
    next_page: Option<String>,
}

fn page_response<T: Serialize>(h: &HeaderMap, page: &Page<T>, root: &str, item: &str) -> Response {
    if super::wants_json(h) {
        match serde_json::to_vec(page) {
            Ok(b) => (
                [(
                    axum::http::header::CONTENT_TYPE,
                    "application/json; charset=utf-8",
                )],
                b,
            )
                .into_response_ok(),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response_ok(),
        }
    } else {
        let v = serde_json::to_value(page).unwrap_or_default();
        respond(h, &v, root, item)
    }
}

trait IntoResponseOk {
    fn into_response_ok(self) -> Response;
}
impl<T: axum::response::IntoResponse> IntoResponseOk for T {
    fn into_response_ok(self) -> Response {
        self.into_response()
    }
}

fn next_page(
    st: &Shared,
    t: &Tenant,
    q: &Query,
    path: &str,
    cur: Pos,
    next: Option<Pos>,
) -> Option<String> {
    let mut next = next?;
    next.page = cur.page + 1;
    if let Some(n) = t.cfg.faults.repeating_next_page_after
        && cur.page + 1 >= n
    {
        // faulty server: the next page is the current page again
        next = cur;
    }
    Some(q.next_url(&st.base_url, path, "offset", &encode_offset(next)))
}

fn csv_list(s: Option<&str>) -> Option<Vec<String>> {
    s.filter(|s| !s.is_empty()).map(|s| {
        s.split(',')
            .map(|x| x.trim().to_ascii_uppercase())
            .collect()
    })
}

async fn list_reports(
    State(st): State<AppState>,
    h: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::ExpenseReport, Family::V3) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let q = Query::parse(raw.as_deref());
    let run = || -> Result<Response, Response> {
        let sc = scope(t, p, q.get("user"), false, &h)?;
        let lim = limit(&q, &h, 100, 25)?;
        let pos = offset(&q, &h)?;
        let date = |k: &str| -> Result<Option<NaiveDateTime>, Response> {
            match q.get(k) {
                None | Some("") => Ok(None),
                Some(s) => parse_date(s)
                    .map(Some)
                    .ok_or_else(|| bad(&h, &format!("{k} is not a valid date"))),
            }
        };
        let (ma, mb, sa, sb) = (
            date("modifiedDateAfter")?,
            date("modifiedDateBefore")?,
            date("submitDateAfter")?,
            date("submitDateBefore")?,
        );
        let approval = csv_list(q.get("approvalStatusCode"));
        let payment = csv_list(q.get("paymentStatusCode"));
        let matches = |i: usize| -> bool {
            let Some(e) = effective(t, i) else {
                return false;
            };
            sc.covers(e.owner)
                && ma.is_none_or(|d| e.last_modified > d)
                && mb.is_none_or(|d| e.last_modified < d)
                && sa.is_none_or(|d| e.submitted.is_some_and(|s| s > d))
                && sb.is_none_or(|d| e.submitted.is_some_and(|s| s < d))
                && approval
                    .as_ref()
                    .is_none_or(|l| l.iter().any(|c| c.eq_ignore_ascii_case(e.approval)))
                && payment
                    .as_ref()
                    .is_none_or(|l| l.iter().any(|c| c.eq_ignore_ascii_case(e.payment)))
        };
        let n = t.data.report_count();
        let mut hits = Vec::with_capacity(lim + 1);
        if sc != Scope::Nobody {
            let mut i = pos.report;
            while i < n && hits.len() <= lim {
                if matches(i) {
                    hits.push(i);
                }
                i += 1;
            }
        }
        let next = (hits.len() > lim).then(|| Pos {
            report: hits[lim],
            ..Pos::default()
        });
        hits.truncate(lim);
        let items: Vec<_> = hits
            .iter()
            .filter_map(|&i| load(&st, t, i))
            .map(|b| b.report)
            .collect();
        let page = Page {
            items,
            next_page: next_page(&st, t, &q, "/api/v3.0/expense/reports", pos, next),
        };
        Ok(page_response(&h, &page, "Reports", "Report"))
    };
    run().unwrap_or_else(|r| r)
}

/// Which child collection a walk returns.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Entries,
    Itemizations,
    Allocations,
}

struct WalkFilter<'a> {
    scope: Scope,
    report: Option<usize>,
    entry_id: Option<&'a str>,
    itemization_id: Option<&'a str>,
}

fn walk(
    st: &Shared,
    t: &Tenant,
    kind: Kind,
    f: &WalkFilter<'_>,
    start: Pos,
    lim: usize,
) -> (Vec<serde_json::Value>, Vec<u8>, Option<Pos>) {
    // returns JSON bytes of the items for speed, plus a Value list only for XML (computed lazily)
    let mut out: Vec<u8> = Vec::with_capacity(lim * 1500);
    let mut count = 0usize;
    let mut next = None;
    let n = t.data.report_count();
    let (lo, hi) = match f.report {
        Some(r) => (r.max(start.report), (r + 1).min(n)),
        None => (start.report, n),
    };
    'outer: for i in lo..hi {
        if t.data.entry_count(i) == 0 {
            continue;
        }
        let Some(e) = effective(t, i) else { continue };
        if !f.scope.covers(e.owner) {
            continue;
        }
        let Some(b) = load(st, t, i) else { continue };
        let first_entry = if i == start.report { start.entry } else { 0 };
        for (en, eb) in b.entries.iter().enumerate().skip(first_entry) {
            if let Some(id) = f.entry_id
                && eb.entry.id != id
            {
                continue;
            }
            if let Some(id) = f.itemization_id
                && !eb.itemizations.iter().any(|x| x.id == id)
            {
                continue;
            }
            let first_child = if i == start.report && en == start.entry {
                start.child
            } else {
                0
            };
            let len = match kind {
                Kind::Entries => 1,
                Kind::Itemizations => eb.itemizations.len(),
                Kind::Allocations => eb.allocations.len(),
            };
            for c in first_child..len {
                if count == lim {
                    next = Some(Pos {
                        report: i,
                        entry: en,
                        child: c,
                        page: 0,
                    });
                    break 'outer;
                }
                if count > 0 {
                    out.push(b',');
                }
                let r = match kind {
                    Kind::Entries => serde_json::to_writer(&mut out, &eb.entry),
                    Kind::Itemizations => serde_json::to_writer(&mut out, &eb.itemizations[c]),
                    Kind::Allocations => serde_json::to_writer(&mut out, &eb.allocations[c]),
                };
                if r.is_err() {
                    continue;
                }
                count += 1;
            }
        }
    }
    (Vec::new(), out, next)
}

fn raw_page(
    h: &HeaderMap,
    items_json: Vec<u8>,
    next: Option<String>,
    root: &str,
    item: &str,
) -> Response {
    let mut body = Vec::with_capacity(items_json.len() + 200);
    body.extend_from_slice(b"{\"Items\":[");
    body.extend_from_slice(&items_json);
    body.extend_from_slice(b"],\"NextPage\":");
    let np = serde_json::to_vec(&next).unwrap_or_else(|_| b"null".to_vec());
    body.extend_from_slice(&np);
    body.push(b'}');
    if super::wants_json(h) {
        (
            [(
                axum::http::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )],
            body,
        )
            .into_response_ok()
    } else {
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        respond(h, &v, root, item)
    }
}

async fn list_children(st: AppState, h: HeaderMap, raw: Option<String>, kind: Kind) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::ExpenseReport, Family::V3) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let q = Query::parse(raw.as_deref());
    let (path, root, item) = match kind {
        Kind::Entries => ("/api/v3.0/expense/entries", "Entries", "Entry"),
        Kind::Itemizations => (
            "/api/v3.0/expense/itemizations",
            "Itemizations",
            "Itemization",
        ),
        Kind::Allocations => ("/api/v3.0/expense/allocations", "Allocations", "Allocation"),
    };
    let run = || -> Result<Response, Response> {
        let sc = scope(t, p, q.get("user"), false, &h)?;
        let lim = limit(&q, &h, 100, 25)?;
        let pos = offset(&q, &h)?;
        let report = match q.get("reportID").filter(|s| !s.is_empty()) {
            Some(id) => match t.data.report_index(id) {
                Some(i) => Some(i),
                None => return Ok(raw_page(&h, Vec::new(), None, root, item)),
            },
            None => None,
        };
        let entry_id = q.get("entryID").filter(|s| !s.is_empty());
        let itemization_id = q.get("itemizationID").filter(|s| !s.is_empty());
        // narrow the walk to one report when an entry/itemization id is given
        let report = report
            .or_else(|| entry_id.and_then(|e| t.data.locate_child('e', e).map(|x| x.0)))
            .or_else(|| itemization_id.and_then(|e| t.data.locate_child('i', e).map(|x| x.0)));
        if (entry_id.is_some() || itemization_id.is_some()) && report.is_none() {
            return Ok(raw_page(&h, Vec::new(), None, root, item));
        }
        let f = WalkFilter {
            scope: sc,
            report,
            entry_id,
            itemization_id,
        };
        let (_, bytes, next) = if sc == Scope::Nobody {
            (Vec::new(), Vec::new(), None)
        } else {
            walk(&st, t, kind, &f, pos, lim)
        };
        let np = next_page(&st, t, &q, path, pos, next);
        Ok(raw_page(&h, bytes, np, root, item))
    };
    run().unwrap_or_else(|r| r)
}

async fn list_entries(
    State(st): State<AppState>,
    h: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    list_children(st, h, raw, Kind::Entries).await
}
async fn list_itemizations(
    State(st): State<AppState>,
    h: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    list_children(st, h, raw, Kind::Itemizations).await
}
async fn list_allocations(
    State(st): State<AppState>,
    h: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    list_children(st, h, raw, Kind::Allocations).await
}

/// Resolve a single-resource request: returns the loaded report bundle and entry number.
fn single(
    st: &Shared,
    t: &Tenant,
    p: Principal,
    q: &Query,
    h: &HeaderMap,
    located: Option<(usize, usize)>,
) -> Result<(ReportBundle, usize), Response> {
    let not_found = || {
        error(
            Family::V3,
            StatusCode::NOT_FOUND,
            "The requested resource was not found",
            h,
        )
    };
    let sc = scope(t, p, q.get("user"), true, h)?;
    let (ri, en) = located.ok_or_else(not_found)?;
    let e = effective(t, ri).ok_or_else(not_found)?;
    let forbidden = || {
        error(
            Family::V3,
            StatusCode::FORBIDDEN,
            "The user parameter is required unless the token belongs to the resource owner",
            h,
        )
    };
    match (sc, q.get("user").filter(|s| !s.is_empty())) {
        (Scope::User(u), None) if u != e.owner => return Err(forbidden()),
        (Scope::User(u), Some(_)) if u != e.owner => return Err(not_found()),
        (Scope::User(_), _) => {}
        (Scope::All, _) => return Err(forbidden()),
        (Scope::Nobody, _) => return Err(not_found()),
    }
    let b = load(st, t, ri).ok_or_else(not_found)?;
    Ok((b, en))
}

async fn get_report(
    State(st): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::ExpenseReport, Family::V3) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let q = Query::parse(raw.as_deref());
    match single(&st, t, p, &q, &h, t.data.report_index(&id).map(|i| (i, 0))) {
        Ok((b, _)) => super::respond_typed(&h, &b.report, "Report", "Report"),
        Err(r) => r,
    }
}

fn child_response<T: Serialize>(h: &HeaderMap, v: Option<&T>, name: &str) -> Response {
    match v {
        Some(v) => super::respond_typed(h, v, name, name),
        None => error(
            Family::V3,
            StatusCode::NOT_FOUND,
            "The requested resource was not found",
            h,
        ),
    }
}

async fn get_entry(
    State(st): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::ExpenseReport, Family::V3) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let q = Query::parse(raw.as_deref());
    match single(&st, t, p, &q, &h, t.data.locate_child('e', &id)) {
        Ok((b, n)) => child_response(
            &h,
            b.entries
                .get(n)
                .filter(|e| e.entry.id == id)
                .map(|e| &e.entry),
            "Entry",
        ),
        Err(r) => r,
    }
}

async fn get_itemization(
    State(st): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::ExpenseReport, Family::V3) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let q = Query::parse(raw.as_deref());
    match single(&st, t, p, &q, &h, t.data.locate_child('i', &id)) {
        Ok((b, n)) => child_response(
            &h,
            b.entries
                .get(n)
                .and_then(|e| e.itemizations.iter().find(|x| x.id == id)),
            "Itemization",
        ),
        Err(r) => r,
    }
}

async fn get_allocation(
    State(st): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::ExpenseReport, Family::V3) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let q = Query::parse(raw.as_deref());
    match single(&st, t, p, &q, &h, t.data.locate_child('a', &id)) {
        Ok((b, n)) => child_response(
            &h,
            b.entries
                .get(n)
                .and_then(|e| e.allocations.iter().find(|x| x.id == id)),
            "Allocation",
        ),
        Err(r) => r,
    }
}
