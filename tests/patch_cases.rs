//! One test per patch case, named `<id>/<case>` and found at run time under
//! `patches/<id>/cases/<case>/` (a new case or patch directory needs no change here):
//! `cargo test tls-protocols/` runs one patch's cases, `cargo test -- --list` lists them.
//! The case schema is in patches/README.md; the runner is tests/common/cases.rs.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::cases::{discover_cases, run_case, CaseSpec};
use libtest_mimic::{Arguments, Failed, Trial};
use wso2_harden::catalog::Catalog;

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("patches");
    let mut trials: Vec<Trial> = discover_cases(&root)
        .into_iter()
        .map(|case| {
            let name = format!("{}/{}", case.id, case.name);
            Trial::test(name, move || {
                run_case(Catalog::builtin(), &case.id, &case.dir).map_err(Failed::from)
            })
        })
        .collect();
    let root2 = root.clone();
    trials.push(Trial::test(
        "catalog/cases-exist",
        move || match discover_cases(&root2).is_empty() {
            true => Err("no cases found under patches/*/cases".into()),
            false => Ok(()),
        },
    ));
    trials.push(Trial::test(
        "catalog/every-patch-has-a-failing-and-a-passing-case",
        move || every_patch_has_a_failing_and_a_passing_case(&root),
    ));
    libtest_mimic::run(&args, trials).exit();
}

/// Patches whose passing case cannot exist where the tests run, and why.
const NO_PASSING_CASE: &[(&str, &str)] = &[(
    "file-permissions",
    "the tests run as root, so the home is always owned by root",
)];

fn every_patch_has_a_failing_and_a_passing_case(root: &Path) -> Result<(), Failed> {
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
        let expect = |d: &Path| CaseSpec::read(d).ok().and_then(|s| s.expect);
        let clean = |d: &Path| !d.join("after").is_dir() && expect(d).is_none_or(|e| e == "clean");
        let failing = dirs.iter().any(|d| !clean(d));
        let passing =
            dirs.iter().any(|d| clean(d)) || NO_PASSING_CASE.iter().any(|(id, _)| *id == patch.id);
        if !failing || !passing {
            missing.push(patch.id.clone());
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("patches without both a failing and a passing case: {missing:?}").into())
    }
}
