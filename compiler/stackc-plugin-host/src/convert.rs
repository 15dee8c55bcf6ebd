//! WIT types to model types, checking what plugins return on the way.

use std::collections::BTreeSet;

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

/// Converts artifacts, refusing paths that could escape their place in the bundle or on the
/// host, duplicates, and output beyond `max_bytes`.
pub(crate) fn artifacts(artifacts: Vec<wit::Artifact>, max_bytes: usize) -> Result<Vec<model::Artifact>, String> {
    let mut total = 0usize;
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let mut out = Vec::with_capacity(artifacts.len());
    for artifact in artifacts {
        let converted = match artifact {
            wit::Artifact::HostFile(f) => {
                check_host_path(&f.path)?;
                check_mode(f.mode)?;
                total += f.contents.len();
                unique(&mut seen, f.host.as_deref().unwrap_or("*"), &f.path)?;
                model::Artifact::HostFile(model::HostFile {
                    host: f.host,
                    path: f.path,
                    contents: f.contents,
                    mode: f.mode,
                })
            }
            wit::Artifact::SecretFile(f) => {
                check_host_path(&f.path)?;
                check_mode(f.mode)?;
                unique(&mut seen, "*", &f.path)?;
                model::Artifact::SecretFile(model::SecretFile { path: f.path, secret: f.secret, mode: f.mode })
            }
            wit::Artifact::BundleFile(f) => {
                check_relative_path(&f.path)?;
                check_mode(f.mode)?;
                total += f.contents.len();
                unique(&mut seen, "bundle", &f.path)?;
                model::Artifact::BundleFile(model::BundleFile { path: f.path, contents: f.contents, mode: f.mode })
            }
            wit::Artifact::Package(p) => model::Artifact::Package(p),
            wit::Artifact::AptRepository(r) => model::Artifact::AptRepository(model::AptRepository {
                name: r.name,
                uris: r.uris,
                suites: r.suites,
                components: r.components,
                signed_by: r.signed_by,
            }),
            wit::Artifact::SystemService(s) => {
                model::Artifact::SystemService(model::SystemService { name: s.name, reload: s.reload })
            }
            wit::Artifact::Process(p) => model::Artifact::Process(model::Process {
                name: p.name,
                command: p.command,
                user: p.user,
                working_directory: p.working_directory,
                environment: p.environment,
                supervisor: match p.supervisor {
                    wit::Supervisor::Systemd => model::Supervisor::Systemd,
                    wit::Supervisor::Daemontools => model::Supervisor::Daemontools,
                },
                log_files: p.log_files,
                log_max_bytes: p.log_max_bytes,
            }),
            wit::Artifact::HttpCheck(c) => model::Artifact::HttpCheck(model::HttpCheck {
                name: c.name,
                url: c.url,
                status: c.status,
                insecure: c.insecure,
            }),
            wit::Artifact::CommandCheck(c) => {
                model::Artifact::CommandCheck(model::CommandCheck { name: c.name, command: c.command })
            }
            wit::Artifact::KubeObject(o) => {
                check_relative_path(&o.name)?;
                total += o.yaml.len();
                model::Artifact::KubeObject(model::KubeObject { name: o.name, yaml: o.yaml })
            }
            wit::Artifact::KubeSecret(s) => {
                check_relative_path(&s.name)?;
                model::Artifact::KubeSecret(model::KubeSecret {
                    name: s.name,
                    namespace: s.namespace,
                    entries: s.entries,
                })
            }
            wit::Artifact::HelmRelease(r) => {
                check_relative_path(&r.name)?;
                total += r.values.len();
                model::Artifact::HelmRelease(model::HelmRelease {
                    name: r.name,
                    chart: r.chart,
                    repository: r.repository,
                    version: r.version,
                    namespace: r.namespace,
                    values: r.values,
                })
            }
        };
        if total > max_bytes {
            return Err(format!("returned more than {} MiB of output", max_bytes >> 20));
        }
        out.push(converted);
    }
    Ok(out)
}

fn unique(seen: &mut BTreeSet<(String, String)>, scope: &str, path: &str) -> Result<(), String> {
    if seen.insert((scope.to_owned(), path.to_owned())) {
        Ok(())
    } else {
        Err(format!("returned two artifacts for `{path}`"))
    }
}

fn check_mode(mode: u32) -> Result<(), String> {
    if mode & !0o7777 == 0 { Ok(()) } else { Err(format!("returned an invalid file mode {mode:o}")) }
}

/// Host paths are absolute and normal: no `..`, `.`, empty segments, NUL or backslash.
fn check_host_path(path: &str) -> Result<(), String> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err(format!("returned host path `{}`, which is not absolute", printable(path)));
    };
    check_segments(rest).map_err(|why| format!("returned host path `{}`, which {why}", printable(path)))
}

/// Bundle paths are relative and normal.
fn check_relative_path(path: &str) -> Result<(), String> {
    if path.starts_with('/') {
        return Err(format!("returned absolute path `{}` where a relative one belongs", printable(path)));
    }
    check_segments(path).map_err(|why| format!("returned path `{}`, which {why}", printable(path)))
}

fn check_segments(path: &str) -> Result<(), &'static str> {
    if path.contains('\0') {
        return Err("contains NUL");
    }
    if path.contains('\\') {
        return Err("contains a backslash");
    }
    if path.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
        return Err("has an empty, `.` or `..` segment");
    }
    Ok(())
}

/// Paths in messages, with control characters escaped.
fn printable(path: &str) -> String {
    path.escape_debug().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_paths() {
        assert!(check_host_path("/etc/nginx/nginx.conf").is_ok());
        for bad in ["etc/x", "/etc/../x", "/etc//x", "/etc/./x", "/a\0b", "/a\\b", "/"] {
            assert!(check_host_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn relative_paths() {
        assert!(check_relative_path("rules/alerts.yml").is_ok());
        for bad in ["/abs", "../up", "a/../../b", "", "a\\b"] {
            assert!(check_relative_path(bad).is_err(), "{bad:?}");
        }
    }
}
