//! List Items: List v4 / List Item v4 (read, create, update, delete) and the deprecated
//! (2021-04-16) Lists v3 / List Items v3 (read-only here), still present in older companies.
//!
//! * v4 lists page by page number (1-based, page size fixed at 100 by Concur):
//!   `send()` / `pages()` / `stream()` follow `links[rel=next]` or `page.number < totalPages`.
//! * v4 `DELETE` sends `Content-Type: application/json` (Concur rejects it otherwise).
//! * Create/update/delete need a configuration-administrator user and the
//!   `spend.list.write` / `spend.listitem.write` / `…delete` scopes. A managed list changed by
//!   another app answers 400 `list.is.managed` ([`crate::Error::InvalidRequest`]).
//! * Item codes and values may not contain `-` (the long-code separator): create/update refuse
//!   them with [`crate::Error::Config`] before sending.
//! * v3 lists page with `limit` (max 100) and the opaque `offset` carried in `NextPage`.
//!
//! Concur docs: <https://developer.concur.com/api-reference/common/lists/v4.list.html>,
//! <https://developer.concur.com/api-reference/common/list-item/v4.list-item.html>,
//! <https://developer.concur.com/api-reference/common/lists/v3.lists.html>,
//! <https://developer.concur.com/api-reference/common/list-item/v3.list-item.html>.

use reqwest::Method;

use crate::api::paging_ext::{hal_page, v3_strict};
use crate::http::encode_segment;
use crate::models::list::{
    ListItemV3, ListItemV4, ListV3, ListV4, NewList, NewListItem, UpdateList, UpdateListItem,
    validate_list_item_text,
};
use crate::pagination::list_methods;
use crate::{Client, Error, Paginator, Request, Result};

/// The API group name used in [`crate::Error::Permission`] for these calls.
pub const API_GROUP: &str = "List Items";

/// Handler for List v4 and Lists/List Items v3 (`client.lists()`).
#[derive(Debug, Clone)]
pub struct ListsHandler {
    client: Client,
}

fn req(client: &Client, method: Method, path: String) -> Request {
    Request::new(client.clone(), method, path).api_group(API_GROUP)
}

impl ListsHandler {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// `GET /list/v4/lists` (paged by page number).
    pub fn lists(&self) -> ListListsV4 {
        ListListsV4 {
            request: req(&self.client, Method::GET, "list/v4/lists".into()),
        }
    }

    /// `GET /list/v4/categories/{categoryId}/lists`.
    pub fn category_lists(&self, category_id: &str) -> ListListsV4 {
        ListListsV4 {
            request: req(
                &self.client,
                Method::GET,
                format!("list/v4/categories/{}/lists", encode_segment(category_id)),
            ),
        }
    }

    /// `GET /list/v4/lists/{listId}`.
    ///
    /// # Errors
    /// [`crate::Error::NotFound`] for an unknown list, and every transport error.
    pub async fn get_list(&self, list_id: &str) -> Result<ListV4> {
        req(
            &self.client,
            Method::GET,
            format!("list/v4/lists/{}", encode_segment(list_id)),
        )
        .send_json()
        .await
    }

    /// `POST /list/v4/lists` (201 with the new list).
    ///
    /// # Errors
    /// [`crate::Error::InvalidRequest`] (400, e.g. duplicate name), permission errors.
    pub async fn create_list(&self, body: &NewList) -> Result<ListV4> {
        req(&self.client, Method::POST, "list/v4/lists".into())
            .json(body)?
            .send_json()
            .await
    }

    /// `PUT /list/v4/lists/{listId}`.
    ///
    /// # Errors
    /// As [`ListsHandler::create_list`]; 400 `list.is.managed` on another app's managed list.
    pub async fn update_list(&self, list_id: &str, body: &UpdateList) -> Result<ListV4> {
        req(
            &self.client,
            Method::PUT,
            format!("list/v4/lists/{}", encode_segment(list_id)),
        )
        .json(body)?
        .send_json()
        .await
    }

    /// `DELETE /list/v4/lists/{listId}` (204), with `Content-Type: application/json`.
    ///
    /// # Errors
    /// [`crate::Error::NotFound`], 400 `list.is.managed`, permission errors.
    pub async fn delete_list(&self, list_id: &str) -> Result<()> {
        req(
            &self.client,
            Method::DELETE,
            format!("list/v4/lists/{}", encode_segment(list_id)),
        )
        .header("Content-Type", "application/json")
        .send()
        .await
        .map(|_| ())
    }

    /// `GET /list/v4/items/{itemId}`.
    ///
    /// # Errors
    /// [`crate::Error::NotFound`] for an unknown item.
    pub async fn get_item(&self, item_id: &str) -> Result<ListItemV4> {
        req(
            &self.client,
            Method::GET,
            format!("list/v4/items/{}", encode_segment(item_id)),
        )
        .send_json()
        .await
    }

