//! Byte-level helpers for splicing XML: where a start tag ends, how lines are laid out, and
//! how values are escaped so that they read back unchanged.

/// End of an element's start tag: the index of its `>` and whether it closes as `/>`.
/// Quote-aware, because `>` may appear inside attribute values.
pub fn start_tag_end(text: &str, element_start: usize) -> Option<(usize, bool)> {
    let bytes = text.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = element_start + 1;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return Some((i, i > 0 && bytes[i - 1] == b'/')),
            None => {}
        }
        i += 1;
    }
    None
}

/// Byte offset where the line holding `pos` starts.
pub fn line_start(text: &str, pos: usize) -> usize {
    // On bytes: `\n` is never inside a multi-byte char, `pos` might be.
    let pos = pos.min(text.len());
    (text.as_bytes()[..pos].iter())
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
}

/// The whitespace that opens the line holding `pos`.
pub fn indent_of(text: &str, pos: usize) -> &str {
    let start = line_start(text, pos);
    let line = &text[start..];
    let end = line
        .find(|c: char| c != ' ' && c != '\t')
        .unwrap_or(line.len());
    &line[..end]
}

/// True when only whitespace stands between the start of its line and `pos`.
pub fn first_on_line(text: &str, pos: usize) -> bool {
    text[line_start(text, pos)..pos]
        .chars()
        .all(|c| c == ' ' || c == '\t')
}

/// The line ending the file uses ("\r\n" when its first line break is CRLF).
pub fn eol(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// One level of indentation as the file writes it: how far `element` (else the first
/// element that shows it) is indented beyond its parent: a tab, two or four spaces; else four.
pub fn indent_unit(text: &str, element: roxmltree::Node) -> String {
    let unit = |e: roxmltree::Node| {
        let parent = e.parent_element()?;
        if !first_on_line(text, e.range().start) || !first_on_line(text, parent.range().start) {
            return None;
        }
        let own = indent_of(text, e.range().start);
        let outer = indent_of(text, parent.range().start);
        own.strip_prefix(outer)
            .filter(|u| !u.is_empty())
            .map(str::to_string)
    };
    unit(element)
        .or_else(|| element.document().descendants().find_map(unit))
        .unwrap_or_else(|| "    ".to_string())
}

/// Escapes an attribute value for the given quote character. Tab, LF and CR become character
/// references because attribute-value normalisation would otherwise turn them into spaces.
pub fn escape_attr(value: &str, quote: char, latin1: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' if quote == '"' => out.push_str("&quot;"),
            '\'' if quote == '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => push_char(&mut out, c, latin1),
        }
    }
    out
}

/// Escapes element text. `>` is escaped so that `]]>` can never appear; CR is kept as a
/// reference because parsers normalise a literal CR away.
pub fn escape_text(value: &str, latin1: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => push_char(&mut out, c, latin1),
        }
    }
    out
}

fn push_char(out: &mut String, c: char, latin1: bool) {
    if latin1 && u32::from(c) > 0xFF {
        out.push_str(&format!("&#x{:X};", u32::from(c)));
    } else {
        out.push(c);
    }
}

/// Characters XML 1.0 cannot carry at all, even as references.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tag_end_past_quoted_gt() {
        let t = r#"<a x="1>2" y='>'/><b>"#;
        assert_eq!(start_tag_end(t, 0), Some((17, true)));
        assert_eq!(start_tag_end(t, 18), Some((20, false)));
        assert_eq!(start_tag_end("<a x='", 0), None);
    }

    #[test]
    fn layout_helpers() {
        let t = "<a>\r\n    <b c=\"1\"\r\n       d=\"2\"/>";
        assert_eq!(eol(t), "\r\n");
        assert_eq!(eol("x\ny"), "\n");
        let d = t.find("d=").unwrap();
        assert_eq!(indent_of(t, d), "       ");
        assert!(first_on_line(t, d));
        assert!(!first_on_line(t, t.find("c=").unwrap()));
    }

    #[test]
    fn escapes() {
        assert_eq!(
            escape_attr("a\"b'c&<>\t", '"', false),
            "a&quot;b'c&amp;&lt;>&#9;"
        );
        assert_eq!(escape_attr("a\"b'", '\'', false), "a\"b&apos;");
        assert_eq!(escape_text("x<y>&\r", false), "x&lt;y&gt;&amp;&#13;");
        assert_eq!(escape_text("é€", true), "é&#x20AC;");
        assert_eq!(escape_text("é€", false), "é€");
    }
}
