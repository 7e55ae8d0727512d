//! `DefaultParser`: every default.json key the context lacks is added, in file order. A key
//! present with any value (even one the user set on a key-mapped original) keeps it. Defaults
//! may hold `$ref{}` (resolved next, so a default can follow another key) and whole objects
//! (nested maps the templates read with `.items()`).

use super::jhashmap::JHashMap;
use super::origin::{Entry, Origin};
use super::value::JMap;

pub fn add_defaults(ctx: &mut JHashMap<Entry>, defaults: &JMap) {
    for (k, v) in defaults {
        if !ctx.contains_key(k) {
            ctx.insert(k.clone(), Entry::new(v.clone(), Origin::Default));
        }
    }
}
