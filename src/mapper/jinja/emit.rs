//! Writes a parsed jinjava expression as MiniJinja source whose every operation is a runtime
//! shim (`__jv_*`, see `runtime.rs`) with jinjava's semantics: truthiness (`"false"` is
//! false), EL equality (`"true" == true`), `or` returning a value, iteration over map values,
//! Java methods (`.items()`, `.split()`, `.toList()`), jinjava's filters and tests. Only
//! literals, variables, attribute and item access, `and`, `not` and the conditional are left to
//! MiniJinja itself.
//!
//! It also records the context paths the template reads (`transport.https.properties`), so a
//! caller can pick the templates a setting reaches without rendering them.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::expr::{BinOp, Expr, Lit};

/// The prefix reserved for the shims; no context key or template variable may use it.
pub const PREFIX: &str = "__jv_";

pub const FILTERS: &[&str] = &[
    "default",
    "d",
    "length",
    "count",
    "join",
    "lower",
    "upper",
    "trim",
    "replace",
    "int",
    "float",
    "string",
    "first",
    "last",
    "list",
    "capitalize",
    "title",
    "escape",
    "e",
];
pub const TESTS: &[&str] = &[
    "defined",
    "undefined",
    "none",
    "null",
    "sameas",
    "string",
    "number",
    "mapping",
    "iterable",
    "sequence",
    "boolean",
    "true",
    "false",
    "even",
    "odd",
    "divisibleby",
    "equalto",
    "eq",
    "ne",
    "lt",
    "gt",
    "le",
    "ge",
    "in",
    "within",
    "containing",
    "truthy",
];
pub const METHODS: &[&str] = &[
    "items",
    "keys",
    "values",
    "split",
    "toList",
    "size",
    "lower",
    "upper",
    "strip",
    "trim",
    "startswith",
    "endswith",
    "startsWith",
    "endsWith",
    "contains",
    "replace",
    "get",
    "isEmpty",
    "toString",
    "length",
    "equals",
    "equalsIgnoreCase",
    "toLowerCase",
    "toUpperCase",
];

pub struct Emitter<'a> {
    /// Names bound by `for` and `set` in scope (not context reads).
    pub locals: &'a BTreeSet<String>,
    pub reads: &'a mut BTreeSet<String>,
}

