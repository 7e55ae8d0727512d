//! `report`: no edit, a finding: a listener this file cannot harden (a template hard-codes the
//! setting, the product version reads no key), with what the operator does instead.

use super::{xml_first, ActionError, Ctx, Edit, Parsed, Perform, Reported};
use crate::catalog::fields::{Report, ReportLevel};

impl Perform for Report {
    fn applicable(&self, parsed: &Parsed) -> bool {
        match &self.select {
            Some(sel) => xml_first(&sel.path, parsed).is_some(),
            None => true,
        }
    }

    fn plan(&self, _value: &str, _ctx: &Ctx) -> Result<Option<Edit>, ActionError> {
        Ok(None)
    }

    fn report(&self, parsed: &Parsed, text: &str) -> Vec<Reported> {
        let one = |line: Option<usize>| Reported {
            line,
            message: self.message.trim().to_string(),
            guidance: self.guidance.clone(),
            warning: self.level == ReportLevel::Warning,
        };
        match (&self.select, parsed.doc()) {
            (None, _) => vec![one(None)],
            (Some(sel), Some(doc)) => sel
                .path
                .select(doc.root_element())
                .into_iter()
                .map(|n| one(Some(crate::formats::error::line_col(text, n.range().start).0)))
                .collect(),
            (Some(_), None) => Vec::new(),
        }
    }

    fn describe(&self) -> String {
        let what = match self.level {
            ReportLevel::CannotFix => "reported, not fixed",
            ReportLevel::Warning => "noted",
        };
        match &self.select {
            Some(sel) => format!("{what} where {} exists: {}", sel.source, self.message.trim()),
            None => format!("{what}: {}", self.message.trim()),
        }
    }
}
