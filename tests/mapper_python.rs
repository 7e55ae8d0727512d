//! Differential check against the Python reference (../shared/tools/render/render.py, Jinja2)
//! on every model: the generated files must agree value for value, except where the two
//! implementations differ on purpose — and for each such class the comment says who follows
//! config-mapper's Java and jinjava, and why.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use common::models::{install, product_models};
use common::xmlcmp;
use wso2_harden::mapper::render::{render, Select};
use wso2_harden::mapper::{map, MapOptions, ModelDir};

/// python3 with jinja2, or a loud skip (a failure under CI=true).
fn python() -> bool {
    common::have(
        "python3",
        &["-c", "import jinja2"],
        "python3 with jinja2 (pip install jinja2): the differential test against render.py",
    )
}

fn files(dir: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, fs::read_to_string(e.path()).unwrap_or_default())
        })
        .collect()
}

/// Non-XML files: non-blank lines with whitespace collapsed, as a sorted list.
fn text_lines(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect();
    v.sort();
    v
}

fn diff(rel: &str, ours: &str, py: &str) -> (Vec<String>, Vec<String>) {
    if rel.ends_with(".xml") {
        if let Ok(d) = xmlcmp::diff(ours, py) {
            return d;
        }
    }
    let (a, b) = (text_lines(ours), text_lines(py));
    (
        a.iter().filter(|l| !b.contains(l)).cloned().collect(),
        b.iter().filter(|l| !a.contains(l)).cloned().collect(),
    )
}

#[test]
fn rust_and_python_renders_agree_on_every_model() {
    let Some(models) = product_models() else {
        return;
    };
    if common::real_corpus().is_none() || !python() {
        return;
    }
    let script = common::manifest_dir().join("../shared/tools/render/render.py");
    let cases = [
        (
            "apim-4.5.0",
            Some("kernel-4.9.28"),
            "apim-4.5.0/repository/conf/deployment.toml",
        ),
        // APIM 3.2's own deployment.toml needs kernel 4.6's validator; 3.0's file maps cleanly
        (
            "apim-3.2.0",
            Some("kernel-4.5.1"),
            "apim-3.0.0/repository/conf/deployment.toml",
        ),
        (
            "is-7.0.0",
            Some("kernel-4.10.42"),
            "is-7.0.0/repository/conf/deployment.toml",
        ),
        ("mi-4.2.0", None, "mi-4.2.0/conf/deployment.toml"),
    ];
    for (product, kernel, toml) in cases {
        let toml = common::manifest_dir()
            .join("../shared/fixtures-real")
            .join(toml);
        let tmp = tempfile::tempdir().unwrap();
        let py_out = tmp.path().join("py");
        let mut cmd = Command::new("python3");
        cmd.arg(&script).args(["--model", product]);
        if let Some(k) = kernel {
            cmd.args(["--kernel", k]);
        }
        let o = cmd.arg(&toml).arg("--out").arg(&py_out).output().unwrap();
        assert!(
            o.status.success(),
            "{product}: render.py failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let py = files(&py_out);

        let conf = install(&models, product, kernel, &tmp.path().join("home"));
        let model = ModelDir::load(&conf).unwrap();
        let text = fs::read_to_string(&toml).unwrap();
        let mapped = map(&model, &toml, &text, &MapOptions::default()).unwrap();
        let out = render(&model, &mapped, Select::All, false);
        assert!(out.errors.is_empty(), "{product}: {:?}", out.errors);
        let ours: BTreeMap<String, String> = out
            .files
            .iter()
            .map(|f| (f.rel.clone(), f.text.clone()))
            .collect();

        // Python skips the templates Jinja2 cannot parse: JUEL's `||`/`&&`, Java's
        // `.toList()`, an `{% endif %}` without its `if` (jinjava only warns). jinjava
        // renders them, and so do we.
        for rel in ours.keys().filter(|r| !py.contains_key(*r)) {
            let tpl = fs::read_to_string(conf.join("templates").join(format!("{rel}.j2"))).unwrap();
            assert!(
                tpl.contains("||")
                    || tpl.contains("&&")
                    || tpl.contains(".toList()")
                    || rel.ends_with("governance.xml"),
                "{product}: only we render {rel}, and Jinja2 should parse it"
            );
        }
        assert!(
            py.keys().all(|r| ours.contains_key(r)),
            "{product}: Python renders a file we do not"
        );

        for (rel, py_text) in &py {
            let (only_ours, only_py) = diff(rel, &ours[rel], py_text);
            if only_ours.is_empty() && only_py.is_empty() {
                continue;
            }
            // A map printed by a template: jinjava prints Java's Map.toString (`{k=v}`),
            // Python a dict repr (`{'k': 'v'}`). Java is what the product writes.
            let map_print = only_ours.iter().all(|l| l.contains('{') && l.contains('='))
                && only_py.iter().all(|l| l.contains("{'"));
            // MI's internal-apis.xml: `{% if management_api.jwt_token_security_handler.enable
            // == true %}` with the default string "true". JUEL's `==` coerces the string with
            // jinjava's TruthyTypeConverter, so the product renders the JWT handler; Jinja2
            // compares "true" with True and drops it.
            let el_equality = rel == "conf/internal-apis.xml"
                && only_py.is_empty()
                && only_ours.iter().all(|l| l.contains("/handlers/handler"));
            assert!(
                map_print || el_equality,
                "{product}: {rel} differs from render.py\n  only ours:\n    {}\n  only python:\n    {}",
                only_ours.join("\n    "),
                only_py.join("\n    ")
            );
        }
    }
}
