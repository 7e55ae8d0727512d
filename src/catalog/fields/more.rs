//! The fields of the actions that do more than set one value: `toml-move`, `toml-entry` and
//! `report`. Plain data, like the rest of `fields`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::ValueType;
use crate::catalog::target::{Format, Selector, TargetSpec};
use crate::formats::Compare;

/// `toml-move`: a key the product reads in the wrong place is moved to the right one
/// (`[transport.https.properties] ciphers` renders on the Tomcat `<Connector>`, beside the
/// `<SSLHostConfig>` that holds the effective value). Where `to` is set already, `from` is
/// removed; otherwise its value moves there. The next target of the patch then judges `to`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TomlMove {
    pub from: String,
    pub to: String,
}

/// `toml-entry`: a key of one entry of an array of tables, the entry found by a key
/// (`[[tomcat.header_security_filters]]` whose `name` is `hstsEnabled`: its `value`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TomlEntry {
    /// The array of tables, dotted: `tomcat.header_security_filters`.
    pub array: String,
    /// The key that names an entry (`name`) and the name of this one (`hstsEnabled`).
    pub key: String,
    pub name: String,
    /// The entry's key that holds the setting (`value`).
    pub field: String,
    pub value: String,
    #[serde(default, rename = "type")]
    pub value_type: ValueType,
    #[serde(default)]
    pub compare: Compare,
    /// The product's entries when the file has no array. A written array replaces the
    /// product's default one, so these are written with it (this entry set to the value).
    #[serde(default)]
    pub product_default: Vec<BTreeMap<String, DefaultValue>>,
}

/// `toml-each`: a key of every entry of an array of tables whose `where` key is true
/// (`[[custom_transport]]` with `properties.SSLEnabled = true`: its
/// `properties.sslEnabledProtocols`). Keys are relative to the entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TomlEach {
    /// The array of tables, dotted: `custom_transport`.
    pub array: String,
    /// The entry's key that must be true (`properties.SSLEnabled`).
    #[serde(rename = "where")]
    pub where_true: String,
    /// The entry's key the target sets (a string).
    pub key: String,
    pub value: String,
    #[serde(default)]
    pub compare: Compare,
    /// For a cipher list: the entry's key(s) holding its protocols.
    #[serde(default)]
    pub protocols: Vec<String>,
}

/// A scalar of a `product_default` entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum DefaultValue {
    Bool(bool),
    Integer(i64),
    String(String),
}

/// `report`: a finding, not an edit, wherever the target applies: a listener that this file
/// cannot harden (a template hard-codes the value, the product version reads no key), with
/// what the operator does instead.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// What cannot be fixed here, and why.
    pub message: String,
    /// What the operator does instead.
    #[serde(default)]
    pub guidance: Option<String>,
    /// `cannot-fix` (the default: `check` fails until it is handled) or `warning`.
    #[serde(default)]
    pub level: ReportLevel,
    /// XML: one finding per element this selects, and none when it selects nothing.
    #[serde(default)]
    pub select: Option<Selector>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportLevel {
    #[default]
    CannotFix,
    Warning,
}

impl TargetSpec for TomlMove {
    fn format(&self) -> Format {
        Format::Toml
    }
    fn value(&self) -> Option<&str> {
        None
    }
    fn subject(&self) -> &str {
        &self.from
    }
    fn check(&self) -> Result<(), (&'static str, String)> {
        super::dotted_ok("from", &self.from)?;
        super::dotted_ok("to", &self.to)
    }
}

impl TargetSpec for TomlEach {
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
        &self.array
    }
    fn check(&self) -> Result<(), (&'static str, String)> {
        super::dotted_ok("array", &self.array)?;
        super::dotted_ok("where", &self.where_true)?;
        super::dotted_ok("key", &self.key)?;
        for p in &self.protocols {
            super::dotted_ok("protocols", p)?;
        }
        Ok(())
    }
}

impl TargetSpec for TomlEntry {
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
        &self.array
    }
    fn check(&self) -> Result<(), (&'static str, String)> {
        super::dotted_ok("array", &self.array)?;
        for (field, v) in [("key", &self.key), ("field", &self.field)] {
            if v.is_empty() || v.contains('.') {
                return Err((field, format!("`{v}` is not a key of the entry")));
            }
        }
        let named = |e: &BTreeMap<String, DefaultValue>| e.get(&self.key).is_some();
        if !self.product_default.iter().all(named) {
            let m = format!(
                "every product_default entry names itself with `{}`",
                self.key
            );
            return Err(("product_default", m));
        }
        Ok(())
    }
}

impl TargetSpec for Report {
    fn format(&self) -> Format {
        match self.select {
            Some(_) => Format::Xml,
            None => Format::Any,
        }
    }
    fn value(&self) -> Option<&str> {
        None
    }
    fn subject(&self) -> &str {
        self.select.as_ref().map_or("", |s| s.source.as_str())
    }
    fn check(&self) -> Result<(), (&'static str, String)> {
        match self.message.trim().is_empty() {
            true => Err(("message", "a report says what cannot be fixed".into())),
            false => Ok(()),
        }
    }
}
