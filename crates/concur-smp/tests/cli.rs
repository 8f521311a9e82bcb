//! Black-box tests of the `concur-smp` binary.
#![allow(missing_docs)]

use assert_cmd::Command;
use predicates::prelude::*;

fn cmd() -> Command {
    Command::cargo_bin("concur-smp").unwrap()
}

#[test]
fn version_exits_0_and_prints_the_version() {
    cmd()
        .arg("--version")
        .assert()
        .code(0)
        .stdout(format!("concur-smp {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn unknown_flag_exits_2_with_one_error_and_one_hint_line() {
    let out = cmd().arg("--no-such-flag").assert().code(2).stdout("");
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert_eq!(
        lines[0],
        "error: unexpected argument '--no-such-flag' found"
    );
    assert!(lines[1].starts_with("hint: "), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn unknown_subcommand_and_missing_subcommand_exit_2() {
    cmd()
        .arg("frobnicate")
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("error: "));
    cmd()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Usage:"));
}

#[test]
fn help_lists_the_exit_codes() {
    cmd()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Exit codes:"))
        .stdout(predicate::str::contains("0  success"))
        .stdout(predicate::str::contains("2  usage error"))
        .stdout(predicate::str::contains("3  authentication failed"))
        .stdout(predicate::str::contains("4  permission denied"))
        .stdout(predicate::str::contains("5  partial result"))
        .stdout(predicate::str::contains("model-example"));
}

#[test]
fn model_example_prints_the_documented_example() {
    let out = cmd().arg("model-example").assert().code(0);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let doc: saas_discovery::Document = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc.source.connection_id, "acme-prod");
    assert_eq!(stdout, saas_discovery::Document::example_json());
}
