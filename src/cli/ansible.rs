//! The Ansible binary module `wso2_harden`: the same session and plan as the CLI, driven by a
//! JSON argument file, answering JSON. Honours check mode and diff mode; masks secrets.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::{json, Value};

use super::common::{Access, Session};
use super::RunArgs;
use crate::apply::apply_node;
use crate::plan::FindingKind;
use crate::render::{diff, mask};

/// Module arguments; `_ansible_*` keys are read where they matter and otherwise ignored.
#[derive(Debug, Deserialize)]
struct Args {
    path: PathBuf,
    #[serde(default)]
    values: BTreeMap<String, Value>,
    #[serde(default, deserialize_with = "list")]
    select: Vec<String>,
    #[serde(default, deserialize_with = "list")]
    ignore: Vec<String>,
    #[serde(default = "yes", deserialize_with = "boolean")]
    backup: bool,
    #[serde(default, deserialize_with = "boolean")]
    unsafe_fixes: bool,
    #[serde(default, rename = "_ansible_check_mode", deserialize_with = "boolean")]
    check_mode: bool,
    #[serde(default, rename = "_ansible_diff", deserialize_with = "boolean")]
    diff: bool,
}

/// A list as Ansible users write it: `[a, b]`, or `"a,b"` (also what templating produces).
fn list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    use serde::de::Error;
    match Value::deserialize(d)? {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => Ok(s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()),
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                other => Err(D::Error::custom(format!(
                    "expected patch ids as strings, got {other}"
                ))),
            })
            .collect(),
        other => Err(D::Error::custom(format!(
            "expected a list of patch ids, got {other}"
        ))),
    }
}

/// Ansible's booleans: true/false, yes/no, on/off, 1/0, as JSON or strings.
fn boolean<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    use serde::de::Error;
    match Value::deserialize(d)? {
        Value::Bool(b) => Ok(b),
        Value::Number(n) if n.as_i64() == Some(1) => Ok(true),
        Value::Number(n) if n.as_i64() == Some(0) => Ok(false),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" | "y" => Ok(true),
            "false" | "no" | "off" | "0" | "n" | "" => Ok(false),
            _ => Err(D::Error::custom(format!("expected a boolean, got {s:?}"))),
        },
        other => Err(D::Error::custom(format!("expected a boolean, got {other}"))),
    }
}

fn yes() -> bool {
    true
}

pub const PARAMS: [&str; 6] = [
    "path",
    "values",
    "select",
    "ignore",
    "backup",
    "unsafe_fixes",
];

fn failed(msg: impl Into<String>) -> Value {
    json!({ "failed": true, "changed": false, "msg": msg.into() })
}

