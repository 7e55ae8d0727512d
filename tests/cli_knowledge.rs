//! Product knowledge through the real binary: version and kernel in JSON, the note on patches
//! decided without an exact kernel, EI profiles as nodes.

mod common;

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use common::fixture_copy;

fn tool(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("wso2-harden").unwrap();
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = tool(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

const LEGACY_SH: &str =
    "#!/bin/sh\njdk_17=`$JAVA_HOME/bin/java -version 2>&1 | grep \"1.[7|8]\"`\n\
$JAVACMD \\\n    -Dcarbon.home=\"$CARBON_HOME\" \\\n    org.wso2.carbon.bootstrap.Bootstrap $*\n";

#[test]
fn json_shows_version_and_kernel_of_an_xml_home_with_their_source() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let doc = json(d, &[]);
    let node = &doc["nodes"][0];
    assert_eq!(node["product"], "apim");
    assert_eq!(node["model"], "xml");
    assert_eq!(node["version"], "2.6.0");
    assert_eq!(node["version_source"], "version.txt");
    assert_eq!(node["kernel"], "4.4.35");
    assert_eq!(node["kernel_source"], "table");
    assert!(node.get("kernel_range").is_none());

    // Without bin/version.txt, carbon.xml still names it.
    fs::remove_file(d.join("apim-2.6.0/bin/version.txt")).unwrap();
    let node = json(d, &[])["nodes"][0].clone();
    assert_eq!(
        (&node["version"], &node["version_source"], &node["kernel"]),
        (
            &serde_json::json!("2.6.0"),
            &serde_json::json!("carbon.xml"),
            &serde_json::json!("4.4.35")
        )
    );
}

#[test]
fn a_kernel_known_only_by_fingerprint_is_a_range_and_a_note_once_per_node() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // A Carbon 4.4 home with no version file and no product name: log4j 1, Carbon 4.4's script.
    write(
        d,
        "k/repository/conf/carbon.xml",
        "<Server><Name>${product.name}</Name></Server>\n",
    );
    write(
        d,
        "k/repository/conf/log4j.properties",
        "log4j.appender.CARBON_LOGFILE=org.apache.log4j.DailyRollingFileAppender\n\
         log4j.appender.CARBON_LOGFILE.layout=org.wso2.carbon.utils.logging.TenantAwarePatternLayout\n\
         log4j.appender.CARBON_LOGFILE.layout.ConversionPattern=TID: [%T] [%S] [%d] %P%5p {%c} - %x %m %n\n",
    );
    write(d, "k/bin/wso2server.sh", LEGACY_SH);
    let select = [
        "--select",
        "log-rotation,jvm-hostname-verification,hsts,log-forging",
    ];
    let doc = json(d, &select);
    let node = &doc["nodes"][0];
    assert_eq!(node["kernel"], serde_json::Value::Null);
    assert_eq!(node["kernel_range"]["min"], "4.4.0");
    assert_eq!(node["kernel_range"]["max"], "4.4.x");
    assert_eq!(node["kernel_source"], "fingerprint");
    let notes = node["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    let note = notes[0].as_str().unwrap();
    assert!(
        note.starts_with("kernel not known exactly (4.4.0–4.4.x by fingerprint)"),
        "{note}"
    );
    assert!(
        note.contains(
            "jvm-hostname-verification, log-rotation took the choice that is safe on every version"
        ),
        "{note}"
    );

    // The script has no JVM_MEM_OPTS default (kernel 4.4.0–4.4.2 had none): 4.4.3 is not sure.
    assert!(
        note.contains("skipped for want of it: log-forging (kernel >=4.4.3)"),
        "{note}"
    );
    let text = tool(d).arg("check").args(select).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert_eq!(
        text.matches("kernel not known exactly").count(),
        1,
        "{text}"
    );
    assert!(text.contains("k (unknown product · kernel 4.4.0–4.4.x by fingerprint · XML config)"));

    // With the kernel's version file, every condition is decided: no note.
    write(
        d,
        "k/bin/wso2carbon-version.txt",
        "WSO2 Carbon Framework v4.4.40\n",
    );
    let node = json(d, &select)["nodes"][0].clone();
    assert_eq!(node["kernel"], "4.4.40");
    assert_eq!(node["kernel_source"], "wso2carbon-version.txt");
    assert_eq!(node["notes"], serde_json::json!([]));
}

#[test]
fn ei_profiles_are_checked_as_nodes() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let carbon = |name: &str, v: &str| {
        format!("<Server xmlns=\"http://wso2.org/projects/carbon/carbon.xml\"><Name>{name}</Name><Version>{v}</Version><Ports><Offset>0</Offset></Ports></Server>\n")
    };
    write(
        d,
        "ei/bin/version.txt",
        "WSO2 Enterprise Integrator v6.4.0\n",
    );
    write(
        d,
        "ei/conf/carbon.xml",
        &carbon("WSO2 Enterprise Integrator", "6.4.0"),
    );
    write(d, "ei/bin/integrator.sh", LEGACY_SH);
    write(
        d,
        "ei/wso2/broker/conf/carbon.xml",
        &carbon("WSO2 Message Broker", "3.2.0"),
    );
    write(d, "ei/wso2/broker/bin/wso2server.sh", LEGACY_SH);
    write(
        d,
        "ei/wso2/micro-integrator/conf/carbon.xml",
        &carbon("WSO2 Micro Integrator", "@product.version@"),
    );
    write(d, "ei/wso2/msf4j/conf/transports/netty-transports.yml", "");
    let doc = json(d, &["--select", "default-ports,jvm-dh-key-size"]);
    let nodes = doc["nodes"].as_array().unwrap();
    let names: Vec<&str> = nodes.iter().map(|n| n["node"].as_str().unwrap()).collect();
    assert_eq!(names, ["ei", "ei/wso2/broker", "ei/wso2/micro-integrator"]);
    assert_eq!(nodes[1]["profile"], "broker");
    assert_eq!(nodes[1]["version"], "6.4.0");
    assert_eq!(nodes[1]["version_source"], "product home");
    assert_eq!(nodes[1]["kernel"], "4.4.36");
    assert_eq!(
        nodes[0]["notes"],
        serde_json::json!([
            "wso2/msf4j is not a Carbon 4 server (no carbon.xml in its conf): not checked"
        ])
    );
    // Each profile gets its own findings: its offset, and its own launcher's JVM flag.
    let findings = doc["findings"].as_array().unwrap();
    let of = |node: &str, id: &str| {
        findings
            .iter()
            .filter(|f| f["node"] == node && f["id"] == id)
            .count()
    };
    assert_eq!(of("ei/wso2/broker", "default-ports"), 1);
    assert_eq!(of("ei/wso2/broker", "jvm-dh-key-size"), 1);
    assert_eq!(of("ei", "jvm-dh-key-size"), 1);
    let f = findings
        .iter()
        .find(|f| f["node"] == "ei/wso2/broker" && f["id"] == "jvm-dh-key-size")
        .unwrap();
    assert_eq!(f["file"], "ei/wso2/broker/bin/wso2server.sh");
}

