//! List v4 / List Item v4 / List Item Bulk v4 models, and the deprecated (2021-04-16) but
//! still present Lists v3 / List Items v3 models.
//!
//! List v4 pages are `{content: [...], page: {number, size, totalElements, totalPages},
//! links: [{rel, href}]}` with a page size fixed at 100 and 1-based page numbers.
//! Item codes: `code` is the "long code", the ancestors' `shortCode`s joined with `-`, so
//! hyphens are not allowed in `shortCode` or `value` ([`validate_list_item_text`]).
//!
//! Concur docs: <https://developer.concur.com/api-reference/common/lists/v4.list.html>,
//! <https://developer.concur.com/api-reference/common/list-item/v4.list-item.html>,
//! <https://developer.concur.com/api-reference/common/list-item/v4.list-item-bulk.html>,
//! <https://developer.concur.com/api-reference/common/lists/v3.lists.html>,
//! <https://developer.concur.com/api-reference/common/list-item/v3.list-item.html>.

use serde::{Deserialize, Serialize};

use super::common::{de_opt_bool, de_opt_string};
use super::serde_helpers_ext::vec_or_null;

/// A List v4 list: `GET /list/v4/lists/{listId}` and the `content` of `GET /list/v4/lists`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListV4 {
    /// List id (UUID).
    pub id: String,
    /// List name.
    pub value: String,
    /// Number of levels (1 for flat lists).
    #[serde(default)]
    pub level_count: Option<u32>,
    /// `TEXT` or `CODE`.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub search_criteria: Option<String>,
    /// `(CODE) TEXT` or `TEXT (CODE)`.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub display_format: Option<String>,
    /// Category (`Normal`, `Vendor`, `Configuration`, ...).
    #[serde(default)]
    pub category: Option<ListCategory>,
    /// Read-only list.
    #[serde(default)]
    pub is_read_only: bool,
    /// Deleted list.
    #[serde(default)]
    pub is_deleted: bool,
    /// `appId:<uuid>` or `service:<id>` for managed lists (only that app may change them).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub managed_by: Option<String>,
    /// External list threshold (connector lists).
    #[serde(default)]
    pub external_threshold: Option<i64>,
}

/// The category of a [`ListV4`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ListCategory {
    /// Category id (UUID).
    pub id: String,
    /// Category type (`Normal`, `Vendor`, `Configuration`, ...).
    #[serde(rename = "type")]
    pub kind: String,
}

/// A List Item v4: `GET /list/v4/items/{itemId}` and children listings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListItemV4 {
    /// Item id (UUID).
    pub id: String,
    /// Long code: ancestors' short codes joined with `-` (e.g. `ITEM-SECOND LEVEL ITEM`).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub code: Option<String>,
    /// Short code at this level.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub short_code: Option<String>,
    /// Display value.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub value: Option<String>,
    /// Parent item id, `None` on level 1.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub parent_id: Option<String>,
    /// List id (present on some responses; see `lists` otherwise).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub list_id: Option<String>,
    /// Level (1-based).
    #[serde(default)]
    pub level: Option<u32>,
    /// Deleted item.
    #[serde(default)]
    pub is_deleted: bool,
    /// Lists the item belongs to, with whether it has children there.
    #[serde(default, deserialize_with = "vec_or_null")]
    pub lists: Vec<ListItemListRef>,
}

/// A `{id, hasChildren}` entry of [`ListItemV4::lists`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListItemListRef {
    /// List id.
    pub id: String,
    /// Whether the item has children in that list.
    #[serde(default)]
    pub has_children: bool,
}

/// Body of `POST /list/v4/lists`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewList {
    /// List name (unique).
    pub value: String,
    /// `TEXT` or `CODE`.
    pub search_criteria: String,
    /// `(CODE) TEXT` or `TEXT (CODE)`.
    pub display_format: String,
    /// Category id; Concur uses the `Normal` category when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
    /// Lock the list to the calling app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_managed: Option<bool>,
}

impl NewList {
    /// A `TEXT`-searched list shown as `(CODE) TEXT`.
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            search_criteria: "TEXT".into(),
            display_format: "(CODE) TEXT".into(),
            category_id: None,
            is_managed: None,
        }
    }

    /// Sets `isManaged`.
    pub fn managed(mut self, managed: bool) -> Self {
        self.is_managed = Some(managed);
        self
    }

    /// Sets `categoryId`.
    pub fn category_id(mut self, id: impl Into<String>) -> Self {
        self.category_id = Some(id.into());
        self
    }
}

/// Body of `PUT /list/v4/lists/{listId}` (name, search criteria and display format).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateList {
    /// New list name.
    pub value: String,
    /// `TEXT` or `CODE`.
    pub search_criteria: String,
    /// `(CODE) TEXT` or `TEXT (CODE)`.
    pub display_format: String,
}

