//! `toml-key`: a key of deployment.toml, read semantically (tables, dotted keys and inline
//! tables are the same key) and edited by splicing (`formats::toml`). Alias spellings that the
//! product's key mappings move onto the key are edited in place where a file uses them alone;
//! next to the key itself an alias is removed, because which of the two the product keeps
//! depends on a Java HashMap's order.

use super::{ActionError, Ctx, Edit, Parsed, Perform};
use crate::catalog::fields::{TomlKey, ValueType};
use crate::formats::error::ParseError;
use crate::formats::toml::{self as tomlfmt, string_array, TomlFile, TomlScalar};
use crate::formats::xml::{noted, short, Change};
use crate::formats::{Fixed, Sibling};
use crate::plan::effective::Analysis;

impl TomlKey {
    fn spellings(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.key.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// The value to write, in the type the target declares; a list keeps the form the file
    /// gave it (an array stays an array, a string a string).
    fn desired(&self, value: &str, current: Option<&TomlScalar>) -> Result<TomlScalar, ActionError> {
        Ok(match self.value_type {
            ValueType::String => TomlScalar::String(value.to_string()),
            ValueType::Array => match current {
                Some(TomlScalar::String(_)) => TomlScalar::String(value.to_string()),
                _ => {
                    let items: Vec<&str> = value.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
                    string_array(&items)
                }
            },
            ValueType::Integer => TomlScalar::Integer(value.trim().parse().map_err(|_| {
                let m = format!("`{value}` is not an integer (for {})", self.key);
                ActionError::Refused(ParseError::new(1, 1, m))
            })?),
            ValueType::Bool => TomlScalar::Bool(value.trim() == "true"),
        })
    }
}

/// The value a rule judges for one spelling: the file's own (a `$ref{}` in it resolved
/// through the effective configuration), with where it comes from.
struct Current {
    text: Option<String>,
    source: Option<String>,
}

impl TomlKey {
    /// The current value of `spelling` as the file holds it, or, where the file does not
    /// set the key, as the product will use it (`effective`: a default or inferred value),
    /// else `product_default` (a node whose effective configuration was not computed).
    fn current_of(&self, file: &TomlFile, spelling: &str, ctx_eff: Option<&Analysis>) -> Current {
        let own = file.get(&split_key(spelling)).map(|v| scalar_text(&v));
        match (own, ctx_eff) {
            (Some(text), Some(eff)) if text.contains("$ref{") => match eff.value(&self.key) {
                Some(k) => Current {
                    text: Some(k.text),
                    source: Some(k.source),
                },
                None => Current {
                    text: Some(text),
                    source: None,
                },
            },
            (Some(text), _) => Current {
                text: Some(text),
                source: None,
            },
            (None, Some(eff)) => match eff.value(&self.key) {
                Some(k) => Current {
                    text: Some(k.text),
                    source: Some(k.source),
                },
                None => Current {
                    text: None,
                    source: Some("no default".into()),
                },
            },
            (None, None) => Current {
                text: None,
                source: None,
            },
        }
    }

    /// The protocols beside a cipher list, as the listener has them.
    fn sibling_of(&self, file: &TomlFile, eff: Option<&Analysis>) -> Option<Option<String>> {
        if self.protocols.is_empty() {
            return None;
        }
        let own = (self.protocols.iter())
            .find_map(|k| file.get(&split_key(k)))
            .map(|v| scalar_text(&v));
        Some(match (own, eff) {
            (Some(p), Some(eff)) if p.contains("$ref{") => (self.protocols.iter())
                .find_map(|k| eff.value(k))
                .map_or(Some(p), |k| Some(k.text)),
            (Some(p), _) => Some(p),
            (None, Some(eff)) => self.protocols.iter().find_map(|k| eff.value(k)).map(|k| k.text),
            (None, None) => None,
        })
    }
}

impl Perform for TomlKey {
    fn current(&self, parsed: &Parsed) -> Option<String> {
        self.current_in(parsed, None)
    }

    fn current_in(&self, parsed: &Parsed, effective: Option<&Analysis>) -> Option<String> {
        let file = parsed.toml()?;
        let spelling = self
            .spellings()
            .find(|k| file.get(&split_key(k)).is_some())
            .unwrap_or(&self.key);
        self.current_of(file, spelling, effective).text
    }

