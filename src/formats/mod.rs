//! Format-preserving editors. Each keeps every byte outside its edit; `text` handles the
//! encoding layer (BOM, UTF-8 or single-byte) shared by all of them.

pub mod error;
pub mod text;
pub mod xml;

pub use error::ParseError;

/// How a current value is compared with the desired one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Compare {
    /// Compliant only when equal (after trimming); an absent setting is added.
    #[default]
    Equal,
    /// Numeric: compliant when the current value is at least the desired one (never lower it).
    AtLeast,
    /// Like `Equal`, but an absent setting is left absent.
    OnlyIfPresent,
}

impl Compare {
    pub fn satisfied(self, current: &str, desired: &str) -> bool {
        let (current, desired) = (current.trim(), desired.trim());
        match self {
            Compare::Equal | Compare::OnlyIfPresent => current == desired,
            Compare::AtLeast => match (current.parse::<u64>(), desired.parse::<u64>()) {
                (Ok(c), Ok(d)) => c >= d,
                _ => current == desired,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Compare;

    #[test]
    fn at_least_never_lowers() {
        assert!(Compare::AtLeast.satisfied("128", "32"));
        assert!(Compare::AtLeast.satisfied(" 32 ", "32"));
        assert!(!Compare::AtLeast.satisfied("16", "32"));
        assert!(!Compare::AtLeast.satisfied("x", "32"));
        assert!(Compare::Equal.satisfied(" TLSv1.2", "TLSv1.2"));
        assert!(!Compare::Equal.satisfied("TLSv1,TLSv1.2", "TLSv1.2"));
    }
}
