//! Identity v4 (startIndex), v4.1 (cursor) and Users v3 against mockito.

use concur_client::models::user::{IdentityUser, UserV3};
use concur_client::{Error, PaginationErrorReason};
use futures::{StreamExt, TryStreamExt};
use mockito::Matcher;

use crate::family_mock::{BEARER, client, fixture};

fn q(k: &str, v: &str) -> Matcher {
    Matcher::UrlEncoded(k.into(), v.into())
}

fn user(id: &str, login: &str, dept: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "id": id, "userName": login, "active": true, "displayName": format!("{id} Testperson"),
        "emails": [{"value": login, "type": "work", "primary": true}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": format!("E-{id}"), "department": dept, "costCenter": "CC-42"}
    })
}

fn scim(
    resources: Vec<serde_json::Value>,
    total: u64,
    start: Option<u64>,
    next_cursor: Option<&str>,
) -> String {
    let mut v = serde_json::json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": total, "itemsPerPage": resources.len(), "Resources": resources});
    if let Some(s) = start {
        v["startIndex"] = s.into();
    }
    if let Some(c) = next_cursor {
        v["nextCursor"] = c.into();
    }
    v.to_string()
}

#[tokio::test]
async fn identity_v4_start_index_paging() {
    let mut server = mockito::Server::new_async().await;
    let p1 = server
        .mock("GET", "/profile/identity/v4/Users")
        .match_query(Matcher::AllOf(vec![
            q("count", "2"),
            q("filter", "userName sw \"a\""),
        ]))
        .match_header("authorization", BEARER)
        .with_body(scim(
            vec![
                user("u1", "ada@example.com", Some("Finance")),
                user("u2", "alan@example.com", None),
            ],
            3,
            Some(1),
            None,
        ))
        .expect(1)
        .create_async()
        .await;
    let p2 = server
        .mock("GET", "/profile/identity/v4/Users")
        .match_query(Matcher::AllOf(vec![q("count", "2"), q("startIndex", "3")]))
        .with_body(scim(
            vec![user("u3", "amy@example.org", Some("IT"))],
            3,
            Some(3),
            None,
        ))
        .expect(1)
        .create_async()
        .await;
    let users: Vec<IdentityUser> = client(&server)
        .users()
        .list()
        .filter("userName sw \"a\"")
        .count(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    p1.assert_async().await;
    p2.assert_async().await;
    assert_eq!(users.len(), 3);
    let s = users[0].summary();
    assert_eq!(s.login_id.as_deref(), Some("ada@example.com"));
    assert_eq!(s.email.as_deref(), Some("ada@example.com"));
    assert_eq!(s.display_name.as_deref(), Some("u1 Testperson"));
    assert_eq!(s.department.as_deref(), Some("Finance"));
    assert_eq!(s.cost_center.as_deref(), Some("CC-42"));
    assert_eq!(s.employee_number.as_deref(), Some("E-u1"));
    assert_eq!(s.active, Some(true));
    assert_eq!(users[1].summary().department, None);
}

#[tokio::test]
async fn identity_v41_cursor_paging() {
    let mut server = mockito::Server::new_async().await;
    let p1 = server
        .mock("GET", "/profile/identity/v4.1/Users")
        .match_query(q("count", "1000"))
        .match_header("authorization", BEARER)
        .with_body(scim(
            vec![user("u1", "ada@example.com", None)],
            2,
            None,
            Some("c-2"),
        ))
        .expect(1)
        .create_async()
        .await;
    let p2 = server
        .mock("GET", "/profile/identity/v4.1/Users")
        .match_query(Matcher::AllOf(vec![q("count", "1000"), q("cursor", "c-2")]))
        .with_body(scim(
            vec![user("u2", "alan@example.com", None)],
            2,
            None,
            None,
        ))
        .expect(1)
        .create_async()
        .await;
    let pages: Vec<_> = client(&server)
        .users()
        .list_v4_1()
        .count(5000)
        .pages()
        .try_collect()
        .await
        .unwrap();
    p1.assert_async().await;
    p2.assert_async().await;
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].total_count, Some(2));
    assert_eq!(pages[1].items[0].id, "u2");
}

