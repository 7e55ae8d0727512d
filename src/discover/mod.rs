//! Finds product homes under the given paths and reads what they are: product, version,
//! kernel and config model. Unknown stays unknown; patches then take their conservative path.

mod product;
mod runtime;
mod version;

use std::fs;
use std::path::{Path, PathBuf};

pub use product::{Model, ProductKind};
pub use runtime::Runtime;
pub use version::{kernel_of, Version};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductHome {
    /// The home as reached from the given path (not canonicalised, so reports stay readable).
    pub root: PathBuf,
    /// The conf directory relative to the root: `repository/conf` or `conf` (EI, MI).
    pub conf: &'static str,
    pub product: ProductKind,
    pub version: Option<Version>,
    pub kernel: Option<Version>,
    pub model: Model,
    /// The Java runtime the home starts on, as far as its start scripts tell.
    pub runtime: Runtime,
}

/// A path that cannot be searched.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct DiscoverError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

const CONF_DIRS: [&str; 2] = ["repository/conf", "conf"];
/// A conf dir holding one of these makes a product home. carbon.xml and deployment.toml are
/// the rule; the Tomcat and Axis2 files also count so that partial copies (config
/// repositories that track only the files they change) are found too.
const MARKERS: [&str; 4] = [
    "carbon.xml",
    "deployment.toml",
    "tomcat/catalina-server.xml",
    "axis2/axis2.xml",
];
const SKIP_DIRS: [&str; 4] = [".git", "target", ".wso2-harden", "node_modules"];

/// Every product home at or below each path, in path order, without duplicates.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<ProductHome>, DiscoverError> {
    let mut homes = Vec::new();
    for path in paths {
        fs::metadata(path).map_err(|source| DiscoverError {
            path: path.clone(),
            source,
        })?;
        let mut walk = walkdir::WalkDir::new(path)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter();
        while let Some(entry) = walk.next() {
            let Ok(entry) = entry else { continue };
            if !entry.file_type().is_dir() {
                continue;
            }
            let name = entry.file_name().to_string_lossy();
            if entry.depth() > 0 && SKIP_DIRS.contains(&name.as_ref()) {
                walk.skip_current_dir();
                continue;
            }
            if let Some(conf) = conf_dir(entry.path()) {
                homes.push(inspect(entry.path().to_path_buf(), conf));
                walk.skip_current_dir();
            }
        }
    }
    homes.dedup_by(|a, b| a.root == b.root);
    Ok(homes)
}

fn conf_dir(dir: &Path) -> Option<&'static str> {
    CONF_DIRS
        .into_iter()
        .find(|conf| MARKERS.iter().any(|m| dir.join(conf).join(m).is_file()))
}

/// Reads product, version, kernel and model of the home at `root`.
pub fn inspect(root: PathBuf, conf: &'static str) -> ProductHome {
    let model = if root.join(conf).join("deployment.toml").is_file() {
        Model::Toml
    } else {
        Model::Xml
    };
    let (mut product, version) = product_of(&root);
    if product == ProductKind::Unknown {
        product = guess_product(&root, conf, model);
    }
    let kernel = kernel_version(&root).or_else(|| version.and_then(|v| kernel_of(product, v)));
    let runtime = Runtime::of(&root, product, version, kernel);
    ProductHome {
        root,
        conf,
        product,
        version,
        kernel,
        model,
        runtime,
    }
}

fn read_small(path: &Path) -> Option<String> {
    let bytes = fs::read(path).ok()?;
    (bytes.len() < 64 * 1024).then(|| String::from_utf8_lossy(&bytes).into_owned())
}

/// `bin/version.txt` (`WSO2 Identity Server v5.8.0`), else `updates/product.txt` (`wso2is-5.8.0`).
fn product_of(root: &Path) -> (ProductKind, Option<Version>) {
    if let Some(text) = read_small(&root.join("bin/version.txt")) {
        let kind = [
            ("Identity Server", ProductKind::Is),
            ("API Manager", ProductKind::Apim),
            ("Enterprise Integrator", ProductKind::Ei),
            ("Enterprise Service Bus", ProductKind::Esb),
            ("ESB", ProductKind::Esb),
            ("Micro Integrator", ProductKind::Mi),
            ("Carbon", ProductKind::Kernel),
        ]
        .into_iter()
        .find(|(name, _)| text.contains(name))
        .map_or(ProductKind::Unknown, |(_, k)| k);
        let version = text.rfind('v').and_then(|i| Version::find_in(&text[i..]));
        return (kind, version);
    }
    if let Some(text) = read_small(&root.join("updates/product.txt")) {
        let text = text.trim();
        let kind = [
            ("wso2is-", ProductKind::Is),
            ("wso2am-", ProductKind::Apim),
            ("wso2ei-", ProductKind::Ei),
            ("wso2esb-", ProductKind::Esb),
            ("wso2mi-", ProductKind::Mi),
        ]
        .into_iter()
        .find(|(p, _)| text.starts_with(p))
        .map_or(ProductKind::Unknown, |(_, k)| k);
        return (kind, Version::find_in(text));
    }
    (ProductKind::Unknown, None)
}

