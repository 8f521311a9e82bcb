//! List v4 and List Item v4 (`/list/v4/...`): lists, items, create/update/delete, children.
//! Page size is fixed at 100 (`page` is 1-based), as documented.
//!
//! Source: <https://developer.concur.com/api-reference/common/lists/v4.list.html>,
//! `list-item/v4.list-item.html`.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::expense_v3::Query;
use super::{AppState, Family, Principal, Shared, Tenant, TenantState, authorize, error};
use crate::config::ApiGroup;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/list/v4/lists", get(lists).post(create_list))
        .route(
            "/list/v4/lists/{id}",
            get(get_list).put(update_list).delete(delete_list),
        )
        .route("/list/v4/lists/{id}/children", get(list_children))
        .route("/list/v4/items", axum::routing::post(create_item))
        .route(
            "/list/v4/items/{id}",
            get(get_item).put(update_item).delete(delete_item),
        )
        .route("/list/v4/items/{id}/children", get(item_children))
}

fn uuid_for(st: &Shared, tag: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("{}:{tag}:{}", st.base_url, st.next_serial()).as_bytes(),
    )
    .to_string()
}

fn seed(st: &Shared, t: &Tenant, s: &mut TenantState) {
    if s.lists_seeded {
        return;
    }
    s.lists_seeded = true;
    for (name, cat, items) in [
        (
            "Cost Centers",
            "Normal",
            vec![
                ("CC1000", "Engineering"),
                ("CC2000", "Sales"),
                ("CC3000", "Marketing"),
                ("CC4000", "Finance"),
            ],
        ),
        (
            "SaaS Vendors",
            "Vendor",
            vec![
                ("ZOOM", "Zoom Video Communications"),
                ("SLACK", "Slack Technologies"),
                ("ADOBE", "Adobe"),
            ],
        ),
    ] {
        let lid = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_OID,
            format!("{}:{name}", t.cfg.name).as_bytes(),
        )
        .to_string();
        s.lists.push(json!({
            "id": lid, "value": name, "levelCount": 1, "searchCriteria": "TEXT", "displayFormat": "(CODE) TEXT",
            "category": {"id": uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, cat.as_bytes()).to_string(), "type": cat},
            "isReadOnly": false, "isDeleted": false, "managedBy": null,
        }));
        for (code, value) in items {
            s.items.push(item_json(
                &uuid_for(st, code),
                &lid,
                code,
                value,
                None,
                code,
                1,
            ));
        }
    }
}

fn item_json(
    id: &str,
    list: &str,
    short: &str,
    value: &str,
    parent: Option<&str>,
    code: &str,
    level: u64,
) -> Value {
    json!({"id": id, "code": code, "shortCode": short, "value": value, "parentId": parent, "level": level,
           "isDeleted": false, "lists": [{"id": list, "hasChildren": false}]})
}

fn paged(st: &Shared, path: &str, q: &Query, all: Vec<Value>) -> Response {
    let page: usize = q
        .get("page")
        .and_then(|p| p.parse().ok())
        .filter(|&p| p >= 1)
        .unwrap_or(1);
    let total = all.len();
    let pages = total.div_ceil(100).max(1);
    let content: Vec<Value> = all.into_iter().skip((page - 1) * 100).take(100).collect();
    let mut links =
        vec![json!({"rel": "self", "href": format!("{}{path}?page={page}", st.base_url)})];
    if page < pages {
        links.push(
            json!({"rel": "next", "href": format!("{}{path}?page={}", st.base_url, page + 1)}),
        );
    }
    Json(json!({"content": content, "page": {"number": page, "size": 100, "totalElements": total, "totalPages": pages}, "links": links}))
        .into_response()
}

fn with_state<R>(st: &Shared, t: &Tenant, f: impl FnOnce(&mut TenantState) -> R) -> R {
    let mut g = t
        .extra
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    seed(st, t, &mut g);
    f(&mut g)
}

fn need_admin(p: Principal, h: &HeaderMap) -> Result<(), Response> {
    if matches!(p, Principal::User(_)) {
        Err(error(
            Family::List,
            StatusCode::FORBIDDEN,
            "A configuration administrator is required",
            h,
        ))
    } else {
        Ok(())
    }
}

fn body_str<'a>(b: &'a Value, k: &str) -> Option<&'a str> {
    b.get(k).and_then(Value::as_str)
}

