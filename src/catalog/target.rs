//! `[[target]]`: where a fix patch edits. `when` and `file` are common to every target;
//! `action` names one of the actions in the table below, and the other fields are exactly
//! that action's fields (a missing, misspelled or foreign field is refused at load, with
//! its line and column). Plain data: the build script includes this module.
//!
//! Adding an action: a row in `for_each_action!`, its fields' struct in `fields/` with its
//! `TargetSpec`, and its behaviour in `src/plan/actions/<module>.rs` (see CONTRIBUTING.md).

use serde::Deserialize;

pub use crate::catalog::fields::*;
use crate::catalog::model::When;
use crate::formats::xml::path::Path as XmlPath;
use crate::formats::Compare;

/// One place a patch edits, with the conditions under which it applies.
#[derive(Debug, Clone)]
pub struct Target {
    pub when: When,
    /// `{conf}/tomcat/catalina-server.xml`, a path relative to the home, or `@startup-sh` /
    /// `@startup-bat` for every script that launches the JVM.
    pub file: String,
    pub action: Action,
}

/// The format of the files an action edits; a target's `file` must be of that format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xml,
    Toml,
    Properties,
    /// The JVM launch scripts: `@startup-sh`, `@startup-bat`.
    Script,
    /// Any file (an action that only reports).
    Any,
}

/// What the catalog needs to know about an action's fields (checked when a patch loads).
pub trait TargetSpec {
    fn format(&self) -> Format;
    /// The value template (`"{tls_protocols}"`, `"true"`); `None` when the action computes it.
    fn value(&self) -> Option<&str>;
    /// How the current value is compared with the desired one.
    fn compare(&self) -> Compare {
        Compare::Equal
    }
    /// What the target edits, for messages: a selector, key or flag.
    fn subject(&self) -> &str;
    /// Checks across fields; the error names the field it is about.
    fn check(&self) -> Result<(), (&'static str, String)> {
        Ok(())
    }
}

/// The one table of actions: `action = "<tag>"` → variant (its fields' struct, below) → the
/// module of `src/plan/actions/` that performs it. Both sides expand their code from it.
macro_rules! for_each_action {
    ($then:ident) => {
        $then! {
            "xml-attr" => XmlAttr in xml_attr,
            "xml-text" => XmlText in xml_text,
            "toml-key" => TomlKey in toml_key,
            "toml-append" => TomlAppend in toml_append,
            "jvm-flag" => JvmFlag in jvm_flag,
            "jvm-heap" => JvmHeap in jvm_heap,
            "property" => Property in property,
            "property-contains" => PropertyContains in property_contains,
            "log4j2-counter" => Log4j2Counter in log4j2_counter,
            "toml-move" => TomlMove in toml_move,
            "toml-entry" => TomlEntry in toml_entry,
            "toml-each" => TomlEach in toml_each,
            "report" => Report in report,
        }
    };
}
#[allow(unused_imports)] // used by plan::actions; the build script includes this file alone
pub(crate) use for_each_action;

macro_rules! define_actions {
    ($($tag:literal => $variant:ident in $module:ident,)*) => {
        /// The action of a `[[target]]`, with exactly its fields.
        #[derive(Debug, Clone)]
        pub enum Action {
            $($variant($variant),)*
        }

        impl Action {
            /// Every `action = "…"` a target may name.
            pub const TAGS: &'static [&'static str] = &[$($tag),*];

            pub fn tag(&self) -> &'static str {
                match self {
                    $(Action::$variant(_) => $tag,)*
                }
            }

            pub fn spec(&self) -> &dyn TargetSpec {
                match self {
                    $(Action::$variant(a) => a,)*
                }
            }

            /// The fields of the action `tag` (`None`: no such action).
            pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(
                tag: &str,
                fields: D,
            ) -> Option<Result<Action, D::Error>> {
                match tag {
                    $($tag => Some($variant::deserialize(fields).map(Action::$variant)),)*
                    _ => None,
                }
            }
        }
    };
}
for_each_action!(define_actions);

/// An XML selector (`/Server/Service/Connector[@SSLEnabled='true']`), parsed at load.
#[derive(Debug, Clone)]
pub struct Selector {
    pub source: String,
    pub path: XmlPath,
}

impl<'de> Deserialize<'de> for Selector {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let source = String::deserialize(d)?;
        let path = XmlPath::parse(&source).map_err(serde::de::Error::custom)?;
        Ok(Selector { source, path })
    }
}
