//! Reads `patches/<id>/patch.toml` into a [`Patch`], refusing anything the catalog does not
//! define with `patches/<id>/patch.toml:line:col`: the header through serde, each `[[target]]`
//! through the struct of its action (so each variant rejects a missing, misspelled or foreign
//! field at its own line), then the checks across fields, values and patches. The build script
//! runs this on every patch before embedding it; the library runs it again at start-up.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::de::IntoDeserializer;
use serde::Deserialize;
use toml_edit::{ImDocument, Item, Table, Value};

use crate::catalog::expand::placeholders;
use crate::catalog::model::{Header, Patch, Safety, When};
use crate::catalog::target::{Action, Format, Target};
use crate::catalog::values::{ValueKind, ValueSpec};
use crate::formats::error::line_col;
use crate::formats::Compare;

/// A patch file the catalog refuses, located.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{col}: {message}")]
pub struct PatchError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// Where errors of one patch file point.
struct Locate<'s> {
    file: String,
    source: &'s str,
}

impl Locate<'_> {
    fn at(&self, span: Option<Range<usize>>, message: impl Into<String>) -> PatchError {
        let (line, col) = line_col(self.source, span.map_or(0, |s| s.start));
        PatchError {
            file: self.file.clone(),
            line,
            col,
            message: message.into(),
        }
    }
}

/// Every patch (`(directory, patch.toml source)`, in catalog order), and every value any of
/// them reads. A value declared by several patches must be declared the same way.
pub fn load(
    sources: &[(&str, &str)],
) -> Result<(Vec<Patch>, BTreeMap<String, ValueSpec>), PatchError> {
    let mut patches = Vec::new();
    let mut values: BTreeMap<String, (ValueSpec, &str)> = BTreeMap::new();
    for (dir, source) in sources {
        let patch = parse_patch(dir, source)?;
        for (name, spec) in &patch.values {
            match values.get(name) {
                Some((prev, first)) if prev != spec => {
                    let doc = ImDocument::parse(*source).ok();
                    let span = doc.as_ref().and_then(|d| value_span(d.as_table(), name));
                    let message = format!(
                        "value `{name}` is declared differently in patches/{first}/patch.toml (a value means one thing in every patch)"
                    );
                    return Err(locate(dir, source).at(span, message));
                }
                Some(_) => {}
                None => {
                    values.insert(name.clone(), (spec.clone(), dir));
                }
            }
        }
        patches.push(patch);
    }
    Ok((
        patches,
        values.into_iter().map(|(k, (v, _))| (k, v)).collect(),
    ))
}

fn locate<'s>(dir: &str, source: &'s str) -> Locate<'s> {
    Locate {
        file: format!("patches/{dir}/patch.toml"),
        source,
    }
}

fn value_span(root: &Table, name: &str) -> Option<Range<usize>> {
    let values = root.get("values")?;
    values
        .get(name)
        .and_then(Item::span)
        .or_else(|| values.span())
}

/// One patch file, checked.
pub fn parse_patch(dir: &str, source: &str) -> Result<Patch, PatchError> {
    let loc = locate(dir, source);
    let doc = ImDocument::parse(source.to_string())
        .map_err(|e| loc.at(e.span(), e.message().trim_end().replace('\n', "; ")))?;
    let root = doc.as_table().clone();
    let header =
        Header::deserialize(doc.into_deserializer()).map_err(|e| loc.at(e.span(), e.message()))?;
    if header.id != dir {
        let span = root.get("id").and_then(Item::span);
        return Err(loc.at(
            span,
            format!("id `{}` differs from its directory", header.id),
        ));
    }
    let mut values = BTreeMap::new();
    for (name, raw) in header.values {
        let spec = raw
            .into_spec()
            .map_err(|e| loc.at(value_span(&root, &name), format!("[values.{name}]: {e}")))?;
        values.insert(name, spec);
    }
    for (name, spec) in &values {
        let Some(template) = spec.default.as_deref() else {
            continue;
        };
        if let Some(p) = placeholders(template).find(|p| !values.contains_key(*p)) {
            let m = format!(
                "[values.{name}]: default reads `{{{p}}}`, which is not declared in [values]"
            );
            return Err(loc.at(value_span(&root, name), m));
        }
    }
    let mut targets = Vec::new();
    if let Some(item) = root.get("target") {
        let tables = item
            .as_array_of_tables()
            .ok_or_else(|| loc.at(item.span(), "write targets as [[target]] tables"))?;
        for table in tables.iter() {
            targets.push(target(table, &values, &loc)?);
        }
    }
    let safety_span = root.get("safety").and_then(Item::span);
    match header.safety {
        Safety::Manual if header.detect.is_none() || !targets.is_empty() => {
            return Err(loc.at(
                safety_span,
                "a manual patch names a `detect` handler and has no [[target]]",
            ))
        }
        Safety::Safe | Safety::Unsafe if targets.is_empty() || header.detect.is_some() => {
            return Err(loc.at(
                safety_span,
                "a fix patch has at least one [[target]] and no `detect`",
            ))
        }
        _ => {}
    }
    Ok(Patch {
        id: header.id,
        title: header.title,
        severity: header.severity,
        safety: header.safety,
        restart: header.restart,
        default: header.default,
        summary: header.summary,
        rationale: header.rationale,
        references: header.references,
        applies: header.applies,
        guidance: header.guidance,
        values,
        targets,
        detect: header.detect,
    })
}

