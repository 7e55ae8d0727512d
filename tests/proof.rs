//! The proof of deployment.toml fixes on small hand-written models: a fix validator.json
//! refuses is dropped (located) while the node's other fixes stay, a user value a default.json
//! object swallows (APIM 3.0's PassThrough parameters) is caught, the interactive fix is never
//! asked about a dropped fix, and nodes of equal content share one analysis.

mod common;

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use common::models::{tiny_home, TinyHome};
use serde_json::Value;
use wso2_harden::catalog::{Catalog, Patch, Values};
use wso2_harden::discover::discover;
use wso2_harden::plan::effective::{analyse, NodeEffective};
use wso2_harden::plan::{plan_home, Decide, Decision, Settings, Step};

const CATALINA: &str = r#"<Server port="8005" shutdown="SHUTDOWN">
    <Service name="Catalina">
        <Connector protocol="org.apache.coyote.http11.Http11NioProtocol" port="9443"
                   SSLEnabled="true" server="{{transport.https.properties.server}}">
            <SSLHostConfig protocols="{{transport.https.sslHostConfig.properties.protocols}}"/>
        </Connector>
    </Service>
</Server>
"#;

/// An IS-like home whose validator.json accepts only a Server header starting with WSO2.
fn refusing_home() -> TinyHome {
    let home = tiny_home(
        &[
            (
                "default.json",
                r#"{"transport.https.sslHostConfig.properties.protocols": "+TLSv1,+TLSv1.1,+TLSv1.2"}"#,
            ),
            (
                "validator.json",
                r#"{"transport.https.properties.server": [{"regex": "WSO2.*", "error_message": "the Server header must name WSO2"}]}"#,
            ),
        ],
        &[("repository/conf/tomcat/catalina-server.xml.j2", CATALINA)],
        "[transport.https.properties]\nserver = \"WSO2 Carbon Server\"\n",
    );
    fs::create_dir_all(home.tmp.path().join("bin")).unwrap();
    fs::write(
        home.tmp.path().join("bin/version.txt"),
        "WSO2 Identity Server v7.0.0\n",
    )
    .unwrap();
    home
}

fn check(dir: &Path, args: &[&str]) -> Value {
    let out = Command::cargo_bin("wso2-harden")
        .unwrap()
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn of<'a>(doc: &'a Value, id: &str, kind: &str) -> Vec<&'a Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == id && f["kind"] == kind)
        .collect()
}

#[test]
fn a_fix_the_validator_refuses_is_dropped_and_the_others_stay() {
    let home = refusing_home();
    let dir = home.tmp.path();
    let doc = check(dir, &["--select", "server-header,tls-protocols", "."]);
    let refused: Vec<_> = of(&doc, "server-header", "cannot-fix")
        .into_iter()
        .filter(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .contains("the product would refuse deployment.toml with this change")
        })
        .collect();
    assert_eq!(refused.len(), 1, "{doc:#}");
    assert!(refused[0]["message"]
        .as_str()
        .unwrap()
        .contains("the Server header must name WSO2"));
    assert_eq!(refused[0]["line"], 2, "located at the key");
    assert!(of(&doc, "server-header", "fix").is_empty(), "{doc:#}");
    assert_eq!(of(&doc, "tls-protocols", "fix").len(), 1, "{doc:#}");
    Command::cargo_bin("wso2-harden")
        .unwrap()
        .current_dir(dir)
        .args([
            "fix",
            "--yes",
            "--select",
            "server-header,tls-protocols",
            ".",
        ])
        .assert()
        .code(0);
    let written = fs::read_to_string(&home.toml).unwrap();
    assert!(
        written.contains("server = \"WSO2 Carbon Server\""),
        "{written}"
    );
    assert!(written.contains("protocols = \"+TLSv1.2\""), "{written}");
}

