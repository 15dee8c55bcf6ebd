//! `stackc schema PLUGIN`: the JSON Schema of a plugin's config, as the plugin describes it.

use crate::args::SchemaArgs;
use crate::commands::{ExitStatus, config_schema, load_plugins, plugin_named};

pub fn run(args: &SchemaArgs) -> ExitStatus {
    let mut plugins = match load_plugins() {
        Ok(plugins) => plugins,
        Err(status) => return status,
    };
    let info = match plugin_named(&mut plugins, &args.plugin) {
        Ok(info) => info,
        Err(status) => return status,
    };
    match config_schema(&info) {
        Ok(schema) => {
            crate::stdout::print(&(serde_json::to_string_pretty(&schema).expect("a JSON value serializes") + "\n"));
            ExitStatus::Success
        }
        Err(status) => status,
    }
}
