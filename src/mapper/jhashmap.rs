//! `java.util.HashMap`'s iteration order, reproduced. The mapper's context is a `HashMap`, and
//! its order is not cosmetic: the value inferrer lets the last matching key win, the key
//! mapper lets the last source of a target key win, and the template context nests dotted keys
//! in that order (a flat `a.b` met before or after a default map `a` decides which survives).
//! It also decides attribute order in loops over `.items()`.
//!
//! The order is: bucket `spread(hash) & (capacity - 1)`, then insertion order inside a bucket
//! (resizes split buckets keeping relative order). Capacity follows Java's rules for `put`,
//! `putAll` and `clear`, including the resize a long bucket forces below 64 buckets. A bucket
//! that Java would turn into a tree (8+ keys at 64+ buckets) keeps insertion order here, which
//! Java does not guarantee; `treeified()` says when that happened.

use std::collections::HashMap;

/// How `putAll` sizes a fresh table, which differs between JDK releases and is the one
/// difference in iteration order between them that the mapper can hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JdkFlavor {
    /// JDK 8 to 18: `tableSizeFor((int)(s / 0.75f + 1.0f))`, one resize in `putAll`.
    Jdk8,
    /// JDK 19 and later (JDK-8281631): `tableSizeFor((int)Math.ceil(s / 0.75))`, and
    /// `putAll` doubles until the incoming size fits.
    #[default]
    Jdk19,
}

const LOAD_FACTOR: f32 = 0.75;
const TREEIFY_THRESHOLD: usize = 8;
const MIN_TREEIFY_CAPACITY: usize = 64;

#[derive(Debug, Clone)]
pub struct JHashMap<V> {
    /// Live entries in insertion order (removal keeps the others' relative order).
    keys: Vec<String>,
    values: Vec<V>,
    hashes: Vec<u32>,
    index: HashMap<String, usize>,
    /// Entries per bucket at the current capacity (for the long-bucket rule).
    buckets: Vec<u16>,
    capacity: usize,
    threshold: usize,
    flavor: JdkFlavor,
    treeified: bool,
}

/// `String.hashCode()` over UTF-16 code units, then `HashMap.hash`'s spread.
pub fn java_hash(key: &str) -> u32 {
    let mut h: i32 = 0;
    for unit in key.encode_utf16() {
        h = h.wrapping_mul(31).wrapping_add(i32::from(unit));
    }
    let h = h as u32;
    h ^ (h >> 16)
}

fn table_size_for(c: usize) -> usize {
    c.max(1).next_power_of_two()
}

