//! Over every real WSO2 file in ../shared/fixtures-real (read, never copied into the repo):
//! editors round-trip byte for byte, the three patches change only their lines, and
//! every patch over every real home leaves parseable files and a clean second plan.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{copy_dir, real_corpus};
use wso2_harden::apply::apply_node;
use wso2_harden::catalog::{Catalog, Values};
use wso2_harden::discover::{discover, Model};
use wso2_harden::formats::script::{self, ScriptKind};
use wso2_harden::formats::text::Decoded;
use wso2_harden::formats::toml::TomlFile;
use wso2_harden::formats::xml::{self, Path as XmlPath, Want, XmlOp};
use wso2_harden::formats::{properties, Compare};
use wso2_harden::plan::{plan_home, NodePlan, Settings, TakeAll};

fn files(root: &Path, pred: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut v: Vec<_> = walkdir::WalkDir::new(root)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && pred(e.path()))
        .map(|e| e.into_path())
        .collect();
    v.sort();
    v
}

#[test]
fn every_xml_parses_and_a_no_op_edit_is_identity() {
    let Some(root) = real_corpus() else { return };
    let xmls = files(&root, |p| p.extension().is_some_and(|e| e == "xml"));
    assert!(xmls.len() > 80, "corpus has its XML files");
    for path in xmls {
        let bytes = fs::read(&path).unwrap();
        let d = Decoded::decode(&bytes);
        assert_eq!(
            d.encode(&d.text).unwrap(),
            bytes,
            "{}: decode/encode",
            path.display()
        );
        let doc = xml::parse(&d.text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // Setting every attribute of the root element and its children to its own value plans nothing.
        for node in doc
            .root_element()
            .children()
            .filter(|n| n.is_element())
            .take(20)
        {
            let sel = format!(
                "/{}/{}",
                doc.root_element().tag_name().name(),
                node.tag_name().name()
            );
            let p = XmlPath::parse(&sel).unwrap();
            if p.select(doc.root_element()).len() != 1 {
                continue;
            }
            for a in node.attributes().filter(|a| a.namespace().is_none()) {
                let op = XmlOp::Attr {
                    path: &p,
                    attr: a.name(),
                    want: Want::Value(a.value(), Compare::Equal),
                    create: false,
                };
                let r = xml::plan(&d.text, &doc, &op, d.single_byte_encoding()).unwrap();
                assert!(
                    r.is_none(),
                    "{}: {sel}@{} no-op changed the file",
                    path.display(),
                    a.name()
                );
            }
        }
    }
}

#[test]
fn every_toml_properties_and_script_round_trips() {
    let Some(root) = real_corpus() else { return };
    for path in files(&root, |p| p.to_string_lossy().contains("deployment.toml")) {
        let text = Decoded::decode(&fs::read(&path).unwrap()).text;
        let t = TomlFile::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for leaf in t
            .leaves()
            .iter()
            .filter(|l| !l.path.iter().any(|s| s.parse::<usize>().is_ok()))
        {
            let p: Vec<&str> = leaf.path.iter().map(String::as_str).collect();
            let same = wso2_harden::formats::toml::set(&text, &p, &leaf.value).unwrap();
            assert_eq!(same, text, "{}: {:?} no-op", path.display(), leaf.path);
        }
    }
    for path in files(&root, |p| p.extension().is_some_and(|e| e == "properties")) {
        let text = Decoded::decode(&fs::read(&path).unwrap()).text;
        for e in properties::entries(&text) {
            if properties::get(&text, &e.key).as_deref() == Some(e.value.as_str()) {
                assert_eq!(
                    properties::set(&text, &e.key, &e.value),
                    text,
                    "{}: {} no-op",
                    path.display(),
                    e.key
                );
            }
        }
    }
    let mut launching = 0;
    for path in files(&root, |p| p.parent().is_some_and(|d| d.ends_with("bin"))) {
        let Some(kind) = ScriptKind::from_path(&path) else {
            continue;
        };
        let text = Decoded::decode(&fs::read(&path).unwrap()).text;
        if script::has_launch(&text, kind) {
            launching += 1;
            let flags = script::flags(&text, kind).unwrap();
            for f in flags.iter().filter(|f| f.name.starts_with("-D")) {
                // Values the editor would refuse to write (.bat `%VAR%`, quotes) are not ours to set.
                if let Some(v) = f.value.as_ref().filter(|v| !v.contains(['%', '"', '^'])) {
                    let same = script::set_flag(&text, kind, &f.name, v, false).unwrap();
                    assert_eq!(same, text, "{}: {} no-op", path.display(), f.name);
                }
            }
        }
    }
    assert!(
        launching >= 20,
        "the startup scripts are recognised ({launching})"
    );
}

fn settings(ids: &[&str], cwd: &Path) -> Settings<'static> {
    let catalog = Catalog::builtin();
    let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    Settings {
        catalog,
        patches: catalog.select(&ids, &[]).unwrap(),
        unsafe_fixes: true,
        cwd: cwd.to_path_buf(),
        waivers: &wso2_harden::policy::waiver::NONE,
        effective: Default::default(),
    }
}

