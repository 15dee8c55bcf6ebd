//! The WIT records that have a model type of their own, converted field by field: what a
//! plugin says about itself, its exports, and its config problems. Artifacts need no
//! conversion: the model's artifact types are the generated ones (see `lib.rs`).

use stackc_model as model;

use crate::bindings::stackc::plugin::types as wit;
use crate::error::{ConfigProblem, ProblemTarget};
use crate::plugin::PluginInfo;

pub(crate) fn plugin_info(info: wit::PluginInfo) -> PluginInfo {
    PluginInfo {
        name: info.name,
        version: info.version,
        summary: info.summary,
        config_schema: info.config_schema,
        wants_stack_endpoints: info.wants_stack_endpoints,
    }
}

pub(crate) fn exports(exports: wit::Exports) -> model::Exports {
    model::Exports {
        endpoints: exports
            .endpoints
            .into_iter()
            .map(|e| model::Endpoint {
                name: e.name,
                port: e.port,
                protocol: e.protocol,
                path: e.path,
                role: match e.role {
                    wit::EndpointRole::Service => model::EndpointRole::Service,
                    wit::EndpointRole::Metrics => model::EndpointRole::Metrics,
                    wit::EndpointRole::Status => model::EndpointRole::Status,
                    wit::EndpointRole::Peer => model::EndpointRole::Peer,
                },
                in_cluster: e.in_cluster.map(|p| model::ServicePort {
                    namespace: p.namespace,
                    service: p.service,
                    port_name: p.port_name,
                }),
            })
            .collect(),
        facts: exports.facts.into_iter().map(|f| model::Fact { name: f.name, value: f.value }).collect(),
    }
}

pub(crate) fn problems(problems: Vec<wit::ConfigDiagnostic>) -> Vec<ConfigProblem> {
    problems
        .into_iter()
        .map(|p| ConfigProblem {
            message: p.message,
            path: p.path,
            target: match p.target {
                wit::DiagnosticTarget::Key => ProblemTarget::Key,
                wit::DiagnosticTarget::Value => ProblemTarget::Value,
            },
            help: p.help,
        })
        .collect()
}
