//! A plugin built against `stackc:plugin@0.3.0` with `wit-bindgen` alone, as plugins released
//! before 0.4.0 were (the SDK now builds against the newest version): the host must still
//! load it and call it, and its endpoints, which 0.3.0 could not place in the cluster, have no
//! Kubernetes Service.
//!
//! `render` writes `/etc/previous` holding its service name and config, owned by the
//! `previous` account it makes; in the cluster it renders a ConfigMap instead. A config with
//! `"fail"` in it is refused with an error at `["greeting"]`.

wit_bindgen::generate!({
    path: "../../../../plugins/stackc-plugin-sdk/wit/since_v0.3.0",
    world: "plugin",
});

use exports::stackc::plugin::service_plugin::Guest;
use stackc::plugin::types::{
    Account, Artifact, ConfigDiagnostic, DiagnosticTarget, Endpoint, EndpointRole, Exports, ExposeInput, HostFile,
    KubeObject, PluginInfo, RenderInput,
};

// Natively (`cargo test --workspace` builds every member for the host) nothing exports it.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Previous;

impl Guest for Previous {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "previous".to_owned(),
            version: "0.3.0".to_owned(),
            summary: "a plugin built against WIT 0.3.0".to_owned(),
            config_schema: "{}".to_owned(),
            wants_stack_endpoints: false,
        }
    }

    fn expose(_: ExposeInput) -> Result<Exports, Vec<ConfigDiagnostic>> {
        let http = Endpoint {
            name: "http".to_owned(),
            port: 8080,
            protocol: "http".to_owned(),
            path: "/".to_owned(),
            role: EndpointRole::Service,
        };
        Ok(Exports { endpoints: vec![http], facts: Vec::new() })
    }

    fn render(input: RenderInput) -> Result<Vec<Artifact>, Vec<ConfigDiagnostic>> {
        if input.config.contains("\"fail\"") {
            return Err(vec![ConfigDiagnostic {
                message: "the previous plugin refuses this greeting".to_owned(),
                path: vec!["greeting".to_owned()],
                target: DiagnosticTarget::Value,
                help: Some("greet otherwise".to_owned()),
            }]);
        }
        if input.hosts.is_empty() && input.compose_project.is_none() {
            let yaml = format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\n  namespace: apps\ndata:\n  greeting: hello\n",
                input.service
            );
            return Ok(vec![Artifact::KubeObject(KubeObject { name: "configmap".to_owned(), yaml })]);
        }
        let contents = format!("{} {}\n", input.service, input.config).into_bytes();
        Ok(vec![
            Artifact::Account(Account {
                name: "previous".to_owned(),
                groups: Vec::new(),
                authorized_keys: Vec::new(),
                shell: "/bin/bash".to_owned(),
            }),
            Artifact::HostFile(HostFile {
                host: None,
                path: "/etc/previous".to_owned(),
                contents,
                mode: 0o640,
                owner: Some("previous".to_owned()),
                group: None,
            }),
        ])
    }
}

// Component exports exist only in the wasm build: a native linker cannot take their names.
#[cfg(target_arch = "wasm32")]
export!(Previous);
