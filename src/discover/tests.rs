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
    assert_eq!(homes[0].version.exact, Some(Version(2, 6, 0)));
    assert_eq!(homes[0].kernel.exact, Some(Version(4, 4, 35)));
    assert_eq!(homes[0].kernel.source, Some(Source::Table));
    assert_eq!(homes[0].model, Model::Xml);
    assert_eq!(
        (homes[1].product, homes[1].conf, homes[1].model),
        (ProductKind::Mi, "conf", Model::Toml)
    );
    assert_eq!(homes[2].product, ProductKind::Is);
    // Only "an IS of the deployment.toml generation": IS 5.9 to 7.3.
    assert_eq!(homes[2].kernel.exact, None);
    assert_eq!(
        homes[2].kernel.range.map(|r| r.to_string()).as_deref(),
        Some("4.5.1–4.12.34")
    );
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
    assert_eq!(home.kernel.exact, Some(Version(4, 4, 41)));
    assert_eq!(home.kernel.source, Some(Source::CarbonVersionTxt));
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

const LEGACY_SH: &str =
    "#!/bin/sh\njdk_17=`$JAVA_HOME/bin/java -version 2>&1 | grep \"1.[7|8]\"`\n";

fn jdk_sh(min: &str, max: &str) -> String {
    format!("#!/bin/sh\nif [ $java_version_formatted -lt {min} ] || [ $java_version_formatted -gt {max} ]; then\n  exit 1\nfi\n")
}

fn carbon_xml(name: &str, version: &str) -> String {
    format!("<Server xmlns=\"http://wso2.org/projects/carbon/carbon.xml\">\n  <Name>{name}</Name>\n  <Version>{version}</Version>\n</Server>\n")
}

fn range(home: &ProductHome) -> (Option<String>, Option<String>) {
    (
        home.version.bounds().map(|r| r.to_string()),
        home.kernel.bounds().map(|r| r.to_string()),
    )
}

#[test]
fn carbon_xml_names_product_and_version_and_the_table_the_kernel() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    touch(
        r,
        "repository/conf/carbon.xml",
        &carbon_xml("WSO2 Identity Server", "5.5.0"),
    );
    let home = inspect(r.to_path_buf(), "repository/conf");
    assert_eq!(home.product, ProductKind::Is);
    assert_eq!(home.version.exact, Some(Version(5, 5, 0)));
    assert_eq!(home.version.source, Some(Source::CarbonXml));
    assert_eq!(home.kernel.exact, Some(Version(4, 4, 26)));
    assert_eq!(home.kernel.source, Some(Source::Table));
    assert_eq!(
        home.describe(),
        "Identity Server 5.5.0 · kernel 4.4.26 · XML config"
    );
}

#[test]
fn build_placeholders_are_no_version_and_the_fingerprint_decides() {
    // EI 6.6 ships `@product.version@`; its integrator.sh checks JDK 7–11 and it logs with log4j2.
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    touch(
        r,
        "conf/carbon.xml",
        &carbon_xml("WSO2 Enterprise Integrator", "@product.version@"),
    );
    touch(r, "conf/log4j2.properties", "");
    touch(r, "bin/integrator.sh", &jdk_sh("0107", "1100"));
    let home = inspect(r.to_path_buf(), "conf");
    assert_eq!(home.product, ProductKind::Ei);
    assert_eq!(home.version.exact, Some(Version(6, 6, 0)));
    assert_eq!(home.version.source, Some(Source::Fingerprint));
    assert_eq!(home.kernel.exact, Some(Version(4, 5, 3)));
    // The kernel's own placeholders (`${product.version}`) are no version either.
    let k = tempfile::tempdir().unwrap();
    touch(
        k.path(),
        "repository/conf/carbon.xml",
        &carbon_xml("${product.name}", "${product.version}"),
    );
    touch(k.path(), "repository/conf/log4j.properties", "");
    touch(k.path(), "bin/wso2server.sh", LEGACY_SH);
    let home = inspect(k.path().to_path_buf(), "repository/conf");
    assert_eq!(home.version.exact, None);
    assert_eq!(range(&home).1.as_deref(), Some("4.4.0–4.4.x"));
}