/// Without version files, the layout still tells most families apart.
fn guess_product(root: &Path, conf: &str, model: Model) -> ProductKind {
    let has = |p: &str| root.join(p).exists();
    let conf_has = |p: &str| root.join(conf).join(p).exists();
    if has("bin/micro-integrator.sh") || (conf == "conf" && model == Model::Toml) {
        return ProductKind::Mi;
    }
    let apim_db = || {
        read_small(&root.join(conf).join("datasources/master-datasources.xml"))
            .is_some_and(|t| t.contains("WSO2AM_DB"))
    };
    if has("bin/api-manager.sh") || conf_has("api-manager.xml") || apim_db() {
        return ProductKind::Apim;
    }
    if has("bin/integrator.sh") || conf == "conf" {
        return ProductKind::Ei;
    }
    if model == Model::Toml {
        if let Some(toml) = read_small(&root.join(conf).join("deployment.toml")) {
            if toml.contains("[apim") || toml.contains("apim_db") {
                return ProductKind::Apim;
            }
            if toml.contains("identity_db") || toml.contains("[authentication") {
                return ProductKind::Is;
            }
        }
        return ProductKind::Unknown;
    }
    if conf_has("identity/identity.xml") {
        return ProductKind::Is;
    }
    if conf_has("synapse.properties") {
        return ProductKind::Esb;
    }
    ProductKind::Unknown
}

/// `bin/wso2carbon-version.txt`, else the version in the bootstrap jar's name.
fn kernel_version(root: &Path) -> Option<Version> {
    if let Some(text) = read_small(&root.join("bin/wso2carbon-version.txt")) {
        if let Some(v) = Version::find_in(&text) {
            return Some(v);
        }
    }
    for (dir, prefix) in [
        ("bin", "org.wso2.carbon.bootstrap-"),
        ("lib", "org.wso2.carbon.server-"),
    ] {
        let Ok(entries) = fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if let Some(rest) = name.strip_prefix(prefix) {
                if let Some(v) = Version::find_in(rest) {
                    return Some(v);
                }
            }
        }
    }
    None
}

impl ProductHome {
    pub fn conf_path(&self, rel: &str) -> PathBuf {
        self.root.join(self.conf).join(rel)
    }

    /// The mapper's inputs of an installed home (`repository/resources/conf`, MI too), when
    /// the home has them.
    pub fn model_dir(&self) -> Option<PathBuf> {
        let dir = self.root.join("repository/resources/conf");
        dir.is_dir().then_some(dir)
    }

    /// True when the product regenerates `file` (a path under the root) from a template at
    /// start-up, so a direct edit would be silently undone.
    pub fn is_regenerated(&self, file: &Path) -> bool {
        let Ok(rel) = file.strip_prefix(&self.root) else {
            return false;
        };
        let templates = self.root.join("repository/resources/conf/templates");
        if !templates.is_dir() {
            // A deployment.toml home copied without its templates (a config repository): every
            // conf XML is rendered, except tomcat/context.xml, which only APIM 4.3+ templates
            // (an APIM of unknown version is assumed to).
            let context = rel.ends_with("tomcat/context.xml");
            let apim_templates_context = self.product == ProductKind::Apim
                && self.version.is_none_or(|v| v >= Version(4, 3, 0));
            return self.model == Model::Toml
                && file.extension().is_some_and(|e| e == "xml")
                && (!context || apim_templates_context);
        }
        let mut template = templates.join(rel);
        let mut name = template.file_name().unwrap_or_default().to_os_string();
        name.push(".j2");
        template.set_file_name(name);
        template.is_file()
    }

