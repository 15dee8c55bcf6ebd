//! Plugins built against older WIT versions still load and work: one built against
//! `stackc:plugin@0.1.0` (before the Compose placement) has its exports referenced, its
//! artifacts reach the bundle, its config errors point into the stack, and it cannot be
//! placed where 0.1.0 has nothing to say; one built against `@0.2.0` (before file owners)
//! renders for hosts and for a Compose project, its files owned by root; one built against
//! `@0.3.0` (before endpoints in the cluster) keeps its owners and accounts, and references to
//! it in the cluster find no Kubernetes Service.

use std::collections::BTreeMap;

use stackc::{Compilation, Limits, Loaded, Options, Plugins, SourceError, SourceLoader, compile};
use stackc_test_plugins::{WIT_0_1, WIT_0_2, WIT_0_3};

struct Memory(BTreeMap<String, String>);

impl SourceLoader for Memory {
    fn load(&self, path: &str, _from: Option<&str>) -> Result<Loaded, SourceError> {
        let text = self.0.get(path).ok_or_else(|| SourceError("no such file or directory".to_owned()))?;
        Ok(Loaded { key: path.to_owned(), name: path.to_owned(), text: text.clone() })
    }
}

fn compile_stack(text: &str) -> Compilation {
    let mut plugins = Plugins::builtin(Limits::default()).unwrap_or_else(|(name, e)| panic!("{name}: {e}"));
    let loaded = plugins.add(WIT_0_1, "test").unwrap_or_else(|e| panic!("the 0.1.0 plugin does not load: {e}"));
    assert_eq!(loaded.plugin.info().name, "old");
    let loaded = plugins.add(WIT_0_2, "test").unwrap_or_else(|e| panic!("the 0.2.0 plugin does not load: {e}"));
    assert_eq!(loaded.plugin.info().name, "older");
    let loaded = plugins.add(WIT_0_3, "test").unwrap_or_else(|e| panic!("the 0.3.0 plugin does not load: {e}"));
    assert_eq!(loaded.plugin.info().name, "previous");
    let loader = Memory(BTreeMap::from([("stack.kdl".to_owned(), text.to_owned())]));
    compile(
        &Options { root: "stack.kdl", values: &[], overrides: &[], render_cache: None, progress: None },
        &loader,
        &plugins,
    )
}

fn messages(compilation: &Compilation) -> Vec<String> {
    compilation.diagnostics.clone().into_sorted().into_iter().map(|d| d.message).collect()
}

/// A stack with `plugin`'s service `app` on a host and an nginx proxying to its `http` export;
/// the compilation, once the proxy is seen to reach the endpoint the plugin exported.
fn compile_referenced_on_a_host(plugin: &str) -> Compilation {
    let compilation = compile_stack(&format!(
        r#"stack "old"
host "h1" address="10.0.0.1"
service "app" plugin="{plugin}" on="h1" {{
    greeting "hello"
}}
service "proxy" plugin="nginx" on="h1" {{
    listen 80
    upstream "app" {{
        servers (ref)"app.http"
    }}
    location "/" {{
        proxy "app"
    }}
}}
"#
    ));
    let bundle = compilation.bundle.as_ref().unwrap_or_else(|| panic!("no bundle: {:?}", messages(&compilation)));
    let proxy = bundle.files.iter().filter(|f| f.path.starts_with("hosts/h1/etc/nginx/"));
    assert!(
        proxy.into_iter().any(|f| String::from_utf8_lossy(&f.contents).contains("10.0.0.1:8080")),
        "the proxy does not reach {plugin}'s app:8080"
    );
    compilation
}

#[test]
fn a_0_1_0_plugin_renders_and_is_referenced() {
    let compilation = compile_referenced_on_a_host("old");
    assert_eq!(bundle_file(&compilation, "hosts/h1/etc/old"), "app {\"greeting\":\"hello\"}\n");
    let site = bundle_file(&compilation, "ansible/site.yml");
    assert!(site.contains("old-package"), "the 0.1.0 plugin's package is not installed");
}

#[test]
fn a_0_1_0_plugin_reports_config_errors_at_the_key() {
    assert_config_error_at_the_key("old");
}

