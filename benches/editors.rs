//! Each editor on real WSO2 files from ../shared/fixtures-real: parse; plan one edit of the
//! kind the catalog makes (the edit re-parses and verifies its output, as in a run); verify,
//! the editor's invariants on the file (`formats::selfcheck`: parse, edits, re-parse, read
//! back, idempotence); and planning a whole real home with every default patch (XML and
//! deployment.toml models). `cargo bench --bench editors`. Without ../shared the bench says so
//! and measures nothing.

use std::fs;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use wso2_harden::catalog::{Catalog, Values};
use wso2_harden::discover::discover;
use wso2_harden::formats::script::{self, ScriptKind};
use wso2_harden::formats::toml::{self as tomlfmt, TomlFile, TomlScalar};
use wso2_harden::formats::{properties, selfcheck, xml, Compare};
use wso2_harden::plan::{plan_home, Settings, TakeAll};

fn real() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures-real");
    if dir.is_dir() {
        return Some(dir);
    }
    eprintln!(
        "\n*** benches/editors.rs: ../shared/fixtures-real is missing: NOTHING MEASURED ***\n"
    );
    None
}

/// A real file's text, or a loud note when it is missing.
fn text(real: &Path, rel: &str) -> Option<(String, String)> {
    match fs::read(real.join(rel)) {
        Ok(bytes) => Some((
            rel.to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        )),
        Err(e) => {
            eprintln!("*** benches/editors.rs: {rel}: {e}; skipped ***");
            None
        }
    }
}

fn xml_bench(c: &mut Criterion, real: &Path) {
    let mut g = c.benchmark_group("xml");
    // tls-protocols on a Tomcat connector (an attribute) and on Axis2's HTTPS receiver (an
    // element, added).
    for (rel, select, attr) in [
        (
            "apim-2.6.0/repository/conf/tomcat/catalina-server.xml",
            "/Server/Service/Connector",
            Some("sslEnabledProtocols"),
        ),
        (
            "apim-2.6.0/repository/conf/axis2/axis2.xml",
            "/axisconfig/transportReceiver[@name='https']/parameter[@name='HttpsProtocols']",
            None,
        ),
    ] {
        let Some((name, text)) = text(real, rel) else {
            continue;
        };
        g.bench_with_input(BenchmarkId::new("parse", &name), &text, |b, t| {
            b.iter(|| xml::parse(t).map(|d| d.descendants().count()))
        });
        let doc = xml::parse(&text).unwrap();
        let path = xml::Path::parse(select).unwrap();
        let want = xml::Want::Value("TLSv1.2,TLSv1.3", Compare::StrongProtocols);
        let op = match attr {
            Some(attr) => xml::XmlOp::Attr {
                path: &path,
                attr,
                want,
                create: false,
            },
            None => xml::XmlOp::Text {
                path: &path,
                want,
                create: true,
            },
        };
        if !matches!(xml::plan(&text, &doc, &op, false), Ok(Some(_))) {
            eprintln!("*** benches/editors.rs: {rel}: the edit changes nothing here ***");
        }
        g.bench_with_input(BenchmarkId::new("plan", &name), &text, |b, t| {
            b.iter(|| xml::plan(t, &doc, &op, false))
        });
        g.bench_with_input(BenchmarkId::new("verify", &name), &text, |b, t| {
            b.iter(|| selfcheck::xml(t.as_bytes()))
        });
    }
    g.finish();
}

fn toml_bench(c: &mut Criterion, real: &Path) {
    let mut g = c.benchmark_group("toml");
    for rel in [
        "is-7.0.0/repository/conf/deployment.toml",
        "apim-4.5.0/repository/conf/deployment.toml",
    ] {
        let Some((name, text)) = text(real, rel) else {
            continue;
        };
        g.bench_with_input(BenchmarkId::new("parse", &name), &text, |b, t| {
            b.iter(|| TomlFile::parse(t))
        });
        let file = TomlFile::parse(&text).unwrap();
        let value = TomlScalar::String("node.example.com".into());
        g.bench_with_input(BenchmarkId::new("plan", &name), &text, |b, t| {
            b.iter(|| tomlfmt::set_in(t, &file, &["server", "hostname"], &value))
        });
        g.bench_with_input(BenchmarkId::new("verify", &name), &text, |b, t| {
            b.iter(|| selfcheck::toml(t.as_bytes()))
        });
    }
    g.finish();
}

