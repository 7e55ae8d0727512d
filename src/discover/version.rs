//! Dotted version numbers (`4.4.40`) and what is known about a product's kernel.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// A patch level standing for "any" in range bounds (`4.10.x`).
    pub const ANY_PATCH: u32 = u32::MAX;

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
        match self.2 {
            Version::ANY_PATCH => write!(f, "{}.{}.x", self.0, self.1),
            patch => write!(f, "{}.{}.{patch}", self.0, self.1),
        }
    }
}

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Inclusive bounds on a version (`max: None`: no upper bound), for what a fingerprint can
/// narrow down but not pin (`4.4.7–4.4.35`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct VersionRange {
    pub min: Version,
    pub max: Option<Version>,
}

impl VersionRange {
    pub fn exact(v: Version) -> VersionRange {
        VersionRange {
            min: v,
            max: Some(v),
        }
    }

    /// The one version the range holds, if it holds one.
    pub fn single(self) -> Option<Version> {
        self.max.filter(|m| *m == self.min)
    }

    pub fn contains(self, v: Version) -> bool {
        v >= self.min && self.max.is_none_or(|m| v <= m)
    }

    /// The smallest range holding both.
    pub fn hull(self, other: VersionRange) -> VersionRange {
        VersionRange {
            min: self.min.min(other.min),
            max: self.max.zip(other.max).map(|(a, b)| a.max(b)),
        }
    }

    /// What both allow; `None` when they contradict each other.
    pub fn intersect(self, other: VersionRange) -> Option<VersionRange> {
        let min = self.min.max(other.min);
        let max = match (self.max, other.max) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        max.is_none_or(|m| m >= min)
            .then_some(VersionRange { min, max })
    }
}

impl fmt::Display for VersionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.max {
            Some(m) if m == self.min => write!(f, "{m}"),
            Some(m) => write!(f, "{}–{m}", self.min),
            None => write!(f, "{}+", self.min),
        }
    }
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

    #[test]
    fn ranges_intersect_and_join() {
        let r = |a: Version, b: Option<Version>| VersionRange { min: a, max: b };
        let k44 = r(Version(4, 4, 0), Some(Version(4, 4, 40)));
        let apim2 = r(Version(4, 4, 7), Some(Version(4, 4, 35)));
        let toml = r(Version(4, 5, 0), None);
        assert_eq!(k44.intersect(apim2), Some(apim2));
        assert_eq!(k44.intersect(toml), None);
        assert_eq!(k44.hull(toml), r(Version(4, 4, 0), None));
        assert_eq!(apim2.to_string(), "4.4.7–4.4.35");
        assert_eq!(toml.to_string(), "4.5.0+");
        assert_eq!(
            VersionRange::exact(Version(4, 5, 3)).single(),
            Some(Version(4, 5, 3))
        );
        assert!(toml.contains(Version(4, 12, 34)) && !toml.contains(Version(4, 4, 40)));
    }
}
