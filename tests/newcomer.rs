//! CONTRIBUTING.md's "Adding a patch", followed as a newcomer would: a data-only patch (an
//! `xml-attr` target on catalina-server.xml) and its cases are written under a copy of
//! `patches/`, and the catalog loader (the parser build.rs runs) and the case runner pick them
//! up with no Rust edit. (`cargo build` embeds whatever patches/*/patch.toml holds.)

mod common;

use std::fs;
use std::path::Path;

use common::cases::{discover_cases, run_case};
use wso2_harden::catalog::Catalog;

const PATCH: &str = r#"id = "connector-xpowered-by"
title = "Connectors do not send X-Powered-By"
severity = "low"
safety = "safe"
restart = true
summary = "X-Powered-By names the servlet stack; leave it off."
rationale = """
A response header that names the stack helps attackers pick exploits.
"""
references = ["https://tomcat.apache.org/tomcat-9.0-doc/config/http.html"]
applies = """
XML generation: every Connector in catalina-server.xml.
"""

[[target]]
when = { model = "xml" }
file = "{conf}/tomcat/catalina-server.xml"
action = "xml-attr"
select = "/Server/Service/Connector"
attr = "xpoweredBy"
value = "false"
"#;

const BEFORE: &str = r#"<Server port="8005" shutdown="SHUTDOWN">
    <Service className="org.wso2.carbon.tomcat.ext.service.ExtendedStandardService" name="Catalina">
        <Connector protocol="org.apache.coyote.http11.Http11NioProtocol"
                   port="9763"
                   server="WSO2 Carbon Server"/>
        <Connector port="9443" SSLEnabled="true" xpoweredBy="true"/>
    </Service>
</Server>
"#;

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// Copies every patch.toml (the catalog a build would embed) into `to`.
fn copy_catalog(to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("patches");
    for e in fs::read_dir(&from).unwrap().flatten() {
        let toml = e.path().join("patch.toml");
        if toml.is_file() {
            write(
                &to.join(e.file_name()).join("patch.toml"),
                &fs::read_to_string(toml).unwrap(),
            );
        }
    }
}

fn load(root: &Path) -> Result<Catalog, String> {
    let mut sources: Vec<(String, String)> = fs::read_dir(root)
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("patch.toml").is_file())
        .map(|e| {
            let id = e.file_name().to_string_lossy().into_owned();
            (id, fs::read_to_string(e.path().join("patch.toml")).unwrap())
        })
        .collect();
    sources.sort();
    let refs: Vec<(&str, &str)> = sources
        .iter()
        .map(|(i, s)| (i.as_str(), s.as_str()))
        .collect();
    Catalog::load(&refs).map_err(|e| e.to_string())
}

#[test]
fn a_data_only_xml_attr_patch_needs_no_rust_edit() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("patches");
    copy_catalog(&root);
    let dir = root.join("connector-xpowered-by");
    write(&dir.join("patch.toml"), PATCH);
    // A failing case: both connectors are fixed, in their own attribute layouts.
    let case = dir.join("cases/tomcat7-connectors");
    let cat = "repository/conf/tomcat/catalina-server.xml";
    write(&case.join("before").join(cat), BEFORE);
    write(
        &case.join("before/bin/version.txt"),
        "WSO2 API Manager v2.6.0\n",
    );
    let after = BEFORE
        .replace(
            "server=\"WSO2 Carbon Server\"/>",
            "server=\"WSO2 Carbon Server\"\n                   xpoweredBy=\"false\"/>",
        )
        .replace("xpoweredBy=\"true\"", "xpoweredBy=\"false\"");
    write(&case.join("after").join(cat), &after);
    write(&case.join("case.toml"), "expect = \"fix\"\nfindings = 1\n");
    // A passing case.
    let clean = dir.join("cases/already-off");
    write(&clean.join("before").join(cat), &after);
    write(
        &clean.join("before/bin/version.txt"),
        "WSO2 API Manager v2.6.0\n",
    );

    let catalog = load(&root).unwrap_or_else(|e| panic!("{e}"));
    let patch = catalog
        .get("connector-xpowered-by")
        .expect("the new patch is in the catalog");
    assert_eq!(patch.targets.len(), 1);
    let cases: Vec<_> = discover_cases(&root)
        .into_iter()
        .filter(|c| c.id == "connector-xpowered-by")
        .collect();
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["already-off", "tomcat7-connectors"]);
    for c in &cases {
        run_case(&catalog, &c.id, &c.dir).unwrap_or_else(|e| panic!("{}/{}: {e}", c.id, c.name));
    }

    // The same newcomer misspelling a field gets the file, line and column.
    write(
        &dir.join("patch.toml"),
        &PATCH.replace("attr = ", "attribute = "),
    );
    let e = load(&root).unwrap_err();
    assert!(
        e.starts_with("patches/connector-xpowered-by/patch.toml:20:1: unknown field `attribute`"),
        "{e}"
    );
}
