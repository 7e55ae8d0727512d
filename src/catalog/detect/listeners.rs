//! TLS listeners of the generated files that no patch can set from deployment.toml (a custom
//! SSL connector written into a template, APIM's webhook endpoint on 8021): found in the
//! node's effective configuration and matched against the catalog (`catalog::listeners`).

use super::Ctx;
use crate::catalog::listeners::Governors;
use crate::catalog::Catalog;
use crate::formats::Compare;
use crate::mapper::effective::{Field, Source};

/// Where a value comes from, in words that hold for every node sharing the analysis.
fn origin(f: &Field) -> String {
    match &f.source {
        Source::DeploymentToml { toml_key, line, .. } => {
            format!("deployment.toml:{line} {toml_key}")
        }
        Source::Default { key, .. } => format!("default.json {key}"),
        Source::Inferred { key, because, .. } => format!("{key}, inferred from {because}"),
        Source::Template { line, .. } => format!("written in its template, line {line}"),
        Source::RuntimeDefault { note } => format!("not set: {note}"),
    }
}

fn value(f: &Field) -> String {
    match &f.value {
        Some(v) => format!("`{v}` ({})", origin(f)),
        None => format!("({})", origin(f)),
    }
}

/// Every enabled listener whose protocols or ciphers no applicable patch sets.
pub(super) fn unmanaged(ctx: &mut Ctx) {
    let Some(listeners) = ctx.listeners() else {
        return;
    };
    let governors = Governors::of(Catalog::builtin(), ctx.home);
    for l in listeners.iter().filter(|l| l.enabled) {
        let g = governors.listener(l);
        if g.fully() {
            continue;
        }
        let what = match (g.protocols, g.ciphers) {
            (None, None) => "protocols or cipher suites",
            (None, Some(_)) => "protocols",
            _ => "cipher suites",
        };
        let strong =
            |f: &Field, rule: Compare| f.value.as_deref().is_some_and(|v| rule.satisfied(v, ""));
        let verdict = if strong(&l.protocols, Compare::StrongProtocols)
            && strong(&l.ciphers, Compare::StrongCiphers)
        {
            "strong today"
        } else {
            "weak"
        };
        let port = l.port.value.as_deref().unwrap_or("(no port)");
        let message = format!(
            "{} (port {port}) in the generated {}: its {what} come from no deployment.toml key a patch sets; protocols {}, ciphers {}: {verdict}",
            l.element,
            l.file,
            value(&l.protocols),
            value(&l.ciphers),
        );
        let file = ctx.home.root.join(&l.file);
        ctx.push(&file, Some(l.line as usize), message);
    }
}
