//! TLS listeners found in one generated XML file, recognised by structure: a Tomcat
//! `Connector SSLEnabled="true"` (flat Tomcat 7 attributes or a nested `SSLHostConfig`), an
//! Axis2 `transportReceiver` that terminates TLS (an SSL/HTTPS listener class, or TLS
//! parameters), a broker `sslConnection` (AMQP/MQTT), a Synapse `inboundEndpoint` for `https`
//! or `wss`, a data-bridge `dataReceiver` with an SSL port (Thrift/Binary), and MI's internal
//! APIs `sslConfig`.

use std::ops::Range;

use roxmltree::{Document, Node, ParsingOptions};

use super::{Field, Kind, Listener};
use crate::mapper::render::Rendered;

/// A value found in the XML: its text and where it sits in the generated file.
pub struct Found {
    pub value: String,
    pub range: Range<usize>,
}

/// What the scanner needs from the caller to attach sources.
pub trait Sources {
    fn field(&self, file: &Rendered, found: Option<Found>, absent: &str) -> Field;
}

fn attr(n: Node, name: &str) -> Option<Found> {
    n.attributes()
        .find(|a| a.name().eq_ignore_ascii_case(name) && a.namespace().is_none())
        .map(|a| Found {
            value: a.value().to_string(),
            range: a.range_value(),
        })
}

fn text_of(n: Node) -> Option<Found> {
    let t = n.children().find(|c| c.is_text())?;
    let value = t.text()?.trim().to_string();
    Some(Found {
        value,
        range: t.range(),
    })
}

fn child<'a>(n: Node<'a, 'a>, name: &str) -> Option<Node<'a, 'a>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name().eq_ignore_ascii_case(name))
}

/// `<parameter name="…">value</parameter>` children (any namespace prefix).
fn param(n: Node, names: &[&str]) -> Option<Found> {
    let p = n.descendants().find(|c| {
        c.is_element()
            && c.tag_name().name() == "parameter"
            && c.attribute("name")
                .is_some_and(|v| names.iter().any(|w| w.eq_ignore_ascii_case(v)))
    })?;
    text_of(p)
}

fn has_param(n: Node, names: &[&str]) -> bool {
    n.descendants().any(|c| {
        c.is_element()
            && c.tag_name().name() == "parameter"
            && c.attribute("name")
                .is_some_and(|v| names.iter().any(|w| w.eq_ignore_ascii_case(v)))
    })
}

/// `<config name="…">value</config>` children (data-bridge receivers).
fn config(n: Node, name: &str) -> Option<Found> {
    let c = n.children().find(|c| {
        c.is_element() && c.tag_name().name() == "config" && c.attribute("name") == Some(name)
    })?;
    text_of(c)
}

fn has_config(n: Node, names: &[&str]) -> bool {
    names.iter().any(|name| config(n, name).is_some())
}

fn line(doc: &Document, n: Node) -> u32 {
    doc.text_pos_at(n.range().start).row
}

const JVM: &str = "the JVM's enabled";

/// `org.wso2.carbon.core.transports.http.HttpsTransportListener` (and its HTTP sibling).
const SERVLET_TRANSPORT: &str = "org.wso2.carbon.core.transports.http.";

