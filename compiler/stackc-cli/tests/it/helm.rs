//! Checks of Helm values against the upstream charts vendored in `third_party/helm-charts/`
//! (see its README), with the consumers' own data and tools: the chart's
//! `values.schema.json` (check-jsonschema), its default `values.yaml` (every key path the
//! generated values set must exist there: Helm silently ignores a misspelled key), `helm
//! template` of the whole chart, kubernetes-validate for what it renders, and the
//! `openAPIV3Schema` of a chart's CRDs for custom resources kubernetes-validate does not know.
//!
//! The tools come from the project's virtualenv and `.tools/`, installed by `scripts/setup.sh`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{render, tool, workspace};

/// Walks generated values beside the chart's defaults; prints every key path the chart does
/// not have and exits 1 if there is one. A key the defaults leave out is the chart's too when
/// its default is an empty map (free-form: `annotations: {}`) or when the chart's own
/// templates read it (`.Values.fullnameOverride`, documented only in a comment).
const KEY_WALK: &str = r#"
import os, sys, yaml
templates = ""
for root, _, files in os.walk(os.path.join(sys.argv[3], "templates")):
    for name in files:
        with open(os.path.join(root, name)) as f:
            templates += f.read()
def walk(values, defaults, path, unknown):
    if not isinstance(values, dict):
        return
    if defaults == {}:
        return
    if not isinstance(defaults, dict):
        unknown.append(".".join(path) + " (the chart has no map here)")
        return
    for key, value in values.items():
        if key in defaults:
            walk(value, defaults[key], path + [str(key)], unknown)
        elif ".Values." + ".".join(path + [str(key)]) not in templates:
            unknown.append(".".join(path + [str(key)]))
with open(sys.argv[1]) as f:
    defaults = yaml.safe_load(f)
with open(sys.argv[2]) as f:
    values = yaml.safe_load(f)
unknown = []
walk(values, defaults, [], unknown)
for path in unknown:
    print("unknown key:", path)
print("keys checked" if not unknown else "")
sys.exit(1 if unknown else 0)
"#;

/// Writes the values Helm validates a chart's `values.schema.json` against: the chart's
/// defaults with the given values merged in (maps key by key, anything else replaced, `null`
/// deleting the default), as JSON.
const MERGE: &str = r#"
import json, sys, yaml
def merge(defaults, values):
    if not isinstance(defaults, dict) or not isinstance(values, dict):
        return values
    merged = dict(defaults)
    for key, value in values.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge(defaults.get(key), value)
    return merged
with open(sys.argv[1]) as f:
    defaults = yaml.safe_load(f)
with open(sys.argv[2]) as f:
    values = yaml.safe_load(f) or {}
with open(sys.argv[3], "w") as out:
    json.dump(merge(defaults, values), out)
"#;

/// Writes the `openAPIV3Schema` of every version of every CRD in a manifest file as a JSON
/// schema `<kind>.<version>.json` into a directory. Like the API server with strict field
/// validation (`kubectl apply --validate=strict`), it refuses fields a schema does not list
/// unless the schema keeps unknown fields.
const CRD_SCHEMAS: &str = r#"
import json, os, sys, yaml
def closed(schema):
    if isinstance(schema, dict):
        if "properties" in schema and "additionalProperties" not in schema \
                and not schema.get("x-kubernetes-preserve-unknown-fields"):
            schema["additionalProperties"] = False
        for value in schema.values():
            closed(value)
    elif isinstance(schema, list):
        for value in schema:
            closed(value)
with open(sys.argv[1]) as f:
    for crd in yaml.safe_load_all(f):
        if not crd or crd.get("kind") != "CustomResourceDefinition":
            continue
        for version in crd["spec"]["versions"]:
            schema = version["schema"]["openAPIV3Schema"]
            closed(schema)
            schema["properties"]["apiVersion"]["const"] = crd["spec"]["group"] + "/" + version["name"]
            schema["properties"]["kind"]["const"] = crd["spec"]["names"]["kind"]
            schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata"})
            name = "%s.%s.json" % (crd["spec"]["names"]["kind"], version["name"])
            with open(os.path.join(sys.argv[2], name), "w") as out:
                json.dump(schema, out)
            print("schema", name)
"#;

/// A vendored chart's directory.
pub fn chart(dir: &str) -> PathBuf {
    workspace().join("third_party/helm-charts").join(dir)
}

/// The version a vendored chart declares in its `Chart.yaml`.
pub fn chart_version(dir: &str) -> String {
    let chart_yaml = fs::read_to_string(chart(dir).join("Chart.yaml")).expect("Chart.yaml");
    chart_yaml.lines().find_map(|l| l.strip_prefix("version: ")).expect("version").trim().to_owned()
}

/// Runs a tool from the virtualenv (or PATH) in `dir`, with Ansible's state in a temporary
/// `home`.
#[allow(clippy::disallowed_methods, reason = "the tools run with the caller's PATH, after the virtualenv")]
pub fn run(program: &str, args: &[&Path], dir: &Path, home: &Path) -> Output {
    let program = tool(program);
    let venv = workspace().join(".venv/bin");
    let mut path = vec![venv, program.parent().expect("parent").to_owned()];
    path.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    fs::create_dir_all(home).expect("mkdir home");
    Command::new(&program)
        .args(args)
        .current_dir(dir)
        .env("PATH", std::env::join_paths(path).expect("PATH"))
        .env("HOME", home)
        .env("ANSIBLE_LOCAL_TEMP", home.join("tmp"))
        .env("ANSIBLE_NOCOLOR", "1")
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
}

