//! XML compared structurally: every element becomes one line `path | sorted attributes |
//! text`, and two documents are equal when their lines are equal as multisets. Attribute order,
//! sibling order (both follow a Java HashMap in generated files), indentation and blank lines
//! are ignored; every attribute value and text is compared.
#![allow(dead_code)]

use std::collections::BTreeMap;

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The element lines of a document.
pub fn lines(text: &str) -> Result<Vec<String>, String> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, opts).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for n in doc.descendants().filter(|n| n.is_element()) {
        let path: Vec<&str> = n
            .ancestors()
            .filter(|a| a.is_element())
            .map(|a| a.tag_name().name())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let mut attrs: Vec<String> = n
            .attributes()
            .map(|a| format!("{}={:?}", a.name(), a.value()))
            .collect();
        attrs.sort();
        let text: String = n
            .children()
            .filter(|c| c.is_text())
            .filter_map(|c| c.text())
            .collect();
        out.push(format!(
            "/{} | {} | {}",
            path.join("/"),
            attrs.join(" "),
            norm(&text)
        ));
    }
    out.sort();
    Ok(out)
}

/// Lines only in `a` and lines only in `b` (multiset difference).
pub fn diff(a: &str, b: &str) -> Result<(Vec<String>, Vec<String>), String> {
    let (la, lb) = (lines(a)?, lines(b)?);
    let mut count: BTreeMap<&str, i64> = BTreeMap::new();
    for l in &la {
        *count.entry(l).or_default() += 1;
    }
    for l in &lb {
        *count.entry(l).or_default() -= 1;
    }
    let mut only_a = Vec::new();
    let mut only_b = Vec::new();
    for (l, c) in count {
        for _ in 0..c.max(0) {
            only_a.push(l.to_string());
        }
        for _ in 0..(-c).max(0) {
            only_b.push(l.to_string());
        }
    }
    Ok((only_a, only_b))
}

/// Panics with the differing lines unless the documents are structurally equal.
pub fn assert_same(what: &str, ours: &str, theirs: &str) {
    let (a, b) = diff(ours, theirs).unwrap_or_else(|e| panic!("{what}: not XML: {e}"));
    assert!(
        a.is_empty() && b.is_empty(),
        "{what}: structural differences\n  only ours:\n    {}\n  only theirs:\n    {}",
        a.join("\n    "),
        b.join("\n    ")
    );
}
