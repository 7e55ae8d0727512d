//! What the rendered XML of a home opens: every TLS listener with its protocol and cipher
//! lists, and the HSTS filter's parameters; judged by this test's own rules, not the tool's.

use std::fs;
use std::path::Path;

use roxmltree::{Document, Node};

/// One TLS listener as rendered: its protocol and cipher lists.
#[derive(Debug)]
pub struct Listener {
    pub name: String,
    pub protocols: Option<String>,
    pub ciphers: Option<String>,
    /// Anything else wrong with it (a connector-level list beside <SSLHostConfig>, an SSL
    /// context protocol that is not TLS).
    pub flaws: Vec<String>,
}

pub fn read(dir: &Path, rel: &str) -> Option<String> {
    fs::read_to_string(dir.join(rel)).ok()
}

pub fn elements<'a, 'i>(
    doc: &'a Document<'i>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    doc.descendants().filter(move |n| n.has_tag_name(name))
}

/// `<parameter name="…">text</parameter>` children of `node`.
pub fn param(node: Node, name: &str) -> Option<String> {
    node.children()
        .find(|c| c.has_tag_name("parameter") && c.attribute("name") == Some(name))
        .map(|c| c.text().unwrap_or("").trim().to_string())
}

fn child_text(node: Node, name: &str) -> Option<String> {
    node.children()
        .find(|c| c.has_tag_name(name))
        .map(|c| c.text().unwrap_or("").trim().to_string())
}

/// Every TLS listener the rendered configuration opens.
pub fn listeners(dir: &Path, conf: &str) -> Vec<Listener> {
    let mut out = Vec::new();
    if let Some(text) = read(dir, &format!("{conf}/tomcat/catalina-server.xml")) {
        let doc = Document::parse(&text).unwrap();
        for c in elements(&doc, "Connector").filter(|c| c.attribute("SSLEnabled") == Some("true")) {
            let port = c.attribute("port").unwrap_or("?");
            let host = c.children().find(|h| h.has_tag_name("SSLHostConfig"));
            // The connector-level attributes would be a second SSL configuration.
            let flaws = ["sslEnabledProtocols", "ciphers"]
                .into_iter()
                .filter(|a| host.is_some() && c.attribute(*a).is_some())
                .map(|a| format!("{a} on the Connector beside <SSLHostConfig>"))
                .collect();
            let attr = |a: &str, b: &str| match host {
                Some(h) => h.attribute(a).map(str::to_string),
                None => c.attribute(b).map(str::to_string),
            };
            out.push(Listener {
                name: format!("tomcat {port}"),
                protocols: attr("protocols", "sslEnabledProtocols"),
                ciphers: attr("ciphers", "ciphers"),
                flaws,
            });
        }
    }
    if let Some(text) = read(dir, &format!("{conf}/axis2/axis2.xml")) {
        let doc = Document::parse(&text).unwrap();
        for r in elements(&doc, "transportReceiver").filter(|r| {
            r.attribute("name") == Some("https")
                && r.attribute("class")
                    .is_some_and(|c| c.contains(".passthru."))
        }) {
            out.push(Listener {
                name: "passthru axis2".into(),
                protocols: param(r, "HttpsProtocols"),
                ciphers: param(r, "PreferredCiphers"),
                flaws: Vec::new(),
            });
        }
    }
    if let Some(text) = read(dir, "repository/resources/security/listenerprofiles.xml") {
        let doc = Document::parse(&text).unwrap();
        for p in elements(&doc, "profile") {
            out.push(Listener {
                name: "passthru profile".into(),
                protocols: child_text(p, "HttpsProtocols"),
                ciphers: child_text(p, "PreferredCiphers"),
                flaws: Vec::new(),
            });
        }
    }
    if let Some(text) = read(dir, &format!("{conf}/broker.xml")) {
        let doc = Document::parse(&text).unwrap();
        for amqp in elements(&doc, "amqp").filter(|a| a.attribute("enabled") != Some("false")) {
            for s in amqp.children().filter(|s| s.has_tag_name("sslConnection")) {
                if s.attribute("enabled") != Some("false") {
                    out.push(Listener {
                        name: "broker amqp".into(),
                        protocols: child_text(s, "sslEnabledProtocols"),
                        ciphers: child_text(s, "ciphers"),
                        flaws: Vec::new(),
                    });
                }
            }
        }
    }
    let wss = "repository/deployment/server/synapse-configs/default/inbound-endpoints/SecureWebSocketInboundEndpoint.xml";
    if let Some(text) = read(dir, wss) {
        let doc = Document::parse(&text).unwrap();
        let params = elements(&doc, "parameters").next();
        if let Some(params) = params {
            out.push(Listener {
                name: "websocket".into(),
                protocols: param(params, "wss.ssl.protocols"),
                ciphers: param(params, "wss.ssl.cipher.suites"),
                flaws: Vec::new(),
            });
        }
    }
    // APIM 4.x's WebHook server (8021): an HTTPS inbound endpoint, deployed and its copy.
    for webhook in [
        "repository/deployment/server/synapse-configs/default/inbound-endpoints/SecureWebhookServer.xml",
        "repository/resources/apim-synapse-config/SecureWebhookServer.xml",
    ] {
        if let Some(text) = read(dir, webhook) {
            let doc = Document::parse(&text).unwrap();
            let params = elements(&doc, "parameters").next();
            if let Some(params) = params {
                out.push(Listener {
                    name: format!("webhook {webhook}"),
                    protocols: param(params, "HttpsProtocols"),
                    ciphers: param(params, "PreferredCiphers"),
                    flaws: Vec::new(),
                });
            }
        }
    }
    if let Some(text) = read(dir, &format!("{conf}/internal-apis.xml")) {
        let doc = Document::parse(&text).unwrap();
        for s in elements(&doc, "sslConfig") {
            let ssl = param(s, "sslProtocol");
            out.push(Listener {
                name: "management api".into(),
                protocols: param(s, "httpsProtocols"),
                ciphers: param(s, "preferredCiphers"),
                flaws: (ssl.as_deref() != Some("TLS"))
                    .then(|| format!("sslProtocol {ssl:?}"))
                    .into_iter()
                    .collect(),
            });
        }
    }
    out
}