/// APIM 3.0 ships the PassThrough listener parameters as one default.json object; depending
/// on the HashMap order a user's leaf under it is lost when the context is built.
#[test]
fn a_value_a_default_object_swallows_is_cannot_fix() {
    let axis2 = r#"<axisconfig>
    <transportReceiver name="https" class="org.apache.synapse.transport.passthru.PassThroughHttpMultiSSLListener">
        {% for name,value in transport.passthru_https.listener.parameters.items() %}
        <parameter name="{{name}}" locked="false">{{value}}</parameter>
        {% endfor %}
    </transportReceiver>
</axisconfig>
"#;
    let home = tiny_home(
        &[(
            "default.json",
            r#"{"transport.passthru_https.listener.parameters": {"port": "8243", "HttpsProtocols": "TLSv1,TLSv1.1,TLSv1.2"}}"#,
        )],
        &[("repository/conf/axis2/axis2.xml.j2", axis2)],
        "[server]\nhostname = \"gw.example.com\"\n",
    );
    let dir = home.tmp.path();
    fs::create_dir_all(dir.join("bin")).unwrap();
    fs::write(dir.join("bin/version.txt"), "WSO2 API Manager v4.5.0\n").unwrap();
    let doc = check(dir, &["--select", "passthru-tls", "."]);
    let cannot = of(&doc, "passthru-tls", "cannot-fix");
    assert!(
        cannot.iter().any(|f| f["message"].as_str().unwrap().contains(
            "`transport.passthru_https.listener.parameters.HttpsProtocols` does not reach the generated files"
        )),
        "{doc:#}"
    );
    assert!(of(&doc, "passthru-tls", "fix").is_empty(), "{doc:#}");
    let before = fs::read(&home.toml).unwrap();
    Command::cargo_bin("wso2-harden")
        .unwrap()
        .current_dir(dir)
        .args(["fix", "--yes", "--select", "passthru-tls", "."])
        .assert()
        .code(0);
    assert_eq!(
        fs::read(&home.toml).unwrap(),
        before,
        "nothing claimed as fixed"
    );
}

/// Records what an interactive fix would be asked, and accepts it.
struct Recorder(Vec<(String, String)>);

impl Decide for Recorder {
    fn decide(&mut self, _: &str, patch: &Patch, _: &str, step: &Step) -> Decision {
        self.0.push((patch.id.clone(), step.after.clone()));
        Decision::Apply
    }
}

#[test]
fn the_interactive_fix_is_never_asked_about_a_dropped_fix() {
    let home = refusing_home();
    let dir = home.tmp.path();
    let catalog = Catalog::builtin();
    let settings = Settings {
        catalog,
        patches: catalog
            .select(&["server-header".into(), "tls-protocols".into()], &[])
            .unwrap(),
        unsafe_fixes: false,
        cwd: dir.to_path_buf(),
        waivers: &wso2_harden::policy::waiver::NONE,
        effective: Default::default(),
    };
    let node = discover(&[dir.to_path_buf()]).unwrap().remove(0);
    let mut asked = Recorder(Vec::new());
    let plan = plan_home(node, &settings, &Values::default(), &mut asked);
    let ids: Vec<&str> = asked.0.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["tls-protocols"], "{:?}", asked.0);
    assert!(plan
        .findings
        .iter()
        .any(|f| f.id == "server-header" && f.message.contains("would refuse")));
}

#[test]
fn nodes_of_equal_content_share_one_analysis() {
    let a = refusing_home();
    let b = refusing_home();
    let homes = discover(&[a.tmp.path().to_path_buf(), b.tmp.path().to_path_buf()]).unwrap();
    let options = Default::default();
    let analyses: Vec<_> = homes
        .iter()
        .map(|h| match analyse(h, &options) {
            NodeEffective::Computed { analysis, .. } => analysis,
            other => panic!("not computed: {:?}", other.note()),
        })
        .collect();
    assert!(std::sync::Arc::ptr_eq(&analyses[0], &analyses[1]));
    // another deployment.toml is another analysis
    let text = fs::read_to_string(&b.toml).unwrap();
    fs::write(
        &b.toml,
        format!("{text}\n[server]\nhostname = \"b.example.com\"\n"),
    )
    .unwrap();
    let other = match analyse(&homes[1], &options) {
        NodeEffective::Computed { analysis, .. } => analysis,
        other => panic!("not computed: {:?}", other.note()),
    };
    assert!(!std::sync::Arc::ptr_eq(&analyses[0], &other));
}
