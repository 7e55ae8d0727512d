//! JDBC connections to external databases without TLS: disabled outright (`useSSL=false`,
//! `sslMode=DISABLED`, `sslmode=disable`, `encrypt=false`, …) or not enforced (no parameter,
//! or one that falls back to plain text), by the rules of each driver:
//! MySQL Connector/J (https://dev.mysql.com/doc/connector-j/en/connector-j-connp-props-security.html:
//! `sslMode` default PREFERRED; legacy `useSSL`/`requireSSL`), MariaDB Connector/J (`sslMode`
//! 3.x, `useSsl` 2.x), PostgreSQL pgjdbc (https://jdbc.postgresql.org/documentation/ssl/:
//! `sslmode` default prefer, `ssl=true` verifies), Microsoft JDBC (`encrypt`), Oracle thin
//! (`tcps`), IBM DB2 (`sslConnection`). Embedded H2 has its own finding; LDAP is
//! ldap-without-tls's. URLs are never printed (they may carry credentials): only the driver
//! and the parameter that decides.

use std::path::Path;

use super::{child_text, line_of, Ctx};
use crate::formats::toml::{TomlFile, TomlScalar};
use crate::formats::xml::element_text;

pub(super) const FILES: [&str; 1] = ["{conf}/datasources/*.xml"];

pub(super) fn db_tls(c: &mut Ctx) {
    if let Some((path, t)) = c.toml() {
        toml_urls(c, path, t);
    }
    c.xml(FILES[0], |c, path, text, doc| {
        for ds in doc.descendants().filter(|n| n.has_tag_name("datasource")) {
            let Some(url) = ds.descendants().find(|n| n.has_tag_name("url")) else {
                continue;
            };
            if let Some(why) = judge(&element_text(url)) {
                let name = child_text(ds, "name").unwrap_or_default();
                let message = format!("datasource {name}: {why}");
                c.push(path, Some(line_of(text, url.range().start)), message);
            }
        }
    });
}

fn toml_urls(c: &mut Ctx, path: &Path, t: &TomlFile) {
    let get = |k: &[&str]| match t.get(k) {
        Some(TomlScalar::String(s)) => Some(s),
        _ => None,
    };
    for leaf in t.leaves() {
        let p: Vec<&str> = leaf.path.iter().map(String::as_str).collect();
        let (what, url) = match (p.as_slice(), &leaf.value) {
            (["database", .., "url"], TomlScalar::String(u)) => (
                format!("[database.{}]", p[1..p.len() - 1].join(".")),
                u.clone(),
            ),
            (["datasource", i, "url"], TomlScalar::String(u)) => {
                let id = get(&["datasource", i, "id"]).unwrap_or_else(|| format!("#{i}"));
                (format!("[[datasource]] {id}"), u.clone())
            }
            // No url: the product infers one from type and hostname, with no TLS parameter.
            (["database", .., "type"], TomlScalar::String(kind)) => {
                let table = &p[..p.len() - 1];
                let with = |k: &'static str| [table, &[k]].concat();
                if get(&with("url")).is_some() {
                    continue;
                }
                let Some(host) = get(&with("hostname")) else {
                    continue;
                };
                let Some(prefix) = inferred_prefix(kind) else {
                    continue;
                };
                let what = format!("[database.{}]", table[1..].join("."));
                (what, format!("{prefix}//{host}/"))
            }
            _ => continue,
        };
        // deployment.toml values are rendered into XML verbatim: `&amp;` is an `&` there.
        if let Some(why) = judge(&url.replace("&amp;", "&")) {
            c.push(path, Some(leaf.line), format!("{what}: {why}"));
        }
    }
}

/// The URL prefix `infer.json` builds for a `[database.*] type` (kernel 4.9.28 `infer.json`).
fn inferred_prefix(kind: &str) -> Option<&'static str> {
    Some(match kind.to_ascii_lowercase().as_str() {
        "mysql" => "jdbc:mysql:",
        "mariadb" => "jdbc:mariadb:",
        "postgre" | "postgresql" => "jdbc:postgresql:",
        "mssql" => "jdbc:sqlserver:",
        "db2" => "jdbc:db2:",
        "oracle" => "jdbc:oracle:thin:@",
        _ => return None,
    })
}

