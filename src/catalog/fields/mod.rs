//! The fields of each action of `[[target]]` (one struct per action, exactly its fields),
//! and what the catalog checks across them at load. Plain data: the build script includes it.

use serde::Deserialize;

use crate::catalog::target::{Format, Selector, TargetSpec};
use crate::formats::xml::path::Predicate;
use crate::formats::Compare;

mod more;
mod properties;
mod toml;
// The build script includes this module without the actions, which use some of these.
#[allow(unused_imports)]
pub use more::{DefaultValue, Report, ReportLevel, TomlEach, TomlEntry, TomlMove};
#[allow(unused_imports)]
pub use properties::{InsertAt, Log4j2Counter, Property, PropertyContains};
#[allow(unused_imports)]
pub use toml::{TomlAppend, TomlKey, ValueType};

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
