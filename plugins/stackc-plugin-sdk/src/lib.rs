//! Write stackc service plugins in Rust.
//!
//! A plugin turns one service's config into artifacts: files on hosts, packages, processes,
//! Kubernetes objects, Helm releases. It is compiled to a WebAssembly component and run by
//! stackc in a sandbox with no filesystem, network, environment, clock or randomness, so it
//! must be a pure function of its input.
//!
//! A plugin is:
//!
//! 1. a config struct that derives [`Deserialize`](serde::Deserialize) and
//!    [`JsonSchema`](schemars::JsonSchema) (`#[serde(deny_unknown_fields, rename_all =
//!    "kebab-case")]` makes misspelled keys errors that point at the stack file);
//! 2. [`Plugin::expose`]: what the service offers others (endpoints, facts), from config alone;
//! 3. [`Plugin::check`]: every problem with the config, each at its config path;
//! 4. [`Plugin::render`]: the artifacts, usually through [`Templates`] from `templates/*.hbs`
//!    (kept in a `static` that [`Plugin::templates`] returns, so they are parsed once);
//! 5. [`register_plugin!`] to export it.
//!
//! ```
//! use schemars::JsonSchema;
//! use serde::Deserialize;
//! use stackc_plugin_sdk::{Artifact, ConfigError, Plugin, RenderContext, register_plugin};
//!
//! #[derive(Deserialize, JsonSchema)]
//! #[serde(deny_unknown_fields, rename_all = "kebab-case")]
//! pub struct Config {
//!     greeting: String,
//! }
//!
//! pub struct Hello;
//!
//! impl Plugin for Hello {
//!     type Config = Config;
//!     const NAME: &'static str = "hello";
//!     const VERSION: &'static str = "0.1.0";
//!     const SUMMARY: &'static str = "writes a greeting";
//!     fn render(config: &Config, _: &RenderContext) -> Result<Vec<Artifact>, Vec<ConfigError>> {
//!         Ok(vec![Artifact::host_file("/etc/hello", config.greeting.clone())])
//!     }
//! }
//!
//! register_plugin!(Hello);
//!
//! // Natively, the same plugin runs through `testing`:
//! let json = stackc_plugin_sdk::serde_json::json!({"greeting": "hi"});
//! let context = stackc_plugin_sdk::testing::context("hello", &[("h1", "10.0.0.1")]);
//! let artifacts = stackc_plugin_sdk::testing::render::<Hello>(&json, &context).unwrap();
//! assert_eq!(stackc_plugin_sdk::testing::host_file(&artifacts, "h1", "/etc/hello"), "hi");
//! ```
//!
//! Plugins depend on `serde` 1 and `schemars` 1 themselves, as any crate deriving their traits
//! does (derives name their crate, so a re-export would need `#[serde(crate = …)]` on every
//! one); the SDK's [`Plugin::Config`] bound names the same major versions.
//!
//! # One definition of the WIT types
//!
//! The records plugins return ([`Artifact`] and its kinds, [`Exports`], [`ConfigError`]) are
//! the ones `wit-bindgen` generates from `wit/`, re-exported here by name, with constructors
//! as inherent methods ([`HostFile::new`], [`Endpoint::http`], …). Nothing converts them on
//! the way out. Artifact records are `#[non_exhaustive]`: plugins build them through their
//! constructor, so a field added to the WIT is set in that one constructor and no plugin
//! changes.
//!
//! Render logic is ordinary Rust: test it natively with [`testing`] and `cargo test`.

mod artifact;
mod config;
mod context;
pub mod digest;
pub mod duration;
mod endpoint;
mod error;
#[doc(hidden)]
pub mod glue;
pub mod kube;
mod plugin;
mod templates;
pub mod testing;

