//! `services/<service>/…`: files a plugin puts in the bundle outside every host tree (tests,
//! documentation), under the name of the service that produced them.

use stackc_bundle::{File, Producer};
use stackc_model::Stack;
use stackc_plugin_host::Artifact;

use crate::Rendered;

pub(crate) fn emit(stack: &Stack, rendered: &[Rendered]) -> Vec<File> {
    let mut files = Vec::new();
    for r in rendered {
        let name = &stack.services[r.service].name.value;
        for artifact in &r.artifacts {
            if let Artifact::BundleFile(f) = artifact {
                files.push(File {
                    path: format!("services/{name}/{}", f.path),
                    mode: f.mode,
                    contents: f.contents.clone(),
                    producer: Producer::Services(vec![name.clone()]),
                });
            }
        }
    }
    files
}
