//! The fields of the deployment.toml actions that set or add one thing: `toml-key`,
//! `toml-append`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::dotted_ok;
use crate::catalog::target::{Format, TargetSpec};
use crate::formats::Compare;

/// `toml-key`: a key of deployment.toml, however it is written (tables, dotted keys, inline).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TomlKey {
    /// Dotted path: `transport.https.sslHostConfig.properties.protocols`.
    pub key: String,
    /// Other spellings the product maps onto `key`; edited in place where present.
    #[serde(default)]
    pub aliases: Vec<String>,
    pub value: String,
    #[serde(default, rename = "type")]
    pub value_type: ValueType,
    #[serde(default)]
    pub compare: Compare,
    /// What the product uses when the key is absent (absent and compliant: no edit).
    #[serde(default)]
    pub product_default: Option<String>,
    /// For a cipher list: the key holding the listener's protocols (and its aliases; the
    /// first present counts).
    #[serde(default)]
    pub protocols: Vec<String>,
}

/// `toml-append`: an array of tables (`[[catalina.valves]]`) holds an entry whose `key` equals
/// `value`; where none does, one is appended with `key` and `fields`. Existing entries are kept
/// as they are (`toml-entry` edits a key of an existing entry instead). Entries are read the way the product's templates iterate them, so a
/// table of tables (`[catalina.valves.valve.properties]`) counts too.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TomlAppend {
    /// Dotted path of the array: `catalina.valves`.
    pub array: String,
    /// Dotted path, within an entry, of the key that identifies it: `properties.className`.
    pub key: String,
    pub value: String,
    /// More keys (dotted, within the entry) a new entry gets, as strings.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// The generated file whose template must loop over the array, relative to the home
    /// (`repository/conf/tomcat/catalina-server.xml`). Where the home holds its templates and
    /// that one does not, nothing is written: the entry would render nowhere (cannot-fix).
    #[serde(default)]
    pub template: Option<String>,
    /// The OSGi bundle that provides what the entry names (`org.wso2.carbon.ui`). Where the
    /// home's `components/plugins` lacks it, nothing is written (cannot-fix).
    #[serde(default)]
    pub bundle: Option<String>,
}

/// How a `toml-key` value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueType {
    #[default]
    String,
    Integer,
    Bool,
    /// A list written as a TOML array of strings (`["TLSv1.2", "TLSv1.3"]`); a list the file
    /// already holds as one string stays a string.
    Array,
}

impl TargetSpec for TomlKey {
    fn format(&self) -> Format {
        Format::Toml
    }
    fn value(&self) -> Option<&str> {
        Some(&self.value)
    }
    fn compare(&self) -> Compare {
        self.compare
    }
    fn subject(&self) -> &str {
        &self.key
    }
    fn check(&self) -> Result<(), (&'static str, String)> {
        for k in std::iter::once(&self.key).chain(&self.aliases) {
            dotted_ok("key", k)?;
        }
        for k in &self.protocols {
            dotted_ok("protocols", k)?;
        }
        Ok(())
    }
}

impl TargetSpec for TomlAppend {
    fn format(&self) -> Format {
        Format::Toml
    }
    fn value(&self) -> Option<&str> {
        Some(&self.value)
    }
    fn subject(&self) -> &str {
        &self.array
    }
    fn check(&self) -> Result<(), (&'static str, String)> {
        let bad = |k: &str| k.is_empty() || k.split('.').any(str::is_empty);
        if bad(&self.array) {
            return Err((
                "array",
                format!("`{}` is not a dotted key path", self.array),
            ));
        }
        if let Some(k) = std::iter::once(&self.key)
            .chain(self.fields.keys())
            .find(|k| bad(k))
        {
            return Err(("key", format!("`{k}` is not a dotted key path")));
        }
        if self.fields.contains_key(&self.key) {
            return Err(("fields", format!("`{}` is the identifying key", self.key)));
        }
        Ok(())
    }
}
