//! `toml-append`: an array of tables holds an entry identified by one key
//! (`[[catalina.valves]]` with `properties.className = "…XSSValve"`); a missing one is appended
//! by the TOML editor (verified: one more entry, nothing else changed). Before writing, the
//! home is asked whether the entry can work there: the product's template must loop over the
//! array, and the bundle providing what it names must be installed.

use std::fs;

use super::{first_changed_line, ActionError, Ctx, Edit, Parsed, Perform};
use crate::catalog::fields::TomlAppend;
use crate::formats::error::ParseError;
use crate::formats::toml::{append_entry, Collection, TomlFile, TomlScalar};
use crate::formats::xml::{short, Change};

impl TomlAppend {
    fn path(&self) -> Vec<&str> {
        self.array.split('.').collect()
    }

    fn present(&self, file: &TomlFile, value: &str) -> bool {
        let key: Vec<String> = self.key.split('.').map(String::from).collect();
        let entries = match file.collection(&self.path()) {
            Collection::Array(e) | Collection::Map(e) => e,
            _ => return false,
        };
        entries.iter().any(|e| {
            e.iter().any(|(k, v)| {
                *k == key && matches!(v, TomlScalar::String(s) if s.trim() == value.trim())
            })
        })
    }

    /// Why the entry cannot work in this home, if it cannot.
    fn obstacle(&self, ctx: &Ctx) -> Option<String> {
        let home = ctx.home;
        let templates = home.root.join("repository/resources/conf/templates");
        if let (Some(t), true) = (&self.template, templates.is_dir()) {
            let j2 = templates.join(format!("{t}.j2"));
            let reads = fs::read_to_string(&j2)
                .is_ok_and(|s| s.contains(&format!("in {}", self.array)));
            if !reads {
                return Some(format!(
                    "this product's template {t}.j2 does not read {}: an entry would render nothing",
                    self.array
                ));
            }
        }
        if let Some(bundle) = &self.bundle {
            let prefix = format!("{bundle}_");
            let dirs = ["repository/components/plugins", "wso2/components/plugins"];
            let listed: Vec<_> = dirs
                .iter()
                .filter_map(|d| fs::read_dir(home.root.join(d)).ok())
                .collect();
            let installed = listed.into_iter().flatten().flatten().any(|e| {
                e.file_name().to_string_lossy().starts_with(&prefix)
            });
            let has_plugins = dirs.iter().any(|d| home.root.join(d).is_dir());
            if has_plugins && !installed {
                return Some(format!(
                    "the bundle {bundle} is not installed: what the entry names would not load"
                ));
            }
        }
        None
    }
}

impl Perform for TomlAppend {
    fn plan(&self, value: &str, ctx: &Ctx) -> Result<Option<Edit>, ActionError> {
        let Some(file) = ctx.parsed.toml() else {
            return Ok(None);
        };
        if self.present(file, value) {
            return Ok(None);
        }
        let line = file.line_of(&self.path()).unwrap_or(1);
        if let Some(why) = self.obstacle(ctx) {
            let m = format!("[[{}]] with {} = \"{value}\": {why}", self.array, self.key);
            return Err(ActionError::Refused(ParseError::new(line, 1, m)));
        }
        let split = |k: &str| k.split('.').map(String::from).collect::<Vec<_>>();
        let mut keys = vec![(split(&self.key), TomlScalar::String(value.to_string()))];
        keys.extend(
            self.fields
                .iter()
                .map(|(k, v)| (split(k), TomlScalar::String(v.clone()))),
        );
        let (text, new) =
            append_entry(ctx.text, file, &self.path(), &keys).map_err(ActionError::Refused)?;
        let change = Change {
            line: first_changed_line(ctx.text, &text),
            what: format!("[[{}]] {}: (absent) → {}", self.array, self.key, short(value)),
        };
        Ok(Some(Edit {
            text,
            changes: vec![change],
            parsed: Some(Parsed::Toml(new)),
            check: None,
        }))
    }

    fn describe(&self) -> String {
        format!(
            "[[{}]] has an entry with {} = {} (appended when missing; other entries kept)",
            self.array, self.key, self.value
        )
    }
}