#[test]
fn without_version_files_a_fingerprint_bounds_version_and_kernel() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    // An APIM 2.x XML home: its AM datasource, Carbon 4.4's script and log4j 1.
    touch(
        r,
        "am2/repository/conf/datasources/master-datasources.xml",
        "<datasources-configuration><datasources><datasource><name>WSO2AM_DB</name></datasource></datasources></datasources-configuration>",
    );
    touch(r, "am2/repository/conf/log4j.properties", "");
    touch(
        r,
        "am2/repository/conf/tomcat/catalina-server.xml",
        "<Server><Service><Connector port=\"9443\" SSLEnabled=\"true\" sslEnabledProtocols=\"TLSv1.2\"/></Service></Server>",
    );
    touch(r, "am2/bin/wso2server.sh", LEGACY_SH);
    // APIM 4.3–4.6: api-manager.sh checking JDK 11–21.
    touch(r, "am4/repository/conf/deployment.toml", "[apim]\n");
    touch(r, "am4/bin/api-manager.sh", &jdk_sh("1100", "2100"));
    // MI 4.2/4.3: JDK 11–17, and no Carbon kernel at all.
    touch(r, "mi/conf/deployment.toml", "");
    touch(r, "mi/bin/micro-integrator.sh", &jdk_sh("1100", "1700"));
    // A bare kernel 4.10.25+ (or IS 7.1/7.2): JDK 11–21, deployment.toml, log4j2.
    touch(r, "k/repository/conf/deployment.toml", "[server]\n");
    touch(r, "k/repository/conf/log4j2.properties", "");
    touch(r, "k/bin/wso2server.sh", &jdk_sh("1100", "2100"));
    let homes = discover(&[r.to_path_buf()]).unwrap();
    let got: Vec<_> = homes.iter().map(|h| (h.product, range(h))).collect();
    let s = |x: &str| Some(x.to_string());
    assert_eq!(
        got,
        [
            (ProductKind::Apim, (s("2.0.0–2.6.0"), s("4.4.7–4.4.35"))),
            (ProductKind::Apim, (s("4.3.0–4.6.0"), s("4.9.26–4.9.33"))),
            (ProductKind::Unknown, (None, s("4.10.25–4.12.2"))),
            (ProductKind::Mi, (s("4.2.0–4.3.0"), None)),
        ]
    );
    assert!(homes.iter().all(|h| h.kernel.source != Some(Source::Table)));
    assert_eq!(
        homes[0].describe(),
        "API Manager 2.0.0–2.6.0 by fingerprint · kernel 4.4.7–4.4.35 by fingerprint · XML config"
    );
    assert_eq!(
        homes[3].describe(),
        "Micro Integrator 4.2.0–4.3.0 by fingerprint · no Carbon kernel · deployment.toml config"
    );
}

#[test]
fn jar_names_and_product_txt() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    touch(r, "a/repository/conf/carbon.xml", "<Server/>");
    touch(r, "a/updates/product.txt", "wso2am-4.0.0\n");
    touch(r, "a/bin/org.wso2.carbon.bootstrap-4.6.2.jar", "");
    touch(r, "b/repository/conf/carbon.xml", "<Server/>");
    touch(r, "b/bin/version.txt", "WSO2 Identity Server v5.8.0\n");
    touch(
        r,
        "b/repository/components/plugins/org.wso2.carbon.core_4.4.41.jar",
        "",
    );
    let homes = discover(&[r.to_path_buf()]).unwrap();
    assert_eq!(
        (
            homes[0].product,
            homes[0].version.exact,
            homes[0].version.source
        ),
        (
            ProductKind::Apim,
            Some(Version(4, 0, 0)),
            Some(Source::ProductTxt)
        )
    );
    assert_eq!(homes[0].kernel.exact, Some(Version(4, 6, 2)));
    assert_eq!(homes[0].kernel.source, Some(Source::Jar));
    assert_eq!(homes[1].version.source, Some(Source::VersionTxt));
    assert_eq!(homes[1].kernel.exact, Some(Version(4, 4, 41)));
}