fn values(pairs: &[(&str, &str)]) -> Values {
    Values {
        given: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn plan_all(dir: &Path, s: &Settings, v: &Values) -> Vec<NodePlan> {
    discover(&[dir.to_path_buf()])
        .unwrap()
        .into_iter()
        .map(|h| plan_home(h, s, v, &mut TakeAll))
        .collect()
}

#[test]
fn three_patches_on_every_catalina_and_carbon_change_only_their_lines() {
    let Some(root) = real_corpus() else { return };
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&root, tmp.path());
    let s = settings(&["tls-protocols", "server-header", "hostname"], tmp.path());
    let v = values(&[("hostname", "node.example.com")]);
    let mut seen = 0;
    let mut catalinas = 0;
    for node in plan_all(tmp.path(), &s, &v) {
        assert!(node.error.is_none(), "{:?}", node.error);
        let cat = node.home.conf_path("tomcat/catalina-server.xml");
        if node.home.model == Model::Xml && cat.is_file() {
            catalinas += 1;
            assert!(
                node.changed_files().any(|f| f.path == cat),
                "{}: catalina-server.xml not hardened",
                node.display
            );
        }
        for f in node.changed_files() {
            let name = f.path.file_name().unwrap().to_string_lossy().to_string();
            if name != "catalina-server.xml" && name != "carbon.xml" {
                continue;
            }
            seen += 1;
            let new = f.final_bytes().unwrap();
            let new_text = Decoded::decode(&new).text;
            xml::parse(&new_text)
                .unwrap_or_else(|e| panic!("{}: result does not parse: {e}", f.display));
            let old_lines: Vec<&str> = f.decoded.text.split('\n').collect();
            let new_lines: Vec<&str> = new_text.split('\n').collect();
            let diff = similar::TextDiff::from_slices(&old_lines, &new_lines);
            for change in diff
                .iter_all_changes()
                .filter(|c| c.tag() != similar::ChangeTag::Equal)
            {
                let line = change.value();
                let intended = ["sslEnabledProtocols=", "protocols=", "server=", "HostName>"]
                    .iter()
                    .any(|t| line.contains(t));
                assert!(
                    intended,
                    "{}: unintended line change {:?}: {line:?}",
                    f.display,
                    change.tag()
                );
            }
        }
    }
    assert!(
        catalinas >= 8 && seen > catalinas,
        "catalina-server.xml ({catalinas}) and carbon.xml files edited ({seen})"
    );
    // Applied, a second plan is empty.
    for node in plan_all(tmp.path(), &s, &v) {
        apply_node(&node, false, None).unwrap();
    }
    for node in plan_all(tmp.path(), &s, &v) {
        assert_eq!(
            node.changed_files().count(),
            0,
            "{}: second plan not empty",
            node.display
        );
    }
}

#[test]
fn every_patch_on_every_real_home() {
    let Some(root) = real_corpus() else { return };
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&root, tmp.path());
    let all: Vec<&str> = Catalog::builtin()
        .patches
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    let s = settings(&all, tmp.path());
    let v = values(&[
        ("hostname", "node.example.com"),
        ("jvm_xms", "512m"),
        ("jvm_xmx", "2048m"),
    ]);
    let nodes = plan_all(tmp.path(), &s, &v);
    assert!(
        nodes.len() >= 30,
        "every real home is discovered ({})",
        nodes.len()
    );
    let mut written = 0;
    for node in &nodes {
        assert!(node.error.is_none(), "{:?}", node.error);
        for f in node.changed_files() {
            assert!(
                !(node.home.model == Model::Toml && node.home.is_regenerated(&f.path)),
                "{}: a regenerated file was edited",
                f.display
            );
            let text = Decoded::decode(&f.final_bytes().unwrap()).text;
            let ext = f
                .path
                .extension()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            match ext.as_str() {
                "xml" => drop(xml::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display))),
                "toml" => {
                    drop(TomlFile::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display)))
                }
                _ => {}
            }
            written += 1;
        }
        apply_node(node, false, None).unwrap();
    }
    assert!(
        written > 60,
        "the catalog edits the corpus ({written} files)"
    );
    if std::process::Command::new("bash")
        .arg("--version")
        .output()
        .is_ok()
    {
        for path in files(tmp.path(), |p| p.extension().is_some_and(|e| e == "sh")) {
            let out = std::process::Command::new("bash")
                .arg("-n")
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}: bash -n: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    for node in plan_all(tmp.path(), &s, &v) {
        assert_eq!(
            node.changed_files().count(),
            0,
            "{}: second plan not empty: {:?}",
            node.display,
            node.findings
        );
    }
}
