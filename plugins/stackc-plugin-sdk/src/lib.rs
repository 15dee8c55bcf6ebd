//! Write stackc service plugins in Rust.
//!
//! A plugin turns one service's config into artifacts: files on hosts, packages, processes,
//! Kubernetes objects, Helm releases. It is compiled to a WebAssembly component and run by
//! stackc in a sandbox with no filesystem, network, environment, clock or randomness, so it
//! must be a pure function of its input.
//!
//! A plugin is four things:
//!
//! 1. a config struct that derives [`Deserialize`](serde::Deserialize) and
//!    [`JsonSchema`](schemars::JsonSchema) (`#[serde(deny_unknown_fields, rename_all =
//!    "kebab-case")]` makes misspelled keys errors that point at the stack file);
//! 2. [`Plugin::expose`]: what the service offers others (endpoints, facts), from config alone;
//! 3. [`Plugin::render`]: the artifacts, usually through [`Templates`] from `templates/*.hbs`
//!    (kept in a `static` that [`Plugin::templates`] returns, so they are parsed once);
//! 4. [`register_plugin!`] to export it.
//!
//! ```
//! use stackc_plugin_sdk::schemars::JsonSchema;
//! use stackc_plugin_sdk::serde::Deserialize;
//! use stackc_plugin_sdk::{Artifact, ConfigError, Plugin, RenderContext, register_plugin};
//!
//! #[derive(Deserialize, JsonSchema)]
//! #[serde(crate = "stackc_plugin_sdk::serde", deny_unknown_fields, rename_all = "kebab-case")]
//! #[schemars(crate = "stackc_plugin_sdk::schemars")]
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
//! Render logic is ordinary Rust: test it natively with [`testing`] and `cargo test`.

mod config;
mod error;
#[doc(hidden)]
pub mod glue;
pub mod kube;
mod plugin;
mod templates;
pub mod testing;
mod types;

pub use config::{Ref, SecretRef, one_or_many};
pub use error::{ConfigError, Target};
pub use plugin::Plugin;
pub use templates::Templates;
pub use types::{
    AptRepository, Artifact, BundleFile, CommandCheck, Endpoint, EndpointRole, Exports, Fact, HelmRelease, HostFile,
    HostInfo, HttpCheck, KubeObject, KubeSecret, PlacedEndpoint, Process, RenderContext, SecretFile, Supervisor,
    SystemService,
};

/// Re-exported so plugins need no direct dependency to derive their config.
pub use schemars;
pub use serde;
pub use serde_json;

/// The WIT package version this SDK implements.
pub const WIT_VERSION: &str = "0.1.0";

/// Generated bindings. Not part of the API: use the types re-exported above.
#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "wit/since_v0.1.0",
        world: "plugin",
        pub_export_macro: true,
        export_macro_name: "__export_plugin",
        default_bindings_module: "stackc_plugin_sdk::bindings",
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
