//! `jvm-heap`: the initial or maximum heap, replaced where the script sets it
//! (`JVM_MEM_OPTS` in .sh, or inline in the launch command; the .bat command line).

use super::{first_changed_line, ActionError, Ctx, Edit, Parsed, Perform};
use crate::catalog::fields::{HeapFlag, JvmHeap};
use crate::formats::script;
use crate::formats::xml::{short, Change};

impl Perform for JvmHeap {
    fn plan(&self, value: &str, ctx: &Ctx) -> Result<Option<Edit>, ActionError> {
        let Parsed::Script(scan) = ctx.parsed else {
            return Ok(None);
        };
        let kind = scan.kind();
        let (xms, xmx) = scan.heap(ctx.text);
        let (current, set) = match self.flag {
            HeapFlag::Xms => (xms, (Some(value), None)),
            HeapFlag::Xmx => (xmx, (None, Some(value))),
        };
        if current.as_deref() == Some(value) {
            return Ok(None);
        }
        // A launch command that does not parse stops the node, as for every other flag.
        scan.flags()
            .as_ref()
            .map_err(|e| ActionError::Parse(e.clone()))?;
        let new_text = scan
            .set_heap(ctx.text, set.0, set.1)
            .map_err(ActionError::Refused)?;
        if new_text == ctx.text {
            return Ok(None);
        }
        let back = script::Scan::new(&new_text, kind);
        if let Err(e) = back.flags() {
            return Err(ActionError::Refused(e.clone()));
        }
        let flag = self.flag.as_str();
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
        format!("{}={}", self.flag.as_str(), self.value)
    }
}
