//! A planned step as replacements on the original file (for SARIF `fixes`): the step's line
//! changes, mapped through the earlier steps of the same file onto the original's lines.
//! `None` when a change touches a line an earlier step already changed (then the edit cannot
//! be expressed on the original alone).

use similar::{DiffOp, TextDiff};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    /// Offset and length in characters (Unicode code points) of the original text.
    pub char_offset: usize,
    pub char_length: usize,
    pub inserted: String,
}

pub fn replacements(original: &str, before: &str, after: &str) -> Option<Vec<Replacement>> {
    let orig_lines: Vec<&str> = original.split_inclusive('\n').collect();
    let before_lines: Vec<&str> = before.split_inclusive('\n').collect();
    let after_lines: Vec<&str> = after.split_inclusive('\n').collect();
    // Which original line each line of `before` is (None: changed by an earlier step).
    let map: Vec<Option<usize>> = if original == before {
        (0..before_lines.len()).map(Some).collect()
    } else {
        let mut map = vec![None; before_lines.len()];
        let diff = TextDiff::from_slices(&orig_lines, &before_lines);
        for op in diff.ops() {
            if let DiffOp::Equal {
                old_index,
                new_index,
                len,
            } = *op
            {
                for k in 0..len {
                    if let Some(m) = map.get_mut(new_index + k) {
                        *m = Some(old_index + k);
                    }
                }
            }
        }
        map
    };
    // Character offset where each original line starts (plus the end).
    let mut starts = Vec::with_capacity(orig_lines.len() + 1);
    let mut at = 0;
    for l in &orig_lines {
        starts.push(at);
        at += l.chars().count();
    }
    starts.push(at);
    let diff = TextDiff::from_slices(&before_lines, &after_lines);
    let mut out = Vec::new();
    for op in diff.ops() {
        let (old, new) = match *op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index, old_len, ..
            } => (old_index..old_index + old_len, 0..0),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (old_index..old_index, new_index..new_index + new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (
                old_index..old_index + old_len,
                new_index..new_index + new_len,
            ),
        };
        // The original lines the deleted range covers must be consecutive and unchanged.
        let first = if old.start < before_lines.len() {
            (*map.get(old.start)?)?
        } else {
            orig_lines.len()
        };
        for (k, i) in old.clone().enumerate() {
            if *map.get(i)? != Some(first + k) {
                return None;
            }
        }
        let start = *starts.get(first)?;
        let end = *starts.get(first + old.len())?;
        out.push(Replacement {
            char_offset: start,
            char_length: end - start,
            inserted: after_lines.get(new)?.concat(),
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(original: &str, reps: &[Replacement]) -> String {
        let chars: Vec<char> = original.chars().collect();
        let mut out = String::new();
        let mut at = 0;
        for r in reps {
            out.extend(&chars[at..r.char_offset]);
            out.push_str(&r.inserted);
            at = r.char_offset + r.char_length;
        }
        out.extend(&chars[at..]);
        out
    }

    #[test]
    fn first_step_maps_directly() {
        let orig = "a\nb\nc\n";
        let after = "a\nB\nc\nd\n";
        let reps = replacements(orig, orig, after).unwrap();
        assert_eq!(apply(orig, &reps), after);
    }

    #[test]
    fn later_step_maps_through_earlier_ones() {
        let orig = "é1\nx\ny\nz";
        let step1 = "é1\nx\nNEW\ny\nz"; // an earlier step inserted a line
        let step2 = "é1\nx\nNEW\nY\nz";
        let reps = replacements(orig, step1, step2).unwrap();
        assert_eq!(apply(orig, &reps), "é1\nx\nY\nz", "only this step's change");
        assert_eq!(reps[0].char_offset, 5, "offsets count characters");
        // Touching the line the earlier step added cannot be said on the original.
        assert!(replacements(orig, step1, "é1\nx\nNEWER\ny\nz").is_none());
    }
}
