//! Format-preserving editors. Each keeps every byte outside its edit; `text` handles the
//! encoding layer (BOM, UTF-8 or single-byte) shared by all of them.

pub mod error;
pub mod properties;
pub mod script;
pub mod text;
pub mod toml;
pub mod xml;

pub use error::ParseError;

/// How a current value is compared with the desired one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Compare {
    /// Compliant only when equal (after trimming); an absent setting is added.
    #[default]
    Equal,
    /// Numeric: compliant when the current value is at least the desired one (never lower it).
    AtLeast,
    /// Like `Equal`, but an absent setting is left absent.
    OnlyIfPresent,
    /// Any present value complies; an absent one gets the default. A value given explicitly
    /// (`--set`, policy) is enforced as `Equal` by the planner.
    DefaultIfAbsent,
}

impl Compare {
    pub fn satisfied(self, current: &str, desired: &str) -> bool {
        let (current, desired) = (current.trim(), desired.trim());
        match self {
            Compare::Equal | Compare::OnlyIfPresent => current == desired,
            Compare::DefaultIfAbsent => !current.is_empty(),
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
        assert!(Compare::DefaultIfAbsent.satisfied("20MB", "10MB"));
        assert!(!Compare::DefaultIfAbsent.satisfied(" ", "10MB"));
    }
}
