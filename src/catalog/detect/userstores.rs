//! External LDAP/AD user stores the product can write to. The user store manager's class
//! decides (a `ReadOnly` property belongs to JDBC stores): `ReadWriteLDAPUserStoreManager`,
//! `ActiveDirectoryUserStoreManager` (a subclass of it) and their `UniqueID` variants report
//! `isReadOnly() == false` (wso2/carbon-kernel v4.10.42
//! `core/org.wso2.carbon.user.core/src/main/java/org/wso2/carbon/user/core/ldap/`); in
//! deployment.toml `[user_store] type` names them (`read_write_ldap`, `active_directory`, with
//! `_unique_id` variants; kernel `infer.json`) or `class` does. The embedded LDAP of IS ≤ 5.11
//! (`${Ports.EmbeddedLDAP.LDAPServerPort}`) is the product's own, not an external store.

use std::path::Path;

use super::{line_of, Ctx};
use crate::formats::toml::TomlScalar;
use crate::formats::xml::{element_text, plain_attribute};

pub(super) const FILES: [&str; 2] = [
    "{conf}/user-mgt.xml",
    "repository/deployment/server/userstores/*.xml",
];

const READ_WRITE: [&str; 4] = [
    "ReadWriteLDAPUserStoreManager",
    "ActiveDirectoryUserStoreManager",
    "UniqueIDReadWriteLDAPUserStoreManager",
    "UniqueIDActiveDirectoryUserStoreManager",
];
const READ_WRITE_TYPES: [&str; 4] = [
    "read_write_ldap",
    "read_write_ldap_unique_id",
    "active_directory",
    "active_directory_unique_id",
];

/// The read-write LDAP class `class` names, by its simple name.
fn read_write(class: &str) -> Option<&'static str> {
    let simple = class.trim().rsplit('.').next().unwrap_or_default();
    READ_WRITE.into_iter().find(|c| *c == simple)
}

/// The product's own embedded LDAP (IS ≤ 5.11), not an external directory.
fn embedded(url: &str) -> bool {
    let url = url.trim().to_ascii_lowercase();
    url.contains("${ports.embeddedldap")
        || ["ldap://localhost:10389", "ldap://127.0.0.1:10389"]
            .iter()
            .any(|p| url.starts_with(p))
}

pub(super) fn read_write_ldap(c: &mut Ctx) {
    if let Some((path, t)) = c.toml() {
        let get = |k: &str| match t.get(&["user_store", k]) {
            Some(TomlScalar::String(s)) => Some(s),
            _ => None,
        };
        let by_type = get("type").filter(|ty| READ_WRITE_TYPES.contains(&ty.trim()));
        let by_class = get("class").and_then(|cl| read_write(&cl).map(str::to_string));
        let url = get("connection_url").unwrap_or_default();
        if let Some(what) = by_class.or(by_type.map(|t| format!("type {}", t.trim()))) {
            if !embedded(&url) {
                let line = t.line_of(&["user_store"]);
                let message = format!("[user_store] is a read-write LDAP/AD user store ({what})");
                c.push(path, line, message);
            }
        }
    }
    c.xml(FILES[0], |c, path, text, doc| {
        for usm in doc
            .descendants()
            .filter(|n| n.has_tag_name("UserStoreManager"))
            .filter(|n| n.parent_element().is_some_and(|p| p.has_tag_name("Realm")))
        {
            store(c, path, text, usm, "the primary user store".into());
        }
    });
    c.xml(FILES[1], |c, path, text, doc| {
        let root = doc.root_element();
        if root.has_tag_name("UserStoreManager") {
            let domain = property(root, "DomainName").unwrap_or_default();
            let file = path.file_name().map(|f| f.to_string_lossy().into_owned());
            let what = format!(
                "secondary user store {domain} ({})",
                file.unwrap_or_default()
            );
            store(c, path, text, root, what);
        }
    });
}

fn property(usm: roxmltree::Node, name: &str) -> Option<String> {
    usm.children()
        .filter(|n| n.has_tag_name("Property"))
        .find(|n| plain_attribute(*n, "name") == Some(name))
        .map(element_text)
}

fn store(c: &mut Ctx, path: &Path, text: &str, usm: roxmltree::Node, what: String) {
    let Some(class) = plain_attribute(usm, "class").and_then(read_write) else {
        return;
    };
    if property(usm, "ConnectionURL").is_some_and(|u| embedded(&u)) {
        return;
    }
    let message = format!("{what} is a read-write LDAP/AD user store ({class})");
    c.push(path, Some(line_of(text, usm.range().start)), message);
}