fn properties_bench(c: &mut Criterion, real: &Path) {
    let mut g = c.benchmark_group("properties");
    for rel in [
        "is-7.0.0/repository/conf/log4j2.properties",
        "apim-2.6.0/repository/conf/log4j.properties",
    ] {
        let Some((name, text)) = text(real, rel) else {
            continue;
        };
        g.bench_with_input(BenchmarkId::new("parse", &name), &text, |b, t| {
            b.iter(|| properties::parse_doc(t))
        });
        let doc = properties::parse_doc(&text);
        g.bench_with_input(BenchmarkId::new("plan", &name), &text, |b, t| {
            b.iter(|| {
                properties::set_in(
                    t,
                    &doc,
                    "appender.CARBON_LOGFILE.policies.size.size",
                    "10MB",
                )
            })
        });
        g.bench_with_input(BenchmarkId::new("verify", &name), &text, |b, t| {
            b.iter(|| selfcheck::properties(t.as_bytes()))
        });
    }
    g.finish();
}

fn script_bench(c: &mut Criterion, real: &Path) {
    let mut g = c.benchmark_group("script");
    for rel in [
        "is-7.0.0/bin/wso2server.sh",
        "apim-2.6.0/bin/wso2server.bat",
    ] {
        let Some((name, text)) = text(real, rel) else {
            continue;
        };
        let Some(kind) = ScriptKind::from_path(Path::new(rel)) else {
            continue;
        };
        g.bench_with_input(BenchmarkId::new("parse", &name), &text, |b, t| {
            b.iter(|| script::flags(t, kind))
        });
        g.bench_with_input(BenchmarkId::new("plan", &name), &text, |b, t| {
            b.iter(|| script::set_flag(t, kind, "-Djdk.tls.ephemeralDHKeySize", "2048", false))
        });
        g.bench_with_input(BenchmarkId::new("verify", &name), &text, |b, t| {
            b.iter(|| selfcheck::script(t.as_bytes(), kind))
        });
    }
    g.finish();
}

/// Planning a whole home: every editor, every default patch, files read from disk.
fn home_bench(c: &mut Criterion, real: &Path) {
    let catalog = Catalog::builtin();
    let mut g = c.benchmark_group("plan_home");
    g.sample_size(20);
    for name in ["apim-2.6.0", "is-7.0.0", "mi-4.2.0"] {
        let dir = real.join(name);
        let Ok(mut homes) = discover(std::slice::from_ref(&dir)) else {
            eprintln!("*** benches/editors.rs: {name}: missing; skipped ***");
            continue;
        };
        let Some(home) = homes.pop() else { continue };
        let settings = Settings {
            catalog,
            patches: catalog.select(&[], &[]).unwrap(),
            unsafe_fixes: false,
            cwd: real.to_path_buf(),
            waivers: &wso2_harden::policy::waiver::NONE,
            effective: Default::default(),
        };
        let values = Values::default();
        g.bench_function(name, |b| {
            b.iter(|| {
                plan_home(home.clone(), &settings, &values, &mut TakeAll)
                    .files
                    .len()
            })
        });
    }
    g.finish();
}

fn bench(c: &mut Criterion) {
    let Some(real) = real() else {
        return;
    };
    xml_bench(c, &real);
    toml_bench(c, &real);
    properties_bench(c, &real);
    script_bench(c, &real);
    home_bench(c, &real);
}

criterion_group!(benches, bench);
criterion_main!(benches);
