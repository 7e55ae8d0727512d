//! Detect-only checks: what the tool must not fix by itself (credentials, keystores,
//! databases, exposure), reported with guidance. Values of secrets are never put in messages.

use std::fs;
use std::path::{Path, PathBuf};

use crate::discover::{Model, ProductHome, ProductKind};
use crate::formats::text::Decoded;
use crate::formats::toml::{TomlFile, TomlLeaf, TomlScalar};
use crate::formats::xml::{self, plain_attribute, Path as XmlPath};

/// Handler names a manual patch may use.
pub const HANDLERS: &[&str] = &[
    "default-admin-credentials",
    "default-keystore",
    "plaintext-passwords",
    "embedded-h2",
    "ldap-without-tls",
    "datastore-privileged-user",
    "jmx-remote",
    "default-ports",
    "file-permissions",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub file: Option<PathBuf>,
    pub line: Option<usize>,
    pub message: String,
}

/// The XML files (under conf) each handler reads, so a node loads only what is selected.
fn xml_files(handler: &str) -> &'static [&'static str] {
    match handler {
        "default-admin-credentials" | "ldap-without-tls" => &["user-mgt.xml"],
        "default-keystore" => &["carbon.xml", "tomcat/catalina-server.xml"],
        "plaintext-passwords" => &PASSWORD_FILES,
        "embedded-h2" | "datastore-privileged-user" => &["datasources/master-datasources.xml"],
        "jmx-remote" => &["carbon.xml", "etc/jmx.xml"],
        "default-ports" => &["carbon.xml"],
        _ => &[],
    }
}

const PASSWORD_FILES: [&str; 6] = [
    "carbon.xml",
    "user-mgt.xml",
    "datasources/master-datasources.xml",
    "tomcat/catalina-server.xml",
    "axis2/axis2.xml",
    "identity/identity.xml",
];

