//! Detect-only checks: what the tool must not fix by itself (credentials, keystores,
//! databases, exposure), reported with guidance. Values of secrets are never put in messages.

use std::borrow::Cow;
use std::fs;
use std::path::{Path, PathBuf};

use crate::catalog::Severity;
use crate::discover::{Model, ProductHome};
use crate::formats::text::Decoded;
use crate::formats::toml::{TomlFile, TomlScalar};
use crate::formats::xml;
use crate::mapper::effective::Listener;

mod credentials;
mod datastores;
mod db_tls;
mod exposure;
mod h2;
mod listeners;
mod userstores;

/// A detect-only check: its name (a manual patch's `detect = "<name>"`), the XML files it
/// reads (`{conf}/user-mgt.xml`, a path relative to the home, or a `*.xml` pattern as the last
/// segment: `{conf}/datasources/*.xml`), and what it runs on them. In the deployment.toml
/// generation it also gets deployment.toml, and only the XML files the product does not
/// regenerate from it (custom datasources, secondary user stores).
pub struct Handler {
    pub name: &'static str,
    pub files: &'static [&'static str],
    pub run: fn(&mut Ctx),
}

/// Every detect-only handler. Adding one: a row here and its function in the family's file.
pub static HANDLERS: &[Handler] = &[
    Handler {
        name: "default-admin-credentials",
        files: &["{conf}/user-mgt.xml"],
        run: credentials::admin,
    },
    Handler {
        name: "default-keystore",
        files: &["{conf}/carbon.xml", "{conf}/tomcat/catalina-server.xml"],
        run: credentials::keystore,
    },
    Handler {
        name: "plaintext-passwords",
        files: &credentials::PASSWORD_FILES,
        run: credentials::plaintext_passwords,
    },
    Handler {
        name: "embedded-h2",
        files: &h2::FILES,
        run: h2::h2,
    },
    Handler {
        name: "ldap-without-tls",
        files: &["{conf}/user-mgt.xml"],
        run: datastores::ldap,
    },
    Handler {
        name: "ldap-read-write",
        files: &userstores::FILES,
        run: userstores::read_write_ldap,
    },
    Handler {
        name: "datastore-without-tls",
        files: &db_tls::FILES,
        run: db_tls::db_tls,
    },
    Handler {
        name: "datastore-privileged-user",
        files: &["{conf}/datasources/master-datasources.xml"],
        run: datastores::db_users,
    },
    Handler {
        name: "jmx-remote",
        files: &["{conf}/carbon.xml", "{conf}/etc/jmx.xml"],
        run: exposure::jmx,
    },
    Handler {
        name: "default-ports",
        files: &["{conf}/carbon.xml"],
        run: exposure::ports,
    },
    // Reads the TLS listeners of the effective configuration (deployment.toml generation).
    Handler {
        name: "unmanaged-tls-listeners",
        files: &[],
        run: listeners::unmanaged,
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
    /// Lower than the patch's own severity (a local-only store on H2).
    pub severity: Option<Severity>,
    /// Worth knowing, not worth failing a check for: reported as a note.
    pub note: bool,
}

/// The texts the selected handlers read, loaded once per node: each XML file once, however
/// many patterns name it (`{conf}/datasources/*.xml` and `…/master-datasources.xml`), and per
/// pattern the files it names, in its own order. A text the plan already read (`known`) is
/// borrowed from it, not read again.
pub struct Texts<'k> {
    xml: Vec<(PathBuf, Cow<'k, str>)>,
    by_pattern: Vec<(&'static str, Vec<usize>)>,
    toml: Option<(PathBuf, Cow<'k, str>)>,
}

impl<'k> Texts<'k> {
    /// `known`: the decoded text of a file the node's plan read (the same bytes, decoded the
    /// same way), when it did.
    pub fn load(
        home: &ProductHome,
        handlers: &[&Handler],
        known: &dyn Fn(&Path) -> Option<&'k str>,
    ) -> Texts<'k> {
        let read = |path: &Path| match known(path) {
            Some(text) => Some(Cow::Borrowed(text)),
            None => read(path).map(Cow::Owned),
        };
        let mut xml: Vec<(PathBuf, Cow<'k, str>)> = Vec::new();
        let mut by_pattern: Vec<(&'static str, Vec<usize>)> = Vec::new();
        let mut patterns: Vec<&'static str> =
            handlers.iter().flat_map(|h| h.files).copied().collect();
        patterns.sort_unstable();
        patterns.dedup();
        for pattern in patterns {
            let mut named = Vec::new();
            for path in expand(home, pattern) {
                if let Some(i) = xml.iter().position(|(p, _)| *p == path) {
                    named.push(i);
                    continue;
                }
                // What the product regenerates from deployment.toml is judged there.
                if home.model == Model::Toml && home.is_regenerated(&path) {
                    continue;
                }
                if let Some(text) = read(&path) {
                    named.push(xml.len());
                    xml.push((path, text));
                }
            }
            by_pattern.push((pattern, named));
        }
        let toml = (home.model == Model::Toml)
            .then(|| home.conf_path("deployment.toml"))
            .and_then(|path| read(&path).map(|t| (path, t)));
        Texts {
            xml,
            by_pattern,
            toml,
        }
    }
}

/// The files a handler's file pattern names in `home`, sorted.
fn expand(home: &ProductHome, pattern: &str) -> Vec<PathBuf> {
    let rel = pattern.replace("{conf}", home.conf);
    let path = home.root.join(&rel);
    let Some((dir, glob)) = rel.rsplit_once('/').filter(|(_, g)| g.contains('*')) else {
        return if path.is_file() {
            vec![path]
        } else {
            Vec::new()
        };
    };
    let (prefix, suffix) = glob.split_once('*').unwrap_or((glob, ""));
    let Ok(entries) = fs::read_dir(home.root.join(dir)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(prefix) && name.ends_with(suffix) && name.len() >= glob.len() - 1
        })
        .map(|e| e.path())
        .collect();
    files.sort();
    files
}

/// Every loaded file parsed once; the handlers share it.
pub struct Docs<'t> {
    home: &'t ProductHome,
    /// The TLS listeners of the generated files, when the effective configuration was
    /// computed (deployment.toml generation).
    listeners: Option<&'t [Listener]>,
    /// (path, text, parse) of every loaded XML file (`None`: it does not parse), by the
    /// index `Texts::by_pattern` gives.
    xml: Vec<Option<(&'t Path, &'t str, Held<'t>)>>,
    by_pattern: &'t [(&'static str, Vec<usize>)],
    toml: Option<(&'t Path, Cow<'t, TomlFile>)>,
}

/// An XML parse made here, or the one the plan made of the same text.
enum Held<'t> {
    Own(roxmltree::Document<'t>),
    Shared(&'t roxmltree::Document<'t>),
}

impl<'t> std::ops::Deref for Held<'t> {
    type Target = roxmltree::Document<'t>;
    fn deref(&self) -> &Self::Target {
        match self {
            Held::Own(doc) => doc,
            Held::Shared(doc) => doc,
        }
    }
}

impl<'t> Docs<'t> {
    pub fn parse(home: &'t ProductHome, texts: &'t Texts) -> Docs<'t> {
        Docs::parse_sharing(home, texts, &[], None)
    }

    /// `parse`, taking the parse of a file from `parsed` (deployment.toml's from
    /// `parsed_toml`) where the plan already made it, of the text `Texts::load` borrowed from
    /// the plan, so of the same text.
    pub fn parse_sharing(
        home: &'t ProductHome,
        texts: &'t Texts,
        parsed: &'t [(PathBuf, roxmltree::Document<'t>)],
        parsed_toml: Option<&'t TomlFile>,
    ) -> Docs<'t> {
        let held = |path: &Path, text: &'t str| match parsed.iter().find(|(p, _)| p == path) {
            Some((_, doc)) => Some(Held::Shared(doc)),
            None => xml::parse(text).ok().map(Held::Own),
        };
        Docs {
            home,
            listeners: None,
            xml: texts
                .xml
                .iter()
                .map(|(path, text)| held(path, text).map(|d| (path.as_path(), text.as_ref(), d)))
                .collect(),
            by_pattern: &texts.by_pattern,
            toml: texts.toml.as_ref().and_then(|(p, t)| {
                let file = match parsed_toml {
                    Some(file) => Cow::Borrowed(file),
                    None => Cow::Owned(TomlFile::parse(t).ok()?),
                };
                Some((p.as_path(), file))
            }),
        }
    }
}

