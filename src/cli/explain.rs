//! `patches` and `explain`: the catalog, rendered from the patch files.

use super::{CLEAN, ERROR};
use crate::catalog::{Catalog, Safety};
use crate::plan::actions::describe;
use crate::render::{Style, BOLD, DIM};

pub fn list(style: Style) -> u8 {
    let catalog = Catalog::builtin();
    println!(
        "{}",
        style.paint(
            BOLD,
            &format!(
                "{:<28} {:<7} {:<7} {:<8} {}",
                "ID", "SEVERITY", "SAFETY", "DEFAULT", "TITLE"
            )
        )
    );
    for p in &catalog.patches {
        println!(
            "{:<28} {:<7} {:<7} {:<8} {}",
            p.id,
            format!("{:?}", p.severity).to_lowercase(),
            format!("{:?}", p.safety).to_lowercase(),
            if p.default { "yes" } else { "no" },
            p.title
        );
        let files: Vec<String> =
            p.targets
                .iter()
                .map(|t| t.file.clone())
                .fold(Vec::new(), |mut v, f| {
                    if !v.contains(&f) {
                        v.push(f);
                    }
                    v
                });
        if !files.is_empty() {
            println!(
                "{}",
                style.paint(DIM, &format!("{:<28} {}", "", files.join(", ")))
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