impl UpdateList {
    /// Renames a list keeping `TEXT` / `(CODE) TEXT`.
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            search_criteria: "TEXT".into(),
            display_format: "(CODE) TEXT".into(),
        }
    }
}

/// Body of `POST /list/v4/items`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewListItem {
    /// The list to add to.
    pub list_id: String,
    /// Short code (no `-`).
    pub short_code: String,
    /// Display value (no `-`).
    pub value: String,
    /// Parent by id (for level 2+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    /// Parent by long code (for level 2+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_code: Option<String>,
}

impl NewListItem {
    /// A first-level item.
    pub fn new(
        list_id: impl Into<String>,
        short_code: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        Self {
            list_id: list_id.into(),
            short_code: short_code.into(),
            value: value.into(),
            parent_id: None,
            parent_code: None,
        }
    }

    /// Makes it a child of the item with this id.
    pub fn parent_id(mut self, id: impl Into<String>) -> Self {
        self.parent_id = Some(id.into());
        self
    }

    /// Makes it a child of the item with this long code.
    pub fn parent_code(mut self, code: impl Into<String>) -> Self {
        self.parent_code = Some(code.into());
        self
    }
}

/// Body of `PUT /list/v4/items/{itemId}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateListItem {
    /// Short code (no `-`).
    pub short_code: String,
    /// Display value (no `-`).
    pub value: String,
}

impl UpdateListItem {
    /// Builds the body.
    pub fn new(short_code: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            short_code: short_code.into(),
            value: value.into(),
        }
    }
}

/// Checks a list item short code or value before sending it: not empty, no `-` (the long-code
/// separator). Returns the offending reason.
///
/// # Errors
/// A human-readable reason when the text is empty or contains a hyphen.
pub fn validate_list_item_text(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("list item code and value must not be empty".into());
    }
    if text.contains('-') {
        return Err(format!(
            "list item code or value `{text}` contains `-`, the long-code separator"
        ));
    }
    Ok(())
}

/// Response of `POST`/`PATCH /list/v4/lists/{listId}/bulk` (HTTP 200/201, 206 partial, 400).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListBulkResult {
    /// `SUCCESS`, `PARTIAL_SUCCESS` or `FAILURE`.
    pub status: String,
    /// Parts that succeeded.
    #[serde(default)]
    pub records_succeeded: u32,
    /// Parts that failed.
    #[serde(default)]
    pub records_failed: u32,
    /// One entry per failed part.
    #[serde(default, deserialize_with = "vec_or_null")]
    pub errors: Vec<ListBulkError>,
}

/// One failed part of a [`ListBulkResult`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListBulkError {
    /// Error id (`item.duplicate.code`, `item.deleted`, ...).
    pub id: String,
    /// Message.
    pub message: String,
    /// The part that failed, as sent.
    #[serde(default)]
    pub list_item: Option<serde_json::Value>,
}

/// A Lists v3 list (`GET /api/v3.0/common/lists[/{id}]`; deprecated 2021-04-16).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ListV3 {
    /// List id.
    #[serde(rename = "ID")]
    pub id: String,
    /// URI.
    #[serde(rename = "URI", default, deserialize_with = "de_opt_string")]
    pub uri: Option<String>,
    /// Name (unique).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub name: Option<String>,
    /// Show the code before the text.
    #[serde(default, deserialize_with = "de_opt_bool")]
    pub display_code_first: Option<bool>,
    /// Search criteria code.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub search_criteria_code: Option<String>,
    /// Vendor list.
    #[serde(default, deserialize_with = "de_opt_bool")]
    pub is_vendor_list: Option<bool>,
    /// Connector id (external lists).
    #[serde(rename = "ConnectorID", default, deserialize_with = "de_opt_string")]
    pub connector_id: Option<String>,
    /// External threshold.
    #[serde(default)]
    pub external_threshold: Option<i64>,
}

/// A List Items v3 item (`GET /api/v3.0/common/listitems[/{id}]`; deprecated 2021-04-16).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ListItemV3 {
    /// Item id.
    #[serde(rename = "ID")]
    pub id: String,
    /// URI.
    #[serde(rename = "URI", default, deserialize_with = "de_opt_string")]
    pub uri: Option<String>,
    /// List id.
    #[serde(rename = "ListID", default, deserialize_with = "de_opt_string")]
    pub list_id: Option<String>,
    /// Parent item id.
    #[serde(rename = "ParentID", default, deserialize_with = "de_opt_string")]
    pub parent_id: Option<String>,
    /// Name (≤ 64 characters).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub name: Option<String>,
    /// Level 1 code (≤ 32 characters).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub level1_code: Option<String>,
    /// Level 2 code.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub level2_code: Option<String>,
    /// Level 3 code.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub level3_code: Option<String>,
    /// Level 4 code.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub level4_code: Option<String>,
}
