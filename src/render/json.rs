//! `check --format json`: one stable document (schema `wso2-harden/check/v1`, see README).

use serde::Serialize;

use super::report::Counts;
use crate::discover::{Model, ProductKind, Source, Version, VersionRange};
use crate::plan::effective::EffectiveNote;
use crate::plan::{Finding, NodePlan};

#[derive(Serialize)]
struct Node<'a> {
    node: &'a str,
    product: ProductKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<&'a str>,
    version: Option<Version>,
    /// Bounds when only a fingerprint narrows the version down.
    #[serde(skip_serializing_if = "Option::is_none")]
    version_range: Option<VersionRange>,
    version_source: Option<Source>,
    kernel: Option<Version>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kernel_range: Option<VersionRange>,
    kernel_source: Option<Source>,
    model: Model,
    notes: &'a [String],
    files_changed: usize,
    findings: usize,
    error: Option<&'a str>,
    /// deployment.toml homes: whether the effective configuration was computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    effective: Option<&'a EffectiveNote>,
}

fn node(n: &NodePlan) -> Node<'_> {
    Node {
        node: &n.display,
        product: n.home.product,
        profile: n.home.profile.as_deref(),
        version: n.home.version.exact,
        version_range: n.home.version.range,
        version_source: n.home.version.source,
        kernel: n.home.kernel.exact,
        kernel_range: n.home.kernel.range,
        kernel_source: n.home.kernel.source,
        model: n.home.model,
        notes: &n.notes,
        files_changed: n.files_changed,
        findings: n.open_findings(),
        error: n.error.as_deref(),
        effective: n.effective.as_ref(),
    }
}

/// `check --format json` written as the nodes come: the document `serde_json` would print for
/// the whole plan, byte for byte, without holding the plan. The head and every node go out at
/// once; findings are kept by the caller (their array follows the nodes') as `item`s.
pub fn check_json_head() -> String {
    format!(
        "{{\n  \"schema\": \"wso2-harden/check/v1\",\n  \"tool_version\": {},\n  \"nodes\": [",
        pretty(env!("CARGO_PKG_VERSION"), 2)
    )
}

/// A node of the document's `nodes` array, laid out for `Items`.
pub fn check_json_node(n: &NodePlan) -> String {
    item(&node(n), 4)
}

/// A finding of the document's `findings` array, laid out for `Items`.
pub fn check_json_finding(f: &Finding) -> String {
    item(f, 4)
}

/// The `nodes` array's end (after `nodes` items), then the `findings` key: its items follow.
pub fn check_json_middle(nodes: &Items) -> String {
    format!("{},\n  \"findings\": [", nodes.close(2))
}

/// The end of the document, after the `findings` items.
pub fn check_json_tail(findings: &Items, summary: &Counts) -> String {
    format!(
        "{},\n  \"summary\": {}\n}}\n",
        findings.close(2),
        pretty(summary, 2)
    )
}

/// `value` as `serde_json::to_string_pretty` prints it nested `indent` spaces deep: its first
/// line where its key or bracket left off, every other line indented. (JSON strings never
/// hold a raw line break, so lines are the layout's own.)
pub fn pretty<T: Serialize + ?Sized>(value: &T, indent: usize) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    let pad = " ".repeat(indent);
    text.replace('\n', &format!("\n{pad}"))
}

/// An element of an array nested `indent` spaces deep, with its indentation (the separator
/// before it comes from `Items::separator`).
pub fn item<T: Serialize + ?Sized>(value: &T, indent: usize) -> String {
    format!("{}{}", " ".repeat(indent), pretty(value, indent))
}

/// The elements of a pretty-printed JSON array written one by one: the separator each needs,
/// and the closing bracket.
#[derive(Debug, Default)]
pub struct Items {
    pub count: usize,
}

impl Items {
    /// What goes before the next element.
    pub fn separator(&mut self) -> &'static str {
        self.count += 1;
        if self.count == 1 {
            "\n"
        } else {
            ",\n"
        }
    }

    /// The closing bracket of an array whose `[` sits on a line indented `indent` spaces.
    pub fn close(&self, indent: usize) -> String {
        if self.count == 0 {
            "]".to_string()
        } else {
            format!("\n{}]", " ".repeat(indent))
        }
    }
}

/// `--format json-lines`: one line per product home as soon as it is planned (its fields as in
/// `json`, `open_findings` for the count, and its findings), so a fleet's report streams.
pub fn node_line(n: &NodePlan) -> String {
    let mut v = serde_json::to_value(node(n)).unwrap_or_default();
    v["type"] = "node".into();
    v["open_findings"] = v["findings"].take();
    v["findings"] = serde_json::to_value(&n.findings).unwrap_or_default();
    v.to_string() + "\n"
}

/// The closing lines of `json-lines`: the run's notes, then the summary.
pub fn closing_lines(notes: &[Finding], summary: &Counts) -> String {
    let mut out = String::new();
    for f in notes {
        let v = serde_json::json!({ "type": "note", "finding": f });
        out.push_str(&(v.to_string() + "\n"));
    }
    let v = serde_json::json!({
        "type": "summary",
        "schema": "wso2-harden/check-lines/v1",
        "tool_version": env!("CARGO_PKG_VERSION"),
        "summary": summary,
    });
    out + &v.to_string() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document as one value, in the order of its fields.
    #[derive(Serialize)]
    struct Whole<'a> {
        schema: &'a str,
        tool_version: &'a str,
        nodes: &'a [serde_json::Value],
        findings: &'a [serde_json::Value],
        summary: Counts,
    }

    /// The pieces put together are what `to_string_pretty` prints for the whole document.
    #[test]
    fn the_streamed_document_is_serde_jsons_own_layout() {
        let nodes = [
            serde_json::json!({"node": "a", "notes": ["x", "y"], "error": null}),
            serde_json::json!({"node": "b\nc", "notes": [], "findings": 2}),
        ];
        let findings = [serde_json::json!({"id": "f", "line": 3, "waiver": {"reason": "r"}})];
        for (n, f) in [(&nodes[..], &findings[..]), (&nodes[..1], &[][..])] {
            let summary = Counts {
                nodes: n.len(),
                ..Counts::default()
            };
            let whole = serde_json::to_string_pretty(&Whole {
                schema: "wso2-harden/check/v1",
                tool_version: env!("CARGO_PKG_VERSION"),
                nodes: n,
                findings: f,
                summary,
            })
            .unwrap()
                + "\n";
            let mut out = check_json_head();
            let mut items = Items::default();
            for v in n {
                out.push_str(items.separator());
                out.push_str(&item(v, 4));
            }
            out.push_str(&check_json_middle(&items));
            let mut items = Items::default();
            for v in f {
                out.push_str(items.separator());
                out.push_str(&item(v, 4));
            }
            out.push_str(&check_json_tail(&items, &summary));
            assert_eq!(out, whole);
        }
    }
}
