//! `stackc check`: everything `build` does but writing.

use super::{ExitStatus, compile, load_plugins};
use crate::args::StackArgs;

pub fn run(args: &StackArgs) -> ExitStatus {
    let plugins = match load_plugins() {
        Ok(plugins) => plugins,
        Err(status) => return status,
    };
    match compile(args, &plugins) {
        Ok(compilation) => {
            let bundle = compilation.bundle.expect("no errors means a bundle");
            println!(
                "stack `{}` is valid: {} services, {} files, root {}",
                bundle.stack,
                bundle.manifest.services.len(),
                bundle.manifest.files.len(),
                bundle.root()
            );
            ExitStatus::Success
        }
        Err(status) => status,
    }
}
