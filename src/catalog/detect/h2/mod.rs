//! Embedded H2, one finding per database, naming what sits on it.
//!
//! XML generation (Carbon 4.4): every datasource of `datasources/*.xml` on `jdbc:h2:`. What
//! sits on it comes from `user-mgt.xml` (the realm's `dataSource`: the user store) and
//! `registry.xml` (`currentDBConfig` holds the local registry, and the config and governance
//! registry unless `/_system/config` and `/_system/governance` are mounted elsewhere); a file
//! the home does not hold counts as shipped, where both point at `jdbc/WSO2CarbonDB`
//! (wso2/carbon-kernel v4.4.40 `distribution/kernel/carbon-home/repository/conf/user-mgt.xml`
//! and `registry.xml`). The local registry alone on H2 is how WSO2 ships and recommends it: no
//! finding. A message-broker store is local to its node: a note.
//!
//! deployment.toml generation: `[database.<name>]` with `type = "h2"` or a `jdbc:h2:` URL.
//! `shared_db` holds the governance registry, the config registry (unless `[database.config]`)
//! and the realm (`[realm_manager] data_source`, default `SHARED_DB`); kernel templates
//! `registry.xml.j2`, `user-mgt.xml.j2`, `datasources/master-datasources.xml.j2`.

mod toml;

use std::path::PathBuf;

use super::{child_text, line_of, Ctx};
use crate::catalog::Severity;
use crate::formats::xml::{element_text, plain_attribute};

/// The files the H2 check reads.
pub(super) const FILES: [&str; 3] = [
    "{conf}/datasources/*.xml",
    "{conf}/user-mgt.xml",
    "{conf}/registry.xml",
];

const CARBON_DB: &str = "jdbc/WSO2CarbonDB";

pub(super) fn h2(c: &mut Ctx) {
    match c.toml() {
        Some((path, t)) => {
            toml::databases(c, path, t);
            custom_datasources(c);
        }
        None => xml_datasources(c),
    }
}

/// The datasources deployment.toml renders (kernel and product `master-datasources.xml.j2`):
/// judged from `[database.*]`, whatever a stale XML copy says.
const TOML_RENDERED: [&str; 7] = [
    "jdbc/WSO2CarbonDB",
    "jdbc/SHARED_DB",
    "jdbc/WSO2USER_DB",
    "jdbc/WSO2CONFIG_DB",
    "jdbc/WSO2IdentityDB",
    "jdbc/WSO2AM_DB",
    "WSO2MBStoreDB",
];

/// deployment.toml generation: datasource files it does not regenerate hold custom
/// datasources; the user store and the registry are described by `[database.*]`.
fn custom_datasources(c: &mut Ctx) {
    for ds in h2_datasources(c) {
        if TOML_RENDERED.contains(&ds.jndi.as_str()) || ds.name == "WSO2_CARBON_DB" {
            continue;
        }
        let message = format!("datasource {} is embedded H2", ds.label());
        c.push(&ds.path, Some(ds.line), message);
    }
}

struct Datasource {
    name: String,
    jndi: String,
    path: PathBuf,
    line: usize,
}

impl Datasource {
    fn label(&self) -> String {
        match self.jndi.as_str() {
            "" => self.name.clone(),
            jndi => format!("{} ({jndi})", self.name),
        }
    }
}

/// Every datasource of `datasources/*.xml` on a `jdbc:h2:` URL.
fn h2_datasources(c: &mut Ctx) -> Vec<Datasource> {
    let mut h2 = Vec::new();
    c.xml(FILES[0], |_, path, text, doc| {
        for ds in doc.descendants().filter(|n| n.has_tag_name("datasource")) {
            let url = ds
                .descendants()
                .find(|n| n.has_tag_name("url"))
                .map(element_text)
                .unwrap_or_default();
            if url.to_ascii_lowercase().starts_with("jdbc:h2:") {
                let name = child_text(ds, "name").unwrap_or_default();
                let jndi = ds
                    .children()
                    .find(|n| n.has_tag_name("jndiConfig"))
                    .and_then(|j| child_text(j, "name"))
                    .filter(|j| !j.is_empty())
                    // The shipped pairing, for a hand-trimmed file without its jndiConfig.
                    .or_else(|| (name == "WSO2_CARBON_DB").then(|| CARBON_DB.to_string()))
                    .unwrap_or_default();
                h2.push(Datasource {
                    name,
                    jndi,
                    path: path.to_path_buf(),
                    line: line_of(text, ds.range().start),
                });
            }
        }
    });
    h2
}

