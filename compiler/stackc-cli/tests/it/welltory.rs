//! The Kubernetes bundle of `stacks/welltory.kdl` (Redis and Prometheus from their Helm charts,
//! deployed by an Ansible playbook in steps), checked with the real consumers' own data and
//! tools: the upstream charts' `values.schema.json` (check-jsonschema) and default
//! `values.yaml` (every key path the generated values set must exist there), ansible-playbook
//! and ansible-lint with the kubernetes.core collection, `helm template` of the whole charts with
//! the generated values checked by kubernetes-validate, and kubernetes-validate for the k8s
//! plugin's manifests.
//!
//! The chart checks are `helm.rs`'s, shared with the other Helm plugins' tests.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{Scratch, build_stack, render, stackc, workspace};
use crate::helm::{self, run};

const STACK: &str = "stacks/welltory.kdl";

/// Helm release → its chart's directory under `third_party/helm-charts/`.
const CHARTS: [(&str, &str); 2] = [("redis", "redis"), ("prometheus", "prometheus")];

/// The services of [`APPS`].
const SERVICES: [&str; 3] = ["api", "grafana", "proxy"];

/// A stack that uses every feature of the k8s plugin, for kubernetes-validate.
const APPS: &str = r#"stack "apps"
secret "api-db-password" vault="vault_api_db_password"
service "api" plugin="k8s" {
    namespace "apps"
    image "registry.example.org/api:1.4.2"
    command "/app/api"
    args "--listen" ":8080"
    ports {
        http 8080
        metrics 9100
    }
    health "/healthz"
    env {
        LOG_LEVEL "info"
        DASHBOARDS (ref)"grafana.http"
        DB_PASSWORD (secret)"api-db-password"
    }
    env-from "config-map"
    files "/etc/api" {
        "api.toml" "workers = 4\n"
    }
    resources {
        cpu "250m"
        memory "256Mi"
    }
    ingress {
        host "api.example.org"
        class "nginx"
        tls "api-tls"
    }
    autoscale {
        min 2
        max 6
        cpu 70
    }
    rule {
        resources "configmaps"
        verbs "get" "list" "watch"
    }
    service {
        type "load-balancer"
        address "10.20.0.201"
    }
    security {
        run-as-user 10001
        fs-group 10001
        read-only-root #true
    }
    disruption {
        min-available 1
    }
    network-policy {
        allow-from "web" (ref)"grafana.http"
    }
    image-pull-secrets "registry-credentials"
    init {
        name "wait-for-grafana"
        image "docker.io/library/busybox:1.36"
        command "sh" "-c" "until nc -z grafana.monitoring.svc.cluster.local 3000; do sleep 2; done"
    }
    init {
        command "/app/api"
        args "migrate" "--wait"
    }
}
service "grafana" plugin="k8s" {
    namespace "monitoring"
    image "docker.io/grafana/grafana:12.1.1"
    kind "statefulset"
    ports {
        http 3000
    }
    health "/api/health"
    volume "data" {
        mount "/var/lib/grafana"
        size "2Gi"
    }
    security {
        run-as-user 472
        fs-group 472
    }
    disruption {
        max-unavailable 1
    }
    network-policy
}
service "proxy" plugin="k8s" {
    namespace "edge"
    image "docker.io/library/nginx:1.27.3"
    ports {
        http 80
    }
    security {
        run-as-root #true
    }
    network-policy {
        allow-from (ref)"api.http"
        ingress-namespace "ingress"
    }
    ingress {
        host "www.example.org"
    }
}
"#;

fn chart(release: &str) -> &'static str {
    CHARTS.iter().find(|(r, _)| *r == release).map(|(_, dir)| *dir).unwrap_or_else(|| panic!("no chart for {release}"))
}

/// `[services.NAME]` / `[targets.NAME]` → digest, and `root`, from a manifest.
fn digests(manifest: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut section = None;
    for line in manifest.lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = (!name.starts_with('[')).then(|| name.to_owned());
        } else if let Some(value) = line.strip_prefix("digest = ") {
            if let Some(section) = &section {
                out.insert(section.clone(), value.trim_matches('"').to_owned());
            }
        } else if let Some(value) = line.strip_prefix("root = ") {
            out.insert("root".to_owned(), value.trim_matches('"').to_owned());
        }
    }
    out
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn welltory_manifest() {
    let out = Scratch::new();
    let first = build_stack(STACK, &out.path().join("a"), &[]);
    let second = build_stack(STACK, &out.path().join("b"), &[]);
    assert_eq!(first.file_name(), second.file_name(), "two builds give one root digest");
    insta::assert_snapshot!("welltory_manifest", fs::read_to_string(first.join("manifest.toml")).expect("manifest"));
}