async fn lists(State(st): State<AppState>, h: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let (t, _, _) = match authorize(&st, &h, ApiGroup::ListItems, Family::List) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let all = with_state(&st, t, |s| {
        s.lists
            .iter()
            .filter(|l| l["isDeleted"] == false)
            .cloned()
            .collect()
    });
    paged(&st, "/list/v4/lists", &Query::parse(raw.as_deref()), all)
}

async fn create_list(State(st): State<AppState>, h: HeaderMap, Json(b): Json<Value>) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::ListItems, Family::List) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Err(r) = need_admin(p, &h) {
        return r;
    }
    let Some(value) = body_str(&b, "value").filter(|v| !v.is_empty()) else {
        return error(
            Family::List,
            StatusCode::BAD_REQUEST,
            "value is required",
            &h,
        );
    };
    let id = uuid_for(&st, value);
    let managed = b.get("isManaged").and_then(Value::as_bool).unwrap_or(false);
    let list = json!({
        "id": id, "value": value, "levelCount": 1,
        "searchCriteria": body_str(&b, "searchCriteria").unwrap_or("TEXT"),
        "displayFormat": body_str(&b, "displayFormat").unwrap_or("(CODE) TEXT"),
        "category": {"id": body_str(&b, "categoryId").unwrap_or(""), "type": "Normal"},
        "isReadOnly": false, "isDeleted": false,
        "managedBy": if managed { Some(format!("appId:{}", st.config.client_id)) } else { None },
    });
    with_state(&st, t, |s| s.lists.push(list.clone()));
    (StatusCode::CREATED, Json(list)).into_response()
}

fn nf(h: &HeaderMap) -> Response {
    error(
        Family::List,
        StatusCode::NOT_FOUND,
        "The list or item was not found",
        h,
    )
}

async fn get_list(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> Response {
    let (t, _, _) = match authorize(&st, &h, ApiGroup::ListItems, Family::List) {
        Ok(x) => x,
        Err(r) => return r,
    };
    match with_state(&st, t, |s| {
        s.lists
            .iter()
            .find(|l| l["id"] == id.as_str() && l["isDeleted"] == false)
            .cloned()
    }) {
        Some(l) => Json(l).into_response(),
        None => nf(&h),
    }
}

async fn update_list(
    State(st): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
    Json(b): Json<Value>,
) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::ListItems, Family::List) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Err(r) = need_admin(p, &h) {
        return r;
    }
    let r = with_state(&st, t, |s| {
        let l = s
            .lists
            .iter_mut()
            .find(|l| l["id"] == id.as_str() && l["isDeleted"] == false)?;
        for k in ["value", "searchCriteria", "displayFormat"] {
            if let Some(v) = b.get(k) {
                l[k] = v.clone();
            }
        }
        Some(l.clone())
    });
    r.map_or_else(|| nf(&h), |l| Json(l).into_response())
}

async fn delete_list(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::ListItems, Family::List) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Err(r) = need_admin(p, &h) {
        return r;
    }
    let ok = with_state(&st, t, |s| {
        s.lists
            .iter_mut()
            .find(|l| l["id"] == id.as_str() && l["isDeleted"] == false)
            .map(|l| l["isDeleted"] = json!(true))
            .is_some()
    });
    if ok {
        StatusCode::NO_CONTENT.into_response()
    } else {
        nf(&h)
    }
}

fn children_of(s: &TenantState, list: Option<&str>, parent: Option<&str>) -> Vec<Value> {
    s.items
        .iter()
        .filter(|i| i["isDeleted"] == false)
        .filter(|i| list.is_none_or(|l| i["lists"][0]["id"] == l))
        .filter(|i| match parent {
            Some(p) => i["parentId"] == p,
            None => i["parentId"].is_null(),
        })
        .cloned()
        .collect()
}

async fn list_children(
    State(st): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (t, _, _) = match authorize(&st, &h, ApiGroup::ListItems, Family::List) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let all = with_state(&st, t, |s| {
        s.lists
            .iter()
            .any(|l| l["id"] == id.as_str())
            .then(|| children_of(s, Some(&id), None))
    });
    match all {
        Some(all) => paged(
            &st,
            &format!("/list/v4/lists/{id}/children"),
            &Query::parse(raw.as_deref()),
            all,
        ),
        None => nf(&h),
    }
}

async fn item_children(
    State(st): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (t, _, _) = match authorize(&st, &h, ApiGroup::ListItems, Family::List) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let all = with_state(&st, t, |s| {
        s.items
            .iter()
            .any(|i| i["id"] == id.as_str())
            .then(|| children_of(s, None, Some(&id)))
    });
    match all {
        Some(all) => paged(
            &st,
            &format!("/list/v4/items/{id}/children"),
            &Query::parse(raw.as_deref()),
            all,
        ),
        None => nf(&h),
    }
}

