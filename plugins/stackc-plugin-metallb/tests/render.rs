//! The metallb plugin's render logic, run natively.

use stackc_plugin_metallb::{CHART, CHART_VERSION, Metallb, REPOSITORY};
use stackc_plugin_sdk::serde_json::{Value, json};
use stackc_plugin_sdk::testing::{context, expose, render};
use stackc_plugin_sdk::{Artifact, HelmRelease, KubeObject};

fn config() -> Value {
    json!({
        "namespace": "metallb-system",
        "addresses": ["10.20.0.200-10.20.0.220", "10.20.1.0/28"],
    })
}

fn release(artifacts: &[Artifact]) -> &HelmRelease {
    artifacts
        .iter()
        .find_map(|a| match a {
            Artifact::HelmRelease(r) => Some(r),
            _ => None,
        })
        .expect("a Helm release")
}

fn objects(artifacts: &[Artifact]) -> Vec<&KubeObject> {
    artifacts
        .iter()
        .filter_map(|a| match a {
            Artifact::KubeObject(o) => Some(o),
            _ => None,
        })
        .collect()
}

#[test]
fn the_release_comes_before_the_objects_of_its_crds() {
    let artifacts = render::<Metallb>(&config(), &context("metallb", &[])).expect("renders");
    assert!(matches!(artifacts[0], Artifact::HelmRelease(_)), "{artifacts:?}");
    let release = release(&artifacts);
    assert_eq!(
        (release.name.as_str(), release.chart.as_str(), release.repository.as_str(), release.version.as_str()),
        ("metallb", CHART, REPOSITORY, CHART_VERSION)
    );
    assert_eq!(release.namespace, "metallb-system");
    insta::assert_snapshot!("values", release.values);
}

#[test]
fn a_pool_and_its_l2_advertisement() {
    let artifacts = render::<Metallb>(&config(), &context("metallb", &[])).expect("renders");
    let objects = objects(&artifacts);
    let names: Vec<&str> = objects.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["ipaddresspool", "l2advertisement"]);
    insta::assert_snapshot!("ipaddresspool", objects[0].yaml);
    insta::assert_snapshot!("l2advertisement", objects[1].yaml);
}

#[test]
fn one_address_range_may_be_written_alone() {
    let config = json!({"addresses": "10.20.0.200-10.20.0.220", "pool": "public", "auto-assign": false});
    let artifacts = render::<Metallb>(&config, &context("lb", &[])).expect("renders");
    let pool = &objects(&artifacts)[0].yaml;
    assert!(pool.contains("  name: public\n  namespace: metallb-system\n"), "{pool}");
    assert!(pool.contains("  addresses:\n    - \"10.20.0.200-10.20.0.220\"\n  autoAssign: false\n"), "{pool}");
    assert!(objects(&artifacts)[1].yaml.ends_with("  ipAddressPools:\n    - public\n"));
}

#[test]
fn exports_nothing() {
    assert!(expose::<Metallb>("metallb", &config()).expect("exposes").endpoints.is_empty());
}

#[test]
fn bad_config_is_reported_at_its_path() {
    let config = json!({
        "namespace": "MetalLB",
        "pool": "Public_Pool",
        "addresses": [
            "10.20.0.220-10.20.0.200",
            "10.20.1.5/28",
            "10.20.0.0/16",
            "10.20.0.10-10.20.0.20",
            "192.168.1.300-192.168.1.310",
            "10.30.0.1",
        ],
    });
    let errors = render::<Metallb>(&config, &context("metallb", &[])).unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.path.join("."), e.message.as_str())).collect();
    insta::assert_debug_snapshot!(found);
}

#[test]
fn an_empty_pool_is_refused() {
    let errors = render::<Metallb>(&json!({"addresses": []}), &context("metallb", &[])).unwrap_err();
    assert_eq!(
        (errors[0].path.join("."), errors[0].message.as_str()),
        ("addresses".to_owned(), "the pool has no addresses")
    );
}

#[test]
fn hosts_are_refused() {
    let errors = render::<Metallb>(&config(), &context("metallb", &[("node1", "10.0.0.1")])).unwrap_err();
    assert!(errors[0].message.contains("runs in the cluster"), "{errors:?}");
}
