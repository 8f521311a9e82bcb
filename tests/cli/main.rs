//! End-to-end tests of the `concur-smp` binary against the simulator.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use concur_sim::{
    ApiGroup, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD, DEMO_REFRESH_TOKEN, DEMO_USERNAME,
    Faults, RateLimitFault, SimConfig, Size, TenantConfig,
};
use concur_smp_tests::{Sim, cli};
use predicates::prelude::*;
use serde_json::Value;

fn tiny_sim(faults: Faults, groups: &[ApiGroup]) -> Sim {
    Sim::start(
        SimConfig::new().tenant(
            TenantConfig::generated("demo", Size::Tiny)
                .groups(groups)
                .faults(faults),
        ),
    )
}

/// A discover command against `sim` with password credentials in the environment.
fn discover(cfg: &Path, sim: &Sim) -> assert_cmd::Command {
    let mut c = cli(cfg);
    c.env("CONCUR_CLIENT_ID", DEMO_CLIENT_ID)
        .env("CONCUR_CLIENT_SECRET", DEMO_CLIENT_SECRET)
        .env("CONCUR_USERNAME", DEMO_USERNAME)
        .env("CONCUR_PASSWORD", DEMO_PASSWORD)
        .args([
            "discover",
            "--base-url",
            &sim.base_url(),
            "--since",
            "2025-01-01",
        ]);
    c
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Cost id -> (service, amount, currency, date): the comparable content of a document.
fn costs(doc: &Value) -> BTreeMap<String, (String, String, String, String)> {
    let mut m = BTreeMap::new();
    for c in doc["costs"].as_array().unwrap() {
        let prev = m.insert(
            c["id"].as_str().unwrap().to_owned(),
            (
                c["service_id"].as_str().unwrap().to_owned(),
                c["amount"]["amount"].to_string(),
                c["amount"]["currency"].to_string(),
                c["date"].as_str().unwrap().to_owned(),
            ),
        );
        assert!(prev.is_none(), "duplicate cost id {}", c["id"]);
    }
    m
}

fn service_ids(doc: &Value) -> BTreeSet<String> {
    doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn demo_tiny_writes_every_file_with_the_expected_services() {
    let cfg = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("demo-out");
    let assert = cli(cfg.path())
        .args(["demo", "--size", "tiny", "--out"])
        .arg(&dir)
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(
        stdout.contains("Top services by annualised spend"),
        "{stdout}"
    );
    assert!(stdout.contains("Run statistics"), "{stdout}");
    for sub in [dir.clone(), dir.join("docs")] {
        for f in [
            "discovery.json",
            "smp-import.csv",
            "costs.csv",
            "leanix.ldif",
        ] {
            let p = sub.join(f);
            assert!(p.exists(), "{} missing", p.display());
        }
        let smp = std::fs::read_to_string(sub.join("smp-import.csv")).unwrap();
        assert_eq!(
            smp.lines().next(),
            Some(
                "transaction_date,transaction_id,vendor_description,expense_description,amount,currency"
            )
        );
        let ldif = std::fs::read_to_string(sub.join("leanix.ldif")).unwrap();
        assert!(ldif.contains("concur-smp"), "{ldif}");
    }
    // The demo company's most frequent products (ground truth of the generator) are found.
    let doc = read_json(&dir.join("discovery.json"));
    assert_eq!(doc["schema_version"], 1);
    let found = service_ids(&doc);
    let (data, _) = concur_sim::build_data(
        &TenantConfig::generated("demo", Size::Tiny),
        SimConfig::new().now,
    )
    .unwrap();
    let mut freq: BTreeMap<String, usize> = BTreeMap::new();
    for row in concur_sim::ground_truth(&data) {
        if let Some(p) = row.product_id {
            *freq.entry(p).or_default() += 1;
        }
    }
    let mut top: Vec<(String, usize)> = freq.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let top: Vec<String> = top.into_iter().take(5).map(|(p, _)| p).collect();
    assert!(!top.is_empty());
    for p in &top {
        assert!(found.contains(p), "expected service {p} in {found:?}");
    }
    let csv = std::fs::read_to_string(dir.join("smp-import.csv")).unwrap();
    assert_eq!(
        csv.lines().count() - 1,
        doc["costs"].as_array().unwrap().len()
    );
    let docs = read_json(&dir.join("docs").join("discovery.json"));
    assert_eq!(docs["source"]["connection_id"], "docs");
    assert_eq!(
        docs["stats"]["reports_read"], 2,
        "both official sample reports were read"
    );
}

#[test]
fn discover_with_faults_gives_the_same_result() {
    let cfg = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let clean = tiny_sim(Faults::default(), &ApiGroup::ALL);
    let faults = Faults {
        latency: Some(Duration::from_millis(2)),
        rate_limit: Some(RateLimitFault {
            every: 11,
            burst: 1,
            retry_after: 0,
        }),
        server_error_every: Some(13),
        ..Faults::default()
    };
    let faulty = tiny_sim(faults, &ApiGroup::ALL);
    let a = out.path().join("clean.json");
    let b = out.path().join("faulty.json");
    discover(cfg.path(), &clean)
        .args(["--format", "json", "--output"])
        .arg(&a)
        .assert()
        .success();
    let cfg2 = tempfile::tempdir().unwrap();
    discover(cfg2.path(), &faulty)
        .args(["--format", "json", "--output"])
        .arg(&b)
        .assert()
        .success();
    let (da, db) = (read_json(&a), read_json(&b));
    assert!(!costs(&da).is_empty());
    assert_eq!(costs(&da), costs(&db));
    assert_eq!(service_ids(&da), service_ids(&db));
    assert!(
        db["stats"]["retries"].as_u64().unwrap() > 0,
        "the faults caused retries"
    );
    assert_eq!(da["stats"]["retries"].as_u64().unwrap(), 0);
}

#[test]
fn discover_twice_with_one_state_is_complete_without_duplicates() {
    let cfg = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let sim = tiny_sim(Faults::default(), &ApiGroup::ALL);
    let state = out.path().join("state.json");
    let o1 = out.path().join("run1.json");
    let o2 = out.path().join("run2.json");
    let o3 = out.path().join("changes.ndjson");
    discover(cfg.path(), &sim)
        .arg("--state")
        .arg(&state)
        .args(["--format", "json", "--output"])
        .arg(&o1)
        .assert()
        .success();
    discover(cfg.path(), &sim)
        .arg("--state")
        .arg(&state)
        .args(["--format", "json", "--output"])
        .arg(&o2)
        .assert()
        .success();
    let (d1, d2) = (read_json(&o1), read_json(&o2));
    assert!(!costs(&d1).is_empty());
    assert_eq!(
        costs(&d1),
        costs(&d2),
        "the second run's output holds everything known"
    );
    assert_eq!(service_ids(&d1), service_ids(&d2));
    // --changes-only writes only this run's events: nothing changed, so no costs.
    discover(cfg.path(), &sim)
        .arg("--state")
        .arg(&state)
        .args(["--format", "ndjson", "--changes-only", "--output"])
        .arg(&o3)
        .assert()
        .success();
    let changes = std::fs::read_to_string(&o3).unwrap();
    let n_costs = changes
        .lines()
        .filter(|l| l.contains("\"type\":\"cost\"") || l.starts_with("{\"cost\""))
        .count();
    assert!(
        n_costs < costs(&d1).len(),
        "changes-only wrote {n_costs} costs"
    );
    // the state file is 0600 and holds the checkpoint and the document
    let st = read_json(&state);
    assert!(
        st["checkpoint"].is_object() || st["checkpoint"].is_string() || st["checkpoint"].is_array()
    );
    assert_eq!(costs(&st["document"]), costs(&d1));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&state).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // nothing went to the login store
    assert!(!cfg.path().join("token.json").exists());
}

#[test]
fn rotated_refresh_token_survives_into_the_second_run() {
    let cfg = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let sim = tiny_sim(Faults::default(), &ApiGroup::ALL);
    let state = out.path().join("state.json");
    let run = |extra_env: bool| {
        let mut c = cli(cfg.path());
        c.env("CONCUR_CLIENT_ID", DEMO_CLIENT_ID)
            .env("CONCUR_CLIENT_SECRET", DEMO_CLIENT_SECRET);
        if extra_env {
            c.env("CONCUR_REFRESH_TOKEN", DEMO_REFRESH_TOKEN);
        }
        c.args([
            "discover",
            "--base-url",
            &sim.base_url(),
            "--since",
            "2025-01-01",
            "--format",
            "json",
            "--output",
        ])
        .arg(out.path().join("o.json"))
        .arg("--state")
        .arg(&state);
        c
    };
    run(true).assert().success();
    let rt1 = read_json(&state)["token"]["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(
        rt1, DEMO_REFRESH_TOKEN,
        "the refresh token rotated and was stored"
    );
    // Expire the access token at the simulator: the second run must refresh with the stored,
    // rotated refresh token (the original one is no longer valid).
    sim.server().advance_time(Duration::from_secs(3 * 3600));
    run(false).assert().success();
    let st = read_json(&state);
    let rt2 = st["token"]["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(
        rt2, rt1,
        "the second run refreshed and stored the new refresh token"
    );
    let text = std::fs::read_to_string(&state).unwrap();
    assert!(!text.contains(DEMO_CLIENT_SECRET));
    assert!(!text.contains(DEMO_PASSWORD));
}

#[test]
fn check_reports_missing_groups() {
    let cfg = tempfile::tempdir().unwrap();
    let no_invoice = tiny_sim(
        Faults::default(),
        &[
            ApiGroup::ExpenseReport,
            ApiGroup::Imaging,
            ApiGroup::ListItems,
            ApiGroup::Users,
        ],
    );
    let check = |sim: &Sim| {
        let mut c = cli(cfg.path());
        c.env("CONCUR_CLIENT_ID", DEMO_CLIENT_ID)
            .env("CONCUR_CLIENT_SECRET", DEMO_CLIENT_SECRET)
            .env("CONCUR_USERNAME", DEMO_USERNAME)
            .env("CONCUR_PASSWORD", DEMO_PASSWORD)
            .env("CONCUR_BASE_URL", sim.base_url())
            .arg("check");
        c
    };
    let a = check(&no_invoice).assert().success();
    let out = String::from_utf8(a.get_output().stdout.clone()).unwrap();
    assert!(out.contains("[missing] Invoice"), "{out}");
    assert!(
        out.contains("Administration > Company > Web Services"),
        "{out}"
    );
    assert!(out.contains("[ok]      Expense Report"), "{out}");
    let no_expense = tiny_sim(Faults::default(), &[ApiGroup::Invoice, ApiGroup::Users]);
    let cfg2 = tempfile::tempdir().unwrap();
    let mut c = check(&no_expense);
    c.env("CONCUR_SMP_CONFIG_DIR", cfg2.path());
    c.assert()
        .code(4)
        .stdout(predicate::str::contains("[missing] Expense Report"))
        .stderr(predicate::str::contains(
            "error: the Expense Report API group is not granted",
        ))
        .stderr(predicate::str::contains("hint:"));
}

#[test]
fn classify_skips_malformed_lines() {
    let cfg = tempfile::tempdir().unwrap();
    let input = "id,descriptor,expense_type,description\n\
                 1,ZOOM.US 888-799-9666 CA,Software,\n\
                 2,broken,line\n\
                 3,DELTA AIR LINES,Airfare,flight to Berlin\n\
                 4,SLACK T0123ABC,,team chat\n";
    let a = cli(cfg.path())
        .args(["classify", "--input", "-"])
        .write_stdin(input)
        .assert()
        .success();
    let out = String::from_utf8(a.get_output().stdout.clone()).unwrap();
    let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "id,descriptor,expense_type,description,is_saas,service_id,service_name,confidence"
    );
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[1].starts_with("1,ZOOM.US 888-799-9666 CA,Software,,true,zoom,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("3,DELTA AIR LINES,Airfare,flight to Berlin,false,,,"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].starts_with("4,SLACK T0123ABC,,team chat,true,slack,"),
        "{}",
        lines[3]
    );
    assert!(err.contains("line 3"), "{err}");
    // JSON format
    let a = cli(cfg.path())
        .args(["classify", "--format", "json"])
        .write_stdin(input)
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
    assert_eq!(v[0]["service_id"], "zoom");
}

