//! Service configs as the JSON plugins receive, and plugin-reported paths back to spans.

use serde_json::{Map as JsonMap, Value as Json, json};
use stackc_diag::Span;
use stackc_model::{PlacedEndpoint, Reference, Value, ValueKind};

/// How references appear in the JSON.
pub(crate) enum Refs<'a> {
    /// During expose: names only.
    Unresolved,
    /// During render: resolved by this function.
    Resolved(&'a dyn Fn(&Reference) -> Json),
}

pub(crate) fn to_json(value: &Value, refs: &Refs<'_>) -> Json {
    match &value.kind {
        ValueKind::Null => Json::Null,
        ValueKind::Bool(b) => Json::Bool(*b),
        ValueKind::Int(i) => Json::from(*i),
        ValueKind::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        ValueKind::String(s) => Json::String(s.clone()),
        ValueKind::List(items) => Json::Array(items.iter().map(|v| to_json(v, refs)).collect()),
        ValueKind::Map(map) => Json::Object(
            map.entries.iter().map(|(k, e)| (k.clone(), to_json(&e.value, refs))).collect::<JsonMap<_, _>>(),
        ),
        ValueKind::Ref(r) => match refs {
            Refs::Unresolved => reference_json(r, &[], None),
            Refs::Resolved(resolve) => resolve(r),
        },
        ValueKind::Secret(name) => json!({ "$secret": name.value }),
    }
}

/// A reference as plugins see it (the SDK's `Ref`).
pub(crate) fn reference_json(r: &Reference, endpoints: &[PlacedEndpoint], fact: Option<&str>) -> Json {
    let mut object = json!({
        "$ref": format!("{}.{}", r.service, r.export),
        "service": r.service,
        "export": r.export,
        "endpoints": endpoints.iter().map(endpoint_json).collect::<Vec<_>>(),
    });
    if let Some(fact) = fact {
        object["value"] = Json::String(fact.to_owned());
    }
    object
}

pub(crate) fn endpoint_json(e: &PlacedEndpoint) -> Json {
    let mut object = json!({
        "service": e.service,
        "host": e.host,
        "address": e.address,
        "name": e.endpoint.name,
        "port": e.endpoint.port,
        "protocol": e.endpoint.protocol,
        "path": e.endpoint.path,
        "role": e.endpoint.role.name(),
    });
    // Only where there is one: the input of a plugin that references no service in the
    // cluster stays what it was.
    if let Some(port) = &e.endpoint.in_cluster {
        object["in_cluster"] = json!({
            "namespace": port.namespace,
            "service": port.service,
            "port_name": port.port_name,
        });
    }
    object
}

/// The span a plugin's config path leads to: the key or the value of the deepest node the
/// path reaches. `None` when the path leaves the config at once (the caller then points at
/// the service).
pub(crate) fn span_of(config: &Value, path: &[String], want_key: bool) -> Option<Span> {
    let mut current = config;
    let mut key_span = None;
    for segment in path {
        let next = match &current.kind {
            ValueKind::Map(map) => map.entries.get(segment).map(|e| (e.key_span, &e.value)),
            ValueKind::List(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)).map(|v| (v.span, v)),
            // A single value where the plugin expected a list: index 0 is the value itself.
            _ if segment == "0" => Some((current.span, current)),
            _ => None,
        };
        match next {
            Some((k, v)) => {
                key_span = Some(k);
                current = v;
            }
            // The path goes deeper than the config (a missing key): point at what exists.
            None => return key_span,
        }
    }
    if want_key { key_span } else { Some(current.span).filter(|_| key_span.is_some()) }
}
