//! Runs one patch target against one file's current text: the closed set of actions of
//! DESIGN §5. Each action reads the current state, edits only when it differs, and reads the
//! result back before handing it on (XML is verified tree against tree by the editor).

use std::path::Path;

use roxmltree::Document;

use crate::catalog::model::ValueType;
use crate::catalog::{ActionKind, Target};
use crate::formats::error::ParseError;
use crate::formats::script::{self, Flag, ScriptKind};
use crate::formats::toml::{self as tomlfmt, TomlFile, TomlScalar};
use crate::formats::xml::{self, short, Change, Path as XmlPath, XmlOp};
use crate::formats::{properties, Compare};

/// A file's text parsed once per text state: every target on that state reads from it, and
/// only an edit parses again.
pub enum Parsed<'t> {
    Xml(Document<'t>),
    Toml(TomlFile),
    Properties(properties::Doc),
    /// Flags of the launch command (an error is kept until an action needs the flags).
    Script(ScriptKind, Result<Vec<Flag>, ParseError>),
    Other,
}

impl<'t> Parsed<'t> {
    /// Parses by the file's extension; a file that does not parse is an error for the node.
    pub fn parse(text: &'t str, path: &Path) -> Result<Parsed<'t>, ParseError> {
        if let Some(kind) = ScriptKind::from_path(path) {
            return Ok(Parsed::Script(kind, script::flags(text, kind)));
        }
        Ok(match path.extension().and_then(|e| e.to_str()) {
            Some("xml") => Parsed::Xml(xml::parse(text)?),
            Some("toml") => Parsed::Toml(TomlFile::parse(text)?),
            Some("properties") => Parsed::Properties(properties::parse_doc(text)),
            _ => Parsed::Other,
        })
    }

    fn doc(&self) -> Option<&Document<'t>> {
        match self {
            Parsed::Xml(d) => Some(d),
            _ => None,
        }
    }

    /// java.util.Properties semantics: the last occurrence wins.
    fn property(&self, key: &str) -> Option<&str> {
        match self {
            Parsed::Properties(doc) => doc.get(key),
            _ => None,
        }
    }
}

/// The text an action works on, with its parse.
pub struct Ctx<'a, 'p> {
    pub text: &'a str,
    pub parsed: &'p Parsed<'a>,
    pub single_byte: bool,
}

pub struct Edit {
    pub text: String,
    pub changes: Vec<Change>,
    /// The parse of `text` when the action already made one to read its value back, so the
    /// planner does not parse the same text again (never XML, which borrows its text).
    pub parsed: Option<Parsed<'static>>,
}

/// Applies `target` with the expanded `value`; `None` when the file already complies.
/// `explicit`: the value was given by the user, so relaxed rules ("default if absent",
/// "any strong list") become "equal".
pub fn run(
    target: &Target,
    value: &str,
    explicit: bool,
    ctx: &Ctx,
) -> Result<Option<Edit>, ParseError> {
    let mut target = std::borrow::Cow::Borrowed(target);
    if explicit && target.compare.relaxed() {
        target.to_mut().compare = Compare::Equal;
    }
    let target = target.as_ref();
    match target.action {
        ActionKind::XmlAttr | ActionKind::XmlText => xml_action(target, value, ctx),
        ActionKind::TomlKey => match ctx.parsed {
            Parsed::Toml(file) => toml_key(target, value, ctx.text, file),
            _ => Ok(None),
        },
        ActionKind::JvmFlag | ActionKind::JvmHeap => jvm(target, value, ctx),
        ActionKind::Property => property(target, value, ctx),
        ActionKind::Log4j2Counter => log4j2_counter(target, ctx),
    }
}

