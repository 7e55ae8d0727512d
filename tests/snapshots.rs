//! Snapshots (insta) of what people read: the diff and the report for the sample homes.

mod common;

use assert_cmd::Command;
use common::fixture_copy;

fn run(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::cargo_bin("wso2-harden")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn diff_of_the_sample_homes() {
    let tmp = fixture_copy(&["apim-2.6.0", "is-7.0.0", "mi-4.2.0"]);
    let diff = run(
        tmp.path(),
        &[
            "diff",
            "--set",
            "hostname=node.example.com",
            "--set",
            "jvm_xmx=2048m",
            "--unsafe-fixes",
        ],
    );
    insta::assert_snapshot!(diff);
}

#[test]
fn check_report_of_the_sample_homes() {
    let tmp = fixture_copy(&["apim-2.6.0", "is-7.0.0"]);
    // file-permissions depends on the checkout's modes and owner: left out of the snapshot.
    let report = run(
        tmp.path(),
        &[
            "check",
            "--ignore",
            "file-permissions",
            "--set",
            "hostname=node.example.com",
        ],
    );
    insta::assert_snapshot!(report);
}