/// A failing greeting to `plugin` (either test guest) is refused at the KDL value.
fn assert_config_error_at_the_key(plugin: &str) {
    let compilation = compile_stack(&format!(
        r#"stack "old"
host "h1" address="10.0.0.1"
service "app" plugin="{plugin}" on="h1" {{
    greeting "fail"
}}
"#
    ));
    assert!(compilation.bundle.is_none());
    let errors = compilation.diagnostics.clone().into_sorted();
    let error = errors.iter().find(|d| d.message.contains("refuses this greeting")).expect("the plugin's error");
    let span = error.span.expect("a span");
    assert_eq!(&compilation.sources.get(span.file).text[span.start as usize..span.end as usize], "\"fail\"");
}

#[test]
fn a_0_1_0_plugin_cannot_run_in_a_compose_project() {
    let compilation = compile_stack(
        r#"stack "old"
compose "old"
service "app" plugin="old" on="old" {
    greeting "hello"
}
"#,
    );
    assert!(compilation.bundle.is_none());
    let messages = messages(&compilation);
    assert!(
        messages.iter().any(
            |m| m.contains("rendered host files and packages for service `app`, which runs in the Compose project")
        ),
        "{messages:?}"
    );
}

fn bundle_file(compilation: &Compilation, path: &str) -> String {
    let bundle = compilation.bundle.as_ref().unwrap_or_else(|| panic!("no bundle: {:?}", messages(compilation)));
    let file = bundle.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no `{path}`"));
    String::from_utf8(file.contents.clone()).expect("utf-8")
}

#[test]
fn a_0_2_0_plugin_renders_for_hosts_with_files_owned_by_root() {
    let compilation = compile_stack(
        r#"stack "older"
secret "key" vault="older_key"
host "h1" address="10.0.0.1"
service "app" plugin="older" on="h1" {
    greeting "hello"
}
"#,
    );
    assert_eq!(bundle_file(&compilation, "hosts/h1/etc/older"), "app {\"greeting\":\"hello\"}\n");
    let site = bundle_file(&compilation, "ansible/site.yml");
    assert!(site.contains("path: \"/etc/older\"\n") && site.contains("mode: \"0640\""), "{site}");
    assert!(site.contains("owner: root\n") && !site.contains("item.owner"), "{site}");
    assert!(site.contains("{{ older_key }}"), "the secret file is not filled from Vault:\n{site}");
}

#[test]
fn a_0_2_0_plugin_renders_for_a_compose_project() {
    let compilation = compile_stack(
        r#"stack "older"
secret "key" env="OLDER_KEY"
compose "older"
service "app" plugin="older" on="older" {
    greeting "hello"
}
"#,
    );
    let project = bundle_file(&compilation, "compose/compose.yml");
    assert!(project.contains("image: \"busybox:1.36\"") || project.contains("image: busybox:1.36"), "{project}");
    assert!(project.contains("OLDER_KEY"), "{project}");
}

#[test]
fn a_0_2_0_plugin_reports_config_errors_at_the_key() {
    assert_config_error_at_the_key("older");
}

#[test]
fn a_0_3_0_plugin_renders_owners_and_accounts_and_is_referenced_on_hosts() {
    let compilation = compile_referenced_on_a_host("previous");
    assert_eq!(bundle_file(&compilation, "hosts/h1/etc/previous"), "app {\"greeting\":\"hello\"}\n");
    let site = bundle_file(&compilation, "ansible/site.yml");
    assert!(site.contains("Create login account previous") && site.contains("owner: \"previous\"\n"), "{site}");
}

#[test]
fn a_0_3_0_plugin_in_the_cluster_has_no_service_to_reference() {
    let compilation = compile_stack(
        r#"stack "previous"
service "app" plugin="previous" {
    greeting "hello"
}
service "api" plugin="k8s" {
    namespace "apps"
    image "registry.example.org/api:1.0.0"
    env {
        APP_URL (ref)"app.http"
    }
}
"#,
    );
    assert!(compilation.bundle.is_none());
    let messages = messages(&compilation);
    assert!(messages.iter().any(|m| m == "`app.http` has no address a pod can use"), "{messages:?}");
}

#[test]
fn a_0_3_0_plugin_reports_config_errors_at_the_key() {
    assert_config_error_at_the_key("previous");
}