#[test]
fn h2_is_reported_under_the_user_store_of_an_xml_home() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let doc = json(d, &["--select", "embedded-h2"]);
    let findings = doc["findings"].as_array().unwrap();
    let carbon_db: Vec<_> = findings
        .iter()
        .filter(|f| f["message"].as_str().unwrap().contains("WSO2_CARBON_DB"))
        .collect();
    assert_eq!(carbon_db.len(), 1, "{findings:?}");
    let f = carbon_db[0];
    assert_eq!(
        (&f["kind"], &f["severity"]),
        (&serde_json::json!("manual"), &serde_json::json!("high"))
    );
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("holds the user store (user-mgt.xml)"),
        "{message}"
    );
    assert!(
        message.contains("config and governance registry"),
        "{message}"
    );
    // The user store moved to MySQL and the registry mounted there: the local registry alone
    // stays on H2, which is no finding.
    write(
        d,
        "apim-2.6.0/repository/conf/user-mgt.xml",
        "<UserManager><Realm><Configuration><Property name=\"dataSource\">jdbc/WSO2UM_DB</Property></Configuration></Realm></UserManager>\n",
    );
    write(
        d,
        "apim-2.6.0/repository/conf/registry.xml",
        "<wso2registry><currentDBConfig>local</currentDBConfig>\
         <dbConfig name=\"local\"><dataSource>jdbc/WSO2CarbonDB</dataSource></dbConfig>\
         <dbConfig name=\"shared\"><dataSource>jdbc/WSO2REG_DB</dataSource></dbConfig>\
         <remoteInstance url=\"https://localhost:9443/registry\"><id>r</id><dbConfig>shared</dbConfig></remoteInstance>\
         <mount path=\"/_system/config\"><instanceId>r</instanceId></mount>\
         <mount path=\"/_system/governance\"><instanceId>r</instanceId></mount></wso2registry>\n",
    );
    let doc = json(d, &["--select", "embedded-h2"]);
    let messages: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("WSO2AM_DB"), "{messages:?}");
}

#[test]
fn log_forging_adds_the_uuid_to_an_xml_home_when_selected() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let log4j = d.join("apim-2.6.0/repository/conf/log4j.properties");
    let before = fs::read_to_string(&log4j).unwrap();
    // Off by default: it changes the log format.
    let out = tool(d).args(["check"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("log-forging"));
    let out = tool(d)
        .args(["check", "--select", "log-forging"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("[%K] "));
    tool(d)
        .args(["fix", "--yes", "--select", "log-forging"])
        .assert()
        .code(0);
    let after = fs::read_to_string(&log4j).unwrap();
    let pattern = "log4j.appender.CARBON_LOGFILE.layout.ConversionPattern=";
    let old = before.lines().find(|l| l.starts_with(pattern)).unwrap();
    let new = after.lines().find(|l| l.starts_with(pattern)).unwrap();
    assert_eq!(new, format!("{pattern}[%K] {}", &old[pattern.len()..]));
    assert_eq!(
        after.replace("[%K] ", ""),
        before,
        "only the pattern changed"
    );
    tool(d)
        .args(["check", "--select", "log-forging"])
        .assert()
        .code(0);

    // A home with no version file: Carbon 4.4's script with its JVM_MEM_OPTS default says
    // kernel 4.4.3 or later, which is enough.
    let bare = tempfile::tempdir().unwrap();
    let b = bare.path();
    write(b, "k/repository/conf/carbon.xml", "<Server/>\n");
    write(b, "k/repository/conf/log4j.properties", &before);
    write(
        b,
        "k/bin/wso2server.sh",
        &LEGACY_SH.replace("$JAVACMD", "JVM_MEM_OPTS=\"-Xms256m -Xmx1024m\"\n$JAVACMD"),
    );
    tool(b)
        .args(["fix", "--yes", "--select", "log-forging"])
        .assert()
        .code(0);
    let fixed = fs::read_to_string(b.join("k/repository/conf/log4j.properties")).unwrap();
    assert!(fixed.contains(&format!("{pattern}[%K] ")), "{fixed}");
}
