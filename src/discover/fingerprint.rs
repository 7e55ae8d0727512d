//! What a home holds that tells releases apart when it carries no version file: which start
//! scripts `bin/` has and the JDK range the script checks, log4j or log4j2, the config model,
//! whether the HTTPS connector is Tomcat 7's flat form or Tomcat 9's `<SSLHostConfig>`, and
//! the Tomcat and config-mapper jars. Each feature the home does not show matches anything.

use std::path::Path;

use super::kernels::{Jdk, Release, RELEASES};
use super::markers::{jar_version, read_small};
use super::product::Model;
use super::version::{Version, VersionRange};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    /// Known start scripts present in `bin/` (by stem: `wso2server`, `api-manager`, …).
    pub scripts: Vec<&'static str>,
    /// The JDK check of the first of them that has one.
    pub jdk: Option<Jdk>,
    /// `Some(true)`: `log4j2.properties` in conf; `Some(false)`: only `log4j.properties`.
    pub log4j2: Option<bool>,
    pub toml: bool,
    /// `repository/conf` or `conf`.
    pub conf: String,
    /// What the connector layout, the Tomcat jar or the config-mapper jar say of the kernel.
    pub kernel: Option<VersionRange>,
}

/// Kernel 4.4.x ran Tomcat 7 and log4j 1; 4.5.0 moved to Tomcat 9, log4j2 and deployment.toml
/// (wso2/carbon-kernel `parent/pom.xml` `<version.tomcat>` 7.0.93 at v4.4.40, 9.0.22 at v4.5.0).
const K44: VersionRange = VersionRange {
    min: Version(4, 4, 0),
    max: Some(Version(4, 4, Version::ANY_PATCH)),
};
const K45: VersionRange = VersionRange {
    min: Version(4, 5, 0),
    max: None,
};
/// The start script sets a default `JVM_MEM_OPTS="-Xms256m -Xmx1024m"` from kernel 4.4.3 on
/// (wso2/carbon-kernel `distribution/kernel/carbon-home/bin/wso2server.sh`: absent at
/// v4.4.0–v4.4.2, present at every later tag; the product scripts built on it keep it).
const K443: VersionRange = VersionRange {
    min: Version(4, 4, 3),
    max: None,
};
/// The `*_unique_id` user store types are accepted from kernel 4.6.0 on (wso2/carbon-kernel
/// `distribution/kernel/carbon-home/repository/resources/conf/validator.json`: absent at
/// v4.5.0–v4.5.3, present at v4.6.0).
const K46: VersionRange = VersionRange {
    min: Version(4, 6, 0),
    max: None,
};

impl Features {
    pub fn observe(root: &Path, conf: &str, model: Model) -> Features {
        let bin = root.join("bin");
        let mut stems: Vec<&'static str> = RELEASES
            .iter()
            .flat_map(|r| r.scripts.iter())
            .map(|s| s.trim_end_matches(".sh"))
            .collect();
        stems.sort_unstable();
        stems.dedup();
        let scripts: Vec<&'static str> = stems
            .into_iter()
            .filter(|s| {
                bin.join(format!("{s}.sh")).is_file() || bin.join(format!("{s}.bat")).is_file()
            })
            .collect();
        let texts: Vec<String> = scripts
            .iter()
            .filter_map(|s| read_small(&bin.join(format!("{s}.sh")), 1 << 20))
            .collect();
        let jdk = texts.iter().find_map(|t| jdk_check(t));
        let conf_dir = root.join(conf);
        let log4j2 = if conf_dir.join("log4j2.properties").is_file() {
            Some(true)
        } else if conf_dir.join("log4j.properties").is_file() {
            Some(false)
        } else {
            None
        };
        let mut kernel: Option<VersionRange> = None;
        let mut narrow = |r: VersionRange| {
            // Contradicting hints (a hand-edited file) leave the kernel open rather than wrong.
            kernel = match kernel {
                None => Some(r),
                Some(k) => k.intersect(r).or(Some(k)),
            }
        };
        if texts.iter().any(|t| t.contains("JVM_MEM_OPTS=\"-Xms")) {
            narrow(K443);
        }
        match jar_version(&bin, "tomcat-juli-").map(|v| v.0) {
            Some(7) => narrow(K44),
            Some(8..) => narrow(K45),
            _ => {}
        }
        if jar_version(&root.join("lib"), "config-mapper-").is_some() {
            narrow(K45);
        }
        if model == Model::Toml && unique_id_user_store(&conf_dir.join("deployment.toml")) {
            narrow(K46);
        }
        if model == Model::Xml {
            match connector_layout(&conf_dir.join("tomcat/catalina-server.xml")) {
                Some(true) => narrow(K45),
                Some(false) => narrow(K44),
                None => {}
            }
        }
        Features {
            scripts,
            jdk,
            log4j2,
            toml: model == Model::Toml,
            conf: conf.to_string(),
            kernel,
        }
    }

