//! `patches` and `explain`: the catalog, rendered from the patch files.

use super::{CLEAN, ERROR};
use crate::catalog::{Catalog, Safety};
use crate::plan::actions::describe;
use crate::render::{Style, BOLD, DIM};

pub fn list(style: Style) -> u8 {
    let catalog = Catalog::builtin();
    let rows: Vec<[String; 5]> = catalog
        .patches
        .iter()
        .map(|p| {
            [
                p.id.clone(),
                format!("{:?}", p.severity).to_lowercase(),
                format!("{:?}", p.safety).to_lowercase(),
                if p.default { "yes" } else { "no" }.to_string(),
                p.title.clone(),
            ]
        })
        .collect();
    let header = ["ID", "SEVERITY", "SAFETY", "DEFAULT", "TITLE"].map(String::from);
    // Each column as wide as its widest cell, header included.
    let width = |i: usize| {
        rows.iter()
            .chain([&header])
            .map(|r| r[i].chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths = [width(0), width(1), width(2), width(3)];
    let line = |r: &[String; 5]| {
        format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {:<w3$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        )
    };
    println!("{}", style.paint(BOLD, line(&header).trim_end()));
    let indent = widths.iter().sum::<usize>() + 8;
    for (p, row) in catalog.patches.iter().zip(&rows) {
        println!("{}", line(row));
        let mut files: Vec<&str> = Vec::new();
        for t in &p.targets {
            if !files.contains(&t.file.as_str()) {
                files.push(&t.file);
            }
        }
        if !files.is_empty() {
            println!(
                "{}",
                style.paint(DIM, &format!("{:indent$}{}", "", files.join(", ")))
            );
        }
    }
    CLEAN
}

pub fn explain(id: &str) -> anyhow::Result<u8> {
    let catalog = Catalog::builtin();
    let Some(p) = catalog.get(id) else {
        eprintln!("wso2-harden: unknown patch id `{id}` (see `wso2-harden patches`)");
        return Ok(ERROR);
    };
    let mut out = String::new();
    out.push_str(&format!("{} — {}\n\n", p.id, p.title));
    out.push_str(&format!("Why: {}\n\n", p.summary));
    out.push_str(&format!("Guideline:\n{}\n\n", indent(p.rationale.trim())));
    out.push_str(&format!(
        "Severity: {:?} · Safety: {} · Restart needed: {} · Default: {}\n",
        p.severity,
        match p.safety {
            Safety::Safe => "safe (fix --yes applies it)",
            Safety::Unsafe => "unsafe (only with --unsafe-fixes)",
            Safety::Manual => "manual (detect-only, never edited)",
        },
        if p.restart { "yes" } else { "no" },
        if p.default {
            "yes"
        } else {
            "no (select it with --select)"
        }
    ));
    out.push_str(&format!("Applies to: {}\n", p.applies.trim()));
    if let Some(g) = &p.guidance {
        out.push_str(&format!("\nGuidance:\n{}\n", indent(g.trim())));
    }
    if !p.values.is_empty() {
        out.push_str("\nValues (--set NAME=VALUE or [values] in wso2-harden.toml):\n");
        for (name, v) in &p.values {
            let default = catalog.values.get(name).and_then(|s| s.default.clone());
            out.push_str(&format!(
                "  {name} = {}  ({})\n      {}\n",
                default.map_or("(no default)".to_string(), |d| format!("{d:?}")),
                v.kind.describe(),
                v.description
            ));
        }
    }
    if !p.targets.is_empty() {
        out.push_str("\nWhere it edits:\n");
        for t in &p.targets {
            out.push_str(&format!("  - {}\n", describe(t)));
        }
    }
    if !p.references.is_empty() {
        out.push_str("\nReferences:\n");
        for r in &p.references {
            out.push_str(&format!("  - {r}\n"));
        }
    }
    print!("{out}");
    Ok(CLEAN)
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
