//! `xml-text`: the text of every element a selector matches.

use super::{xml_applicable, xml_first, xml_plan, ActionError, Ctx, Edit, Parsed, Perform};
use crate::catalog::fields::XmlText;
use crate::formats::xml::{self, XmlOp};

impl Perform for XmlText {
    fn applicable(&self, parsed: &Parsed) -> bool {
        xml_applicable(&self.select.path, self.create, parsed)
    }

    fn current(&self, parsed: &Parsed) -> Option<String> {
        xml_first(&self.select.path, parsed).map(xml::element_text)
    }

    fn plan(&self, value: &str, ctx: &Ctx) -> Result<Option<Edit>, ActionError> {
        let op = XmlOp::Text {
            path: &self.select.path,
            value,
            compare: ctx.compare(self.compare),
            create: self.create,
        };
        xml_plan(ctx, &op)
    }

    fn describe(&self) -> String {
        format!("{} = {}", self.select.source, self.value)
    }
}