#[test]
fn redis_nodes_changes_the_redis_values_and_nothing_else() {
    let out = Scratch::new();
    let three = build_stack(STACK, out.path(), &[]);
    let five = build_stack(STACK, out.path(), &["--set", "redis_nodes=5"]);
    let before = digests(&fs::read_to_string(three.join("manifest.toml")).expect("manifest"));
    let after = digests(&fs::read_to_string(five.join("manifest.toml")).expect("manifest"));
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    let changed: Vec<&str> = before.iter().filter(|(k, v)| after[*k] != **v).map(|(k, _)| k.as_str()).collect();
    assert_eq!(changed, ["root", "services.redis"], "before: {before:#?}\nafter: {after:#?}");

    let values = fs::read_to_string(five.join("helm/redis/values.yaml")).expect("values");
    assert!(values.contains("architecture: replication\n") && values.contains("  replicaCount: 4\n"), "{values}");
    let values = fs::read_to_string(three.join("helm/redis/values.yaml")).expect("values");
    assert!(values.contains("  replicaCount: 2\n"), "{values}");
    let one = build_stack(STACK, out.path(), &["--set", "redis_nodes=1"]);
    let values = fs::read_to_string(one.join("helm/redis/values.yaml")).expect("values");
    assert!(values.contains("architecture: standalone\n") && !values.contains("replicaCount"), "{values}");
}

#[test]
fn params_change_the_values_they_name() {
    let out = Scratch::new();
    let bundle = build_stack(
        STACK,
        out.path(),
        &[
            "--set",
            "redis_databases=32",
            "--set",
            "retention_days=30",
            "--set",
            "prometheus_version=3.5.0",
            "--set",
            "redis_persistence=true",
        ],
    );
    let redis = fs::read_to_string(bundle.join("helm/redis/values.yaml")).expect("values");
    assert!(redis.contains("  databases 32\n"), "{redis}");
    assert!(redis.contains("master:\n  persistence:\n    enabled: true\n"), "{redis}");
    let prometheus = fs::read_to_string(bundle.join("helm/prometheus/values.yaml")).expect("values");
    assert!(prometheus.contains("  retention: 30d\n"), "{prometheus}");
    assert!(prometheus.contains("    tag: v3.5.0\n"), "{prometheus}");
}

#[test]
fn bad_params_are_errors_at_the_set() {
    for (set, expected) in [
        ("redis_nodes=0", "redis_nodes"),
        ("retention_days=-1", "retention_days"),
        ("prometheus_version=latest", "prometheus_version"),
    ] {
        let out = Scratch::new();
        let output = stackc()
            .current_dir(workspace())
            .args(["build", STACK, "--out"])
            .arg(out.path())
            .args(["--set", set])
            .output()
            .expect("run stackc");
        let text = render(&output, &[]);
        assert_eq!(output.status.code(), Some(1), "--set {set}:\n{text}");
        assert!(text.contains(expected) && text.contains("<command line>"), "--set {set}:\n{text}");
        assert!(!out.path().join("welltory").exists(), "nothing is written on error");
    }
}

#[test]
fn values_validate_against_the_chart_schemas() {
    let out = Scratch::new();
    for extra in [&[][..], &["--set", "redis_nodes=1", "--set", "redis_persistence=true"][..]] {
        let bundle = build_stack(STACK, out.path(), extra);
        for (release, dir) in CHARTS {
            let values = bundle.join(format!("helm/{release}/values.yaml"));
            let output = helm::check_schema(dir, &values, out.path());
            assert!(output.status.success(), "{release} values against the chart schema:\n{}", render(&output, &[]));
        }
    }
    // The check does fail on values the chart refuses.
    let broken = out.path().join("broken.yaml");
    fs::write(&broken, "replica:\n  replicaCount: two\n").expect("write");
    let output = helm::check_schema(chart("redis"), &broken, out.path());
    assert!(!output.status.success(), "check-jsonschema accepted a string replica count");
}

