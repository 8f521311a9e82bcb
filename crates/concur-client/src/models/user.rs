//! Users: Identity v4 / v4.1 (SCIM) users, Users v3.0 (deprecated 2021-08-22), Bulk User v3.1
//! and the legacy User v1 profile, each with a normalised [`UserSummary`].
//!
//! Discovery needs to name owners: every user model offers `summary()` returning the same
//! [`UserSummary`] (login id, e-mail, display name, department, cost center, active flag,
//! employee number).
//!
//! Concur docs: <https://developer.concur.com/api-reference/profile/v4.identity.html>,
//! <https://developer.concur.com/api-reference/profile/v4.1.identity.html>,
//! <https://developer.concur.com/api-reference/common/users/v3.users.html>,
//! <https://developer.concur.com/api-reference/authentication/get-users31.html>.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::common::{de_opt_bool, de_opt_datetime, de_opt_i64, de_opt_string};
use super::serde_helpers_ext::{utc_datetime_opt, vec_or_null};

/// The SCIM key of the enterprise extension.
pub const ENTERPRISE_EXTENSION: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The user facts discovery needs, the same for every user API.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UserSummary {
    /// Concur login id (`userName` in SCIM, `LoginID` in v3).
    pub login_id: Option<String>,
    /// Primary (or first work) e-mail address.
    pub email: Option<String>,
    /// Display name (`displayName`, or "First Last").
    pub display_name: Option<String>,
    /// Department.
    pub department: Option<String>,
    /// Cost center.
    pub cost_center: Option<String>,
    /// Active account (`None` when the API did not say).
    pub active: Option<bool>,
    /// Employee number / employee id.
    pub employee_number: Option<String>,
}

/// A SCIM user of Identity v4 / v4.1: `GET /profile/identity/v4[.1]/Users/{id}` and the
/// `Resources` of the user lists. Company tokens only.
///
/// Timestamps in `meta` are UTC; `startDate`/`terminationDate` are company-local (no offset).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IdentityUser {
    /// User UUID (the id every v4 API takes).
    pub id: String,
    /// Login name, unique across Concur.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub user_name: Option<String>,
    /// External id.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub external_id: Option<String>,
    /// Active account.
    #[serde(default, deserialize_with = "de_opt_bool")]
    pub active: Option<bool>,
    /// Display name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub display_name: Option<String>,
    /// Nickname.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub nick_name: Option<String>,
    /// Title.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub title: Option<String>,
    /// Name parts.
    #[serde(default)]
    pub name: Option<ScimName>,
    /// E-mail addresses.
    #[serde(default, deserialize_with = "vec_or_null")]
    pub emails: Vec<ScimEmail>,
    /// Preferred language (`en-US`).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub preferred_language: Option<String>,
    /// Olson time zone (`America/New_York`).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub timezone: Option<String>,
    /// SCIM metadata.
    #[serde(default)]
    pub meta: Option<ScimMeta>,
    /// Schemas present.
    #[serde(default, deserialize_with = "vec_or_null")]
    pub schemas: Vec<String>,
    /// Enterprise extension (employee number, department, cost center, manager).
    #[serde(
        rename = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        default
    )]
    pub enterprise: Option<EnterpriseUser>,
}

impl IdentityUser {
    /// The normalised summary: `userName`, the primary/work e-mail, `displayName` (or the
    /// formatted / given + family name), enterprise department and cost center, `active`,
    /// `employeeNumber`.
    pub fn summary(&self) -> UserSummary {
        let email = self
            .emails
            .iter()
            .find(|e| e.primary == Some(true))
            .or_else(|| {
                self.emails
                    .iter()
                    .find(|e| e.kind.as_deref() == Some("work"))
            })
            .or_else(|| self.emails.first())
            .and_then(|e| e.value.clone());
        let display_name = self.display_name.clone().or_else(|| {
            self.name.as_ref().and_then(|n| {
                n.formatted
                    .as_ref()
                    .map(|f| f.trim().to_owned())
                    .filter(|f| !f.is_empty())
                    .or_else(|| join_name(n.given_name.as_deref(), n.family_name.as_deref()))
            })
        });
        let ent = self.enterprise.as_ref();
        UserSummary {
            login_id: self.user_name.clone(),
            email,
            display_name,
            department: ent.and_then(|e| e.department.clone()),
            cost_center: ent.and_then(|e| e.cost_center.clone()),
            active: self.active,
            employee_number: ent.and_then(|e| e.employee_number.clone()),
        }
    }
}