/// Whether a target can do anything in this text at all (so a missing value matters here):
/// an XML selector that matches, or whose parent exists for a created element; a property
/// whose required key exists.
pub fn applicable(target: &Target, parsed: &Parsed) -> bool {
    match target.action {
        ActionKind::XmlAttr | ActionKind::XmlText => {
            let (Some(doc), Some(sel)) = (parsed.doc(), target.select.as_deref()) else {
                return false;
            };
            let Ok(path) = XmlPath::parse(sel) else {
                return false;
            };
            let root = doc.root_element();
            !path.select(root).is_empty()
                || (target.create && path.parent().is_some_and(|p| !p.select(root).is_empty()))
        }
        ActionKind::Property => target
            .requires_key
            .as_deref()
            .is_none_or(|k| parsed.property(k).is_some()),
        _ => true,
    }
}

/// The current value a target looks at, for deciding whether a missing value matters.
pub fn current(target: &Target, parsed: &Parsed) -> Option<String> {
    match target.action {
        ActionKind::XmlAttr | ActionKind::XmlText => {
            let path = XmlPath::parse(target.select.as_deref()?).ok()?;
            let node = *path.select(parsed.doc()?.root_element()).first()?;
            match &target.attr {
                Some(a) if target.action == ActionKind::XmlAttr => {
                    xml::plain_attribute(node, a).map(str::to_string)
                }
                _ => Some(xml::element_text(node)),
            }
        }
        ActionKind::TomlKey => {
            let Parsed::Toml(file) = parsed else {
                return None;
            };
            let key = target.key.as_deref()?;
            std::iter::once(key)
                .chain(target.aliases.iter().map(String::as_str))
                .find_map(|k| file.get(&split_key(k)))
                .map(|v| scalar_text(&v))
        }
        _ => None,
    }
}

fn xml_action(target: &Target, value: &str, ctx: &Ctx) -> Result<Option<Edit>, ParseError> {
    let Some(doc) = ctx.parsed.doc() else {
        return Ok(None);
    };
    let select = target.select.as_deref().unwrap_or("/");
    // Selectors are checked when the catalog loads; this is unreachable for built-in patches.
    let path = XmlPath::parse(select).map_err(|e| ParseError::new(1, 1, e.to_string()))?;
    let op = match target.action {
        ActionKind::XmlAttr => XmlOp::Attr {
            path: &path,
            attr: target.attr.as_deref().unwrap_or(""),
            value,
            compare: target.compare,
            create: target.create,
        },
        _ => XmlOp::Text {
            path: &path,
            value,
            compare: target.compare,
            create: target.create,
        },
    };
    Ok(
        xml::plan(ctx.text, doc, &op, ctx.single_byte)?.map(|e| Edit {
            text: e.text,
            changes: e.changes,
            parsed: None,
        }),
    )
}

pub fn split_key(key: &str) -> Vec<&str> {
    key.split('.').collect()
}

fn scalar_text(v: &TomlScalar) -> String {
    match v {
        TomlScalar::String(s) => s.clone(),
        TomlScalar::Integer(i) => i.to_string(),
        TomlScalar::Bool(b) => b.to_string(),
        TomlScalar::Float(f) => f.to_string(),
        TomlScalar::Other(raw) => raw.clone(),
    }
}

