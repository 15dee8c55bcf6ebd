//! `hosts/<host>/…`: every host's files, laid out as they land on the machine.

use stackc_bundle::{File, Producer};

use crate::plan::Plan;

pub(crate) fn emit(plan: &Plan<'_>) -> Vec<File> {
    let mut files = Vec::new();
    for (host, tree) in &plan.host_files {
        for (path, file) in tree {
            let mut services: Vec<String> = file.services.iter().map(|s| (*s).to_owned()).collect();
            services.sort();
            services.dedup();
            files.push(File {
                path: format!("hosts/{host}{path}"),
                mode: file.mode,
                contents: file.contents.to_vec(),
                producer: Producer::Services(services),
            });
        }
    }
    files
}
