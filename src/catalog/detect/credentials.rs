//! Credentials and keys: admin/admin, the shipped keystore, plain-text passwords.

use super::{is_reference, line_of, str_leaf, Ctx};
use crate::formats::toml::{TomlLeaf, TomlScalar};
use crate::formats::xml::{plain_attribute, Path as XmlPath};

/// The XML files that may hold passwords.
pub(super) const PASSWORD_FILES: [&str; 6] = [
    "{conf}/carbon.xml",
    "{conf}/user-mgt.xml",
    "{conf}/datasources/master-datasources.xml",
    "{conf}/tomcat/catalina-server.xml",
    "{conf}/axis2/axis2.xml",
    "{conf}/identity/identity.xml",
];

pub(super) fn admin(c: &mut Ctx) {
    if let Some((path, t)) = c.toml() {
        let user = str_leaf(t, "super_admin.username");
        let pass = str_leaf(t, "super_admin.password");
        if user.as_deref() == Some("admin") && pass.as_deref() == Some("admin") {
            let line = t.line_of(&["super_admin", "password"]);
            c.push(path, line, "[super_admin] is admin/admin");
        }
    }
    c.xml("{conf}/user-mgt.xml", |c, path, text, doc| {
        let sel = |s: &str| {
            XmlPath::parse(s)
                .ok()
                .and_then(|p| p.select(doc.root_element()).first().copied())
        };
        let user = sel("/UserManager/Realm/Configuration/AdminUser/UserName");
        let pass = sel("/UserManager/Realm/Configuration/AdminUser/Password");
        if let (Some(u), Some(p)) = (user, pass) {
            if u.text().map(str::trim) == Some("admin") && p.text().map(str::trim) == Some("admin")
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

pub(super) fn keystore(c: &mut Ctx) {
    if let Some((path, t)) = c.toml() {
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
                c.push(path, line, format!("[{table}] uses {what}"));
            }
        }
    }
    c.xml("{conf}/carbon.xml", |c, path, text, doc| {
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
    c.xml("{conf}/tomcat/catalina-server.xml", |c, path, text, doc| {
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

pub(super) fn plaintext_passwords(c: &mut Ctx) {
    if let Some((path, t)) = c.toml() {
        for leaf in t.leaves() {
            if secret_leaf(&leaf) {
                let key = leaf.path.join(".");
                let what = if leaf.path[0] == "secrets" {
                    format!("{key} is still in plain text (run the cipher tool to encrypt it)")
                } else {
                    format!("{key} is a plain-text password (use $secret{{alias}})")
                };
                c.push(path, Some(leaf.line), what);
            }
        }
    }
    for rel in PASSWORD_FILES {
        c.xml(rel, |c, path, text, doc| {
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
                    (an.ends_with("pass") || an.ends_with("password")) && !is_reference(a.value())
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