impl Emitter<'_> {
    /// A value expression.
    pub fn value(&mut self, e: &Expr) -> String {
        let mut s = String::new();
        self.write(e, &mut s);
        s
    }

    /// A condition: jinjava truthiness, as a MiniJinja bool.
    pub fn cond(&mut self, e: &Expr) -> String {
        format!("{PREFIX}b({})", self.value(e))
    }

    fn path_of(&self, e: &Expr) -> Option<String> {
        match e {
            Expr::Var(v) if !self.locals.contains(v) && v != "loop" => Some(v.clone()),
            Expr::Attr(o, n) => self.path_of(o).map(|p| format!("{p}.{n}")),
            _ => None,
        }
    }

    /// A context path (`a.b.c`) as written, recorded once as a read.
    fn write_path(e: &Expr, out: &mut String) {
        match e {
            Expr::Var(v) => out.push_str(v),
            Expr::Attr(o, name) => {
                Self::write_path(o, out);
                if is_identifier(name) {
                    out.push('.');
                    out.push_str(name);
                } else {
                    out.push('[');
                    write_lit(&Lit::Str(name.clone()), out);
                    out.push(']');
                }
            }
            _ => {}
        }
    }

    fn write(&mut self, e: &Expr, out: &mut String) {
        if let Some(p) = self.path_of(e) {
            self.reads.insert(p);
            return Self::write_path(e, out);
        }
        match e {
            Expr::Var(v) => out.push_str(v),
            Expr::Lit(l) => write_lit(l, out),
            Expr::List(items) => {
                out.push('[');
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write(it, out);
                }
                out.push(']');
            }
            Expr::Dict(items) => {
                out.push('{');
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let _ = write!(out, "{PREFIX}k({})", self.value(k));
                    out.push_str(": ");
                    self.write(v, out);
                }
                out.push('}');
            }
            Expr::Attr(o, name) => {
                self.write(o, out);
                if is_identifier(name) {
                    out.push('.');
                    out.push_str(name);
                } else {
                    out.push('[');
                    write_lit(&Lit::Str(name.clone()), out);
                    out.push(']');
                }
            }
            Expr::Item(o, k) => {
                self.write(o, out);
                let _ = write!(out, "[{PREFIX}k({})]", self.value(k));
            }
            Expr::Method(o, name, args) => {
                if matches!(&**o, Expr::Var(v) if v == "loop") {
                    // MiniJinja's own loop object (`loop.cycle(…)`)
                    self.write(o, out);
                    let _ = write!(out, ".{name}({})", self.list(args));
                } else if METHODS.contains(&name.as_str()) {
                    let _ = write!(out, "{PREFIX}m_{}({}", name, self.value(o));
                    self.rest(args, out);
                } else {
                    let _ = write!(out, "{PREFIX}method({}, ", self.value(o));
                    write_lit(&Lit::Str(name.clone()), out);
                    self.rest(args, out);
                }
            }
            Expr::Call(name, args) => {
                if name == "range" {
                    let _ = write!(out, "{PREFIX}range({})", self.list(args));
                } else {
                    let _ = write!(out, "{PREFIX}function(");
                    write_lit(&Lit::Str(name.clone()), out);
                    self.rest(args, out);
                }
            }
            Expr::Filter(o, name, args) => {
                if FILTERS.contains(&name.as_str()) {
                    let _ = write!(out, "{PREFIX}f_{}({}", name, self.value(o));
                } else {
                    let _ = write!(out, "{PREFIX}filter(");
                    write_lit(&Lit::Str(name.clone()), out);
                    let _ = write!(out, ", {}", self.value(o));
                }
                self.rest(args, out);
            }
            Expr::Test(o, name, args, negated) => {
                if *negated {
                    out.push_str("(not ");
                }
                if TESTS.contains(&name.as_str()) {
                    let _ = write!(out, "{PREFIX}t_{}({}", name, self.value(o));
                } else {
                    let _ = write!(out, "{PREFIX}test(");
                    write_lit(&Lit::Str(name.clone()), out);
                    let _ = write!(out, ", {}", self.value(o));
                }
                self.rest(args, out);
                if *negated {
                    out.push(')');
                }
            }
            Expr::Not(x) => {
                let _ = write!(out, "(not {})", self.cond(x));
            }
            Expr::Neg(x) => {
                let _ = write!(out, "{PREFIX}neg({})", self.value(x));
            }
            Expr::Empty(x) => {
                let _ = write!(out, "{PREFIX}empty({})", self.value(x));
            }
            Expr::Cond(then, test, other) => {
                let t = self.value(then);
                let c = self.cond(test);
                let o = other.as_ref().map_or("none".to_string(), |o| self.value(o));
                let _ = write!(out, "({t} if {c} else {o})");
            }
            Expr::Bin(op, l, r) => self.binary(*op, l, r, out),
        }
    }

    fn binary(&mut self, op: BinOp, l: &Expr, r: &Expr, out: &mut String) {
        let (a, b) = (self.value(l), self.value(r));
        let _ = match op {
            // JUEL `and`: a boolean, right side only when the left is true
            BinOp::And => write!(out, "({PREFIX}b({a}) and {PREFIX}b({b}))"),
            // jinjava's OrOperator: the left value when truthy, else the right value
            BinOp::Or => write!(out, "({a} if {PREFIX}b({a}) else {b})"),
            BinOp::Eq => write!(out, "{PREFIX}eq({a}, {b})"),
            BinOp::Ne => write!(out, "(not {PREFIX}eq({a}, {b}))"),
            BinOp::In => write!(out, "{PREFIX}in({a}, {b})"),
            BinOp::NotIn => write!(out, "(not {PREFIX}in({a}, {b}))"),
            BinOp::Concat => write!(out, "{PREFIX}cat({a}, {b})"),
            BinOp::Add => write!(out, "{PREFIX}add({a}, {b})"),
            _ => {
                let sym = match op {
                    BinOp::Lt => "<",
                    BinOp::Le => "<=",
                    BinOp::Gt => ">",
                    BinOp::Ge => ">=",
                    BinOp::Sub => "-",
                    BinOp::Mul => "*",
                    BinOp::Div => "/",
                    BinOp::FloorDiv => "//",
                    BinOp::Mod => "%",
                    _ => "**",
                };
                write!(out, "{PREFIX}op({a}, \"{sym}\", {b})")
            }
        };
    }

    fn list(&mut self, args: &[Expr]) -> String {
        args.iter()
            .map(|a| self.value(a))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `, arg, arg)` after a first argument already written.
    fn rest(&mut self, args: &[Expr], out: &mut String) {
        for a in args {
            out.push_str(", ");
            self.write(a, out);
        }
        out.push(')');
    }
}

pub fn is_identifier(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
        && !matches!(
            s,
            "true"
                | "false"
                | "none"
                | "True"
                | "False"
                | "None"
                | "and"
                | "or"
                | "not"
                | "is"
                | "in"
                | "if"
                | "else"
        )
}

pub fn write_lit(l: &Lit, out: &mut String) {
    match l {
        Lit::Str(s) => {
            out.push('"');
            for ch in s.chars() {
                match ch {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if (c as u32) < 0x20 => {
                        let _ = write!(out, "\\u{:04x}", c as u32);
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        Lit::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Lit::Float(f) => {
            let _ = write!(out, "{f:?}");
        }
        Lit::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Lit::None => out.push_str("none"),
    }
}
