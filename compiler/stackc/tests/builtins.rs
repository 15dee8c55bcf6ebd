//! Built-in plugins ship precompiled, and are deterministic: the same input, given twice,
//! yields the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use stackc::{Data, Limits, Loaded, Options, Plugins, SourceError, SourceLoader, compile};
use stackc_model::Sha256Digest;

#[test]
fn every_builtin_loads_from_precompiled_bytes() {
    let plugins = Plugins::builtin(Limits::default()).expect("built-ins load");
    let names = plugins.names();
    assert!(names.contains(&"nginx"), "{names:?}");
    for (name, loaded) in plugins.iter() {
        let loaded = loaded.unwrap_or_else(|e| panic!("`{name}` does not load: {e}"));
        assert_eq!(loaded.plugin.info().name, name, "the build-time name is the plugin's own");
        assert!(loaded.plugin.precompiled(), "`{name}` was compiled at run time");
        assert_eq!(loaded.origin, "builtin");
        let embedded = |b: &stackc_builtins::Builtin| Sha256Digest::from_bytes(b.digest) == loaded.plugin.digest();
        assert!(stackc_builtins::BUILTINS.iter().any(embedded), "`{name}` carries its embedded digest");
    }
}

#[test]
fn every_embedded_digest_is_its_components() {
    for builtin in stackc_builtins::BUILTINS {
        let digest = Sha256Digest::from_bytes(builtin.digest);
        assert_eq!(digest, Sha256Digest::of(builtin.component), "{}", builtin.crate_name);
    }
}

/// Reads the repository's stack files; `k8s.kdl` and `app.kdl` are written here.
struct Repository(PathBuf);

impl SourceLoader for Repository {
    fn load(&self, path: &str, from: Option<&str>) -> Result<Loaded, SourceError> {
        if let Some(text) = [("k8s.kdl", K8S), ("app.kdl", APP)].iter().find_map(|(n, t)| (*n == path).then_some(*t)) {
            return Ok(Loaded { key: path.to_owned(), name: path.to_owned(), text: text.to_owned() });
        }
        let name = from.and_then(|f| Path::new(f).parent()).unwrap_or(Path::new("")).join(path);
        let text = std::fs::read_to_string(self.0.join(&name)).map_err(|e| SourceError(e.to_string()))?;
        let name = name.to_string_lossy().into_owned();
        Ok(Loaded { key: name.clone(), name, text })
    }

    /// `(file)` values: a file, or every file under a directory (octopus's pages).
    fn load_data(&self, path: &str, from: &str, _root: &str) -> Result<Data, SourceError> {
        let base = self.0.join(Path::new(from).parent().unwrap_or(Path::new(""))).join(path);
        if base.is_file() {
            return std::fs::read(&base).map(Data::File).map_err(|e| SourceError(e.to_string()));
        }
        let mut files = Vec::new();
        let mut pending = vec![base.clone()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).map_err(|e| SourceError(e.to_string()))? {
                let path = entry.map_err(|e| SourceError(e.to_string()))?.path();
                if path.is_dir() {
                    pending.push(path);
                } else {
                    let relative =
                        path.strip_prefix(&base).expect("under the directory").to_string_lossy().into_owned();
                    files.push((relative, std::fs::read(&path).map_err(|e| SourceError(e.to_string()))?));
                }
            }
        }
        files.sort();
        Ok(Data::Dir(files))
    }
}

/// The one built-in no repository stack uses.
const K8S: &str = r#"stack "k8s"
secret "db-password" vault="vault_db_password"
service "api" plugin="k8s" {
    namespace "apps"
    image "registry.example.org/api:1.4.2"
    ports {
        http 8080
    }
    env {
        DB_PASSWORD (secret)"db-password"
    }
    files "/etc/api" {
        "api.toml" "workers = 4\n"
    }
    ingress {
        host "api.example.org"
    }
}
"#;

/// The `app` plugin on hosts with its pipeline, and in a Compose project, with the api-ha
/// API as its source (read from the repository's root, where this stack stands).
const APP: &str = r#"stack "app"
host "api1" address="10.30.0.21"
compose "shop"
service "api" plugin="app" on="api1" {
    source (file)"stacks/api-ha/api"
    metrics "/metrics"
    image "registry.gitlab.com/acme/api-ha/api"
    pipeline {
        stack-file "stacks/api-ha.kdl"
    }
}
service "web" plugin="app" on="shop" {
    source (file)"stacks/api-ha/api"
}
"#;

#[test]
fn every_builtin_renders_the_same_bytes_twice() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let loader = Repository(workspace.clone());
    let mut stacks: Vec<String> = std::fs::read_dir(workspace.join("stacks"))
        .expect("stacks/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".kdl"))
        .map(|n| format!("stacks/{n}"))
        .collect();
    stacks.sort();
    stacks.push("k8s.kdl".to_owned());
    stacks.push("app.kdl".to_owned());
    // The load balancers' test stack, the one user of `haproxy` and `keepalived`.
    stacks.push("compiler/stackc-cli/tests/fixtures/balancer/stack.kdl".to_owned());
    // The service-level monitoring test stack, the one user of `blackbox`.
    stacks.push("compiler/stackc-cli/tests/fixtures/slo/stack.kdl".to_owned());
    // The machines' test stack, the one user of `opennebula` and `kubespray` until a stack of
    // `stacks/` uses them.
    stacks.push("compiler/stackc-cli/tests/fixtures/machines/stack.kdl".to_owned());

    let mut used = BTreeSet::new();
    for stack in &stacks {
        // Two engines and two sets of instances: nothing carries over between the runs.
        let runs: Vec<BTreeMap<String, Vec<u8>>> = (0..2)
            .map(|_| {
                let plugins = Plugins::builtin(Limits::default()).expect("built-ins load");
                let compilation = compile(
                    &Options { root: stack, values: &[], overrides: &[], render_cache: None, progress: None },
                    &loader,
                    &plugins,
                );
                assert!(!compilation.diagnostics.has_errors(), "{stack}: {:#?}", compilation.diagnostics);
                used.extend(compilation.plugins.iter().map(|p| p.pin.name.clone()));
                let bundle = compilation.bundle.expect("a bundle");
                bundle.files.into_iter().map(|f| (f.path, f.contents)).collect()
            })
            .collect();
        assert!(runs[0] == runs[1], "{stack}: two runs, different bytes");
    }
    let builtins = Plugins::builtin(Limits::default()).expect("built-ins load");
    let missing: Vec<&str> = builtins.names().into_iter().filter(|n| !used.contains(*n)).collect();
    assert!(missing.is_empty(), "no stack exercises {missing:?}");
}
