//! Crash test: the real binary is killed with SIGKILL in the middle of a sync against the
//! simulator (a latency fault leaves time), restarted, and the final store must equal the one
//! of an uninterrupted run: no duplicate, no lost cost.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use concur_sim::{Faults, SimConfig, SimServer, Size, TenantConfig};
use concur_smpd::store::{Store, StoreOptions};
use secrecy::ExposeSecret;

use crate::common::KEY;

fn config(sim: &SimServer, data_dir: &Path) -> String {
    config_on(sim, data_dir, 0)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn config_on(sim: &SimServer, data_dir: &Path, port: u16) -> String {
    let c = sim.credentials("demo").unwrap();
    format!(
        r#"
listen = "127.0.0.1:{port}"
data_dir = "{dir}"
sync_interval = "1h"
sync_jitter = 0
lease_ttl = "2s"
poll_interval = "100ms"
shutdown_grace = "2s"
api_keys = ["{KEY}"]

[connections.acme]
base_url = "{base}"
client_id = "{id}"
client_secret = "{secret}"
grant = {{ type = "password", username = "{user}", password = "{pw}" }}
concurrency = 2
"#,
        dir = data_dir.display(),
        base = c.base_url,
        id = c.client_id,
        secret = c.client_secret.expose_secret(),
        user = c.username,
        pw = c.password.expose_secret(),
    )
}

fn spawn(config_path: &Path) -> Child {
    let dir = config_path.parent().unwrap();
    let n = std::fs::read_dir(dir).unwrap().count();
    let log = std::fs::File::create(dir.join(format!("service-{n}.log"))).unwrap();
    Command::new(env!("CARGO_BIN_EXE_concur-smpd"))
        .arg("--config")
        .arg(config_path)
        .env(
            "CONCUR_SMPD_TOKEN_KEY",
            base64::engine::general_purpose::STANDARD.encode([9u8; 32]),
        )
        .env("RUST_LOG", "info,sqlx=warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

/// The service logs written so far in `dir` (for failure messages).
fn logs(dir: &Path) -> String {
    let mut out = String::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(15).collect();
        out.push_str(&format!("--- {}\n", f.display()));
        for l in tail.into_iter().rev() {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

async fn open(data_dir: &Path) -> Option<Store> {
    let db = data_dir.join("concur-smpd.db");
    if !db.exists() {
        return None;
    }
    Store::connect(&StoreOptions::new(format!("sqlite://{}", db.display())))
        .await
        .ok()
}

/// Polls until `pred` holds for the `acme` runs, or panics after `limit`.
async fn wait_until(
    data_dir: &Path,
    limit: Duration,
    what: &str,
    pred: impl Fn(&[concur_smpd::store::SyncRun]) -> bool,
) {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(store) = open(data_dir).await {
            let runs = store.sync_runs(Some("acme"), 100).await.unwrap_or_default();
            store.close().await;
            if pred(&runs) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    panic!(
        "timed out after {limit:?} waiting for {what}\n{}",
        logs(data_dir)
    );
}

fn completed(runs: &[concur_smpd::store::SyncRun]) -> bool {
    runs.iter()
        .any(|r| r.status == "complete" || r.status == "partial")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_sync_then_restart_equals_uninterrupted_run() {
    let faults = Faults {
        latency: Some(Duration::from_millis(25)),
        ..Faults::default()
    };
    let sim = SimServer::start(
        SimConfig::new().tenant(TenantConfig::generated("demo", Size::Tiny).faults(faults)),
    )
    .await
    .unwrap();

    // Reference: one uninterrupted run.
    let ref_dir = tempfile::tempdir().unwrap();
    let ref_cfg = ref_dir.path().join("smpd.toml");
    std::fs::write(&ref_cfg, config(&sim, ref_dir.path())).unwrap();
    let mut reference = spawn(&ref_cfg);
    wait_until(
        ref_dir.path(),
        Duration::from_secs(120),
        "the reference sync",
        completed,
    )
    .await;
    reference.kill().unwrap();
    reference.wait().unwrap();
    let ref_store = open(ref_dir.path()).await.unwrap();
    let want = ref_store.all_costs("acme").await.unwrap();
    let ref_runs = ref_store.sync_runs(Some("acme"), 10).await.unwrap();
    assert!(
        want.len() >= 10,
        "the tiny company has costs: {}",
        want.len()
    );
    let ref_batches = ref_runs[0].batches;
    assert!(ref_batches >= 3, "several batches per sync ({ref_batches})");

    // Crash run: kill -9 once six batches are committed and the sync still runs.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("smpd.toml");
    std::fs::write(&cfg, config(&sim, dir.path())).unwrap();
    let mut child = spawn(&cfg);
    wait_until(
        dir.path(),
        Duration::from_secs(60),
        "six committed batches",
        |runs| runs.iter().any(|r| r.status == "running" && r.batches >= 6),
    )
    .await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let store = open(dir.path()).await.unwrap();
    let partial = store.all_costs("acme").await.unwrap();
    let runs = store.sync_runs(Some("acme"), 10).await.unwrap();
    store.close().await;
    assert_eq!(runs[0].status, "running", "killed mid-sync: {runs:?}");
    assert!(
        partial.len() < want.len(),
        "killed before the end ({} of {})",
        partial.len(),
        want.len()
    );
    eprintln!(
        "reference: {} costs in {} batches; killed after {} batches with {} costs",
        want.len(),
        ref_batches,
        runs[0].batches,
        partial.len()
    );

    // Restart: the dead lease expires (2 s), the sync resumes from the last checkpoint.
    let mut child = spawn(&cfg);
    wait_until(
        dir.path(),
        Duration::from_secs(120),
        "the resumed sync",
        completed,
    )
    .await;
    child.kill().unwrap();
    child.wait().unwrap();

    let store = open(dir.path()).await.unwrap();
    let got = store.all_costs("acme").await.unwrap();
    let runs = store.sync_runs(Some("acme"), 10).await.unwrap();
    assert!(
        runs.iter().any(|r| r.status == "abandoned"),
        "the killed run is marked abandoned: {runs:?}"
    );
    assert_eq!(got.len(), want.len(), "no lost and no duplicate cost");
    assert_eq!(got, want, "the final store equals the uninterrupted run");
    assert_eq!(
        store.services(None, None).await.unwrap(),
        ref_store.services(None, None).await.unwrap()
    );
    assert_eq!(
        store.unmatched(None).await.unwrap(),
        ref_store.unmatched(None).await.unwrap()
    );

    // The permission probe ran and the rotating token is kept encrypted in the store.
    let conn = &store.connections().await.unwrap()[0];
    let perms = conn.permissions.as_ref().unwrap();
    assert_eq!(perms["ok"], true, "{perms}");
    assert_eq!(
        perms["groups"]["expense_report"]["outcome"], "granted",
        "{perms}"
    );
    let cipher = concur_smpd::crypto::TokenCipher::new(&[9u8; 32]);
    let token = store
        .load_token(&cipher, "acme")
        .await
        .unwrap()
        .expect("token stored");
    let token: serde_json::Value = serde_json::from_slice(&token).unwrap();
    assert!(
        token["base_url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    assert!(token["access_token"].is_string());
    let wrong = concur_smpd::crypto::TokenCipher::new(&[8u8; 32]);
    assert!(store.load_token(&wrong, "acme").await.is_err());
    store.close().await;

    // SIGTERM mid-sync: the service stops within the grace period, exits 0, marks the run
    // cancelled and releases the lease; a restart completes the same set.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("smpd.toml");
    let port = free_port();
    std::fs::write(&cfg, config_on(&sim, dir.path(), port)).unwrap();
    let mut child = spawn(&cfg);
    wait_until(
        dir.path(),
        Duration::from_secs(60),
        "three committed batches",
        |runs| runs.iter().any(|r| r.status == "running" && r.batches >= 3),
    )
    .await;
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let ready = http.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let no_key = http.get(format!("{base}/v1/costs")).send().await.unwrap();
    assert_eq!(no_key.status(), 401);
    let with_key = http
        .get(format!("{base}/v1/connections"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(with_key.status(), 200);
    let body: serde_json::Value = with_key.json().await.unwrap();
    assert_eq!(body["items"][0]["running"], true, "{body}");
    assert!(!body.to_string().contains("access_token"));

    let term = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(term.success());
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no exit after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "graceful exit: {status:?}");
    let store = open(dir.path()).await.unwrap();
    let runs = store.sync_runs(Some("acme"), 10).await.unwrap();
    assert_eq!(runs[0].status, "cancelled", "{runs:?}");
    let conn = &store.connections().await.unwrap()[0];
    assert!(conn.lease_owner.is_none(), "lease released on shutdown");
    store.close().await;
    let mut child = spawn(&cfg);
    wait_until(
        dir.path(),
        Duration::from_secs(120),
        "the sync after SIGTERM",
        completed,
    )
    .await;
    child.kill().unwrap();
    child.wait().unwrap();
    let store = open(dir.path()).await.unwrap();
    assert_eq!(store.all_costs("acme").await.unwrap(), want);
}
