//! `[[waive]]` entries of the policy file: findings an operator has accepted, with a reason and
//! an optional end date. A waived finding is shown as waived and does not fail a run (a waived
//! fix is not planned); once its waiver expires the finding counts again and says so; a waiver
//! that matches no finding of a run is reported.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use globset::{Glob, GlobMatcher};
use serde::Serialize;
use toml_edit::{Item, Value};

use super::{PolicyError, Spanned};
use crate::catalog::Catalog;

/// One `[[waive]]` table.
#[derive(Debug)]
pub struct Waiver {
    /// The patch id whose findings are waived.
    pub id: String,
    /// Glob over the file's path relative to the product home (`repository/conf/*.xml`).
    pub path: Option<Pattern>,
    /// Glob over the product home's path relative to the policy file (as `[nodes."…"]`).
    pub node: Option<Pattern>,
    pub reason: String,
    /// Last day the waiver holds, `YYYY-MM-DD`.
    pub expires: Option<String>,
    /// Where it is written: `wso2-harden.toml:12`.
    pub at: String,
    pub line: usize,
    matched: AtomicBool,
}

#[derive(Debug)]
pub struct Pattern {
    pub text: String,
    matcher: GlobMatcher,
}

/// How a waiver applies to one finding (carried by the finding, shown by every format).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverStatus {
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// The end date has passed: the finding counts again.
    pub expired: bool,
    /// The waiver's place in the policy file, `file:line`.
    pub policy: String,
}

/// The waivers of a policy file; empty without one.
#[derive(Debug, Default)]
pub struct Waivers {
    pub list: Vec<Waiver>,
    /// The policy file's directory, canonical, for `node` globs.
    base: Option<PathBuf>,
}

/// No policy file, no waivers.
pub static NONE: Waivers = Waivers {
    list: Vec::new(),
    base: None,
};

/// Today as `YYYY-MM-DD` (UTC).
pub fn today() -> String {
    let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    now.get(..10).unwrap_or(&now).to_string()
}

impl Waivers {
    pub(super) fn new(list: Vec<Waiver>, base: Option<PathBuf>) -> Waivers {
        Waivers { list, base }
    }

    /// The waivers that can apply to the product home at `home`.
    pub fn for_node(&self, home: &Path) -> NodeWaivers<'_> {
        if self.list.is_empty() {
            return NodeWaivers {
                list: Vec::new(),
                today: String::new(),
            };
        }
        let rel = if self.list.iter().any(|w| w.node.is_some()) {
            self.base.as_deref().and_then(|b| super::rel_below(b, home))
        } else {
            None
        };
        let list = self
            .list
            .iter()
            .filter(|w| match (&w.node, &rel) {
                (None, _) => true,
                (Some(p), Some(rel)) => p.matcher.is_match(rel),
                (Some(_), None) => false,
            })
            .collect();
        NodeWaivers {
            list,
            today: today(),
        }
    }

    /// Waivers that matched no finding so far.
    pub fn unmatched(&self) -> impl Iterator<Item = &Waiver> {
        self.list
            .iter()
            .filter(|w| !w.matched.load(Ordering::Relaxed))
    }
}

/// The waivers of one node, and the day they are judged on.
pub struct NodeWaivers<'w> {
    list: Vec<&'w Waiver>,
    today: String,
}

