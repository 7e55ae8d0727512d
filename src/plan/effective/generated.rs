//! What the product will generate differently from the planned deployment.toml
//! (`diff --rendered`): both texts mapped, and the templates that read a key whose effective
//! value differs rendered from each, so the generated files can be compared.

use std::path::Path;

use super::Analysis;
use crate::mapper::render::{render_loaded, Select};
use crate::mapper::{map, MapError};

/// One generated file whose text the planned deployment.toml changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// Relative to the home: `repository/conf/tomcat/catalina-server.xml`.
    pub rel: String,
    pub current: String,
    pub planned: String,
}

impl Analysis {
    /// The generated files that change when the product starts with `planned` instead of the
    /// current deployment.toml, in template order. An error when the product would refuse
    /// `planned` or a template cannot render it (the plan's proof drops such fixes first).
    pub fn generated(&self, planned: &str) -> Result<Vec<Generated>, MapError> {
        let after = map(
            &self.model,
            Path::new("deployment.toml"),
            planned,
            &self.options,
        )?;
        let mut changed: Vec<&str> = after
            .ctx
            .iter()
            .filter(|(k, e)| self.mapped.get(k).is_none_or(|b| b.value != e.value))
            .map(|(k, _)| k)
            .collect();
        changed.extend(
            self.mapped
                .ctx
                .iter()
                .filter(|(k, _)| after.get(k).is_none())
                .map(|(k, _)| k),
        );
        if changed.is_empty() {
            return Ok(Vec::new());
        }
        let select = Select::Reading(&changed);
        let now = render_loaded(&self.model, &self.loaded, &self.mapped, select, false);
        let then = render_loaded(&self.model, &self.loaded, &after, select, false);
        if let Some(e) = then.errors.iter().find(|e| !now.errors.contains(e)) {
            return Err(e.clone());
        }
        Ok(then
            .files
            .into_iter()
            .filter_map(|f| {
                let current = now.files.iter().find(|g| g.rel == f.rel)?.text.clone();
                (current != f.text).then_some(Generated {
                    rel: f.rel,
                    current,
                    planned: f.text,
                })
            })
            .collect())
    }
}