/// The texts the selected handlers read, loaded once per node.
pub struct Texts {
    xml: Vec<(&'static str, PathBuf, String)>,
    toml: Option<(PathBuf, String)>,
}

impl Texts {
    pub fn load(home: &ProductHome, handlers: &[&str]) -> Texts {
        let mut xml = Vec::new();
        let mut toml = None;
        match home.model {
            Model::Xml => {
                for rel in handlers.iter().flat_map(|h| xml_files(h)) {
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

pub fn run(handler: &str, docs: &Docs) -> Vec<Detected> {
    let mut out = Vec::new();
    let ctx = Ctx {
        home: docs.home,
        docs,
        out: &mut out,
    };
    match handler {
        "default-admin-credentials" => ctx.admin(),
        "default-keystore" => ctx.keystore(),
        "plaintext-passwords" => ctx.plaintext_passwords(),
        "embedded-h2" => ctx.h2(),
        "ldap-without-tls" => ctx.ldap(),
        "datastore-privileged-user" => ctx.db_users(),
        "jmx-remote" => ctx.jmx(),
        "default-ports" => ctx.ports(),
        "file-permissions" => ctx.permissions(),
        _ => {}
    }
    out
}

struct Ctx<'a, 't> {
    home: &'a ProductHome,
    docs: &'a Docs<'t>,
    out: &'a mut Vec<Detected>,
}

fn read(path: &Path) -> Option<String> {
    fs::read(path).ok().map(|b| Decoded::decode(&b).text)
}

fn line_of(text: &str, pos: usize) -> usize {
    crate::formats::error::line_col(text, pos).0
}

/// `$secret{…}`, `$env{…}`, `$sys{…}` and `${…}` are references, not literal secrets.
fn is_reference(v: &str) -> bool {
    let v = v.trim();
    v.is_empty()
        || ["$secret{", "$env{", "$sys{", "${"]
            .iter()
            .any(|p| v.starts_with(p))
}

fn str_leaf(file: &TomlFile, key: &str) -> Option<String> {
    match file.get(&key.split('.').collect::<Vec<_>>())? {
        TomlScalar::String(s) => Some(s),
        other => Some(format!("{other:?}")),
    }
}

impl<'a, 't> Ctx<'a, 't> {
    fn push(&mut self, file: &Path, line: Option<usize>, message: impl Into<String>) {
        self.out.push(Detected {
            file: Some(file.to_path_buf()),
            line,
            message: message.into(),
        });
    }

    fn toml(&self) -> Option<(&'a Path, &'a TomlFile)> {
        self.docs.toml.as_ref().map(|(p, f)| (*p, f))
    }

    /// Runs `f` on the parsed XML file at `rel` under conf (XML generation only).
    fn xml(&mut self, rel: &str, f: impl FnOnce(&mut Self, &Path, &str, &roxmltree::Document)) {
        let docs: &'a Docs<'t> = self.docs;
        if let Some((_, path, text, doc)) = docs.xml.iter().find(|(r, ..)| *r == rel) {
            f(self, path, text, doc);
        }
    }

    fn admin(mut self) {
        if let Some((path, t)) = self.toml() {
            let user = str_leaf(t, "super_admin.username");
            let pass = str_leaf(t, "super_admin.password");
            if user.as_deref() == Some("admin") && pass.as_deref() == Some("admin") {
                let line = t.line_of(&["super_admin", "password"]);
                self.push(path, line, "[super_admin] is admin/admin");
            }
        }
        self.xml("user-mgt.xml", |c, path, text, doc| {
            let sel = |s: &str| {
                XmlPath::parse(s)
                    .ok()
                    .and_then(|p| p.select(doc.root_element()).first().copied())
            };
            let user = sel("/UserManager/Realm/Configuration/AdminUser/UserName");
            let pass = sel("/UserManager/Realm/Configuration/AdminUser/Password");
            if let (Some(u), Some(p)) = (user, pass) {
                if u.text().map(str::trim) == Some("admin")
                    && p.text().map(str::trim) == Some("admin")
                {
                    c.push(
                        path,
                        Some(line_of(text, p.range().start)),
                        "AdminUser is admin/admin",
                    );
                }
            }
        });
    }

    fn keystore(mut self) {
        if let Some((path, t)) = self.toml() {
            for table in ["keystore.primary", "keystore.tls"] {
                let file = str_leaf(t, &format!("{table}.file_name"));
                let pass = str_leaf(t, &format!("{table}.password"));
                let explicit = file.is_some() || pass.is_some();
                if table == "keystore.tls" && !explicit {
                    continue; // defaults to the primary keystore, reported there
                }
                let default_file = file
                    .as_deref()
                    .is_none_or(|f| f.ends_with("wso2carbon.jks"));
                let default_pass = pass.as_deref().is_none_or(|p| p == "wso2carbon");
                if default_file || default_pass {
                    let line = t
                        .line_of(&table.split('.').collect::<Vec<_>>())
                        .or_else(|| {
                            t.line_of(&format!("{table}.file_name").split('.').collect::<Vec<_>>())
                        });
                    let what = if default_file {
                        "the shipped wso2carbon.jks"
                    } else {
                        "the shipped password"
                    };
                    self.push(path, line, format!("[{table}] uses {what}"));
                }
            }
        }
        self.xml("carbon.xml", |c, path, text, doc| {
            for sel in [
                "/Server/Security/KeyStore/Location",
                "/Server/Security/InternalKeyStore/Location",
            ] {
                let Ok(p) = XmlPath::parse(sel) else { continue };
                for n in p.select(doc.root_element()) {
                    if n.text().unwrap_or("").trim().ends_with("wso2carbon.jks") {
                        c.push(
                            path,
                            Some(line_of(text, n.range().start)),
                            format!("{} is the shipped wso2carbon.jks", &sel[8..]),
                        );
                    }
                }
            }
        });
        self.xml("tomcat/catalina-server.xml", |c, path, text, doc| {
            for n in doc.descendants().filter(|n| n.is_element()) {
                for attr in ["keystoreFile", "certificateKeystoreFile"] {
                    if plain_attribute(n, attr).is_some_and(|v| v.ends_with("wso2carbon.jks")) {
                        c.push(
                            path,
                            Some(line_of(text, n.range().start)),
                            format!("{attr} is the shipped wso2carbon.jks"),
                        );
                    }
                }
            }
        });
    }

    fn plaintext_passwords(mut self) {
        if let Some((path, t)) = self.toml() {
            for leaf in t.leaves() {
                if secret_leaf(&leaf) {
                    let key = leaf.path.join(".");
                    let what = if leaf.path[0] == "secrets" {
                        format!("{key} is still in plain text (run the cipher tool to encrypt it)")
                    } else {
                        format!("{key} is a plain-text password (use $secret{{alias}})")
                    };
                    self.push(path, Some(leaf.line), what);
                }
            }
        }
        for rel in PASSWORD_FILES {
            self.xml(rel, |c, path, text, doc| {
                let mut count = 0;
                let mut first = None;
                for n in doc.descendants().filter(|n| n.is_element()) {
                    let vaulted = n.attributes().any(|a| a.name() == "secretAlias");
                    let name = n.tag_name().name().to_ascii_lowercase();
                    let text_secret = name.ends_with("password")
                        && n.children().all(|c| c.is_text())
                        && !is_reference(n.text().unwrap_or(""));
                    let prop_secret = name == "property"
                        && plain_attribute(n, "name")
                            .is_some_and(|p| p.to_ascii_lowercase().ends_with("password"))
                        && !is_reference(n.text().unwrap_or(""));
                    let attr_secret = n.attributes().any(|a| {
                        let an = a.name().to_ascii_lowercase();
                        (an.ends_with("pass") || an.ends_with("password"))
                            && !is_reference(a.value())
                    });
                    if !vaulted && (text_secret || prop_secret || attr_secret) {
                        count += 1;
                        first.get_or_insert(n.range().start);
                    }
                }
                if let Some(pos) = first {
                    c.push(
                        path,
                        Some(line_of(text, pos)),
                        format!("{count} password value(s) in plain text, not behind Secure Vault"),
                    );
                }
            });
        }
    }

    fn h2(mut self) {
        if let Some((path, t)) = self.toml() {
            let mut configured = false;
            let mut reported: Vec<&str> = Vec::new();
            let leaves = t.leaves();
            for leaf in &leaves {
                if leaf.path.len() == 3 && leaf.path[0] == "database" {
                    configured = true;
                    let db = leaf.path[1].as_str();
                    if db == "local" || db == "registry_db" || reported.contains(&db) {
                        continue;
                    }
                    let h2 = match (leaf.path[2].as_str(), &leaf.value) {
                        ("type", TomlScalar::String(s)) => s.eq_ignore_ascii_case("h2"),
                        ("url", TomlScalar::String(s)) => s.starts_with("jdbc:h2:"),
                        _ => false,
                    };
                    if h2 {
                        // One finding per database, whether type, url or both say H2.
                        let line = t.line_of(&["database", db]).or(Some(leaf.line));
                        self.push(path, line, format!("[database.{db}] uses embedded H2"));
                        reported.push(db);
                    }
                }
            }
            if !configured && matches!(self.home.product, ProductKind::Is | ProductKind::Apim) {
                self.push(path, None, "no [database.*] configured: the shared and product databases default to embedded H2");
            }
        }
        self.xml(
            "datasources/master-datasources.xml",
            |c, path, text, doc| {
                for ds in doc.descendants().filter(|n| n.has_tag_name("datasource")) {
                    let name = child_text(ds, "name").unwrap_or_default();
                    let url = ds
                        .descendants()
                        .find(|n| n.has_tag_name("url"))
                        .and_then(|n| n.text())
                        .unwrap_or("")
                        .trim();
                    if url.starts_with("jdbc:h2:") && name != "WSO2_CARBON_DB" {
                        c.push(
                            path,
                            Some(line_of(text, ds.range().start)),
                            format!("datasource {name} uses embedded H2"),
                        );
                    }
                }
            },
        );
    }

    fn ldap(mut self) {
        if let Some((path, t)) = self.toml() {
            if let Some(url) = str_leaf(t, "user_store.connection_url") {
                if insecure_ldap(&url) {
                    let line = t.line_of(&["user_store", "connection_url"]);
                    self.push(
                        path,
                        line,
                        "[user_store] connection_url is ldap:// (not ldaps://)",
                    );
                }
            }
        }
        self.xml("user-mgt.xml", |c, path, text, doc| {
            for n in doc.descendants().filter(|n| n.has_tag_name("Property")) {
                let live_store = n
                    .parent_element()
                    .is_some_and(|p| p.has_tag_name("UserStoreManager"));
                if live_store
                    && plain_attribute(n, "name") == Some("ConnectionURL")
                    && insecure_ldap(n.text().unwrap_or(""))
                {
                    c.push(
                        path,
                        Some(line_of(text, n.range().start)),
                        "user store ConnectionURL is ldap:// (not ldaps://)",
                    );
                }
            }
        });
    }

    fn db_users(mut self) {
        const PRIVILEGED: [&str; 5] = ["root", "sa", "postgres", "system", "sys"];
        if let Some((path, t)) = self.toml() {
            for leaf in t.leaves() {
                if leaf.path.len() == 3 && leaf.path[0] == "database" && leaf.path[2] == "username"
                {
                    if let TomlScalar::String(u) = &leaf.value {
                        if PRIVILEGED.contains(&u.to_ascii_lowercase().as_str()) {
                            self.push(
                                path,
                                Some(leaf.line),
                                format!(
                                    "[database.{}] connects as privileged user {u}",
                                    leaf.path[1]
                                ),
                            );
                        }
                    }
                }
            }
        }
        self.xml(
            "datasources/master-datasources.xml",
            |c, path, text, doc| {
                for n in doc.descendants().filter(|n| n.has_tag_name("username")) {
                    let u = n.text().unwrap_or("").trim().to_ascii_lowercase();
                    if PRIVILEGED.contains(&u.as_str()) {
                        c.push(
                            path,
                            Some(line_of(text, n.range().start)),
                            format!("a datasource connects as privileged user {u}"),
                        );
                    }
                }
            },
        );
    }

    fn jmx(mut self) {
        if let Some((path, t)) = self.toml() {
            let start = t.get(&["monitoring", "jmx", "rmi_server_start"]);
            if !matches!(start, Some(TomlScalar::Bool(false))) {
                let line = t.line_of(&["monitoring", "jmx", "rmi_server_start"]);
                self.push(path, line, "the JMX RMI server starts (set [monitoring.jmx] rmi_server_start = false if unused)");
            }
        }
        let mut jmx_off = false;
        self.xml("etc/jmx.xml", |_, _, _, doc| {
            jmx_off = doc
                .descendants()
                .find(|n| n.has_tag_name("StartRMIServer"))
                .is_some_and(|n| n.text().unwrap_or("").trim().eq_ignore_ascii_case("false"));
        });
        if jmx_off {
            return;
        }
        self.xml("carbon.xml", |c, path, text, doc| {
            if let Some(n) = doc
                .descendants()
                .find(|n| n.has_tag_name("RMIRegistryPort"))
            {
                c.push(
                    path,
                    Some(line_of(text, n.range().start)),
                    "the JMX RMI server is enabled (etc/jmx.xml StartRMIServer)",
                );
            }
        });
    }

    fn ports(mut self) {
        if let Some((path, t)) = self.toml() {
            let offset = t.get(&["server", "offset"]);
            let zero = match &offset {
                None => self.home.product != ProductKind::Mi,
                Some(TomlScalar::Integer(0)) => true,
                Some(TomlScalar::String(s)) => s.trim() == "0",
                _ => false,
            };
            if zero {
                let line = t.line_of(&["server", "offset"]);
                self.push(
                    path,
                    line,
                    "the server listens on the default, well-known ports (offset 0)",
                );
            }
        }
        self.xml("carbon.xml", |c, path, text, doc| {
            if let Some(n) = doc.descendants().find(|n| n.has_tag_name("Offset")) {
                if n.text().unwrap_or("").trim() == "0"
                    && n.parent_element().is_some_and(|p| p.has_tag_name("Ports"))
                {
                    c.push(
                        path,
                        Some(line_of(text, n.range().start)),
                        "the server listens on the default, well-known ports (Offset 0)",
                    );
                }
            }
        });
    }

    #[cfg(unix)]
    fn permissions(mut self) {
        use std::os::unix::fs::MetadataExt;
        let conf = self.home.root.join(self.home.conf);
        let mut secret_files: Vec<PathBuf> = [
            "deployment.toml",
            "user-mgt.xml",
            "carbon.xml",
            "datasources/master-datasources.xml",
            "tomcat/catalina-server.xml",
            "axis2/axis2.xml",
            "security/cipher-text.properties",
            "security/secret-conf.properties",
        ]
        .iter()
        .map(|r| conf.join(r))
        .collect();
        if let Ok(entries) = fs::read_dir(self.home.root.join("repository/resources/security")) {
            secret_files.extend(
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "jks" || e == "p12")),
            );
        }
        let readable: Vec<String> = secret_files
            .iter()
            .filter(|f| fs::metadata(f).is_ok_and(|m| m.mode() & 0o004 != 0))
            .map(|f| crate::apply::rel_to_home(&self.home.root, f))
            .collect();
        if !readable.is_empty() {
            let root = self.home.root.clone();
            let message = format!(
                "{} file(s) holding secrets are readable by every user: {}",
                readable.len(),
                readable.join(", ")
            );
            self.push(&root, None, message);
        }
        if let Ok(meta) = fs::metadata(&self.home.root) {
            if meta.uid() == 0 {
                let root = self.home.root.clone();
                self.push(
                    &root,
                    None,
                    "the product home is owned by root; run WSO2 as a dedicated unprivileged user",
                );
            }
        }
    }

    #[cfg(not(unix))]
    fn permissions(self) {}
}

fn secret_leaf(leaf: &TomlLeaf) -> bool {
    let Some(last) = leaf.path.last() else {
        return false;
    };
    let last = last.to_ascii_lowercase();
    let named = last == "password" || last.ends_with("_password") || last == "key_password";
    let TomlScalar::String(s) = &leaf.value else {
        return false;
    };
    if leaf.path.first().is_some_and(|p| p == "secrets") {
        // Secure Vault: "[value]" is the plain text the cipher tool has not encrypted yet.
        let s = s.trim();
        return s.starts_with('[') && s.ends_with(']');
    }
    named && !is_reference(s)
}

fn child_text(node: roxmltree::Node, name: &str) -> Option<String> {
    node.children()
        .find(|c| c.has_tag_name(name))
        .and_then(|c| c.text())
        .map(|t| t.trim().to_string())
}

/// ldap:// to another host; the embedded LDAP on the same host is not on the wire.
fn insecure_ldap(url: &str) -> bool {
    let url = url.trim();
    url.starts_with("ldap://")
        && !["ldap://localhost", "ldap://127.0.0.1", "ldap://${"]
            .iter()
            .any(|p| url.starts_with(p))
}
