//! What each action does to one file's current text: one module per action (the table is
//! `catalog::target::for_each_action!`), each implementing [`Perform`]. An action reads the
//! current state, edits only when it differs, and reads the result back before handing it on
//! (XML is verified tree against tree by the editor).

use std::path::Path;

use roxmltree::Document;

use crate::catalog::target::for_each_action;
use crate::catalog::{Action, Target};
use crate::formats::error::ParseError;
use crate::formats::properties;
use crate::formats::script::{Scan, ScriptKind};
use crate::formats::toml::TomlFile;
use crate::formats::xml::{self, Change};
use crate::formats::{Compare, Fixed, Sibling, TlsRuntime};
use crate::plan::effective::Analysis;

/// What an action does with one target on one file.
pub trait Perform {
    /// Whether the target can do anything in this text at all (so that a missing value
    /// matters here): an XML selector that matches, a property whose required key exists.
    fn applicable(&self, _parsed: &Parsed) -> bool {
        true
    }
    /// The current value the target looks at, to tell an unset setting (a missing value
    /// matters) from a configured one.
    fn current(&self, _parsed: &Parsed) -> Option<String> {
        None
    }
    /// The current value with the node's effective configuration at hand (deployment.toml
    /// targets read a default or inferred value there); others read the file.
    fn current_in(&self, parsed: &Parsed, _effective: Option<&Analysis>) -> Option<String> {
        self.current(parsed)
    }
    /// The edit bringing the text to `value`; `None` when it already complies.
    fn plan(&self, value: &str, ctx: &Ctx) -> Result<Option<Edit>, ActionError>;
    /// Findings the target raises instead of an edit (the `report` action).
    fn report(&self, _parsed: &Parsed, _text: &str) -> Vec<Reported> {
        Vec::new()
    }
    /// What it edits, in one line, for `explain`.
    fn describe(&self) -> String;
}

macro_rules! register {
    ($($tag:literal => $variant:ident in $module:ident,)*) => {
        $(mod $module;)*

        impl Action {
            /// What the action does (its module).
            pub fn perform(&self) -> &dyn Perform {
                match self {
                    $(Action::$variant(a) => a,)*
                }
            }
        }
    };
}
for_each_action!(register);

/// Why a target was not planned on a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    /// The file cannot be read as its format: its node is left untouched.
    #[error(transparent)]
    Parse(ParseError),
    /// This target cannot be applied to this file (an editor refusal); the other targets and
    /// files still are.
    #[error(transparent)]
    Refused(ParseError),
    /// The fix would set a deployment.toml key that no template of this product reads (the
    /// effective configuration says so): it is not planned, and reported (`cannot-fix`).
    #[error("`{key}` is not read by this product's templates")]
    Unreached { key: String, line: Option<usize> },
}

/// A finding a target raises without editing: `cannot-fix`, or a `warning` when `warning`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    pub line: Option<usize>,
    pub message: String,
    pub guidance: Option<String>,
    pub warning: bool,
}

