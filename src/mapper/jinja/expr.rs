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

fn err(offset: usize, message: &str) -> ParseError {
    ParseError {
        offset,
        message: message.to_string(),
    }
}

pub struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
}

fn is_kw(s: &str) -> bool {
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

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }
    fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.toks.get(self.pos + n).map(|(t, _)| t)
    }
    fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(_, o)| *o)
    }
    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Tok::Op(o)) if *o == op)
    }
    fn is_ident(&self, name: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(i)) if i == name)
    }
    fn bump(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).map(|(t, _)| t.clone());
        self.pos += 1;
        t
    }
    fn expect_op(&mut self, op: &str) -> Result<(), ParseError> {
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

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut v = self.and()?;
        while self.eat_op("||") || self.eat_ident("or") {
            v = Expr::Bin(BinOp::Or, Box::new(v), Box::new(self.and()?));
        }
        Ok(v)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut v = self.eq()?;
        while self.eat_op("&&") || self.eat_ident("and") {
            v = Expr::Bin(BinOp::And, Box::new(v), Box::new(self.eq()?));
        }
        Ok(v)
    }

    fn eq(&mut self) -> Result<Expr, ParseError> {
        let mut v = self.cmp()?;
        loop {
            let op = if self.eat_op("==") || self.eat_ident("eq") {
                BinOp::Eq
            } else if self.eat_op("!=") || self.eat_ident("ne") {
                BinOp::Ne
            } else {
                return Ok(v);
            };
            v = Expr::Bin(op, Box::new(v), Box::new(self.cmp()?));
        }
    }

    fn cmp(&mut self) -> Result<Expr, ParseError> {
        let mut v = self.add()?;
        loop {
            let op = if self.eat_op("<=") || self.eat_ident("le") {
                BinOp::Le
            } else if self.eat_op(">=") || self.eat_ident("ge") {
                BinOp::Ge
            } else if self.eat_op("<") || self.eat_ident("lt") {
                BinOp::Lt
            } else if self.eat_op(">") || self.eat_ident("gt") {
                BinOp::Gt
            } else if self.eat_ident("in") {
                BinOp::In
            } else if self.is_ident("not")
                && matches!(self.peek_at(1), Some(Tok::Ident(i)) if i == "in")
            {
                self.pos += 2;
                BinOp::NotIn
            } else {
                return Ok(v);
            };
            v = Expr::Bin(op, Box::new(v), Box::new(self.add()?));
        }
    }

    fn add(&mut self) -> Result<Expr, ParseError> {
        let mut v = self.mul()?;
        loop {
            let op = if self.eat_op("+") {
                BinOp::Add
            } else if self.eat_op("-") {
                BinOp::Sub
            } else if self.eat_op("~") {
                BinOp::Concat
            } else {
                return Ok(v);
            };
            v = Expr::Bin(op, Box::new(v), Box::new(self.mul()?));
        }
    }

    fn mul(&mut self) -> Result<Expr, ParseError> {
        let mut v = self.unary()?;
        loop {
            let op = if self.eat_op("*") {
                BinOp::Mul
            } else if self.eat_op("//") {
                BinOp::FloorDiv
            } else if self.eat_op("/") || self.eat_ident("div") {
                BinOp::Div
            } else if self.eat_op("%") || self.eat_ident("mod") {
                BinOp::Mod
            } else if self.eat_op("**") {
                BinOp::Pow
            } else {
                return Ok(v);
            };
            v = Expr::Bin(op, Box::new(v), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.eat_op("!") || self.eat_ident("not") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat_op("-") {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        if self.eat_ident("empty") {
            return Ok(Expr::Empty(Box::new(self.unary()?)));
        }
        self.value()
    }

    fn args(&mut self) -> Result<Vec<Expr>, ParseError> {
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

    fn value(&mut self) -> Result<Expr, ParseError> {
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

    fn starts_value(&self) -> bool {
        match self.peek() {
            Some(Tok::Ident(i)) => !is_kw(i) || i == "empty",
            Some(Tok::Str(_) | Tok::Int(_) | Tok::Float(_)) => true,
            Some(Tok::Op(o)) => matches!(*o, "(" | "[" | "{"),
            None => false,
        }
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
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
mod tests {
    use super::*;

    fn var(p: &str) -> Expr {
        let mut parts = p.split('.');
        let mut e = Expr::Var(parts.next().unwrap().into());
        for a in parts {
            e = Expr::Attr(Box::new(e), a.into());
        }
        e
    }

    #[test]
    fn java_operators_and_methods() {
        let e = parse("a.b is defined || c.d is defined").unwrap();
        assert!(matches!(e, Expr::Bin(BinOp::Or, _, _)));
        let e = parse("loop.index < profile.hosts.toList()|length").unwrap();
        let Expr::Bin(BinOp::Lt, l, r) = e else {
            panic!()
        };
        assert_eq!(*l, var("loop.index"));
        assert!(
            matches!(*r, Expr::Filter(ref m, ref f, _) if f == "length" && matches!(**m, Expr::Method(_, ref n, _) if n == "toList"))
        );
    }

    #[test]
    fn tests_take_one_bare_argument() {
        let e = parse("x.y is sameas true and z is not defined").unwrap();
        let Expr::Bin(BinOp::And, l, r) = e else {
            panic!()
        };
        assert!(
            matches!(*l, Expr::Test(_, ref n, ref a, false) if n == "sameas" && a == &[Expr::Lit(Lit::Bool(true))])
        );
        assert!(matches!(*r, Expr::Test(_, ref n, ref a, true) if n == "defined" && a.is_empty()));
    }

    #[test]
    fn unary_not_binds_tighter_than_comparison_as_in_juel() {
        let e = parse("not a == b").unwrap();
        assert!(matches!(e, Expr::Bin(BinOp::Eq, ref l, _) if matches!(**l, Expr::Not(_))));
    }

    #[test]
    fn conditional_and_literals() {
        let e = parse("\",\" if not loop.last").unwrap();
        assert!(matches!(e, Expr::Cond(_, _, None)));
        let e = parse("x | default('multicast')").unwrap();
        assert!(
            matches!(e, Expr::Filter(_, ref f, ref a) if f == "default" && a == &[Expr::Lit(Lit::Str("multicast".into()))])
        );
        assert!(parse("a[1:2]").is_err());
        assert!(parse("a +").is_err());
        assert!(parse("'unterminated").is_err());
    }
}