fn xml_datasources(c: &mut Ctx) {
    let h2 = h2_datasources(c);
    if h2.is_empty() {
        return;
    }
    let mut realm: Option<String> = None;
    let mut ldap_users = false;
    c.xml(FILES[1], |_, _, _, doc| {
        realm = doc
            .descendants()
            .filter(|n| n.has_tag_name("Property"))
            .find(|n| {
                plain_attribute(*n, "name") == Some("dataSource")
                    && n.parent_element()
                        .is_some_and(|p| p.has_tag_name("Configuration"))
            })
            .map(element_text);
        // IS 5.x keeps users in an (embedded) LDAP; the realm's database still holds roles,
        // permissions and claims.
        ldap_users = doc
            .descendants()
            .find(|n| n.has_tag_name("UserStoreManager"))
            .and_then(|n| plain_attribute(n, "class"))
            .is_some_and(|c| c.contains(".ldap."));
    });
    let mut registry: Option<Registry> = None;
    c.xml(FILES[2], |_, _, _, doc| {
        registry = Some(Registry::read(doc))
    });
    let assumed_realm = realm.is_none();
    let realm = realm.unwrap_or_else(|| CARBON_DB.to_string());
    let assumed_registry = registry.is_none();
    let registry = registry.unwrap_or_default();
    for ds in h2 {
        let is = |jndi: &str| !jndi.is_empty() && (jndi == ds.jndi || jndi == ds.name);
        let mut uses = Vec::new();
        if is(&realm) {
            uses.push(match (assumed_realm, ldap_users) {
                (true, _) => "the user store (user-mgt.xml is not in this home; as shipped)",
                (false, false) => "the user store (user-mgt.xml)",
                (false, true) => {
                    "the user store's roles and permissions (user-mgt.xml; users are in LDAP)"
                }
            });
        }
        let config = is(&registry.config);
        let governance = is(&registry.governance);
        let registries = match (config, governance) {
            (true, true) => Some("the config and governance registry"),
            (true, false) => Some("the config registry"),
            (false, true) => Some("the governance registry"),
            (false, false) => None,
        };
        let registries = registries.map(|r| match assumed_registry {
            true => format!("{r} (registry.xml is not in this home; as shipped)"),
            false => format!("{r} (registry.xml)"),
        });
        let mut uses: Vec<String> = uses.into_iter().map(String::from).collect();
        uses.extend(registries);
        let what = format!("datasource {}", ds.label());
        if !uses.is_empty() {
            let message = format!("{what} is embedded H2 and holds {}", uses.join(" and "));
            c.push(&ds.path, Some(ds.line), message);
        } else if is(&registry.local) || ds.jndi == CARBON_DB {
            // The local registry alone: as WSO2 ships and recommends it.
        } else if is_broker_store(&ds.name, &ds.jndi) {
            let message = format!("{what} is embedded H2: the message-broker store, local to this node (move it to a shared RDBMS before clustering)");
            c.push_lower(&ds.path, Some(ds.line), message, Severity::Info, true);
        } else {
            let holds = known_database(&ds.name)
                .map(|h| format!(" and holds {h}"))
                .unwrap_or_default();
            c.push(
                &ds.path,
                Some(ds.line),
                format!("{what} is embedded H2{holds}"),
            );
        }
    }
}

/// Which datasource (JNDI name) each registry partition lives on.
struct Registry {
    local: String,
    config: String,
    governance: String,
}

impl Registry {
    fn read(doc: &roxmltree::Document) -> Registry {
        let root = doc.root_element();
        let child = |n: roxmltree::Node, name: &str| {
            n.children()
                .find(|c| c.has_tag_name(name))
                .map(element_text)
        };
        let db_config = |name: &str| {
            root.children()
                .filter(|n| n.has_tag_name("dbConfig"))
                .find(|n| plain_attribute(*n, "name") == Some(name))
                .and_then(|n| child(n, "dataSource"))
                .unwrap_or_default()
        };
        let current = child(root, "currentDBConfig").unwrap_or_default();
        let local = db_config(&current);
        let mounted = |path: &str| {
            let mount = root
                .children()
                .filter(|n| n.has_tag_name("mount"))
                .find(|n| plain_attribute(*n, "path") == Some(path))?;
            let instance = child(mount, "instanceId")?;
            let remote = root
                .children()
                .filter(|n| n.has_tag_name("remoteInstance"))
                .find(|n| child(*n, "id").as_deref() == Some(instance.as_str()))?;
            child(remote, "dbConfig").map(|d| db_config(&d))
        };
        Registry {
            config: mounted("/_system/config").unwrap_or_else(|| local.clone()),
            governance: mounted("/_system/governance").unwrap_or_else(|| local.clone()),
            local,
        }
    }
}

impl Default for Registry {
    /// As shipped: every partition on the local registry's datasource.
    fn default() -> Registry {
        Registry {
            local: CARBON_DB.into(),
            config: CARBON_DB.into(),
            governance: CARBON_DB.into(),
        }
    }
}

pub(super) fn is_broker_store(name: &str, jndi: &str) -> bool {
    let n = format!("{name} {jndi}").to_ascii_uppercase();
    n.contains("MB_STORE") || n.contains("MBSTORE") || n.contains("MB.STORE")
}

/// What the datasources WSO2 ships hold, by name.
fn known_database(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_uppercase().as_str() {
        "WSO2AM_DB" | "APIM_DB" => "the API Manager data (APIs, applications, subscriptions)",
        "WSO2AM_STATS_DB" => "the API usage statistics",
        "WSO2_IDENTITY_DB" | "WSO2IDENTITY_DB" | "IDENTITY_DB" => {
            "the identity data (tokens, sessions, consents)"
        }
        "WSO2_CONSENT_DB" => "the consent data",
        "WSO2_SHARED_DB" | "SHARED_DB" => "the shared data (user store and registry)",
        "WSO2UM_DB" | "WSO2USER_DB" => "the user store",
        "WSO2REG_DB" | "WSO2CONFIG_DB" => "the registry",
        "WSO2_METRICS_DB" => "the JVM metrics",
        _ => return None,
    })
}
