//! The Kubernetes bundle of `tests/fixtures/cluster-charts/stack.kdl` (MetalLB, ingress-nginx
//! and PostgreSQL from their upstream Helm charts), checked with the real consumers' own data
//! and tools (`helm.rs`): each release's values against the chart's `values.schema.json` and
//! default `values.yaml`, each release rendered by `helm template` from the vendored chart and
//! every object it renders accepted by kubernetes-validate, the MetalLB pool and its
//! advertisement against the schemas of the CRDs the metallb chart installs, and the playbook
//! through ansible-playbook's syntax check and ansible-lint.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{Scratch, build_stack, render};
use crate::helm;

const STACK: &str = "compiler/stackc-cli/tests/fixtures/cluster-charts/stack.kdl";

/// Helm release → its chart's directory under `third_party/helm-charts/`, and its namespace.
const RELEASES: [(&str, &str, &str); 3] = [
    ("metallb", "metallb", "metallb-system"),
    ("ingress", "ingress-nginx", "ingress-nginx"),
    ("db", "postgresql", "tasktracker"),
];

/// The same services the other way round: a standalone PostgreSQL without its exporter, an
/// ingress controller whose address MetalLB picks, a pool of two prefixes.
const VARIANT: &str = r#"stack "variant"
secret "db-password" vault="vault_db_password"
secret "db-admin-password" vault="vault_db_admin_password"
service "metallb" plugin="metallb" {
    addresses "10.30.0.0/28" "fd00:30::/120"
    pool "public"
}
service "ingress" plugin="ingress-nginx" {
    class "public"
    replicas 3
}
service "db" plugin="postgresql-helm" {
    namespace "tasktracker"
    database "tasks"
    user "tasks"
    password (secret)"db-password"
    admin-password (secret)"db-admin-password"
    volume-size "5Gi"
    storage-class "local-path"
    metrics #false
}
"#;

/// The fixture's bundle and the variant's.
fn bundles(out: &Scratch) -> [PathBuf; 2] {
    let fixture = build_stack(STACK, &out.path().join("out"), &[]);
    out.write("variant.kdl", VARIANT);
    let output = out.stackc(&["build", "variant.kdl"]).output().expect("run stackc");
    assert!(output.status.success(), "{}", render(&output, &[]));
    let variant = fs::canonicalize(out.path().join("out/variant/current")).expect("current");
    [fixture, variant]
}

fn values(bundle: &Path, release: &str) -> PathBuf {
    bundle.join(format!("helm/{release}/values.yaml"))
}

#[test]
fn values_fit_the_chart_schemas_and_defaults() {
    let out = Scratch::new();
    for bundle in bundles(&out) {
        for (release, chart, _) in RELEASES {
            helm::assert_values_fit(chart, &values(&bundle, release), out.path());
        }
    }
    // Both checks do fail on values the charts refuse.
    let broken = out.path().join("broken.yaml");
    fs::write(&broken, "auth:\n  enablePostgresUser: \"yes\"\n").expect("write");
    assert!(!helm::check_schema("postgresql", &broken, out.path()).status.success());
    fs::write(&broken, "controller:\n  replicaCont: 2\n").expect("write");
    let output = helm::walk_keys("ingress-nginx", &broken, out.path());
    assert!(render(&output, &[]).contains("unknown key: controller.replicaCont"));
}

