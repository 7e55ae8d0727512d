//! `jvm-flag`: a `-Dname=value` system property of the java launch command, in every startup
//! script that launches the Carbon JVM (in place in any quoting; a missing one is added).

use super::{first_changed_line, ActionError, Ctx, Edit, Parsed, Perform};
use crate::catalog::fields::JvmFlag;
use crate::formats::error::ParseError;
use crate::formats::script;
use crate::formats::xml::{short, Change};
use crate::formats::Compare;

impl Perform for JvmFlag {
    fn plan(&self, value: &str, ctx: &Ctx) -> Result<Option<Edit>, ActionError> {
        let Parsed::Script(scan) = ctx.parsed else {
            return Ok(None);
        };
        let kind = scan.kind();
        let compare = ctx.compare(self.compare);
        let flag = self.flag.as_str();
        let flags = scan
            .flags()
            .as_ref()
            .map_err(|e| ActionError::Parse(e.clone()))?;
        let current = flags
            .iter()
            .find(|f| f.name == flag)
            .map(|f| f.value.clone().unwrap_or_default());
        let satisfied = flags
            .iter()
            .filter(|f| f.name == flag)
            .all(|f| compare.satisfied(f.value.as_deref().unwrap_or(""), value));
        let only_if_present = compare == Compare::OnlyIfPresent;
        match &current {
            Some(_) if satisfied => return Ok(None),
            None if only_if_present => return Ok(None),
            _ => {}
        }
        let new_text = scan
            .set_flag(ctx.text, flag, value, only_if_present)
            .map_err(ActionError::Refused)?;
        if new_text == ctx.text {
            return Ok(None);
        }
        // read back on the new text's scan, which the next targets then use
        let back = script::Scan::new(&new_text, kind);
        let flags_back = back.flags().as_ref().map_err(|e| ActionError::Refused(e.clone()))?;
        if !flags_back
            .iter()
            .any(|f| f.name == flag && f.value.as_deref() == Some(value))
        {
            let m = format!("internal check failed: {flag} does not read back");
            return Err(ActionError::Refused(ParseError::new(1, 1, m)));
        }
        let what = format!(
            "{flag}: {} → {}",
            current.as_deref().map_or("(absent)".into(), short),
            short(value)
        );
        Ok(Some(Edit {
            changes: vec![Change {
                line: first_changed_line(ctx.text, &new_text),
                what,
            }],
            text: new_text,
            parsed: Some(Parsed::Script(back)),
            check: None,
        }))
    }

    fn describe(&self) -> String {
        format!("{}={}", self.flag, self.value)
    }
}
