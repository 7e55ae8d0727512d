//! The values patches read (`[values.<name>]`): each declares a kind, and every value from a
//! user (`--set`, the policy file, a prompt, Ansible `values`) is checked by that kind before
//! any patch uses it. Weak TLS protocols and cipher suites are refused here, with the reason,
//! by the same rules that judge the files (`formats::compare`).

use serde::Deserialize;

use crate::formats::{cipher_suites, cipher_weakness, protocol_tokens, protocol_weakness};

/// What a missing value means: report "needs a value", or skip silently (optional tuning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Missing {
    #[default]
    NeedsValue,
    Skip,
}

/// `[values.<name>]` as written; `kind` is required.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawValueSpec {
    kind: KindName,
    #[serde(default)]
    min: Option<u32>,
    #[serde(default)]
    max: Option<u32>,
    description: String,
    #[serde(default)]
    default: Option<String>,
    #[serde(default)]
    missing: Missing,
    #[serde(default)]
    unset: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum KindName {
    Hostname,
    Uint,
    JvmSize,
    DataSize,
    ProtocolList,
    CipherList,
    String,
    UrlPrefix,
}

/// A value's kind: what a valid value looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A DNS host name: no scheme, port or path.
    Hostname,
    /// A whole number, optionally bounded.
    Uint { min: Option<u32>, max: Option<u32> },
    /// A JVM heap size: `512m`, `2g`.
    JvmSize,
    /// A log file size: `10MB`, `512KB`, `1GB`.
    DataSize,
    /// TLS protocols, comma-separated; only TLSv1.2 and TLSv1.3.
    ProtocolList,
    /// Cipher suites; only forward-secret AEAD suites (or TLS 1.3 suites).
    CipherList,
    /// Any one-line text.
    String,
    /// `scheme://host[:port][/path]` with scheme http or https.
    UrlPrefix,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValueSpec {
    pub kind: ValueKind,
    pub description: String,
    pub default: Option<String>,
    pub missing: Missing,
    /// Current values that count as "not configured" (shipped placeholders such as
    /// `localhost`), so a missing value is reported only where the setting is really unset.
    pub unset: Vec<String>,
}

impl RawValueSpec {
    /// Checks the bounds and the default against the kind.
    pub(crate) fn into_spec(self) -> Result<ValueSpec, String> {
        let kind = match self.kind {
            KindName::Uint => {
                if let (Some(min), Some(max)) = (self.min, self.max) {
                    if min > max {
                        return Err(format!("min {min} is above max {max}"));
                    }
                }
                ValueKind::Uint {
                    min: self.min,
                    max: self.max,
                }
            }
            _ if self.min.is_some() || self.max.is_some() => {
                return Err("`min` and `max` are for kind = \"uint\"".into())
            }
            KindName::Hostname => ValueKind::Hostname,
            KindName::JvmSize => ValueKind::JvmSize,
            KindName::DataSize => ValueKind::DataSize,
            KindName::ProtocolList => ValueKind::ProtocolList,
            KindName::CipherList => ValueKind::CipherList,
            KindName::String => ValueKind::String,
            KindName::UrlPrefix => ValueKind::UrlPrefix,
        };
        if let Some(d) = self.default.as_deref().filter(|d| !d.contains('{')) {
            kind.validate(d)
                .map_err(|e| format!("default {d:?} is not a valid {}: {e}", kind.name()))?;
        }
        Ok(ValueSpec {
            kind,
            description: self.description,
            default: self.default,
            missing: self.missing,
            unset: self.unset,
        })
    }
}

