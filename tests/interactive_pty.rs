//! The interactive fix through a real pseudo-terminal: the prompts people see and answer.
#![cfg(unix)]

mod common;

use std::fs;
use std::process::Command;

use common::{fixture_copy, snapshot};
use rexpect::session::spawn_command;

fn fix_command(dir: &std::path::Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wso2-harden"));
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("TERM", "dumb")
        .arg("fix")
        .args(args);
    c
}

#[test]
fn yes_then_quit_applies_exactly_the_first_change() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let cat = d.join("apim-2.6.0/repository/conf/tomcat/catalina-server.xml");
    let before = fs::read_to_string(&cat).unwrap();
    let mut p = spawn_command(
        fix_command(d, &["--select", "server-header,tls-protocols"]),
        Some(20_000),
    )
    .unwrap();
    p.exp_string("server-header").unwrap();
    p.exp_string("restart needed").unwrap();
    p.exp_string("Apply this change [y,n,a,q,?]").unwrap();
    p.send_line("?").unwrap();
    p.exp_string("apply this change and all remaining ones")
        .unwrap();
    p.exp_string("Apply this change [y,n,a,q,?]").unwrap();
    p.send_line("y").unwrap();
    p.exp_string("tls-protocols").unwrap();
    p.exp_string("Apply this change [y,n,a,q,?]").unwrap();
    p.send_line("q").unwrap();
    p.exp_string("wrote 1 file(s)").unwrap();
    p.exp_eof().unwrap();
    let after = fs::read_to_string(&cat).unwrap();
    assert_eq!(
        after,
        before.replace("server=\"WSO2 Carbon Server\"", "server=\"Server\"")
    );
    assert!(
        after.contains("sslEnabledProtocols=\"TLSv1,TLSv1.1,TLSv1.2\""),
        "second change not applied"
    );
}

#[test]
fn value_prompt_validates_then_applies_and_rollback_restores() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let before = snapshot(d);
    let mut p = spawn_command(fix_command(d, &["--select", "hostname"]), Some(20_000)).unwrap();
    p.exp_string("value for `hostname`").unwrap();
    p.send_line("https://bad:9443").unwrap();
    p.exp_string("not a host name").unwrap();
    p.exp_string("value for `hostname`").unwrap();
    p.send_line("gw.example.com").unwrap();
    p.exp_string("Apply this change [y,n,a,q,?]").unwrap();
    p.send_line("a").unwrap();
    p.exp_eof().unwrap();
    let carbon = fs::read_to_string(d.join("apim-2.6.0/repository/conf/carbon.xml")).unwrap();
    assert!(carbon.contains("<HostName>gw.example.com</HostName>"));
    assert!(carbon.contains("<MgtHostName>gw.example.com</MgtHostName>"));
    let status = Command::new(env!("CARGO_BIN_EXE_wso2-harden"))
        .current_dir(d)
        .arg("rollback")
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        snapshot(d),
        before,
        "rollback after an interactive run restores every byte"
    );
}

#[test]
fn secrets_are_masked_in_the_prompt() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let mut p = spawn_command(
        fix_command(tmp.path(), &["--select", "tls-ciphers"]),
        Some(20_000),
    )
    .unwrap();
    let shown = p.exp_string("Apply this change [y,n,a,q,?]").unwrap();
    assert!(shown.contains("keystorePass=\"********\""), "{shown}");
    assert!(!shown.contains("wso2carbon\""), "{shown}");
    p.send_line("n").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn overview_then_numbered_questions_and_q_lists_what_was_not_reviewed() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let mut p = spawn_command(
        fix_command(
            d,
            &[
                "--select",
                "server-header,tls-protocols,tls-ciphers,hostname",
            ],
        ),
        Some(20_000),
    )
    .unwrap();
    p.exp_string("wso2-harden fix: 1 product home, 3 change(s) to review, 1 value(s) to give")
        .unwrap();
    p.exp_string("3 change(s) in 1 file(s)").unwrap();
    p.exp_string("needs a value: hostname (repository/conf/carbon.xml)")
        .unwrap();
    // The value prompt names the file, the setting, its current state and why.
    p.exp_string("needs a value for `hostname`").unwrap();
    p.exp_string("apim-2.6.0/repository/conf/carbon.xml (/Server/HostName)")
        .unwrap();
    p.exp_string("current: absent").unwrap();
    p.exp_string("why:").unwrap();
    p.exp_string("value for `hostname` (Enter to skip)")
        .unwrap();
    p.send_line("").unwrap();
    p.exp_string("[1/3]").unwrap();
    p.exp_string("Apply this change [y,n,a,q,?]").unwrap();
    p.send_line("y").unwrap();
    p.exp_string("[2/3]").unwrap();
    p.exp_string("Apply this change [y,n,a,q,?]").unwrap();
    p.send_line("q").unwrap();
    p.exp_string("not reviewed (1), left as they are").unwrap();
    p.exp_string("tls-protocols  apim-2.6.0/repository/conf/tomcat/catalina-server.xml")
        .unwrap();
    p.exp_string("wrote 1 file(s)").unwrap();
    p.exp_eof().unwrap();
    let status = p.process.wait().unwrap();
    assert_eq!(
        status,
        rexpect::process::wait::WaitStatus::Exited(p.process.child_pid, 1),
        "q with changes left exits 1"
    );
}