fn join_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = [first, last]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        None
    } else {
        Some(parts.join(" "))
    }
}

/// SCIM `name`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScimName {
    /// Given name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub given_name: Option<String>,
    /// Family name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub family_name: Option<String>,
    /// Middle name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub middle_name: Option<String>,
    /// Formatted name (`Doe, John `).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub formatted: Option<String>,
}

/// SCIM e-mail entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScimEmail {
    /// Address.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub value: Option<String>,
    /// `work`, `home`, `work2`, `other`, `other2`.
    #[serde(rename = "type", default, deserialize_with = "de_opt_string")]
    pub kind: Option<String>,
    /// Primary address.
    #[serde(default, deserialize_with = "de_opt_bool")]
    pub primary: Option<bool>,
    /// Verified.
    #[serde(default, deserialize_with = "de_opt_bool")]
    pub verified: Option<bool>,
    /// Used for notifications.
    #[serde(default, deserialize_with = "de_opt_bool")]
    pub notifications: Option<bool>,
}

/// SCIM `meta`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScimMeta {
    /// `User`.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub resource_type: Option<String>,
    /// Creation time (UTC, microseconds).
    #[serde(default, deserialize_with = "utc_datetime_opt")]
    pub created: Option<DateTime<Utc>>,
    /// Last modification (UTC).
    #[serde(default, deserialize_with = "utc_datetime_opt")]
    pub last_modified: Option<DateTime<Utc>>,
    /// Version counter.
    #[serde(default, deserialize_with = "de_opt_i64")]
    pub version: Option<i64>,
    /// Resource URL.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub location: Option<String>,
}

/// The SCIM enterprise extension (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EnterpriseUser {
    /// Company UUID.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub company_id: Option<String>,
    /// Employee number.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub employee_number: Option<String>,
    /// Cost center.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub cost_center: Option<String>,
    /// Department.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub department: Option<String>,
    /// Division.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub division: Option<String>,
    /// Organization.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub organization: Option<String>,
    /// Manager reference.
    #[serde(default)]
    pub manager: Option<ScimManager>,
    /// Start date (company-local).
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub start_date: Option<NaiveDateTime>,
    /// Termination date (company-local).
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub termination_date: Option<NaiveDateTime>,
}

/// Manager reference of the enterprise extension.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScimManager {
    /// Manager's user UUID.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub value: Option<String>,
    /// Manager's display name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub display_name: Option<String>,
    /// Manager's employee number.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub employee_number: Option<String>,
}

/// A SCIM `ListResponse` (Identity v4 and v4.1 user lists).
///
/// v4 pages with `startIndex` (1-based) and `count` (≤ 100); v4.1 with `cursor` and returns
/// `nextCursor` until the last page.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScimListResponse<T> {
    /// `["urn:ietf:params:scim:api:messages:2.0:ListResponse"]`.
    #[serde(default, deserialize_with = "vec_or_null")]
    pub schemas: Vec<String>,
    /// Total matching users.
    pub total_results: u64,
    /// 1-based index of the first resource (v4 only).
    #[serde(default)]
    pub start_index: Option<u64>,
    /// Resources on this page.
    #[serde(default)]
    pub items_per_page: Option<u64>,
    /// Cursor of the next page (v4.1 only).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub next_cursor: Option<String>,
    /// The users.
    #[serde(rename = "Resources", default = "Vec::new")]
    pub resources: Vec<T>,
}