impl ValueKind {
    pub fn name(self) -> &'static str {
        match self {
            ValueKind::Hostname => "hostname",
            ValueKind::Uint { .. } => "uint",
            ValueKind::JvmSize => "jvm-size",
            ValueKind::DataSize => "data-size",
            ValueKind::ProtocolList => "protocol-list",
            ValueKind::CipherList => "cipher-list",
            ValueKind::String => "string",
            ValueKind::UrlPrefix => "url-prefix",
        }
    }

    /// The kind with its bounds, for `explain` and `policy --example`.
    pub fn describe(self) -> String {
        match self {
            ValueKind::Uint { min, max } => match (min, max) {
                (Some(a), Some(b)) => format!("uint, {a} to {b}"),
                (Some(a), None) => format!("uint, at least {a}"),
                (None, Some(b)) => format!("uint, at most {b}"),
                (None, None) => "uint".into(),
            },
            ValueKind::ProtocolList => "protocol-list: TLSv1.2 and TLSv1.3 only".into(),
            ValueKind::CipherList => "cipher-list: forward-secret AEAD suites only".into(),
            ValueKind::JvmSize => "jvm-size, such as 512m or 2g".into(),
            ValueKind::DataSize => "data-size, such as 10MB".into(),
            ValueKind::UrlPrefix => "url-prefix: http(s)://host[:port][/path]".into(),
            ValueKind::Hostname => "hostname: no scheme, port or path".into(),
            ValueKind::String => "string".into(),
        }
    }

    /// A valid value of this kind, for examples where a value has no default.
    pub fn example(self) -> String {
        match self {
            ValueKind::Hostname => "host.example.com".into(),
            ValueKind::Uint { min, .. } => min.unwrap_or(1).to_string(),
            ValueKind::JvmSize => "2048m".into(),
            ValueKind::DataSize => "10MB".into(),
            ValueKind::ProtocolList => "TLSv1.2".into(),
            ValueKind::CipherList => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384".into(),
            ValueKind::String => "text".into(),
            ValueKind::UrlPrefix => "https://host.example.com".into(),
        }
    }

    /// Checks a value of this kind; the error says why it is refused.
    pub fn validate(self, value: &str) -> Result<(), String> {
        if value.contains(['\n', '\r']) {
            return Err("must be one line".into());
        }
        match self {
            ValueKind::Hostname if hostname(value) => Ok(()),
            ValueKind::Hostname => Err(
                "not a host name (no scheme, port or path: letters, digits, '-' and '.')".into(),
            ),
            ValueKind::Uint { min, max } => {
                let n: u32 = value
                    .trim()
                    .parse()
                    .map_err(|_| "must be a whole number".to_string())?;
                match (min, max) {
                    (Some(m), _) if n < m => Err(format!("must be at least {m}")),
                    (_, Some(m)) if n > m => Err(format!("must be at most {m}")),
                    _ => Ok(()),
                }
            }
            ValueKind::JvmSize => {
                let digits = value.trim_end_matches(['k', 'K', 'm', 'M', 'g', 'G']);
                let ok = !digits.is_empty()
                    && digits.len() + 1 >= value.len()
                    && digits.bytes().all(|b| b.is_ascii_digit());
                ok.then_some(())
                    .ok_or_else(|| "must be a JVM size such as 512m or 2g".into())
            }
            ValueKind::DataSize => {
                let upper = value.trim().to_ascii_uppercase();
                let digits = ["KB", "MB", "GB"]
                    .iter()
                    .find_map(|u| upper.strip_suffix(u))
                    .unwrap_or(&upper);
                let ok = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
                ok.then_some(()).ok_or_else(|| {
                    "must be a size such as 10MB (a number, then KB, MB or GB)".into()
                })
            }
            ValueKind::ProtocolList => {
                let mut any = false;
                for t in protocol_tokens(value) {
                    any = true;
                    if let Some(why) = protocol_weakness(t) {
                        return Err(format!("{t} is not allowed: {why}"));
                    }
                }
                any.then_some(())
                    .ok_or_else(|| "must name at least one protocol (TLSv1.2, TLSv1.3)".into())
            }
            ValueKind::CipherList => {
                let mut any = false;
                for s in cipher_suites(value) {
                    any = true;
                    if let Some(why) = cipher_weakness(s) {
                        return Err(format!("{s} is not allowed: {why}"));
                    }
                }
                any.then_some(())
                    .ok_or_else(|| "must name at least one cipher suite".into())
            }
            ValueKind::String => Ok(()),
            ValueKind::UrlPrefix if url_prefix(value) => Ok(()),
            ValueKind::UrlPrefix => Err(
                "not a URL prefix (scheme://host[:port][/path], with scheme http or https)".into(),
            ),
        }
    }
}

fn hostname(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 253
        && value.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// `http(s)://host[:port][/path]`; the host may be a `{name}` placeholder of another value.
fn url_prefix(value: &str) -> bool {
    let Some(rest) = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
    else {
        return false;
    };
    let (authority, _path) = rest.split_once('/').unwrap_or((rest, ""));
    let (host, port_ok) = match authority.split_once(':') {
        Some((host, port)) => (
            host,
            !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()),
        ),
        None => (authority, true),
    };
    let placeholder = host.len() > 2 && host.starts_with('{') && host.ends_with('}');
    (placeholder || hostname(host)) && port_ok && !value.contains(char::is_whitespace)
}
