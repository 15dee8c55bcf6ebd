//! Reading the service config: typed, with errors that lead back to the stack file.

use schemars::JsonSchema;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};

use crate::{ConfigError, PlacedEndpoint, Target};

/// A reference to another service's export, written `(ref)"service.export"` in the stack.
///
/// During `expose` the endpoints are not known yet and `endpoints` is empty; during `render`
/// it lists the export on every host of the referenced service, in host order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a reference such as `(ref)\"web.http\"`")]
pub struct Ref {
    /// `service.export` as written.
    #[serde(rename = "$ref")]
    pub target: String,
    pub service: String,
    pub export: String,
    #[serde(default)]
    pub endpoints: Vec<PlacedEndpoint>,
    /// The value, when the export is a fact rather than an endpoint.
    #[serde(default)]
    pub value: Option<String>,
}

/// A secret, written `(secret)"name"`. Only its name crosses into plugins; emitters fill the
/// value in at deploy time.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a secret such as `(secret)\"db-password\"`")]
pub struct SecretRef {
    #[serde(rename = "$secret")]
    pub name: String,
}

/// `#[serde(deserialize_with = "one_or_many")]` for a `Vec<T>` field that may be written with
/// one value (`server "a"`) or several (`server "a" "b"`, or the node repeated).
pub fn one_or_many<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    match value {
        serde_json::Value::Array(_) => serde_json::from_value(value).map_err(D::Error::custom),
        other => serde_json::from_value(other).map(|one| vec![one]).map_err(D::Error::custom),
    }
}

/// `#[schemars(schema_with = "one_or_many_schema::<T>")]` beside [`one_or_many`]: the schema
/// says what the field accepts, one `T` or a list of them, so that a config the plugin reads
/// also validates against its schema (`stackc schema`, editors).
pub fn one_or_many_schema<T: JsonSchema>(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let one = generator.subschema_for::<T>();
    schemars::json_schema!({ "anyOf": [one, { "type": "array", "items": one }] })
}

/// Deserializes a config from the JSON the host passes, turning serde errors into
/// [`ConfigError`]s with the path to each offending key.
///
/// serde stops at the first error; to report every one in a run, the offending key is taken
/// out and the config read again, up to [`MAX_ERRORS`] times. A key taken out that was
/// required then shows up as missing: that is not reported, and the reading stops there.
pub(crate) fn parse<T: DeserializeOwned>(json: &str) -> Result<T, Vec<ConfigError>> {
    let mut value: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| vec![ConfigError::service(format!("the host passed malformed config JSON: {e}"))])?;
    let mut errors: Vec<ConfigError> = Vec::new();
    let mut removed: Vec<Vec<String>> = Vec::new();
    loop {
        let error = match serde_path_to_error::deserialize::<_, T>(value.clone()) {
            Ok(config) if errors.is_empty() => return Ok(config),
            Ok(_) => return Err(errors),
            Err(error) => error,
        };
        let mut path: Vec<String> = error
            .path()
            .iter()
            .filter_map(|segment| match segment {
                serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                serde_path_to_error::Segment::Enum { variant } => Some(variant.clone()),
                serde_path_to_error::Segment::Unknown => None,
            })
            .collect();
        let reported = describe(&error.inner().to_string(), &mut path);
        let caused_by_removal = reported.message.strip_prefix("missing config key `").is_some_and(|rest| {
            let field = rest.trim_end_matches('`');
            removed
                .iter()
                .any(|r| r.split_last().is_some_and(|(last, parent)| last == field && parent == reported.path))
        });
        if caused_by_removal {
            return Err(errors);
        }
        let again = errors.len() + 1 < MAX_ERRORS
            && errors.iter().all(|e| e.path != reported.path)
            && remove(&mut value, &reported.path);
        removed.push(reported.path.clone());
        errors.push(reported);
        if !again {
            return Err(errors);
        }
    }
}

/// The most config errors one service reports.
const MAX_ERRORS: usize = 16;

/// Takes the key at `path` out of `value`; false when there is none.
fn remove(value: &mut serde_json::Value, path: &[String]) -> bool {
    let Some((last, parents)) = path.split_last() else { return false };
    let mut at = value;
    for key in parents {
        at = match at {
            serde_json::Value::Object(map) => match map.get_mut(key) {
                Some(next) => next,
                None => return false,
            },
            serde_json::Value::Array(items) => match key.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                Some(next) => next,
                None => return false,
            },
            _ => return false,
        };
    }
    match at {
        serde_json::Value::Object(map) => map.remove(last).is_some(),
        _ => false,
    }
}

