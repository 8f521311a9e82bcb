//! Endpoint handlers and request builders, one module per API family.
//!
//! Handlers are cheap (they hold a [`Client`](crate::Client) clone) and hand out builders that
//! own their client, so every future and stream is `'static + Send`:
//! `client.expense().reports().list().user_all().modified_after(t).stream()`.

pub mod expense;
pub mod expense_v4;
pub mod imaging;
pub mod invoice;
pub mod lists;
pub(crate) mod paging_ext;
pub mod users;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// A date filter value for v3 query parameters (`modifiedDateAfter`, ...). Concur reads it in
/// its own (zone-less) time: a date is sent as `yyyy-MM-dd`, a date-time as
/// `yyyy-MM-ddTHH:mm:ss.SSS`. A [`DateTime<Utc>`] is sent as its UTC wall time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DateFilter {
    /// `yyyy-MM-dd`.
    Date(NaiveDate),
    /// `yyyy-MM-ddTHH:mm:ss.SSS`.
    DateTime(NaiveDateTime),
}

impl DateFilter {
    /// The query-string form.
    pub fn to_query(&self) -> String {
        match self {
            DateFilter::Date(d) => d.format("%Y-%m-%d").to_string(),
            DateFilter::DateTime(t) => t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
        }
    }
}

impl From<NaiveDate> for DateFilter {
    fn from(d: NaiveDate) -> Self {
        DateFilter::Date(d)
    }
}

impl From<NaiveDateTime> for DateFilter {
    fn from(t: NaiveDateTime) -> Self {
        DateFilter::DateTime(t)
    }
}

impl From<DateTime<Utc>> for DateFilter {
    fn from(t: DateTime<Utc>) -> Self {
        DateFilter::DateTime(t.naive_utc())
    }
}

/// Who a v3 call acts for (`user` query parameter).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum UserScope {
    /// No `user` parameter: the token owner.
    #[default]
    TokenOwner,
    /// `user=ALL` (collections only; needs Web Services Administrator / Can Administer).
    All,
    /// `user=<login id>` (needs the same admin role unless it is the token owner).
    Login(String),
}

impl UserScope {
    pub(crate) fn query_value(&self) -> Option<String> {
        match self {
            UserScope::TokenOwner => None,
            UserScope::All => Some("ALL".into()),
            UserScope::Login(l) => Some(l.clone()),
        }
    }
}