#[test]
fn ctrl_c_says_plainly_that_nothing_was_written() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let before = snapshot(d);
    let mut p = spawn_command(
        fix_command(d, &["--select", "server-header,tls-protocols"]),
        Some(20_000),
    )
    .unwrap();
    p.exp_string("[1/2]").unwrap();
    p.exp_string("Apply this change [y,n,a,q,?]").unwrap();
    p.send_line("y").unwrap();
    p.exp_string("[2/2]").unwrap();
    p.exp_string("Apply this change [y,n,a,q,?]").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("interrupted: nothing of apim-2.6.0 was written.")
        .unwrap();
    p.exp_eof().unwrap();
    let status = p.process.wait().unwrap();
    assert_eq!(
        status,
        rexpect::process::wait::WaitStatus::Exited(p.process.child_pid, 130)
    );
    let after = snapshot(d);
    let changed: Vec<_> = (after.iter().filter(|f| !before.contains(f)))
        .chain(before.iter().filter(|f| !after.contains(f)))
        .map(|(p, _)| p.display().to_string())
        .collect();
    assert!(
        changed.is_empty(),
        "the accepted change was not written: {changed:?}"
    );
    // The home's lock lives in .wso2-harden; no backup set was made.
    assert!(
        common::backup_sets(&d.join("apim-2.6.0/.wso2-harden")).is_empty(),
        "no backup either"
    );
}

#[test]
fn a_long_bat_line_shows_only_the_changed_words() {
    let tmp = fixture_copy(&["windows-ei-6.5.0"]);
    let d = tmp.path();
    let bat = d.join("windows-ei-6.5.0/bin/integrator.bat");
    let text = fs::read_to_string(&bat).unwrap();
    let filler: String = (0..120).map(|i| format!(" -Dfiller.{i}=x")).collect();
    let long = text.replacen(
        "-Dcarbon.home=",
        &format!("{} -Dcarbon.home=", filler.trim_start()),
        1,
    );
    assert!(long.lines().any(|l| l.len() > 1_600));
    fs::write(&bat, long).unwrap();
    let mut p = spawn_command(
        fix_command(d, &["--select", "jvm-hostname-verification"]),
        Some(20_000),
    )
    .unwrap();
    let shown = p.exp_string("Apply this change [y,n,a,q,?]").unwrap();
    assert!(
        shown.contains("only the changed words are shown"),
        "{shown}"
    );
    assert!(
        shown.contains("[--Dorg.wso2.ignoreHostnameVerification=true-]{+-Dorg.wso2.ignoreHostnameVerification=false+}"),
        "{shown}"
    );
    assert!(
        !shown.contains("-Dfiller.60=x"),
        "the unchanged middle is left out:\n{shown}"
    );
    assert!(shown.lines().all(|l| l.chars().count() < 300), "{shown}");
    p.send_line("y").unwrap();
    p.exp_string("wrote 1 file(s)").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn summary_counts_only_what_was_written_after_a_refused_write() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let cat = d.join("apim-2.6.0/repository/conf/tomcat/catalina-server.xml");
    let mut p = spawn_command(
        fix_command(d, &["--select", "server-header,tls-protocols"]),
        Some(20_000),
    )
    .unwrap();
    p.exp_string("Apply this change [y,n,a,q,?]").unwrap();
    // Someone edits the file while the question waits: the node's write is refused.
    let mut text = fs::read_to_string(&cat).unwrap();
    text.push('\n');
    fs::write(&cat, &text).unwrap();
    p.send_line("a").unwrap();
    p.exp_string("changed on disk since it was planned")
        .unwrap();
    p.exp_string("0 file(s) written: 0 change(s) applied, 0 declined")
        .unwrap();
    p.exp_eof().unwrap();
    assert_eq!(fs::read_to_string(&cat).unwrap(), text);
}
