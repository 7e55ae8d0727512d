//! Data stores: embedded H2, privileged database users, LDAP without TLS.

use super::{child_text, line_of, str_leaf, Ctx};
use crate::discover::ProductKind;
use crate::formats::toml::TomlScalar;
use crate::formats::xml::plain_attribute;

pub(super) fn h2(c: &mut Ctx) {
    if let Some((path, t)) = c.toml() {
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
                    c.push(path, line, format!("[database.{db}] uses embedded H2"));
                    reported.push(db);
                }
            }
        }
        if !configured && matches!(c.home.product, ProductKind::Is | ProductKind::Apim) {
            c.push(path, None, "no [database.*] configured: the shared and product databases default to embedded H2");
        }
    }
    c.xml(
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
    c.xml("user-mgt.xml", |c, path, text, doc| {
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

/// ldap:// to another host; the embedded LDAP on the same host is not on the wire.
fn insecure_ldap(url: &str) -> bool {
    let url = url.trim();
    url.starts_with("ldap://")
        && !["ldap://localhost", "ldap://127.0.0.1", "ldap://${"]
            .iter()
            .any(|p| url.starts_with(p))
}