/// `check-jsonschema` against the chart's `values.schema.json` of what Helm checks with it:
/// the chart's defaults with `values` merged in (some charts' schemas require keys only the
/// defaults set).
pub fn check_schema(chart_dir: &str, values: &Path, scratch: &Path) -> Output {
    let schema = chart(chart_dir).join("values.schema.json");
    assert!(schema.exists(), "{chart_dir} has no values.schema.json");
    let script = scratch.join("merge.py");
    fs::write(&script, MERGE).expect("write");
    let merged = scratch.join(format!("{chart_dir}-merged-values.json"));
    let defaults = chart(chart_dir).join("values.yaml");
    let home = scratch.join("home");
    let output = run("python3", &[&script, &defaults, values, &merged], scratch, &home);
    assert!(
        output.status.success(),
        "merging {} into {chart_dir}'s defaults:\n{}",
        values.display(),
        render(&output, &[])
    );
    run("check-jsonschema", &[Path::new("--schemafile"), &schema, &merged], scratch, &home)
}

/// The key walk of `values` beside the chart's default `values.yaml`.
pub fn walk_keys(chart_dir: &str, values: &Path, scratch: &Path) -> Output {
    let script = scratch.join("walk.py");
    fs::write(&script, KEY_WALK).expect("write");
    let chart = chart(chart_dir);
    let defaults = chart.join("values.yaml");
    run("python3", &[&script, &defaults, values, &chart], scratch, &scratch.join("home"))
}

/// Both values checks, passing: the schema (where the chart has one) and the key walk.
pub fn assert_values_fit(chart_dir: &str, values: &Path, scratch: &Path) {
    if chart(chart_dir).join("values.schema.json").exists() {
        let output = check_schema(chart_dir, values, scratch);
        assert!(output.status.success(), "{chart_dir} values against the chart schema:\n{}", render(&output, &[]));
    }
    let output = walk_keys(chart_dir, values, scratch);
    let text = render(&output, &[]);
    assert!(output.status.success() && text.contains("keys checked"), "{chart_dir} keys:\n{text}");
}

/// What a deploy would send to the cluster: `helm template` of the vendored chart with
/// `values` (later files win).
pub fn template(release: &str, chart_dir: &str, namespace: &str, values: &[&Path], scratch: &Path) -> String {
    let chart = chart(chart_dir);
    let namespace = format!("--namespace={namespace}");
    let mut args: Vec<&Path> = vec![Path::new("template"), Path::new(release), &chart, Path::new(&namespace)];
    for file in values {
        args.extend([Path::new("-f"), file]);
    }
    let output = run("helm", &args, scratch, &scratch.join("home"));
    assert!(output.status.success(), "helm template {release}:\n{}", render(&output, &[]));
    String::from_utf8(output.stdout).expect("helm prints UTF-8")
}

/// kubernetes-validate `--strict` for Kubernetes 1.30 on `files`: whether it passed, and its
/// report.
pub fn kubernetes_validate(files: &[&Path], scratch: &Path) -> (bool, String) {
    let mut args: Vec<&Path> = vec![Path::new("--strict"), Path::new("-k"), Path::new("1.30")];
    args.extend(files);
    let output = run("kubernetes-validate", &args, scratch, &scratch.join("home"));
    (output.status.success(), render(&output, &[]))
}

/// Every object of `manifests` (one file of `---`-separated objects, as `helm template`
/// prints) passes kubernetes-validate; returns the kinds, in order.
pub fn assert_objects_valid(name: &str, manifests: &str, scratch: &Path) -> Vec<String> {
    let file = scratch.join(format!("{name}.yaml"));
    fs::write(&file, manifests).expect("write");
    let kinds: Vec<String> =
        manifests.lines().filter_map(|l| l.strip_prefix("kind: ")).map(|k| k.trim().to_owned()).collect();
    let (passed, text) = kubernetes_validate(&[&file], scratch);
    assert!(passed, "kubernetes-validate {name}:\n{text}");
    // Unknown kinds only warn, so every object must be reported as passed.
    assert!(!text.contains("WARN") && !text.contains("ERROR"), "kubernetes-validate {name}:\n{text}");
    assert_eq!(text.matches(" passed for resource ").count(), kinds.len(), "{name}:\n{text}");
    kinds
}

/// JSON schemas of the custom resources a chart's CRD manifest defines, written into
/// `scratch/crd-schemas/`: `<Kind>.<version>.json`.
pub fn crd_schemas(crds: &Path, scratch: &Path) -> PathBuf {
    let script = scratch.join("crd_schemas.py");
    fs::write(&script, CRD_SCHEMAS).expect("write");
    let dir = scratch.join("crd-schemas");
    fs::create_dir_all(&dir).expect("mkdir");
    let output = run("python3", &[&script, crds, &dir], scratch, &scratch.join("home"));
    assert!(output.status.success(), "CRD schemas of {}:\n{}", crds.display(), render(&output, &[]));
    dir
}

/// `check-jsonschema` of one custom resource against its CRD's schema.
pub fn check_custom_resource(schemas: &Path, kind_version: &str, object: &Path, scratch: &Path) -> Output {
    let schema = schemas.join(format!("{kind_version}.json"));
    assert!(schema.exists(), "no CRD defines {kind_version}");
    run("check-jsonschema", &[Path::new("--schemafile"), &schema, object], scratch, &scratch.join("home"))
}