impl NodeWaivers<'_> {
    /// The waiver of a finding of patch `id` on `file` (relative to the home): the first one
    /// still in force today, else the first expired one.
    pub fn find(&self, id: &str, file: Option<&str>) -> Option<WaiverStatus> {
        self.find_on(id, file, &self.today)
    }

    fn find_on(&self, id: &str, file: Option<&str>, today: &str) -> Option<WaiverStatus> {
        let mut expired = None;
        for w in self.list.iter().filter(|w| w.id == id) {
            let path_ok = match (&w.path, file) {
                (None, _) => true,
                (Some(p), Some(f)) => p.matcher.is_match(f),
                (Some(_), None) => false,
            };
            if !path_ok {
                continue;
            }
            w.matched.store(true, Ordering::Relaxed);
            let is_expired = w.expires.as_deref().is_some_and(|e| today > e);
            let status = WaiverStatus {
                reason: w.reason.clone(),
                expires: w.expires.clone(),
                expired: is_expired,
                policy: w.at.clone(),
            };
            if !is_expired {
                return Some(status);
            }
            expired.get_or_insert(status);
        }
        expired
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// Parses the `[[waive]]` array of tables.
pub(super) fn parse(
    item: &Item,
    catalog: &Catalog,
    src: &Spanned,
) -> Result<Vec<Waiver>, PolicyError> {
    let Some(tables) = item.as_array_of_tables() else {
        return Err(src.err(
            item.span(),
            "`waive` is a list of [[waive]] tables (id, reason, optional path, node, expires)"
                .into(),
        ));
    };
    let mut out = Vec::new();
    for table in tables.iter() {
        let span = table.span();
        let (line, _) = src.line_col(span.clone());
        let key_span = |k: &str| table.key(k).and_then(|k| k.span()).or(span.clone());
        let string = |k: &str| -> Result<Option<String>, PolicyError> {
            match table.get(k) {
                None => Ok(None),
                Some(v) => v
                    .as_str()
                    .map(|s| Some(s.to_string()))
                    .ok_or_else(|| src.err(key_span(k), format!("`{k}` is a string"))),
            }
        };
        for (k, _) in table.iter() {
            if !["id", "path", "node", "reason", "expires"].contains(&k) {
                return Err(src.err(
                    key_span(k),
                    format!(
                        "unknown key `{k}` in [[waive]] (expected id, reason, path, node, expires)"
                    ),
                ));
            }
        }
        let id = string("id")?
            .ok_or_else(|| src.err(span.clone(), "[[waive]] needs `id` (a patch id)".into()))?;
        if catalog.get(&id).is_none() {
            return Err(src.err(key_span("id"), format!("unknown patch id `{id}`")));
        }
        let reason = string("reason")?
            .filter(|r| !r.trim().is_empty())
            .ok_or_else(|| {
                src.err(
                    span.clone(),
                    format!("[[waive]] of `{id}` needs a `reason` (why the finding is accepted)"),
                )
            })?;
        let pattern = |k: &str| -> Result<Option<Pattern>, PolicyError> {
            let Some(text) = string(k)? else {
                return Ok(None);
            };
            let glob = Glob::new(text.trim_end_matches('/'))
                .map_err(|e| src.err(key_span(k), format!("bad `{k}` pattern: {e}")))?;
            Ok(Some(Pattern {
                text,
                matcher: glob.compile_matcher(),
            }))
        };
        let expires = match table.get("expires") {
            None => None,
            Some(v) => Some(date(v).ok_or_else(|| {
                src.err(
                    key_span("expires"),
                    "`expires` is a date, e.g. expires = 2027-03-31".into(),
                )
            })?),
        };
        out.push(Waiver {
            path: pattern("path")?,
            node: pattern("node")?,
            id,
            reason,
            expires,
            at: format!("{}:{line}", src.shown),
            line,
            matched: AtomicBool::new(false),
        });
    }
    Ok(out)
}

/// A TOML local date (`2027-03-31`) as `YYYY-MM-DD`.
fn date(item: &Item) -> Option<String> {
    match item.as_value()? {
        Value::Datetime(d) => {
            let d = d.value();
            match (d.date, d.time, d.offset) {
                (Some(date), None, None) => Some(date.to_string()),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    fn policy(text: &str) -> Result<Policy, PolicyError> {
        Policy::parse(text, Path::new("p.toml"), Catalog::builtin())
    }

    #[test]
    fn waivers_parse_match_expire_and_report_unmatched() {
        let p = policy(
            "[[waive]]\nid = \"embedded-h2\"\nreason = \"PoC\"\nexpires = 2999-12-31\n\n\
             [[waive]]\nid = \"default-ports\"\npath = \"**/carbon.xml\"\nreason = \"LB maps\"\nexpires = 2000-01-01\n\n\
             [[waive]]\nid = \"jmx-remote\"\nreason = \"monitoring\"\n",
        )
        .unwrap();
        let w = p.waivers.for_node(Path::new("."));
        let h2 = w
            .find_on("embedded-h2", Some("conf/x.xml"), "2026-05-01")
            .unwrap();
        assert!(!h2.expired);
        assert_eq!(h2.policy, "p.toml:1");
        let ports = w
            .find_on(
                "default-ports",
                Some("repository/conf/carbon.xml"),
                "2026-05-01",
            )
            .unwrap();
        assert!(ports.expired);
        assert_eq!(ports.policy, "p.toml:6");
        assert!(w
            .find_on("default-ports", Some("conf/other.xml"), "2026-05-01")
            .is_none());
        assert!(w.find_on("hostname", None, "2026-05-01").is_none());
        let unmatched: Vec<_> = p.waivers.unmatched().map(|w| w.id.as_str()).collect();
        assert_eq!(unmatched, ["jmx-remote"]);
        assert!(
            w.find_on("embedded-h2", None, "2999-12-31")
                .is_some_and(|s| !s.expired),
            "the end date itself is still waived"
        );
    }

    #[test]
    fn the_example_waiver_parses_uncommented() {
        let text = crate::policy::example(Catalog::builtin());
        let block = text.split("# [[waive]]\n").nth(1).unwrap();
        let waiver: String = block
            .lines()
            .map_while(|l| l.strip_prefix("# "))
            .map(|l| format!("{l}\n"))
            .collect();
        let p = policy(&format!("backup = true\n[[waive]]\n{waiver}")).unwrap();
        let w = &p.waivers.list[0];
        assert_eq!(w.id, "embedded-h2");
        assert_eq!(w.expires.as_deref(), Some("2027-03-31"));
        assert!(w.node.is_some() && w.path.is_some());
    }

    #[test]
    fn waiver_errors_are_located() {
        let e = policy("[[waive]]\nid = \"embedded-h2\"\n").unwrap_err();
        assert!(e.to_string().starts_with("p.toml:1:1:"), "{e}");
        assert!(e.to_string().contains("needs a `reason`"), "{e}");
        let e = policy("\n[[waive]]\nid = \"nope\"\nreason = \"x\"\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("p.toml:3:1: unknown patch id `nope`"),
            "{e}"
        );
        let e = policy("[[waive]]\nid = \"embedded-h2\"\nreason = \"x\"\nexpires = \"soon\"\n")
            .unwrap_err();
        assert!(
            e.to_string().contains("p.toml:4:1: `expires` is a date"),
            "{e}"
        );
        let e = policy("[[waive]]\nid = \"embedded-h2\"\nreason = \"x\"\nuntil = 1\n").unwrap_err();
        assert!(e.to_string().contains("unknown key `until`"), "{e}");
    }
}
