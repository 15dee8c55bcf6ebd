//! `stacks/tasktracker.kdl`, S3 of the seed requirements, one test per item (S3.1–S3.7), each
//! generated artifact checked by the tool that consumes it: the Terraform files against the
//! OpenNebula provider's schema, the Kubespray inventory with ansible-inventory, every Helm
//! release with `helm template` from the vendored chart and kubernetes-validate, every
//! kustomization with `kubectl kustomize` and kubernetes-validate (MetalLB's objects against
//! the schemas of its CRDs), the pipeline with GitLab's schema, the Dockerfile with hadolint,
//! the API's own tests as the pipeline runs them, the alerting rules with promtool, the
//! dashboard with Grafana's schema; and the in-cluster references: the API's database URL is
//! the PostgreSQL Service's DNS name, and every Service port Prometheus keeps is one the
//! releases and kustomizations make.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use saphyr::{LoadableYamlNode, Yaml};

use crate::common::{Scratch, build_stack, files_under, hadolint, render, run, tool, workspace};
use crate::helm;
use crate::machines::{hosts_of, inventory_list, tf_check, tf_files};

const STACK: &str = "stacks/tasktracker.kdl";

/// Helm release → its chart's directory under `third_party/helm-charts/`, and its namespace.
const RELEASES: [(&str, &str, &str); 4] = [
    ("metallb", "metallb", "metallb-system"),
    ("ingress", "ingress-nginx", "ingress-nginx"),
    ("db", "postgresql", "tasktracker"),
    ("prometheus", "prometheus", "monitoring"),
];