pub fn scan(file: &Rendered, src: &dyn Sources) -> Result<Vec<Listener>, String> {
    let opts = ParsingOptions {
        allow_dtd: true,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(&file.text, opts).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let listener = |n: Node,
                    kind: Kind,
                    element: String,
                    enabled: bool,
                    port: Field,
                    protocols: Field,
                    ciphers: Field| Listener {
        file: file.rel.clone(),
        element,
        line: line(&doc, n),
        kind,
        enabled,
        port,
        protocols,
        ciphers,
    };
    for n in doc.descendants().filter(Node::is_element) {
        let name = n.tag_name().name();
        match name {
            "Connector"
                if attr(n, "SSLEnabled").is_some_and(|a| a.value.eq_ignore_ascii_case("true")) =>
            {
                let port = attr(n, "port");
                let element = format!(
                    "Connector[@port=\"{}\"]",
                    port.as_ref().map_or("", |p| p.value.as_str())
                );
                let port = src.field(file, port, "Tomcat's connector default");
                if let Some(h) = child(n, "SSLHostConfig") {
                    let protocols = attr(h, "protocols").or_else(|| attr(h, "sslEnabledProtocols"));
                    out.push(listener(
                        h,
                        Kind::TomcatConnector,
                        format!("{element}/SSLHostConfig"),
                        true,
                        port,
                        src.field(file, protocols, "Tomcat's default protocols"),
                        src.field(file, attr(h, "ciphers"), "Tomcat's default ciphers"),
                    ));
                } else {
                    out.push(listener(
                        n,
                        Kind::TomcatConnector,
                        element,
                        true,
                        port,
                        src.field(
                            file,
                            attr(n, "sslEnabledProtocols"),
                            &format!("{JVM} protocols"),
                        ),
                        src.field(file, attr(n, "ciphers"), &format!("{JVM} cipher suites")),
                    ));
                }
            }
            "transportReceiver" => {
                let class = n.attribute("class").unwrap_or("");
                // Carbon's servlet transport is served by Tomcat's HTTPS connector (the same
                // port 9443, no TLS settings of its own): not a listener of its own.
                if class.starts_with(SERVLET_TRANSPORT) {
                    continue;
                }
                let tls_class = class.contains("SSL") || class.contains("Https");
                let tls_params = has_param(
                    n,
                    &[
                        "HttpsProtocols",
                        "PreferredCiphers",
                        "keystore",
                        "SSLVerifyClient",
                    ],
                );
                if !(tls_class || tls_params) {
                    continue;
                }
                let rname = n.attribute("name").unwrap_or("");
                out.push(listener(
                    n,
                    Kind::Axis2Listener,
                    format!("transportReceiver[@name=\"{rname}\"]"),
                    true,
                    src.field(file, param(n, &["port"]), "no port parameter"),
                    src.field(
                        file,
                        param(n, &["HttpsProtocols"]),
                        &format!("{JVM} protocols"),
                    ),
                    src.field(
                        file,
                        param(n, &["PreferredCiphers"]),
                        &format!("{JVM} cipher suites"),
                    ),
                ));
            }
            "sslConnection" => {
                let parent = n.parent_element().map_or("", |p| p.tag_name().name());
                let enabled = attr(n, "enabled")
                    .is_none_or(|a| a.value.eq_ignore_ascii_case("true"))
                    && n.parent_element()
                        .and_then(|p| attr(p, "enabled"))
                        .is_none_or(|a| a.value.eq_ignore_ascii_case("true"));
                out.push(listener(
                    n,
                    Kind::BrokerSsl,
                    format!("{parent}/sslConnection"),
                    enabled,
                    src.field(file, attr(n, "port"), "the broker's default port"),
                    src.field(
                        file,
                        child(n, "sslEnabledProtocols").and_then(text_of),
                        &format!("{JVM} protocols"),
                    ),
                    src.field(
                        file,
                        child(n, "ciphers").and_then(text_of),
                        &format!("{JVM} cipher suites"),
                    ),
                ));
            }
            "inboundEndpoint" => {
                let protocol = n.attribute("protocol").unwrap_or("");
                if !matches!(protocol, "https" | "wss")
                    && !has_param(n, &["keystore", "wss.ssl.key.store.file"])
                {
                    continue;
                }
                let ename = n.attribute("name").unwrap_or("");
                out.push(listener(
                    n,
                    Kind::InboundEndpoint,
                    format!("inboundEndpoint[@name=\"{ename}\"]"),
                    !attr(n, "suspend").is_some_and(|a| a.value.eq_ignore_ascii_case("true")),
                    src.field(
                        file,
                        param(n, &["inbound.ws.port", "inbound.http.port", "port"]),
                        "no port parameter",
                    ),
                    src.field(
                        file,
                        param(n, &["wss.ssl.protocols", "HttpsProtocols", "ssl.protocols"]),
                        &format!("{JVM} protocols"),
                    ),
                    src.field(
                        file,
                        param(
                            n,
                            &[
                                "wss.ssl.cipher.suites",
                                "PreferredCiphers",
                                "ssl.cipher.suites",
                            ],
                        ),
                        &format!("{JVM} cipher suites"),
                    ),
                ));
            }
            "dataReceiver" if has_config(n, &["sslPort", "sslEnabledProtocols"]) => {
                let rname = n.attribute("name").unwrap_or("");
                out.push(listener(
                    n,
                    Kind::DataReceiver,
                    format!("dataReceiver[@name=\"{rname}\"]"),
                    true,
                    src.field(
                        file,
                        config(n, "sslPort"),
                        "the receiver's default SSL port",
                    ),
                    src.field(
                        file,
                        config(n, "sslEnabledProtocols"),
                        &format!("{JVM} protocols"),
                    ),
                    src.field(file, config(n, "ciphers"), &format!("{JVM} cipher suites")),
                ));
            }
            "sslConfig"
                if n.parent_element()
                    .is_some_and(|p| p.tag_name().name() == "internalApis") =>
            {
                out.push(listener(
                    n,
                    Kind::InternalApi,
                    "internalApis/sslConfig".into(),
                    true,
                    src.field(file, None, "synapse.properties internal.https.api.port"),
                    src.field(
                        file,
                        param(n, &["httpsProtocols"]),
                        &format!("{JVM} protocols"),
                    ),
                    src.field(
                        file,
                        param(n, &["preferredCiphers", "ciphers"]),
                        &format!("{JVM} cipher suites"),
                    ),
                ));
            }
            _ => {}
        }
    }
    Ok(out)
}
