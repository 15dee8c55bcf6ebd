//! A plugin's config schema (JSON Schema, as `schemars` writes it from the plugin's config
//! struct), read along the config nodes of a service block: which keys a block takes, and
//! what a key is.

use serde_json::Value as Json;

use crate::lsp::cursor::Step;

/// One key of a block: its name and its schema as the block's `properties` give it.
pub struct Key<'a> {
    pub name: &'a str,
    pub schema: &'a Json,
}

/// A config schema, with the definitions its `$ref`s point into.
pub struct Schema {
    root: Json,
}

impl Schema {
    pub fn parse(text: &str) -> Option<Schema> {
        serde_json::from_str(text).ok().map(|root| Schema { root })
    }

    /// The schema of the block `steps` lead to from the service's block.
    pub fn block(&self, steps: &[Step]) -> Option<&Json> {
        let mut schema = self.resolve(&self.root);
        for step in steps {
            schema = self.child(schema, &step.key)?;
            if step.keyed {
                // `location "/" { … }`: the block is a value of the map the key names.
                schema = self.value_of_map(schema).unwrap_or(schema);
            }
        }
        Some(schema)
    }

    /// The keys a block takes, sorted.
    pub fn keys<'a>(&'a self, block: &'a Json) -> Vec<Key<'a>> {
        let Some(properties) = block.get("properties").and_then(Json::as_object) else { return Vec::new() };
        properties.iter().map(|(name, schema)| Key { name, schema }).collect()
    }

    /// The schema of `key` in `block`, as the block's `properties` (or, for a map, its values)
    /// give it.
    pub fn key<'a>(&'a self, block: &'a Json, key: &str) -> Option<&'a Json> {
        block
            .get("properties")
            .and_then(|p| p.get(key))
            .or_else(|| block.get("additionalProperties").filter(|v| v.is_object()))
    }

    /// What a key's value is, in a few words: `integer`, `list of string`, `"a" | "b"`.
    pub fn describe_type(&self, schema: &Json) -> String {
        self.describe(schema, 0)
    }

    /// The key's documentation: its own, or that of what it refers to.
    pub fn description<'a>(&'a self, schema: &'a Json) -> Option<&'a str> {
        schema.get("description").and_then(Json::as_str).or_else(|| {
            let resolved = self.resolve(schema);
            (!std::ptr::eq(resolved, schema)).then(|| self.description(resolved)).flatten()
        })
    }

    /// `schema` with `$ref`s followed and an optional value (`anyOf` with `null`) unwrapped.
    fn resolve<'a>(&'a self, mut schema: &'a Json) -> &'a Json {
        // Bounded: a schema whose references form a cycle gives up instead of looping.
        for _ in 0..16 {
            if let Some(target) = schema.get("$ref").and_then(Json::as_str) {
                match target.strip_prefix('#').and_then(|pointer| self.root.pointer(pointer)) {
                    Some(found) => schema = found,
                    None => return schema,
                }
            } else if let Some(only) = single_non_null(schema) {
                schema = only;
            } else {
                return schema;
            }
        }
        schema
    }

    fn child<'a>(&'a self, block: &'a Json, key: &str) -> Option<&'a Json> {
        let schema = self.resolve(self.key(block, key)?);
        // A repeated node makes a list: its block is an item.
        Some(match schema.get("items") {
            Some(items) if is_type(schema, "array") => self.resolve(items),
            _ => schema,
        })
    }

    fn value_of_map<'a>(&'a self, schema: &'a Json) -> Option<&'a Json> {
        let values = schema.get("additionalProperties").filter(|v| v.is_object())?;
        schema.get("properties").is_none().then(|| self.resolve(values))
    }