    fn plan(&self, value: &str, ctx: &Ctx) -> Result<Option<Edit>, ActionError> {
        let Some(file) = ctx.parsed.toml() else {
            return Ok(None);
        };
        let sibling_text = self.sibling_of(file, ctx.effective);
        let sibling = match &sibling_text {
            None => Sibling::None,
            Some(p) => Sibling::Protocols(p.as_deref()),
        };
        let fix = |current: Option<&str>| ctx.fix(self.compare, current, value, sibling);
        let present: Vec<&str> = self
            .spellings()
            .filter(|k| file.get(&split_key(k)).is_some())
            .collect();
        let mut state = State {
            text: ctx.text.to_string(),
            reparsed: None,
            changes: Vec::new(),
        };
        let key_present = present.first() == Some(&self.key.as_str());
        if key_present {
            for alias in &present[1..] {
                state.remove(file, alias, &self.key)?;
            }
        }
        let targets: Vec<&str> = match present.as_slice() {
            [] => {
                let current = self.current_of(file, &self.key, ctx.effective);
                let fixed = match (&current.text, ctx.effective) {
                    // no effective configuration: what the target says the product uses
                    (None, None) => {
                        let default_ok = (self.product_default.as_deref())
                            .is_some_and(|d| fix(Some(d)).is_none());
                        fix(None).filter(|_| !default_ok)
                    }
                    (text, _) => fix(text.as_deref()),
                };
                if let Some(fixed) = fixed {
                    ctx.reached(&self.key, None)?;
                    let was = current.text.map(|t| (t, current.source));
                    state.set(file, &self.key, None, was, &fixed, self)?;
                }
                Vec::new()
            }
            _ if key_present => vec![&self.key],
            aliases => aliases.to_vec(),
        };
        for k in targets {
            let scalar = state.file(file).get(&split_key(k));
            let current = self.current_of(state.file(file), k, ctx.effective);
            if let Some(fixed) = fix(current.text.as_deref()) {
                ctx.reached(&self.key, state.file(file).line_of(&split_key(k)))?;
                let was = scalar.as_ref().map(|s| (scalar_text(s), current.source));
                state.set(file, k, scalar.as_ref(), was, &fixed, self)?;
            }
        }
        Ok(state.edit())
    }

    fn describe(&self) -> String {
        format!("{} = {}", self.key, self.value)
    }
}

/// The text as the target's edits leave it, with the parse of the last edit.
struct State {
    text: String,
    reparsed: Option<TomlFile>,
    changes: Vec<Change>,
}

impl State {
    fn file<'f>(&'f self, original: &'f TomlFile) -> &'f TomlFile {
        self.reparsed.as_ref().unwrap_or(original)
    }

    fn set(
        &mut self,
        original: &TomlFile,
        key: &str,
        current: Option<&TomlScalar>,
        was: Option<(String, Option<String>)>,
        fixed: &Fixed,
        target: &TomlKey,
    ) -> Result<(), ActionError> {
        let path = split_key(key);
        let desired = target.desired(&fixed.value, current)?;
        // `set_in` re-parses its output, checks the value took effect and every other key is
        // unchanged, and hands that parse back: it becomes the next state.
        let (edited, reread) = tomlfmt::set_in(&self.text, self.file(original), &path, &desired)
            .map_err(ActionError::Refused)?;
        let Some(reread) = reread else {
            return Ok(());
        };
        let line = reread.line_of(&path).unwrap_or(1);
        // the value replaced, and where it came from when the file did not say it
        let was = match was {
            None => "(absent)".to_string(),
            Some((text, None)) => short(&text),
            Some((text, Some(source))) => format!("{} ({source})", short(&text)),
        };
        self.changes.push(Change {
            line,
            what: noted(format!("{key}: {was} → {}", short(&fixed.value)), fixed),
        });
        self.reparsed = Some(reread);
        self.text = edited;
        Ok(())
    }

    fn remove(&mut self, original: &TomlFile, alias: &str, key: &str) -> Result<(), ActionError> {
        let path = split_key(alias);
        let line = self.file(original).line_of(&path).unwrap_or(1);
        let (edited, reread) = tomlfmt::remove_in(&self.text, self.file(original), &path)
            .map_err(ActionError::Refused)?;
        self.changes.push(Change {
            line,
            what: format!("{alias}: removed (the product maps it onto {key}, which is set)"),
        });
        self.reparsed = Some(reread);
        self.text = edited;
        Ok(())
    }

    fn edit(self) -> Option<Edit> {
        (!self.changes.is_empty()).then(|| Edit {
            text: self.text,
            changes: self.changes,
            parsed: self.reparsed.map(Parsed::Toml),
            check: None,
        })
    }
}

pub(super) fn split_key(key: &str) -> Vec<&str> {
    key.split('.').collect()
}

/// A value as the rules read it: a list of strings joined by commas, anything else as text.
pub(super) fn scalar_text(v: &TomlScalar) -> String {
    if let Some(items) = v.list() {
        return items.join(",");
    }
    match v {
        TomlScalar::String(s) => s.clone(),
        TomlScalar::Integer(i) => i.to_string(),
        TomlScalar::Bool(b) => b.to_string(),
        TomlScalar::Float(f) => f.to_string(),
        TomlScalar::Other(raw) => raw.clone(),
    }
}
