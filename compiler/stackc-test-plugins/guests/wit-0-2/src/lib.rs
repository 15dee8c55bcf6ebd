//! A plugin built against `stackc:plugin@0.2.0` with `wit-bindgen` alone, as plugins released
//! before 0.3.0 were (the SDK now builds against the newest version): the host must still
//! load it, call it and take its artifacts, which 0.3.0 gave owners.
//!
//! `render` writes `/etc/older` holding its service name and config, and a secret file; in a
//! Compose project it runs a container instead. A config with `"fail"` in it is refused with
//! an error at `["greeting"]`.

wit_bindgen::generate!({
    path: "../../../../plugins/stackc-plugin-sdk/wit/since_v0.2.0",
    world: "plugin",
});

use exports::stackc::plugin::service_plugin::Guest;
use stackc::plugin::types::{
    Artifact, ConfigDiagnostic, Container, DiagnosticTarget, Endpoint, EndpointRole, Exports, ExposeInput, HostFile,
    PluginInfo, RenderInput, RestartPolicy, SecretFile,
};

// Natively (`cargo test --workspace` builds every member for the host) nothing exports it.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Older;

impl Guest for Older {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "older".to_owned(),
            version: "0.2.0".to_owned(),
            summary: "a plugin built against WIT 0.2.0".to_owned(),
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
                message: "the older plugin refuses this greeting".to_owned(),
                path: vec!["greeting".to_owned()],
                target: DiagnosticTarget::Value,
                help: Some("greet otherwise".to_owned()),
            }]);
        }
        let secret = SecretFile { path: "/etc/older.key".to_owned(), secret: "key".to_owned(), mode: 0o600 };
        if input.compose_project.is_some() {
            return Ok(vec![Artifact::Container(Container {
                name: input.service,
                image: "busybox:1.36".to_owned(),
                build: None,
                entrypoint: Vec::new(),
                command: vec!["sleep".to_owned(), "infinity".to_owned()],
                environment: Vec::new(),
                secret_environment: Vec::new(),
                files: Vec::new(),
                secret_files: vec![secret],
                user: "65534".to_owned(),
                ports: Vec::new(),
                volumes: Vec::new(),
                networks: Vec::new(),
                healthcheck: None,
                restart: RestartPolicy::UnlessStopped,
            })]);
        }
        let contents = format!("{} {}\n", input.service, input.config).into_bytes();
        Ok(vec![
            Artifact::HostFile(HostFile { host: None, path: "/etc/older".to_owned(), contents, mode: 0o640 }),
            Artifact::SecretFile(secret),
        ])
    }
}

// Component exports exist only in the wasm build: a native linker cannot take their names.
#[cfg(target_arch = "wasm32")]
export!(Older);