fn toml_key(
    target: &Target,
    value: &str,
    text: &str,
    file: &TomlFile,
) -> Result<Option<Edit>, ParseError> {
    let key = target.key.as_deref().unwrap_or("");
    let desired = match target.value_type {
        ValueType::String => TomlScalar::String(value.to_string()),
        ValueType::Integer => TomlScalar::Integer(value.trim().parse().map_err(|_| {
            ParseError::new(1, 1, format!("`{value}` is not an integer (for {key})"))
        })?),
        ValueType::Bool => TomlScalar::Bool(value.trim() == "true"),
    };
    // Alias spellings the product's key-mappings.json moves onto the key are edited in place.
    let mut present: Vec<&str> = std::iter::once(key)
        .chain(target.aliases.iter().map(String::as_str))
        .filter(|k| file.get(&split_key(k)).is_some())
        .collect();
    if present.is_empty() {
        let default_ok = target
            .product_default
            .as_deref()
            .is_some_and(|d| target.compare.satisfied(d, value));
        if default_ok || target.compare == Compare::OnlyIfPresent {
            return Ok(None);
        }
        present.push(key);
    }
    let mut new_text = text.to_string();
    let mut changes = Vec::new();
    let mut reparsed: Option<TomlFile> = None;
    for k in present {
        let path = split_key(k);
        let current = reparsed.as_ref().unwrap_or(file).get(&path);
        if current
            .as_ref()
            .is_some_and(|c| target.compare.satisfied(&scalar_text(c), value))
        {
            continue;
        }
        // `set_in` re-parses its output, checks the value took effect and every other key is
        // unchanged, and hands that parse back: it becomes the next state.
        let current_file = reparsed.as_ref().unwrap_or(file);
        let (edited, reread) = tomlfmt::set_in(&new_text, current_file, &path, &desired)?;
        let Some(reread) = reread else { continue };
        let line = reread.line_of(&path).unwrap_or(1);
        reparsed = Some(reread);
        changes.push(Change {
            line,
            what: format!(
                "{k}: {} → {}",
                current.map_or("(absent)".into(), |c| short(&scalar_text(&c))),
                short(value)
            ),
        });
        new_text = edited;
    }
    Ok((!changes.is_empty()).then(|| Edit {
        text: new_text,
        changes,
        parsed: reparsed.map(Parsed::Toml),
    }))
}

fn jvm(target: &Target, value: &str, ctx: &Ctx) -> Result<Option<Edit>, ParseError> {
    let Parsed::Script(kind, flags) = ctx.parsed else {
        return Ok(None);
    };
    let kind = *kind;
    let flag = target.flag.as_deref().unwrap_or("");
    let text = ctx.text;
    let (new_text, before) = if target.action == ActionKind::JvmHeap {
        let (xms, xmx) = script::heap(text, kind);
        let is_xms = flag == "-Xms";
        let current = if is_xms { xms } else { xmx };
        if current.as_deref() == Some(value) {
            return Ok(None);
        }
        let (a, b) = if is_xms {
            (Some(value), None)
        } else {
            (None, Some(value))
        };
        (script::set_heap(text, kind, a, b)?, current)
    } else {
        let only_if_present = target.compare == Compare::OnlyIfPresent;
        let flags = flags.as_ref().map_err(Clone::clone)?;
        let current = flags
            .iter()
            .find(|f| f.name == flag)
            .map(|f| f.value.clone().unwrap_or_default());
        let satisfied = flags.iter().filter(|f| f.name == flag).all(|f| {
            target
                .compare
                .satisfied(f.value.as_deref().unwrap_or(""), value)
        });
        let present = current.is_some();
        if (present && satisfied) || (!present && target.compare == Compare::OnlyIfPresent) {
            return Ok(None);
        }
        (
            script::set_flag(text, kind, flag, value, only_if_present)?,
            current,
        )
    };
    if new_text == text {
        return Ok(None);
    }
    let back = script::flags(&new_text, kind)?;
    if target.action == ActionKind::JvmFlag
        && !back
            .iter()
            .any(|f| f.name == flag && f.value.as_deref() == Some(value))
    {
        return Err(ParseError::new(
            1,
            1,
            format!("internal check failed: {flag} does not read back"),
        ));
    }
    let line = first_changed_line(text, &new_text);
    let what = match before {
        Some(b) => format!("{flag}: {} → {}", short(&b), short(value)),
        None => format!("{flag}: (absent) → {}", short(value)),
    };
    Ok(Some(Edit {
        text: new_text,
        changes: vec![Change { line, what }],
        parsed: Some(Parsed::Script(kind, Ok(back))),
    }))
}

fn property(target: &Target, value: &str, ctx: &Ctx) -> Result<Option<Edit>, ParseError> {
    let key = target.key.as_deref().unwrap_or("");
    if let Some(req) = &target.requires_key {
        if ctx.parsed.property(req).is_none() {
            return Ok(None);
        }
    }
    let current = ctx.parsed.property(key).map(str::to_string);
    match &current {
        Some(c) if target.compare.satisfied(c, value) => return Ok(None),
        Some(c) if target.accept.iter().any(|a| a == c.trim()) => return Ok(None),
        None if target.compare == Compare::OnlyIfPresent => return Ok(None),
        _ => {}
    }
    let Some(edit) = set_property(ctx, key, value)? else {
        return Ok(None);
    };
    let what = match current {
        Some(c) => format!("{key}: {} → {}", short(&c), short(value)),
        None => format!("{key}: (absent) → {}", short(value)),
    };
    Ok(Some(edit.describe(what)))
}