#[test]
fn contradicting_hints_leave_the_kernel_unknown() {
    // Tomcat 7's juli jar beside a deployment.toml: no release looks like that.
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    touch(r, "repository/conf/deployment.toml", "[server]\n");
    touch(r, "bin/tomcat-juli-7.0.93.jar", "");
    let home = inspect(r.to_path_buf(), "repository/conf");
    assert_eq!(home.kernel, Known::default());
    assert_eq!(
        home.describe(),
        "unknown product · kernel unknown · deployment.toml config"
    );
}

#[test]
fn ei_profiles_are_nodes_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let ei = dir.path().join("wso2ei-6.5.0");
    touch(
        &ei,
        "conf/carbon.xml",
        &carbon_xml("WSO2 Enterprise Integrator", "6.5.0"),
    );
    touch(&ei, "bin/integrator.sh", LEGACY_SH);
    touch(
        &ei,
        "bin/broker.sh",
        "#!/bin/sh\nsh \"$CARBON_HOME/wso2/broker/bin/wso2server.sh\" $*\n",
    );
    // Profiles carry the version of the server they package (Message Broker 3.2.0), not EI's.
    touch(
        &ei,
        "wso2/broker/conf/carbon.xml",
        &carbon_xml("WSO2 Message Broker", "3.2.0"),
    );
    touch(&ei, "wso2/broker/bin/wso2server.sh", LEGACY_SH);
    touch(
        &ei,
        "wso2/business-process/conf/axis2/axis2.xml",
        "<axisconfig/>",
    );
    touch(
        &ei,
        "wso2/analytics/conf/worker/deployment.yaml",
        "wso2.carbon:\n",
    );
    touch(
        &ei,
        "wso2/components/plugins/org.wso2.carbon.core_4.4.40.jar",
        "",
    );
    let homes = discover(&[dir.path().to_path_buf()]).unwrap();
    let roots: Vec<String> = homes
        .iter()
        .map(|h| {
            h.root
                .strip_prefix(dir.path())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        roots,
        [
            "wso2ei-6.5.0",
            "wso2ei-6.5.0/wso2/broker",
            "wso2ei-6.5.0/wso2/business-process"
        ]
    );
    assert_eq!(homes[0].kernel.exact, Some(Version(4, 4, 40)));
    assert_eq!(homes[0].kernel.source, Some(Source::Jar));
    assert_eq!(
        homes[0].notes,
        ["wso2/analytics is WSO2 Stream Processor (Carbon 5, EI 6.2 and later): not checked"]
    );
    for p in &homes[1..] {
        assert_eq!(
            (p.product, p.conf, p.model),
            (ProductKind::Ei, "conf", Model::Xml)
        );
        assert_eq!(p.version.exact, Some(Version(6, 5, 0)));
        assert_eq!(p.version.source, Some(Source::Parent));
        assert_eq!(p.kernel.exact, Some(Version(4, 4, 40)));
    }
    assert_eq!(homes[1].profile.as_deref(), Some("broker"));
    assert_eq!(
        homes[1].describe(),
        "Enterprise Integrator 6.5.0 broker profile · kernel 4.4.40 · XML config"
    );
    // A profile given directly is still the EI's profile.
    let direct = discover(&[ei.join("wso2/broker")]).unwrap();
    assert_eq!(direct.len(), 1);
    assert_eq!(direct[0].profile.as_deref(), Some("broker"));
    assert_eq!(direct[0].version.exact, Some(Version(6, 5, 0)));
}

#[test]
fn without_templates_only_the_conf_xml_is_assumed_rendered() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    touch(
        r,
        "repository/conf/deployment.toml",
        "[database.identity_db]\n",
    );
    let home = inspect(r.to_path_buf(), "repository/conf");
    assert!(home.is_regenerated(&r.join("repository/conf/user-mgt.xml")));
    // Secondary user stores are deployed files, not rendered ones.
    assert!(!home.is_regenerated(&r.join("repository/deployment/server/userstores/CORP.xml")));
}