/// A file's text parsed once per text state: every target on that state reads from it, and
/// only an edit parses again.
pub enum Parsed<'t> {
    Xml(Document<'t>),
    /// The parse of a file's original XML text made by the node's planner, which the
    /// detect-only checks read after the plan (so the file is parsed once, not twice).
    SharedXml(&'t Document<'t>),
    Toml(TomlFile),
    /// The parse of deployment.toml's original text made by the node's planner, which the
    /// detect-only checks read after the plan.
    SharedToml(&'t TomlFile),
    Properties(properties::Doc),
    /// The launch commands, scanned once (an error is kept until an action needs the flags).
    Script(Scan),
    Other,
}

impl<'t> Parsed<'t> {
    /// Parses by the file's extension; a file that does not parse is an error for the node.
    pub fn parse(text: &'t str, path: &Path) -> Result<Parsed<'t>, ParseError> {
        if let Some(kind) = ScriptKind::from_path(path) {
            return Ok(Parsed::Script(Scan::new(text, kind)));
        }
        Ok(match path.extension().and_then(|e| e.to_str()) {
            // The mapper's template of an XML file (`templates/**/X.xml.j2`): XML whose text
            // holds `{{…}}` and `{% … %}`; an edit never touches those (see `xml-text`).
            Some("xml") => Parsed::Xml(xml::parse(text)?),
            Some("j2") if is_xml_template(path) => Parsed::Xml(xml::parse(text)?),
            Some("toml") => Parsed::Toml(TomlFile::parse(text)?),
            Some("properties") => Parsed::Properties(properties::parse_doc(text)),
            _ => Parsed::Other,
        })
    }

    pub fn doc(&self) -> Option<&Document<'t>> {
        match self {
            Parsed::Xml(d) => Some(d),
            Parsed::SharedXml(d) => Some(d),
            _ => None,
        }
    }

    pub fn toml(&self) -> Option<&TomlFile> {
        match self {
            Parsed::Toml(file) => Some(file),
            Parsed::SharedToml(file) => Some(file),
            _ => None,
        }
    }

    /// java.util.Properties semantics: the last occurrence wins.
    pub fn property(&self, key: &str) -> Option<&str> {
        match self {
            Parsed::Properties(doc) => doc.get(key),
            _ => None,
        }
    }
}

/// The text an action works on, with its parse.
pub struct Ctx<'a, 'p> {
    /// The home the file belongs to (an action may ask it whether an edit can work there).
    pub home: &'a crate::discover::ProductHome,
    pub text: &'a str,
    pub parsed: &'p Parsed<'a>,
    /// The file is Latin-1 (characters above U+00FF are written as references).
    pub single_byte: bool,
    /// The value was given by the user, so relaxed rules ("default if absent", "any strong
    /// list") become "equal" (see `Compare::given`).
    pub explicit: bool,
    /// What the home's Java runtime supports (TLS 1.3 in lists written from scratch).
    pub runtime: &'a TlsRuntime,
    /// The node's effective configuration (deployment.toml of a computed node): a TOML
    /// target's current value is the one the product uses, default or inferred included.
    pub effective: Option<&'a Analysis>,
}

impl Ctx<'_, '_> {
    /// `Err(Unreached)` when the node's effective configuration is known and no template
    /// reads deployment.toml key `key` (nor an inference rule or a `$ref{}` uses it).
    pub fn reached(&self, key: &str, line: Option<usize>) -> Result<(), ActionError> {
        match self.effective {
            Some(e) if e.unread(key) => Err(ActionError::Unreached {
                key: key.to_string(),
                line,
            }),
            _ => Ok(()),
        }
    }

    /// The comparison in force for a target's `compare`.
    pub fn compare(&self, compare: Compare) -> Compare {
        compare.given(self.explicit)
    }

    /// The value to write over `current` (`None`: absent), or `None` when it complies: the
    /// target's rule, never weaker (`formats::tls`).
    pub fn fix(
        &self,
        compare: Compare,
        current: Option<&str>,
        value: &str,
        sibling: Sibling,
    ) -> Option<Fixed> {
        self.compare(compare)
            .fix(current, value, self.runtime, sibling)
    }
}

pub struct Edit {
    pub text: String,
    pub changes: Vec<Change>,
    /// The parse of `text` when the action already made one to read its value back, so the
    /// planner does not parse the same text again (never XML, which borrows its text).
    pub parsed: Option<Parsed<'static>>,
    /// An XML edit not verified yet: whoever takes it must pass it through `xml::check` with
    /// these expectations (the fold does, and keeps the parse that verified it for the next
    /// target). An edit that fails the check is a refusal, as from the editor.
    pub check: Option<Vec<xml::Expect>>,
}

impl Edit {
    /// Gives every change of the edit the same description.
    fn describe(mut self, what: String) -> Edit {
        for c in &mut self.changes {
            c.what.clone_from(&what);
        }
        self
    }
}

/// Applies `target` with the expanded `value`; `None` when the file already complies.
pub fn run(target: &Target, value: &str, ctx: &Ctx) -> Result<Option<Edit>, ActionError> {
    target.action.perform().plan(value, ctx)
}

/// A target in one line for `explain`: file, what it sets, and when it applies.
pub fn describe(target: &Target) -> String {
    let mut cond = Vec::new();
    if let Some(m) = target.when.model {
        cond.push(format!("{m:?} config").to_lowercase());
    }
    if !target.when.products.is_empty() {
        let products: Vec<String> = target
            .when
            .products
            .iter()
            .map(|p| format!("{p:?}").to_lowercase())
            .collect();
        cond.push(products.join("/"));
    }
    for (name, conds) in [
        ("kernel", &target.when.kernel),
        ("version", &target.when.version),
        ("JDK", &target.when.jdk),
    ] {
        if !conds.is_empty() {
            // A JDK is named by its major version (`>=11`).
            let alternatives: Vec<String> = conds
                .iter()
                .map(|k| match name {
                    "JDK" => k.to_string().replace(".0.0", ""),
                    _ => k.to_string(),
                })
                .collect();
            cond.push(format!("{name} {}", alternatives.join(" or ")));
        }
    }
    let what = target.action.perform().describe();
    let compare = compare_note(target.action.spec().compare());
    let when = if cond.is_empty() {
        String::new()
    } else {
        format!(" [{}]", cond.join(", "))
    };
    format!("{}: {what}{compare}{when}", target.file)
}

fn compare_note(compare: Compare) -> &'static str {
    match compare {
        Compare::Equal => "",
        Compare::AtLeast => " (raised only, never lowered)",
        Compare::OnlyIfPresent => " (only where already present)",
        Compare::StrongProtocols => {
            " (never weaker: weak entries removed, strong ones kept; from scratch, with TLSv1.3 where the runtime has it, only when nothing strong is left; enforced when you give the value)"
        }
        Compare::StrongCiphers => {
            " (never weaker: only forward-secret AEAD suites kept, TLS 1.3 suites beside TLS 1.3; enforced when you give the value)"
        }
        Compare::DefaultIfAbsent => " (added when absent; enforced when you give the value)",
    }
}

