//! The Java runtime a product home starts on, as far as the home tells: the lowest JDK its
//! start script accepts, which decides whether TLS 1.3 may be written into a list the tool
//! writes from scratch (JSSE listeners refuse protocol and suite names their JDK lacks).
//!
//! Every launcher since Carbon kernel 4.5 refuses to start outside a JDK range, with a line
//! `if [ $java_version_formatted -lt 1100 ] || [ $java_version_formatted -gt 2100 ]` (the
//! version formatted `%02d%02d`, so `0107` is JDK 1.7 and `1100` JDK 11). A floor of JDK 11
//! means TLS 1.3 (JEP 332). Without such a line (kernel 4.4 scripts, homes copied without
//! `bin/`), a known kernel 4.7+ or product version with a JDK 11 floor decides; otherwise the
//! runtime is unknown and the conservative choice (TLS 1.2 only) is made and reported.

use std::fs;
use std::path::Path;

use super::{ProductKind, Version, VersionRange};
use crate::formats::TlsRuntime;

/// What the home says about its Java runtime.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Runtime {
    /// The lowest Java major version the product starts on (8, 11, 21), when known.
    pub jdk_min: Option<u32>,
    /// Where `jdk_min` was read: `bin/api-manager.sh`, `kernel 4.10.9`, `API Manager 4.2`.
    pub source: Option<String>,
}

impl Runtime {
    /// Reads the start scripts in `bin/` (the lowest floor wins), else infers from the kernel or
    /// the product version (exact, or only bounded by a fingerprint).
    pub fn of(
        root: &Path,
        product: ProductKind,
        version: Option<VersionRange>,
        kernel: Option<VersionRange>,
    ) -> Runtime {
        if let Some((jdk, script)) = script_floor(root) {
            return Runtime {
                jdk_min: Some(jdk),
                source: Some(script),
            };
        }
        // Kernel 4.7.0 and later start only on JDK 11+ (carbon-kernel v4.7.0
        // distribution/kernel/carbon-home/bin/wso2server.sh); so do APIM 4.2+ and MI 4.2+.
        // Older kernels start on JDK 7 or 8 (4.4: no check; 4.5-4.6: 1.7 to 11).
        let k47 = Version(4, 7, 0);
        if let Some(k) = kernel.filter(|k| k.max.is_some_and(|m| m < k47)) {
            return Runtime {
                jdk_min: Some(7),
                source: Some(format!("kernel {k}")),
            };
        }
        let by_kernel = kernel
            .filter(|k| k.min >= k47)
            .map(|k| format!("kernel {k}"));
        let jdk11_from = match product {
            ProductKind::Apim | ProductKind::Mi => Some(Version(4, 2, 0)),
            ProductKind::Is => Some(Version(6, 0, 0)),
            _ => None,
        };
        let by_version = version
            .zip(jdk11_from)
            .filter(|(v, from)| v.min >= *from)
            .map(|(v, _)| format!("{} {v}", product.label()));
        match by_kernel.or(by_version) {
            Some(source) => Runtime {
                jdk_min: Some(11),
                source: Some(source),
            },
            None => Runtime::default(),
        }
    }

    /// What the never-weaker rules may assume.
    pub fn tls(&self) -> TlsRuntime {
        match (self.jdk_min, &self.source) {
            (Some(jdk), _) if jdk >= 11 => TlsRuntime {
                tls13: true,
                why_not: String::new(),
            },
            (Some(jdk), Some(source)) => TlsRuntime {
                tls13: false,
                why_not: format!("{source} accepts JDK {jdk}, which may lack TLS 1.3"),
            },
            _ => TlsRuntime {
                tls13: false,
                why_not: "the Java version is unknown (no JDK check in bin/*.sh, kernel unknown)"
                    .into(),
            },
        }
    }
}

/// The lowest JDK floor of the scripts in `bin/`, with the script that sets it.
fn script_floor(root: &Path) -> Option<(u32, String)> {
    let mut scripts: Vec<_> = fs::read_dir(root.join("bin"))
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .collect();
    scripts.sort();
    scripts
        .iter()
        .filter(|p| fs::metadata(p).is_ok_and(|m| m.is_file() && m.len() < 256 * 1024))
        .filter_map(|p| {
            let text = fs::read(p).ok()?;
            let floor = jdk_floor(&crate::formats::text::lossy(&text))?;
            let name = p.file_name()?.to_string_lossy().into_owned();
            Some((floor, format!("bin/{name}")))
        })
        .min_by_key(|(floor, _)| *floor)
}

/// The floor of the first `java_version_formatted -lt NNNN` check: `0107` → 7, `1100` → 11.
pub fn jdk_floor(script: &str) -> Option<u32> {
    script.lines().find_map(|line| {
        let (_, rest) = line.split_once("java_version_formatted")?;
        let rest = rest.trim_start_matches(['"', '}', ' ']);
        let num = rest.strip_prefix("-lt")?.trim_start();
        let digits: String = num.chars().take_while(char::is_ascii_digit).collect();
        if digits.len() != 4 {
            return None;
        }
        let major: u32 = digits[..2].parse().ok()?;
        let minor: u32 = digits[2..].parse().ok()?;
        Some(if major == 1 { minor } else { major })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floors_from_the_range_checks_wso2_ships() {
        let jdk8 =
            "if [ $java_version_formatted -lt 0107 ] || [ $java_version_formatted -gt 1100 ]; then";
        let jdk11 = "if [ \"$java_version_formatted\" -lt 1100 ] || [ $java_version_formatted -gt 2100 ]; then";
        assert_eq!(jdk_floor(jdk8), Some(7));
        assert_eq!(jdk_floor(jdk11), Some(11));
        assert_eq!(
            jdk_floor("java_version_formatted=$(echo x)\nif [ $java_version_formatted -ge 1700 ]"),
            None
        );
        assert_eq!(jdk_floor("#!/bin/sh\necho no check\n"), None);
    }

    #[test]
    fn script_then_kernel_then_version() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        let none = Runtime::of(r, ProductKind::Apim, None, None);
        assert_eq!(none, Runtime::default());
        assert!(!none.tls().tls13);
        let k = Runtime::of(
            r,
            ProductKind::Is,
            None,
            Some(VersionRange::exact(Version(4, 10, 9))),
        );
        assert_eq!(k.jdk_min, Some(11));
        assert!(k.tls().tls13);
        let v = Runtime::of(
            r,
            ProductKind::Apim,
            Some(VersionRange::exact(Version(4, 5, 0))),
            None,
        );
        assert_eq!(v.source.as_deref(), Some("API Manager 4.5.0"));
        let old = Runtime::of(
            r,
            ProductKind::Is,
            None,
            Some(VersionRange::exact(Version(4, 4, 40))),
        );
        assert_eq!(
            old.tls().why_not,
            "kernel 4.4.40 accepts JDK 7, which may lack TLS 1.3"
        );
        fs::create_dir_all(r.join("bin")).unwrap();
        fs::write(
            r.join("bin/wso2server.sh"),
            "if [ $java_version_formatted -lt 0107 ] || [ $java_version_formatted -gt 1100 ]; then\n",
        )
        .unwrap();
        let s = Runtime::of(
            r,
            ProductKind::Apim,
            Some(VersionRange::exact(Version(4, 5, 0))),
            None,
        );
        assert_eq!(s.jdk_min, Some(7));
        let tls = s.tls();
        assert!(!tls.tls13);
        assert_eq!(
            tls.why_not,
            "bin/wso2server.sh accepts JDK 7, which may lack TLS 1.3"
        );
    }
}