#[test]
fn usage_errors_exit_2() {
    let cfg = tempfile::tempdir().unwrap();
    cli(cfg.path())
        .args(["discover", "--format", "bogus"])
        .assert()
        .code(2);
    cli(cfg.path())
        .args(["classify", "--input", "/nonexistent/file.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("hint:"));
    cli(cfg.path())
        .args(["classify"])
        .write_stdin("vendor\nx\n")
        .assert()
        .code(2);
}

#[test]
fn no_credentials_is_an_authentication_error() {
    let cfg = tempfile::tempdir().unwrap();
    cli(cfg.path())
        .args(["discover", "--base-url", "http://127.0.0.1:9"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("concur-smp login"));
}

#[test]
fn wrong_password_is_exit_3() {
    let cfg = tempfile::tempdir().unwrap();
    let sim = tiny_sim(Faults::default(), &ApiGroup::ALL);
    let mut c = discover(cfg.path(), &sim);
    c.env("CONCUR_PASSWORD", "not-the-password");
    c.assert()
        .code(3)
        .stderr(predicate::str::contains("hint:"))
        .stderr(predicate::str::contains("not-the-password").not());
}

#[test]
fn login_check_logout_and_no_secret_anywhere() {
    let cfg = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let sim = tiny_sim(Faults::default(), &ApiGroup::ALL);
    let mut outputs: Vec<String> = Vec::new();
    fn keep_into(outputs: &mut Vec<String>, o: &std::process::Output) {
        outputs.push(String::from_utf8_lossy(&o.stdout).into_owned());
        outputs.push(String::from_utf8_lossy(&o.stderr).into_owned());
    }
    let a = cli(cfg.path())
        .env("CONCUR_CLIENT_ID", DEMO_CLIENT_ID)
        .env("CONCUR_CLIENT_SECRET", DEMO_CLIENT_SECRET)
        .env("CONCUR_USERNAME", DEMO_USERNAME)
        .env("CONCUR_PASSWORD", DEMO_PASSWORD)
        .env("CONCUR_BASE_URL", sim.base_url())
        .args(["-vv", "login"])
        .assert()
        .success();
    keep_into(&mut outputs, a.get_output());
    let token_file = cfg.path().join("token.json");
    assert!(token_file.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let token = read_json(&token_file);
    let access = token["token"]["access_token"].as_str().unwrap().to_owned();
    let refresh = token["token"]["refresh_token"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    // check and discover with the stored login token (client id/secret only for refreshes)
    let a = cli(cfg.path()).args(["-vv", "check"]).assert().success();
    keep_into(&mut outputs, a.get_output());
    let o = out.path().join("all.json");
    for fmt in ["json", "ndjson", "csv", "smp-csv", "ldif", "table"] {
        let a = cli(cfg.path())
            .env("CONCUR_CLIENT_ID", DEMO_CLIENT_ID)
            .env("CONCUR_CLIENT_SECRET", DEMO_CLIENT_SECRET)
            .args([
                "-vv",
                "discover",
                "--since",
                "2025-01-01",
                "--format",
                fmt,
                "--output",
            ])
            .arg(&o)
            .assert()
            .success();
        keep_into(&mut outputs, a.get_output());
        outputs.push(std::fs::read_to_string(&o).unwrap());
    }
    let token_text = std::fs::read_to_string(&token_file).unwrap();
    let a = cli(cfg.path()).args(["-vv", "logout"]).assert().success();
    keep_into(&mut outputs, a.get_output());
    assert!(!token_file.exists());
    for (i, text) in outputs.iter().enumerate() {
        for secret in [
            DEMO_CLIENT_SECRET,
            DEMO_PASSWORD,
            access.as_str(),
            refresh.as_str(),
        ] {
            if secret.len() >= 6 {
                assert!(!text.contains(secret), "output {i} contains a secret");
            }
        }
    }
    assert!(!token_text.contains(DEMO_CLIENT_SECRET) && !token_text.contains(DEMO_PASSWORD));
}

#[test]
fn rejected_stored_token_falls_back_to_the_environment_once() {
    let cfg = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let sim = tiny_sim(Faults::default(), &ApiGroup::ALL);
    let state = out.path().join("state.json");
    let o = out.path().join("o.json");
    discover(cfg.path(), &sim)
        .arg("--state")
        .arg(&state)
        .args(["--format", "json", "--output"])
        .arg(&o)
        .assert()
        .success();
    // Concur revoked the refresh token, and the access token expired at the server.
    let mut st = read_json(&state);
    st["token"]["refresh_token"] = Value::String("sim-rt-revoked-0000000000000000".into());
    std::fs::write(&state, serde_json::to_vec_pretty(&st).unwrap()).unwrap();
    sim.server().advance_time(Duration::from_secs(3 * 3600));
    // The environment's credentials are tried once; when they fail too: exit 3 and the hint.
    let mut c = cli(cfg.path());
    c.env("CONCUR_CLIENT_ID", DEMO_CLIENT_ID)
        .env("CONCUR_CLIENT_SECRET", DEMO_CLIENT_SECRET)
        .env("CONCUR_REFRESH_TOKEN", "sim-rt-also-unknown-000000000000")
        .args([
            "discover",
            "--base-url",
            &sim.base_url(),
            "--format",
            "json",
            "--output",
        ])
        .arg(&o)
        .arg("--state")
        .arg(&state);
    c.assert()
        .code(3)
        .stderr(predicate::str::contains("concur-smp login"));
    // With the password in the environment: tried once after invalid_grant, and it works.
    let mut c = discover(cfg.path(), &sim);
    c.arg("--state")
        .arg(&state)
        .args(["--format", "json", "--output"])
        .arg(&o);
    c.assert().success();
    let st = read_json(&state);
    assert_ne!(
        st["token"]["refresh_token"],
        "sim-rt-revoked-0000000000000000"
    );
    assert!(!costs(&read_json(&o)).is_empty());
}

#[test]
fn refresh_token_rejected_without_fallback_is_exit_3() {
    let cfg = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let sim = tiny_sim(Faults::default(), &ApiGroup::ALL);
    let state = out.path().join("state.json");
    cli(cfg.path())
        .env("CONCUR_CLIENT_ID", DEMO_CLIENT_ID)
        .env("CONCUR_CLIENT_SECRET", DEMO_CLIENT_SECRET)
        .env("CONCUR_REFRESH_TOKEN", "sim-rt-unknown-00000000000000000")
        .args(["discover", "--base-url", &sim.base_url(), "--state"])
        .arg(&state)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("concur-smp login"))
        .stderr(predicate::str::contains("sim-rt-unknown").not());
}

#[cfg(unix)]
#[test]
fn ctrl_c_leaves_a_consistent_state() {
    let cfg = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let slow = Faults {
        latency: Some(Duration::from_millis(40)),
        ..Faults::default()
    };
    let sim = tiny_sim(slow, &ApiGroup::ALL);
    let state = out.path().join("state.json");
    let o = out.path().join("o.json");
    let bin = concur_smp_tests::concur_smp_bin();
    let mut cmd = std::process::Command::new(bin);
    for k in concur_smp_tests::CLI_ENV {
        cmd.env_remove(k);
    }
    cmd.env("CONCUR_SMP_CONFIG_DIR", cfg.path())
        .env("CONCUR_CLIENT_ID", DEMO_CLIENT_ID)
        .env("CONCUR_CLIENT_SECRET", DEMO_CLIENT_SECRET)
        .env("CONCUR_USERNAME", DEMO_USERNAME)
        .env("CONCUR_PASSWORD", DEMO_PASSWORD)
        .args([
            "-q",
            "discover",
            "--base-url",
            &sim.base_url(),
            "--since",
            "2025-01-01",
            "--concurrency",
            "1",
        ])
        .args(["--format", "json", "--output"])
        .arg(&o)
        .arg("--state")
        .arg(&state)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let res = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&res.stderr);
    // Interrupted (1), or it finished before the signal (0).
    assert!(
        matches!(res.status.code(), Some(0 | 1)),
        "{:?} {stderr}",
        res.status
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The state is a complete, parseable file; a second run completes from it.
    let st = read_json(&state);
    assert_eq!(st["format"], "concur-smp-state");
    discover(cfg.path(), &sim)
        .arg("--state")
        .arg(&state)
        .args(["--format", "json", "--output"])
        .arg(&o)
        .assert()
        .success();
    let full = out.path().join("full.json");
    let cfg2 = tempfile::tempdir().unwrap();
    discover(cfg2.path(), &sim)
        .args(["--format", "json", "--output"])
        .arg(&full)
        .assert()
        .success();
    assert_eq!(
        costs(&read_json(&o)),
        costs(&read_json(&full)),
        "resumed run equals an uninterrupted one"
    );
}

#[test]
fn untrusted_geolocation_is_exit_3() {
    use std::io::{Read, Write};
    // A token endpoint that hands out a geolocation outside Concur's domains.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let mut buf = [0u8; 8192];
            let _ = s.read(&mut buf);
            let body = r#"{"access_token":"at-untrusted-test-0000","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-untrusted-test-0000","geolocation":"https://concursolutions.com.evil.example"}"#;
            let resp = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(resp.as_bytes());
        }
    });
    let cfg = tempfile::tempdir().unwrap();
    cli(cfg.path())
        .env("CONCUR_CLIENT_ID", DEMO_CLIENT_ID)
        .env("CONCUR_CLIENT_SECRET", DEMO_CLIENT_SECRET)
        .env("CONCUR_USERNAME", DEMO_USERNAME)
        .env("CONCUR_PASSWORD", DEMO_PASSWORD)
        .args(["login", "--base-url", &format!("http://127.0.0.1:{port}")])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "untrusted geolocation or base URL",
        ))
        .stderr(predicate::str::contains("at-untrusted-test").not());
    assert!(!cfg.path().join("token.json").exists());
    server.join().unwrap();
}