#[test]
fn every_key_the_values_set_exists_in_the_chart() {
    let out = Scratch::new();
    for extra in [&[][..], &["--set", "redis_nodes=1", "--set", "redis_persistence=true"][..]] {
        let bundle = build_stack(STACK, out.path(), extra);
        for (release, dir) in CHARTS {
            let output = helm::walk_keys(dir, &bundle.join(format!("helm/{release}/values.yaml")), out.path());
            let text = render(&output, &[]);
            assert!(output.status.success() && text.contains("keys checked"), "{release}:\n{text}");
        }
    }
    // A misspelled key fails the walk.
    let bundle = build_stack(STACK, out.path(), &[]);
    let values = fs::read_to_string(bundle.join("helm/redis/values.yaml")).expect("values");
    let broken = out.path().join("broken.yaml");
    fs::write(&broken, values.replace("replicaCount:", "replicaCont:")).expect("write");
    let output = helm::walk_keys(chart("redis"), &broken, out.path());
    let text = render(&output, &[]);
    assert!(!output.status.success() && text.contains("unknown key: replica.replicaCont"), "{text}");
}

/// What a deploy would send to the cluster: each release rendered by `helm template` from the
/// vendored chart with the generated values, every object accepted by kubernetes-validate.
#[test]
fn releases_render_with_helm_template_and_pass_kubernetes_validate() {
    let out = Scratch::new();
    for extra in [&[][..], &["--set", "redis_nodes=1", "--set", "redis_persistence=true"][..]] {
        let bundle = build_stack(STACK, &out.path().join("out"), extra);
        for (release, expected_kind) in [("redis", "StatefulSet"), ("prometheus", "Deployment")] {
            let values = bundle.join(format!("helm/{release}/values.yaml"));
            let rendered = helm::template(release, chart(release), "welltory", &[&values], out.path());
            let kinds = helm::assert_objects_valid(release, &rendered, out.path());
            assert!(kinds.iter().any(|k| k == expected_kind), "{release}: {kinds:?}");
        }
    }
    // The check does fail on values the chart renders into an invalid object: an environment
    // variable whose value is a number, which Kubernetes refuses (the chart's schema lets it by).
    let bundle = build_stack(STACK, &out.path().join("out"), &[]);
    let values = bundle.join("helm/redis/values.yaml");
    let broken = out.path().join("broken.yaml");
    fs::write(&broken, "replica:\n  extraEnvVars:\n    - name: WORKERS\n      value: 4\n").expect("write");
    let rendered = helm::template("redis", chart("redis"), "welltory", &[&values, &broken], out.path());
    let manifests = out.path().join("broken-redis.yaml");
    fs::write(&manifests, rendered).expect("write");
    let (passed, text) = helm::kubernetes_validate(&[&manifests], out.path());
    assert!(!passed && text.contains("is not of type 'string'"), "{text}");
}

#[test]
fn prometheus_scrapes_redis_through_the_reference() {
    let out = Scratch::new();
    let bundle = build_stack(STACK, out.path(), &[]);
    let values = fs::read_to_string(bundle.join("helm/prometheus/values.yaml")).expect("values");
    assert!(values.contains("  - job_name: redis\n"), "{values}");
    // Discovered in the cluster behind the Service port the redis release puts before its
    // exporters, as the redis-helm plugin names it.
    assert!(values.contains("        regex: welltory;redis-metrics;http-metrics\n"), "{values}");
    assert!(values.contains("            - welltory\n"), "{values}");
    assert!(!values.contains("static_configs"), "no written-out targets:\n{values}");
    let redis = fs::read_to_string(bundle.join("helm/redis/values.yaml")).expect("values");
    assert!(redis.contains("fullnameOverride: redis\n") && redis.contains("metrics:\n  enabled: true\n"), "{redis}");
}

#[test]
fn playbook_passes_syntax_check_and_ansible_lint() {
    let out = Scratch::new();
    let bundle = build_stack(STACK, &out.path().join("out"), &[]);
    let ansible = bundle.join("ansible");
    let home = out.path().join("home");
    let output = run("ansible-playbook", &[Path::new("--syntax-check"), Path::new("kubernetes.yml")], &ansible, &home);
    assert!(output.status.success(), "ansible-playbook --syntax-check:\n{}", render(&output, &[]));
    let output = run("ansible-lint", &[Path::new("--offline"), Path::new("kubernetes.yml")], &ansible, &home);
    let text = render(&output, &[]);
    assert!(output.status.success() && text.contains("Passed: 0 failure(s), 0 warning(s)"), "ansible-lint:\n{text}");
}

