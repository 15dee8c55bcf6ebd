//! `stackc check`: everything `build` does but writing, for one stack or several.

use super::{ExitStatus, compile, load_plugins};
use crate::args::{CheckArgs, StackArgs};
use crate::wording::count;

pub fn run(args: &CheckArgs, quiet: bool) -> ExitStatus {
    let plugins = match load_plugins() {
        Ok(plugins) => plugins,
        Err(status) => return status,
    };
    // Every stack is checked, whatever the earlier ones gave; the worst outcome is the status.
    let mut status = ExitStatus::Success;
    for stack in &args.stacks {
        let stack_args = StackArgs {
            stack: stack.clone(),
            params: args.params.clone(),
            deny: args.deny.clone(),
            format: args.format,
        };
        match compile(&stack_args, &plugins) {
            Ok(compilation) => {
                let bundle = compilation.bundle.expect("no errors means a bundle");
                if !quiet {
                    outln!(
                        "stack `{}` is valid: {}, {}, root {}",
                        bundle.stack,
                        count(bundle.manifest.services.len(), "service"),
                        count(bundle.manifest.files.len(), "file"),
                        bundle.root()
                    );
                }
            }
            Err(failure) => status = status.max(failure),
        }
    }
    status
}