fn items(list: &str) -> Vec<&str> {
    list.split([',', ':', ' ', '+'])
        .filter(|s| !s.is_empty())
        .collect()
}

pub fn has_tls13(list: &str) -> bool {
    items(list).contains(&"TLSv1.3")
}

/// What the listener lacks, if anything (this test's own rules, not the tool's).
pub fn weakness(l: &Listener) -> Option<String> {
    if let Some(flaw) = l.flaws.first() {
        return Some(flaw.clone());
    }
    let Some(p) = l.protocols.as_deref().filter(|p| !p.trim().is_empty()) else {
        return Some("no protocol list (every protocol the JDK enables)".into());
    };
    if let Some(bad) = items(p)
        .into_iter()
        .find(|t| !matches!(*t, "TLSv1.2" | "TLSv1.3"))
    {
        return Some(format!("protocol {bad} in {p}"));
    }
    let Some(c) = l.ciphers.as_deref().filter(|c| !c.trim().is_empty()) else {
        return Some("no cipher list (every suite the JDK enables)".into());
    };
    let tls13 = |s: &str| s.starts_with("TLS_AES_") || s.starts_with("TLS_CHACHA20_");
    let strong = |s: &str| {
        tls13(s)
            || ((s.starts_with("TLS_ECDHE_") || s.starts_with("TLS_DHE_RSA_"))
                && (s.contains("_GCM_") || s.contains("_CHACHA20_POLY1305_")))
    };
    if let Some(bad) = items(c).into_iter().find(|s| !strong(s)) {
        return Some(format!("suite {bad}"));
    }
    if has_tls13(p) && !items(c).into_iter().any(tls13) {
        return Some("TLS 1.3 enabled without a TLS 1.3 suite".into());
    }
    None
}

pub fn init_params(dir: &Path, rel: &str) -> Vec<(String, String)> {
    let Some(text) = read(dir, rel) else {
        return Vec::new();
    };
    // web.xml has a DOCTYPE.
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = Document::parse_with_options(&text, opts).unwrap();
    let filter = elements(&doc, "filter")
        .find(|f| child_text(*f, "filter-name").as_deref() == Some("HttpHeaderSecurityFilter"));
    filter
        .into_iter()
        .flat_map(|f| f.children().filter(|c| c.has_tag_name("init-param")))
        .filter_map(|p| Some((child_text(p, "param-name")?, child_text(p, "param-value")?)))
        .collect()
}
