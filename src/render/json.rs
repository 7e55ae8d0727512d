//! `check --format json`: one stable document (schema `wso2-harden/check/v1`, see README).

use serde::Serialize;

use super::report::Counts;
use crate::discover::{Model, ProductKind, Source, Version, VersionRange};
use crate::plan::effective::EffectiveNote;
use crate::plan::{Finding, NodePlan, Plan};

#[derive(Serialize)]
struct Doc<'a> {
    schema: &'static str,
    tool_version: &'static str,
    nodes: Vec<Node<'a>>,
    findings: Vec<&'a Finding>,
    summary: Counts,
}

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

pub fn check_json(plan: &Plan) -> String {
    let doc = Doc {
        schema: "wso2-harden/check/v1",
        tool_version: env!("CARGO_PKG_VERSION"),
        nodes: plan.nodes.iter().map(node).collect(),
        findings: plan.findings().collect(),
        summary: Counts::of(plan),
    };
    // Serialising plain data with string keys cannot fail.
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
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
pub fn closing_lines(plan: &Plan) -> String {
    let mut out = String::new();
    for f in &plan.notes {
        let v = serde_json::json!({ "type": "note", "finding": f });
        out.push_str(&(v.to_string() + "\n"));
    }
    let v = serde_json::json!({
        "type": "summary",
        "schema": "wso2-harden/check-lines/v1",
        "tool_version": env!("CARGO_PKG_VERSION"),
        "summary": Counts::of(plan),
    });
    out + &v.to_string() + "\n"
}