/// What a deploy would send to the cluster: every object the charts render from the generated
/// values passes kubernetes-validate, and is the object the plugins promise.
#[test]
fn releases_render_with_helm_template_and_pass_kubernetes_validate() {
    let out = Scratch::new();
    let [fixture, variant] = bundles(&out);
    for (name, bundle) in [("fixture", &fixture), ("variant", &variant)] {
        for (release, chart, namespace) in RELEASES {
            let rendered = helm::template(release, chart, namespace, &[&values(bundle, release)], out.path());
            let kinds = helm::assert_objects_valid(&format!("{name}-{release}"), &rendered, out.path());
            let expected: &[&str] = match release {
                "metallb" => &["CustomResourceDefinition", "Deployment", "DaemonSet", "ValidatingWebhookConfiguration"],
                "ingress" => &["Deployment", "Service", "IngressClass", "PodDisruptionBudget"],
                _ => &["StatefulSet", "Service"],
            };
            for kind in expected {
                assert!(kinds.iter().any(|k| k == kind), "{name} {release} renders no {kind}: {kinds:?}");
            }
        }
    }

    let db = helm::template("db", "postgresql", "tasktracker", &[&values(&fixture, "db")], out.path());
    // The primary's Service is named after the service, as `expose` says; the replicas keep
    // their volumes in claims of the StatefulSets.
    for name in ["name: db\n", "name: db-hl\n", "name: db-read\n", "name: db-metrics\n"] {
        assert!(db.contains(&format!("kind: Service\nmetadata:\n  {name}")), "no Service {name}\n{db}");
    }
    assert_eq!(db.matches("  volumeClaimTemplates:\n").count(), 2, "{db}");
    // The passwords are read from the Secret the playbook fills, under the keys it fills.
    assert!(db.contains("secretName: db-auth\n") && !db.contains("kind: Secret\n"), "{db}");
    for key in ["postgres-password", "password", "replication-password"] {
        assert!(db.contains(&format!("/opt/bitnami/postgresql/secrets/{key}\n")), "{key}:\n{db}");
    }

    let ingress =
        helm::template("ingress", "ingress-nginx", "ingress-nginx", &[&values(&fixture, "ingress")], out.path());
    assert!(ingress.contains("    metallb.io/loadBalancerIPs: \"10.20.0.200\"\n"), "{ingress}");
    assert!(ingress.contains("  type: LoadBalancer\n") && ingress.contains("  replicas: 2\n"), "{ingress}");
    assert!(ingress.contains("  name: ingress-controller-metrics\n"), "{ingress}");
    assert!(ingress.contains("    ingressclass.kubernetes.io/is-default-class: \"true\"\n"), "{ingress}");
    assert!(!ingress.contains("kind: ServiceMonitor"), "{ingress}");

    // The check does fail on values the chart renders into an invalid object.
    let broken = out.path().join("broken.yaml");
    fs::write(&broken, "controller:\n  extraEnvs:\n    - name: WORKERS\n      value: 4\n").expect("write");
    let rendered = helm::template(
        "ingress",
        "ingress-nginx",
        "ingress-nginx",
        &[&values(&fixture, "ingress"), &broken],
        out.path(),
    );
    let manifests = out.path().join("broken-ingress.yaml");
    fs::write(&manifests, rendered).expect("write");
    let (passed, text) = helm::kubernetes_validate(&[&manifests], out.path());
    assert!(!passed && text.contains("is not of type 'string'"), "{text}");
}

/// kubernetes-validate knows no MetalLB kinds: the pool and its advertisement are checked
/// against the `openAPIV3Schema` of the CRDs the release installs, as `helm template` renders
/// them from the vendored chart.
#[test]
fn metallb_objects_fit_the_crds_of_the_release() {
    let out = Scratch::new();
    let bundles = bundles(&out);
    let rendered =
        helm::template("metallb", "metallb", "metallb-system", &[&values(&bundles[0], "metallb")], out.path());
    let crds = out.path().join("metallb-release.yaml");
    fs::write(&crds, rendered).expect("write");
    let schemas = helm::crd_schemas(&crds, out.path());
    for bundle in bundles {
        for (object, kind) in
            [("ipaddresspool", "IPAddressPool.v1beta1"), ("l2advertisement", "L2Advertisement.v1beta1")]
        {
            let file = bundle.join(format!("kubernetes/metallb/{object}.yaml"));
            let output = helm::check_custom_resource(&schemas, kind, &file, out.path());
            assert!(output.status.success(), "{object}:\n{}", render(&output, &[]));
        }
    }
    // A broken pool fails: addresses as one string, a misspelled field, another kind.
    let pool = fs::read_to_string(fixture_object(&out, "ipaddresspool")).expect("pool");
    for (what, broken) in [
        ("a string", pool.replace("  addresses:\n    - ", "  addresses: ")),
        ("a misspelled field", pool.replace("autoAssign:", "autoAsign:")),
        ("another kind", pool.replace("kind: IPAddressPool", "kind: AddressPool")),
    ] {
        assert_ne!(broken, pool, "{what}");
        let file = out.path().join("broken-pool.yaml");
        fs::write(&file, broken).expect("write");
        let output = helm::check_custom_resource(&schemas, "IPAddressPool.v1beta1", &file, out.path());
        assert!(!output.status.success(), "a pool with {what} passed:\n{}", render(&output, &[]));
    }
}

