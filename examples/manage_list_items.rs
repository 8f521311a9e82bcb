//! Create a List v4 list, then create, read, update and delete items in it, and delete the list.
//!
//! Simulator (in-process `tiny` company, no network):
//! `cargo run -p concur-smp-examples --example manage_list_items`
//!
//! Real company or external simulator: set `CONCUR_BASE_URL`, `CONCUR_CLIENT_ID`,
//! `CONCUR_CLIENT_SECRET` and `CONCUR_USERNAME` + `CONCUR_PASSWORD` (or
//! `CONCUR_REFRESH_TOKEN`), see [`concur_smp_examples::connect`]. This WRITES to the company:
//! it needs the `spend.list*.write`/`delete` scopes and a configuration administrator, and
//! removes the list it created at the end.
//!
//! Shows `create_list`, `create_item` (first level, and a child by `parent_code`), `get_item`,
//! `list_children(..).stream()` (page-number paging), `update_item`, `delete_item`,
//! `delete_list`, and the local refusal of a code containing `-` (Concur's long-code
//! separator) before anything is sent.

use concur_client::models::list::{NewList, NewListItem, UpdateListItem};
use concur_smp_examples::connect;
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let conn = connect().await?;
    println!("connected to {}", conn.target);
    let lists = conn.client.lists();

    // a unique name: list names are unique in a company
    let name = format!("SMP Example {}", chrono::Utc::now().format("%Y%m%d%H%M%S"));
    let list = lists.create_list(&NewList::new(name)).await?;
    println!("created list {:?} ({})", list.value, list.id);

    let parent = lists
        .create_item(&NewListItem::new(&list.id, "COLLAB", "Collaboration"))
        .await?;
    let child = lists
        .create_item(&NewListItem::new(&list.id, "CHAT", "Team Chat").parent_code("COLLAB"))
        .await?;
    let read = lists.get_item(&child.id).await?;
    anyhow::ensure!(
        read.parent_id.as_deref() == Some(parent.id.as_str()),
        "CHAT is under COLLAB"
    );
    println!(
        "created {} and {}; read back {:?} at level {}",
        parent.code.as_deref().unwrap_or("-"),
        child.code.as_deref().unwrap_or("-"),
        read.value.as_deref().unwrap_or("-"),
        read.level.map_or("?".to_owned(), |l| l.to_string()),
    );

    match lists
        .create_item(&NewListItem::new(&list.id, "VIDEO-CALLS", "Video"))
        .await
    {
        Err(e) => println!("refused locally: {e}"),
        Ok(_) => anyhow::bail!("a hyphenated code must be refused"),
    }

    let first_level: Vec<_> = lists.list_children(&list.id).stream().try_collect().await?;
    let values: Vec<_> = first_level
        .iter()
        .filter_map(|i| i.value.as_deref())
        .collect();
    println!("first-level items: {values:?}");

    let renamed = lists
        .update_item(
            &child.id,
            &UpdateListItem::new("CHAT", "Team Chat and Video"),
        )
        .await?;
    println!(
        "renamed {} to {:?}",
        renamed.code.as_deref().unwrap_or("-"),
        renamed.value.as_deref().unwrap_or("-")
    );

    lists.delete_item(&child.id).await?;
    lists.delete_item(&parent.id).await?;
    lists.delete_list(&list.id).await?;
    println!("deleted both items and the list");
    Ok(())
}
