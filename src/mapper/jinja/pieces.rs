//! A template cut into text and `{{ }}` / `{% %}` / `{# #}` tokens, as jinjava's scanner
//! does: a closing delimiter inside a string literal does not close, an unclosed token is text.

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kind {
    Expr,
    Tag,
    Comment,
}

pub(super) struct Token<'a> {
    pub kind: Kind,
    /// The text between the delimiters, without `-` markers.
    pub body: &'a str,
    pub left_trim: bool,
    pub right_trim: bool,
    pub start: usize,
}

/// Finds the end of a `{{`/`{%` token: the closing delimiter outside string literals.
fn find_close(src: &str, from: usize, close: &str) -> Option<usize> {
    let b = src.as_bytes();
    let mut i = from;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) => {
                if c == b'\\' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => {
                if c == b'\'' || c == b'"' {
                    quote = Some(c);
                } else if src[i..].starts_with(close) {
                    return Some(i);
                }
            }
        }
        i += 1;
    }
    None
}

pub(super) enum Piece<'a> {
    Text(&'a str),
    Token(Token<'a>),
}

pub(super) fn split(src: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while let Some(off) = src[i..].find('{') {
        let at = i + off;
        let (kind, close) = match src.as_bytes().get(at + 1) {
            Some(b'{') => (Kind::Expr, "}}"),
            Some(b'%') => (Kind::Tag, "%}"),
            Some(b'#') => (Kind::Comment, "#}"),
            _ => {
                i = at + 1;
                continue;
            }
        };
        let inner = at + 2;
        let end = if kind == Kind::Comment {
            src[inner..].find(close).map(|e| e + inner)
        } else {
            find_close(src, inner, close)
        };
        let Some(end) = end else {
            // jinjava: an unclosed token is text (with a warning)
            break;
        };
        if at > text_start {
            out.push(Piece::Text(&src[text_start..at]));
        }
        let mut body = &src[inner..end];
        let left_trim = body.starts_with('-');
        if left_trim {
            body = &body[1..];
        }
        let right_trim = body.ends_with('-');
        if right_trim {
            body = &body[..body.len() - 1];
        }
        out.push(Piece::Token(Token {
            kind,
            body,
            left_trim,
            right_trim,
            start: at,
        }));
        i = end + 2;
        text_start = i;
    }
    if text_start < src.len() {
        out.push(Piece::Text(&src[text_start..]));
    }
    out
}

pub(super) fn line_col(src: &str, offset: usize) -> (u32, u32) {
    let before = &src[..offset.min(src.len())];
    let line = before.matches('\n').count() as u32 + 1;
    let col = before
        .rfind('\n')
        .map_or(before.len(), |p| before.len() - p - 1) as u32
        + 1;
    (line, col)
}

/// Text as MiniJinja template text: delimiters that jinjava leaves as text are printed.
pub(super) fn literal_text(t: &str, out: &mut String) {
    let mut rest = t;
    while let Some(p) = rest.find('{') {
        out.push_str(&rest[..p]);
        let next = rest.as_bytes().get(p + 1).copied();
        if matches!(next, Some(b'{' | b'%' | b'#')) {
            out.push_str("{{ \"{\" }}");
        } else {
            out.push('{');
        }
        rest = &rest[p + 1..];
    }
    out.push_str(rest);
}