fn fixture_object(out: &Scratch, object: &str) -> PathBuf {
    build_stack(STACK, &out.path().join("out"), &[]).join(format!("kubernetes/metallb/{object}.yaml"))
}

#[test]
fn the_pool_follows_its_param() {
    let out = Scratch::new();
    let bundle = build_stack(
        STACK,
        out.path(),
        &["--set", "lb_addresses=10.30.0.0/28,10.30.1.10-10.30.1.20", "--set", "ingress_address=10.30.0.1"],
    );
    let pool = fs::read_to_string(bundle.join("kubernetes/metallb/ipaddresspool.yaml")).expect("pool");
    assert!(pool.contains("  addresses:\n    - \"10.30.0.0/28\"\n    - \"10.30.1.10-10.30.1.20\"\n"), "{pool}");
    let ingress = fs::read_to_string(values(&bundle, "ingress")).expect("values");
    assert!(ingress.contains("metallb.io/loadBalancerIPs: \"10.30.0.1\"\n"), "{ingress}");
}

#[test]
fn a_bad_pool_is_an_error_at_the_set() {
    let out = Scratch::new();
    let output = crate::common::stackc()
        .current_dir(crate::common::workspace())
        .args(["build", "--locked", STACK, "--out"])
        .arg(out.path())
        .args(["--set", "lb_addresses=10.30.0.20-10.30.0.10"])
        .output()
        .expect("run stackc");
    let text = render(&output, &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("`10.30.0.20-10.30.0.10` starts after it ends") && text.contains("<command line>"), "{text}");
}

#[test]
fn playbook_installs_each_release_before_its_objects_and_passes_ansible_lint() {
    let out = Scratch::new();
    let bundle = build_stack(STACK, &out.path().join("out"), &[]);
    let playbook = fs::read_to_string(bundle.join("ansible/kubernetes.yml")).expect("playbook");
    let steps: Vec<&str> = playbook.lines().filter_map(|l| l.strip_prefix("- name: ")).collect();
    assert_eq!(
        steps,
        [
            "\"Step 1/5: namespaces\"",
            "\"Step 2/5: secrets\"",
            "\"Step 3/5: metallb (metallb)\"",
            "\"Step 4/5: ingress (ingress-nginx)\"",
            "\"Step 5/5: db (postgresql-helm)\""
        ]
    );
    // MetalLB's pool is applied after the release that installs its CRDs and webhook is ready.
    let metallb = playbook.split("\"Step 3/5: metallb (metallb)\"").nth(1).expect("metallb step");
    let metallb = metallb.split("- name: \"Step 4/5").next().expect("step");
    let install = metallb.find("Install Helm release metallb (metallb 0.16.1)").expect("install");
    let apply = metallb.find("Apply the Kubernetes objects of metallb").expect("apply");
    assert!(install < apply && metallb.contains("        wait: true\n"), "{metallb}");
    // The database's Secret is filled from the Vault variables, and the task does not log them.
    let secret = playbook.split("- name: \"Create Secret tasktracker/db-auth\"").nth(1).expect("secret task");
    let secret = secret.split("\n\n").next().expect("task");
    for (key, variable) in [
        ("postgres-password", "vault_db_admin_password"),
        ("password", "vault_db_password"),
        ("replication-password", "vault_db_replication_password"),
    ] {
        assert!(secret.contains(&format!("\"{key}\": \"{{{{ {variable} }}}}\"")), "{secret}");
    }
    assert!(secret.contains("no_log: true"), "{secret}");
    // The pinned versions are the ones of the vendored charts.
    for (release, chart, _) in RELEASES {
        let version = helm::chart_version(chart);
        assert!(playbook.contains(&format!("chart_version: \"{version}\"")), "{release} {version}");
    }

    let ansible = bundle.join("ansible");
    let home = out.path().join("home");
    let output =
        helm::run("ansible-playbook", &[Path::new("--syntax-check"), Path::new("kubernetes.yml")], &ansible, &home);
    assert!(output.status.success(), "ansible-playbook --syntax-check:\n{}", render(&output, &[]));
    let output = helm::run("ansible-lint", &[Path::new("--offline"), Path::new("kubernetes.yml")], &ansible, &home);
    let text = render(&output, &[]);
    assert!(output.status.success() && text.contains("Passed: 0 failure(s), 0 warning(s)"), "ansible-lint:\n{text}");
}