impl<V> JHashMap<V> {
    pub fn new(flavor: JdkFlavor) -> Self {
        JHashMap {
            keys: Vec::new(),
            values: Vec::new(),
            hashes: Vec::new(),
            index: HashMap::new(),
            buckets: Vec::new(),
            capacity: 0,
            threshold: 0,
            flavor,
            treeified: false,
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn treeified(&self) -> bool {
        self.treeified
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.index.contains_key(key)
    }

    pub fn get(&self, key: &str) -> Option<&V> {
        self.index.get(key).map(|&i| &self.values[i])
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.index.get(key).map(|&i| &mut self.values[i])
    }

    /// `HashMap.resize()`.
    fn resize(&mut self) {
        let (old_cap, old_thr) = (self.capacity, self.threshold);
        let (new_cap, new_thr) = if old_cap > 0 {
            let cap = old_cap << 1;
            (cap, if old_cap >= 16 { old_thr << 1 } else { 0 })
        } else if old_thr > 0 {
            (old_thr, 0)
        } else {
            (16, 12)
        };
        self.capacity = new_cap;
        self.threshold = if new_thr == 0 {
            (new_cap as f32 * LOAD_FACTOR) as usize
        } else {
            new_thr
        };
        self.recount();
    }

    fn mask(&self) -> u32 {
        self.capacity.saturating_sub(1) as u32
    }

    fn recount(&mut self) {
        let mask = self.mask();
        self.buckets = vec![0; self.capacity];
        for &h in &self.hashes {
            let b = (h & mask) as usize;
            self.buckets[b] = self.buckets[b].saturating_add(1);
        }
    }

    /// `HashMap.put`: replaces in place, or appends and resizes as Java does.
    pub fn insert(&mut self, key: String, value: V) {
        if let Some(&i) = self.index.get(&key) {
            self.values[i] = value;
            return;
        }
        if self.capacity == 0 {
            self.resize();
        }
        let hash = java_hash(&key);
        if usize::from(self.buckets[(hash & self.mask()) as usize]) >= TREEIFY_THRESHOLD {
            if self.capacity < MIN_TREEIFY_CAPACITY {
                self.resize();
            } else {
                self.treeified = true;
            }
        }
        self.index.insert(key.clone(), self.keys.len());
        self.keys.push(key);
        self.values.push(value);
        self.hashes.push(hash);
        let b = (hash & self.mask()) as usize;
        self.buckets[b] = self.buckets[b].saturating_add(1);
        if self.keys.len() > self.threshold {
            self.resize();
        }
    }

    /// `HashMap.putAll(m)` for `m` of `incoming` entries, then each `put`.
    pub fn extend(&mut self, entries: impl IntoIterator<Item = (String, V)>) {
        let entries: Vec<_> = entries.into_iter().collect();
        let s = entries.len();
        if s > 0 {
            if self.capacity == 0 {
                let t = match self.flavor {
                    JdkFlavor::Jdk8 => (s as f32 / LOAD_FACTOR + 1.0) as usize,
                    JdkFlavor::Jdk19 => (s as f64 / f64::from(LOAD_FACTOR)).ceil() as usize,
                };
                if t > self.threshold {
                    self.threshold = table_size_for(t);
                }
            } else {
                match self.flavor {
                    JdkFlavor::Jdk8 => {
                        if s > self.threshold {
                            self.resize();
                        }
                    }
                    JdkFlavor::Jdk19 => {
                        while s > self.threshold {
                            self.resize();
                        }
                    }
                }
            }
        }
        for (k, v) in entries {
            self.insert(k, v);
        }
    }

    /// `HashMap.clear()`: empties the table but keeps its capacity.
    pub fn clear(&mut self) {
        self.keys.clear();
        self.values.clear();
        self.hashes.clear();
        self.index.clear();
        self.buckets.iter_mut().for_each(|b| *b = 0);
    }

    /// Indices of the entries in Java's iteration order.
    fn order(&self) -> Vec<usize> {
        let mask = self.mask();
        let mut idx: Vec<usize> = (0..self.keys.len()).collect();
        idx.sort_by_key(|&i| self.hashes[i] & mask);
        idx
    }

    /// Entries in Java's iteration order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.order()
            .into_iter()
            .map(move |i| (self.keys[i].as_str(), &self.values[i]))
    }

    /// Calls `f` on every entry, mutably, in Java's iteration order; stops at the first error.
    pub fn try_for_each_mut<E>(
        &mut self,
        mut f: impl FnMut(&str, &mut V) -> Result<(), E>,
    ) -> Result<(), E> {
        for i in self.order() {
            f(&self.keys[i], &mut self.values[i])?;
        }
        Ok(())
    }

    /// Keys in Java's iteration order.
    pub fn keys(&self) -> Vec<String> {
        self.order()
            .into_iter()
            .map(|i| self.keys[i].clone())
            .collect()
    }

    /// Takes every entry out, in Java's iteration order (the table keeps its capacity, as
    /// after `clear()`).
    pub fn drain(&mut self) -> Vec<(String, V)> {
        let order = self.order();
        let mut keys: Vec<Option<String>> = std::mem::take(&mut self.keys)
            .into_iter()
            .map(Some)
            .collect();
        let mut values: Vec<Option<V>> = std::mem::take(&mut self.values)
            .into_iter()
            .map(Some)
            .collect();
        self.clear();
        order
            .into_iter()
            .filter_map(|i| Some((keys[i].take()?, values[i].take()?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_matches_java_string_hashcode() {
        // "hello".hashCode() == 99162322; spread: h ^ (h >>> 16)
        let h: u32 = 99162322;
        assert_eq!(java_hash("hello"), h ^ (h >> 16));
        assert_eq!(java_hash(""), 0);
    }

    #[test]
    fn iteration_follows_buckets_then_insertion() {
        let mut m = JHashMap::new(JdkFlavor::Jdk8);
        for k in ["b", "a", "c", "aa", "Aa", "BB"] {
            m.insert(k.to_string(), ());
        }
        // "Aa" and "BB" share a hash code: they stay in insertion order in one bucket.
        let keys = m.keys();
        let aa = keys.iter().position(|k| k == "Aa").unwrap();
        let bb = keys.iter().position(|k| k == "BB").unwrap();
        assert_eq!(bb, aa + 1);
        // single letters: bucket = char code & 15 → a(1) b(2) c(3)
        let singles: Vec<_> = keys.iter().filter(|k| k.len() == 1).cloned().collect();
        assert_eq!(singles, ["a", "b", "c"]);
    }

    #[test]
    fn put_all_presizes_by_jdk() {
        let entries = |n: usize| (0..n).map(|i| (format!("k{i}"), ())).collect::<Vec<_>>();
        let mut a = JHashMap::new(JdkFlavor::Jdk8);
        a.extend(entries(48));
        let mut b = JHashMap::new(JdkFlavor::Jdk19);
        b.extend(entries(48));
        assert_eq!((a.capacity, b.capacity), (128, 64));
        a.clear();
        assert_eq!(a.capacity, 128);
    }
}