// Explicit, so that the API is what is listed here and not whatever the WIT generates.
pub use bindings::stackc::plugin::types::{
    Account, AptRepository, Artifact, BundleFile, CommandCheck, ConfigDiagnostic as ConfigError, Container,
    ContainerFile, DiagnosticTarget as Target, Endpoint, EndpointRole, Exports, Fact, Healthcheck, HelmRelease,
    HostFile, HostInfo, HttpCheck, ImageBuild, KubeObject, KubeSecret, Network, Process, PublishedPort, RestartPolicy,
    SecretFile, ServicePort, Supervisor, SystemService, TrafficGate, Volume, VolumeMount,
};
pub use config::{Ref, SecretRef, one_or_many, one_or_many_schema};
pub use context::{ExposeContext, RenderContext};
pub use endpoint::{PlacedEndpoint, authority};
pub use plugin::Plugin;
pub use templates::Templates;

/// Re-exported because [`testing`] takes and builds `serde_json::Value`s.
pub use serde_json;

/// The WIT package version this SDK implements.
pub const WIT_VERSION: &str = "0.4.0";

/// Generated bindings. Not part of the API: use the types re-exported above.
#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "wit/since_v0.4.0",
        world: "plugin",
        pub_export_macro: true,
        export_macro_name: "__export_plugin",
        default_bindings_module: "stackc_plugin_sdk::bindings",
        additional_derives: [PartialEq, Eq],
        additional_type_attributes: {
            "stackc:plugin/types@0.4.0/exports": [#[derive(Default)]],
            // Placed endpoints reach plugins as JSON, roles by their WIT names.
            "stackc:plugin/types@0.4.0/endpoint-role": [
                #[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
                #[serde(rename_all = "kebab-case")]
            ],
            // And the Service port of an endpoint in the cluster, by its Rust field names.
            "stackc:plugin/types@0.4.0/service-port": [
                #[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
            ],
            "stackc:plugin/types@0.4.0/artifact": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/host-file": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/secret-file": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/apt-repository": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/system-service": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/process": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/http-check": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/command-check": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/bundle-file": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/kube-object": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/kube-secret": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/helm-release": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/container": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/container-file": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/published-port": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/volume-mount": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/healthcheck": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/image-build": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/network": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/volume": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/account": [#[non_exhaustive]],
            "stackc:plugin/types@0.4.0/traffic-gate": [#[non_exhaustive]],
        },
    });
}

/// Exports a [`Plugin`] implementation as the component's `service-plugin` interface.
#[macro_export]
macro_rules! register_plugin {
    ($plugin:ty) => {
        #[doc(hidden)]
        pub struct __StackcPluginExport;

        impl $crate::bindings::exports::stackc::plugin::service_plugin::Guest for __StackcPluginExport {
            fn describe() -> $crate::bindings::exports::stackc::plugin::service_plugin::PluginInfo {
                $crate::glue::describe::<$plugin>()
            }

            fn expose(
                input: $crate::bindings::exports::stackc::plugin::service_plugin::ExposeInput,
            ) -> ::std::result::Result<
                $crate::bindings::exports::stackc::plugin::service_plugin::Exports,
                ::std::vec::Vec<$crate::bindings::exports::stackc::plugin::service_plugin::ConfigDiagnostic>,
            > {
                $crate::glue::expose::<$plugin>(input)
            }

            fn render(
                input: $crate::bindings::exports::stackc::plugin::service_plugin::RenderInput,
            ) -> ::std::result::Result<
                ::std::vec::Vec<$crate::bindings::exports::stackc::plugin::service_plugin::Artifact>,
                ::std::vec::Vec<$crate::bindings::exports::stackc::plugin::service_plugin::ConfigDiagnostic>,
            > {
                $crate::glue::render::<$plugin>(input)
            }
        }

        // Component exports exist only in the wasm build; native builds (unit tests) would
        // hand the linker symbol names it cannot take.
        #[cfg(target_arch = "wasm32")]
        $crate::bindings::__export_plugin!(__StackcPluginExport with_types_in $crate::bindings);

        /// Run once when the plugin is built, before its memory is snapshotted into the
        /// component (see `Templates`); the build removes this export afterwards.
        #[cfg(target_arch = "wasm32")]
        #[unsafe(export_name = "stackc-preinitialize")]
        pub extern "C" fn __stackc_preinitialize() {
            $crate::glue::preinitialize::<$plugin>();
        }
    };
}