#[test]
fn playbook_runs_in_named_steps_with_secrets_from_vault() {
    let out = Scratch::new();
    let bundle = build_stack(STACK, out.path(), &[]);
    let playbook = fs::read_to_string(bundle.join("ansible/kubernetes.yml")).expect("playbook");
    let steps: Vec<&str> = playbook.lines().filter_map(|l| l.strip_prefix("- name: ")).collect();
    assert_eq!(
        steps,
        [
            "\"Step 1/4: namespaces\"",
            "\"Step 2/4: secrets\"",
            "\"Step 3/4: redis (redis-helm)\"",
            "\"Step 4/4: prometheus (prometheus-helm)\""
        ]
    );
    // The Secret is filled from the Vault variable, and the task does not log it.
    let secret_task = playbook.split("- name: \"Create Secret welltory/redis-auth\"").nth(1).expect("secret task");
    let secret_task = secret_task.split("\n\n").next().expect("task");
    assert!(secret_task.contains("\"redis-password\": \"{{ vault_redis_password }}\""), "{secret_task}");
    assert!(secret_task.contains("no_log: true"), "{secret_task}");
    // Releases are installed from the bundle's values files at pinned chart versions.
    for (release, chart_ref, version) in [
        ("redis", "oci://registry-1.docker.io/bitnamicharts/redis", "23.1.1"),
        ("prometheus", "prometheus-community/prometheus", "29.27.0"),
    ] {
        assert!(
            playbook.contains(&format!("chart_ref: \"{chart_ref}\"\n        chart_version: \"{version}\"\n")),
            "{playbook}"
        );
        assert!(playbook.contains(&format!("\"{{{{ playbook_dir }}}}/../helm/{release}/values.yaml\"")), "{playbook}");
    }
    // The pinned versions are the ones the chart data describes.
    for (release, dir) in CHARTS {
        let version = helm::chart_version(dir);
        assert!(playbook.contains(&format!("chart_version: \"{version}\"")), "{release} {version}");
    }
    // The example Vault layout names the variables and holds no values.
    let example = fs::read_to_string(bundle.join("ansible/group_vars/all/vault.yml.example")).expect("vault example");
    assert!(example.lines().any(|l| l == "vault_redis_password: \"\""), "{example}");
}

