//! `log4j2-counter`: a log4j2 `filePattern` gets `%i`, or same-day size rollovers overwrite
//! each other.

use super::property::set_property;
use super::{ActionError, Ctx, Edit, Perform};
use crate::catalog::fields::Log4j2Counter;
use crate::formats::xml::short;

impl Perform for Log4j2Counter {
    fn plan(&self, _value: &str, ctx: &Ctx) -> Result<Option<Edit>, ActionError> {
        let key = self.key.as_str();
        let Some(pattern) = ctx.parsed.property(key).map(str::to_string) else {
            return Ok(None);
        };
        if pattern.contains("%i") {
            return Ok(None);
        }
        let new_pattern = with_counter(&pattern);
        let what = format!("{key}: {} → {}", short(&pattern), short(&new_pattern));
        Ok(set_property(ctx, key, &new_pattern)?.map(|e| e.describe(what)))
    }

    fn describe(&self) -> String {
        format!("{} gets %i", self.key)
    }
}

/// Puts `-%i` before the file name's extension (`.log`, `.log.gz`), after any `%d{…}` so
/// dots inside a date pattern are never split.
fn with_counter(pattern: &str) -> String {
    let name_start = pattern.rfind('/').map_or(0, |i| i + 1);
    let after_date = pattern[name_start..]
        .rfind('}')
        .map_or(name_start, |i| name_start + i + 1);
    match pattern[after_date..].find('.') {
        Some(dot) if after_date + dot > name_start => {
            let at = after_date + dot;
            format!("{}-%i{}", &pattern[..at], &pattern[at..])
        }
        _ => format!("{pattern}-%i"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_counter;

    #[test]
    fn counter_goes_before_the_extension() {
        assert_eq!(
            with_counter("${sys:carbon.home}/logs/wso2carbon-%d{MM-dd-yyyy}.log"),
            "${sys:carbon.home}/logs/wso2carbon-%d{MM-dd-yyyy}-%i.log"
        );
        assert_eq!(
            with_counter("logs/w-%d{MM-dd-yyyy}.log.gz"),
            "logs/w-%d{MM-dd-yyyy}-%i.log.gz"
        );
        assert_eq!(
            with_counter("logs/audit-%d{yyyy.MM.dd}"),
            "logs/audit-%d{yyyy.MM.dd}-%i"
        );
        assert_eq!(
            with_counter("logs/wso2carbon.log"),
            "logs/wso2carbon-%i.log"
        );
        assert_eq!(with_counter("/var/x.y/.hidden"), "/var/x.y/.hidden-%i");
    }
}
