//! List v4 / List Item v4 CRUD and paging, Lists v3 reads, against mockito.

use concur_client::Error;
use concur_client::models::list::{
    ListItemV3, ListV4, NewList, NewListItem, UpdateList, UpdateListItem,
};
use futures::TryStreamExt;
use mockito::Matcher;

use crate::family_mock::{BEARER, client, fixture};

fn q(k: &str, v: &str) -> Matcher {
    Matcher::UrlEncoded(k.into(), v.into())
}

fn list_json(id: &str, value: &str) -> serde_json::Value {
    serde_json::json!({"id": id, "value": value, "levelCount": 1, "searchCriteria": "TEXT",
        "displayFormat": "(CODE) TEXT", "category": {"id": "c1", "type": "Normal"},
        "isReadOnly": false, "isDeleted": false, "managedBy": null})
}

#[tokio::test]
async fn lists_v4_page_numbers() {
    let mut server = mockito::Server::new_async().await;
    let p1 = server
        .mock("GET", "/list/v4/lists")
        .match_query(Matcher::AllOf(vec![q("sortBy", "name"), q("value", "sw:Cost")]))
        .match_header("authorization", BEARER)
        .match_header("accept", "application/json")
        .with_body(
            serde_json::json!({"links": [], "content": [list_json("L1", "Cost Centers"), list_json("L2", "Cost Codes")],
                "page": {"size": 2, "totalElements": 3, "totalPages": 2, "number": 1}})
            .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let p2 = server
        .mock("GET", "/list/v4/lists")
        .match_query(Matcher::AllOf(vec![
            q("sortBy", "name"),
            q("value", "sw:Cost"),
            q("page", "2"),
        ]))
        .with_body(
            serde_json::json!({"links": [], "content": [list_json("L3", "Cost Types")],
                "page": {"size": 2, "totalElements": 3, "totalPages": 2, "number": 2}})
            .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    // p1's matcher also matches page=2 requests once exhausted, so order the checks by hits
    let all: Vec<ListV4> = client(&server)
        .lists()
        .lists()
        .sort_by("name")
        .filter("value", "sw:Cost")
        .stream()
        .try_collect()
        .await
        .unwrap();
    p1.assert_async().await;
    p2.assert_async().await;
    let names: Vec<&str> = all.iter().map(|l| l.value.as_str()).collect();
    assert_eq!(names, ["Cost Centers", "Cost Codes", "Cost Types"]);
}

#[tokio::test]
async fn lists_v4_follow_hal_next_link() {
    let mut server = mockito::Server::new_async().await;
    let next = format!("{}/list/v4/lists?page=2&sortBy=name", server.url());
    let p1 = server
        .mock("GET", "/list/v4/lists")
        .match_query(Matcher::Missing)
        .with_body(
            serde_json::json!({"links": [{"rel": "next", "href": next}], "content": [list_json("L1", "A")],
                "page": {"size": 100, "totalElements": 2, "totalPages": 2, "number": 1}})
            .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let p2 = server
        .mock("GET", "/list/v4/lists")
        .match_query(Matcher::AllOf(vec![q("page", "2"), q("sortBy", "name")]))
        .with_body(fixture("list-v4-lists-list.json"))
        .expect(1)
        .create_async()
        .await;
    let pages: Vec<_> = client(&server)
        .lists()
        .lists()
        .pages()
        .try_collect()
        .await
        .unwrap();
    p1.assert_async().await;
    p2.assert_async().await;
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[1].items.len(), 3);
    assert_eq!(pages[1].total_count, Some(3));
}

#[tokio::test]
async fn lists_v4_unexpected_envelope_is_a_decode_error() {
    let mut server = mockito::Server::new_async().await;
    let _m = server
        .mock("GET", "/list/v4/lists")
        .with_body(r#"{"items": [], "page": {"number": 1, "totalPages": 1}}"#)
        .create_async()
        .await;
    let err = client(&server).lists().lists().send().await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn list_v4_crud() {
    let mut server = mockito::Server::new_async().await;
    let get = server
        .mock("GET", "/list/v4/lists/80edb3fa-c15e-a34a-b97f-f2ec291ab44f")
        .match_header("authorization", BEARER)
        .with_body(fixture("list-v4-lists-get.json"))
        .expect(1)
        .create_async()
        .await;
    let create = server
        .mock("POST", "/list/v4/lists")
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(
            serde_json::from_str(&fixture("list-v4-lists-create-request.json")).unwrap(),
        ))
        .with_status(201)
        .with_body(fixture("list-v4-lists-create-response.json"))
        .expect(1)
        .create_async()
        .await;
    let update = server
        .mock("PUT", "/list/v4/lists/80edb3fa-c15e-a34a-b97f-f2ec291ab44f")
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(
            serde_json::from_str(&fixture("list-v4-lists-update-request.json")).unwrap(),
        ))
        .with_body(fixture("list-v4-lists-update-response.json"))
        .expect(1)
        .create_async()
        .await;
    let delete = server
        .mock(
            "DELETE",
            "/list/v4/lists/80edb3fa-c15e-a34a-b97f-f2ec291ab44f",
        )
        .match_header("authorization", BEARER)
        .match_header("content-type", "application/json")
        .with_status(204)
        .expect(1)
        .create_async()
        .await;
    let c = client(&server);
    let id = "80edb3fa-c15e-a34a-b97f-f2ec291ab44f";
    assert_eq!(
        c.lists().get_list(id).await.unwrap().value,
        "Custom List Renamed"
    );
    let created = c
        .lists()
        .create_list(&NewList::new("Custom List"))
        .await
        .unwrap();
    assert_eq!(created.id, id);
    let updated = c
        .lists()
        .update_list(id, &UpdateList::new("Custom List Renamed"))
        .await
        .unwrap();
    assert_eq!(
        updated.category.unwrap().id,
        "77b85a76-8157-0c4e-b5e3-7785d8de1a6b"
    );
    c.lists().delete_list(id).await.unwrap();
    for m in [get, create, update, delete] {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn list_item_v4_crud_and_children() {
    let mut server = mockito::Server::new_async().await;
    let item_id = "7c6d0435-c4d1-8b48-8492-7e7b625e148d";
    let list_id = "80edb3fa-c15e-a34a-b97f-f2ec291ab44f";
    let get = server
        .mock("GET", "/list/v4/items/63b7fbd9-ae08-0840-abdb-62b0b9160081")
        .match_header("authorization", BEARER)
        .with_body(fixture("list-v4-items-get.json"))
        .expect(1)
        .create_async()
        .await;
    let create = server
        .mock("POST", "/list/v4/items")
        .match_body(Matcher::Json(
            serde_json::from_str(&fixture(
                "list-v4-items-create-request-child-by-parentid.json",
            ))
            .unwrap(),
        ))
        .with_status(201)
        .with_body(fixture("list-v4-items-create-response.json"))
        .expect(1)
        .create_async()
        .await;
    let update = server
        .mock("PUT", format!("/list/v4/items/{item_id}").as_str())
        .match_body(Matcher::Json(
            serde_json::from_str(&fixture("list-v4-items-update-request.json")).unwrap(),
        ))
        .with_body(fixture("list-v4-items-update-response.json"))
        .expect(1)
        .create_async()
        .await;
    let delete = server
        .mock("DELETE", format!("/list/v4/items/{item_id}").as_str())
        .match_header("content-type", "application/json")
        .with_status(204)
        .expect(1)
        .create_async()
        .await;
    let delete_from_list = server
        .mock(
            "DELETE",
            format!("/list/v4/lists/{list_id}/items/{item_id}").as_str(),
        )
        .match_header("content-type", "application/json")
        .with_status(204)
        .expect(1)
        .create_async()
        .await;
    let children = server
        .mock("GET", format!("/list/v4/lists/{list_id}/children").as_str())
        .match_query(q("shortCode", "eq:FIRST LEVEL ITEM"))
        .with_body(fixture("list-v4-lists-children-list.json"))
        .expect(1)
        .create_async()
        .await;
    let item_children = server
        .mock("GET", format!("/list/v4/items/{item_id}/children").as_str())
        .with_body(fixture("list-v4-items-children-list.json"))
        .expect(1)
        .create_async()
        .await;
    let never = server
        .mock("POST", "/list/v4/items")
        .match_body(Matcher::Regex("A-B".into()))
        .expect(0)
        .create_async()
        .await;

    let c = client(&server);
    let got = c
        .lists()
        .get_item("63b7fbd9-ae08-0840-abdb-62b0b9160081")
        .await
        .unwrap();
    assert_eq!(got.code.as_deref(), Some("ITEM-SECOND LEVEL ITEM"));
    let new =
        NewListItem::new(list_id, "SECOND LEVEL ITEM", "SECOND LEVEL ITEM").parent_id(item_id);
    let created = c.lists().create_item(&new).await.unwrap();
    assert_eq!(created.level, Some(1));
    let updated = c
        .lists()
        .update_item(item_id, &UpdateListItem::new("ITEM", "ITEM UPDATED"))
        .await
        .unwrap();
    assert_eq!(updated.value.as_deref(), Some("ITEM UPDATED"));
    c.lists().delete_item(item_id).await.unwrap();
    c.lists().delete_list_item(list_id, item_id).await.unwrap();
    let kids = c
        .lists()
        .list_children(list_id)
        .filter("shortCode", "eq:FIRST LEVEL ITEM")
        .send()
        .await
        .unwrap();
    assert_eq!(kids.items[0].code.as_deref(), Some("ITEM-FIRST LEVEL ITEM"));
    let kids = c.lists().item_children(item_id).send().await.unwrap();
    assert_eq!(kids.items[0].level, Some(2));
    // a hyphen in a code is refused before anything is sent
    let err = c
        .lists()
        .create_item(&NewListItem::new(list_id, "A-B", "AB"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    for m in [
        get,
        create,
        update,
        delete,
        delete_from_list,
        children,
        item_children,
        never,
    ] {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn managed_list_error_is_an_invalid_request_with_the_list_error_id() {
    let mut server = mockito::Server::new_async().await;
    let _m = server
        .mock("PUT", "/list/v4/lists/9705ce8e-7957-3f4e-a6cf-19ef2b437099")
        .with_status(400)
        .with_body(fixture("list-v4-error-managed-list.json"))
        .create_async()
        .await;
    let err = client(&server)
        .lists()
        .update_list(
            "9705ce8e-7957-3f4e-a6cf-19ef2b437099",
            &UpdateList::new("X"),
        )
        .await
        .unwrap_err();
    match err {
        Error::InvalidRequest(d) => assert_eq!(d.code.as_deref(), Some("list.is.managed")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn lists_v3_read_only() {
    let mut server = mockito::Server::new_async().await;
    let next = format!(
        "{}/api/v3.0/common/listitems?offset=tok2&listId=gWL1&limit=2",
        server.url()
    );
    let lists = server
        .mock("GET", "/api/v3.0/common/lists")
        .match_query(q("limit", "100"))
        .match_header("authorization", BEARER)
        .with_body(
            r#"{"Items":[{"ID":"gWL1","Name":"Departments","DisplayCodeFirst":true,"IsVendorList":false,"SearchCriteriaCode":"TEXT"}],"NextPage":null}"#,
        )
        .expect(1)
        .create_async()
        .await;
    let items1 = server
        .mock("GET", "/api/v3.0/common/listitems")
        .match_query(Matcher::AllOf(vec![q("listId", "gWL1"), q("limit", "2")]))
        .with_body(
            serde_json::json!({"Items": [
                {"ID": "I1", "ListID": "gWL1", "Name": "Engineering", "Level1Code": "ENG"},
                {"ID": "I2", "ListID": "gWL1", "Name": "Finance", "Level1Code": "FIN"}],
                "NextPage": next})
            .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let items2 = server
        .mock("GET", "/api/v3.0/common/listitems")
        .match_query(Matcher::AllOf(vec![q("offset", "tok2"), q("listId", "gWL1")]))
        .with_body(r#"{"Items":[{"ID":"I3","ListID":"gWL1","Name":"Sales","Level1Code":"SAL"}],"NextPage":null}"#)
        .expect(1)
        .create_async()
        .await;
    let get = server
        .mock("GET", "/api/v3.0/common/listitems/I1")
        .match_query(q("listId", "gWL1"))
        .with_body(r#"{"ID":"I1","ListID":"gWL1","Name":"Engineering","Level1Code":"ENG"}"#)
        .expect(1)
        .create_async()
        .await;
    let c = client(&server);
    let l = c.lists().lists_v3().limit(500).send().await.unwrap();
    assert_eq!(l.items[0].name.as_deref(), Some("Departments"));
    assert_eq!(l.items[0].display_code_first, Some(true));
    let items: Vec<ListItemV3> = c
        .lists()
        .list_items_v3()
        .list_id("gWL1")
        .limit(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let codes: Vec<_> = items
        .iter()
        .map(|i| i.level1_code.clone().unwrap())
        .collect();
    assert_eq!(codes, ["ENG", "FIN", "SAL"]);
    let one = c.lists().get_list_item_v3("I1", "gWL1").await.unwrap();
    assert_eq!(one.name.as_deref(), Some("Engineering"));
    for m in [lists, items1, items2, get] {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn category_lists_and_list_v3_get() {
    let mut server = mockito::Server::new_async().await;
    let cat = server
        .mock(
            "GET",
            "/list/v4/categories/77b85a76-8157-0c4e-b5e3-7785d8de1a6b/lists",
        )
        .match_query(q("page", "1"))
        .match_header("authorization", BEARER)
        .with_body(fixture("list-v4-category-lists-list.json"))
        .expect(1)
        .create_async()
        .await;
    let v3 = server
        .mock("GET", "/api/v3.0/common/lists/gWL%241")
        .match_header("authorization", BEARER)
        .match_header("accept", "application/json")
        .with_body(fixture("list-v3-lists-get.placeholder.json"))
        .expect(1)
        .create_async()
        .await;
    let c = client(&server);
    let page = c
        .lists()
        .category_lists("77b85a76-8157-0c4e-b5e3-7785d8de1a6b")
        .page(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page.items[0].id, "80edb3fa-c15e-a34a-b97f-f2ec291ab44f");
    assert!(!page.has_next());
    let l = c.lists().get_list_v3("gWL$1").await.unwrap();
    assert_eq!(l.connector_id.as_deref(), Some("string"));
    assert_eq!(l.is_vendor_list, Some(true));
    cat.assert_async().await;
    v3.assert_async().await;
}