/// A Users v3.0 user (`GET /api/v3.0/common/users`; deprecated 2021-08-22).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct UserV3 {
    /// User id.
    #[serde(rename = "ID")]
    pub id: String,
    /// URI.
    #[serde(rename = "URI", default, deserialize_with = "de_opt_string")]
    pub uri: Option<String>,
    /// Login id.
    #[serde(rename = "LoginID", default, deserialize_with = "de_opt_string")]
    pub login_id: Option<String>,
    /// Primary e-mail.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub primary_email: Option<String>,
    /// First name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub first_name: Option<String>,
    /// Middle name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub middle_name: Option<String>,
    /// Last name.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub last_name: Option<String>,
    /// Employee id.
    #[serde(rename = "EmployeeID", default, deserialize_with = "de_opt_string")]
    pub employee_id: Option<String>,
    /// Organization unit (often the department).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub organization_unit: Option<String>,
    /// Cell phone.
    #[serde(default, deserialize_with = "de_opt_string")]
    pub cell_phone_number: Option<String>,
    /// ISO country (Bulk User v3.1).
    #[serde(default, deserialize_with = "de_opt_string")]
    pub country_code: Option<String>,
    /// Active account.
    #[serde(default, deserialize_with = "de_opt_bool")]
    pub active: Option<bool>,
}

impl UserV3 {
    /// The normalised summary (`OrganizationUnit` is reported as the department; v3 has no
    /// cost center).
    pub fn summary(&self) -> UserSummary {
        UserSummary {
            login_id: self.login_id.clone(),
            email: self.primary_email.clone(),
            display_name: join_name(self.first_name.as_deref(), self.last_name.as_deref()),
            department: self.organization_unit.clone(),
            cost_center: None,
            active: self.active,
            employee_number: self.employee_id.clone(),
        }
    }
}

/// Bulk User v3.1 page (`GET {geo}/users/?offset&limit&isactive`; deprecated for US/EMEA
/// 2021-06-30): numeric `offset` + `total`, not `NextPage`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct BulkUserPage {
    /// Total users matching.
    pub total: u64,
    /// Offset of this page.
    pub offset: u64,
    /// Page size.
    pub limit: u64,
    /// Company facts.
    #[serde(default)]
    pub company: Option<serde_json::Value>,
    /// Users (same fields as [`UserV3`]).
    #[serde(rename = "Items", default)]
    pub items: Vec<UserV3>,
}

/// Legacy User v1 profile (`GET /api/user/v1.0/User/`, XML with `Y`/`N` flags; decommissioned
/// for US/EMEA 2025-01-21). Decoded with [`UserProfileV1::from_xml`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct UserProfileV1 {
    /// Login id.
    #[serde(default)]
    pub login_id: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email_address: Option<String>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Employee id.
    #[serde(default)]
    pub emp_id: Option<String>,
    /// `Y`/`N`.
    #[serde(default)]
    pub active: Option<String>,
    /// Reimbursement currency.
    #[serde(default)]
    pub crn_key: Option<String>,
    /// Country.
    #[serde(default)]
    pub ctry_code: Option<String>,
    /// Ledger.
    #[serde(default)]
    pub ledger_name: Option<String>,
    /// `Y`/`N`: Expense user.
    #[serde(default)]
    pub expense_user: Option<String>,
    /// `Y`/`N`: Invoice user.
    #[serde(default)]
    pub invoice_user: Option<String>,
}

impl UserProfileV1 {
    /// Decodes the `<UserProfile>` XML document.
    ///
    /// # Errors
    /// A message when the root is not `<UserProfile>` or the XML is malformed.
    pub fn from_xml(xml: &str) -> Result<Self, String> {
        match super::imaging::root_local_name(xml).as_deref() {
            Some("UserProfile") => {}
            other => return Err(format!("expected <UserProfile>, found {other:?}")),
        }
        quick_xml::de::from_str(xml).map_err(|e| e.to_string())
    }

    /// The normalised summary (`Active` `Y`/`N` mapped to a bool).
    pub fn summary(&self) -> UserSummary {
        UserSummary {
            login_id: self.login_id.clone(),
            email: self.email_address.clone(),
            display_name: join_name(self.first_name.as_deref(), self.last_name.as_deref()),
            department: None,
            cost_center: None,
            active: self
                .active
                .as_deref()
                .map(|a| a.trim().eq_ignore_ascii_case("Y")),
            employee_number: self.emp_id.clone(),
        }
    }
}
