//! Runs every case under `patches/<id>/cases/<case>/`:
//! `before/` is a (partial) product home; `after/` holds the files as the fix must leave them
//! (absent: nothing may change); `case.toml` may set `values`, `select`, `unsafe_fixes`,
//! `expect` (`fix`, `clean`, `needs-value`, `manual`, `warning`, `unsafe-fix`) and
//! `findings` (how many findings of that kind the patch raises).
//! Each fix case runs finding → diff → fix → re-check clean → second fix changes nothing.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use wso2_harden::apply::apply_node;
use wso2_harden::catalog::{Catalog, Values};
use wso2_harden::discover::discover;
use wso2_harden::plan::{plan_home, FindingKind, NodePlan, Settings, TakeAll};

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseSpec {
    #[serde(default)]
    values: BTreeMap<String, String>,
    #[serde(default)]
    select: Vec<String>,
    #[serde(default)]
    unsafe_fixes: bool,
    #[serde(default)]
    expect: Option<String>,
    #[serde(default)]
    findings: Option<usize>,
}

/// Copies a case home with fixed modes (0644 files, 0755 dirs), so results do not depend on
/// the umask of the checkout.
fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
            set_mode(&dest, 0o755);
        } else {
            fs::copy(entry.path(), &dest).unwrap();
            set_mode(&dest, 0o644);
        }
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) {}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_path_buf())
        .collect();
    v.sort();
    v
}

fn plan(home_dir: &Path, id: &str, spec: &CaseSpec) -> Result<NodePlan, String> {
    let catalog = Catalog::builtin();
    let select: Vec<String> = if spec.select.is_empty() {
        vec![id.to_string()]
    } else {
        spec.select.clone()
    };
    let settings = Settings {
        catalog,
        patches: catalog.select(&select, &[]).unwrap(),
        unsafe_fixes: spec.unsafe_fixes,
        cwd: home_dir.to_path_buf(),
    };
    let mut homes = discover(&[home_dir.to_path_buf()]).map_err(|e| e.to_string())?;
    if homes.len() != 1 {
        return Err(format!(
            "before/ must be exactly one product home, found {}",
            homes.len()
        ));
    }
    let values = Values {
        given: spec.values.clone(),
    };
    Ok(plan_home(homes.remove(0), &settings, &values, &mut TakeAll))
}