impl<'t> Docs<'t> {
    /// With the TLS listeners of the node's effective configuration.
    pub fn with_listeners(mut self, listeners: Option<&'t [Listener]>) -> Docs<'t> {
        self.listeners = listeners;
        self
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
    // Within the size limit: a file over it is refused where it is planned.
    crate::input::read_config(path)
        .ok()
        .map(|b| Decoded::decode(&b).text)
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
            severity: None,
            note: false,
        });
    }

    /// A finding of lower severity than the patch's; `note`: it does not fail a check.
    pub(super) fn push_lower(
        &mut self,
        file: &Path,
        line: Option<usize>,
        message: impl Into<String>,
        severity: Severity,
        note: bool,
    ) {
        self.out.push(Detected {
            file: Some(file.to_path_buf()),
            line,
            message: message.into(),
            severity: Some(severity),
            note,
        });
    }

    pub(super) fn listeners(&self) -> Option<&'t [Listener]> {
        self.docs.listeners
    }

    pub(super) fn toml(&self) -> Option<(&'a Path, &'a TomlFile)> {
        self.docs.toml.as_ref().map(|(p, f)| (*p, &**f))
    }

    /// Runs `f` on every parsed XML file the handler's file `pattern` named.
    pub(super) fn xml(
        &mut self,
        pattern: &str,
        mut f: impl FnMut(&mut Self, &Path, &str, &roxmltree::Document),
    ) {
        let docs: &'a Docs<'t> = self.docs;
        let named = docs.by_pattern.iter().filter(|(p, _)| *p == pattern);
        for &i in named.flat_map(|(_, files)| files) {
            if let Some(Some((path, text, doc))) = docs.xml.get(i) {
                f(self, path, text, doc);
            }
        }
    }
}

pub(super) fn child_text(node: roxmltree::Node, name: &str) -> Option<String> {
    node.children()
        .find(|c| c.has_tag_name(name))
        .and_then(|c| c.text())
        .map(|t| t.trim().to_string())
}

#[cfg(test)]
mod tests;