    /// `POST /list/v4/items` (201 with the new item).
    ///
    /// # Errors
    /// [`crate::Error::Config`] when the short code or value is empty or contains `-`
    /// (nothing is sent); 400 `item.duplicate.code` as [`crate::Error::InvalidRequest`].
    pub async fn create_item(&self, body: &NewListItem) -> Result<ListItemV4> {
        validate_list_item_text(&body.short_code).map_err(Error::Config)?;
        validate_list_item_text(&body.value).map_err(Error::Config)?;
        req(&self.client, Method::POST, "list/v4/items".into())
            .json(body)?
            .send_json()
            .await
    }

    /// `PUT /list/v4/items/{itemId}`.
    ///
    /// # Errors
    /// As [`ListsHandler::create_item`].
    pub async fn update_item(&self, item_id: &str, body: &UpdateListItem) -> Result<ListItemV4> {
        validate_list_item_text(&body.short_code).map_err(Error::Config)?;
        validate_list_item_text(&body.value).map_err(Error::Config)?;
        req(
            &self.client,
            Method::PUT,
            format!("list/v4/items/{}", encode_segment(item_id)),
        )
        .json(body)?
        .send_json()
        .await
    }

    /// `DELETE /list/v4/items/{itemId}` (204), with `Content-Type: application/json`.
    ///
    /// # Errors
    /// [`crate::Error::NotFound`], permission errors.
    pub async fn delete_item(&self, item_id: &str) -> Result<()> {
        req(
            &self.client,
            Method::DELETE,
            format!("list/v4/items/{}", encode_segment(item_id)),
        )
        .header("Content-Type", "application/json")
        .send()
        .await
        .map(|_| ())
    }

    /// `DELETE /list/v4/lists/{listId}/items/{itemId}` (204): removes the item from one list.
    ///
    /// # Errors
    /// As [`ListsHandler::delete_item`].
    pub async fn delete_list_item(&self, list_id: &str, item_id: &str) -> Result<()> {
        req(
            &self.client,
            Method::DELETE,
            format!(
                "list/v4/lists/{}/items/{}",
                encode_segment(list_id),
                encode_segment(item_id)
            ),
        )
        .header("Content-Type", "application/json")
        .send()
        .await
        .map(|_| ())
    }

    /// `GET /list/v4/lists/{listId}/children`: the first-level items of a list (paged).
    pub fn list_children(&self, list_id: &str) -> ListItemsV4 {
        ListItemsV4 {
            request: req(
                &self.client,
                Method::GET,
                format!("list/v4/lists/{}/children", encode_segment(list_id)),
            ),
        }
    }

    /// `GET /list/v4/items/{itemId}/children` (paged).
    pub fn item_children(&self, item_id: &str) -> ListItemsV4 {
        ListItemsV4 {
            request: req(
                &self.client,
                Method::GET,
                format!("list/v4/items/{}/children", encode_segment(item_id)),
            ),
        }
    }

    /// `GET /api/v3.0/common/lists` (deprecated; paged by `NextPage`).
    pub fn lists_v3(&self) -> ListListsV3 {
        ListListsV3 {
            request: req(&self.client, Method::GET, "api/v3.0/common/lists".into()),
        }
    }

    /// `GET /api/v3.0/common/lists/{id}` (deprecated).
    ///
    /// # Errors
    /// [`crate::Error::NotFound`] (also when Lists v3 is gone from the company).
    pub async fn get_list_v3(&self, list_id: &str) -> Result<ListV3> {
        req(
            &self.client,
            Method::GET,
            format!("api/v3.0/common/lists/{}", encode_segment(list_id)),
        )
        .send_json()
        .await
    }

    /// `GET /api/v3.0/common/listitems` (deprecated; paged by `NextPage`).
    pub fn list_items_v3(&self) -> ListListItemsV3 {
        ListListItemsV3 {
            request: req(
                &self.client,
                Method::GET,
                "api/v3.0/common/listitems".into(),
            ),
        }
    }

    /// `GET /api/v3.0/common/listitems/{id}?listId=` (deprecated).
    ///
    /// # Errors
    /// [`crate::Error::NotFound`].
    pub async fn get_list_item_v3(&self, item_id: &str, list_id: &str) -> Result<ListItemV3> {
        req(
            &self.client,
            Method::GET,
            format!("api/v3.0/common/listitems/{}", encode_segment(item_id)),
        )
        .query("listId", list_id)
        .send_json()
        .await
    }
}