    /// Could this home be a home of release `r`?
    pub fn matches(&self, r: &Release) -> bool {
        let script = self.scripts.is_empty()
            || r.scripts
                .iter()
                .any(|s| self.scripts.contains(&s.trim_end_matches(".sh")));
        // A release without a kernel (MI) is not judged by kernel hints.
        let kernel = match (self.kernel, r.kernel) {
            (Some(k), Some(rk)) => k.intersect(rk).is_some(),
            _ => true,
        };
        script
            && self.jdk.is_none_or(|j| j == r.jdk)
            && self.log4j2.is_none_or(|l| l == r.log4j2)
            && self.toml == r.toml
            && self.conf == r.conf()
            && kernel
    }
}

/// The JDK check of a start script: Carbon 4.4's `grep "1.[7|8]"`, or the
/// `java_version_formatted -lt MIN … -gt MAX` line of later kernels.
pub fn jdk_check(script: &str) -> Option<Jdk> {
    let number = |line: &str, op: &str| {
        let rest = &line[line.find(op)? + op.len()..];
        rest.trim_start()
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|n| n.parse::<u16>().ok())
    };
    for line in script.lines() {
        let line = line.trim_start();
        if line.starts_with('#') {
            continue;
        }
        if line.contains("java -version") && line.contains("1.[7|8]") {
            return Some(Jdk::Legacy);
        }
        if line.starts_with("if") && line.contains("java_version_formatted") {
            if let Some(min) = number(line, "-lt") {
                return Some(Jdk::Range(min, number(line, "-gt")));
            }
        }
    }
    None
}

/// `[user_store] type = "…_unique_id"` in deployment.toml.
fn unique_id_user_store(path: &Path) -> bool {
    let Some(text) = read_small(path, 1 << 20) else {
        return false;
    };
    let Ok(toml) = crate::formats::toml::TomlFile::parse(&text) else {
        return false;
    };
    matches!(
        toml.get(&["user_store", "type"]),
        Some(crate::formats::toml::TomlScalar::String(t)) if t.ends_with("_unique_id")
    )
}

/// `Some(true)`: the SSL connector nests an `<SSLHostConfig>` (Tomcat 9); `Some(false)`: a
/// flat SSL connector (Tomcat 7); `None`: no SSL connector to tell.
fn connector_layout(path: &Path) -> Option<bool> {
    let text = read_small(path, 1 << 20)?;
    let doc = crate::formats::xml::parse(&text).ok()?;
    let ssl = doc.descendants().find(|n| {
        n.has_tag_name("Connector")
            && crate::formats::xml::plain_attribute(*n, "SSLEnabled")
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    })?;
    Some(ssl.children().any(|c| c.has_tag_name("SSLHostConfig")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_jdk_check_of_each_generation() {
        let legacy = "jdk_17=`$JAVA_HOME/bin/java -version 2>&1 | grep \"1.[7|8]\"`\n";
        assert_eq!(jdk_check(legacy), Some(Jdk::Legacy));
        let k45 = "if [ $java_version_formatted -lt 0107 ] || [ $java_version_formatted -gt 1100 ]; then\n";
        assert_eq!(jdk_check(k45), Some(Jdk::Range(107, Some(1100))));
        let k412 = "if [ \"$java_version_formatted\" -lt 2100 ]; then\n";
        assert_eq!(jdk_check(k412), Some(Jdk::Range(2100, None)));
        let later = "if [ $java_version_formatted -ge 1700 ]; then\n";
        assert_eq!(jdk_check(later), None);
        assert_eq!(
            jdk_check("# if [ $java_version_formatted -lt 1100 ]\n"),
            None
        );
    }
}
