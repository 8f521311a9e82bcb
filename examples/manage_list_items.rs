//! Create a List v4 list, add, rename and delete items, and page through its children.
//!
//! `cargo run -p concur-smp-examples --example manage_list_items`
//!
//! Shows `lists().create_list`, `create_item` (first level and child by `parentCode`),
//! `list_children(..).stream()` (page-number paging), `update_item`, `delete_item` and
//! `delete_list` (DELETE sends `Content-Type: application/json`), and the local refusal of a
//! code containing `-` (the long-code separator) before anything is sent.
//!
//! Until the simulator serves List v4, the example runs against a mockito server started in
//! [`backend`] (the only function to change to point it at the simulator).

use concur_client::models::list::{NewList, NewListItem, UpdateListItem};
use concur_client::{AuthMode, Client, TokenRecord};
use futures::TryStreamExt;

const LIST: &str = "6f1c7c36-1c7e-4d8e-9a53-2b0b5d7f9e01";
const ITEM: &str = "0b8e2a61-5f0c-4f36-8d8b-7e1b9d4c2a11";
const CHILD: &str = "9d3f1b22-7a4e-4c61-a0f2-5e6d8c9b1a22";

/// Starts the fake Concur backend and returns it (keep it alive) with a client pointed at it.
async fn backend() -> anyhow::Result<(mockito::ServerGuard, Client)> {
    let mut server = mockito::Server::new_async().await;
    let base = server.url();
    let list = serde_json::json!({"id": LIST, "value": "SaaS Vendors", "levelCount": 2, "searchCriteria": "TEXT",
        "displayFormat": "(CODE) TEXT", "category": {"id": "c0", "type": "Normal"},
        "isReadOnly": false, "isDeleted": false, "managedBy": null});
    let item = |id: &str,
                code: &str,
                short: &str,
                value: &str,
                parent: Option<&str>,
                level: u32| {
        serde_json::json!({"id": id, "code": code, "shortCode": short, "value": value, "parentId": parent,
            "level": level, "isDeleted": false, "lists": [{"id": LIST, "hasChildren": level == 1}]})
    };
    server
        .mock("POST", "/list/v4/lists")
        .with_status(201)
        .with_body(list.to_string())
        .create_async()
        .await;
    server
        .mock("POST", "/list/v4/items")
        .match_body(mockito::Matcher::PartialJson(
            serde_json::json!({"shortCode": "COLLAB"}),
        ))
        .with_status(201)
        .with_body(item(ITEM, "COLLAB", "COLLAB", "Collaboration", None, 1).to_string())
        .create_async()
        .await;
    server
        .mock("POST", "/list/v4/items")
        .match_body(mockito::Matcher::PartialJson(
            serde_json::json!({"parentCode": "COLLAB"}),
        ))
        .with_status(201)
        .with_body(item(CHILD, "COLLAB-CHAT", "CHAT", "Team Chat", Some(ITEM), 2).to_string())
        .create_async()
        .await;
    server
        .mock("GET", format!("/list/v4/lists/{LIST}/children").as_str())
        .with_body(
            serde_json::json!({"links": [], "content": [item(ITEM, "COLLAB", "COLLAB", "Collaboration", None, 1)],
                "page": {"size": 100, "totalElements": 1, "totalPages": 1, "number": 1}})
            .to_string(),
        )
        .create_async()
        .await;
    server
        .mock("PUT", format!("/list/v4/items/{CHILD}").as_str())
        .with_body(
            item(
                CHILD,
                "COLLAB-CHAT",
                "CHAT",
                "Team Chat and Video",
                Some(ITEM),
                2,
            )
            .to_string(),
        )
        .create_async()
        .await;
    for path in [
        format!("/list/v4/items/{CHILD}"),
        format!("/list/v4/lists/{LIST}"),
    ] {
        server
            .mock("DELETE", path.as_str())
            .match_header("content-type", "application/json")
            .with_status(204)
            .create_async()
            .await;
    }

    let token = TokenRecord::new(
        "example-token",
        None,
        chrono::Utc::now() + chrono::Duration::hours(1),
        url::Url::parse(&base)?,
        AuthMode::CompanyAuthToken,
    );
    let client = Client::builder().base_url(&base).token(token).build()?;
    Ok((server, client))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (_backend, client) = backend().await?;
    let lists = client.lists();

    let list = lists.create_list(&NewList::new("SaaS Vendors")).await?;
    println!("created list {} ({})", list.value, list.id);

    let parent = lists
        .create_item(&NewListItem::new(&list.id, "COLLAB", "Collaboration"))
        .await?;
    let child = lists
        .create_item(&NewListItem::new(&list.id, "CHAT", "Team Chat").parent_code("COLLAB"))
        .await?;
    println!(
        "added {} and {}",
        parent.code.unwrap_or_default(),
        child.code.clone().unwrap_or_default()
    );

    match lists
        .create_item(&NewListItem::new(&list.id, "VIDEO-CALLS", "Video"))
        .await
    {
        Err(e) => println!("refused locally: {e}"),
        Ok(_) => anyhow::bail!("a hyphenated code must be refused"),
    }

    let first_level: Vec<_> = lists.list_children(&list.id).stream().try_collect().await?;
    println!(
        "first-level items: {:?}",
        first_level
            .iter()
            .map(|i| i.value.clone())
            .collect::<Vec<_>>()
    );

    let renamed = lists
        .update_item(
            &child.id,
            &UpdateListItem::new("CHAT", "Team Chat and Video"),
        )
        .await?;
    println!(
        "renamed {} to {}",
        renamed.code.unwrap_or_default(),
        renamed.value.unwrap_or_default()
    );

    lists.delete_item(&child.id).await?;
    lists.delete_list(&list.id).await?;
    println!("deleted the item and the list");
    Ok(())
}
