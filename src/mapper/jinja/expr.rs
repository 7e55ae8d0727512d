//! jinjava's expression language, parsed: JUEL (`&&`, `||`, `!`, `eq`, `empty`, `? :`, Java
//! method calls such as `.toList()`) extended with Jinja filters, tests and `x if c else y`.
//! Precedence is JUEL's: unary operators bind tighter than comparisons, `|` and `is` bind to
//! the value they follow.

#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Var(String),
    Lit(Lit),
    List(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    Attr(Box<Expr>, String),
    Item(Box<Expr>, Box<Expr>),
    Method(Box<Expr>, String, Vec<Expr>),
    Call(String, Vec<Expr>),
    Filter(Box<Expr>, String, Vec<Expr>),
    Test(Box<Expr>, String, Vec<Expr>, bool),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Empty(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Option<Box<Expr>>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Add,
    Sub,
    Concat,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
}

use super::lex::err;
pub use super::lex::{tokenize, ParseError, Tok};

pub struct Parser {
    pub(super) toks: Vec<(Tok, usize)>,
    pub(super) pos: usize,
    pub(super) end: usize,
}

pub(super) fn is_kw(s: &str) -> bool {
    matches!(
        s,
        "and"
            | "or"
            | "not"
            | "in"
            | "is"
            | "if"
            | "else"
            | "eq"
            | "ne"
            | "lt"
            | "gt"
            | "le"
            | "ge"
            | "div"
            | "mod"
            | "empty"
            | "instanceof"
    )
}

impl Parser {
    pub fn new(src: &str) -> Result<Parser, ParseError> {
        Ok(Parser {
            toks: tokenize(src)?,
            pos: 0,
            end: src.len(),
        })
    }

    pub(super) fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }
    pub(super) fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.toks.get(self.pos + n).map(|(t, _)| t)
    }
    pub(super) fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(_, o)| *o)
    }
    pub(super) fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Tok::Op(o)) if *o == op)
    }
    pub(super) fn is_ident(&self, name: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(i)) if i == name)
    }
    pub(super) fn bump(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).map(|(t, _)| t.clone());
        self.pos += 1;
        t
    }
    pub(super) fn expect_op(&mut self, op: &str) -> Result<(), ParseError> {
        if self.is_op(op) {
            self.pos += 1;
            Ok(())
        } else {
            Err(err(self.offset(), &format!("expected `{op}`")))
        }
    }
    pub fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }
    pub fn fail<T>(&self, message: &str) -> Result<T, ParseError> {
        Err(err(self.offset(), message))
    }

    /// An identifier (loop and set targets).
    pub fn ident(&mut self) -> Result<String, ParseError> {
        match self.bump() {
            Some(Tok::Ident(s)) if !is_kw(&s) => Ok(s),
            _ => {
                self.pos -= 1;
                self.fail("expected a name")
            }
        }
    }
    pub fn eat_op(&mut self, op: &str) -> bool {
        let yes = self.is_op(op);
        if yes {
            self.pos += 1;
        }
        yes
    }
    pub fn eat_ident(&mut self, name: &str) -> bool {
        let yes = self.is_ident(name);
        if yes {
            self.pos += 1;
        }
        yes
    }

    pub fn expr(&mut self) -> Result<Expr, ParseError> {
        let v = self.or()?;
        if self.eat_op("?") {
            let a = self.expr()?;
            self.expect_op(":")?;
            let b = self.expr()?;
            return Ok(Expr::Cond(Box::new(a), Box::new(v), Some(Box::new(b))));
        }
        if self.eat_ident("if") {
            let cond = self.expr()?;
            let other = if self.eat_ident("else") {
                Some(Box::new(self.expr()?))
            } else {
                None
            };
            return Ok(Expr::Cond(Box::new(v), Box::new(cond), other));
        }
        Ok(v)
    }

    pub(super) fn args(&mut self) -> Result<Vec<Expr>, ParseError> {
        self.expect_op("(")?;
        let mut args = Vec::new();
        if self.eat_op(")") {
            return Ok(args);
        }
        loop {
            if matches!(self.peek(), Some(Tok::Ident(_)))
                && matches!(self.peek_at(1), Some(Tok::Op("=")))
            {
                return self.fail("named arguments are not supported");
            }
            args.push(self.expr()?);
            if self.eat_op(")") {
                return Ok(args);
            }
            self.expect_op(",")?;
        }
    }

    pub(super) fn value(&mut self) -> Result<Expr, ParseError> {
        let mut v = self.primary()?;
        loop {
            if self.eat_op(".") {
                let name = match self.bump() {
                    Some(Tok::Ident(n)) => n,
                    Some(Tok::Int(n)) => n.to_string(),
                    _ => {
                        self.pos -= 1;
                        return self.fail("expected a name after `.`");
                    }
                };
                if self.is_op("(") {
                    let args = self.args()?;
                    v = Expr::Method(Box::new(v), name, args);
                } else {
                    v = Expr::Attr(Box::new(v), name);
                }
            } else if self.eat_op("[") {
                let key = self.expr()?;
                if self.is_op(":") {
                    return self.fail("slices are not supported");
                }
                self.expect_op("]")?;
                v = Expr::Item(Box::new(v), Box::new(key));
            } else {
                break;
            }
        }
        // jinjava: filters, or one test, after a value
        if self.is_op("|") {
            while self.eat_op("|") {
                let name = self.ident()?;
                let args = if self.is_op("(") {
                    self.args()?
                } else {
                    Vec::new()
                };
                v = Expr::Filter(Box::new(v), name, args);
            }
            return Ok(v);
        }
        if self.eat_ident("is") {
            let negated = self.eat_ident("not");
            let name = match self.bump() {
                Some(Tok::Ident(n)) => n,
                Some(Tok::Op("==")) => "eq".into(),
                Some(Tok::Op("!=")) => "ne".into(),
                Some(Tok::Op("<")) => "lt".into(),
                Some(Tok::Op(">")) => "gt".into(),
                Some(Tok::Op("<=")) => "le".into(),
                Some(Tok::Op(">=")) => "ge".into(),
                _ => {
                    self.pos -= 1;
                    return self.fail("expected a test name after `is`");
                }
            };
            let args = if self.is_op("(") {
                self.args()?
            } else if self.starts_value() {
                vec![self.value()?]
            } else {
                Vec::new()
            };
            v = Expr::Test(Box::new(v), name, args, negated);
        }
        Ok(v)
    }

    pub(super) fn starts_value(&self) -> bool {
        match self.peek() {
            Some(Tok::Ident(i)) => !is_kw(i) || i == "empty",
            Some(Tok::Str(_) | Tok::Int(_) | Tok::Float(_)) => true,
            Some(Tok::Op(o)) => matches!(*o, "(" | "[" | "{"),
            None => false,
        }
    }

    pub(super) fn primary(&mut self) -> Result<Expr, ParseError> {
        let at = self.offset();
        match self.bump() {
            Some(Tok::Str(s)) => Ok(Expr::Lit(Lit::Str(s))),
            Some(Tok::Int(n)) => Ok(Expr::Lit(Lit::Int(n))),
            Some(Tok::Float(f)) => Ok(Expr::Lit(Lit::Float(f))),
            Some(Tok::Ident(name)) => match name.as_str() {
                "true" | "True" => Ok(Expr::Lit(Lit::Bool(true))),
                "false" | "False" => Ok(Expr::Lit(Lit::Bool(false))),
                "null" | "none" | "None" => Ok(Expr::Lit(Lit::None)),
                n if is_kw(n) => Err(err(at, &format!("unexpected `{n}`"))),
                _ => {
                    if self.is_op("(") {
                        let args = self.args()?;
                        Ok(Expr::Call(name, args))
                    } else {
                        Ok(Expr::Var(name))
                    }
                }
            },
            Some(Tok::Op("(")) => {
                let first = self.expr()?;
                if self.eat_op(",") {
                    let mut items = vec![first];
                    while !self.is_op(")") {
                        items.push(self.expr()?);
                        if !self.eat_op(",") {
                            break;
                        }
                    }
                    self.expect_op(")")?;
                    return Ok(Expr::List(items));
                }
                self.expect_op(")")?;
                Ok(first)
            }
            Some(Tok::Op("[")) => {
                let mut items = Vec::new();
                while !self.is_op("]") {
                    items.push(self.expr()?);
                    if !self.eat_op(",") {
                        break;
                    }
                }
                self.expect_op("]")?;
                Ok(Expr::List(items))
            }
            Some(Tok::Op("{")) => {
                let mut items = Vec::new();
                while !self.is_op("}") {
                    let k = self.expr()?;
                    self.expect_op(":")?;
                    items.push((k, self.expr()?));
                    if !self.eat_op(",") {
                        break;
                    }
                }
                self.expect_op("}")?;
                Ok(Expr::Dict(items))
            }
            Some(Tok::Op(o)) => Err(err(at, &format!("unexpected `{o}`"))),
            None => Err(err(at, "unexpected end of expression")),
        }
    }
}

/// Parses a whole expression.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let mut p = Parser::new(src)?;
    let e = p.expr()?;
    if !p.at_end() {
        return p.fail("unexpected text after the expression");
    }
    Ok(e)
}

#[cfg(test)]
#[path = "expr_tests.rs"]
mod tests;