#[tokio::test]
async fn identity_v41_repeated_cursor_stops() {
    let mut server = mockito::Server::new_async().await;
    let _p1 = server
        .mock("GET", "/profile/identity/v4.1/Users")
        .match_query(Matcher::Missing)
        .with_body(scim(
            vec![user("u1", "ada@example.com", None)],
            9,
            None,
            Some("same"),
        ))
        .expect(1)
        .create_async()
        .await;
    let p2 = server
        .mock("GET", "/profile/identity/v4.1/Users")
        .match_query(q("cursor", "same"))
        .with_body(scim(
            vec![user("u2", "alan@example.com", None)],
            9,
            None,
            Some("same"),
        ))
        .expect(1)
        .create_async()
        .await;
    let out: Vec<_> = client(&server).users().list_v4_1().stream().collect().await;
    p2.assert_async().await;
    assert_eq!(out.len(), 3, "two users, then one error, then the end");
    assert!(out[0].is_ok() && out[1].is_ok());
    match &out[2] {
        Err(Error::Pagination { reason, .. }) => {
            assert_eq!(*reason, PaginationErrorReason::RepeatedCursor)
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn scim_envelope_without_resources_is_a_decode_error() {
    let mut server = mockito::Server::new_async().await;
    let _m = server
        .mock("GET", "/profile/identity/v4/Users")
        .with_body(r#"{"totalResults": 5, "startIndex": 1, "itemsPerPage": 0}"#)
        .create_async()
        .await;
    let err = client(&server).users().list().send().await.unwrap_err();
    match err {
        Error::Decode { path, .. } => assert_eq!(path, "Resources"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn identity_get_v4_and_v41() {
    let mut server = mockito::Server::new_async().await;
    let id = "3df11695-e8bb-40ff-8e98-c85913ab2789";
    let v4 = server
        .mock("GET", format!("/profile/identity/v4/Users/{id}").as_str())
        .match_header("authorization", BEARER)
        .with_body(fixture("identity-v4-users-get.json"))
        .expect(1)
        .create_async()
        .await;
    let v41 = server
        .mock("GET", format!("/profile/identity/v4.1/Users/{id}").as_str())
        .match_header("authorization", BEARER)
        .with_body(fixture("identity-v4.1-users-get.json"))
        .expect(1)
        .create_async()
        .await;
    let c = client(&server);
    let a = c.users().get(id).await.unwrap();
    let b = c.users().get_v4_1(id).await.unwrap();
    v4.assert_async().await;
    v41.assert_async().await;
    assert_eq!(
        a.summary().login_id.as_deref(),
        Some("John11_17_1@example.com")
    );
    assert_eq!(a.summary(), b.summary());
    assert_eq!(b.meta.unwrap().version, Some(4));
}

#[tokio::test]
async fn users_v3_list_with_filters() {
    let mut server = mockito::Server::new_async().await;
    let m = server
        .mock("GET", "/api/v3.0/common/users")
        .match_query(Matcher::AllOf(vec![
            q("user", "ada.testperson@example.com"),
            q("active", "true"),
            q("limit", "100"),
        ]))
        .match_header("authorization", BEARER)
        .with_body(
            r#"{"Items":[{"ID":"U1","LoginID":"ada.testperson@example.com","PrimaryEmail":"ada.testperson@example.com",
                "FirstName":"Ada","LastName":"Testperson","EmployeeID":"1001","OrganizationUnit":"Finance","Active":true}],
                "NextPage":null}"#,
        )
        .expect(1)
        .create_async()
        .await;
    let users: Vec<UserV3> = client(&server)
        .users()
        .list_v3()
        .login_id("ada.testperson@example.com")
        .active(true)
        .limit(250)
        .stream()
        .try_collect()
        .await
        .unwrap();
    m.assert_async().await;
    let s = users[0].summary();
    assert_eq!(s.display_name.as_deref(), Some("Ada Testperson"));
    assert_eq!(s.department.as_deref(), Some("Finance"));
    assert_eq!(s.employee_number.as_deref(), Some("1001"));
    assert_eq!(s.active, Some(true));
}
