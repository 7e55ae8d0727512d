//! `check --format sarif`: SARIF 2.1.0 for GitHub code scanning and other viewers. One rule
//! per patch (help from the patch: summary, guideline, guidance, public references), one
//! result per finding with a repo-relative location, a fingerprint that survives line drift,
//! the planned edit as a SARIF fix where it maps onto the original file, and waived findings
//! as suppressions. Results are rendered per node while its files are in memory.

use serde_json::{json, Value};

use super::fixes;
use super::report::waiver_note;
use crate::catalog::{Catalog, Patch, Severity};
use crate::plan::{Finding, FindingKind, NodePlan};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Base of every repo-relative URI: the directory the tool ran in.
pub const SRCROOT: &str = "%SRCROOT%";

/// Everything a result needs besides its finding.
pub struct Ctx<'a> {
    pub catalog: &'a Catalog,
    pub fail_on: &'a [FindingKind],
}

/// The results of one node; `fixes` only while the node's files are still in memory.
pub fn node_results(node: &NodePlan, ctx: &Ctx) -> Vec<Value> {
    let mut seen = std::collections::HashMap::new();
    node.findings
        .iter()
        .map(|f| {
            let mut r = result(f, ctx, &mut seen);
            if f.kind == FindingKind::Fix && !f.waived() {
                if let Some(fix) = fix_of(node, f) {
                    r["fixes"] = json!([fix]);
                }
            }
            r
        })
        .collect()
}

/// How deep the results sit in the document (`runs[0].results[…]`): their items' indentation
/// for `json::item`.
pub const RESULT_INDENT: usize = 8;

/// Where the results array goes in `Frame::head`/`tail`.
const RESULTS: &str = "\u{1}results\u{1}";

/// The document around its results: `head`, then the results as `json::Items` (each
/// `json::item(result, RESULT_INDENT)`), closed with `Items::close(RESULT_INDENT - 2)`, then
/// `tail`. Results can so be rendered per node and kept outside memory until the end.
pub struct Frame {
    pub head: String,
    pub tail: String,
}

/// The frame: rules, and an invocation that lists the errors of homes that could not be
/// planned.
pub fn frame(errors: &[String], ctx: &Ctx, cwd: &std::path::Path) -> Frame {
    let notifications: Vec<Value> = errors
        .iter()
        .map(|e| json!({ "level": "error", "message": { "text": e } }))
        .collect();
    let root = format!(
        "{}/",
        file_uri(&cwd.to_string_lossy()).trim_end_matches('/')
    );
    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "wso2-harden",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": ctx.catalog.patches.iter().map(rule).collect::<Vec<_>>(),
            }},
            "originalUriBaseIds": { SRCROOT: { "uri": root } },
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": RESULTS,
        }],
    });
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    let marker = serde_json::to_string(RESULTS).unwrap_or_default();
    let (head, tail) = text.split_once(&marker).unwrap_or((&text, ""));
    Frame {
        head: format!("{head}["),
        tail: tail.to_string(),
    }
}

/// The results of the run's notes (after every node's).
pub fn note_results(notes: &[Finding], ctx: &Ctx) -> Vec<Value> {
    let mut seen = std::collections::HashMap::new();
    notes.iter().map(|f| result(f, ctx, &mut seen)).collect()
}

fn rule(p: &Patch) -> Value {
    let public: Vec<&String> = p.references.iter().collect();
    let mut text = format!("{}\n\nGuideline: {}", p.summary, p.rationale.trim());
    let mut md = format!("{}\n\n**Guideline:** {}", p.summary, p.rationale.trim());
    if let Some(g) = &p.guidance {
        text.push_str(&format!("\n\nWhat to do: {g}"));
        md.push_str(&format!("\n\n**What to do:** {g}"));
    }
    if !public.is_empty() {
        text.push_str("\n\nReferences:");
        md.push_str("\n\n**References:**");
        for r in &public {
            text.push_str(&format!("\n- {r}"));
            md.push_str(&format!("\n- {}", markdown_link(r)));
        }
    }
    let mut rule = json!({
        "id": p.id,
        "name": pascal(&p.id),
        "shortDescription": { "text": p.title },
        "fullDescription": { "text": p.summary },
        "help": { "text": text, "markdown": md },
        "defaultConfiguration": { "level": "error" },
        "properties": {
            "tags": ["security", "wso2", format!("{:?}", p.safety).to_lowercase()],
            "security-severity": security_severity(p.severity),
            "precision": "very-high",
        },
    });
    if let Some(uri) = p.references.iter().find_map(|r| url_in(r)) {
        rule["helpUri"] = json!(uri);
    }
    rule
}

fn result(f: &Finding, ctx: &Ctx, seen: &mut std::collections::HashMap<String, usize>) -> Value {
    let level = if f.fails(ctx.fail_on) {
        "error"
    } else if f.kind == FindingKind::Warning {
        "note"
    } else {
        "warning"
    };
    let mut text = f.message.clone();
    if let Some(g) = &f.guidance {
        text.push_str(&format!(" → {g}"));
    }
    if let Some(w) = waiver_note(f).filter(|_| !f.waived()) {
        text.push_str(&format!(" ({w})"));
    }
    let location = f.file.as_deref().unwrap_or(&f.node);
    let fp = super::ci::fingerprint(f, seen);
    let mut r = json!({
        "ruleId": f.id,
        "level": level,
        "message": { "text": text },
        "locations": [{ "physicalLocation": physical(location, f.line, f.file.is_none()) }],
        "partialFingerprints": { "wso2HardenFinding/v1": fp },
        "properties": {
            "kind": f.kind.name(),
            "severity": format!("{:?}", f.severity).to_lowercase(),
            "node": f.node,
        },
    });
    if let Some(i) = ctx.catalog.patches.iter().position(|p| p.id == f.id) {
        r["ruleIndex"] = json!(i);
    }
    if let Some(w) = f.waiver.as_ref().filter(|_| f.waived()) {
        r["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": format!("{} ({})", w.reason, w.policy),
        }]);
    }
    r
}

