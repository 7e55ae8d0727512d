//! `xml-attr`: an attribute of every element a selector matches.

use super::{xml_applicable, xml_first, xml_plan, ActionError, Ctx, Edit, Parsed, Perform};
use crate::catalog::fields::XmlAttr;
use crate::formats::xml::{self, XmlOp};

impl Perform for XmlAttr {
    fn applicable(&self, parsed: &Parsed) -> bool {
        xml_applicable(&self.select.path, self.create, parsed)
    }

    fn current(&self, parsed: &Parsed) -> Option<String> {
        let node = xml_first(&self.select.path, parsed)?;
        xml::plain_attribute(node, &self.attr).map(str::to_string)
    }

    fn plan(&self, value: &str, ctx: &Ctx) -> Result<Option<Edit>, ActionError> {
        let op = XmlOp::Attr {
            path: &self.select.path,
            attr: &self.attr,
            value,
            compare: ctx.compare(self.compare),
            create: self.create,
        };
        xml_plan(ctx, &op)
    }

    fn describe(&self) -> String {
        format!("{} @{} = {}", self.select.source, self.attr, self.value)
    }
}