fn run_case(id: &str, case: &Path) -> Result<(), String> {
    let spec: CaseSpec = match fs::read_to_string(case.join("case.toml")) {
        Ok(t) => toml_edit::de::from_str(&t).map_err(|e| format!("case.toml: {e}"))?,
        Err(_) => CaseSpec::default(),
    };
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    copy_dir(&case.join("before"), &home);
    let node = plan(&home, id, &spec)?;
    if let Some(e) = &node.error {
        return Err(format!("plan error: {e}"));
    }
    let mine: Vec<_> = node.findings.iter().filter(|f| f.id == id).collect();
    let after = case.join("after");
    let expect = spec.expect.clone().unwrap_or_else(|| {
        if after.is_dir() {
            "fix".into()
        } else {
            "clean".into()
        }
    });
    let kind = match expect.as_str() {
        "fix" => Some(FindingKind::Fix),
        "needs-value" => Some(FindingKind::NeedsValue),
        "manual" => Some(FindingKind::Manual),
        "warning" => Some(FindingKind::Warning),
        "unsafe-fix" => Some(FindingKind::UnsafeFix),
        "clean" => None,
        other => return Err(format!("unknown expect `{other}`")),
    };
    match kind {
        None if !mine.is_empty() => return Err(format!("expected no finding, got {mine:#?}")),
        Some(k) if !mine.iter().any(|f| f.kind == k) => {
            return Err(format!("expected a {expect} finding, got {mine:#?}"))
        }
        _ => {}
    }
    // A fix case raises only fixes for its patch (a needs-value or note would be a surprise).
    if kind == Some(FindingKind::Fix) {
        if let Some(f) = mine.iter().find(|f| f.kind != FindingKind::Fix) {
            return Err(format!(
                "fix case with an unexpected {:?} finding: {}",
                f.kind, f.message
            ));
        }
    }
    if let (Some(n), Some(k)) = (spec.findings, kind) {
        let got = mine.iter().filter(|f| f.kind == k).count();
        if got != n {
            return Err(format!(
                "expected {n} {expect} finding(s), got {got}: {mine:#?}"
            ));
        }
    }
    let changed: Vec<_> = node.changed_files().collect();
    if !after.is_dir() {
        if !changed.is_empty() {
            return Err(format!(
                "expected no change, got changes to {:?}",
                changed.iter().map(|f| &f.display).collect::<Vec<_>>()
            ));
        }
        return Ok(());
    }
    // The plan's bytes are exactly the expected files, and only those change.
    let expected = files_under(&after);
    let planned: Vec<PathBuf> = changed
        .iter()
        .map(|f| f.path.strip_prefix(&home).unwrap().to_path_buf())
        .collect();
    let mut planned_sorted = planned.clone();
    planned_sorted.sort();
    if planned_sorted != expected {
        return Err(format!(
            "changed files {planned_sorted:?}, expected {expected:?}"
        ));
    }
    for f in &changed {
        let rel = f.path.strip_prefix(&home).unwrap();
        let want = fs::read(after.join(rel)).unwrap();
        let got = f.final_bytes().map_err(|e| e.to_string())?;
        if got != want {
            return Err(format!(
                "{}: planned bytes differ from after/\n--- planned\n{}\n--- expected\n{}",
                rel.display(),
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&want)
            ));
        }
    }
    apply_node(&node, false, None).map_err(|e| e.to_string())?;
    for rel in &expected {
        if fs::read(home.join(rel)).unwrap() != fs::read(after.join(rel)).unwrap() {
            return Err(format!(
                "{}: written bytes differ from after/",
                rel.display()
            ));
        }
    }
    let again = plan(&home, id, &spec)?;
    if again.changed_files().count() > 0
        || again
            .findings
            .iter()
            .any(|f| f.id == id && f.kind == FindingKind::Fix)
    {
        return Err(format!("second plan is not clean: {:#?}", again.findings));
    }
    Ok(())
}

#[test]
fn every_patch_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("patches");
    let catalog = Catalog::builtin();
    let mut failures = Vec::new();
    let mut ran = 0;
    for patch in &catalog.patches {
        let cases = root.join(&patch.id).join("cases");
        let Ok(entries) = fs::read_dir(&cases) else {
            continue;
        };
        let mut dirs: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for case in dirs {
            ran += 1;
            if let Err(e) = run_case(&patch.id, &case) {
                failures.push(format!(
                    "{}/{}: {e}",
                    patch.id,
                    case.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(ran > 0, "no cases found under patches/*/cases");
    assert!(
        failures.is_empty(),
        "{} of {ran} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Patches whose passing case cannot exist where the tests run, and why.
const NO_PASSING_CASE: &[(&str, &str)] = &[(
    "file-permissions",
    "the tests run as root, so the home is always owned by root",
)];

#[test]
fn every_patch_has_a_failing_and_a_passing_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("patches");
    let mut missing = Vec::new();
    for patch in &Catalog::builtin().patches {
        let cases = root.join(&patch.id).join("cases");
        let dirs: Vec<PathBuf> = fs::read_dir(&cases)
            .map(|d| {
                d.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect()
            })
            .unwrap_or_default();
        let expect = |d: &Path| -> Option<String> {
            let t = fs::read_to_string(d.join("case.toml")).ok()?;
            let spec: CaseSpec = toml_edit::de::from_str(&t).ok()?;
            spec.expect
        };
        let clean = |d: &Path| !d.join("after").is_dir() && expect(d).is_none_or(|e| e == "clean");
        let failing = dirs.iter().any(|d| !clean(d));
        let passing =
            dirs.iter().any(|d| clean(d)) || NO_PASSING_CASE.iter().any(|(id, _)| *id == patch.id);
        if !failing || !passing {
            missing.push(patch.id.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "patches without both a failing and a passing case: {missing:?}"
    );
}
