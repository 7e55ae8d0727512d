//! Detect-only checks: what the tool must not fix by itself (credentials, keystores,
//! databases, exposure), reported with guidance. Values of secrets are never put in messages.

use std::fs;
use std::path::{Path, PathBuf};

use crate::discover::{Model, ProductHome};
use crate::formats::text::Decoded;
use crate::formats::toml::{TomlFile, TomlScalar};
use crate::formats::xml;

mod credentials;
mod datastores;
mod exposure;

/// A detect-only check: its name (a manual patch's `detect = "<name>"`), the XML files under
/// the conf directory it reads in the XML generation (the deployment.toml generation reads
/// deployment.toml), and what it runs on them.
pub struct Handler {
    pub name: &'static str,
    pub files: &'static [&'static str],
    pub run: fn(&mut Ctx),
}

/// Every detect-only handler. Adding one: a row here and its function in the family's file.
pub static HANDLERS: &[Handler] = &[
    Handler {
        name: "default-admin-credentials",
        files: &["user-mgt.xml"],
        run: credentials::admin,
    },
    Handler {
        name: "default-keystore",
        files: &["carbon.xml", "tomcat/catalina-server.xml"],
        run: credentials::keystore,
    },
    Handler {
        name: "plaintext-passwords",
        files: &credentials::PASSWORD_FILES,
        run: credentials::plaintext_passwords,
    },
    Handler {
        name: "embedded-h2",
        files: &["datasources/master-datasources.xml"],
        run: datastores::h2,
    },
    Handler {
        name: "ldap-without-tls",
        files: &["user-mgt.xml"],
        run: datastores::ldap,
    },
    Handler {
        name: "datastore-privileged-user",
        files: &["datasources/master-datasources.xml"],
        run: datastores::db_users,
    },
    Handler {
        name: "jmx-remote",
        files: &["carbon.xml", "etc/jmx.xml"],
        run: exposure::jmx,
    },
    Handler {
        name: "default-ports",
        files: &["carbon.xml"],
        run: exposure::ports,
    },
    // Reads file modes and owners only.
    Handler {
        name: "file-permissions",
        files: &[],
        run: exposure::permissions,
    },
];

/// The handler a manual patch names.
pub fn handler(name: &str) -> Option<&'static Handler> {
    HANDLERS.iter().find(|h| h.name == name)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub file: Option<PathBuf>,
    pub line: Option<usize>,
    pub message: String,
}

/// The texts the selected handlers read, loaded once per node.
pub struct Texts {
    xml: Vec<(&'static str, PathBuf, String)>,
    toml: Option<(PathBuf, String)>,
}

impl Texts {
    pub fn load(home: &ProductHome, handlers: &[&Handler]) -> Texts {
        let mut xml = Vec::new();
        let mut toml = None;
        match home.model {
            Model::Xml => {
                for rel in handlers.iter().flat_map(|h| h.files) {
                    if xml.iter().any(|(r, _, _)| r == rel) {
                        continue;
                    }
                    let path = home.conf_path(rel);
                    if let Some(text) = read(&path) {
                        xml.push((*rel, path, text));
                    }
                }
            }
            Model::Toml => {
                let path = home.conf_path("deployment.toml");
                toml = read(&path).map(|t| (path, t));
            }
        }
        Texts { xml, toml }
    }
}

/// Every loaded file parsed once; the handlers share it.
pub struct Docs<'t> {
    home: &'t ProductHome,
    xml: Vec<(&'static str, &'t Path, &'t str, roxmltree::Document<'t>)>,
    toml: Option<(&'t Path, TomlFile)>,
}

impl<'t> Docs<'t> {
    pub fn parse(home: &'t ProductHome, texts: &'t Texts) -> Docs<'t> {
        Docs {
            home,
            xml: texts
                .xml
                .iter()
                .filter_map(|(rel, path, text)| {
                    xml::parse(text)
                        .ok()
                        .map(|d| (*rel, path.as_path(), text.as_str(), d))
                })
                .collect(),
            toml: texts
                .toml
                .as_ref()
                .and_then(|(p, t)| TomlFile::parse(t).ok().map(|f| (p.as_path(), f))),
        }
    }
}

impl Handler {
    /// Runs the check on the node's parsed files.
    pub fn detect(&self, docs: &Docs) -> Vec<Detected> {
        let mut out = Vec::new();
        let mut ctx = Ctx {
            home: docs.home,
            docs,
            out: &mut out,
        };
        (self.run)(&mut ctx);
        out
    }
}

/// What a handler sees: the home, its parsed files, and where its findings go.
pub struct Ctx<'a, 't> {
    home: &'a ProductHome,
    docs: &'a Docs<'t>,
    out: &'a mut Vec<Detected>,
}

fn read(path: &Path) -> Option<String> {
    fs::read(path).ok().map(|b| Decoded::decode(&b).text)
}

pub(super) fn line_of(text: &str, pos: usize) -> usize {
    crate::formats::error::line_col(text, pos).0
}

/// `$secret{…}`, `$env{…}`, `$sys{…}` and `${…}` are references, not literal secrets.
pub(super) fn is_reference(v: &str) -> bool {
    let v = v.trim();
    v.is_empty()
        || ["$secret{", "$env{", "$sys{", "${"]
            .iter()
            .any(|p| v.starts_with(p))
}

pub(super) fn str_leaf(file: &TomlFile, key: &str) -> Option<String> {
    match file.get(&key.split('.').collect::<Vec<_>>())? {
        TomlScalar::String(s) => Some(s),
        other => Some(format!("{other:?}")),
    }
}

impl<'a, 't> Ctx<'a, 't> {
    pub(super) fn push(&mut self, file: &Path, line: Option<usize>, message: impl Into<String>) {
        self.out.push(Detected {
            file: Some(file.to_path_buf()),
            line,
            message: message.into(),
        });
    }

    pub(super) fn toml(&self) -> Option<(&'a Path, &'a TomlFile)> {
        self.docs.toml.as_ref().map(|(p, f)| (*p, f))
    }

    /// Runs `f` on the parsed XML file at `rel` under conf (XML generation only).
    pub(super) fn xml(
        &mut self,
        rel: &str,
        f: impl FnOnce(&mut Self, &Path, &str, &roxmltree::Document),
    ) {
        let docs: &'a Docs<'t> = self.docs;
        if let Some((_, path, text, doc)) = docs.xml.iter().find(|(r, ..)| *r == rel) {
            f(self, path, text, doc);
        }
    }
}

pub(super) fn child_text(node: roxmltree::Node, name: &str) -> Option<String> {
    node.children()
        .find(|c| c.has_tag_name(name))
        .and_then(|c| c.text())
        .map(|t| t.trim().to_string())
}
