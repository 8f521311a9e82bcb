//! Expense v4, Invoice v3, Image v1, Receipts v4, List v4, Identity v4/v4.1 and Users v3.

mod common;

use std::time::Duration;

use common::*;
use concur_sim::{ApiGroup, Size, TenantConfig};
use serde_json::{Value, json};

async fn first_report(sim: &concur_sim::SimServer, tok: &str) -> Value {
    let v = get_json(
        tok,
        &format!(
            "{}/api/v3.0/expense/reports?user=ALL&limit=1",
            sim.base_url()
        ),
    )
    .await;
    v["Items"][0].clone()
}

#[tokio::test]
async fn expense_v4_report_expenses_and_itemizations() {
    let sim = tiny().await;
    let base = sim.base_url();
    let tok = admin_token(&sim).await;
    let r = first_report(&sim, &tok).await;
    let rid = r["ID"].as_str().unwrap();
    let users = get_json(
        &tok,
        &format!(
            "{base}/profile/identity/v4/Users?filter=userName%20eq%20%22{}%22",
            r["OwnerLoginID"].as_str().unwrap()
        ),
    )
    .await;
    let uid = users["Resources"][0]["id"].as_str().unwrap();
    let url = format!("{base}/expensereports/v4/users/{uid}/context/TRAVELER/reports/{rid}");
    let resp = get(&tok, &url).await;
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    assert!(
        !text.contains("\\u0001") && text.contains("\"value\":0E-8"),
        "{text}"
    );
    let v4: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v4["reportId"], rid);
    assert!(v4["reportTotal"]["value"].is_number());
    assert_eq!(v4["approvalStatusId"], r["ApprovalStatusCode"]);
    let expenses = get_json(&tok, &format!("{url}/expenses")).await;
    let arr = expenses.as_array().unwrap();
    let v3 = crawl(
        &tok,
        &format!("{base}/api/v3.0/expense/entries?user=ALL&reportID={rid}"),
    )
    .await;
    assert_eq!(arr.len(), v3.len());
    assert_eq!(arr[0]["expenseId"], v3[0]["ExpenseID"]);
    let eid = arr[0]["expenseId"].as_str().unwrap();
    let one = get_json(&tok, &format!("{url}/expenses/{eid}")).await;
    assert_eq!(
        one["transactionAmount"]["currencyCode"],
        v3[0]["TransactionCurrencyCode"]
    );
    let its = get_json(&tok, &format!("{url}/expenses/{eid}/itemizations")).await;
    assert_eq!(
        its.as_array().unwrap().len(),
        v3[0]["HasItemizations"]
            .as_bool()
            .map(|h| if h { its.as_array().unwrap().len() } else { 0 })
            .unwrap()
    );
    // v4 error shape
    let bad = get(
        &tok,
        &format!("{base}/expensereports/v4/users/{uid}/context/NOPE/reports/{rid}"),
    )
    .await;
    assert_eq!(bad.status(), 400);
    let e: Value = bad.json().await.unwrap();
    assert!(
        e["errorId"].is_string()
            && e["errorMessage"].is_string()
            && e["httpStatus"] == "400 - Bad Request"
    );
}

#[tokio::test]
async fn invoice_digests_requests_and_vendors() {
    let sim = tiny().await;
    let base = sim.base_url();
    let tok = admin_token(&sim).await;
    let all = crawl(
        &tok,
        &format!("{base}/api/v3.0/invoice/paymentrequestdigests?limit=4"),
    )
    .await;
    assert_eq!(all.len(), 6);
    let d = &all[0];
    assert!(
        d["Total"]
            .as_str()
            .unwrap()
            .ends_with(|c: char| c.is_ascii_digit())
            && d["Total"].as_str().unwrap().contains('.')
    );
    let pr = get_json(&tok, d["PaymentRequestUri"].as_str().unwrap()).await;
    assert_eq!(pr["ID"], d["PaymentRequestId"]);
    assert_eq!(pr["InvoiceAmount"], d["Total"]);
    assert!(!pr["LineItems"]["LineItem"].as_array().unwrap().is_empty());
    let vendors = get_json(&tok, &format!("{base}/api/v3.1/invoice/vendors?limit=1000")).await;
    assert!(vendors["TotalCount"].as_u64().unwrap() >= 1);
    let name = vendors["Items"][0]["VendorName"].as_str().unwrap();
    let one = get_json(
        &tok,
        &format!(
            "{base}/api/v3.1/invoice/vendors?vendorName={}&searchType=exact",
            urlenc(name)
        ),
    )
    .await;
    assert_eq!(one["Items"].as_array().unwrap().len(), 1);
    // truth ids are invoice ids
    let truth: Vec<_> = concur_sim::ground_truth(sim.data("demo").unwrap())
        .filter(|r| r.kind == "invoice")
        .collect();
    assert!(truth.iter().any(|t| t.id == d["ID"].as_str().unwrap()));
}