fn text(bundle: &Path, path: &str) -> String {
    fs::read_to_string(bundle.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The node at `path` under `node`, if every key is there (indexing panics on a missing key).
fn at<'a, 'y>(node: &'a Yaml<'y>, path: &[&str]) -> Option<&'a Yaml<'y>> {
    path.iter().try_fold(node, |node, key| node.as_mapping_get(key))
}

fn yaml_documents(text: &str) -> Vec<Yaml<'_>> {
    Yaml::load_from_str(text).unwrap_or_else(|e| panic!("not YAML ({e}):\n{text}"))
}

/// Every release rendered by `helm template` from its vendored chart, as (release, manifests).
fn rendered_releases(bundle: &Path, scratch: &Path) -> Vec<(&'static str, String)> {
    RELEASES
        .iter()
        .map(|&(release, chart, namespace)| {
            let values = bundle.join(format!("helm/{release}/values.yaml"));
            (release, helm::template(release, chart, namespace, &[&values], scratch))
        })
        .collect()
}

/// `kubectl kustomize` of one service's kustomization.
fn kustomize(dir: &Path) -> String {
    let output = run(Command::new(tool("kubectl")).arg("kustomize").arg(dir));
    assert!(output.status.success(), "kubectl kustomize {}:\n{}", dir.display(), render(&output, &[]));
    String::from_utf8(output.stdout).expect("kubectl prints UTF-8")
}

fn kustomizations(bundle: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> =
        fs::read_dir(bundle.join("kubernetes")).expect("kubernetes/").map(|e| e.expect("entry").path()).collect();
    dirs.sort();
    dirs
}

/// (namespace, name, port name) of every Service in `manifests`.
fn service_ports(manifests: &str, default_namespace: &str) -> Vec<(String, String, String)> {
    let mut ports = Vec::new();
    for object in yaml_documents(manifests) {
        if at(&object, &["kind"]).and_then(Yaml::as_str) != Some("Service") {
            continue;
        }
        let name = at(&object, &["metadata", "name"]).and_then(Yaml::as_str).expect("a name").to_owned();
        let namespace =
            at(&object, &["metadata", "namespace"]).and_then(Yaml::as_str).unwrap_or(default_namespace).to_owned();
        for port in at(&object, &["spec", "ports"]).and_then(Yaml::as_vec).into_iter().flatten() {
            if let Some(port_name) = at(port, &["name"]).and_then(Yaml::as_str) {
                ports.push((namespace.clone(), name.clone(), port_name.to_owned()));
            }
        }
    }
    ports
}

#[test]
fn s3_1_vms_on_opennebula_and_an_ha_cluster_by_kubespray_with_metallb() {
    let out = Scratch::new();
    let bundle = build_stack(STACK, out.path(), &[]);
    // One VM per host, every name in the provider's documented schema.
    let files = tf_files(&bundle.join("services/machines"));
    let output = tf_check(&files);
    assert!(output.status.success(), "the Terraform files:\n{}", render(&output, &[]));
    let main = text(&bundle, "services/machines/main.tf");
    assert_eq!(main.matches("resource \"opennebula_virtual_machine\"").count(), 7, "{main}");
    // Kubespray reads the inventory: three control-plane hosts with etcd (a quorum survives
    // one loss), three workers, the registry host in no group of the cluster.
    let output = inventory_list(&bundle.join("services/cluster/inventory.yml"));
    assert!(output.status.success(), "ansible-inventory:\n{}", render(&output, &[]));
    let list: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(hosts_of(&list, "kube_control_plane"), ["cp-1", "cp-2", "cp-3"]);
    assert_eq!(hosts_of(&list, "etcd"), ["cp-1", "cp-2", "cp-3"]);
    assert_eq!(hosts_of(&list, "kube_node"), ["node-1", "node-2", "node-3"]);
    assert!(!list.to_string().contains("registry1"), "the registry host is in the cluster: {list}");
    let cluster = text(&bundle, "services/cluster/group_vars/k8s_cluster/k8s-cluster.yml");
    assert!(cluster.contains("kube_proxy_strict_arp: true"), "MetalLB's layer 2 mode needs strict ARP:\n{cluster}");
    // MetalLB's pool holds the ingress controller's address.
    let pool = text(&bundle, "kubernetes/metallb/ipaddresspool.yaml");
    assert!(pool.contains("10.40.0.200-10.40.0.220"), "{pool}");
    let ingress = text(&bundle, "helm/ingress/values.yaml");
    assert!(ingress.contains("metallb.io/loadBalancerIPs: \"10.40.0.200\""), "{ingress}");
}

#[test]
fn s3_2_a_private_registry_the_cluster_pulls_from_and_the_pipeline_pushes_to() {
    let out = Scratch::new();
    let bundle = build_stack(STACK, out.path(), &[]);
    let config = text(&bundle, "hosts/registry1/etc/docker/registry/config.yml");
    assert!(config.contains("  addr: 10.40.0.30:5000\n") && config.contains("    key: /etc/docker/registry/tls.key\n"));
    assert!(config.contains("  htpasswd:\n"), "pushes and pulls need a user:\n{config}");
    let site = text(&bundle, "ansible/site.yml");
    assert!(site.contains("{{ vault_registry_htpasswd }}") && site.contains("{{ vault_registry_key }}"), "{site}");
    let deployment = text(&bundle, "kubernetes/api/deployment.yaml");
    assert!(deployment.contains("image: \"registry.example.org:5000/tasktracker/api:latest\""), "{deployment}");
    assert!(deployment.contains("imagePullSecrets:\n        - name: registry-credentials"), "{deployment}");
    let pipeline = text(&bundle, "services/api-image/.gitlab-ci.yml");
    assert!(pipeline.contains("--destination \"registry.example.org:5000/tasktracker/api:$CI_COMMIT_SHORT_SHA\""));
    // The pipeline's tag reaches the workload through the stack param.
    let tagged = build_stack(STACK, &out.path().join("tagged"), &["--set", "api_tag=0f3c2a1"]);
    let deployment = text(&tagged, "kubernetes/api/deployment.yaml");
    assert!(deployment.contains("registry.example.org:5000/tasktracker/api:0f3c2a1\""), "{deployment}");
}

#[test]
fn s3_3_s3_4_the_api_and_postgresql_with_config_maps_secrets_and_an_ingress() {
    let out = Scratch::new();
    let bundle = build_stack(STACK, &out.path().join("out"), &[]);
    let releases = rendered_releases(&bundle, out.path());
    let db = &releases.iter().find(|(r, _)| *r == "db").expect("the db release").1;
    let statefulsets: Vec<String> = yaml_documents(db)
        .iter()
        .filter(|o| at(o, &["kind"]).and_then(Yaml::as_str) == Some("StatefulSet"))
        .map(|o| {
            let claims = at(o, &["spec", "volumeClaimTemplates"]).and_then(Yaml::as_vec).map_or(0, Vec::len);
            format!("{} {claims}", at(o, &["metadata", "name"]).and_then(Yaml::as_str).expect("a name"))
        })
        .collect();
    assert_eq!(statefulsets, ["db 1", "db-read 1"], "a primary and a replica, each with a claim template");
    // The API reads its settings from a ConfigMap, its password from the Secret, and its
    // database by the primary's in-cluster DNS name.
    let env = text(&bundle, "kubernetes/api/configmap-env.yaml");
    assert!(env.contains("DATABASE_URL: \"postgresql://db.tasktracker.svc.cluster.local:5432/\""), "{env}");
    let deployment = text(&bundle, "kubernetes/api/deployment.yaml");
    assert!(deployment.contains("configMapRef:\n") && deployment.contains("name: api-env"), "{deployment}");
    assert!(deployment.contains("secretKeyRef:\n") && deployment.contains("key: db-password"), "{deployment}");
    assert!(service_ports(db, "tasktracker").contains(&("tasktracker".into(), "db".into(), "tcp-postgresql".into())));
    let ingress = text(&bundle, "kubernetes/api/ingress.yaml");
    assert!(ingress.contains("ingressClassName: nginx") && ingress.contains("tasks.example.org"), "{ingress}");
    let controller = &releases.iter().find(|(r, _)| *r == "ingress").expect("the ingress release").1;
    assert!(controller.contains("kind: IngressClass") && controller.contains("name: nginx"), "no IngressClass nginx");
}

#[test]
fn every_release_and_kustomization_renders_and_validates_strictly() {
    let out = Scratch::new();
    let bundle = build_stack(STACK, &out.path().join("out"), &[]);
    for &(release, chart, _) in &RELEASES {
        helm::assert_values_fit(chart, &bundle.join(format!("helm/{release}/values.yaml")), out.path());
    }
    let releases = rendered_releases(&bundle, out.path());
    for (release, manifests) in &releases {
        helm::assert_objects_valid(release, manifests, out.path());
    }
    let metallb = out.path().join("metallb-release.yaml");
    fs::write(&metallb, &releases[0].1).expect("write");
    let schemas = helm::crd_schemas(&metallb, out.path());
    let mut kinds = BTreeSet::new();
    for dir in kustomizations(&bundle) {
        let name = dir.file_name().expect("a name").to_string_lossy().into_owned();
        let built = kustomize(&dir);
        if name == "metallb" {
            // kubernetes-validate knows no MetalLB kinds: the CRDs' schemas do.
            for (object, kind) in
                [("ipaddresspool", "IPAddressPool.v1beta1"), ("l2advertisement", "L2Advertisement.v1beta1")]
            {
                let output =
                    helm::check_custom_resource(&schemas, kind, &dir.join(format!("{object}.yaml")), out.path());
                assert!(output.status.success(), "{object}:\n{}", render(&output, &[]));
            }
            continue;
        }
        kinds.extend(helm::assert_objects_valid(&name, &built, out.path()));
    }
    for kind in [
        "Deployment",
        "StatefulSet",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "Role",
        "RoleBinding",
    ] {
        assert!(kinds.contains(kind), "no {kind} among {kinds:?}");
    }
}

#[test]
fn s3_5_the_pipeline_tests_builds_pushes_and_applies_with_kubectl() {
    let out = Scratch::new();
    let bundle = build_stack(STACK, &out.path().join("out"), &[]);
    let pipeline = bundle.join("services/api-image/.gitlab-ci.yml");
    let output =
        run(Command::new(tool("check-jsonschema")).args(["--builtin-schema", "vendor.gitlab-ci"]).arg(&pipeline));
    assert!(output.status.success(), "check-jsonschema vendor.gitlab-ci:\n{}", render(&output, &[]));
    let text = fs::read_to_string(&pipeline).expect("pipeline");
    for step in [
        "\"python -m pip install --no-cache-dir -r requirements-dev.txt && python -m pytest -q\"",
        "/kaniko/executor",
        "kubectl apply -k \"bundle/kubernetes/api\"",
        "--set \"api_tag=$CI_COMMIT_SHORT_SHA\"",
    ] {
        assert!(text.contains(step), "the pipeline has no `{step}`:\n{text}");
    }
    assert!(text.contains("resource_group: tasktracker") && text.contains("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"));
    // Credentials are CI/CD variables only.
    for line in text.lines().filter(|l| l.to_lowercase().contains("password:")) {
        let value = line.split_once(':').map(|(_, v)| v.trim()).unwrap_or_default();
        assert!(value.starts_with('$'), "a credential that is not a CI/CD variable: {line}");
    }
    assert!(!text.contains("PRIVATE KEY"), "{text}");
    let image = bundle.join("services/api-image/image");
    let output = hadolint(&image.join("Dockerfile"), out.path());
    assert!(output.status.success(), "hadolint:\n{}", render(&output, &[]));
    // The test job's command, in a copy of the image's context: the API's own tests pass.
    let copy = out.path().join("context");
    for path in files_under(&image, &[]) {
        let target = copy.join(&path);
        fs::create_dir_all(target.parent().expect("a parent")).expect("mkdir");
        fs::copy(image.join(&path), &target).expect("copy");
    }
    let output =
        run(Command::new(tool("python3")).args(["-m", "pytest", "-q", "-p", "no:cacheprovider"]).current_dir(&copy));
    assert!(output.status.success(), "the API's tests:\n{}", render(&output, &[]));
    assert!(String::from_utf8_lossy(&output.stdout).contains("3 passed"), "{}", render(&output, &[]));
}

#[test]
fn s3_6_prometheus_finds_what_the_releases_make_and_alerts_pass_promtool() {
    let out = Scratch::new();
    let bundle = build_stack(STACK, &out.path().join("out"), &[]);
    let releases = rendered_releases(&bundle, out.path());
    let mut made: BTreeSet<(String, String, String)> = BTreeSet::new();
    for &(release, _, namespace) in &RELEASES {
        let manifests = &releases.iter().find(|(r, _)| *r == release).expect("rendered").1;
        made.extend(service_ports(manifests, namespace));
    }
    for dir in kustomizations(&bundle) {
        made.extend(service_ports(&kustomize(&dir), ""));
    }
    // Every Service port a scrape job keeps is one that exists.
    let values = text(&bundle, "helm/prometheus/values.yaml");
    let keeps: Vec<&str> = values.lines().filter_map(|l| l.trim().strip_prefix("regex: ")).collect();
    assert_eq!(keeps.len(), 3, "{values}");
    for keep in keeps {
        let parts: Vec<&str> = keep.split(';').collect();
        let key = (parts[0].to_owned(), parts[1].to_owned(), parts[2].to_owned());
        assert!(made.contains(&key), "Prometheus keeps {key:?}, which no Service has; the Services: {made:?}");
    }
    // The alerting rules, as the chart writes them into the server's ConfigMap.
    let prometheus = &releases.iter().find(|(r, _)| *r == "prometheus").expect("rendered").1;
    let config_map = yaml_documents(prometheus)
        .into_iter()
        .find(|o| {
            at(o, &["kind"]).and_then(Yaml::as_str) == Some("ConfigMap")
                && at(o, &["metadata", "name"]).and_then(Yaml::as_str) == Some("prometheus-server")
        })
        .expect("the server's ConfigMap");
    let rules =
        at(&config_map, &["data", "alerting_rules.yml"]).and_then(Yaml::as_str).expect("alerting rules").to_owned();
    let file = out.path().join("alerting_rules.yml");
    fs::write(&file, &rules).expect("write");
    let output = run(Command::new(tool("promtool")).args(["check", "rules"]).arg(&file));
    assert!(output.status.success(), "promtool check rules:\n{}\n{rules}", render(&output, &[]));
    for alert in ["TargetDown", "KubePodCrashLooping", "KubeNodeNotReady", "KubePersistentVolumeFillingUp"] {
        assert!(rules.contains(&format!("alert: {alert}")), "no {alert}:\n{rules}");
    }
    // Grafana: its data source is Prometheus by reference, its dashboard fits Grafana's schema.
    let statefulset = text(&bundle, "kubernetes/grafana/statefulset.yaml");
    assert!(statefulset.contains("value: \"http://prometheus-server.monitoring.svc.cluster.local:80/\""));
    let dashboard = workspace().join("stacks/tasktracker/grafana/tasktracker.json");
    let schema = workspace().join(".tools/grafana-schema/dashboard.schema.json");
    let output = run(Command::new(tool("check-jsonschema")).arg("--schemafile").arg(&schema).arg(&dashboard));
    assert!(output.status.success(), "the dashboard against Grafana's schema:\n{}", render(&output, &[]));
}

#[test]
fn s3_7_rbac_stays_in_the_namespace_and_scaling_is_one_flag() {
    let out = Scratch::new();
    let bundle = build_stack(STACK, &out.path().join("out"), &[]);
    let access: Vec<String> = files_under(&bundle.join("kubernetes/access"), &[]);
    for file in &access {
        let text = text(&bundle.join("kubernetes/access"), file);
        assert!(!text.contains("ClusterRoleBinding"), "{file} grants beyond the namespace");
    }
    let hpa = text(&bundle, "kubernetes/api/horizontalpodautoscaler.yaml");
    assert!(hpa.contains("minReplicas: 2") && hpa.contains("maxReplicas: 6"), "{hpa}");
    let scaled =
        build_stack(STACK, &out.path().join("scaled"), &["--set", "api_replicas=4", "--set", "api_max_replicas=12"]);
    let hpa = text(&scaled, "kubernetes/api/horizontalpodautoscaler.yaml");
    assert!(hpa.contains("minReplicas: 4") && hpa.contains("maxReplicas: 12"), "{hpa}");
    // Only the API's objects changed.
    let changed: Vec<String> = files_under(&bundle, &["manifest.toml"])
        .into_iter()
        .filter(|f| fs::read(bundle.join(f)).ok() != fs::read(scaled.join(f)).ok())
        .collect();
    assert!(!changed.is_empty() && changed.iter().all(|f| f.starts_with("kubernetes/api/")), "{changed:?}");
}

/// No generated file holds a credential: every password is a Vault variable or a CI/CD
/// variable, and no private key is anywhere in the bundle.
#[test]
fn no_credential_is_in_any_generated_file() {
    let out = Scratch::new();
    let bundle = build_stack(STACK, out.path(), &[]);
    let files = files_under(&bundle, &[]);
    assert!(files.len() > 40, "{files:?}");
    for file in files {
        let Ok(text) = fs::read_to_string(bundle.join(&file)) else { continue };
        assert!(!text.contains("PRIVATE KEY"), "a private key in {file}");
        for line in text.lines().filter(|l| {
            let lower = l.to_lowercase();
            (lower.contains("password:") || lower.contains("password=")) && !l.trim_start().starts_with('#')
        }) {
            let value = line.split_once([':', '=']).map(|(_, v)| v.trim().trim_matches('"')).unwrap_or_default();
            let reference = value.is_empty()
                || value.starts_with('$')
                || value.starts_with("{{ vault_")
                || value.starts_with("vault_")
                || value.starts_with('|');
            assert!(reference, "a credential in {file}: {line}");
        }
    }
}