    fn describe(&self, schema: &Json, depth: usize) -> String {
        let schema = self.resolve(schema);
        if depth > 3 {
            return "…".to_owned();
        }
        if let Some(values) = schema.get("enum").and_then(Json::as_array) {
            return values.iter().map(Json::to_string).collect::<Vec<_>>().join(" | ");
        }
        if let Some(value) = schema.get("const") {
            return value.to_string();
        }
        if let Some(variants) = schema.get("oneOf").or_else(|| schema.get("anyOf")).and_then(Json::as_array) {
            let described: Vec<String> =
                variants.iter().filter(|v| !is_null(v)).map(|v| self.describe(v, depth + 1)).collect();
            return described.join(" | ");
        }
        let types: Vec<&str> = match schema.get("type") {
            Some(Json::String(t)) => vec![t.as_str()],
            Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).filter(|t| *t != "null").collect(),
            _ => Vec::new(),
        };
        let described: Vec<String> = types
            .iter()
            .map(|&t| match t {
                "array" => match schema.get("items") {
                    Some(items) => format!("list of {}", self.describe(items, depth + 1)),
                    None => "list".to_owned(),
                },
                "object" if schema.get("properties").is_some() => "block".to_owned(),
                "object" => match schema.get("additionalProperties").filter(|v| v.is_object()) {
                    Some(values) => format!("map of {}", self.describe(values, depth + 1)),
                    None => "block".to_owned(),
                },
                other => other.to_owned(),
            })
            .collect();
        if described.is_empty() { "any value".to_owned() } else { described.join(" | ") }
    }
}

/// The one variant of `anyOf`/`oneOf` that is not `null`: how an `Option<T>` reads.
fn single_non_null(schema: &Json) -> Option<&Json> {
    let variants = schema.get("anyOf").or_else(|| schema.get("oneOf"))?.as_array()?;
    let mut non_null = variants.iter().filter(|v| !is_null(v));
    let only = non_null.next()?;
    (non_null.next().is_none() && variants.len() == 2).then_some(only)
}

fn is_null(schema: &Json) -> bool {
    schema.get("type").and_then(Json::as_str) == Some("null")
}

fn is_type(schema: &Json, name: &str) -> bool {
    match schema.get("type") {
        Some(Json::String(t)) => t == name,
        Some(Json::Array(ts)) => ts.iter().any(|t| t == name),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shaped as `schemars` 1 writes an nginx-like config.
    const SCHEMA: &str = r##"{
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "title": "Config", "type": "object",
      "properties": {
        "listen": { "description": "Port to listen on.", "type": ["integer", "null"], "format": "uint16" },
        "index": { "type": "array", "items": { "type": "string" } },
        "tls": { "description": "TLS termination.", "anyOf": [{ "$ref": "#/$defs/Tls" }, { "type": "null" }] },
        "location": { "type": "object", "additionalProperties": { "$ref": "#/$defs/Location" } },
        "balance": { "type": "string", "enum": ["round-robin", "least-conn"] }
      },
      "$defs": {
        "Tls": { "type": "object", "properties": { "certificate": { "description": "The certificate.", "type": "string" } } },
        "Location": { "description": "A location.", "type": "object", "properties": { "proxy": { "type": "string" } } }
      }
    }"##;

    fn step(key: &str, keyed: bool) -> Step {
        Step { key: key.to_owned(), keyed }
    }

    #[test]
    fn keys_along_blocks_and_maps() {
        let schema = Schema::parse(SCHEMA).expect("JSON");
        let top = schema.block(&[]).expect("root");
        let names: Vec<&str> = schema.keys(top).iter().map(|k| k.name).collect();
        assert_eq!(names, ["balance", "index", "listen", "location", "tls"]);
        let tls = schema.block(&[step("tls", false)]).expect("tls");
        assert_eq!(schema.keys(tls).iter().map(|k| k.name).collect::<Vec<_>>(), ["certificate"]);
        let location = schema.block(&[step("location", true)]).expect("location");
        assert_eq!(schema.keys(location).iter().map(|k| k.name).collect::<Vec<_>>(), ["proxy"]);
        assert!(schema.block(&[step("nothing", false)]).is_none());
    }

    #[test]
    fn types_and_descriptions() {
        let schema = Schema::parse(SCHEMA).expect("JSON");
        let top = schema.block(&[]).expect("root");
        let describe = |key| schema.describe_type(schema.key(top, key).expect(key));
        assert_eq!(describe("listen"), "integer");
        assert_eq!(describe("index"), "list of string");
        assert_eq!(describe("tls"), "block");
        assert_eq!(describe("location"), "map of block");
        assert_eq!(describe("balance"), "\"round-robin\" | \"least-conn\"");
        assert_eq!(schema.description(schema.key(top, "tls").expect("tls")), Some("TLS termination."));
        let location = schema.key(top, "location").expect("location");
        assert_eq!(schema.description(location), None);
        let tls = schema.block(&[step("tls", false)]).expect("tls");
        assert_eq!(schema.description(schema.key(tls, "certificate").expect("key")), Some("The certificate."));
    }
}