async fn create_item(State(st): State<AppState>, h: HeaderMap, Json(b): Json<Value>) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::ListItems, Family::List) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Err(r) = need_admin(p, &h) {
        return r;
    }
    let (Some(list), Some(short), Some(value)) = (
        body_str(&b, "listId"),
        body_str(&b, "shortCode"),
        body_str(&b, "value"),
    ) else {
        return error(
            Family::List,
            StatusCode::BAD_REQUEST,
            "listId, shortCode and value are required",
            &h,
        );
    };
    if short.contains('-') || value.contains('-') {
        return error(
            Family::List,
            StatusCode::BAD_REQUEST,
            "Hyphens are not allowed in item codes or names",
            &h,
        );
    }
    let id = uuid_for(&st, short);
    let r = with_state(&st, t, |s| {
        if !s
            .lists
            .iter()
            .any(|l| l["id"] == list && l["isDeleted"] == false)
        {
            return Err("list.not.found");
        }
        let parent = match (body_str(&b, "parentId"), body_str(&b, "parentCode")) {
            (Some(pid), _) => s.items.iter().find(|i| i["id"] == pid).cloned(),
            (None, Some(pc)) => s
                .items
                .iter()
                .find(|i| i["code"] == pc && i["lists"][0]["id"] == list)
                .cloned(),
            _ => None,
        };
        let (code, level, pid) = match &parent {
            Some(p) => (
                format!("{}-{short}", p["code"].as_str().unwrap_or("")),
                p["level"].as_u64().unwrap_or(1) + 1,
                p["id"].as_str().map(str::to_owned),
            ),
            None => (short.to_owned(), 1, None),
        };
        if s.items.iter().any(|i| {
            i["code"] == code.as_str() && i["lists"][0]["id"] == list && i["isDeleted"] == false
        }) {
            return Err("item.duplicate.code");
        }
        let item = item_json(&id, list, short, value, pid.as_deref(), &code, level);
        if let Some(pid) = &pid
            && let Some(p) = s.items.iter_mut().find(|i| i["id"] == pid.as_str())
        {
            p["lists"][0]["hasChildren"] = json!(true);
        }
        s.items.push(item.clone());
        Ok(item)
    });
    match r {
        Ok(item) => (StatusCode::CREATED, Json(item)).into_response(),
        Err("list.not.found") => nf(&h),
        Err(m) => error(Family::List, StatusCode::BAD_REQUEST, m, &h),
    }
}

async fn get_item(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> Response {
    let (t, _, _) = match authorize(&st, &h, ApiGroup::ListItems, Family::List) {
        Ok(x) => x,
        Err(r) => return r,
    };
    match with_state(&st, t, |s| {
        s.items
            .iter()
            .find(|i| i["id"] == id.as_str() && i["isDeleted"] == false)
            .cloned()
    }) {
        Some(i) => Json(i).into_response(),
        None => nf(&h),
    }
}

async fn update_item(
    State(st): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
    Json(b): Json<Value>,
) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::ListItems, Family::List) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Err(r) = need_admin(p, &h) {
        return r;
    }
    let r = with_state(&st, t, |s| {
        let i = s
            .items
            .iter_mut()
            .find(|i| i["id"] == id.as_str() && i["isDeleted"] == false)?;
        if let Some(v) = b.get("value") {
            i["value"] = v.clone();
        }
        if let Some(v) = b.get("shortCode").and_then(Value::as_str) {
            i["shortCode"] = json!(v);
            let code = i["code"]
                .as_str()
                .unwrap_or("")
                .rsplit_once('-')
                .map_or(v.to_owned(), |(pre, _)| format!("{pre}-{v}"));
            i["code"] = json!(code);
        }
        Some(i.clone())
    });
    r.map_or_else(|| nf(&h), |i| Json(i).into_response())
}

async fn delete_item(State(st): State<AppState>, h: HeaderMap, Path(id): Path<String>) -> Response {
    let (t, _, p) = match authorize(&st, &h, ApiGroup::ListItems, Family::List) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Err(r) = need_admin(p, &h) {
        return r;
    }
    let ok = with_state(&st, t, |s| {
        s.items
            .iter_mut()
            .find(|i| i["id"] == id.as_str() && i["isDeleted"] == false)
            .map(|i| i["isDeleted"] = json!(true))
            .is_some()
    });
    if ok {
        StatusCode::NO_CONTENT.into_response()
    } else {
        nf(&h)
    }
}