fn urlenc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn image_urls_expire_after_15_simulated_minutes() {
    let sim = tiny().await;
    let base = sim.base_url();
    let tok = admin_token(&sim).await;
    let entries = crawl(
        &tok,
        &format!("{base}/api/v3.0/expense/entries?user=ALL&limit=100"),
    )
    .await;
    let e = entries.iter().find(|e| e["HasImage"] == true).unwrap();
    let id = e["ID"].as_str().unwrap().replace('$', "%24");
    let r = client()
        .get(format!("{base}/api/image/v1.0/expenseentry/{id}"))
        .header("Authorization", format!("OAuth {tok}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let xml = r.text().await.unwrap();
    let raw = xml
        .split("<Url>")
        .nth(1)
        .unwrap()
        .split("</Url>")
        .next()
        .unwrap();
    assert!(raw.contains("&amp;"), "URL is XML-escaped");
    let url = raw.replace("&amp;", "&");
    let img = client().get(&url).send().await.unwrap();
    assert_eq!(img.status(), 200);
    assert_eq!(img.headers()["content-type"], "image/png");
    assert!(img.bytes().await.unwrap().starts_with(b"\x89PNG"));
    sim.advance_time(Duration::from_secs(16 * 60));
    assert_eq!(client().get(&url).send().await.unwrap().status(), 403);
    // report image is a PDF; a fresh URL works again
    let rid = e["ReportID"].as_str().unwrap();
    let xml = client()
        .get(format!("{base}/api/image/v1.0/report/{rid}"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let url = xml
        .split("<Url>")
        .nth(1)
        .unwrap()
        .split("</Url>")
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let pdf = client().get(&url).send().await.unwrap();
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
}

#[tokio::test]
async fn receipts_v4_for_user_and_get() {
    let sim = tiny().await;
    let base = sim.base_url();
    let tok = admin_token(&sim).await;
    let users = get_json(&tok, &format!("{base}/profile/identity/v4/Users?count=100")).await;
    let mut found = None;
    for u in users["Resources"].as_array().unwrap() {
        let uid = u["id"].as_str().unwrap();
        let list = get_json(&tok, &format!("{base}/receipts/v4/users/{uid}")).await;
        if let Some(r) = list["receipts"].as_array().unwrap().first() {
            found = Some(r.clone());
            break;
        }
    }
    let r = found.expect("some user has e-receipts");
    let one = get_json(&tok, r["self"].as_str().unwrap()).await;
    assert_eq!(one["id"], r["id"]);
    let img = client()
        .get(r["image"].as_str().unwrap())
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(img.status(), 200);
}

#[tokio::test]
async fn list_v4_crud() {
    let sim = tiny().await;
    let base = sim.base_url();
    let tok = admin_token(&sim).await;
    let lists = get_json(&tok, &format!("{base}/list/v4/lists")).await;
    assert_eq!(lists["page"]["size"], 100);
    let n0 = lists["content"].as_array().unwrap().len();
    let created: Value = client().post(format!("{base}/list/v4/lists")).bearer_auth(&tok).json(&json!({"value": "SaaS Products", "searchCriteria": "TEXT", "displayFormat": "(CODE) TEXT", "categoryId": "x", "isManaged": true})).send().await.unwrap().json().await.unwrap();
    let lid = created["id"].as_str().unwrap();
    assert!(created["managedBy"].as_str().unwrap().starts_with("appId:"));
    let item = client()
        .post(format!("{base}/list/v4/items"))
        .bearer_auth(&tok)
        .json(&json!({"listId": lid, "shortCode": "ZOOM", "value": "Zoom"}))
        .send()
        .await
        .unwrap();
    assert_eq!(item.status(), 201);
    let item: Value = item.json().await.unwrap();
    let child: Value = client()
        .post(format!("{base}/list/v4/items"))
        .bearer_auth(&tok)
        .json(&json!({"listId": lid, "shortCode": "PRO", "value": "Pro", "parentCode": "ZOOM"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(child["code"], "ZOOM-PRO");
    assert_eq!(child["level"], 2);
    let hyphen = client()
        .post(format!("{base}/list/v4/items"))
        .bearer_auth(&tok)
        .json(&json!({"listId": lid, "shortCode": "A-B", "value": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(hyphen.status(), 400);
    let e: Value = hyphen.json().await.unwrap();
    assert!(e["error"]["message"].is_string());
    let iid = item["id"].as_str().unwrap();
    let kids = get_json(&tok, &format!("{base}/list/v4/items/{iid}/children")).await;
    assert_eq!(kids["content"][0]["id"], child["id"]);
    let upd: Value = client()
        .put(format!("{base}/list/v4/items/{iid}"))
        .bearer_auth(&tok)
        .json(&json!({"value": "Zoom Workplace"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(upd["value"], "Zoom Workplace");
    assert_eq!(
        client()
            .delete(format!("{base}/list/v4/items/{iid}"))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        get(&tok, &format!("{base}/list/v4/items/{iid}"))
            .await
            .status(),
        404
    );
    assert_eq!(
        client()
            .delete(format!("{base}/list/v4/lists/{lid}"))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let after = get_json(&tok, &format!("{base}/list/v4/lists")).await;
    assert_eq!(after["content"].as_array().unwrap().len(), n0);
}

#[tokio::test]
async fn identity_v4_v41_and_users_v3() {
    let sim = tiny().await;
    let base = sim.base_url();
    let tok = admin_token(&sim).await;
    let p1 = get_json(
        &tok,
        &format!("{base}/profile/identity/v4/Users?startIndex=1&count=4"),
    )
    .await;
    assert_eq!(p1["totalResults"], 10);
    assert_eq!(p1["itemsPerPage"], 4);
    let p3 = get_json(
        &tok,
        &format!("{base}/profile/identity/v4/Users?startIndex=9&count=4"),
    )
    .await;
    assert_eq!(p3["Resources"].as_array().unwrap().len(), 2);
    assert_eq!(
        get(&tok, &format!("{base}/profile/identity/v4/Users?count=101"))
            .await
            .status(),
        400
    );
    // v4.1 cursor paging
    let mut cursor: Option<String> = None;
    let mut seen = 0;
    loop {
        let url = match &cursor {
            Some(c) => format!("{base}/profile/identity/v4.1/Users?count=3&cursor={c}"),
            None => format!("{base}/profile/identity/v4.1/Users?count=3"),
        };
        let v = get_json(&tok, &url).await;
        seen += v["Resources"].as_array().unwrap().len();
        match v["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, 10);
    let search: Value = client().post(format!("{base}/profile/identity/v4.1/Users/.search")).bearer_auth(&tok).json(&json!({"schemas": ["urn:ietf:params:scim:api:messages:concur:2.0:SearchRequest"], "filter": "userName eq \"ada.testperson@demo.example.com\""})).send().await.unwrap().json().await.unwrap();
    assert_eq!(search["totalResults"], 1);
    let id = search["Resources"][0]["id"].as_str().unwrap();
    let one = get_json(&tok, &format!("{base}/profile/identity/v4.1/Users/{id}")).await;
    assert_eq!(one["name"]["givenName"], "Ada");
    // a user token cannot call Identity
    let ada = token_for(&sim, "ada.testperson@demo.example.com").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = get(&ada, &format!("{base}/profile/identity/v4/Users")).await;
    assert_eq!(r.status(), 403);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["status"], "403");
    // Users v3
    let users = crawl(&tok, &format!("{base}/api/v3.0/common/users?limit=3")).await;
    assert_eq!(users.len(), 10);
    let one = get_json(
        &tok,
        &format!("{base}/api/v3.0/common/users?user=ada.testperson@demo.example.com"),
    )
    .await;
    assert_eq!(
        one["Items"][0]["LoginID"],
        "ada.testperson@demo.example.com"
    );
}

#[tokio::test]
async fn every_group_can_be_switched_off() {
    let sim =
        with(TenantConfig::generated("demo", Size::Tiny).groups(&[ApiGroup::ExpenseReport])).await;
    let base = sim.base_url();
    let tok = admin_token(&sim).await;
    for (url, group) in [
        (
            format!("{base}/api/v3.0/invoice/paymentrequestdigests"),
            "invoice",
        ),
        (format!("{base}/api/image/v1.0/report/X"), "imaging"),
        (format!("{base}/list/v4/lists"), "list_items"),
        (format!("{base}/profile/identity/v4/Users"), "users"),
        (format!("{base}/api/v3.0/common/users"), "users"),
    ] {
        let r = get(&tok, &url).await;
        assert_eq!(r.status(), 403, "{url}");
        assert!(r.text().await.unwrap().contains(group));
    }
    assert_eq!(
        get(&tok, &format!("{base}/api/v3.0/expense/reports?user=ALL"))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn legacy_native_flow() {
    let sim = tiny().await;
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        concur_sim::DEMO_USERNAME,
        concur_sim::DEMO_PASSWORD
    ));
    let r = client()
        .get(format!("{}/net2/oauth2/accesstoken.ashx", sim.base_url()))
        .header("X-ConsumerKey", concur_sim::DEMO_CONSUMER_KEY)
        .header("Authorization", format!("Basic {basic}"))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let tok = v["Access_Token"]["Token"].as_str().unwrap();
    let ok = client()
        .get(format!(
            "{}/api/v3.0/expense/reports?user=ALL",
            sim.base_url()
        ))
        .header("Authorization", format!("OAuth {tok}"))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}
