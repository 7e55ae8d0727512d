//! Where rendered values come from, and rendering only what a key reaches.

mod common;

use std::fs;

use common::models::tiny_home;
use wso2_harden::mapper::effective::{listeners, Source};
use wso2_harden::mapper::render::{render, Select};
use wso2_harden::mapper::{map, MapOptions, Mapped, ModelDir};

const DEFAULTS: &str = r#"{
  "amqp.port": "8672",
  "amqp.protocols": "TLSv1",
  "amqp.keystore": "repository/resources/security/$ref{keystore.tls.file_name}",
  "keystore.tls.file_name": "wso2carbon.jks",
  "wss.protocols": "TLSv1.1,TLSv1.2"
}"#;
const INFER: &str = r#"{"server.role": {"hardened": {"wss.protocols": "TLSv1.2"}}}"#;
const MAPPINGS: &str =
    r#"{"transport.https.protocols": "connector.properties.sslEnabledProtocols"}"#;
const BROKER: &str = "<broker>\n  <amqp>\n    <sslConnection port=\"{{amqp.port}}\">\n      <keyStore><location>{{amqp.keystore}}</location></keyStore>\n      <sslEnabledProtocols>{{amqp.protocols}}</sslEnabledProtocols>\n    </sslConnection>\n  </amqp>\n</broker>\n";
const WSS: &str = "<inboundEndpoint name=\"wss\" protocol=\"wss\">\n  <parameters>\n    <parameter name=\"inbound.ws.port\">8099</parameter>\n    <parameter name=\"wss.ssl.protocols\">{{wss.protocols}}</parameter>\n  </parameters>\n</inboundEndpoint>\n";
const CATALINA: &str = "<Server>\n  <Connector SSLEnabled=\"true\"\n  {% for k, v in connector.properties.items() %}\n      {{k}}=\"{{v}}\"\n  {% endfor %}\n  />\n</Server>\n";

fn setup(toml: &str) -> (common::models::TinyHome, ModelDir, Mapped) {
    let h = tiny_home(
        &[
            ("default.json", DEFAULTS),
            ("infer.json", INFER),
            ("key-mappings.json", MAPPINGS),
        ],
        &[
            ("conf/broker.xml.j2", BROKER),
            ("conf/wss.xml.j2", WSS),
            ("conf/catalina.xml.j2", CATALINA),
            ("conf/other.xml.j2", "<o>{{ unrelated.key }}</o>\n"),
        ],
        toml,
    );
    let m = ModelDir::load(&h.conf).unwrap();
    let text = fs::read_to_string(&h.toml).unwrap();
    let mapped = map(&m, &h.toml, &text, &MapOptions::default()).unwrap();
    (h, m, mapped)
}

#[test]
fn every_listener_value_names_its_origin() {
    let toml = "[keystore.tls]\nfile_name = \"node.p12\"\n\n[server]\nrole = \"hardened\"\n\n[transport.https]\nprotocols = \"TLSv1.2\"\n";
    let (_h, m, mapped) = setup(toml);
    let out = render(&m, &mapped, Select::All, true);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let (found, problems) = listeners(&mapped, &out);
    assert!(problems.is_empty(), "{problems:?}");
    let by_file = |f: &str| found.iter().find(|l| l.file.ends_with(f)).unwrap();

    let amqp = by_file("broker.xml");
    assert_eq!(amqp.protocols.value.as_deref(), Some("TLSv1"));
    assert_eq!(
        amqp.protocols.source,
        Source::Default {
            key: "amqp.protocols".into(),
            via: vec![]
        }
    );

    // a $ref in a default names the key it pulled in, with that key's own origin
    assert_eq!(
        Source::of_key(&mapped, "amqp.keystore"),
        Source::Default {
            key: "amqp.keystore".into(),
            via: vec![Source::DeploymentToml {
                key: "keystore.tls.file_name".into(),
                toml_key: "keystore.tls.file_name".into(),
                line: 2,
                via: vec![],
            }],
        }
    );
    assert_eq!(mapped.explain("amqp.keystore").len(), 2);

    // inferred from another key's value
    let wss = by_file("wss.xml");
    assert_eq!(wss.protocols.value.as_deref(), Some("TLSv1.2"));
    assert_eq!(
        wss.protocols.source,
        Source::Inferred {
            key: "wss.protocols".into(),
            because: "server.role".into(),
            equals: "hardened".into(),
            via: vec![],
        }
    );
    // written in the template: its line there
    assert_eq!(wss.port.value.as_deref(), Some("8099"));
    assert!(
        matches!(&wss.port.source, Source::Template { line: 3, .. }),
        "{:?}",
        wss.port.source
    );

    // printed by a loop over .items(), renamed by key-mappings.json: the toml key and line
    let tomcat = by_file("catalina.xml");
    assert_eq!(tomcat.protocols.value.as_deref(), Some("TLSv1.2"));
    assert_eq!(
        tomcat.protocols.source,
        Source::DeploymentToml {
            key: "connector.properties.sslEnabledProtocols".into(),
            toml_key: "transport.https.protocols".into(),
            line: 8,
            via: vec![],
        }
    );
    assert!(matches!(
        tomcat.ciphers.source,
        Source::RuntimeDefault { .. }
    ));
}

