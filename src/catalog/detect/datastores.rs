//! Data stores: privileged database users, LDAP without TLS.

use super::{line_of, str_leaf, Ctx};
use crate::formats::toml::TomlScalar;
use crate::formats::xml::plain_attribute;

pub(super) fn ldap(c: &mut Ctx) {
    if let Some((path, t)) = c.toml() {
        if let Some(url) = str_leaf(t, "user_store.connection_url") {
            if insecure_ldap(&url) {
                let line = t.line_of(&["user_store", "connection_url"]);
                c.push(
                    path,
                    line,
                    "[user_store] connection_url is ldap:// (not ldaps://)",
                );
            }
        }
    }
    c.xml("{conf}/user-mgt.xml", |c, path, text, doc| {
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

pub(super) fn db_users(c: &mut Ctx) {
    const PRIVILEGED: [&str; 5] = ["root", "sa", "postgres", "system", "sys"];
    if let Some((path, t)) = c.toml() {
        for leaf in t.leaves() {
            if leaf.path.len() == 3 && leaf.path[0] == "database" && leaf.path[2] == "username" {
                if let TomlScalar::String(u) = &leaf.value {
                    if PRIVILEGED.contains(&u.to_ascii_lowercase().as_str()) {
                        c.push(
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
    c.xml(
        "{conf}/datasources/master-datasources.xml",
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

/// ldap:// to another host; the embedded LDAP on the same host is not on the wire.
fn insecure_ldap(url: &str) -> bool {
    let url = url.trim();
    url.starts_with("ldap://")
        && !["ldap://localhost", "ldap://127.0.0.1", "ldap://${"]
            .iter()
            .any(|p| url.starts_with(p))
}