/// Sets one property from the parse at hand and reads it back; the read-back parse is the
/// next state. The change's text is filled in by the caller.
fn set_property(ctx: &Ctx, key: &str, value: &str) -> Result<Option<Edit>, ParseError> {
    let Parsed::Properties(doc) = ctx.parsed else {
        return Ok(None);
    };
    let new_text = properties::set_in(ctx.text, doc, key, value);
    let reread = properties::parse_doc(&new_text);
    if reread.get(key) != Some(value) {
        let message = format!("internal check failed: {key} does not read back");
        return Err(ParseError::new(1, 1, message));
    }
    let line = reread.line_of(key).unwrap_or(1);
    Ok(Some(Edit {
        text: new_text,
        changes: vec![Change {
            line,
            what: String::new(),
        }],
        parsed: Some(Parsed::Properties(reread)),
    }))
}

impl Edit {
    fn describe(mut self, what: String) -> Edit {
        for c in &mut self.changes {
            c.what.clone_from(&what);
        }
        self
    }
}

/// log4j2 `filePattern` needs `%i`, or same-day size rollovers overwrite each other.
fn log4j2_counter(target: &Target, ctx: &Ctx) -> Result<Option<Edit>, ParseError> {
    let key = target.key.as_deref().unwrap_or("");
    let Some(pattern) = ctx.parsed.property(key).map(str::to_string) else {
        return Ok(None);
    };
    if pattern.contains("%i") {
        return Ok(None);
    }
    let new_pattern = with_counter(&pattern);
    let what = format!("{key}: {} → {}", short(&pattern), short(&new_pattern));
    Ok(set_property(ctx, key, &new_pattern)?.map(|e| e.describe(what)))
}

/// Puts `-%i` before the file name's extension (`.log`, `.log.gz`), after any `%d{…}` so
/// dots inside a date pattern are never split.
fn with_counter(pattern: &str) -> String {
    let name_start = pattern.rfind('/').map_or(0, |i| i + 1);
    let after_date = pattern[name_start..]
        .rfind('}')
        .map_or(name_start, |i| name_start + i + 1);
    match pattern[after_date..].find('.') {
        Some(dot) if after_date + dot > name_start => {
            let at = after_date + dot;
            format!("{}-%i{}", &pattern[..at], &pattern[at..])
        }
        _ => format!("{pattern}-%i"),
    }
}

/// 1-based number of the first line that differs.
pub fn first_changed_line(a: &str, b: &str) -> usize {
    let prefix = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    // Counting bytes needs no char boundary (the first difference may sit inside a char).
    a.as_bytes()[..prefix]
        .iter()
        .filter(|&&c| c == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::with_counter;

    #[test]
    fn counter_goes_before_the_extension() {
        assert_eq!(
            with_counter("${sys:carbon.home}/logs/wso2carbon-%d{MM-dd-yyyy}.log"),
            "${sys:carbon.home}/logs/wso2carbon-%d{MM-dd-yyyy}-%i.log"
        );
        assert_eq!(
            with_counter("logs/w-%d{MM-dd-yyyy}.log.gz"),
            "logs/w-%d{MM-dd-yyyy}-%i.log.gz"
        );
        assert_eq!(
            with_counter("logs/audit-%d{yyyy.MM.dd}"),
            "logs/audit-%d{yyyy.MM.dd}-%i"
        );
        assert_eq!(
            with_counter("logs/wso2carbon.log"),
            "logs/wso2carbon-%i.log"
        );
        assert_eq!(with_counter("/var/x.y/.hidden"), "/var/x.y/.hidden-%i");
    }
}