#[test]
fn reading_selects_only_the_templates_a_key_reaches() {
    let (_h, m, mapped) = setup("");
    let rels = |keys: &[&str]| -> Vec<String> {
        render(&m, &mapped, Select::Reading(keys), false)
            .files
            .into_iter()
            .map(|f| f.rel)
            .collect()
    };
    assert_eq!(rels(&["amqp.protocols"]), ["conf/broker.xml"]);
    // a parent key reaches every template below it; a child key the template that reads its parent
    assert_eq!(rels(&["connector"]), ["conf/catalina.xml"]);
    assert_eq!(
        rels(&["connector.properties.ciphers"]),
        ["conf/catalina.xml"]
    );
    assert!(rels(&["nothing.reads.this"]).is_empty());
    let files = render(&m, &mapped, Select::Files(&["conf/wss.xml"]), false);
    assert_eq!(files.files.len(), 1);
}

#[test]
fn a_template_that_stops_reading_a_key_is_not_selected_by_it() {
    // the next stage proves a TOML fix by rendering what the key reaches: a template edited so
    // that it no longer reads the key must drop out
    let (h, _, _) = setup("");
    fs::write(
        h.conf.join("templates/conf/broker.xml.j2"),
        BROKER.replace("{{amqp.protocols}}", "TLSv1"),
    )
    .unwrap();
    let m = ModelDir::load(&h.conf).unwrap();
    let mapped = map(&m, &h.toml, "", &MapOptions::default()).unwrap();
    let out = render(&m, &mapped, Select::Reading(&["amqp.protocols"]), true);
    assert!(out.files.is_empty());
    let all = render(&m, &mapped, Select::All, true);
    let (found, _) = listeners(&mapped, &all);
    let amqp = found
        .iter()
        .find(|l| l.file.ends_with("broker.xml"))
        .unwrap();
    assert!(matches!(amqp.protocols.source, Source::Template { .. }));
}

#[test]
fn data_bridge_receivers_are_listeners() {
    let h = tiny_home(
        &[("default.json", r#"{"binary.protocols": ["TLSv1", "TLSv1.1", "TLSv1.2"]}"#)],
        &[(
            "repository/conf/data-bridge/data-bridge-config.xml.j2",
            "<dataBridgeConfiguration>\n  <dataReceiver name=\"Binary\">\n    <config name=\"tcpPort\">9611</config>\n    <config name=\"sslPort\">9711</config>\n    <config name=\"sslEnabledProtocols\">{{ binary.protocols | join(',') }}</config>\n  </dataReceiver>\n  <dataReceiver name=\"Other\">\n    <config name=\"tcpPort\">1</config>\n  </dataReceiver>\n</dataBridgeConfiguration>\n",
        )],
        "",
    );
    let m = ModelDir::load(&h.conf).unwrap();
    let mapped = map(&m, &h.toml, "", &MapOptions::default()).unwrap();
    let out = render(&m, &mapped, Select::All, true);
    let (found, problems) = listeners(&mapped, &out);
    assert_eq!(
        found.len(),
        1,
        "{problems:?} {:?} {:?}",
        out.errors,
        out.files.iter().map(|f| &f.text).collect::<Vec<_>>()
    );
    let l = &found[0];
    assert_eq!(l.element, "dataReceiver[@name=\"Binary\"]");
    assert_eq!(l.port.value.as_deref(), Some("9711"));
    assert_eq!(l.protocols.value.as_deref(), Some("TLSv1,TLSv1.1,TLSv1.2"));
    // a join of a traced list keeps the list's key
    assert_eq!(
        l.protocols.source,
        Source::Default {
            key: "binary.protocols".into(),
            via: vec![]
        }
    );
}
