//! The binary's configuration handling.

use std::process::Command;

fn run(config_text: &str) -> (Option<i32>, String, String) {
    run_env(config_text, &[])
}

fn run_env(config_text: &str, env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("smpd.toml");
    std::fs::write(&path, config_text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_concur-smpd"))
        .arg("--config")
        .arg(&path)
        .arg("--check-config")
        .env_remove("CONCUR_SMPD_SYNC_INTERVAL")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const GOOD: &str = r#"
api_keys = ["test-api-key-0123456789"]
sync_interval = "15m"
[connections.acme]
base_url = "https://us.api.concursolutions.com"
client_id = "id"
client_secret = "client-secret-value"
grant = { type = "refresh_token", refresh_token = "refresh-token-value" }
"#;

#[test]
fn good_config_checks() {
    let (code, out, err) = run(GOOD);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("1 connection"), "{out}");
}

#[test]
fn malformed_config_names_the_field() {
    let (code, _, err) = run(&GOOD.replace("\"15m\"", "\"every now and then\""));
    assert_eq!(code, Some(2));
    assert!(err.contains("sync_interval"), "{err}");
    let (code, _, err) = run(&GOOD.replace("client_id = \"id\"", "client_idd = \"id\""));
    assert_eq!(code, Some(2));
    assert!(err.contains("client_idd"), "{err}");
    let (code, _, err) =
        run(&GOOD.replace("refresh_token\", refresh_token", "magic\", refresh_token"));
    assert_eq!(code, Some(2));
    assert!(
        err.contains("connections.acme.grant") || err.contains("magic"),
        "{err}"
    );
    let (code, _, err) = run("api_keys = [\"short\"]\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("api_keys[0]"), "{err}");
    let (code, _, err) = run("this is not toml");
    assert_eq!(code, Some(2));
    assert!(err.contains("invalid configuration"), "{err}");
    {
        let e = &err;
        assert!(!e.contains("client-secret-value") && !e.contains("refresh-token-value"));
    }
}

#[test]
fn example_config_is_valid() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/concur-smpd.example.toml"
    ))
    .unwrap();
    let (code, out, err) = run(&text);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("connection"), "{out}");
}

#[test]
fn environment_overrides_the_file() {
    let (code, out, err) = run_env(
        GOOD,
        &[
            ("CONCUR_SMPD_SYNC_INTERVAL", "42s"),
            ("CONCUR_SMPD_RETENTION_MONTHS", "6"),
            ("CONCUR_SMPD_CONNECTIONS__ACME__CLIENT_ID", "from-env"),
            (
                "CONCUR_SMPD_STORE_URL",
                "postgres://smpd:pw-secret@db.example.com/smpd",
            ),
            ("CONCUR_SMPD_TOKEN_KEY", "not-a-config-key"),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("sync_interval 42s"), "{out}");
    assert!(out.contains("retention 6 months"), "{out}");
    assert!(out.contains("acme: client_id from-env"), "{out}");
    assert!(
        out.contains("postgres://smpd:***@db.example.com/smpd"),
        "{out}"
    );
    assert!(!out.contains("pw-secret"));
    let (code, _, err) = run_env(GOOD, &[("CONCUR_SMPD_SYNC_INTERVAL", "soonish")]);
    assert_eq!(code, Some(2));
    assert!(err.to_lowercase().contains("sync_interval"), "{err}");
}

#[test]
fn missing_token_key_stops_start_up_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("smpd.toml");
    let text = format!(
        "data_dir = \"{}\"\nlisten = \"127.0.0.1:0\"\n{GOOD}",
        dir.path().display()
    );
    std::fs::write(&path, text).unwrap();
    for (key, needle) in [
        (None, "CONCUR_SMPD_TOKEN_KEY is not set"),
        (Some("c2hvcnQ="), "exactly 32 bytes"),
    ] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_concur-smpd"));
        cmd.arg("--config")
            .arg(&path)
            .env_remove("CONCUR_SMPD_TOKEN_KEY");
        if let Some(k) = key {
            cmd.env("CONCUR_SMPD_TOKEN_KEY", k);
        }
        let out = cmd.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(needle), "{err}");
        assert!(!err.contains("client-secret-value"), "{err}");
    }
}