#[test]
fn coverage_warnings_exit_5_and_still_write_the_output() {
    let cfg = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let faults = Faults {
        total_mismatch_reports: vec![3],
        ..Faults::default()
    };
    let sim = tiny_sim(faults, &ApiGroup::ALL);
    let o = out.path().join("o.csv");
    discover(cfg.path(), &sim)
        .args(["--format", "smp-csv", "--output"])
        .arg(&o)
        .assert()
        .code(5)
        .stdout(predicate::str::contains("total_mismatch"))
        .stderr(predicate::str::contains("partial result"));
    let csv = std::fs::read_to_string(&o).unwrap();
    assert!(csv.lines().count() > 10, "{csv}");
    // An optional group that is not enabled is a statistic, not a partial result.
    let no_invoice = tiny_sim(
        Faults::default(),
        &[
            ApiGroup::ExpenseReport,
            ApiGroup::Imaging,
            ApiGroup::ListItems,
            ApiGroup::Users,
        ],
    );
    let o2 = out.path().join("o2.json");
    discover(cfg.path(), &no_invoice)
        .args(["--format", "json", "--output"])
        .arg(&o2)
        .assert()
        .success();
    let d = read_json(&o2);
    assert!(
        d["stats"]["optional_groups_skipped"]
            .to_string()
            .contains("invoice"),
        "{}",
        d["stats"]
    );
}