    /// One line for reports: `API Manager 2.6.0 · kernel 4.4.35 · XML config`.
    pub fn describe(&self) -> String {
        let mut s = self.product.label().to_string();
        if let Some(v) = self.version {
            s.push_str(&format!(" {v}"));
        }
        match self.kernel {
            Some(k) => s.push_str(&format!(" · kernel {k}")),
            None => s.push_str(" · kernel unknown"),
        }
        s.push_str(match self.model {
            Model::Xml => " · XML config",
            Model::Toml => " · deployment.toml config",
        });
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(root: &Path, rel: &str, content: &str) {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    }

    #[test]
    fn finds_homes_of_both_layouts_and_skips_tool_dirs() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        touch(r, "a/repository/conf/carbon.xml", "<Server/>");
        touch(r, "a/bin/version.txt", "WSO2 API Manager v2.6.0\n");
        touch(r, "b/conf/deployment.toml", "[server]\n");
        touch(r, "b/bin/micro-integrator.sh", "");
        touch(r, "c/.git/repository/conf/carbon.xml", "");
        touch(r, "d/.wso2-harden/x/repository/conf/carbon.xml", "");
        touch(r, "e/nested/repository/conf/deployment.toml", "");
        touch(
            r,
            "e/nested/repository/conf/deployment.toml",
            "[database.identity_db]\n",
        );
        let homes = discover(&[r.to_path_buf()]).unwrap();
        let roots: Vec<_> = homes
            .iter()
            .map(|h| {
                h.root
                    .strip_prefix(r)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(roots, ["a", "b", "e/nested"]);
        assert_eq!(homes[0].product, ProductKind::Apim);
        assert_eq!(homes[0].version, Some(Version(2, 6, 0)));
        assert_eq!(homes[0].kernel, Some(Version(4, 4, 35)));
        assert_eq!(homes[0].model, Model::Xml);
        assert_eq!(
            (homes[1].product, homes[1].conf, homes[1].model),
            (ProductKind::Mi, "conf", Model::Toml)
        );
        assert_eq!(homes[2].product, ProductKind::Is);
        assert_eq!(homes[2].kernel, None);
    }

    #[test]
    fn kernel_file_beats_the_product_table() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        touch(r, "repository/conf/carbon.xml", "<Server/>");
        touch(r, "updates/product.txt", "wso2is-5.8.0");
        touch(
            r,
            "bin/wso2carbon-version.txt",
            "WSO2 Carbon Framework v4.4.41",
        );
        let home = inspect(r.to_path_buf(), "repository/conf");
        assert_eq!(home.product, ProductKind::Is);
        assert_eq!(home.kernel, Some(Version(4, 4, 41)));
    }

    #[test]
    fn regenerated_files_are_those_with_a_template() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        touch(r, "repository/conf/deployment.toml", "");
        touch(
            r,
            "repository/resources/conf/templates/repository/conf/carbon.xml.j2",
            "",
        );
        let home = inspect(r.to_path_buf(), "repository/conf");
        assert!(home.is_regenerated(&r.join("repository/conf/carbon.xml")));
        assert!(!home.is_regenerated(&r.join("repository/conf/log4j2.properties")));
    }

    #[test]
    fn without_templates_a_toml_home_assumes_its_xml_is_rendered() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        touch(
            r,
            "is/repository/conf/deployment.toml",
            "[database.identity_db]\n",
        );
        touch(r, "is/bin/version.txt", "WSO2 Identity Server v5.11.0\n");
        touch(
            r,
            "am/repository/conf/deployment.toml",
            "[apim.devportal]\n",
        );
        touch(r, "am/bin/version.txt", "WSO2 API Manager v4.5.0\n");
        let is = inspect(r.join("is"), "repository/conf");
        let am = inspect(r.join("am"), "repository/conf");
        assert!(is.is_regenerated(&r.join("is/repository/conf/carbon.xml")));
        assert!(!is.is_regenerated(&r.join("is/repository/conf/tomcat/context.xml")));
        assert!(am.is_regenerated(&r.join("am/repository/conf/tomcat/context.xml")));
        assert!(!am.is_regenerated(&r.join("am/repository/conf/log4j2.properties")));
    }

    #[test]
    fn missing_path_is_an_error() {
        let err = discover(&[PathBuf::from("/nonexistent/wso2")]).unwrap_err();
        assert!(err.to_string().starts_with("/nonexistent/wso2: "));
    }
}
