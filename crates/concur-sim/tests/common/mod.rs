//! Shared helpers for the HTTP tests.
#![allow(dead_code)]

use concur_sim::{
    DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD, DEMO_USERNAME, SimConfig, SimServer, Size,
    TenantConfig,
};
use serde_json::Value;

pub async fn tiny() -> SimServer {
    SimServer::start(SimConfig::new().tenant(TenantConfig::generated("demo", Size::Tiny)))
        .await
        .unwrap()
}

pub async fn with(t: TenantConfig) -> SimServer {
    SimServer::start(SimConfig::new().tenant(t)).await.unwrap()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

pub async fn token_for(sim: &SimServer, user: &str) -> Value {
    let r = client()
        .post(format!("{}/oauth2/v0/token", sim.base_url()))
        .form(&[
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("grant_type", "password"),
            ("username", user),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

pub async fn admin_token(sim: &SimServer) -> String {
    token_for(sim, DEMO_USERNAME).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub async fn get(token: &str, url: &str) -> reqwest::Response {
    client()
        .get(url)
        .bearer_auth(token)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap()
}

pub async fn get_json(token: &str, url: &str) -> Value {
    let r = get(token, url).await;
    assert_eq!(r.status(), 200, "{url}");
    r.json().await.unwrap()
}

/// Follow NextPage links, returning all items.
pub async fn crawl(token: &str, first: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut url = Some(first.to_owned());
    let mut guard = 0;
    while let Some(u) = url {
        let v = get_json(token, &u).await;
        out.extend(v["Items"].as_array().unwrap().iter().cloned());
        url = v["NextPage"].as_str().map(str::to_owned);
        guard += 1;
        assert!(guard < 10_000);
    }
    out
}
