//! The effective TLS configuration of a node: every TLS listener in the files the product will
//! generate, each value with its source (deployment.toml key, default.json, infer.json, a
//! `$ref{}` chain, the template itself, or the component's runtime default when absent).
//! Values are traced through a trace render (`render::render(.., trace = true)`), so a value
//! printed through a loop over `.items()` still names its key.

mod scan;
pub mod source;

use serde::Serialize;

use self::scan::{Found, Sources};
pub use self::source::Source;
use super::render::{Outcome, Rendered};
use super::Mapped;

/// What kind of listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Tomcat `Connector SSLEnabled="true"` (catalina-server.xml).
    TomcatConnector,
    /// Axis2 `transportReceiver` terminating TLS (PassThrough, custom SSL listeners; not
    /// Carbon's servlet `HttpsTransportListener`, which is Tomcat's HTTPS connector).
    Axis2Listener,
    /// Message broker `sslConnection` (AMQP, MQTT).
    BrokerSsl,
    /// Synapse inbound endpoint over `https` or `wss`.
    InboundEndpoint,
    /// MI internal APIs (management API) `sslConfig`.
    InternalApi,
    /// Data-bridge event receiver (Thrift, Binary) `sslPort` (data-bridge-config.xml).
    DataReceiver,
}

/// One effective value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    /// `None` when the generated file does not set it.
    pub value: Option<String>,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listener {
    /// The generated file, relative to the home.
    pub file: String,
    /// The element, as a readable path (`Connector[@port="9443"]/SSLHostConfig`).
    pub element: String,
    /// Line of the element in the generated file.
    pub line: u32,
    pub kind: Kind,
    /// False when the generated file disables it (`enabled="false"`, `suspend="true"`).
    pub enabled: bool,
    pub port: Field,
    pub protocols: Field,
    pub ciphers: Field,
}

struct Tracer<'a> {
    mapped: &'a Mapped,
}

impl Sources for Tracer<'_> {
    fn field(&self, file: &Rendered, found: Option<Found>, absent: &str) -> Field {
        let Some(found) = found else {
            return Field {
                value: None,
                source: Source::RuntimeDefault {
                    note: absent.to_string(),
                },
            };
        };
        let source = match file.key_at(&found.range) {
            Some(key) => Source::of_key(self.mapped, key),
            None => Source::template(
                &file.template,
                file.template_line(found.range.start)
                    .unwrap_or_else(|| template_line(file, &found.value)),
            ),
        };
        Field {
            value: Some(found.value),
            source,
        }
    }
}

/// The line of a literal value in the template (first occurrence), 0 when not found.
fn template_line(file: &Rendered, value: &str) -> u32 {
    if value.is_empty() {
        return 0;
    }
    std::fs::read_to_string(&file.template)
        .ok()
        .and_then(|t| {
            t.find(value)
                .map(|at| t[..at].matches('\n').count() as u32 + 1)
        })
        .unwrap_or(0)
}

/// `key=value` in a generated properties file, with the value's range.
fn property(file: &Rendered, key: &str) -> Option<Found> {
    let mut offset = 0;
    for line in file.text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key) {
            let rest_trim = rest.trim_start();
            if let Some(v) = rest_trim.strip_prefix(['=', ':']) {
                let value = v.trim();
                let start = offset + (line.len() - v.len()) + (v.len() - v.trim_start().len());
                return Some(Found {
                    value: value.to_string(),
                    range: start..start + value.len(),
                });
            }
        }
        offset += line.len();
    }
    None
}

/// The listeners in a traced render, and the files that could not be scanned.
pub fn listeners(mapped: &Mapped, rendered: &Outcome) -> (Vec<Listener>, Vec<String>) {
    let tracer = Tracer { mapped };
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for f in rendered.files.iter().filter(|f| f.rel.ends_with(".xml")) {
        match scan::scan(f, &tracer) {
            Ok(mut l) => out.append(&mut l),
            Err(e) => problems.push(format!(
                "{}: not well-formed XML, not scanned for listeners: {e}",
                f.rel
            )),
        }
    }
    // MI's internal APIs listen on synapse.properties' internal.https.api.port
    if let Some(props) = rendered
        .files
        .iter()
        .find(|f| f.rel.ends_with("conf/synapse.properties"))
    {
        for l in out.iter_mut().filter(|l| l.kind == Kind::InternalApi) {
            l.port = tracer.field(
                props,
                property(props, "internal.https.api.port"),
                "synapse.properties has no internal.https.api.port",
            );
        }
    }
    (out, problems)
}

/// The port offset the server adds to its ports: carbon.xml's `Ports/Offset` as generated
/// (a `-DportOffset` at start-up overrides it).
pub fn port_offset(mapped: &Mapped, rendered: &Outcome) -> Field {
    let tracer = Tracer { mapped };
    let found = rendered
        .files
        .iter()
        .find(|f| f.rel.ends_with("conf/carbon.xml"))
        .and_then(|f| {
            let opts = roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            };
            let doc = roxmltree::Document::parse_with_options(&f.text, opts).ok()?;
            let off = doc.descendants().find(|n| {
                n.has_tag_name("Offset")
                    || (n.tag_name().name() == "Offset"
                        && n.parent_element()
                            .is_some_and(|p| p.tag_name().name() == "Ports"))
            })?;
            let t = off.children().find(|c| c.is_text())?;
            Some((
                f,
                Found {
                    value: t.text()?.trim().to_string(),
                    range: t.range(),
                },
            ))
        });
    match found {
        Some((f, found)) => tracer.field(f, Some(found), ""),
        None => Field {
            value: None,
            source: Source::RuntimeDefault {
                note: "no carbon.xml Ports/Offset generated: 0 unless -DportOffset is given at start-up".into(),
            },
        },
    }
}
