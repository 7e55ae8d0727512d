//! A jinjava template rewritten as a MiniJinja template with the same output.
//!
//! Text is copied; `{{ }}`, `{% if/elif/else/endif/for/endfor/set %}` are re-emitted with
//! their expressions compiled (`emit.rs`). Whitespace follows jinjava, not Jinja2:
//! `lstrip_blocks` strips the spaces and tabs before *every* tag (even after text on the same
//! line), so this is done here and MiniJinja's own `lstrip_blocks` stays off; `trim_blocks`
//! (one newline after a tag) is MiniJinja's; `-` on `{{ }}` and comments is ignored, and
//! comments are not trimmed. An end tag without its start tag is dropped (jinjava warns),
//! unknown tags and unclosed blocks are errors (jinjava fails on them). Every rewritten tag
//! keeps its line count, so MiniJinja's line numbers are the template's.

use std::collections::BTreeSet;

use super::emit::{Emitter, PREFIX};
use super::expr::{self, ParseError, Parser};

/// The rewritten template and what it reads.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub source: String,
    /// Context paths read by the template (dotted, as written in it).
    pub reads: BTreeSet<String>,
    /// Notes about jinjava behaviour reproduced (e.g. a dropped stray end tag).
    pub notes: Vec<String>,
}

/// A template that cannot be compiled, at a 1-based line and column of the template.
#[derive(Debug, Clone, PartialEq)]
pub struct CompileError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

use super::pieces::{line_col, literal_text, split, Kind, Piece};

