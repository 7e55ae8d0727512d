//! `policy --example`: the policy file's schema as a commented example, generated from the
//! catalog so that it lists every value any patch reads, with its kind, bounds, default and
//! description, and cannot drift from the patches.

use std::fmt::Write;

use crate::catalog::{Catalog, Missing};

const HEAD: &str = r#"# wso2-harden.toml — policy for `wso2-harden check|diff|fix`.
# Found in the current directory, or given with --policy FILE. --set KEY=VALUE overrides it.

# Patches to run (default: every patch marked default; see `wso2-harden patches`).
# select = ["tls-protocols", "tls-ciphers", "server-header", "hostname"]
# Patches to leave out.
ignore = []
# Also apply fixes marked unsafe (they can lock out clients or browsers).
unsafe_fixes = false
# Keep a backup set of what `fix` changes under <home>/.wso2-harden/ (false: none).
backup = true

# The values patches read (`wso2-harden explain ID` shows where). Uncomment to set one; a
# value is checked by its kind, and a weak one (SSLv3, a CBC suite, …) is refused.
[values]
"#;

const TAIL: &str = r#"
# Per node: a path or glob relative to this file; overrides [values].
# [nodes."nodes/is-1"]
# hostname = "is-1.example.com"
# [nodes."nodes/gw-*"]
# hostname = "gw.example.com"
# A section that matches no product home is an error.

# Waivers: findings accepted for a reason, until a date. A waived finding is shown, never
# counted (a waived fix is not planned); after `expires` it counts again. Optional: `node`
# (a glob like the sections above), `path` (a glob of files relative to the home).
# [[waive]]
# id = "embedded-h2"
# reason = "evaluation gateway; RDBMS migration is OPS-12"
# node = "nodes/gw-*"
# path = "repository/conf/datasources/*.xml"
# expires = 2027-03-31
"#;

/// The commented example policy for the catalog's values.
pub fn example(catalog: &Catalog) -> String {
    let mut out = String::from(HEAD);
    for (name, spec) in &catalog.values {
        let readers: Vec<&str> = catalog.readers(name).map(|p| p.id.as_str()).collect();
        let _ = writeln!(out, "\n# {}", spec.description);
        let note = match (&spec.default, spec.missing) {
            (Some(_), _) => "the default",
            (None, Missing::Skip) => "no default: applied only when given",
            (None, Missing::NeedsValue) => "no default: needed where its patch applies",
        };
        let _ = writeln!(
            out,
            "# kind: {} · read by {}",
            spec.kind.describe(),
            readers.join(", ")
        );
        let shown = spec.default.clone().unwrap_or_else(|| spec.kind.example());
        let _ = writeln!(out, "# {name} = {shown:?}  # {note}");
    }
    out.push_str(TAIL);
    out
}
