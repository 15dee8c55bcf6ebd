//! `stackc render`: a stack's files on stdout, byte for byte what the bundle holds.

use crate::common::{Scratch, build_stack, files_under, stackc, workspace};

fn render(args: &[&str]) -> std::process::Output {
    stackc().current_dir(workspace()).arg("render").args(args).output().expect("run stackc")
}

#[test]
fn every_file_renders_to_exactly_the_bundles_bytes() {
    let out = Scratch::new();
    let bundle = build_stack("stacks/web-tls.kdl", out.path(), &[]);
    let files = files_under(&bundle, &[]);
    assert!(files.len() > 5 && files.contains(&"manifest.toml".to_owned()), "{files:?}");
    for path in files {
        let output = render(&["stacks/web-tls.kdl", "--file", &path]);
        assert!(output.status.success(), "{path}: {}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(output.stdout, std::fs::read(bundle.join(&path)).expect("bundle file"), "{path}");
    }
}

#[test]
fn a_service_renders_its_files_each_under_its_path() {
    let out = Scratch::new();
    let bundle = build_stack("stacks/web-tls.kdl", out.path(), &[]);
    let output = render(&["stacks/web-tls.kdl", "--service", "proxy"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).expect("text");
    let paths: Vec<&str> =
        text.lines().filter_map(|l| l.strip_prefix("==> ")).map(|l| l.trim_end_matches(" <==")).collect();
    assert_eq!(paths, ["hosts/proxy1/etc/nginx/conf.d/proxy.conf", "hosts/proxy1/etc/nginx/nginx.conf"]);
    for path in paths {
        let contents = std::fs::read_to_string(bundle.join(path)).expect("bundle file");
        assert!(text.contains(&format!("==> {path} <==\n{contents}")), "{path}");
    }
}

#[test]
fn unknown_services_and_files_are_usage_errors_with_a_hint() {
    let output = render(&["stacks/web-tls.kdl", "--service", "prox"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error: no service `prox` in stack `web-tls`\n\nhint: did you mean `proxy`?"), "{stderr}");

    let output = render(&["stacks/web-tls.kdl", "--file", "hosts/proxy1/etc/nginx/proxy.conf"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("hint: under `hosts/proxy1/etc/nginx/` there are: hosts/proxy1/etc/nginx/conf.d/proxy.conf, hosts/proxy1/etc/nginx/nginx.conf"),
        "{stderr}"
    );
}