pub fn compile(src: &str) -> Result<Compiled, CompileError> {
    let pieces = split(src);
    let mut out = String::with_capacity(src.len() + src.len() / 4);
    let mut reads = BTreeSet::new();
    let mut notes = Vec::new();
    let mut locals: Vec<BTreeSet<String>> = vec![BTreeSet::new()];
    let mut stack: Vec<(&str, usize)> = Vec::new();
    for (n, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Text(t) => {
                let next_is_tag =
                    matches!(pieces.get(n + 1), Some(Piece::Token(tk)) if tk.kind == Kind::Tag);
                let t = if next_is_tag {
                    t.trim_end_matches([' ', '\t'])
                } else {
                    t
                };
                literal_text(t, &mut out);
            }
            Piece::Token(tk) => {
                let newlines = "\n".repeat(tk.body.matches('\n').count());
                let fail = |e: ParseError, msg: &str| {
                    let body_at = tk.start + 2 + usize::from(tk.left_trim);
                    let (line, col) = line_col(src, body_at + e.offset);
                    CompileError {
                        line,
                        col,
                        message: format!("{msg}: {}", e.message),
                    }
                };
                match tk.kind {
                    Kind::Comment => {
                        // nothing printed, no trimming, lines kept
                        out.push_str("{{ none");
                        out.push_str(&newlines);
                        out.push_str(" }}");
                    }
                    Kind::Expr => {
                        let e =
                            expr::parse(tk.body).map_err(|e| fail(e, "cannot parse expression"))?;
                        let scope = locals.iter().flatten().cloned().collect();
                        let mut em = Emitter {
                            locals: &scope,
                            reads: &mut reads,
                        };
                        let code = em.value(&e);
                        out.push_str("{{ ");
                        out.push_str(&code);
                        out.push_str(&newlines);
                        out.push_str(" }}");
                    }
                    Kind::Tag => {
                        let scope: BTreeSet<String> = locals.iter().flatten().cloned().collect();
                        let body = tk.body.trim();
                        let name_len = body
                            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                            .unwrap_or(body.len());
                        let (name, rest) = body.split_at(name_len);
                        let rest_at = tk.start
                            + 2
                            + usize::from(tk.left_trim)
                            + (tk.body.len() - tk.body.trim_start().len())
                            + name_len;
                        let fail_at = |e: ParseError, msg: &str| {
                            let (line, col) = line_col(src, rest_at + e.offset);
                            CompileError {
                                line,
                                col,
                                message: format!("{msg}: {}", e.message),
                            }
                        };
                        let mut em = Emitter {
                            locals: &scope,
                            reads: &mut reads,
                        };
                        let code = match name {
                            "if" | "elif" => {
                                if name == "if" {
                                    stack.push(("if", tk.start));
                                } else if stack.last().map(|s| s.0) != Some("if") {
                                    return Err(at(src, tk.start, "`elif` outside `if`"));
                                }
                                let e = expr::parse(rest)
                                    .map_err(|e| fail_at(e, &format!("cannot parse `{name}`")))?;
                                format!("{name} {}", em.cond(&e))
                            }
                            "else" => {
                                if !matches!(stack.last().map(|s| s.0), Some("if" | "for")) {
                                    return Err(at(src, tk.start, "`else` outside `if` or `for`"));
                                }
                                "else".to_string()
                            }
                            "for" => {
                                let mut p = Parser::new(rest)
                                    .map_err(|e| fail_at(e, "cannot parse `for`"))?;
                                let mut targets = vec![p
                                    .ident()
                                    .map_err(|e| fail_at(e, "cannot parse `for`"))?];
                                while p.eat_op(",") {
                                    targets.push(
                                        p.ident().map_err(|e| fail_at(e, "cannot parse `for`"))?,
                                    );
                                }
                                if !p.eat_ident("in") {
                                    return Err(fail_at(
                                        p.fail::<()>("expected `in`").unwrap_err(),
                                        "cannot parse `for`",
                                    ));
                                }
                                let iter =
                                    p.expr().map_err(|e| fail_at(e, "cannot parse `for`"))?;
                                if !p.at_end() {
                                    return Err(fail_at(
                                        p.fail::<()>(
                                            "loop filters and `recursive` are not jinjava syntax",
                                        )
                                        .unwrap_err(),
                                        "cannot parse `for`",
                                    ));
                                }
                                check_names(&targets, src, tk.start)?;
                                let code = format!(
                                    "for {} in {PREFIX}iter({})",
                                    targets.join(", "),
                                    em.value(&iter)
                                );
                                stack.push(("for", tk.start));
                                locals.push(targets.into_iter().collect());
                                code
                            }
                            "set" => {
                                let mut p = Parser::new(rest)
                                    .map_err(|e| fail_at(e, "cannot parse `set`"))?;
                                let target =
                                    p.ident().map_err(|e| fail_at(e, "cannot parse `set`"))?;
                                if !p.eat_op("=") {
                                    return Err(fail_at(
                                        p.fail::<()>("expected `=` (block `set` is not supported)")
                                            .unwrap_err(),
                                        "cannot parse `set`",
                                    ));
                                }
                                let value =
                                    p.expr().map_err(|e| fail_at(e, "cannot parse `set`"))?;
                                if !p.at_end() {
                                    return Err(fail_at(
                                        p.fail::<()>("unexpected text").unwrap_err(),
                                        "cannot parse `set`",
                                    ));
                                }
                                check_names(std::slice::from_ref(&target), src, tk.start)?;
                                let code = format!("set {target} = {}", em.value(&value));
                                if let Some(l) = locals.last_mut() {
                                    l.insert(target);
                                }
                                code
                            }
                            "endif" | "endfor" => {
                                let want = &name[3..];
                                match stack.last() {
                                    Some((open, _)) if *open == want => {
                                        stack.pop();
                                    }
                                    Some((open, pos)) => {
                                        // jinjava pops the open tags with a fatal error each
                                        return Err(at(src, tk.start, &format!(
                                            "`{{% {name} %}}` does not close the `{open}` opened on line {}",
                                            line_col(src, *pos).0
                                        )));
                                    }
                                    None => {
                                        notes.push(format!(
                                            "line {}: `{{% {name} %}}` without its start tag is ignored, as jinjava does",
                                            line_col(src, tk.start).0
                                        ));
                                        // keep the tag's whitespace effects, print nothing
                                        out.push_str(if tk.left_trim {
                                            "{%- if true %}"
                                        } else {
                                            "{% if true %}"
                                        });
                                        out.push_str(&newlines);
                                        out.push_str(if tk.right_trim {
                                            "{% endif -%}"
                                        } else {
                                            "{% endif %}"
                                        });
                                        continue;
                                    }
                                }
                                if want == "for" {
                                    locals.pop();
                                }
                                name.to_string()
                            }
                            "raw" | "endraw" => {
                                return Err(at(src, tk.start, "`raw` blocks are not supported"));
                            }
                            other => {
                                return Err(at(src, tk.start, &format!(
                                    "unknown or unsupported tag `{other}` (templates are data: no include, import, macro or call)"
                                )));
                            }
                        };
                        out.push_str(if tk.left_trim { "{%- " } else { "{% " });
                        out.push_str(&code);
                        out.push_str(&newlines);
                        out.push_str(if tk.right_trim { " -%}" } else { " %}" });
                    }
                }
            }
        }
    }
    if let Some((open, pos)) = stack.pop() {
        return Err(at(
            src,
            pos,
            &format!("`{open}` is never closed (`end{open}` missing)"),
        ));
    }
    Ok(Compiled {
        source: out,
        reads,
        notes,
    })
}

fn at(src: &str, offset: usize, message: &str) -> CompileError {
    let (line, col) = line_col(src, offset);
    CompileError {
        line,
        col,
        message: message.to_string(),
    }
}

fn check_names(names: &[String], src: &str, offset: usize) -> Result<(), CompileError> {
    match names.iter().find(|n| n.starts_with(PREFIX)) {
        Some(n) => Err(at(src, offset, &format!("the name `{n}` is reserved"))),
        None => Ok(()),
    }
}

#[cfg(test)]
#[path = "compile_tests.rs"]
mod tests;