/// Builder for `GET /list/v4/lists` (and category lists). Filters use Concur's
/// `field=<op>:<value>` syntax with ops `eq`, `not`, `sw`, `ew`, `cp`, `gt`, `gte`, `lt`, `lte`.
#[derive(Debug, Clone)]
#[must_use = "call .send(), .pages() or .stream()"]
pub struct ListListsV4 {
    request: Request,
}

impl ListListsV4 {
    /// `sortBy`: `name`, `levelcount` or `listcategory`.
    pub fn sort_by(mut self, field: &str) -> Self {
        self.request = self.request.set_query("sortBy", field);
        self
    }

    /// `sortDirection`: `asc` or `desc`.
    pub fn sort_direction(mut self, dir: &str) -> Self {
        self.request = self.request.set_query("sortDirection", dir);
        self
    }

    /// A filter, e.g. `.filter("value", "sw:Air")` or `.filter("isDeleted", "eq:false")`.
    pub fn filter(mut self, field: &str, op_value: &str) -> Self {
        self.request = self.request.query(field, op_value);
        self
    }

    /// Starts at this 1-based page.
    pub fn page(mut self, n: u32) -> Self {
        self.request = self.request.set_query("page", n.max(1).to_string());
        self
    }

    /// The paginator behind `send()` / `pages()` / `stream()`.
    pub fn paginator(self) -> Paginator<ListV4> {
        Paginator::new(self.request, hal_page)
    }

    list_methods!(ListV4);
}

/// Builder for List v4 item listings (children of a list or of an item).
#[derive(Debug, Clone)]
#[must_use = "call .send(), .pages() or .stream()"]
pub struct ListItemsV4 {
    request: Request,
}

impl ListItemsV4 {
    /// `sortBy`: `value` or `shortCode`.
    pub fn sort_by(mut self, field: &str) -> Self {
        self.request = self.request.set_query("sortBy", field);
        self
    }

    /// `sortDirection`: `asc` or `desc`.
    pub fn sort_direction(mut self, dir: &str) -> Self {
        self.request = self.request.set_query("sortDirection", dir);
        self
    }

    /// A filter on `value`, `shortCode`, `shortCodeOrValue`, `hasChildren` or `isDeleted`,
    /// e.g. `.filter("shortCode", "eq:ITEM")`.
    pub fn filter(mut self, field: &str, op_value: &str) -> Self {
        self.request = self.request.query(field, op_value);
        self
    }

    /// Starts at this 1-based page.
    pub fn page(mut self, n: u32) -> Self {
        self.request = self.request.set_query("page", n.max(1).to_string());
        self
    }

    /// The paginator behind `send()` / `pages()` / `stream()`.
    pub fn paginator(self) -> Paginator<ListItemV4> {
        Paginator::new(self.request, hal_page)
    }

    list_methods!(ListItemV4);
}

/// Builder for `GET /api/v3.0/common/lists` (deprecated).
#[derive(Debug, Clone)]
#[must_use = "call .send(), .pages() or .stream()"]
pub struct ListListsV3 {
    request: Request,
}

impl ListListsV3 {
    /// Page size (Concur: default 25, max 100; clamped to 1..=100).
    pub fn limit(mut self, n: u32) -> Self {
        self.request = self.request.set_query("limit", n.clamp(1, 100).to_string());
        self
    }

    /// The paginator behind `send()` / `pages()` / `stream()`.
    pub fn paginator(self) -> Paginator<ListV3> {
        Paginator::new(self.request, |r| v3_strict(r, &["Items"]))
    }

    list_methods!(ListV3);
}

/// Builder for `GET /api/v3.0/common/listitems` (deprecated).
#[derive(Debug, Clone)]
#[must_use = "call .send(), .pages() or .stream()"]
pub struct ListListItemsV3 {
    request: Request,
}

impl ListListItemsV3 {
    /// Only items of this list (`listId`).
    pub fn list_id(mut self, id: &str) -> Self {
        self.request = self.request.set_query("listId", id);
        self
    }

    /// Only children of this item (`parentId`).
    pub fn parent_id(mut self, id: &str) -> Self {
        self.request = self.request.set_query("parentId", id);
        self
    }

    /// Page size (Concur: default 25, max 100; clamped to 1..=100).
    pub fn limit(mut self, n: u32) -> Self {
        self.request = self.request.set_query("limit", n.clamp(1, 100).to_string());
        self
    }

    /// The paginator behind `send()` / `pages()` / `stream()`.
    pub fn paginator(self) -> Paginator<ListItemV3> {
        Paginator::new(self.request, |r| v3_strict(r, &["Items"]))
    }

    list_methods!(ListItemV3);
}

impl Client {
    /// List Items handler: List v4 / List Item v4 CRUD and Lists / List Items v3 reads.
    pub fn lists(&self) -> ListsHandler {
        ListsHandler::new(self.clone())
    }
}
