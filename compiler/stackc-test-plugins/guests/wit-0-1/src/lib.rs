//! A plugin built against `stackc:plugin@0.1.0` with `wit-bindgen` alone, as plugins released
//! before 0.2.0 were (the SDK now builds against the newest version): the host must still
//! load it, call it and take its artifacts.
//!
//! `render` writes `/etc/old` holding its service name and config, and asks for a package;
//! a config with `"fail"` in it is refused with an error at `["greeting"]`.

wit_bindgen::generate!({
    path: "../../../../plugins/stackc-plugin-sdk/wit/since_v0.1.0",
    world: "plugin",
});

use exports::stackc::plugin::service_plugin::Guest;
use stackc::plugin::types::{
    Artifact, ConfigDiagnostic, DiagnosticTarget, Endpoint, EndpointRole, Exports, ExposeInput, HostFile, PluginInfo,
    RenderInput,
};

// Natively (`cargo test --workspace` builds every member for the host) nothing exports it.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Old;

impl Guest for Old {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "old".to_owned(),
            version: "0.1.0".to_owned(),
            summary: "a plugin built against WIT 0.1.0".to_owned(),
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
                message: "the old plugin refuses this greeting".to_owned(),
                path: vec!["greeting".to_owned()],
                target: DiagnosticTarget::Value,
                help: Some("greet otherwise".to_owned()),
            }]);
        }
        let contents = format!("{} {}\n", input.service, input.config).into_bytes();
        Ok(vec![
            Artifact::HostFile(HostFile { host: None, path: "/etc/old".to_owned(), contents, mode: 0o644 }),
            Artifact::Package("old-package".to_owned()),
        ])
    }
}

// Component exports exist only in the wasm build: a native linker cannot take their names.
#[cfg(target_arch = "wasm32")]
export!(Old);
