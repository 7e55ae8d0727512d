//! Exposure: the JMX RMI server, default ports, files other users can read.

use std::fs;
use std::path::PathBuf;

use super::{line_of, Ctx};
use crate::discover::ProductKind;
use crate::formats::toml::TomlScalar;

pub(super) fn jmx(c: &mut Ctx) {
    if let Some((path, t)) = c.toml() {
        let start = t.get(&["monitoring", "jmx", "rmi_server_start"]);
        if !matches!(start, Some(TomlScalar::Bool(false))) {
            let line = t.line_of(&["monitoring", "jmx", "rmi_server_start"]);
            c.push(path, line, "the JMX RMI server starts (set [monitoring.jmx] rmi_server_start = false if unused)");
        }
    }
    let mut jmx_off = false;
    c.xml("{conf}/etc/jmx.xml", |_, _, _, doc| {
        jmx_off = doc
            .descendants()
            .find(|n| n.has_tag_name("StartRMIServer"))
            .is_some_and(|n| n.text().unwrap_or("").trim().eq_ignore_ascii_case("false"));
    });
    if jmx_off {
        return;
    }
    c.xml("{conf}/carbon.xml", |c, path, text, doc| {
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

pub(super) fn ports(c: &mut Ctx) {
    if let Some((path, t)) = c.toml() {
        let offset = t.get(&["server", "offset"]);
        let zero = match &offset {
            None => c.home.product != ProductKind::Mi,
            Some(TomlScalar::Integer(0)) => true,
            Some(TomlScalar::String(s)) => s.trim() == "0",
            _ => false,
        };
        if zero {
            let line = t.line_of(&["server", "offset"]);
            c.push(
                path,
                line,
                "the server listens on the default, well-known ports (offset 0)",
            );
        }
    }
    c.xml("{conf}/carbon.xml", |c, path, text, doc| {
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
pub(super) fn permissions(c: &mut Ctx) {
    use std::os::unix::fs::MetadataExt;
    let conf = c.home.root.join(c.home.conf);
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
    if let Ok(entries) = fs::read_dir(c.home.root.join("repository/resources/security")) {
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
        .map(|f| crate::apply::rel_to_home(&c.home.root, f))
        .collect();
    if !readable.is_empty() {
        let root = c.home.root.clone();
        let message = format!(
            "{} file(s) holding secrets are readable by every user: {}",
            readable.len(),
            readable.join(", ")
        );
        c.push(&root, None, message);
    }
    if let Ok(meta) = fs::metadata(&c.home.root) {
        if meta.uid() == 0 {
            let root = c.home.root.clone();
            c.push(
                &root,
                None,
                "the product home is owned by root; run WSO2 as a dedicated unprivileged user",
            );
        }
    }
}

#[cfg(not(unix))]
pub(super) fn permissions(_: &mut Ctx) {}
