//! Dotted version numbers (`4.4.40`) and what is known about a product's kernel.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// Reads the first `a.b[.c]` in `s` (`v4.4.40`, `4.10.42-SNAPSHOT`, `wso2is-5.8.0`).
    pub fn find_in(s: &str) -> Option<Version> {
        let bytes = s.as_bytes();
        (0..bytes.len())
            .filter(|&i| bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit()))
            .find_map(|i| Version::parse_at(&s[i..]))
    }

    fn parse_at(s: &str) -> Option<Version> {
        let token = s.split(|c: char| !c.is_ascii_digit() && c != '.').next()?;
        let mut parts = token.split('.').map(|p| p.parse::<u32>());
        let major = parts.next()?.ok()?;
        let minor = parts.next()?.ok()?;
        let patch = parts.next().and_then(Result::ok).unwrap_or(0);
        Some(Version(major, minor, patch))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The Carbon kernel each released product version was built on
/// (`<carbon.kernel.version>` of the product pom; see wso2-config-map.md §0.1).
pub fn kernel_of(product: super::ProductKind, version: Version) -> Option<Version> {
    use super::ProductKind::*;
    let table: &[((u32, u32), Version)] = match product {
        Is => &[
            ((5, 1), Version(4, 4, 3)),
            ((5, 2), Version(4, 4, 9)),
            ((5, 3), Version(4, 4, 11)),
            ((5, 4), Version(4, 4, 20)),
            ((5, 5), Version(4, 4, 26)),
            ((5, 6), Version(4, 4, 32)),
            ((5, 7), Version(4, 4, 35)),
            ((5, 8), Version(4, 4, 40)),
            ((5, 9), Version(4, 5, 1)),
            ((5, 10), Version(4, 6, 0)),
            ((5, 11), Version(4, 6, 1)),
            ((6, 0), Version(4, 7, 1)),
            ((6, 1), Version(4, 9, 0)),
            ((7, 0), Version(4, 10, 9)),
            ((7, 1), Version(4, 10, 42)),
            ((7, 2), Version(4, 10, 101)),
            ((7, 3), Version(4, 12, 34)),
        ],
        Apim => &[
            ((2, 0), Version(4, 4, 7)),
            ((2, 1), Version(4, 4, 11)),
            ((2, 2), Version(4, 4, 26)),
            ((2, 5), Version(4, 4, 32)),
            ((2, 6), Version(4, 4, 35)),
            ((3, 0), Version(4, 5, 1)),
            ((3, 1), Version(4, 6, 0)),
            ((3, 2), Version(4, 6, 0)),
            ((4, 0), Version(4, 6, 2)),
            ((4, 1), Version(4, 6, 3)),
            ((4, 2), Version(4, 8, 1)),
            ((4, 3), Version(4, 9, 26)),
            ((4, 4), Version(4, 9, 27)),
            ((4, 5), Version(4, 9, 28)),
            ((4, 6), Version(4, 9, 33)),
            ((4, 7), Version(4, 11, 18)),
        ],
        Ei => &[
            ((6, 0), Version(4, 4, 14)),
            ((6, 1), Version(4, 4, 16)),
            ((6, 2), Version(4, 4, 26)),
            ((6, 3), Version(4, 4, 32)),
            ((6, 4), Version(4, 4, 36)),
            ((6, 5), Version(4, 4, 40)),
            ((6, 6), Version(4, 5, 3)),
        ],
        Esb => &[((4, 9), Version(4, 4, 1)), ((5, 0), Version(4, 4, 8))],
        Mi | Kernel | Unknown => &[],
    };
    table
        .iter()
        .find(|((a, b), _)| (version.0, version.1) == (*a, *b))
        .map(|(_, k)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions_in_context() {
        assert_eq!(
            Version::find_in("WSO2 Carbon Framework v4.4.40"),
            Some(Version(4, 4, 40))
        );
        assert_eq!(Version::find_in("wso2is-5.8.0"), Some(Version(5, 8, 0)));
        assert_eq!(
            Version::find_in("tomcat-juli-9.0.34.wso2v1.jar"),
            Some(Version(9, 0, 34))
        );
        assert_eq!(Version::find_in("v4.10"), Some(Version(4, 10, 0)));
        assert_eq!(Version::find_in("none"), None);
        assert!(Version(4, 4, 17) > Version(4, 4, 9));
        assert!(Version(4, 10, 0) > Version(4, 9, 99));
    }
}
