//! What the tool says about itself: explain cites public documents only, patches aligns its
//! columns, every command's --help documents its exit codes, shell completions are valid
//! scripts and the man page renders.

mod common;

use std::process::Command as Process;

use assert_cmd::Command;

fn tool() -> Command {
    let mut c = Command::cargo_bin("wso2-harden").unwrap();
    c.env("NO_COLOR", "1");
    c
}

fn stdout(args: &[&str]) -> String {
    let out = tool()
        .args(args)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

fn ids() -> Vec<String> {
    wso2_harden::catalog::Catalog::builtin()
        .patches
        .iter()
        .map(|p| p.id.clone())
        .collect()
}

#[test]
fn explain_cites_public_documents_only() {
    for id in ids() {
        let text = stdout(&["explain", &id]);
        let refs = text
            .split("\nReferences:\n")
            .nth(1)
            .unwrap_or_else(|| panic!("{id}: no references"));
        for r in refs.lines().filter(|l| l.starts_with("  - ")) {
            assert!(
                r.contains("https://"),
                "{id}: reference without a public link: {r}"
            );
            assert!(
                !r.contains(".md") && !r.contains('§'),
                "{id}: cites a file that is not public: {r}"
            );
        }
        assert!(!text.contains("wso2-config-map"), "{id}: {text}");
    }
}

#[test]
fn patches_aligns_its_columns() {
    let text = stdout(&["patches"]);
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let columns: Vec<usize> = ["SEVERITY", "SAFETY", "DEFAULT", "TITLE"]
        .iter()
        .map(|h| header.find(h).unwrap())
        .collect();
    let mut rows = 0;
    for line in lines.filter(|l| !l.starts_with(' ')) {
        rows += 1;
        for &c in &columns {
            let before = &line[..c];
            assert!(
                before.ends_with("  ") && !line[c..].starts_with(' '),
                "column at {c} not aligned in {line:?} (header {header:?})"
            );
        }
    }
    assert_eq!(rows, ids().len());
}

#[test]
fn every_command_documents_its_exit_codes() {
    for cmd in [
        "check",
        "diff",
        "fix",
        "rollback",
        "explain",
        "patches",
        "policy",
        "completions",
        "man",
    ] {
        let text = stdout(&[cmd, "--help"]);
        assert!(text.contains("Exit status:"), "{cmd} --help:\n{text}");
        let codes = text.split("Exit status:").nth(1).unwrap_or("");
        assert!(codes.contains('0'), "{cmd} --help:\n{text}");
    }
    // check's exit status names every kind that fails it by default.
    let text = stdout(&["check", "--help"]);
    let codes = text.split("Exit status:").nth(1).unwrap();
    for kind in wso2_harden::plan::FindingKind::failing_by_default() {
        assert!(
            codes.contains(kind.name()),
            "check's exit status lacks {}",
            kind.name()
        );
    }
    let text = stdout(&["--help"]);
    assert!(text.contains("130 interrupted"), "{text}");
    assert!(stdout(&["fix", "--help"]).contains("130"));
}

fn have(program: &str) -> bool {
    common::have(program, &["--version"], "its check")
}

#[test]
fn completions_are_valid_scripts() {
    let tmp = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let text = stdout(&["completions", shell]);
        assert!(text.contains("wso2-harden"), "{shell}");
        assert!(text.contains("fail-on"), "{shell} completes --fail-on");
        std::fs::write(tmp.path().join(shell), &text).unwrap();
    }
    if have("bash") {
        let out = Process::new("bash")
            .arg("-n")
            .arg(tmp.path().join("bash"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Loaded into a shell, it registers the completion function.
        let out = Process::new("bash")
            .arg("-c")
            .arg(format!(
                "source {} && complete -p wso2-harden",
                tmp.path().join("bash").display()
            ))
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("wso2-harden"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    tool().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn the_man_page_renders() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("wso2-harden.1");
    std::fs::write(&page, stdout(&["man"])).unwrap();
    if have("man") {
        let out = Process::new("man")
            .arg("-l")
            .arg(&page)
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "100")
            .env("LC_ALL", "C.UTF-8")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for section in [
            "NAME",
            "SYNOPSIS",
            "OPTIONS",
            "SUBCOMMANDS",
            "EXIT STATUS",
            "VERSION",
        ] {
            assert!(text.contains(section), "man page lacks {section}:\n{text}");
        }
        assert!(text.contains("wso2-harden-check(1)"), "{text}");
        assert!(text.contains("130 interrupted (Ctrl-C)"), "{text}");
    }
    if have("groff") {
        let out = Process::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(&page)
            .output()
            .unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "groff warns: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Every page for a package.
    let dir = tmp.path().join("man1");
    tool()
        .arg("man")
        .arg("--out-dir")
        .arg(&dir)
        .assert()
        .code(0);
    for name in ["wso2-harden.1", "wso2-harden-check.1", "wso2-harden-fix.1"] {
        assert!(dir.join(name).is_file(), "{name}");
    }
}