/// Runs the module on the JSON text of its argument file and returns the result document.
pub fn run(args_json: &str) -> Value {
    let raw: Value = match serde_json::from_str(args_json) {
        Ok(v) => v,
        Err(e) => return failed(format!("arguments are not JSON: {e}")),
    };
    let Some(obj) = raw.as_object() else {
        return failed("arguments must be a JSON object");
    };
    let unknown: Vec<&str> = obj
        .keys()
        .map(String::as_str)
        .filter(|k| !k.starts_with("_ansible_") && !PARAMS.contains(k))
        .collect();
    if !unknown.is_empty() {
        return failed(format!(
            "unsupported parameter(s): {} (supported: {})",
            unknown.join(", "),
            PARAMS.join(", ")
        ));
    }
    let known: serde_json::Map<String, Value> = obj
        .iter()
        .filter(|(k, _)| {
            PARAMS.contains(&k.as_str()) || *k == "_ansible_check_mode" || *k == "_ansible_diff"
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let args: Args = match serde_json::from_value(Value::Object(known)) {
        Ok(a) => a,
        Err(e) => return failed(format!("bad arguments: {e}")),
    };
    crate::guard::fault_point("module", &args.path);
    let mut set = Vec::new();
    for (k, v) in &args.values {
        let v = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return failed(format!("values.{k} must be a string, number or boolean")),
        };
        set.push(format!("{k}={v}"));
    }
    let run_args = RunArgs {
        paths: vec![args.path.clone()],
        set,
        policy: None,
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        unsafe_fixes: args.unsafe_fixes,
        max_file_size: None,
        model: None,
        no_policy_search: true,
    };
    let session = match Session::new(&run_args) {
        Ok(s) => s,
        Err(e) => return failed(format!("{e:#}")),
    };
    let write = !args.check_mode;
    let access = if args.check_mode {
        Access::Read
    } else {
        Access::Write
    };
    let results = session.each_node(access, |mut node| {
        let diff_text = if args.diff && node.error.is_none() {
            node.changed_files()
                .map(|f| {
                    let mut secrets = mask::secrets_of(&f.path, &f.decoded.text);
                    secrets.extend(mask::secrets_of(&f.path, f.final_text()));
                    let bytes = diff::final_file_diff(f);
                    mask::mask_values(&String::from_utf8_lossy(&bytes), &secrets)
                })
                .collect()
        } else {
            String::new()
        };
        let changed: Vec<String> = node.changed_files().map(|f| f.display.clone()).collect();
        let applied = match (&node.error, write && !changed.is_empty()) {
            (None, true) => Some(apply_node(&node, args.backup, None).map_err(|e| e.to_string())),
            _ => None,
        };
        node.release_files();
        (node, diff_text, changed, applied)
    });
    let mut errors = Vec::new();
    let mut findings = Vec::new();
    let mut manual = Vec::new();
    let mut prepared = String::new();
    let mut files = Vec::new();
    let mut backups = Vec::new();
    let mut wrote = false;
    // Which patch changed what: the planned fixes of every node that was (or would be) written.
    let mut changes = Vec::new();
    let mut patches: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (node, diff_text, changed, applied) in &results {
        if matches!(applied, Some(Ok(_))) || (args.check_mode && node.error.is_none()) {
            for f in node
                .findings
                .iter()
                .filter(|f| f.kind == FindingKind::Fix && !f.waived())
            {
                let file = f.file.as_deref().unwrap_or(&node.display);
                changes.push(json!({
                    "patch": f.id, "file": file, "line": f.line, "change": mask::mask(&f.message),
                }));
                patches.entry(&f.id).or_default().push(file);
            }
        }
        if let Some(e) = &node.error {
            errors.push(e.clone());
        }
        if let Some(Err(e)) = applied {
            errors.push(e.clone());
        }
        if let Some(Ok(a)) = applied {
            wrote |= !a.files.is_empty();
            backups.extend(a.backup.iter().map(|b| b.display().to_string()));
        }
        prepared.push_str(diff_text);
        files.extend(changed.iter().cloned());
        for f in &node.findings {
            let v = json!({
                "id": f.id, "kind": f.kind, "severity": f.severity, "file": f.file,
                "line": f.line, "message": mask::mask(&f.message),
            });
            if f.kind == FindingKind::Manual {
                manual.push(json!({
                    "id": f.id, "file": f.file, "line": f.line,
                    "message": mask::mask(&f.message), "guidance": f.guidance,
                }));
            } else {
                findings.push(v);
            }
        }
    }
    // Check mode reports what would change; a real run what was written.
    let changed = if args.check_mode {
        !files.is_empty()
    } else {
        wrote
    };
    let msg = if !errors.is_empty() {
        errors.join("; ")
    } else if args.check_mode && changed {
        format!(
            "{} file(s) would change: {}",
            files.len(),
            patches.keys().copied().collect::<Vec<_>>().join(", ")
        )
    } else if changed {
        format!(
            "{} file(s) hardened: {}",
            files.len(),
            patches.keys().copied().collect::<Vec<_>>().join(", ")
        )
    } else {
        "already hardened".to_string()
    };
    let mut out = json!({
        "changed": changed,
        "failed": !errors.is_empty(),
        "msg": msg,
        "files": files,
        "patches": patches,
        "changes": changes,
        "findings": findings,
        "manual": manual,
    });
    if !backups.is_empty() {
        out["backup_dirs"] = json!(backups);
    }
    if args.diff {
        out["diff"] = json!({ "prepared": prepared });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_mode_diff_masks_vault_entries_and_writes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let conf = tmp.path().join("repository/conf");
        std::fs::create_dir_all(&conf).unwrap();
        let toml =
            "[server]\nhostname = \"localhost\"\n\n[secrets]\ndb_conn = \"[S3cr3tPlainDb]\"\n";
        std::fs::write(conf.join("deployment.toml"), toml).unwrap();
        let args = json!({
            "path": tmp.path(),
            "values": {"hostname": "gw.example.com"},
            "select": ["hostname", "server-header"],
            "_ansible_check_mode": true,
            "_ansible_diff": true,
            "_ansible_verbosity": 0,
        });
        let out = run(&args.to_string());
        assert_eq!(out["failed"], false, "{out}");
        assert_eq!(out["changed"], true);
        let prepared = out["diff"]["prepared"].as_str().unwrap();
        assert!(
            prepared.contains("+hostname = \"gw.example.com\""),
            "{prepared}"
        );
        assert!(!out.to_string().contains("S3cr3tPlainDb"), "{out}");
        assert_eq!(
            std::fs::read_to_string(conf.join("deployment.toml")).unwrap(),
            toml
        );
    }

    #[test]
    fn accepts_ansible_shaped_lists_and_booleans() {
        let a: Args = serde_json::from_value(json!({
            "path": "/x", "select": "tls-protocols, hostname", "backup": "no", "unsafe_fixes": "yes",
            "_ansible_check_mode": "True"
        }))
        .unwrap();
        assert_eq!(a.select, ["tls-protocols", "hostname"]);
        assert!(!a.backup && a.unsafe_fixes && a.check_mode);
        let bad = run(r#"{"path": "/x", "backup": "maybe"}"#);
        assert!(
            bad["msg"].as_str().unwrap().contains("expected a boolean"),
            "{bad}"
        );
    }

    #[test]
    fn rejects_unknown_parameters_and_bad_json() {
        let v = run(r#"{"path": "/x", "hostname": "a"}"#);
        assert_eq!(v["failed"], true);
        assert!(v["msg"]
            .as_str()
            .unwrap()
            .contains("unsupported parameter(s): hostname"));
        assert_eq!(run("not json")["failed"], true);
        let v = run(r#"{"values": {}}"#);
        assert!(v["msg"].as_str().unwrap().contains("path"), "{v}");
        let v = run(r#"{"path": "/nonexistent/wso2", "_ansible_verbosity": 3}"#);
        assert_eq!(v["failed"], true);
    }
}