/// Why the connection is not (or not surely) over TLS; `None` when it is, or when the URL is
/// not one to judge (H2, unknown drivers, the loopback interface).
pub(super) fn judge(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let driver = [
        "mysql",
        "mariadb",
        "postgresql",
        "sqlserver",
        "db2",
        "oracle",
    ]
    .into_iter()
    .find(|d| lower.starts_with(&format!("jdbc:{d}:")))?;
    if is_loopback(&lower) {
        return None;
    }
    let params = params(url);
    let get = |name: &str| {
        params
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(k, v)| (k.as_str(), v.to_ascii_lowercase()))
    };
    let off = |k: &str, v: &str| Some(format!("TLS disabled ({driver}: {k}={v})"));
    let weak = |why: &str| Some(format!("TLS not enforced ({driver}: {why})"));
    match driver {
        "mysql" => match (get("sslMode"), get("useSSL"), get("requireSSL")) {
            (Some((k, v)), ..) if v == "disabled" => off(k, "DISABLED"),
            (Some((_, v)), ..) if v == "preferred" => {
                weak("sslMode=PREFERRED falls back to plain text")
            }
            (Some(_), ..) => None,
            (None, Some((k, v)), _) if v == "false" => off(k, "false"),
            (None, Some(_), Some((_, r))) if r == "true" => None,
            (None, Some(_), _) => {
                weak("useSSL=true without requireSSL=true falls back to plain text")
            }
            (None, None, _) => {
                weak("no sslMode; the driver's default (PREFERRED) falls back to plain text")
            }
        },
        "mariadb" => match (get("sslMode"), get("useSsl")) {
            (Some((k, v)), _) if v == "disable" => off(k, "disable"),
            (Some(_), _) => None,
            (None, Some((k, v))) if v == "false" => off(k, "false"),
            (None, Some(_)) => None,
            (None, None) => weak("no sslMode; the driver does not use TLS unless asked"),
        },
        "postgresql" => match (get("sslmode"), get("ssl")) {
            (Some((k, v)), _) if v == "disable" => off(k, "disable"),
            (Some((_, v)), _) if v == "allow" || v == "prefer" => {
                weak(&format!("sslmode={v} falls back to plain text"))
            }
            (Some(_), _) => None,
            (None, Some((k, v))) if v == "false" => off(k, "false"),
            (None, Some(_)) => None,
            (None, None) => {
                weak("no sslmode; the driver's default (prefer) falls back to plain text")
            }
        },
        "sqlserver" => match get("encrypt") {
            Some((k, v)) if ["false", "no", "optional"].contains(&v.as_str()) => off(k, &v),
            Some(_) => None,
            None => weak("no encrypt; before mssql-jdbc 10.2 the default is no encryption"),
        },
        "db2" => match get("sslConnection") {
            Some((k, v)) if v == "false" => off(k, "false"),
            Some(_) => None,
            None => weak("no sslConnection=true; the connection is plain text"),
        },
        _ => {
            let tcps = lower.contains("@tcps:") || lower.replace(' ', "").contains("protocol=tcps");
            (!tcps).then(|| {
                "TLS not enforced (oracle: plain TCP; use tcps://host:port or PROTOCOL=TCPS)"
                    .to_string()
            })
        }
    }
}

