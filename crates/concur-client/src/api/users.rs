//! Users: Identity v4 and v4.1 (SCIM, company tokens only) and the deprecated Users v3.0.
//!
//! * Identity v4 `GET /profile/identity/v4/Users` pages with `startIndex` (1-based) and
//!   `count` (max 100, Concur's default 10); Identity v4.1 with `cursor`/`nextCursor` and
//!   `count` up to 1000. Both return [`IdentityUser`]s.
//! * Users v3.0 `GET /api/v3.0/common/users` (deprecated 2021-08-22) pages with `NextPage`.
//! * Every user model has `summary()` → [`UserSummary`](crate::models::user::UserSummary):
//!   login id, e-mail, display name, department, cost center, active flag, employee number.
//!
//! Scopes: `identity.user.core.read`, `identity.user.enterprise.read` (department, cost
//! center, employee number); legacy partner apps: `USER`.
//!
//! Concur docs: <https://developer.concur.com/api-reference/profile/v4.identity.html>,
//! <https://developer.concur.com/api-reference/profile/v4.1.identity.html>.

use reqwest::Method;

use crate::api::paging_ext::{scim_cursor_page, scim_start_index_page, v3_strict};
use crate::http::encode_segment;
use crate::models::user::{IdentityUser, UserV3};
use crate::pagination::list_methods;
use crate::{Client, Paginator, Request, Result};

/// The API group name used in [`crate::Error::Permission`] for these calls.
pub const API_GROUP: &str = "Users";

/// Handler for users (`client.users()`).
#[derive(Debug, Clone)]
pub struct UsersHandler {
    client: Client,
}

fn req(client: &Client, path: String) -> Request {
    Request::new(client.clone(), Method::GET, path).api_group(API_GROUP)
}

impl UsersHandler {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// `GET /profile/identity/v4/Users` (SCIM `startIndex`/`count` paging).
    pub fn list(&self) -> ListIdentityUsersV4 {
        ListIdentityUsersV4 {
            request: req(&self.client, "profile/identity/v4/Users".into()),
        }
    }

    /// `GET /profile/identity/v4.1/Users` (`cursor` paging).
    pub fn list_v4_1(&self) -> ListIdentityUsersV41 {
        ListIdentityUsersV41 {
            request: req(&self.client, "profile/identity/v4.1/Users".into()),
        }
    }

    /// `GET /profile/identity/v4/Users/{id}`.
    ///
    /// # Errors
    /// [`crate::Error::NotFound`] for an unknown id; [`crate::Error::Permission`] without the
    /// identity scopes (or with a user token: Identity needs a company token).
    pub async fn get(&self, id: &str) -> Result<IdentityUser> {
        req(
            &self.client,
            format!("profile/identity/v4/Users/{}", encode_segment(id)),
        )
        .send_json()
        .await
    }

    /// `GET /profile/identity/v4.1/Users/{id}`.
    ///
    /// # Errors
    /// As [`UsersHandler::get`].
    pub async fn get_v4_1(&self, id: &str) -> Result<IdentityUser> {
        req(
            &self.client,
            format!("profile/identity/v4.1/Users/{}", encode_segment(id)),
        )
        .send_json()
        .await
    }

    /// `GET /api/v3.0/common/users` (deprecated; `NextPage` paging).
    pub fn list_v3(&self) -> ListUsersV3 {
        ListUsersV3 {
            request: req(&self.client, "api/v3.0/common/users".into()),
        }
    }
}

/// Builder for Identity v4 `GET /Users`.
#[derive(Debug, Clone)]
#[must_use = "call .send(), .pages() or .stream()"]
pub struct ListIdentityUsersV4 {
    request: Request,
}

impl ListIdentityUsersV4 {
    /// SCIM filter on `userName`, `employeeNumber` or `externalId`, e.g. `employeeNumber eq "123"`.
    pub fn filter(mut self, filter: &str) -> Self {
        self.request = self.request.set_query("filter", filter);
        self
    }

    /// Page size (`count`; clamped to 1..=100).
    pub fn count(mut self, n: u32) -> Self {
        self.request = self.request.set_query("count", n.clamp(1, 100).to_string());
        self
    }

    /// First 1-based index (`startIndex`).
    pub fn start_index(mut self, n: u32) -> Self {
        self.request = self.request.set_query("startIndex", n.max(1).to_string());
        self
    }

    /// Only these attributes (comma-separated SCIM names).
    pub fn attributes(mut self, attrs: &str) -> Self {
        self.request = self.request.set_query("attributes", attrs);
        self
    }

    /// The paginator behind `send()` / `pages()` / `stream()`.
    pub fn paginator(self) -> Paginator<IdentityUser> {
        Paginator::new(self.request, scim_start_index_page)
    }

    list_methods!(IdentityUser);
}

/// Builder for Identity v4.1 `GET /Users`.
#[derive(Debug, Clone)]
#[must_use = "call .send(), .pages() or .stream()"]
pub struct ListIdentityUsersV41 {
    request: Request,
}

impl ListIdentityUsersV41 {
    /// Page size (`count`; clamped to 1..=1000).
    pub fn count(mut self, n: u32) -> Self {
        self.request = self
            .request
            .set_query("count", n.clamp(1, 1000).to_string());
        self
    }

    /// Only these attributes (comma-separated SCIM names).
    pub fn attributes(mut self, attrs: &str) -> Self {
        self.request = self.request.set_query("attributes", attrs);
        self
    }

    /// Leaves these attributes out.
    pub fn excluded_attributes(mut self, attrs: &str) -> Self {
        self.request = self.request.set_query("excludedAttributes", attrs);
        self
    }

    /// The paginator behind `send()` / `pages()` / `stream()`.
    pub fn paginator(self) -> Paginator<IdentityUser> {
        Paginator::new(self.request, scim_cursor_page)
    }

    list_methods!(IdentityUser);
}

/// Builder for Users v3.0 `GET /api/v3.0/common/users`.
#[derive(Debug, Clone)]
#[must_use = "call .send(), .pages() or .stream()"]
pub struct ListUsersV3 {
    request: Request,
}

impl ListUsersV3 {
    /// Only the user with this login id (`user`).
    pub fn login_id(mut self, login: &str) -> Self {
        self.request = self.request.set_query("user", login);
        self
    }

    /// `primaryEmail` filter.
    pub fn primary_email(mut self, email: &str) -> Self {
        self.request = self.request.set_query("primaryEmail", email);
        self
    }

    /// `employeeID` filter.
    pub fn employee_id(mut self, id: &str) -> Self {
        self.request = self.request.set_query("employeeID", id);
        self
    }

    /// `lastName` filter.
    pub fn last_name(mut self, name: &str) -> Self {
        self.request = self.request.set_query("lastName", name);
        self
    }

    /// `active` filter.
    pub fn active(mut self, active: bool) -> Self {
        self.request = self.request.set_query("active", active.to_string());
        self
    }

    /// Page size (default 25, max 100; clamped to 1..=100).
    pub fn limit(mut self, n: u32) -> Self {
        self.request = self.request.set_query("limit", n.clamp(1, 100).to_string());
        self
    }

    /// The paginator behind `send()` / `pages()` / `stream()`.
    pub fn paginator(self) -> Paginator<UserV3> {
        Paginator::new(self.request, |r| v3_strict(r, &["Items"]))
    }

    list_methods!(UserV3);
}

impl Client {
    /// Users handler: Identity v4 / v4.1 and Users v3.
    pub fn users(&self) -> UsersHandler {
        UsersHandler::new(self.clone())
    }
}