/// One `[[target]]` table: the common fields, then the fields of its action.
fn target(
    table: &Table,
    values: &BTreeMap<String, ValueSpec>,
    loc: &Locate,
) -> Result<Target, PatchError> {
    let span = table.span();
    let field = |name: &str| {
        table
            .get_key_value(name)
            .and_then(|(k, v)| v.span().or_else(|| k.span()))
            .or_else(|| span.clone())
    };
    let mut rest = table.clone();
    let tag_item = rest.remove("action").ok_or_else(|| {
        loc.at(
            span.clone(),
            format!(
                "missing field `action` (one of: {})",
                Action::TAGS.join(", ")
            ),
        )
    })?;
    let tag = tag_item
        .as_str()
        .ok_or_else(|| loc.at(tag_item.span(), "`action` is a string"))?;
    let when = match rest.remove("when") {
        Some(item) => When::deserialize(to_value(item).into_deserializer()).map_err(|e| {
            loc.at(
                e.span().or_else(|| field("when")),
                format!("when: {}", e.message()),
            )
        })?,
        None => When::default(),
    };
    let file = rest.remove("file").map(to_value);
    let fields = Value::InlineTable(rest.into_inline_table()).into_deserializer();
    let action = match Action::deserialize(tag, fields) {
        None => {
            let m = format!(
                "unknown action `{tag}` (one of: {})",
                Action::TAGS.join(", ")
            );
            return Err(loc.at(tag_item.span(), m));
        }
        Some(Err(e)) => {
            let mut m = e.message().to_string();
            if m.starts_with("unknown field") {
                m.push_str(&format!(
                    " (for action `{tag}`; every target also takes `file` and `when`)"
                ));
            }
            return Err(loc.at(e.span().or(span), m));
        }
        Some(Ok(a)) => a,
    };
    // After the action's fields, so that a misspelled `file` is named as such.
    let file = match file {
        Some(Value::String(s)) => s.into_value(),
        Some(other) => return Err(loc.at(other.span(), "`file` is a string")),
        None => return Err(loc.at(span, "missing field `file`")),
    };
    let spec = action.spec();
    let (format_ok, wanted) = match spec.format() {
        Format::Script => (
            matches!(file.as_str(), "@startup-sh" | "@startup-bat"),
            "@startup-sh or @startup-bat",
        ),
        Format::Xml => (
            file.ends_with(".xml") || file.ends_with(".xml.j2"),
            "an .xml file (or its .xml.j2 template)",
        ),
        Format::Toml => (file.ends_with(".toml"), "a .toml file"),
        Format::Properties => (file.ends_with(".properties"), "a .properties file"),
        Format::Any => (true, "any file"),
    };
    if !format_ok {
        let m = format!("`{tag}` edits {wanted}, not `{file}`");
        return Err(loc.at(field("file"), m));
    }
    spec.check().map_err(|(name, m)| loc.at(field(name), m))?;
    let template = spec.value();
    let undeclared = template.and_then(|t| placeholders(t).find(|p| !values.contains_key(*p)));
    if let Some(p) = undeclared {
        let m = format!("value `{{{p}}}` is not declared in [values]");
        return Err(loc.at(field("value"), m));
    }
    if spec.compare() == Compare::AtLeast && !template.is_some_and(|t| numeric(t, values)) {
        let m = "compare = \"at-least\" needs a number or a value of kind \"uint\"";
        return Err(loc.at(field("compare"), m));
    }
    Ok(Target { when, file, action })
}

/// A literal whole number, or a single placeholder of a `uint` value.
fn numeric(template: &str, values: &BTreeMap<String, ValueSpec>) -> bool {
    let t = template.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    t.strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .and_then(|name| values.get(name))
        .is_some_and(|s| matches!(s.kind, ValueKind::Uint { .. }))
}

fn to_value(item: Item) -> Value {
    match item.into_value() {
        Ok(v) => v,
        // An array of tables under a target key: refused by the field's own type.
        Err(_) => Value::Array(Default::default()),
    }
}