/// Connection properties: `?a=b&c=d` (MySQL, MariaDB, PostgreSQL), `;a=b;c=d` (SQL Server,
/// and DB2 after the database name's `:`).
fn params(url: &str) -> Vec<(String, String)> {
    let rest = match (url.find('?'), url.find(';')) {
        (Some(q), Some(s)) => &url[q.min(s) + 1..],
        (Some(i), None) | (None, Some(i)) => &url[i + 1..],
        (None, None) => "",
    };
    // DB2: jdbc:db2://host:port/db:sslConnection=true;
    let db2 = url.to_ascii_lowercase().starts_with("jdbc:db2:");
    let rest = match (db2, url.rfind('/')) {
        (true, Some(slash)) => url[slash..].split_once(':').map_or(rest, |(_, r)| r),
        _ => rest,
    };
    rest.split(['&', ';'])
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// The server is this machine: nothing crosses the network.
fn is_loopback(lower: &str) -> bool {
    let host_start = lower
        .find("//")
        .map(|i| i + 2)
        .or_else(|| lower.find('@').map(|i| i + 1))
        .or_else(|| lower.find("host=").map(|i| i + 5));
    let Some(start) = host_start else {
        return false;
    };
    let rest = &lower[start..];
    let rest = rest.strip_prefix("tcp://").unwrap_or(rest);
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    ["localhost", "127.0.0.1", "[::1]"].iter().any(|h| {
        rest.starts_with(h) && rest[h.len()..].starts_with([':', '/', ';', '?', ')']) || rest == *h
    })
}

#[cfg(test)]
mod tests {
    use super::judge;

    #[test]
    fn each_driver_by_its_own_rules() {
        let off = |u: &str| judge(u).is_some_and(|w| w.starts_with("TLS disabled"));
        let weak = |u: &str| judge(u).is_some_and(|w| w.starts_with("TLS not enforced"));
        let ok = |u: &str| judge(u).is_none();
        assert!(off(
            "jdbc:mysql://db:3306/am?autoReconnect=true&useSSL=false"
        ));
        assert!(off("jdbc:mysql://db:3306/am?SSLMODE=disabled"));
        assert!(weak("jdbc:mysql://db:3306/am"));
        assert!(weak("jdbc:mysql://db:3306/am?useSSL=true"));
        assert!(weak("jdbc:mysql://db/am?sslMode=PREFERRED"));
        assert!(ok("jdbc:mysql://db:3306/am?useSSL=true&requireSSL=true"));
        assert!(ok("jdbc:mysql://db:3306/am?sslMode=VERIFY_IDENTITY"));
        assert!(off("jdbc:mariadb://db/am?sslMode=disable"));
        assert!(off("jdbc:mariadb://db/am?useSsl=false"));
        assert!(ok("jdbc:mariadb://db/am?sslMode=verify-full"));
        assert!(off("jdbc:postgresql://pg:5432/am?sslmode=disable"));
        assert!(weak("jdbc:postgresql://pg:5432/am?sslmode=prefer"));
        assert!(off("jdbc:postgresql://pg/am?ssl=false"));
        assert!(ok("jdbc:postgresql://pg/am?ssl=true"));
        assert!(ok("jdbc:postgresql://pg/am?sslmode=verify-full"));
        assert!(off(
            "jdbc:sqlserver://sql:1433;databaseName=am;encrypt=false"
        ));
        assert!(weak(
            "jdbc:sqlserver://sql:1433;databaseName=am;SendStringParametersAsUnicode=false"
        ));
        assert!(ok(
            "jdbc:sqlserver://sql:1433;databaseName=am;encrypt=true;trustServerCertificate=false"
        ));
        assert!(weak("jdbc:oracle:thin:@ora:1521/ORCL"));
        assert!(ok("jdbc:oracle:thin:@tcps://ora:2484/ORCL"));
        assert!(ok(
            "jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS=(PROTOCOL = TCPS)(HOST=ora)(PORT=2484)))"
        ));
        assert!(off("jdbc:db2://db2:50000/AM:sslConnection=false;"));
        assert!(ok("jdbc:db2://db2:50000/AM:sslConnection=true;"));
        assert!(weak("jdbc:db2://db2:50000/AM"));
        // Not judged: embedded H2, unknown drivers, the loopback interface.
        assert!(ok("jdbc:h2:./repository/database/WSO2AM_DB"));
        assert!(ok("jdbc:derby://db:1527/am"));
        assert!(ok("jdbc:mysql://localhost:3306/am?useSSL=false"));
        assert!(ok("jdbc:oracle:thin:@127.0.0.1:1521/XE"));
        // The message names the parameter, never the URL (which may carry a password).
        let m = judge("jdbc:mysql://db/am?user=u&password=s3cret&useSSL=false").unwrap();
        assert_eq!(m, "TLS disabled (mysql: useSSL=false)");
    }
}
