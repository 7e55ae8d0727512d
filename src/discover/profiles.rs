//! EI 6.x profiles. Besides the integrator (`EI_HOME/conf`), an EI home holds the broker,
//! business-process, analytics (EI 6.0/6.1) and micro-integrator (EI 6.3/6.4) profiles under
//! `wso2/<profile>`, each a Carbon 4 server with its own `conf/` and its own launcher
//! `wso2/<profile>/bin/wso2server.sh` (which `bin/broker.sh` & co. call): each is a node of
//! its own, of the same product version and kernel (wso2/product-ei `distribution/src/assembly/bin.xml`
//! at v6.0.0…v6.6.0). From EI 6.2 `wso2/analytics` is WSO2 Stream Processor, a Carbon 5
//! server (`conf/worker/deployment.yaml`), and `wso2/msf4j` is MSF4J: neither is a Carbon 4
//! home, so they are named in a note on the EI home and not checked.

use std::fs;
use std::path::Path;

use super::identify::{identify, Known, Source};
use super::{conf_dir, Model, ProductHome, ProductKind, Runtime};

/// The profiles of an EI home, as homes of their own; the EI home gets a note for each
/// profile that is not a Carbon 4 server.
pub(super) fn of(home: &mut ProductHome) -> Vec<ProductHome> {
    if home.product != ProductKind::Ei || home.profile.is_some() {
        return Vec::new();
    }
    let Ok(entries) = fs::read_dir(home.root.join("wso2")) else {
        return Vec::new();
    };
    let mut dirs: Vec<_> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .filter(|p| p.join("conf").is_dir())
        .collect();
    dirs.sort();
    let mut profiles = Vec::new();
    for dir in dirs {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match conf_dir(&dir) {
            Some(conf) => profiles.push(profile_home(home, &dir, conf, name)),
            None if dir.join("conf/worker/deployment.yaml").is_file() => home.notes.push(format!(
                "wso2/{name} is WSO2 Stream Processor (Carbon 5, EI 6.2 and later): not checked"
            )),
            None => home.notes.push(format!(
                "wso2/{name} is not a Carbon 4 server (no carbon.xml in its conf): not checked"
            )),
        }
    }
    profiles
}

/// A home at `…/wso2/<profile>` inside an EI home, when `root` is one.
pub(super) fn inspect_profile(root: &Path, conf: &'static str) -> Option<ProductHome> {
    let parent = root.parent()?;
    if parent.file_name()? != "wso2" {
        return None;
    }
    let ei_root = parent.parent()?;
    let ei_conf = conf_dir(ei_root)?;
    let ei_model = Model::of(ei_root, ei_conf);
    let ei = identify(ei_root, ei_conf, ei_model);
    if ei.product != ProductKind::Ei {
        return None;
    }
    let name = root.file_name()?.to_string_lossy().into_owned();
    let parent_home = ProductHome {
        root: ei_root.to_path_buf(),
        conf: ei_conf,
        product: ei.product,
        version: ei.version,
        kernel: ei.kernel,
        model: ei_model,
        runtime: Runtime::default(),
        profile: None,
        notes: Vec::new(),
    };
    Some(profile_home(&parent_home, root, conf, name))
}

fn profile_home(ei: &ProductHome, dir: &Path, conf: &'static str, name: String) -> ProductHome {
    let inherit = |k: &Known| Known {
        source: k.source.map(|_| Source::Parent),
        ..*k
    };
    let model = Model::of(dir, conf);
    let version = inherit(&ei.version);
    let kernel = inherit(&ei.kernel);
    // Its own launcher (wso2/<profile>/bin/wso2server.sh) tells its Java runtime.
    let runtime = Runtime::of(dir, ProductKind::Ei, version.bounds(), kernel.bounds());
    ProductHome {
        root: dir.to_path_buf(),
        conf,
        product: ProductKind::Ei,
        version,
        kernel,
        model,
        runtime,
        profile: Some(name),
        notes: Vec::new(),
    }
}
