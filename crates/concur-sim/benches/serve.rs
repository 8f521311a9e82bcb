//! Serving-rate benchmark: how many Expense v3 entries per second one server core delivers on
//! loopback. The simulator runs on a single-threaded tokio runtime (one core); a separate
//! client runtime crawls `GET /api/v3.0/expense/entries?user=ALL&limit=100` following
//! `NextPage`.
//!
//! Run: `cargo bench -p concur-sim --bench serve` (env `SIM_BENCH_TENANT=demo|large`,
//! `SIM_BENCH_ENTRIES` = entries to fetch, default 50,000).

use std::time::Instant;

use concur_sim::{
    DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD, DEMO_USERNAME, SimConfig, SimServer, Size,
    TenantConfig,
};

#[derive(serde::Deserialize)]
struct Page {
    #[serde(rename = "Items")]
    items: Vec<serde::de::IgnoredAny>,
    #[serde(rename = "NextPage")]
    next_page: Option<String>,
}

fn main() {
    let size = match std::env::var("SIM_BENCH_TENANT").as_deref() {
        Ok("large") => Size::Large,
        Ok("tiny") => Size::Tiny,
        _ => Size::Demo,
    };
    let want: usize = std::env::var("SIM_BENCH_ENTRIES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50_000);
    let (tx, rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let t0 = Instant::now();
            let sim =
                SimServer::start(SimConfig::new().tenant(TenantConfig::generated("demo", size)))
                    .await
                    .expect("start");
            eprintln!("server ready in {:?} at {}", t0.elapsed(), sim.base_url());
            tx.send(sim.base_url().to_owned()).expect("send");
            let _ = stop_rx.await;
            drop(sim);
        });
    });
    let base = rx.recv().expect("base url");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let http = reqwest::Client::new();
        let tok: serde_json::Value = http
            .post(format!("{base}/oauth2/v0/token"))
            .form(&[
                ("client_id", DEMO_CLIENT_ID),
                ("client_secret", DEMO_CLIENT_SECRET),
                ("grant_type", "password"),
                ("username", DEMO_USERNAME),
                ("password", DEMO_PASSWORD),
            ])
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("token json");
        let tok = tok["access_token"].as_str().expect("access_token").to_owned();
        let mut url = Some(format!("{base}/api/v3.0/expense/entries?user=ALL&limit=100"));
        let (mut n, mut bytes, mut pages) = (0usize, 0usize, 0usize);
        let t0 = Instant::now();
        let mut wait = std::time::Duration::ZERO;
        while let Some(u) = url.take() {
            let tw = Instant::now();
            let body = http.get(&u).bearer_auth(&tok).header("Accept", "application/json").send().await.expect("get").bytes().await.expect("body");
            wait += tw.elapsed();
            bytes += body.len();
            pages += 1;
            let v: Page = serde_json::from_slice(&body).expect("json");
            n += v.items.len();
            if n < want {
                url = v.next_page;
            }
        }
        let secs = t0.elapsed().as_secs_f64();
        eprintln!("time waiting for the server (request + body): {wait:?}");
        println!(
            "concur-sim serve: {n} entries, {pages} pages, {:.1} MB in {secs:.2} s = {:.0} entries/s end to end; {:.0} entries/s of server time (server on 1 core)",
            bytes as f64 / 1e6,
            n as f64 / secs,
            n as f64 / wait.as_secs_f64()
        );
    });
    let _ = stop_tx.send(());
    let _ = server.join();
}
