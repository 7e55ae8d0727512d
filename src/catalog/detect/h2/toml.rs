//! deployment.toml generation: `[database.<name>]` on H2, named by what the kernel and product
//! templates put on it.

use std::path::Path;

use super::super::Ctx;
use super::is_broker_store;
use crate::catalog::Severity;
use crate::discover::ProductKind;
use crate::formats::toml::{TomlFile, TomlScalar};

pub(super) fn databases(c: &mut Ctx, path: &Path, t: &TomlFile) {
    let get = |k: &[&str]| match t.get(k) {
        Some(TomlScalar::String(s)) => Some(s),
        _ => None,
    };
    let realm = get(&["realm_manager", "data_source"]).unwrap_or_else(|| "SHARED_DB".into());
    let realm = realm.trim_start_matches("jdbc/").to_ascii_uppercase();
    let jdbc_store = get(&["user_store", "type"]).is_none_or(|s| s.starts_with("database"));
    let config_db = t.line_of(&["database", "config"]).is_some();
    let mut configured = false;
    let mut reported: Vec<String> = Vec::new();
    for leaf in t.leaves() {
        if leaf.path.len() < 3 || leaf.path[0] != "database" {
            continue;
        }
        configured = true;
        let Some((key, db)) = leaf.path[1..].split_last() else {
            continue;
        };
        let db = db.join(".");
        let h2 = match (key.as_str(), &leaf.value) {
            ("type", TomlScalar::String(s)) => s.eq_ignore_ascii_case("h2"),
            ("url", TomlScalar::String(s)) => s.to_ascii_lowercase().starts_with("jdbc:h2:"),
            _ => false,
        };
        if !h2 || db == "local" || db == "registry_db" || reported.contains(&db) {
            continue;
        }
        let segments: Vec<&str> = std::iter::once("database").chain(db.split('.')).collect();
        let line = t.line_of(&segments).or(Some(leaf.line));
        let realm_here = |id: &str| realm == id;
        let mut uses: Vec<&str> = Vec::new();
        let holds = match db.as_str() {
            "shared_db" => {
                if realm_here("SHARED_DB") {
                    uses.push(if jdbc_store {
                        "the user store"
                    } else {
                        "the user store's roles and permissions (users are in LDAP)"
                    });
                }
                uses.push(if config_db {
                    "the governance registry"
                } else {
                    "the config and governance registry"
                });
                Some(uses.join(" and "))
            }
            "user" if realm_here("WSO2USER_DB") => Some("the user store".to_string()),
            "config" => Some("the config registry".to_string()),
            "identity_db" => Some("the identity data (tokens, sessions, consents)".to_string()),
            "apim_db" => {
                Some("the API Manager data (APIs, applications, subscriptions)".to_string())
            }
            _ => None,
        };
        reported.push(db.clone());
        if is_broker_store(&db, "") {
            let message = format!(
                "[database.{db}] is embedded H2: the message-broker store, local to this node"
            );
            c.push_lower(path, line, message, Severity::Info, true);
            continue;
        }
        let message = match holds {
            Some(h) => format!("[database.{db}] is embedded H2 and holds {h}"),
            None => format!("[database.{db}] is embedded H2"),
        };
        c.push(path, line, message);
    }
    if !configured && matches!(c.home.product, ProductKind::Is | ProductKind::Apim) {
        c.push(
            path,
            None,
            "no [database.*] configured: the shared and product databases default to embedded H2",
        );
    }
}
