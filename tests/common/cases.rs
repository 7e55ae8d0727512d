//! The patch case runner: `patches/<id>/cases/<case>/` holds `before/`, a (partial) product
//! home; `after/`, the files as the fix must leave them (absent: nothing may change); and an
//! optional `case.toml` (schema: `CaseSpec`, documented in patches/README.md). Each fix case
//! runs finding → plan bytes = after/ → fix → written bytes = after/ → re-check clean.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use wso2_harden::apply::apply_node;
use wso2_harden::catalog::{Catalog, Values};
use wso2_harden::discover::discover;
use wso2_harden::plan::{plan_home, FindingKind, NodePlan, Settings, TakeAll};

/// One case directory of one patch.
pub struct Case {
    pub id: String,
    pub name: String,
    pub dir: PathBuf,
}

/// Every `<root>/<id>/cases/<case>/` directory, sorted by id then case.
pub fn discover_cases(root: &Path) -> Vec<Case> {
    let mut out = Vec::new();
    for id in sorted_dirs(root) {
        for dir in sorted_dirs(&id.join("cases")) {
            out.push(Case {
                id: file_name(&id),
                name: file_name(&dir),
                dir,
            });
        }
    }
    out
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSpec {
    /// Values as `--set` gives them (`values = { hostname = "idp.example.com" }`).
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// The patches to run (default: only the case's own patch).
    #[serde(default)]
    pub select: Vec<String>,
    /// As `--unsafe-fixes`.
    #[serde(default)]
    pub unsafe_fixes: bool,
    /// The kind of finding the patch raises: `fix`, `clean`, `needs-value`, `manual`,
    /// `warning`, `unsafe-fix`, `cannot-fix` (default: `fix` with `after/`, else `clean`), or
    /// `refused`: a value of `values` is refused, as `--set` refuses it (nothing is planned).
    #[serde(default)]
    pub expect: Option<String>,
    /// How many findings of that kind the patch raises.
    #[serde(default)]
    pub findings: Option<usize>,
    /// Other kinds of finding the patch also raises here (each at least once), beside `expect`.
    #[serde(default)]
    pub also: Vec<String>,
    /// With `expect = "refused"`: a part of the reason the refusal gives.
    #[serde(default)]
    pub reason: Option<String>,
}

fn kind_of(name: &str) -> Result<Option<FindingKind>, String> {
    Ok(match name {
        "fix" => Some(FindingKind::Fix),
        "needs-value" => Some(FindingKind::NeedsValue),
        "manual" => Some(FindingKind::Manual),
        "warning" => Some(FindingKind::Warning),
        "unsafe-fix" => Some(FindingKind::UnsafeFix),
        "cannot-fix" => Some(FindingKind::CannotFix),
        "clean" => None,
        other => return Err(format!("unknown expect `{other}`")),
    })
}

/// Every value is checked by its kind, as `--set` checks it: the refusals, with their reasons.
fn refusals(catalog: &Catalog, spec: &CaseSpec) -> Vec<String> {
    spec.values
        .iter()
        .filter_map(|(name, value)| {
            let why = catalog.check_value(name, value).err()?;
            Some(format!("{name}={value}: {why}"))
        })
        .collect()
}

impl CaseSpec {
    /// The case's `case.toml`, or the defaults when there is none.
    pub fn read(case: &Path) -> Result<CaseSpec, String> {
        match fs::read_to_string(case.join("case.toml")) {
            Ok(t) => toml_edit::de::from_str(&t).map_err(|e| format!("case.toml: {e}")),
            Err(_) => Ok(CaseSpec::default()),
        }
    }
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

fn plan(catalog: &Catalog, home_dir: &Path, id: &str, spec: &CaseSpec) -> Result<NodePlan, String> {
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
        waivers: &wso2_harden::policy::waiver::NONE,
        effective: Default::default(),
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

/// Runs one case of patch `id` (the directory `case`) against `catalog`.
pub fn run_case(catalog: &Catalog, id: &str, case: &Path) -> Result<(), String> {
    let spec = CaseSpec::read(case)?;
    if catalog.get(id).is_none() {
        return Err(format!(
            "no patch `{id}` in the catalog (patches/{id}/patch.toml)"
        ));
    }
    let refused = refusals(catalog, &spec);
    if spec.expect.as_deref() == Some("refused") {
        return match (refused.as_slice(), &spec.reason) {
            ([], _) => Err(format!(
                "expected a refused value, but {:?} all pass",
                spec.values
            )),
            (r, Some(why)) if !r.iter().any(|m| m.contains(why.as_str())) => {
                Err(format!("refused, but not for `{why}`: {r:?}"))
            }
            _ => Ok(()),
        };
    }
    if !refused.is_empty() {
        return Err(format!("case values are refused: {refused:?}"));
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    copy_dir(&case.join("before"), &home);
    let node = plan(catalog, &home, id, &spec)?;
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
    let kind = kind_of(&expect)?;
    let mut also = Vec::new();
    for name in &spec.also {
        let k = kind_of(name)?.ok_or("`also` names kinds of finding, not `clean`")?;
        if !mine.iter().any(|f| f.kind == k) {
            return Err(format!("expected also a {name} finding, got {mine:#?}"));
        }
        also.push(k);
    }
    match kind {
        None if mine.iter().any(|f| !also.contains(&f.kind)) => {
            return Err(format!("expected no finding, got {mine:#?}"))
        }
        Some(k) if !mine.iter().any(|f| f.kind == k) => {
            return Err(format!("expected a {expect} finding, got {mine:#?}"))
        }
        _ => {}
    }
    // A fix case raises only fixes for its patch, and what `also` names (a needs-value or a
    // note would be a surprise).
    if kind == Some(FindingKind::Fix) {
        if let Some(f) = mine
            .iter()
            .find(|f| f.kind != FindingKind::Fix && !also.contains(&f.kind))
        {
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
    let again = plan(catalog, &home, id, &spec)?;
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