#[test]
fn k8s_manifests_pass_kubernetes_validate() {
    let scratch = Scratch::new();
    scratch.write("apps.kdl", APPS);
    let output = scratch.stackc(&["build", "apps.kdl"]).output().expect("run stackc");
    assert!(output.status.success(), "{}", render(&output, &[]));
    let bundle = fs::canonicalize(scratch.path().join("out/apps/current")).expect("current");

    let mut manifests = Vec::new();
    for service in SERVICES {
        let dir = bundle.join("kubernetes").join(service);
        let files = files_under(&dir);
        let kustomization = fs::read_to_string(dir.join("kustomization.yaml")).expect("kustomization");
        let listed: Vec<&str> = kustomization.lines().filter_map(|l| l.strip_prefix("  - ")).collect();
        let mut present: Vec<String> = files
            .iter()
            .map(|f| f.file_name().expect("name").to_string_lossy().into_owned())
            .filter(|n| n != "kustomization.yaml")
            .collect();
        let mut sorted = listed.clone();
        sorted.sort_unstable();
        present.sort();
        assert_eq!(sorted, present, "the kustomization of {service} lists every object");
        manifests.extend(listed.iter().map(|n| dir.join(n)));
    }
    for object in [
        "api/configmap-env.yaml",
        "api/poddisruptionbudget.yaml",
        "api/networkpolicy.yaml",
        "api/horizontalpodautoscaler.yaml",
        "grafana/service-headless.yaml",
        "grafana/statefulset.yaml",
        "grafana/networkpolicy.yaml",
        "proxy/networkpolicy.yaml",
    ] {
        assert!(manifests.iter().any(|m| m.ends_with(object)), "no {object}");
    }

    let files: Vec<&Path> = manifests.iter().map(PathBuf::as_path).collect();
    let (passed, text) = helm::kubernetes_validate(&files, scratch.path());
    assert!(passed, "kubernetes-validate:\n{text}");
    // Unknown kinds only warn, so every object must be reported as passed.
    assert!(!text.contains("WARN") && !text.contains("ERROR"), "kubernetes-validate:\n{text}");
    assert_eq!(text.matches(" passed for resource ").count(), manifests.len(), "kubernetes-validate:\n{text}");

    // The password is a reference to the Secret the playbook fills from Vault.
    let deployment = fs::read_to_string(bundle.join("kubernetes/api/deployment.yaml")).expect("deployment");
    assert!(
        deployment.contains("secretKeyRef:\n                  name: api-env\n                  key: api-db-password\n"),
        "{deployment}"
    );
    let playbook = fs::read_to_string(bundle.join("ansible/kubernetes.yml")).expect("playbook");
    assert!(playbook.contains("\"api-db-password\": \"{{ vault_api_db_password }}\""), "{playbook}");

    // The playbook applies them, one step per service, a referenced service first, and passes
    // Ansible's own checks.
    assert!(playbook.contains("- name: \"Step 3/5: grafana (k8s)\"\n"), "{playbook}");
    assert!(playbook.contains("- name: \"Step 4/5: api (k8s)\"\n"), "{playbook}");
    assert!(playbook.contains("- name: \"Step 5/5: proxy (k8s)\"\n"), "{playbook}");
    let ansible = bundle.join("ansible");
    let home = scratch.path().join("home");
    let output = run("ansible-playbook", &[Path::new("--syntax-check"), Path::new("kubernetes.yml")], &ansible, &home);
    assert!(output.status.success(), "ansible-playbook --syntax-check:\n{}", render(&output, &[]));
    let output = run("ansible-lint", &[Path::new("--offline"), Path::new("kubernetes.yml")], &ansible, &home);
    let text = render(&output, &[]);
    assert!(output.status.success() && text.contains("Passed: 0 failure(s), 0 warning(s)"), "ansible-lint:\n{text}");
}

/// `kubectl apply -k` applies what `kubectl kustomize` builds: every service's kustomization
/// must build, with every object the plugin made, and the result pass kubernetes-validate.
#[test]
fn k8s_kustomizations_build_and_pass_kubernetes_validate() {
    let scratch = Scratch::new();
    scratch.write("apps.kdl", APPS);
    let output = scratch.stackc(&["build", "apps.kdl"]).output().expect("run stackc");
    assert!(output.status.success(), "{}", render(&output, &[]));
    let bundle = fs::canonicalize(scratch.path().join("out/apps/current")).expect("current");
    let home = scratch.path().join("home");
    for service in SERVICES {
        let dir = bundle.join("kubernetes").join(service);
        let output = run("kubectl", &[Path::new("kustomize"), &dir], scratch.path(), &home);
        assert!(output.status.success(), "kubectl kustomize {service}:\n{}", render(&output, &[]));
        let built = String::from_utf8(output.stdout).expect("utf-8");
        let objects = files_under(&dir).len() - 1;
        assert_eq!(built.matches("\nkind: ").count() + usize::from(built.starts_with("kind: ")), objects, "{built}");
        let file = scratch.path().join(format!("{service}.kustomized.yaml"));
        fs::write(&file, &built).expect("write");
        let args = [Path::new("--strict"), Path::new("-k"), Path::new("1.30"), &file];
        let output = run("kubernetes-validate", &args, scratch.path(), &home);
        let text = render(&output, &[]);
        assert!(output.status.success() && !text.contains("WARN") && !text.contains("ERROR"), "{service}:\n{text}");
        assert_eq!(text.matches(" passed for resource ").count(), objects, "{service}:\n{text}");
    }
}

#[test]
fn a_secret_kept_in_the_cluster_cannot_fill_a_new_secret() {
    let scratch = Scratch::new();
    scratch.write(
        "s.kdl",
        r#"stack "s"
secret "pw" kube-secret="existing" key="password"
service "redis" plugin="redis-helm" {
    namespace "data"
    password (secret)"pw"
}
"#,
    );
    let output = scratch.stackc(&["build", "s.kdl"]).output().expect("run stackc");
    let text = render(&output, &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("secret `pw` lives in the cluster"), "{text}");
    assert!(!scratch.path().join("out").exists(), "nothing is written on error");
}
