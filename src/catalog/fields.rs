//! The fields of each action of `[[target]]` (one struct per action, exactly its fields),
//! and what the catalog checks across them at load. Plain data: the build script includes it.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::catalog::target::{Format, Selector, TargetSpec};
use crate::formats::xml::path::Predicate;
use crate::formats::Compare;

mod more;
#[allow(unused_imports)] // the build script includes this file without the actions
pub use more::{DefaultValue, Report, ReportLevel, TomlEach, TomlEntry, TomlMove};

/// A dotted key path: no empty segment.
fn dotted_ok(field: &'static str, key: &str) -> Result<(), (&'static str, String)> {
    match key.is_empty() || key.split('.').any(str::is_empty) {
        true => Err((field, format!("`{key}` is not a dotted key path"))),
        false => Ok(()),
    }
}

/// `xml-attr`: attribute `attr` of every element `select` matches.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XmlAttr {
    pub select: Selector,
    pub attr: String,
    pub value: String,
    #[serde(default)]
    pub compare: Compare,
    /// Insert a missing element as `<X attr="value"/>` into each parent the selector's parent
    /// matches (the last step's `[@a='v']` predicates become its attributes).
    #[serde(default)]
    pub create: bool,
    /// For a cipher list: the attribute of the same element holding the protocols (a list
    /// that enables TLS 1.3 gets a TLS 1.3 suite).
    #[serde(default)]
    pub protocols: Option<String>,
}

/// `xml-text`: the text of every element `select` matches.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XmlText {
    pub select: Selector,
    pub value: String,
    #[serde(default)]
    pub compare: Compare,
    /// Insert a missing element into each parent, next to a commented-out copy of it when
    /// there is one, else after its last sibling element.
    #[serde(default)]
    pub create: bool,
    /// For a cipher list: the element holding the protocols, under the same parent.
    #[serde(default)]
    pub protocols: Option<Selector>,
}

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

/// `toml-array-entry`: an array of tables (`[[catalina.valves]]`) holds an entry whose `key`
/// equals `value`; where none does, one is appended with `key` and `fields`. Existing entries
/// are kept as they are. Entries are read the way the product's templates iterate them, so a
/// table of tables (`[catalina.valves.valve.properties]`) counts too.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TomlArrayEntry {
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
    /// Set where the product cannot take the entry from deployment.toml at all: the reason.
    /// A missing entry is then a cannot-fix finding, never a write.
    #[serde(default)]
    pub unsupported: Option<String>,
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

/// `jvm-flag`: a `-Dname=value` system property of the java launch command.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JvmFlag {
    pub flag: String,
    pub value: String,
    #[serde(default)]
    pub compare: Compare,
}

/// `jvm-heap`: the initial or maximum heap (`JVM_MEM_OPTS` in .sh, the .bat command line).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JvmHeap {
    pub flag: HeapFlag,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum HeapFlag {
    #[serde(rename = "-Xms")]
    Xms,
    #[serde(rename = "-Xmx")]
    Xmx,
}

impl HeapFlag {
    pub fn as_str(self) -> &'static str {
        match self {
            HeapFlag::Xms => "-Xms",
            HeapFlag::Xmx => "-Xmx",
        }
    }
}

/// `property`: a key of a Java properties file (log4j).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Property {
    pub key: String,
    pub value: String,
    #[serde(default)]
    pub compare: Compare,
    /// Only when this key exists (the appender is configured at all).
    #[serde(default)]
    pub requires_key: Option<String>,
    /// Current values that already comply (alternatives to `value`).
    #[serde(default)]
    pub accept: Vec<String>,
}

/// `property-contains`: a property's value must contain `token`; where it does not, `value`
/// is added at the start or the end of the current value, which is kept (a log pattern gets
/// one more field, never a new pattern). An absent key is left absent.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropertyContains {
    pub key: String,
    /// What the value must contain (`%K`), compared literally.
    pub token: String,
    /// What is added where the token is missing (`[%K] `); it contains `token`.
    pub value: String,
    /// Where `value` goes: `start` (default) or `end` of the current value.
    #[serde(default)]
    pub at: InsertAt,
    /// Only when this key exists…
    #[serde(default)]
    pub requires_key: Option<String>,
    /// …and holds this value (`org.wso2.carbon.utils.logging.TenantAwarePatternLayout`).
    #[serde(default)]
    pub requires_value: Option<String>,
}

