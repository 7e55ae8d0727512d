//! The template stage (`JinjaParser`): jinjava templates compiled to MiniJinja
//! (`compile.rs`), rendered with jinjava's semantics (`runtime.rs`, `methods.rs`,
//! `filters.rs`) in one process-wide engine that keeps every compiled template by the hash of
//! its text, so a fleet of one product version compiles each template once.
//!
//! Templates are data: no loader (no include/import), no file or environment access, a fuel
//! budget per render, a recursion limit and an output cap. A template that cannot be compiled
//! or rendered is an error of that template, never a panic.

mod arith;
pub mod compile;
pub mod emit;
pub mod expr;
mod filters;
pub mod lex;
mod methods;
mod pieces;
mod precedence;
pub mod runtime;
mod trace;

pub use self::trace::{render_traced, strip_markers, traced, From, Span, TracedRender};

use std::collections::{BTreeSet, HashMap};
use std::io;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

use minijinja::value::{Rest, ValueKind};
use minijinja::{Environment, Error, ErrorKind, Value};
use sha2::{Digest, Sha256};

use self::emit::{METHODS, PREFIX};
use self::runtime::{output_string, plain, trace_key};

/// Work one render may do (MiniJinja fuel: about one unit per instruction or 64 bytes).
/// The largest real template (an APIM axis2.xml) needs well under a hundredth of it.
pub const FUEL: u64 = 20_000_000;
/// Output cap per rendered file.
pub const MAX_OUTPUT: usize = 32 * 1024 * 1024;
/// Markers around a traced value in a trace render (Unicode private use).
pub const MARK_OPEN: char = '\u{E000}';
pub const MARK_KEY_END: char = '\u{E001}';
pub const MARK_CLOSE: char = '\u{E002}';

/// A template ready to render, or why it is not.
#[derive(Debug)]
pub struct Prepared {
    name: String,
    /// SHA-256 of the normalized template text.
    pub hash: [u8; 32],
    /// The compiled MiniJinja source (same lines as the template).
    source: Arc<str>,
    pub reads: BTreeSet<String>,
    /// The template's text names an element that can open a TLS listener (a connector, an
    /// Axis2 receiver, a broker SSL connection, an inbound endpoint, a data receiver, MI's
    /// internal API SSL config or its port): rendering it may show one.
    pub listeners: bool,
    pub notes: Vec<String>,
    pub error: Option<compile::CompileError>,
}

struct Engine {
    env: RwLock<Environment<'static>>,
    prepared: Mutex<HashMap<[u8; 32], Arc<Prepared>>>,
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine {
        env: RwLock::new(environment()),
        prepared: Mutex::new(HashMap::new()),
    })
}

/// `FileUtils.readFile`: lines (split on `\n`, `\r\n` or `\r`) each followed by `\n`.
pub fn normalize(bytes: &[u8]) -> String {
    // the common case: LF only, ending in a newline
    if !bytes.contains(&b'\r') && bytes.last().is_none_or(|&b| b == b'\n') {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len() + 1);
    let mut rest: &str = &text;
    while !rest.is_empty() {
        let end = rest
            .bytes()
            .position(|b| b == b'\n' || b == b'\r')
            .unwrap_or(rest.len());
        out.push_str(&rest[..end]);
        out.push('\n');
        rest = &rest[end..];
        if rest.starts_with("\r\n") {
            rest = &rest[2..];
        } else if !rest.is_empty() {
            rest = &rest[1..];
        }
    }
    out
}

/// Compiles `source` (normalized text) once per distinct content.
pub fn prepare(source: &str) -> Arc<Prepared> {
    let hash: [u8; 32] = Sha256::digest(source.as_bytes()).into();
    let eng = engine();
    if let Some(p) = eng
        .prepared
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&hash)
    {
        return p.clone();
    }
    let name: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    let listeners = LISTENER_MARKERS.iter().any(|m| source.contains(m));
    let prepared = match compile::compile(source) {
        Err(e) => Prepared {
            name,
            hash,
            source: Arc::from(""),
            reads: BTreeSet::new(),
            listeners,
            notes: Vec::new(),
            error: Some(e),
        },
        Ok(c) => {
            let mut env = eng.env.write().unwrap_or_else(PoisonError::into_inner);
            let error = env
                .add_template_owned(name.clone(), c.source.clone())
                .err()
                .map(|e| compile::CompileError {
                    line: e.line().unwrap_or(0) as u32,
                    col: 1,
                    message: format!("cannot compile: {}", e.detail().unwrap_or("syntax error")),
                });
            Prepared {
                name,
                hash,
                source: Arc::from(c.source),
                reads: c.reads,
                listeners,
                notes: c.notes,
                error,
            }
        }
    };
    let prepared = Arc::new(prepared);
    let mut cache = eng.prepared.lock().unwrap_or_else(PoisonError::into_inner);
    if cache.len() >= MAX_CACHED {
        // a fleet of many versions (or templates edited per node): drop the compiled templates
        // no caller holds, so memory stays bounded
        let idle: Vec<[u8; 32]> = cache
            .iter()
            .filter(|(_, p)| Arc::strong_count(p) == 1)
            .map(|(h, _)| *h)
            .collect();
        let mut env = eng.env.write().unwrap_or_else(PoisonError::into_inner);
        for h in idle {
            if let Some(p) = cache.remove(&h) {
                env.remove_template(&p.name);
            }
        }
    }
    cache.insert(hash, prepared.clone());
    prepared
}

