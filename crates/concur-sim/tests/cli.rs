//! The `concur-sim` binary: ground-truth export and the sourceable env output.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use assert_cmd::cargo::CommandCargoExt;

#[test]
fn ground_truth_csv_for_tiny() {
    let out = Command::cargo_bin("concur-sim")
        .unwrap()
        .args(["ground-truth", "--tenant", "tiny"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("kind,id,report_id,product_id,is_software,scenario,vendor,amount,currency")
    );
    assert!(lines.count() > 150);
    let bad = Command::cargo_bin("concur-sim")
        .unwrap()
        .args(["ground-truth", "--tenant", "huge"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
}

#[test]
fn server_prints_sourceable_env() {
    let mut child = Command::cargo_bin("concur-sim")
        .unwrap()
        .args(["--port", "0", "--tenant", "tiny"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut vars = Vec::new();
    for _ in 0..6 {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        vars.push(line.trim().to_owned());
    }
    child.kill().unwrap();
    let _ = child.wait();
    assert!(vars[0].starts_with("CONCUR_BASE_URL=http://127.0.0.1:"));
    assert_eq!(
        vars[1],
        format!("CONCUR_CLIENT_ID={}", concur_sim::DEMO_CLIENT_ID)
    );
    assert_eq!(
        vars[3],
        format!("CONCUR_USERNAME={}", concur_sim::DEMO_USERNAME)
    );
    assert_eq!(
        vars[5],
        format!("CONCUR_REFRESH_TOKEN={}", concur_sim::DEMO_REFRESH_TOKEN)
    );
}
