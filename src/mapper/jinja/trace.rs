//! Traced renders: the markers around traced values stripped into `(range, key)` spans, and
//! MiniJinja's output spans mapped onto the clean text, so every byte has a key or a
//! template line.

use std::sync::{Arc, PoisonError};

use minijinja::Value;

use super::runtime::Traced;
use super::{
    describe, engine, Prepared, RenderError, MARK_CLOSE, MARK_KEY_END, MARK_OPEN, MAX_OUTPUT,
};

/// Where output came from in the template: a line, or (for literal text) the source offset
/// of the output's first byte, from which any byte's line follows.
#[derive(Debug, Clone, Copy)]
pub enum From {
    Line(u32),
    Text(usize),
}

/// A traced render: clean text, the traced values' spans, and each output range's origin in
/// the template.
pub struct TracedRender {
    pub text: String,
    pub spans: Vec<Span>,
    pub origins: Vec<(std::ops::Range<usize>, From)>,
    /// The compiled source the `From::Text` offsets refer to.
    pub source: std::sync::Arc<str>,
}

/// Renders with output spans (for provenance); markers of traced values are stripped.
pub fn render_traced(p: &Prepared, ctx: &Value) -> Result<TracedRender, RenderError> {
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
    let (raw, out_spans) = tmpl
        .render_with_spans(ctx.clone())
        .map_err(|e| RenderError {
            line: e.line().unwrap_or(0) as u32,
            message: describe(&e),
        })?;
    if raw.len() > MAX_OUTPUT {
        return Err(RenderError {
            line: 0,
            message: format!(
                "output exceeds {} MiB (this renderer's limit)",
                MAX_OUTPUT >> 20
            ),
        });
    }
    let (text, spans, removed) = strip(&raw);
    let map = |t: usize| t - removed_before(&removed, t);
    let origins = out_spans
        .iter()
        .map(|s| {
            let r = s.output_range();
            let from = match s.kind() {
                minijinja::OutputSpanKind::Raw => From::Text(s.source_range().start),
                _ => From::Line(s.line() as u32),
            };
            (map(r.start)..map(r.end), from)
        })
        .collect();
    Ok(TracedRender {
        text,
        spans,
        origins,
        source: std::sync::Arc::clone(&p.source),
    })
}

fn removed_before(removed: &[(usize, usize)], t: usize) -> usize {
    // (traced offset where a removed run ends, total removed up to there)
    match removed.partition_point(|(end, _)| *end <= t) {
        0 => 0,
        i => removed[i - 1].1,
    }
}

/// A byte range of rendered text and the flat context key that printed it.
pub type Span = (std::ops::Range<usize>, Arc<str>);

/// Removes trace markers, returning the clean text and `(byte range, flat key)` of each
/// traced value in it.
pub fn strip_markers(traced: &str) -> (String, Vec<Span>) {
    let (text, spans, _) = strip(traced);
    (text, spans)
}

type Removed = Vec<(usize, usize)>;

fn strip(traced: &str) -> (String, Vec<Span>, Removed) {
    let mut out = String::with_capacity(traced.len());
    let mut spans = Vec::new();
    let mut removed: Removed = Vec::new();
    let mut total = 0;
    let mut pos = 0; // offset in `traced` of `rest`
    let mut rest = traced;
    let mut cut = |at_end: usize, len: usize, removed: &mut Removed| {
        total += len;
        removed.push((at_end, total));
    };
    while let Some(open) = rest.find(MARK_OPEN) {
        out.push_str(&rest[..open]);
        let after = &rest[open + MARK_OPEN.len_utf8()..];
        let Some(key_end) = after.find(MARK_KEY_END) else {
            cut(
                pos + open + MARK_OPEN.len_utf8(),
                MARK_OPEN.len_utf8(),
                &mut removed,
            );
            pos += open + MARK_OPEN.len_utf8();
            rest = after;
            continue;
        };
        let key: Arc<str> = Arc::from(&after[..key_end]);
        let head = MARK_OPEN.len_utf8() + key_end + MARK_KEY_END.len_utf8();
        cut(pos + open + head, head, &mut removed);
        let body = &after[key_end + MARK_KEY_END.len_utf8()..];
        let close = body.find(MARK_CLOSE).unwrap_or(body.len());
        let start = out.len();
        out.push_str(&body[..close]);
        spans.push((start..out.len(), key));
        let body_at = pos + open + head;
        if close < body.len() {
            cut(
                body_at + close + MARK_CLOSE.len_utf8(),
                MARK_CLOSE.len_utf8(),
                &mut removed,
            );
        }
        let consumed = head + close + MARK_CLOSE.len_utf8().min(body.len() - close);
        pos += open + consumed;
        rest = &rest[open + consumed..];
    }
    out.push_str(rest);
    (out, spans, removed)
}

/// A traced leaf for tests and callers building contexts by hand.
pub fn traced(key: &str, value: Value) -> Value {
    Value::from_object(Traced {
        key: Arc::from(key),
        value,
    })
}