/// A location: relative paths against %SRCROOT%, others as file URIs.
pub fn physical(path: &str, line: Option<usize>, dir: bool) -> Value {
    let mut uri = percent_encode_path(path);
    if dir && !uri.ends_with('/') {
        uri.push('/');
    }
    let artifact = if path.starts_with('/') || path.starts_with("../") || path == ".." {
        json!({ "uri": file_uri(path) + if dir { "/" } else { "" } })
    } else if path == "." {
        json!({ "uri": "./", "uriBaseId": SRCROOT })
    } else {
        json!({ "uri": uri, "uriBaseId": SRCROOT })
    };
    let mut p = json!({ "artifactLocation": artifact });
    if let Some(l) = line {
        p["region"] = json!({ "startLine": l });
    }
    p
}

/// The planned edit of finding `f` as a SARIF fix on the original file, when it maps.
fn fix_of(node: &NodePlan, f: &Finding) -> Option<Value> {
    let file = node
        .files
        .iter()
        .find(|p| Some(&p.display) == f.file.as_ref())?;
    let step = file.steps.iter().find(|s| s.patch == f.id)?;
    let replacements = fixes::replacements(&file.decoded.text, &step.before, &step.after)?;
    // Offsets count the characters of the file, a byte order mark (U+FEFF) included.
    let bom = usize::from(file.decoded.bom);
    let replacements: Vec<Value> = replacements
        .into_iter()
        .map(|r| {
            json!({
                "deletedRegion": { "charOffset": r.char_offset + bom, "charLength": r.char_length },
                "insertedContent": { "text": r.inserted },
            })
        })
        .collect();
    let location = physical(&file.display, None, false)["artifactLocation"].clone();
    Some(json!({
        "description": { "text": format!("wso2-harden fix: {}", f.message) },
        "artifactChanges": [{ "artifactLocation": location, "replacements": replacements }],
    }))
}

fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The URL a reference cites, if any.
fn url_in(reference: &str) -> Option<&str> {
    let start = reference.find("https://")?;
    let url = &reference[start..];
    Some(url.split_whitespace().next().unwrap_or(url))
}

fn markdown_link(reference: &str) -> String {
    match url_in(reference) {
        Some(url) => {
            let title = reference.replace(url, "");
            let title = title.trim().trim_end_matches([':', ',', '—', '-']).trim();
            if title.is_empty() {
                format!("<{url}>")
            } else {
                format!("[{title}]({url})")
            }
        }
        None => reference.to_string(),
    }
}

fn file_uri(path: &str) -> String {
    let p = if path.starts_with('/') {
        path.to_string()
    } else {
        std::env::current_dir()
            .map(|c| c.join(path).to_string_lossy().into_owned())
            .unwrap_or_else(|_| path.to_string())
    };
    format!("file://{}", percent_encode_path(&p))
}

/// Percent-encodes what a URI path may not hold (spaces, `%`, `#`, `?`, non-ASCII).
fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' | b':'
            | b'@' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_or_file_uris_and_encoded() {
        let p = physical("nodes/gw 1/conf/a.xml", Some(3), false);
        assert_eq!(p["artifactLocation"]["uri"], "nodes/gw%201/conf/a.xml");
        assert_eq!(p["artifactLocation"]["uriBaseId"], SRCROOT);
        assert_eq!(p["region"]["startLine"], 3);
        let p = physical("/opt/wso2/x.xml", None, false);
        assert_eq!(p["artifactLocation"]["uri"], "file:///opt/wso2/x.xml");
        assert!(p.get("region").is_none());
        assert_eq!(
            physical("n/home", None, true)["artifactLocation"]["uri"],
            "n/home/"
        );
    }

    #[test]
    fn results_sit_where_the_frame_says() {
        let catalog = Catalog::builtin();
        let ctx = Ctx {
            catalog,
            fail_on: &[],
        };
        let frame = frame(&[], &ctx, std::path::Path::new("/x"));
        let line = frame.head.lines().last().unwrap();
        assert_eq!(
            line,
            format!("{}\"results\": [", " ".repeat(RESULT_INDENT - 2))
        );
        let result = json!({"ruleId": "a", "level": "note"});
        let mut items = super::super::json::Items::default();
        let mut doc = frame.head.clone();
        doc.push_str(items.separator());
        doc.push_str(&super::super::json::item(&result, RESULT_INDENT));
        doc.push_str(&items.close(RESULT_INDENT - 2));
        doc.push_str(&frame.tail);
        let v: Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(v["runs"][0]["results"][0], result);
        let mut whole = v.clone();
        whole["runs"][0]["results"] = json!([result]);
        assert_eq!(doc, serde_json::to_string_pretty(&whole).unwrap() + "\n");
    }

    #[test]
    fn rule_names_and_links() {
        assert_eq!(pascal("tls-protocols"), "TlsProtocols");
        assert_eq!(
            markdown_link("WSO2 docs, Transport Level Security: https://docs.wso2.com/x"),
            "[WSO2 docs, Transport Level Security](https://docs.wso2.com/x)"
        );
        assert_eq!(url_in("see https://a.b/c (x)"), Some("https://a.b/c"));
    }
}
