//! Formats for CI systems: GitHub Actions workflow commands (`--format github`), the GitLab
//! Code Quality report (`--format gitlab`), and the fingerprint both they and SARIF use.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::report::waiver_note;
use crate::catalog::Severity;
use crate::plan::{Finding, FindingKind, NodePlan};

/// A stable identity for a finding that survives line drift: the patch, the file (or node)
/// and what the finding is about (for a planned fix the patch and file say it all; other
/// findings add their message, which never holds a line number), plus an occurrence count
/// for identical ones. `seen` counts occurrences within one report.
pub fn fingerprint(f: &Finding, seen: &mut HashMap<String, usize>) -> String {
    let identity = match f.kind {
        FindingKind::Fix | FindingKind::UnsafeFix => "",
        _ => f.message.as_str(),
    };
    let place = f.file.as_deref().unwrap_or(&f.node);
    let key = format!("{}\0{place}\0{identity}", f.id);
    let hash = crate::apply::backup::sha256_hex(key.as_bytes());
    let hash = hash.get(..32).unwrap_or(&hash).to_string();
    let n = seen.entry(hash.clone()).or_insert(0);
    *n += 1;
    format!("{hash}:{n}")
}

/// GitHub's escaping of a workflow command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping of a workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One workflow command: `::error file=…,line=…,title=…::message`.
fn command(level: &str, file: Option<&str>, line: Option<usize>, title: &str, msg: &str) -> String {
    let mut props = Vec::new();
    if let Some(f) = file {
        props.push(format!("file={}", escape_property(f)));
    }
    if let Some(l) = line {
        props.push(format!("line={l}"));
    }
    props.push(format!("title={}", escape_property(title)));
    format!("::{level} {}::{}\n", props.join(","), escape_data(msg))
}

/// The workflow commands of one node: failing findings as errors, the others as warnings or
/// notices; waived findings are left out (the summary counts them).
pub fn github_node(node: &NodePlan, fail_on: &[FindingKind]) -> String {
    let mut out = String::new();
    if let Some(e) = &node.error {
        let (file, line, msg) = split_location(e);
        out.push_str(&command(
            "error",
            file,
            line,
            "wso2-harden: cannot plan",
            msg,
        ));
    }
    for f in &node.findings {
        out.push_str(&github_finding(f, fail_on));
    }
    out
}

pub fn github_finding(f: &Finding, fail_on: &[FindingKind]) -> String {
    if f.waived() {
        return String::new();
    }
    let level = if f.fails(fail_on) {
        "error"
    } else if f.kind == FindingKind::Warning {
        "notice"
    } else {
        "warning"
    };
    let title = format!(
        "wso2-harden {} ({}, {})",
        f.id,
        f.kind.name(),
        format!("{:?}", f.severity).to_lowercase()
    );
    let mut msg = f.message.clone();
    if let Some(w) = waiver_note(f) {
        msg.push('\n');
        msg.push_str(&w);
    }
    if let Some(g) = &f.guidance {
        msg.push_str("\n→ ");
        msg.push_str(g);
    }
    let file = f.file.as_deref().unwrap_or(&f.node);
    command(level, Some(file), f.line, &title, &msg)
}

/// `path:line:col: message` as its parts (the message alone when it has no location).
fn split_location(e: &str) -> (Option<&str>, Option<usize>, &str) {
    if let Some((loc, msg)) = e.split_once(": ") {
        let mut parts = loc.rsplitn(3, ':');
        if let (Some(_col), Some(line), Some(path)) = (parts.next(), parts.next(), parts.next()) {
            if let Ok(line) = line.parse() {
                return (Some(path), Some(line), msg);
            }
        }
        if !loc.contains(' ') {
            return (Some(loc), None, msg);
        }
    }
    (None, None, e)
}

/// GitLab Code Quality entries of one node (waived findings left out). Occurrences are counted
/// per node: a fingerprint names the finding's file (or node), so no two nodes share one.
pub fn gitlab_node(node: &NodePlan) -> Vec<Value> {
    let seen = &mut HashMap::new();
    let mut out = Vec::new();
    if let Some(e) = &node.error {
        let (file, line, msg) = split_location(e);
        out.push(json!({
            "description": msg,
            "check_name": "wso2-harden-error",
            "fingerprint": crate::apply::backup::sha256_hex(e.as_bytes()),
            "severity": "blocker",
            "location": { "path": file.unwrap_or(&node.display), "lines": { "begin": line.unwrap_or(1) } },
        }));
    }
    out.extend(node.findings.iter().filter_map(|f| gitlab_finding(f, seen)));
    out
}

/// GitLab Code Quality entries of the run's notes (they name the policy file).
pub fn gitlab_notes(notes: &[Finding]) -> Vec<Value> {
    let seen = &mut HashMap::new();
    notes
        .iter()
        .filter_map(|f| gitlab_finding(f, seen))
        .collect()
}

pub fn gitlab_finding(f: &Finding, seen: &mut HashMap<String, usize>) -> Option<Value> {
    if f.waived() {
        return None;
    }
    let severity = match (f.kind, f.severity) {
        (FindingKind::Warning, _) | (_, Severity::Info) => "info",
        (_, Severity::Low) => "minor",
        (_, Severity::Medium) => "major",
        (_, Severity::High) => "critical",
    };
    let mut description = format!("{} [{}]", f.message, f.id);
    if let Some(w) = waiver_note(f) {
        description.push_str(&format!(" ({w})"));
    }
    Some(json!({
        "description": description,
        "check_name": f.id,
        "fingerprint": fingerprint(f, seen),
        "severity": severity,
        "location": {
            "path": f.file.as_deref().unwrap_or(&f.node),
            "lines": { "begin": f.line.unwrap_or(1) },
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_escape_per_github_rules() {
        let c = command(
            "error",
            Some("a,b:c.xml"),
            Some(7),
            "t: x, y",
            "50% done\r\nnext: a,b",
        );
        assert_eq!(
            c,
            "::error file=a%2Cb%3Ac.xml,line=7,title=t%3A x%2C y::50%25 done%0D%0Anext: a,b\n"
        );
    }

    #[test]
    fn node_errors_split_into_their_location() {
        assert_eq!(
            split_location("n/conf/a.xml:3:9: unexpected end"),
            (Some("n/conf/a.xml"), Some(3), "unexpected end")
        );
        assert_eq!(
            split_location("n/conf/a.xml: Permission denied"),
            (Some("n/conf/a.xml"), None, "Permission denied")
        );
    }
}