/// 1-based number of the first line that differs.
pub fn first_changed_line(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // Equal 64-byte chunks are skipped by slice comparison, then bytes are compared one by
    // one from the first chunk that differs.
    let n = a.len().min(b.len());
    let equal_chunks = (a[..n].chunks(64))
        .zip(b[..n].chunks(64))
        .take_while(|(x, y)| x == y)
        .count();
    let start = (equal_chunks * 64).min(n);
    let prefix = start
        + (a[start..n].iter())
            .zip(&b[start..n])
            .take_while(|(x, y)| x == y)
            .count();
    // Counting bytes needs no char boundary (the first difference may sit inside a char).
    a[..prefix].iter().filter(|&&c| c == b'\n').count() + 1
}

/// Plans an XML operation; the editor's refusals (mixed content, an edit that does not verify)
/// are refusals of this target only. The edit comes back unverified (`Edit::check`): the
/// fold verifies it on the parse the next target reads anyway.
fn xml_plan(ctx: &Ctx, op: &xml::XmlOp) -> Result<Option<Edit>, ActionError> {
    let Some(doc) = ctx.parsed.doc() else {
        return Ok(None);
    };
    let edit =
        xml::plan_unchecked(ctx.text, doc, op, ctx.single_byte).map_err(ActionError::Refused)?;
    Ok(edit.map(|e| Edit {
        text: e.text,
        changes: e.changes,
        parsed: None,
        check: Some(e.expects),
    }))
}

/// An XML target applies where its selector matches, or, with `create`, where the parent of
/// the element to create exists.
fn xml_applicable(path: &xml::Path, create: bool, parsed: &Parsed) -> bool {
    let Some(doc) = parsed.doc() else {
        return false;
    };
    let root = doc.root_element();
    !path.select(root).is_empty()
        || (create && path.parent().is_some_and(|p| !p.select(root).is_empty()))
}

/// The first element an XML target selects.
fn xml_first<'a, 'i>(path: &xml::Path, parsed: &'a Parsed<'i>) -> Option<roxmltree::Node<'a, 'i>> {
    path.select(parsed.doc()?.root_element()).first().copied()
}

/// `X.xml.j2`: a template the mapper renders into an XML file.
pub fn is_xml_template(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "j2")
        && path
            .file_stem()
            .map(Path::new)
            .and_then(Path::extension)
            .is_some_and(|e| e == "xml")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// The chunked comparison finds the line the byte-by-byte one finds, whichever
        /// chunk the first difference falls in.
        #[test]
        fn first_changed_line_is_the_line_of_the_first_difference(
            a in "[a\n]{0,200}", at in 0usize..220, insert in "[b\n]{1,3}",
        ) {
            let at = at.min(a.len());
            let b = format!("{}{insert}{}", &a[..at], &a[at..]);
            let naive = |x: &str, y: &str| {
                let p = x.bytes().zip(y.bytes()).take_while(|(c, d)| c == d).count();
                x.as_bytes()[..p].iter().filter(|&&c| c == b'\n').count() + 1
            };
            prop_assert_eq!(super::first_changed_line(&a, &b), naive(&a, &b));
            prop_assert_eq!(super::first_changed_line(&b, &a), naive(&b, &a));
        }
    }
}