/// Text that marks a template able to render a TLS listener (`effective::scan` recognises
/// these elements) or the port MI's internal APIs listen on.
const LISTENER_MARKERS: [&str; 7] = [
    "SSLEnabled",
    "transportReceiver",
    "sslConnection",
    "inboundEndpoint",
    "dataReceiver",
    "sslConfig",
    "internal.https.api.port",
];

/// Compiled templates kept before idle ones are dropped (a product version has ~60).
const MAX_CACHED: usize = 1024;

/// A render failure at a template line (0 when unknown).
#[derive(Debug, Clone)]
pub struct RenderError {
    pub line: u32,
    pub message: String,
}

struct Capped {
    buf: Vec<u8>,
    over: bool,
}

impl io::Write for Capped {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        if self.buf.len() + b.len() > MAX_OUTPUT {
            self.over = true;
            return Err(io::Error::other("output cap"));
        }
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Renders a prepared template with a context.
pub fn render(p: &Prepared, ctx: &Value) -> Result<String, RenderError> {
    if let Some(e) = &p.error {
        return Err(RenderError {
            line: e.line,
            message: e.message.clone(),
        });
    }
    let env = engine().env.read().unwrap_or_else(PoisonError::into_inner);
    let tmpl = env.get_template(&p.name).map_err(|e| RenderError {
        line: 0,
        message: e.to_string(),
    })?;
    let mut out = Capped {
        buf: Vec::new(),
        over: false,
    };
    let result = tmpl.render_captured_to(ctx.clone(), &mut out).map(drop);
    if out.over {
        return Err(RenderError {
            line: 0,
            message: format!(
                "output exceeds {} MiB (this renderer's limit)",
                MAX_OUTPUT >> 20
            ),
        });
    }
    result.map_err(|e| RenderError {
        line: e.line().unwrap_or(0) as u32,
        message: describe(&e),
    })?;
    String::from_utf8(out.buf).map_err(|_| RenderError {
        line: 0,
        message: "output is not UTF-8".into(),
    })
}

fn describe(e: &Error) -> String {
    match e.kind() {
        ErrorKind::OutOfFuel => {
            "too much work (a loop that does not end or explodes; this renderer's limit)".into()
        }
        _ => e
            .detail()
            .map_or_else(|| e.kind().to_string(), str::to_string),
    }
}

fn formatter(
    out: &mut minijinja::Output,
    _: &mut minijinja::State,
    v: &Value,
) -> Result<(), Error> {
    let w = |out: &mut minijinja::Output, s: &str| {
        out.write_str(s)
            .map_err(|_| Error::new(ErrorKind::WriteFailure, "write failed"))
    };
    // a traced leaf, or a list of leaves of one traced key, is wrapped in markers
    let key = trace_key(v).or_else(|| {
        if plain(v).kind() != ValueKind::Seq {
            return None;
        }
        let keys: Vec<_> = v.try_iter().ok()?.map(|i| trace_key(&i)).collect();
        match keys.first() {
            Some(Some(k)) if keys.iter().all(|x| x.as_deref() == Some(&**k)) => Some(k.clone()),
            _ => None,
        }
    });
    match key {
        Some(k) => {
            w(out, &format!("{MARK_OPEN}{k}{MARK_KEY_END}"))?;
            w(out, &output_string(v))?;
            w(out, &MARK_CLOSE.to_string())
        }
        None => w(out, &output_string(v)),
    }
}

fn environment() -> Environment<'static> {
    let mut env = Environment::empty();
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(false)
        .keep_trailing_newline(true)
        .build();
    if let Ok(s) = syntax {
        env.set_syntax(s);
    }
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_formatter(formatter);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(100);
    let p = |s: &str| format!("{PREFIX}{s}");
    env.add_function(p("b"), methods::bool_of);
    env.add_function(p("eq"), |a: Value, b: Value| runtime::el_eq(&a, &b));
    env.add_function(p("op"), runtime::el_op);
    env.add_function(p("add"), runtime::el_add);
    env.add_function(p("cat"), runtime::el_cat);
    env.add_function(p("neg"), runtime::el_neg);
    env.add_function(p("empty"), runtime::el_empty);
    env.add_function(p("in"), runtime::el_in);
    env.add_function(p("iter"), runtime::el_iter);
    env.add_function(p("k"), runtime::el_key);
    env.add_function(p("range"), runtime::el_range);
    env.add_function(p("method"), methods::generic);
    env.add_function(
        p("function"),
        |name: String, _a: Rest<Value>| -> Result<Value, Error> {
            Err(runtime::fail(format!(
                "function `{name}()` is not supported by this renderer"
            )))
        },
    );
    for m in METHODS {
        env.add_function(p(&format!("m_{m}")), methods::named(m));
    }
    filters::register(&mut env);
    env
}

#[cfg(test)]
mod tests;
