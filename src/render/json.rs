//! `check --format json`: one stable document (schema `wso2-harden/check/v1`, see README).

use serde::Serialize;

use super::report::Counts;
use crate::discover::{Model, ProductKind, Version};
use crate::plan::{Finding, Plan};

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
    version: Option<Version>,
    kernel: Option<Version>,
    model: Model,
    files_changed: usize,
    findings: usize,
    error: Option<&'a str>,
}

pub fn check_json(plan: &Plan) -> String {
    let doc = Doc {
        schema: "wso2-harden/check/v1",
        tool_version: env!("CARGO_PKG_VERSION"),
        nodes: plan
            .nodes
            .iter()
            .map(|n| Node {
                node: &n.display,
                product: n.home.product,
                version: n.home.version,
                kernel: n.home.kernel,
                model: n.home.model,
                files_changed: n.files_changed,
                findings: n.open_findings(),
                error: n.error.as_deref(),
            })
            .collect(),
        findings: plan.findings().collect(),
        summary: Counts::of(plan),
    };
    // Serialising plain data with string keys cannot fail.
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