/// Turns serde's message into ours, with a suggestion for misspelled keys.
fn describe(message: &str, path: &mut Vec<String>) -> ConfigError {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        if path.last().map(String::as_str) != Some(field) {
            path.push(field.to_owned());
        }
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let help = closest(field, &candidates).map_or_else(
            || {
                if candidates.is_empty() {
                    "this block takes no settings".to_owned()
                } else {
                    format!("known keys here: {}", candidates.join(", "))
                }
            },
            |c| format!("did you mean `{c}`?"),
        );
        return ConfigError {
            message: format!("unknown config key `{field}`"),
            path: path.clone(),
            target: Target::Key,
            help: Some(help),
        };
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return ConfigError {
            message: format!("missing config key `{field}`"),
            path: path.clone(),
            target: Target::Key,
            help: Some(format!("add `{field} …`")),
        };
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (value, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let help = closest(value, &candidates)
            .map_or_else(|| format!("use one of: {}", candidates.join(", ")), |c| format!("did you mean `{c}`?"));
        return ConfigError {
            message: format!("`{value}` is not a valid choice here"),
            path: path.clone(),
            target: Target::Value,
            help: Some(help),
        };
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some((found, expected)) = message.strip_prefix(prefix).and_then(|r| r.split_once(", expected ")) {
            return ConfigError {
                message: format!("expected {}, found {found}", friendly_type(expected)),
                path: path.clone(),
                target: Target::Value,
                help: None,
            };
        }
    }
    ConfigError { message: message.to_owned(), path: path.clone(), target: Target::Value, help: None }
}

/// Serde's names for Rust types, in words a stack author knows.
fn friendly_type(expected: &str) -> String {
    let words = match expected {
        "u8" => "an integer from 0 to 255",
        "u16" => "an integer from 0 to 65535",
        "u32" => "an integer from 0 to 4294967295",
        "u64" | "usize" => "a non-negative integer",
        "i8" | "i16" | "i32" | "i64" | "isize" => "an integer",
        "f32" | "f64" => "a number",
        "a boolean" => "`true` or `false`",
        "a sequence" => "a list",
        "a map" => "a block of settings",
        other if other.starts_with("struct ") => "a block of settings",
        other => other,
    };
    words.to_owned()
}

/// The candidate within a small edit distance of `name`.
fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates.iter().map(|c| (edit_distance(name, c), *c)).filter(|(d, _)| *d <= limit).min().map(|(_, c)| c)
}

/// Edit distance counting a swap of two neighbouring characters as one edit (optimal string
/// alignment), since `kye` for `key` is the most common typo of all.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "kebab-case")]
    #[allow(dead_code)]
    struct Tls {
        certificate: String,
        key: SecretRef,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "kebab-case")]
    #[allow(dead_code)]
    struct Config {
        listen: u16,
        tls: Option<Tls>,
        #[serde(default, deserialize_with = "one_or_many")]
        index: Vec<String>,
    }

    #[test]
    fn unknown_keys_point_at_the_key_with_a_suggestion() {
        let errors =
            parse::<Config>(r#"{"listen": 80, "tls": {"certificate": "/c", "kye": {"$secret": "k"}}}"#).unwrap_err();
        assert_eq!(errors[0].path, ["tls", "kye"]);
        assert_eq!(errors[0].target, Target::Key);
        assert_eq!(errors[0].help.as_deref(), Some("did you mean `key`?"));
    }

    #[test]
    fn wrong_types_point_at_the_value() {
        let errors = parse::<Config>(r#"{"listen": "eighty"}"#).unwrap_err();
        assert_eq!(errors[0].path, ["listen"]);
        assert_eq!(errors[0].target, Target::Value);
        assert_eq!(errors[0].message, "expected an integer from 0 to 65535, found string \"eighty\"");
    }

    #[test]
    fn every_error_is_reported_at_once() {
        // A wrong type and an unknown key: both, each at its path.
        let errors =
            parse::<Config>(r#"{"listen": "x", "fooo": 1, "tls": {"certificate": 5, "key": {"$secret": "k"}}}"#)
                .unwrap_err();
        let mut paths: Vec<Vec<String>> = errors.iter().map(|e| e.path.clone()).collect();
        paths.sort();
        assert_eq!(paths, [vec!["fooo"], vec!["listen"], vec!["tls", "certificate"]], "{errors:?}");
        // A required key taken out because its value was wrong is not reported again as missing.
        assert!(errors.iter().all(|e| !e.message.starts_with("missing")), "{errors:?}");
        // A key that is really missing still is.
        let errors = parse::<Config>(r#"{"fooo": 1}"#).unwrap_err();
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages, ["unknown config key `fooo`", "missing config key `listen`"]);
    }

    #[test]
    fn one_or_many_accepts_both() {
        let one: Config = parse(r#"{"listen": 1, "index": "a"}"#).unwrap();
        let many: Config = parse(r#"{"listen": 1, "index": ["a", "b"]}"#).unwrap();
        assert_eq!(one.index, ["a"]);
        assert_eq!(many.index, ["a", "b"]);
    }

    #[test]
    fn missing_keys_name_the_key() {
        let errors = parse::<Config>("{}").unwrap_err();
        assert_eq!(errors[0].message, "missing config key `listen`");
        assert!(errors[0].path.is_empty());
    }
}
