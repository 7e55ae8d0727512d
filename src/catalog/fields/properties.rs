//! The fields of the Java properties actions: `property`, `property-contains`,
//! `log4j2-counter`.

use serde::Deserialize;

use crate::catalog::target::{Format, TargetSpec};
use crate::formats::Compare;

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