/// Where `property-contains` adds its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InsertAt {
    #[default]
    Start,
    End,
}

/// `log4j2-counter`: a log4j2 `filePattern` gets `%i`, so size rollovers on one day do not
/// overwrite each other.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Log4j2Counter {
    pub key: String,
}

impl TargetSpec for XmlAttr {
    fn format(&self) -> Format {
        Format::Xml
    }
    fn value(&self) -> Option<&str> {
        Some(&self.value)
    }
    fn compare(&self) -> Compare {
        self.compare
    }
    fn subject(&self) -> &str {
        &self.select.source
    }
    fn check(&self) -> Result<(), (&'static str, String)> {
        if self.attr.is_empty()
            || self
                .attr
                .contains(|c: char| c.is_whitespace() || "=\"'<>/".contains(c))
        {
            return Err(("attr", format!("`{}` is not an attribute name", self.attr)));
        }
        if !self.create {
            return Ok(());
        }
        for p in &self.select.path.last().predicates {
            match p {
                Predicate::AttrEq(a, v) if *a == self.attr && *v != self.value => {
                    let m =
                        format!("with `create`, [@{a}='{v}'] must equal the value the target sets");
                    return Err(("select", m));
                }
                Predicate::AttrEq(..) => {}
                Predicate::HasAttr(a) if *a == self.attr => {}
                _ => return Err(("select", CREATE_PREDICATES.into())),
            }
        }
        Ok(())
    }
}

const CREATE_PREDICATES: &str =
    "with `create`, the last step may only carry [@a='v'] predicates (the inserted element gets them)";

impl TargetSpec for XmlText {
    fn format(&self) -> Format {
        Format::Xml
    }
    fn value(&self) -> Option<&str> {
        Some(&self.value)
    }
    fn compare(&self) -> Compare {
        self.compare
    }
    fn subject(&self) -> &str {
        &self.select.source
    }
    fn check(&self) -> Result<(), (&'static str, String)> {
        let last = self.select.path.last();
        if self.create
            && last
                .predicates
                .iter()
                .any(|p| !matches!(p, Predicate::AttrEq(..)))
        {
            return Err(("select", CREATE_PREDICATES.into()));
        }
        Ok(())
    }
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

impl TargetSpec for TomlArrayEntry {
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

impl TargetSpec for JvmFlag {
    fn format(&self) -> Format {
        Format::Script
    }
    fn value(&self) -> Option<&str> {
        Some(&self.value)
    }
    fn compare(&self) -> Compare {
        self.compare
    }
    fn subject(&self) -> &str {
        &self.flag
    }
    fn check(&self) -> Result<(), (&'static str, String)> {
        match self.flag.strip_prefix("-D") {
            Some(name)
                if !name.is_empty() && !name.contains(|c: char| c == '=' || c.is_whitespace()) =>
            {
                Ok(())
            }
            _ => Err((
                "flag",
                format!("`{}` is not a -Dname system property", self.flag),
            )),
        }
    }
}

impl TargetSpec for JvmHeap {
    fn format(&self) -> Format {
        Format::Script
    }
    fn value(&self) -> Option<&str> {
        Some(&self.value)
    }
    fn subject(&self) -> &str {
        self.flag.as_str()
    }
}

impl TargetSpec for Property {
    fn format(&self) -> Format {
        Format::Properties
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
}

impl TargetSpec for PropertyContains {
    fn format(&self) -> Format {
        Format::Properties
    }
    fn value(&self) -> Option<&str> {
        Some(&self.value)
    }
    fn subject(&self) -> &str {
        &self.key
    }
    fn check(&self) -> Result<(), (&'static str, String)> {
        if self.token.is_empty() {
            return Err(("token", "the token must not be empty".into()));
        }
        if !self.value.contains(&self.token) {
            let m = format!(
                "`{}` does not contain the token `{}`",
                self.value, self.token
            );
            return Err(("value", m));
        }
        if self.requires_value.is_some() && self.requires_key.is_none() {
            return Err(("requires_value", "needs `requires_key`".into()));
        }
        Ok(())
    }
}

impl TargetSpec for Log4j2Counter {
    fn format(&self) -> Format {
        Format::Properties
    }
    fn value(&self) -> Option<&str> {
        None
    }
    fn subject(&self) -> &str {
        &self.key
    }
}
