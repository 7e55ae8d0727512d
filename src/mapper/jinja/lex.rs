//! jinjava expression tokens: identifiers, numbers, strings (JUEL escapes), operators.

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Ident(String),
    Str(String),
    Int(i64),
    Float(f64),
    Op(&'static str),
}

/// A parse error with its byte offset in the expression.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

const OPS: [&str; 29] = [
    "==", "!=", "<=", ">=", "||", "&&", "//", "**", "<", ">", "!", "+", "-", "*", "/", "%", "~",
    "|", "=", "?", ":", ".", ",", "(", ")", "[", "]", "{", "}",
];

pub fn tokenize(src: &str) -> Result<Vec<(Tok, usize)>, ParseError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                i += 1;
            }
            out.push((Tok::Ident(src[start..i].to_string()), start));
        } else if c.is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let mut float = false;
            if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
                float = true;
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                let mut j = i + 1;
                if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
                    j += 1;
                }
                if j < b.len() && b[j].is_ascii_digit() {
                    float = true;
                    i = j;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let text = &src[start..i];
            let tok = if float {
                Tok::Float(text.parse().map_err(|_| err(start, "bad number"))?)
            } else {
                match text.parse() {
                    Ok(n) => Tok::Int(n),
                    Err(_) => Tok::Float(text.parse().map_err(|_| err(start, "bad number"))?),
                }
            };
            out.push((tok, start));
        } else if c == b'\'' || c == b'"' {
            i += 1;
            let mut s = String::new();
            loop {
                let Some(ch) = src[i..].chars().next() else {
                    return Err(err(start, "unterminated string literal"));
                };
                i += ch.len_utf8();
                if ch == c as char {
                    break;
                }
                if ch == '\\' {
                    match src[i..].chars().next() {
                        Some(n @ ('\\' | '\'' | '"')) => {
                            s.push(n);
                            i += 1;
                        }
                        _ => s.push('\\'),
                    }
                } else {
                    s.push(ch);
                }
            }
            out.push((Tok::Str(s), start));
        } else if let Some(op) = OPS.iter().find(|op| src[i..].starts_with(**op)) {
            i += op.len();
            out.push((Tok::Op(op), start));
        } else {
            let ch = src[i..].chars().next().unwrap_or('?');
            return Err(err(start, &format!("unexpected character `{ch}`")));
        }
    }
    Ok(out)
}

pub(super) fn err(offset: usize, message: &str) -> ParseError {
    ParseError {
        offset,
        message: message.to_string(),
    }
}
